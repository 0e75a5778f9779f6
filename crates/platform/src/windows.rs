//! The Windows seam: the screen through GDI, the application windows through the window manager's
//! own list, and the `deskside://` link handler in the user's registry.
//!
//! - [`GdiSource`] copies the whole virtual desktop (every monitor) with `BitBlt` into a
//!   device-independent bitmap it owns, so a capture is one copy into memory the agent reads in
//!   place. GDI says nothing of what changed, so the agent compares frames itself
//!   ([`Changes::Unknown`](crate::Changes::Unknown)). The pointer comes from `GetCursorInfo`, its
//!   picture from drawing the cursor on black and on white (which gives colour and transparency,
//!   for colour and monochrome cursors alike). DXGI Desktop Duplication, which reports damage and
//!   is faster on real GPUs, is the next step behind the same trait; Wine does not implement it,
//!   so it could not be tested here.
//! - [`Win32Windows`] lists top-level windows in Z order (`EnumWindows`) and says which parts of
//!   one are covered by the windows above it.
//! - [`register_link_handler`] writes `HKCU\Software\Classes\deskside`, which needs no
//!   administrator: a portable agent registers itself for the user who runs it.
//!
//! This module and `x11` are the workspace's unsafe code: calls into the system's C interfaces,
//! each with what makes it sound beside it.
#![allow(unsafe_code)]

use std::ptr::{null, null_mut};

use deskside_codec::{CursorImage, FrameRef, Rect};
use deskside_proto::MonitorInfo;
use windows_sys::Win32::Foundation::{HWND, LPARAM, POINT, RECT};
use windows_sys::Win32::Graphics::Gdi::{
    BI_RGB, BITMAPINFO, BITMAPINFOHEADER, BLACKNESS, BitBlt, CAPTUREBLT, CreateCompatibleDC, CreateDIBSection,
    DIB_RGB_COLORS, DeleteDC, DeleteObject, EnumDisplayMonitors, GdiFlush, GetDC, GetMonitorInfoW, HBITMAP, HDC,
    HGDIOBJ, HMONITOR, MONITORINFO, MONITORINFOEXW, PatBlt, ReleaseDC, SRCCOPY, SelectObject, WHITENESS,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CURSOR_SHOWING, CURSORINFO, DI_NORMAL, DrawIconEx, EnumWindows, GW_HWNDPREV, GWL_EXSTYLE, GetCursorInfo,
    GetCursorPos, GetForegroundWindow, GetIconInfo, GetSystemMetrics, GetWindow, GetWindowLongPtrW, GetWindowRect,
    GetWindowTextW, HCURSOR, ICONINFO, IsIconic, IsWindow, IsWindowVisible, MONITORINFOF_PRIMARY, SM_CXVIRTUALSCREEN,
    SM_CYVIRTUALSCREEN, SM_XVIRTUALSCREEN, SM_YVIRTUALSCREEN, WS_EX_TOOLWINDOW,
};

use crate::app_window::{covered_part, on_screen};
use crate::{CursorState, PlatformError, ScreenSource};

/// The side of the bitmaps a cursor is drawn into to read its picture.
const CURSOR_CANVAS: i32 = 64;

/// The virtual desktop's rectangle: `(left, top, width, height)`, in the system's coordinates
/// (the left and top are negative when a monitor sits left of or above the primary one).
fn virtual_screen() -> (i32, i32, i32, i32) {
    // SAFETY: GetSystemMetrics takes a constant and reads system state.
    unsafe {
        (
            GetSystemMetrics(SM_XVIRTUALSCREEN),
            GetSystemMetrics(SM_YVIRTUALSCREEN),
            GetSystemMetrics(SM_CXVIRTUALSCREEN),
            GetSystemMetrics(SM_CYVIRTUALSCREEN),
        )
    }
}

/// A 32-bit top-down bitmap selected into a memory device context, with its pixels mapped.
struct Canvas {
    dc: HDC,
    bitmap: HBITMAP,
    previous: HGDIOBJ,
    bits: *mut u8,
    width: i32,
    height: i32,
}

impl Canvas {
    fn new(screen: HDC, width: i32, height: i32) -> Result<Canvas, PlatformError> {
        let info = BITMAPINFO {
            bmiHeader: BITMAPINFOHEADER {
                biSize: size_of::<BITMAPINFOHEADER>() as u32,
                biWidth: width,
                // Negative: rows top to bottom, as frames are.
                biHeight: -height,
                biPlanes: 1,
                biBitCount: 32,
                biCompression: BI_RGB,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut bits: *mut std::ffi::c_void = null_mut();
        // SAFETY: `screen` is a live DC; `info` describes a plain 32-bit bitmap; `bits` receives
        // the pixels' address, valid until the bitmap is deleted (in `drop`).
        unsafe {
            let dc = CreateCompatibleDC(screen);
            if dc.is_null() {
                return Err(PlatformError::Capture("no memory device context".into()));
            }
            let bitmap = CreateDIBSection(dc, &raw const info, DIB_RGB_COLORS, &raw mut bits, null_mut(), 0);
            if bitmap.is_null() || bits.is_null() {
                DeleteDC(dc);
                return Err(PlatformError::Capture(format!("no {width}x{height} bitmap")));
            }
            let previous = SelectObject(dc, bitmap);
            Ok(Canvas { dc, bitmap, previous, bits: bits.cast(), width, height })
        }
    }

    fn len(&self) -> usize {
        self.width as usize * self.height as usize * 4
    }

    /// The pixels, once GDI has finished drawing them.
    fn pixels(&self) -> &[u8] {
        // SAFETY: the section is `width * height * 4` bytes and lives as long as `self`; GdiFlush
        // makes GDI finish every drawing into it before it is read; writes need `&mut self`.
        unsafe {
            GdiFlush();
            std::slice::from_raw_parts(self.bits, self.len())
        }
    }
}

impl Drop for Canvas {
    fn drop(&mut self) {
        // SAFETY: the objects were made in `new` and are released once, in the reverse order.
        unsafe {
            SelectObject(self.dc, self.previous);
            DeleteObject(self.bitmap);
            DeleteDC(self.dc);
        }
    }
}

/// The whole virtual desktop through GDI. Not `Send`: create it on the thread that captures.
pub struct GdiSource {
    screen: HDC,
    canvas: Canvas,
    origin: (i32, i32),
    cursor: Option<HCURSOR>,
}

impl GdiSource {
    /// Opens the desktop.
    pub fn open() -> Result<GdiSource, PlatformError> {
        // SAFETY: GetDC(NULL) is the screen's DC, released in `drop`.
        let screen = unsafe { GetDC(null_mut()) };
        if screen.is_null() {
            return Err(PlatformError::Capture("no screen device context (is there a desktop?)".into()));
        }
        let (left, top, w, h) = virtual_screen();
        if w <= 0 || h <= 0 || w as u32 > deskside_proto::MAX_SCREEN_SIDE || h as u32 > deskside_proto::MAX_SCREEN_SIDE
        {
            // SAFETY: released once; the source was never made.
            unsafe { ReleaseDC(null_mut(), screen) };
            return Err(PlatformError::Capture(format!("the desktop is {w}x{h}")));
        }
        let canvas = match Canvas::new(screen, w, h) {
            Ok(canvas) => canvas,
            Err(why) => {
                // SAFETY: as above.
                unsafe { ReleaseDC(null_mut(), screen) };
                return Err(why);
            }
        };
        Ok(GdiSource { screen, canvas, origin: (left, top), cursor: None })
    }

    fn cursor_image(&self, cursor: HCURSOR) -> Option<CursorImage> {
        let mut icon = ICONINFO::default();
        // SAFETY: `cursor` came from GetCursorInfo; GetIconInfo fills `icon` and hands over two
        // bitmaps, deleted below.
        if unsafe { GetIconInfo(cursor, &raw mut icon) } == 0 {
            return None;
        }
        // SAFETY: the bitmaps GetIconInfo made are ours to delete.
        unsafe {
            if !icon.hbmColor.is_null() {
                DeleteObject(icon.hbmColor);
            }
            if !icon.hbmMask.is_null() {
                DeleteObject(icon.hbmMask);
            }
        }
        let side = CURSOR_CANVAS;
        let on_black = Canvas::new(self.screen, side, side).ok()?;
        let on_white = Canvas::new(self.screen, side, side).ok()?;
        // SAFETY: both canvases are live memory DCs; DrawIconEx draws the cursor at its own size.
        unsafe {
            PatBlt(on_black.dc, 0, 0, side, side, BLACKNESS);
            PatBlt(on_white.dc, 0, 0, side, side, WHITENESS);
            DrawIconEx(on_black.dc, 0, 0, cursor, 0, 0, 0, null_mut(), DI_NORMAL);
            DrawIconEx(on_white.dc, 0, 0, cursor, 0, 0, 0, null_mut(), DI_NORMAL);
        }
        crate::capture::cursor_from_backgrounds(
            on_black.pixels(),
            on_white.pixels(),
            side as u16,
            icon.xHotspot,
            icon.yHotspot,
        )
    }
}

impl Drop for GdiSource {
    fn drop(&mut self) {
        // SAFETY: the screen DC from GetDC(NULL), released once.
        unsafe { ReleaseDC(null_mut(), self.screen) };
    }
}

impl ScreenSource for GdiSource {
    fn capture(&mut self) -> Result<Option<FrameRef<'_>>, PlatformError> {
        let (x, y, w, h) = virtual_screen();
        if (w, h) != (self.canvas.width, self.canvas.height) {
            // A monitor came or went: a new bitmap at the new size.
            self.canvas = Canvas::new(self.screen, w, h)?;
        }
        self.origin = (x, y);
        // SAFETY: both DCs are live; the copy stays inside the canvas, which is `w` x `h`.
        let ok = unsafe { BitBlt(self.canvas.dc, 0, 0, w, h, self.screen, x, y, SRCCOPY | CAPTUREBLT) };
        if ok == 0 {
            // The secure desktop (a UAC prompt, the lock screen) cannot be read by a user's program.
            return Err(PlatformError::Capture("the desktop cannot be read right now".into()));
        }
        let (width, height) = (w as u32, h as u32);
        Ok(Some(FrameRef { width, height, stride: width as usize * 4, data: self.canvas.pixels() }))
    }

    fn monitors(&mut self) -> Result<Vec<MonitorInfo>, PlatformError> {
        unsafe extern "system" fn each(m: HMONITOR, _: HDC, _: *mut RECT, data: LPARAM) -> windows_sys::core::BOOL {
            let mut info = MONITORINFOEXW {
                monitorInfo: MONITORINFO { cbSize: size_of::<MONITORINFOEXW>() as u32, ..Default::default() },
                ..Default::default()
            };
            // SAFETY: `data` is the `Vec` passed below, alive for the whole enumeration; `info`
            // says its own size, as GetMonitorInfoW requires.
            unsafe {
                if GetMonitorInfoW(m, (&raw mut info).cast()) != 0 {
                    (*(data as *mut Vec<MONITORINFOEXW>)).push(info);
                }
            }
            1
        }
        let mut found: Vec<MONITORINFOEXW> = Vec::new();
        // SAFETY: the callback only pushes into `found`, which outlives the call.
        unsafe { EnumDisplayMonitors(null_mut(), null(), Some(each), (&raw mut found) as LPARAM) };
        let (ox, oy) = self.origin;
        let (sw, sh) = (self.canvas.width, self.canvas.height);
        let mut out: Vec<MonitorInfo> = found
            .iter()
            .filter_map(|m| {
                let r = m.monitorInfo.rcMonitor;
                let on = on_screen(r.left - ox, r.top - oy, r.right - ox, r.bottom - oy, sw as u32, sh as u32)?;
                let name_len = m.szDevice.iter().position(|&c| c == 0).unwrap_or(m.szDevice.len());
                let name = String::from_utf16_lossy(&m.szDevice[..name_len]);
                Some(MonitorInfo {
                    name: crate::app_window::clean_title(name.trim_start_matches(r"\\.\")),
                    x: on.x,
                    y: on.y,
                    width: on.w,
                    height: on.h,
                    primary: m.monitorInfo.dwFlags & MONITORINFOF_PRIMARY != 0,
                })
            })
            .collect();
        if out.len() > 1 {
            out.retain(|m| (m.x, m.y, m.width, m.height) != (0, 0, sw as u32, sh as u32));
        }
        Ok(out)
    }

    fn cursor(&mut self) -> Result<Option<CursorState>, PlatformError> {
        let mut info = CURSORINFO { cbSize: size_of::<CURSORINFO>() as u32, ..Default::default() };
        // SAFETY: `info` says its own size, as GetCursorInfo requires.
        if unsafe { GetCursorInfo(&raw mut info) } == 0 {
            return Ok(None);
        }
        let (ox, oy) = self.origin;
        let mut state = CursorState { x: info.ptScreenPos.x - ox, y: info.ptScreenPos.y - oy, shape: None };
        let showing = info.flags & CURSOR_SHOWING != 0 && !info.hCursor.is_null();
        if showing && self.cursor != Some(info.hCursor) {
            self.cursor = Some(info.hCursor);
            state.shape = self.cursor_image(info.hCursor);
        }
        Ok(Some(state))
    }
}

/// The desktop's top-level windows.
pub struct Win32Windows {
    _private: (),
}

// The windows are named by handle values, which any thread may ask about.
impl Win32Windows {
    /// The current desktop's windows.
    #[must_use]
    pub fn open() -> Win32Windows {
        Win32Windows { _private: () }
    }

    /// Top-level windows, front-most first.
    fn stack() -> Vec<HWND> {
        unsafe extern "system" fn each(w: HWND, data: LPARAM) -> windows_sys::core::BOOL {
            // SAFETY: `data` is the `Vec` passed below, alive for the whole enumeration.
            unsafe { (*(data as *mut Vec<HWND>)).push(w) };
            1
        }
        let mut out: Vec<HWND> = Vec::new();
        // SAFETY: the callback only pushes into `out`, which outlives the call.
        unsafe { EnumWindows(Some(each), (&raw mut out) as LPARAM) };
        out
    }

    /// A window the customer sees: visible, not minimised, not a tool palette.
    fn shown(w: HWND) -> bool {
        // SAFETY: these only read the window's state; a stale handle answers false.
        unsafe {
            IsWindowVisible(w) != 0
                && IsIconic(w) == 0
                && (GetWindowLongPtrW(w, GWL_EXSTYLE) as u32 & WS_EX_TOOLWINDOW) == 0
        }
    }

    fn title(w: HWND) -> Option<String> {
        let mut buf = [0u16; 256];
        // SAFETY: the buffer's length is passed; the text is cut to it.
        let n = unsafe { GetWindowTextW(w, buf.as_mut_ptr(), buf.len() as i32) };
        let t = crate::app_window::clean_title(&String::from_utf16_lossy(&buf[..n.clamp(0, 256) as usize]));
        (!t.is_empty()).then_some(t)
    }

    fn rect(w: HWND) -> Option<Rect> {
        let mut r = RECT::default();
        // SAFETY: fills `r`; a stale handle answers 0.
        if unsafe { GetWindowRect(w, &raw mut r) } == 0 {
            return None;
        }
        let (ox, oy, sw, sh) = virtual_screen();
        on_screen(r.left - ox, r.top - oy, r.right - ox, r.bottom - oy, sw.max(0) as u32, sh.max(0) as u32)
    }
}

impl crate::Windows for Win32Windows {
    fn list(&mut self) -> Result<Vec<crate::WindowInfo>, PlatformError> {
        Ok(Self::stack()
            .into_iter()
            .filter(|&w| Self::shown(w))
            .filter_map(|w| Some(crate::WindowInfo { id: w as usize as u64, title: Self::title(w)? }))
            .collect())
    }

    fn view(&mut self, id: u64) -> Result<Option<crate::WindowView>, PlatformError> {
        let Ok(handle) = usize::try_from(id) else { return Ok(None) };
        let w = handle as HWND;
        // SAFETY: IsWindow accepts any value and says whether it names a window.
        if unsafe { IsWindow(w) } == 0 || !Self::shown(w) {
            return Ok(None);
        }
        let Some(rect) = Self::rect(w) else { return Ok(None) };
        let mut covered = Vec::new();
        // SAFETY: GetWindow walks the Z order from a live window; a null answer ends the walk.
        let mut above = unsafe { GetWindow(w, GW_HWNDPREV) };
        let mut steps = 0;
        while !above.is_null() && steps < 4096 {
            steps += 1;
            if Self::shown(above)
                && let Some(r) = Self::rect(above)
            {
                covered.extend(covered_part(rect, r));
            }
            // SAFETY: as above.
            above = unsafe { GetWindow(above, GW_HWNDPREV) };
        }
        // SAFETY: reads which window has the keyboard.
        let focused = unsafe { GetForegroundWindow() } == w;
        Ok(Some(crate::WindowView { rect, covered, focused }))
    }

    fn pointer(&mut self) -> Result<(i32, i32), PlatformError> {
        let mut p = POINT::default();
        // SAFETY: fills `p`.
        if unsafe { GetCursorPos(&raw mut p) } == 0 {
            return Err(PlatformError::Capture("cannot read the pointer".into()));
        }
        let (ox, oy, _, _) = virtual_screen();
        Ok((p.x - ox, p.y - oy))
    }
}

/// Moves the pointer to `(x, y)` of the virtual desktop (the frame's coordinates, whose corner is
/// the desktop's left and top, which are negative when a monitor sits left of or above the
/// primary one). `SendInput` with absolute coordinates spread over the whole virtual desktop, so
/// every monitor is reached (enigo's absolute move covers the primary monitor only).
pub(crate) fn move_pointer(x: u32, y: u32) -> Result<(), PlatformError> {
    use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
        INPUT, INPUT_0, INPUT_MOUSE, MOUSEEVENTF_ABSOLUTE, MOUSEEVENTF_MOVE, MOUSEEVENTF_VIRTUALDESK, MOUSEINPUT,
        SendInput,
    };
    let (_, _, w, h) = virtual_screen();
    let (w, h) = (i64::from(w.max(2)) - 1, i64::from(h.max(2)) - 1);
    // 0..=w-1 maps onto 0..=65535, rounded to the nearest (as the system maps it back).
    let scale = |v: u32, side: i64| ((i64::from(v).min(side) * 65535 + side / 2) / side) as i32;
    let input = INPUT {
        r#type: INPUT_MOUSE,
        Anonymous: INPUT_0 {
            mi: MOUSEINPUT {
                dx: scale(x, w),
                dy: scale(y, h),
                mouseData: 0,
                dwFlags: MOUSEEVENTF_MOVE | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK,
                time: 0,
                dwExtraInfo: 0,
            },
        },
    };
    // SAFETY: one input, of the size said.
    let sent = unsafe { SendInput(1, &raw const input, size_of::<INPUT>() as i32) };
    if sent == 1 { Ok(()) } else { Err(PlatformError::Inject("the system refused the pointer's move".into())) }
}

/// Makes `deskside://` links open `exe` for this user: `HKCU\Software\Classes\deskside`, with the
/// `URL Protocol` marker and `shell\open\command` = `"exe" "%1"`.
pub fn register_link_handler(exe: &std::path::Path) -> Result<(), String> {
    let command = format!("\"{}\" \"%1\"", exe.display());
    registry::set(r"Software\Classes\deskside", "", "URL:Deskside support session")?;
    registry::set(r"Software\Classes\deskside", "URL Protocol", "")?;
    registry::set(r"Software\Classes\deskside\shell\open\command", "", &command)
}

/// The command `deskside://` links open for this user, if one is registered.
#[must_use]
pub fn link_handler() -> Option<String> {
    registry::get(r"Software\Classes\deskside\shell\open\command", "")
}

/// String values under `HKEY_CURRENT_USER`.
mod registry {
    use std::ptr::null_mut;

    use windows_sys::Win32::System::Registry::{
        HKEY, HKEY_CURRENT_USER, KEY_READ, KEY_WRITE, REG_OPTION_NON_VOLATILE, REG_SZ, RRF_RT_REG_SZ, RegCloseKey,
        RegCreateKeyExW, RegGetValueW, RegSetValueExW,
    };

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    pub(super) fn set(key: &str, name: &str, value: &str) -> Result<(), String> {
        let (key_w, name_w, value_w) = (wide(key), wide(name), wide(value));
        let mut handle: HKEY = null_mut();
        // SAFETY: the strings are NUL-terminated and outlive the calls; the key is closed.
        unsafe {
            let rc = RegCreateKeyExW(
                HKEY_CURRENT_USER,
                key_w.as_ptr(),
                0,
                null_mut(),
                REG_OPTION_NON_VOLATILE,
                KEY_WRITE,
                null_mut(),
                &raw mut handle,
                null_mut(),
            );
            if rc != 0 {
                return Err(format!("cannot open HKCU\\{key} (error {rc})"));
            }
            let rc =
                RegSetValueExW(handle, name_w.as_ptr(), 0, REG_SZ, value_w.as_ptr().cast(), (value_w.len() * 2) as u32);
            RegCloseKey(handle);
            if rc != 0 {
                return Err(format!("cannot write HKCU\\{key} (error {rc})"));
            }
        }
        Ok(())
    }

    pub(super) fn get(key: &str, name: &str) -> Option<String> {
        let (key_w, name_w) = (wide(key), wide(name));
        let mut buf = vec![0u16; 2048];
        let mut bytes = (buf.len() * 2) as u32;
        // SAFETY: the buffer's size in bytes is passed and updated; the strings are NUL-terminated.
        let rc = unsafe {
            let _ = KEY_READ;
            RegGetValueW(
                HKEY_CURRENT_USER,
                key_w.as_ptr(),
                name_w.as_ptr(),
                RRF_RT_REG_SZ,
                null_mut(),
                buf.as_mut_ptr().cast(),
                &raw mut bytes,
            )
        };
        if rc != 0 {
            return None;
        }
        let n = (bytes as usize / 2).min(buf.len());
        let s = String::from_utf16_lossy(&buf[..n]);
        Some(s.trim_end_matches('\0').to_owned())
    }
}

/// Run under Wine by `cargo xtask windows` (on Wine's desktop on a private Xvfb).
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Windows as _;

    #[test]
    fn the_whole_desktop_is_captured_with_its_monitors_and_pointer() {
        let mut source = GdiSource::open().unwrap();
        let (_, _, w, h) = virtual_screen();
        let frame = source.capture().unwrap().expect("a frame");
        assert_eq!((frame.width, frame.height, frame.stride), (w as u32, h as u32, w as usize * 4));
        assert_eq!(frame.data.len(), w as usize * h as usize * 4);
        let monitors = source.monitors().unwrap();
        assert!(
            !monitors.is_empty() && monitors.iter().all(|m| m.x + m.width <= w as u32 && m.y + m.height <= h as u32)
        );
        assert!(monitors.iter().any(|m| m.primary), "{monitors:?}");
        let pointer = source.cursor().unwrap().expect("the pointer");
        assert!((0..w).contains(&pointer.x) && (0..h).contains(&pointer.y), "{pointer:?}");
        let (px, py) = Win32Windows::open().pointer().unwrap();
        assert_eq!((px, py), (pointer.x, pointer.y));
    }

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetModuleHandleW(name: *const u16) -> *mut std::ffi::c_void;
    }

    /// A plain window of this test program, shown at `(x, y)`, `w` x `h`, without a frame.
    fn window(title: &str, (x, y, w, h): (i32, i32, i32, i32)) -> HWND {
        use windows_sys::Win32::UI::WindowsAndMessaging::{
            CreateWindowExW, DefWindowProcW, RegisterClassW, SW_SHOWNOACTIVATE, ShowWindow, WNDCLASSW, WS_POPUP,
        };
        let class: Vec<u16> = "DesksideTestWindow\0".encode_utf16().collect();
        let title: Vec<u16> = title.encode_utf16().chain(std::iter::once(0)).collect();
        // SAFETY: a class and a window of this program; the strings outlive the calls. A second
        // registration of the class fails harmlessly.
        unsafe {
            let instance = GetModuleHandleW(null());
            let wc = WNDCLASSW {
                lpfnWndProc: Some(DefWindowProcW),
                hInstance: instance,
                lpszClassName: class.as_ptr(),
                ..Default::default()
            };
            RegisterClassW(&raw const wc);
            let w = CreateWindowExW(
                0,
                class.as_ptr(),
                title.as_ptr(),
                WS_POPUP,
                x,
                y,
                w,
                h,
                null_mut(),
                null_mut(),
                instance,
                null(),
            );
            assert!(!w.is_null(), "no window");
            ShowWindow(w, SW_SHOWNOACTIVATE);
            w
        }
    }

    #[test]
    fn application_windows_are_listed_with_what_covers_them() {
        let back = window("Deskside test: back", (0, 0, 300, 200));
        let front = window("Deskside test: front", (100, 50, 100, 100));
        let mut windows = Win32Windows::open();
        let list = windows.list().unwrap();
        let at =
            |title: &str| list.iter().position(|w| w.title == title).unwrap_or_else(|| panic!("{title} in {list:?}"));
        assert!(at("Deskside test: front") < at("Deskside test: back"), "front-most first: {list:?}");
        let view = windows.view(back as usize as u64).unwrap().expect("the back window is shown");
        assert_eq!(view.rect, Rect { x: 0, y: 0, w: 300, h: 200 });
        assert!(view.covered.contains(&Rect { x: 100, y: 50, w: 100, h: 100 }), "{view:?}");
        assert!(!view.shows(150, 100) && view.shows(10, 10));
        assert_eq!(windows.view(front as usize as u64).unwrap().map(|v| v.covered), Some(vec![]));
        // A handle that names no window is not shown.
        assert_eq!(windows.view(0x7fff_fff0).unwrap(), None);
    }

    #[test]
    fn links_are_registered_for_the_user() {
        let exe = std::path::Path::new(r"C:\Program Files\Deskside\deskside-agent.exe");
        register_link_handler(exe).unwrap();
        assert_eq!(link_handler().as_deref(), Some(r#""C:\Program Files\Deskside\deskside-agent.exe" "%1""#));
        assert_eq!(registry::get(r"Software\Classes\deskside", "URL Protocol").as_deref(), Some(""));
    }

    #[test]
    fn installed_programs_come_from_the_registry() {
        let key = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\DesksideWineTest";
        registry::set(key, "DisplayName", "Deskside Wine Test").unwrap();
        registry::set(key, "DisplayVersion", "1.2.3").unwrap();
        // Only this part of the inventory: sysinfo's processor figures use PDH, and Wine 8 stops
        // the program at its PdhEnumObjectsW (not implemented there).
        let software = crate::inventory::software();
        assert!(software.contains(&vec!["Deskside Wine Test".to_owned(), "1.2.3".to_owned()]), "{software:?}");
    }

    #[test]
    fn drives_are_offered_for_browsing() {
        let drives = crate::files::drives().expect("drives on Windows");
        assert!(drives.iter().any(|d| d == "C:"), "{drives:?}");
        assert_eq!(crate::files::child(crate::files::DRIVES, "C:"), std::path::PathBuf::from(r"C:\"));
    }
}
