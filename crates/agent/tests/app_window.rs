//! "View one application" and "control one application" under a private Xvfb, with two real
//! overlapping windows: the console receives the chosen window's own pixels and nothing else
//! (where the other window covers it, black; never a pixel of the other window or the desktop),
//! input lands only while the window has the focus and only where nothing covers it, and closing
//! the window ends the share.
//!
//! One test in this binary: it points `DISPLAY` at its own Xvfb before any other thread starts.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use deskside_agent::engine::{AgentEvent, AgentOptions};
use deskside_net::host::{HostCommand, HostEvent};
use deskside_platform::xvfb::Xvfb;
use deskside_platform::{Windows, X11Windows};
use deskside_proto::{Capability, InputEvent, Key, Modifiers, MouseButton};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ChangeWindowAttributesAux, ConfigureWindowAux, ConnectionExt, CreateWindowAux, EventMask, InputFocus,
    PropMode, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

const W: u32 = 320;
const H: u32 = 240;
/// BGRX colours: the desktop, the shared window, the window over it.
const DESKTOP: u32 = 0x0000_00ff;
const SHARED: u32 = 0x00ff_0000;
const OTHER: u32 = 0x0000_ff00;
/// The shared window: (40, 30), 160 x 120. The other: (120, 90), 160 x 120, on top.
const A: (i16, i16, u16, u16) = (40, 30, 160, 120);
const B: (i16, i16, u16, u16) = (120, 90, 160, 120);

struct Desktop {
    conn: RustConnection,
    root: u32,
}

impl Desktop {
    fn open(display: &str) -> Desktop {
        let (conn, n) = x11rb::connect(Some(display)).unwrap();
        let root = conn.setup().roots[n].root;
        conn.change_window_attributes(root, &ChangeWindowAttributesAux::new().background_pixel(DESKTOP)).unwrap();
        conn.clear_area(false, root, 0, 0, 0, 0).unwrap();
        Desktop { conn, root }
    }

    fn window(&self, title: &str, (x, y, w, h): (i16, i16, u16, u16), colour: u32) -> u32 {
        let screen = &self.conn.setup().roots[0];
        let id = self.conn.generate_id().unwrap();
        let mask = EventMask::BUTTON_PRESS | EventMask::KEY_PRESS | EventMask::EXPOSURE;
        self.conn
            .create_window(
                screen.root_depth,
                id,
                self.root,
                x,
                y,
                w,
                h,
                0,
                WindowClass::INPUT_OUTPUT,
                screen.root_visual,
                &CreateWindowAux::new().background_pixel(colour).event_mask(mask),
            )
            .unwrap();
        self.conn
            .change_property8(PropMode::REPLACE, id, AtomEnum::WM_NAME, AtomEnum::STRING, title.as_bytes())
            .unwrap();
        self.conn.map_window(id).unwrap();
        self.sync();
        id
    }

    fn sync(&self) {
        self.conn.get_input_focus().unwrap().reply().unwrap();
    }

    fn focus(&self, w: u32) {
        self.conn.set_input_focus(InputFocus::PARENT, w, x11rb::CURRENT_TIME).unwrap();
        self.sync();
    }

    fn move_to(&self, w: u32, x: i32, y: i32) {
        self.conn.configure_window(w, &ConfigureWindowAux::new().x(x).y(y)).unwrap();
        self.sync();
    }

    fn pointer(&self) -> (i16, i16) {
        let r = self.conn.query_pointer(self.root).unwrap().reply().unwrap();
        (r.root_x, r.root_y)
    }

    /// The input events that arrive within `wait`: (window, is a key).
    fn input_events(&self, wait: Duration) -> Vec<(u32, bool)> {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        while Instant::now() < deadline {
            match self.conn.poll_for_event().unwrap() {
                Some(Event::ButtonPress(b)) => out.push((b.event, false)),
                Some(Event::KeyPress(k)) => out.push((k.event, true)),
                Some(_) => {}
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        out
    }
}

/// The picture of the shared window, `covered` (relative) painted black.
fn expected(covered: Option<(u32, u32, u32, u32)>) -> Vec<u8> {
    let (w, h) = (u32::from(A.2), u32::from(A.3));
    (0..h)
        .flat_map(|y| {
            (0..w).flat_map(move |x| {
                let hidden = covered.is_some_and(|(cx, cy, cw, ch)| x >= cx && y >= cy && x < cx + cw && y < cy + ch);
                if hidden { [0, 0, 0, 0] } else { SHARED.to_le_bytes() }
            })
        })
        .collect()
}

/// Whether the console's picture holds any pixel of the desktop or of the other window.
fn leaked(host: &deskside_net::host::HostHandle) -> bool {
    let s = host.screen().lock().unwrap();
    let rgb = |c: u32| {
        let [b, g, r, _] = c.to_le_bytes();
        [r, g, b, 255]
    };
    s.rgba.chunks_exact(4).any(|p| p == rgb(DESKTOP) || p == rgb(OTHER))
}

#[test]
#[allow(unsafe_code)]
fn one_application_is_all_that_is_shared_and_controlled() {
    let xvfb = Xvfb::start(W, H).expect("Xvfb must be installed (the test command installs it)");
    // SAFETY: this binary's only test sets DISPLAY before it starts any thread of its own, so no
    // other thread reads the environment concurrently.
    unsafe { std::env::set_var("DISPLAY", xvfb.display()) };
    let desk = Desktop::open(xvfb.display());
    let a = desk.window("Invoice — Editor", A, SHARED);
    let b = desk.window("Bank — Browser", B, OTHER);

    // The customer's list: titled windows, front-most first.
    let mut probe = X11Windows::open(Some(xvfb.display())).unwrap();
    let titles: Vec<String> = probe.list().unwrap().into_iter().map(|w| w.title).collect();
    assert_eq!(titles, vec!["Bank — Browser".to_owned(), "Invoice — Editor".to_owned()]);
    let view = probe.view(u64::from(a)).unwrap().unwrap();
    assert_eq!((view.rect.x, view.rect.y, view.rect.w, view.rect.h), (40, 30, 160, 120));
    assert_eq!(view.covered.len(), 1);

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let mut host = host();
        let mut agent = join(&invite(&host), AgentOptions::this_machine("Ana")).await.unwrap();
        let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
        let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;

        // Controlling one application before one is shared is refused by the agent at once.
        host.send(HostCommand::Request { to: ana, capability: Capability::ControlApp }).unwrap();
        let allowed = host_event(&mut host, |e| match e {
            HostEvent::ConsentAnswered { allowed, .. } => Some(*allowed),
            _ => None,
        })
        .await;
        assert!(!allowed);

        host.send(HostCommand::Request { to: ana, capability: Capability::ViewApp }).unwrap();
        until("the request arrives", || agent.gate().consent().pending().is_some()).await;
        let request = agent.gate().consent().pending().unwrap().request;
        agent.allow_window(request, u64::from(a));
        participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.view_app && !p.grants.view)).await;

        // Only the window arrives, with the covered corner black; at no moment a pixel of the
        // desktop or of the other window.
        let covered = expected(Some((80, 60, 80, 60)));
        let mut seen_leak = false;
        until("the shared window arrives with its covered corner black", || {
            seen_leak |= leaked(&host);
            screen_matches(&host, 160, 120, &covered)
        })
        .await;
        // The other window moves away: the whole window shows.
        desk.move_to(b, 250, 200);
        until("the uncovered window arrives whole", || {
            seen_leak |= leaked(&host);
            screen_matches(&host, 160, 120, &expected(None))
        })
        .await;
        // And back over it.
        desk.move_to(b, i32::from(B.0), i32::from(B.1));
        until("the covered corner is black again", || {
            seen_leak |= leaked(&host);
            screen_matches(&host, 160, 120, &covered)
        })
        .await;
        assert!(!seen_leak, "a pixel from outside the shared window reached the console");

        // Control of that window only.
        host.send(HostCommand::Request { to: ana, capability: Capability::ControlApp }).unwrap();
        until("the control request arrives", || agent.gate().consent().pending().is_some()).await;
        let request = agent.gate().consent().pending().unwrap().request;
        agent.answer(request, true);
        participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.control_app)).await;

        // The other window has the focus: nothing is injected, and the console is told.
        desk.focus(b);
        let start = desk.pointer();
        host.send(HostCommand::Input(InputEvent::MouseMove { x: 10, y: 10 })).unwrap();
        let key = |down| InputEvent::Key { key: Key::Char('q'), down, modifiers: Modifiers::default() };
        host.send(HostCommand::Input(key(true))).unwrap();
        host.send(HostCommand::Input(key(false))).unwrap();
        host_event(&mut host, |e| matches!(e, HostEvent::InputRefused).then_some(())).await;
        assert_eq!(desk.input_events(Duration::from_millis(400)), vec![], "nothing typed into the other window");
        assert_eq!(desk.pointer(), start, "the pointer did not move");

        // The shared window has the focus: a move and a click land in it.
        desk.focus(a);
        host.send(HostCommand::Input(InputEvent::MouseMove { x: 10, y: 10 })).unwrap();
        until("the pointer moves into the window", || desk.pointer() == (50, 40)).await;
        host.send(HostCommand::Input(InputEvent::MouseButton { button: MouseButton::Left, down: true })).unwrap();
        host.send(HostCommand::Input(InputEvent::MouseButton { button: MouseButton::Left, down: false })).unwrap();
        host.send(HostCommand::Input(key(true))).unwrap();
        host.send(HostCommand::Input(key(false))).unwrap();
        let events = desk.input_events(Duration::from_millis(800));
        assert!(events.contains(&(a, false)) && events.contains(&(a, true)), "{events:?}");
        assert!(events.iter().all(|(w, _)| *w == a), "{events:?}");

        // A point of the window that the other window covers is out of bounds.
        host.send(HostCommand::Input(InputEvent::MouseMove { x: 100, y: 80 })).unwrap();
        host_event(&mut host, |e| matches!(e, HostEvent::InputRefused).then_some(())).await;
        assert_eq!(desk.pointer(), (50, 40));

        // The window closes: sharing it ends, on the agent and at the console.
        desk.conn.destroy_window(a).unwrap();
        desk.sync();
        agent_event(&mut agent, |e| (*e == AgentEvent::WindowClosed).then_some(())).await;
        participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.grants.view_app && !p.grants.control_app)).await;
        let stopped: Vec<Capability> = agent
            .gate()
            .consent()
            .log()
            .iter()
            .filter(|e| e.change == deskside_session::consent::ConsentChange::Stopped)
            .map(|e| e.capability)
            .collect();
        assert_eq!(stopped, vec![Capability::ControlApp, Capability::ViewApp]);
    });
    drop(xvfb);
}

/// The program answers `--help` and `--version` the way the ecosystem expects: on standard
/// output, exit 0; an unknown option says why on standard error and exits 2.
#[test]
fn help_and_version_are_answered_like_any_program() {
    let run = |arg: &str| std::process::Command::new(env!("CARGO_BIN_EXE_deskside-agent")).arg(arg).output().unwrap();
    let help = run("--help");
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage: deskside-agent") && text.contains("--version"), "{text}");
    let version = run("--version");
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), concat!("deskside-agent ", env!("CARGO_PKG_VERSION")));
    let wrong = run("--no-such-option");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--no-such-option"));
}
