//! The Windows agent on a customer's Windows computer, as near as this Linux machine comes: the
//! agent's engine built for Windows (`examples/windows_customer.rs` of the agent) runs under Wine
//! in a virtual desktop on a private Xvfb and joins Sam's console, a Linux host on loopback. Its
//! screen is captured through GDI (Wine's desktop, where a window shows a known picture), and a
//! click and keys sent from the console arrive in that window through `SendInput`, as the window
//! itself reports.
//!
//! What Wine cannot show is left to a real Windows: DXGI Desktop Duplication, UAC prompts and the
//! secure desktop, per-monitor DPI, and the Windows installer's signature checks.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::BufRead as _;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use deskside_lab::wine::{Wine, windows_program};
use deskside_net::Identity;
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, start_host};
use deskside_platform::xvfb::Xvfb;
use deskside_proto::{Capability, InputEvent, InviteRole, Key, Modifiers, MouseButton, SessionId};

/// Wine starts slowly the first time (its prefix, its desktop): a generous wait.
const WAIT: Duration = Duration::from_mins(1);
/// The virtual desktop.
const DESK: (u32, u32) = (640, 480);
/// The known picture, at the desktop's top left corner (`windows_customer`'s window).
const PICTURE: (u32, u32) = (320, 240);

/// The picture `windows_customer` paints, BGRX.
fn known_image(x: u32, y: u32) -> [u8; 4] {
    let ink = if (x / 7 + y / 5).is_multiple_of(3) { 0x40 } else { 0 };
    [(x * 4 % 256) as u8 ^ ink, (y * 3 % 256) as u8, ((x + y) % 256) as u8 ^ ink, 0]
}

/// Whether the console's picture of the customer's screen shows the known picture at its corner.
fn picture_arrived(host: &HostHandle) -> bool {
    let s = host.screen().lock().unwrap();
    if !s.active || (s.width, s.height) != DESK {
        return false;
    }
    (0..PICTURE.1).all(|y| {
        (0..PICTURE.0).all(|x| {
            let i = (y * s.width + x) as usize * 4;
            let p = known_image(x, y);
            s.rgba.get(i..i + 4) == Some(&[p[2], p[1], p[0], 255][..])
        })
    })
}

/// The lines the Windows customer prints, read on a thread of their own.
struct Said {
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Said {
    /// Waits for a line starting with `prefix`; every line read is kept for the failure message.
    fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {prefix:?} from the Windows customer; it said {:?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the Windows customer ended before {prefix:?}; it said {:?}", self.seen)
                }
            }
        }
    }
}

async fn host_event<T>(host: &mut HostHandle, what: &str, mut f: impl FnMut(&HostEvent) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(t) = f(&host.next_event().await.expect("host stopped")) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn the_windows_agent_under_wine_shares_its_screen_and_takes_a_click_and_keys() {
    let exe = windows_program("deskside-agent", &["--example", "windows_customer"]).unwrap();
    let xvfb = Xvfb::start(1024, 768).expect("Xvfb must be installed (cargo xtask deps)");
    let wine = Wine::shared(xvfb.display()).expect("Wine must be installed (cargo xtask deps)");
    wine.virtual_desktop(DESK.0, DESK.1).unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let mut host = start_host(
            HostConfig {
                bind: "127.0.0.1:0".parse().unwrap(),
                identity: Identity::generate().unwrap(),
                relays: deskside_net::transport::Relays::default(),
                session: deskside_session::SessionConfig {
                    id: SessionId(deskside_net::random_bytes().unwrap()),
                    csr_name: "Sam Rivera".into(),
                    organisation: "Acme Support".into(),
                    session_type: "General support".into(),
                    tracking_code: String::new(),
                },
            },
            Arc::new(|| {}),
        )
        .unwrap();
        let invite = host.invite(InviteRole::Customer, 30 * 60 * 1000).unwrap();

        let mut child = wine
            .command(&exe)
            .unwrap()
            .arg(invite.to_link())
            .stdout(std::process::Stdio::piped())
            // What goes wrong in there is worth seeing beside the test's own failure.
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("wine must be installed");
        let stdout = child.stdout.take().unwrap();
        // Bounded: the customer says a few lines; one that floods blocks on its own pipe.
        let (tx, lines) = std::sync::mpsc::sync_channel(256);
        std::thread::Builder::new()
            .name("wine-stdout".into())
            .spawn(move || {
                for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = tx.send(line.trim().to_owned());
                }
            })
            .unwrap();
        let mut said = Said { lines, seen: Vec::new() };
        assert_eq!(said.wait_for("window"), format!("window {} {}", PICTURE.0, PICTURE.1));

        let customer = host_event(&mut host, "the Windows customer to join", |e| match e {
            HostEvent::Participants(p) => p.iter().find(|p| p.name == "Wine Customer").map(|p| p.id),
            _ => None,
        })
        .await;
        for cap in [Capability::View, Capability::Control] {
            host.send(HostCommand::Request { to: customer, capability: cap }).unwrap();
            said.wait_for(&format!("allowed {cap:?}"));
        }

        // GDI's copy of Wine's desktop arrives with the known picture pixel-exact.
        until("the Windows desktop arrives with the known picture", || picture_arrived(&host)).await;
        // A picture of the customer's Wine desktop, for a person to look at.
        let shot = deskside_lab::wine::windows_target_dir().join("wine-desktop.png");
        let took = std::process::Command::new("import")
            .args(["-display", xvfb.display(), "-window", "root"])
            .arg(&shot)
            .status()
            .is_ok_and(|s| s.success());
        assert!(took, "ImageMagick's import could not take {}", shot.display());

        // A click lands in the window where the console said, and the console sees the pointer
        // there (GetCursorInfo).
        host.send(HostCommand::Input(InputEvent::MouseMove { x: 123, y: 77 })).unwrap();
        until("the console sees the pointer", || host.screen().lock().unwrap().cursor == Some((123, 77))).await;
        host.send(HostCommand::Input(InputEvent::MouseButton { button: MouseButton::Left, down: true })).unwrap();
        host.send(HostCommand::Input(InputEvent::MouseButton { button: MouseButton::Left, down: false })).unwrap();
        assert_eq!(said.wait_for("click"), "click 123 77");

        // A key (Enter is VK_RETURN, 13) and typed text arrive in the focused window.
        let enter = |down| InputEvent::Key { key: Key::Enter, down, modifiers: Modifiers::default() };
        host.send(HostCommand::Input(enter(true))).unwrap();
        host.send(HostCommand::Input(enter(false))).unwrap();
        assert_eq!(said.wait_for("key"), "key 13");
        host.send(HostCommand::Input(InputEvent::Text("hi".into()))).unwrap();
        assert_eq!(said.wait_for("char"), "char h");
        assert_eq!(said.wait_for("char"), "char i");

        host.send(HostCommand::End { notes: String::new() }).ok();
        let _ = child.kill();
        let _ = child.wait();
    });
    wine.stop();
}
