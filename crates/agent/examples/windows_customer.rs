//! A customer's Windows computer for the end-to-end test under Wine (`crates/agent/tests/wine.rs`):
//! the agent's engine with the real Windows seam (GDI capture, `SendInput` through enigo) joins the
//! invite given as its argument, and a window painted with a known picture stands in for the
//! customer's application and reports the input it receives.
//!
//! The customer's clicks on "Allow" are the one thing stood in for: every request is allowed as
//! it arrives, so the test drives no dialog. That is why this is an example the test builds, not
//! part of the agent: nothing shipped allows anything by itself.
//!
//! Standard output, a line each: `window W H` once the window is shown, `allowed CAPABILITY` for
//! each request allowed, `click X Y` for a left click in the window, `key VK` for a key press,
//! `char C` for a typed character.

#[cfg(not(windows))]
fn main() {
    eprintln!("windows_customer is the Windows customer of the test under Wine; build it for Windows");
    std::process::exit(2);
}

#[cfg(windows)]
fn main() {
    windows_main::run();
}

#[cfg(windows)]
#[allow(unsafe_code, clippy::unwrap_used)]
mod windows_main {
    use std::io::Write as _;
    use std::ptr::{null, null_mut};
    use std::sync::Arc;

    use deskside_agent::engine::{AgentEvent, AgentOptions, Event};
    use deskside_proto::Invite;
    use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
    use windows_sys::Win32::Graphics::Gdi::{
        BI_RGB, BITMAPINFO, BITMAPINFOHEADER, BeginPaint, DIB_RGB_COLORS, EndPaint, PAINTSTRUCT, SetDIBitsToDevice,
    };
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, MSG, RegisterClassW, SW_SHOW,
        SetForegroundWindow, ShowWindow, TranslateMessage, WM_CHAR, WM_KEYDOWN, WM_LBUTTONDOWN, WM_PAINT, WNDCLASSW,
        WS_POPUP, WS_VISIBLE,
    };

    #[link(name = "kernel32")]
    unsafe extern "system" {
        /// This program's module (its instance), which its window class is registered under.
        fn GetModuleHandleW(name: *const u16) -> *mut std::ffi::c_void;
    }

    /// The known picture's size, at the desktop's top left corner.
    pub const W: i32 = 320;
    /// See [`W`].
    pub const H: i32 = 240;

    /// The known picture, BGRX: the same one the test expects (`known_image` there).
    fn known_image(x: u32, y: u32) -> [u8; 4] {
        let ink = if (x / 7 + y / 5).is_multiple_of(3) { 0x40 } else { 0 };
        [(x * 4 % 256) as u8 ^ ink, (y * 3 % 256) as u8, ((x + y) % 256) as u8 ^ ink, 0]
    }

    fn say(line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    unsafe extern "system" fn window_proc(w: HWND, msg: u32, wp: WPARAM, lp: LPARAM) -> LRESULT {
        match msg {
            WM_PAINT => {
                let pixels: Vec<u8> =
                    (0..H as u32).flat_map(|y| (0..W as u32).flat_map(move |x| known_image(x, y))).collect();
                let info = BITMAPINFO {
                    bmiHeader: BITMAPINFOHEADER {
                        biSize: size_of::<BITMAPINFOHEADER>() as u32,
                        biWidth: W,
                        biHeight: -H,
                        biPlanes: 1,
                        biBitCount: 32,
                        biCompression: BI_RGB,
                        ..Default::default()
                    },
                    ..Default::default()
                };
                let mut ps = PAINTSTRUCT::default();
                // SAFETY: painting our own window with a bitmap of the size we say.
                unsafe {
                    let dc = BeginPaint(w, &raw mut ps);
                    SetDIBitsToDevice(
                        dc,
                        0,
                        0,
                        W as u32,
                        H as u32,
                        0,
                        0,
                        0,
                        H as u32,
                        pixels.as_ptr().cast(),
                        &raw const info,
                        DIB_RGB_COLORS,
                    );
                    EndPaint(w, &raw const ps);
                }
                0
            }
            WM_LBUTTONDOWN => {
                let (x, y) = ((lp & 0xffff) as i16, ((lp >> 16) & 0xffff) as i16);
                say(&format!("click {x} {y}"));
                0
            }
            WM_KEYDOWN => {
                say(&format!("key {wp}"));
                0
            }
            WM_CHAR => {
                if let Some(c) = char::from_u32(wp as u32).filter(|c| !c.is_control()) {
                    say(&format!("char {c}"));
                }
                0
            }
            // SAFETY: everything else is the system's default.
            _ => unsafe { DefWindowProcW(w, msg, wp, lp) },
        }
    }

    /// Joins, allowing every request, on a thread of its own.
    fn customer(invite: Invite) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let options = AgentOptions::this_machine("Wine Customer");
            let mut agent = match deskside_agent::engine::start(invite, options, Arc::new(|| {})).await {
                Ok(a) => a,
                Err(e) => {
                    say(&format!("failed {e}"));
                    std::process::exit(1);
                }
            };
            say("joined");
            while let Some(ev) = agent.next_event().await {
                match ev {
                    AgentEvent::Session(Event::ConsentChanged) => {
                        let pending = agent.gate().consent().pending().map(|p| (p.request, p.capability));
                        if let Some((request, capability)) = pending {
                            agent.answer(request, true);
                            say(&format!("allowed {capability:?}"));
                        }
                    }
                    AgentEvent::LocalError(p) => say(&format!("problem {p:?}")),
                    _ => {}
                }
            }
            say("left");
            std::process::exit(0);
        });
    }

    pub fn run() {
        let Some(invite) = std::env::args().nth(1) else {
            eprintln!("usage: windows_customer INVITE");
            std::process::exit(2);
        };
        let invite = Invite::parse(&invite).unwrap();
        let class: Vec<u16> = "DesksideWineProbe\0".encode_utf16().collect();
        let title: Vec<u16> = "Known picture\0".encode_utf16().collect();
        // SAFETY: a window class and a window of our own; the strings outlive the calls.
        let window = unsafe {
            let instance = GetModuleHandleW(null());
            let wc = WNDCLASSW {
                lpfnWndProc: Some(window_proc),
                hInstance: instance,
                lpszClassName: class.as_ptr(),
                ..Default::default()
            };
            RegisterClassW(&raw const wc);
            let w = CreateWindowExW(
                0,
                class.as_ptr(),
                title.as_ptr(),
                WS_POPUP | WS_VISIBLE,
                0,
                0,
                W,
                H,
                null_mut(),
                null_mut(),
                instance,
                null(),
            );
            ShowWindow(w, SW_SHOW);
            SetForegroundWindow(w);
            w
        };
        assert!(!window.is_null(), "no window");
        say(&format!("window {W} {H}"));
        std::thread::Builder::new().name("customer".into()).spawn(move || customer(invite)).unwrap();
        let mut msg = MSG::default();
        // SAFETY: the thread's message loop, for the window made above.
        unsafe {
            while GetMessageW(&raw mut msg, null_mut(), 0, 0) > 0 {
                TranslateMessage(&raw const msg);
                DispatchMessageW(&raw const msg);
            }
        }
    }
}
