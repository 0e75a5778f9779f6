//! Real capture and injection under a private Xvfb: a known image drawn on the X display arrives
//! pixel-exact in the console's decoder through scrap, a playing video travels as video and the
//! screen is pixel-exact again once it stops, and a mouse move, a click and typed text sent from
//! the console land on the X display through enigo (checked with a small X client).
//!
//! One test in this binary: it points `DISPLAY` at its own Xvfb before any other thread starts.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use deskside_agent::engine::Event as SessionSaid;
use deskside_agent::engine::{AgentEvent, AgentOptions};
use deskside_net::host::{HostCommand, HostEvent};
use deskside_platform::xvfb::Xvfb;
use deskside_platform::{Changes, ScrapSource, ScreenSource, X11Source};
use deskside_proto::{Capability, InputEvent, Key, Modifiers, MouseButton};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConnectionExt, CreateGCAux, CreateWindowAux, EventMask, ImageFormat, InputFocus, WindowClass,
};

const W: u32 = 320;
const H: u32 = 240;

fn known_image(x: u32, y: u32) -> [u8; 4] {
    // BGRX: distinct in every channel, with sharp edges like text.
    let ink = if (x / 7 + y / 5).is_multiple_of(3) { 0x40 } else { 0 };
    [(x * 4 % 256) as u8 ^ ink, (y * 3 % 256) as u8, ((x + y) % 256) as u8 ^ ink, 0]
}

/// The whole screen of [`known_image`], BGRX.
fn known_screen() -> Vec<u8> {
    (0..H).flat_map(|y| (0..W).flat_map(move |x| known_image(x, y))).collect()
}

/// Whether two BGRX pictures have the same colours (the unused fourth byte may differ).
fn same_pixels(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.chunks_exact(4).zip(b.chunks_exact(4)).all(|(p, q)| p[..3] == q[..3])
}

/// A window covering the screen that shows the known image and records input.
struct Probe {
    conn: x11rb::rust_connection::RustConnection,
    root: u32,
    window: u32,
}

impl Probe {
    fn open(display: &str) -> Probe {
        let (conn, screen_num) = x11rb::connect(Some(display)).unwrap();
        let screen = &conn.setup().roots[screen_num];
        let (root, visual, depth) = (screen.root, screen.root_visual, screen.root_depth);
        let window = conn.generate_id().unwrap();
        let mask = EventMask::EXPOSURE | EventMask::BUTTON_PRESS | EventMask::KEY_PRESS | EventMask::POINTER_MOTION;
        conn.create_window(
            depth,
            window,
            root,
            0,
            0,
            W as u16,
            H as u16,
            0,
            WindowClass::INPUT_OUTPUT,
            visual,
            &CreateWindowAux::new().override_redirect(1).event_mask(mask),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        conn.flush().unwrap();
        let probe = Probe { conn, root, window };
        probe.wait_for(|e| matches!(e, Event::Expose(_)));
        probe.draw();
        probe.conn.set_input_focus(InputFocus::PARENT, window, x11rb::CURRENT_TIME).unwrap();
        probe.conn.get_input_focus().unwrap().reply().unwrap();
        probe
    }

    fn draw(&self) {
        self.paint(known_image);
    }

    /// Picture `t` of a "film": smooth moving colour with grain, many colours in every tile.
    fn film(&self, t: u32) {
        self.paint(|x, y| {
            let (xf, yf, tf) = (x as f32, y as f32, t as f32);
            let v = ((xf * 0.04 + tf * 0.3).sin() + (yf * 0.05 - tf * 0.2).cos()) * 60.0 + 128.0;
            let grain = ((x * 7 + y * 13 + t * 3) % 5) as u8;
            [(v as u8).wrapping_add(grain), (255.0 - v) as u8, (v * 0.5 + 40.0) as u8 + grain, 0]
        });
    }

    fn paint(&self, pixel: impl Fn(u32, u32) -> [u8; 4]) {
        let gc = self.conn.generate_id().unwrap();
        self.conn.create_gc(gc, self.window, &CreateGCAux::new()).unwrap();
        let rows = 40; // stay under the core request size limit
        for y0 in (0..H).step_by(rows) {
            let mut strip = Vec::with_capacity((W * rows as u32 * 4) as usize);
            for y in y0..(y0 + rows as u32).min(H) {
                for x in 0..W {
                    strip.extend_from_slice(&pixel(x, y));
                }
            }
            let h = (strip.len() / (W as usize * 4)) as u16;
            self.conn
                .put_image(ImageFormat::Z_PIXMAP, self.window, gc, W as u16, h, 0, y0 as i16, 0, 24, &strip)
                .unwrap();
        }
        self.conn.get_input_focus().unwrap().reply().unwrap(); // a round trip: everything is drawn
    }

    /// Fills a rectangle with one colour (`0xRRGGBB`).
    fn fill(&self, (x, y, width, height): (u32, u32, u32, u32), rgb: u32) {
        use x11rb::protocol::xproto::Rectangle;
        let gc = self.conn.generate_id().unwrap();
        self.conn.create_gc(gc, self.window, &CreateGCAux::new().foreground(rgb)).unwrap();
        let area = Rectangle { x: x as i16, y: y as i16, width: width as u16, height: height as u16 };
        self.conn.poly_fill_rectangle(self.window, gc, &[area]).unwrap();
        self.conn.get_input_focus().unwrap().reply().unwrap();
    }

    fn wait_for(&self, mut f: impl FnMut(&Event) -> bool) -> Event {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(e) = self.conn.poll_for_event().unwrap() {
                if f(&e) {
                    return e;
                }
            } else {
                assert!(Instant::now() < deadline, "timed out waiting for an X event");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Splits the screen into two `RandR` monitors, left and right halves.
    fn two_monitors(&self) {
        use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
        for (i, name) in ["TEST-LEFT", "TEST-RIGHT"].iter().enumerate() {
            let atom = self.conn.intern_atom(false, name.as_bytes()).unwrap().reply().unwrap().atom;
            let monitor = MonitorInfo {
                name: atom,
                primary: i == 0,
                automatic: false,
                x: (i as u32 * W / 2) as i16,
                y: 0,
                width: (W / 2) as u16,
                height: H as u16,
                width_in_millimeters: 100,
                height_in_millimeters: 100,
                outputs: vec![],
            };
            self.conn.randr_set_monitor(self.root, monitor).unwrap();
        }
        self.conn.get_input_focus().unwrap().reply().unwrap();
    }

    fn pointer(&self) -> (i16, i16) {
        let r = self.conn.query_pointer(self.root).unwrap().reply().unwrap();
        (r.root_x, r.root_y)
    }

    /// The text typed into the window, read from key presses through the keyboard mapping.
    fn typed(&self, chars: usize) -> String {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let mut out = String::new();
        while out.chars().count() < chars {
            let Event::KeyPress(k) = self.wait_for(|e| matches!(e, Event::KeyPress(_))) else { unreachable!() };
            let map = self.conn.get_keyboard_mapping(min, max - min + 1).unwrap().reply().unwrap();
            let per = map.keysyms_per_keycode as usize;
            let sym = map.keysyms[(k.detail - min) as usize * per];
            match sym {
                0x20..=0x7e => out.push(char::from_u32(sym).unwrap()),
                0xff0d => out.push('\n'),
                _ => {}
            }
        }
        out
    }
}

#[test]
#[allow(unsafe_code)]
fn real_capture_and_injection_under_xvfb() {
    let xvfb = Xvfb::start(W, H).expect("Xvfb must be installed (the test command installs it)");
    // SAFETY: this binary's only test sets DISPLAY before it starts any thread of its own, so no
    // other thread reads the environment concurrently.
    unsafe { std::env::set_var("DISPLAY", xvfb.display()) };
    let probe = Probe::open(xvfb.display());
    probe.two_monitors();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let mut host = host();
        let mut agent = join(&invite(&host), AgentOptions::this_machine("Ana")).await.unwrap();
        let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
        let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;
        for cap in [Capability::View, Capability::Control] {
            host.send(HostCommand::Request { to: ana, capability: cap }).unwrap();
            agent_event(&mut agent, |e| (*e == AgentEvent::Session(SessionSaid::ConsentChanged)).then_some(())).await;
            let request = agent.gate().consent().pending().unwrap().request;
            agent.answer(request, true);
            if cap == Capability::View {
                // With viewing allowed, the console learns the customer's monitors.
                let monitors = host_event(&mut host, |e| match e {
                    HostEvent::Monitors { monitors, .. } => Some(monitors.clone()),
                    _ => None,
                })
                .await;
                let spans: Vec<(u32, u32, u32, u32)> = monitors.iter().map(|m| (m.x, m.y, m.width, m.height)).collect();
                assert_eq!(spans, vec![(0, 0, W / 2, H), (W / 2, 0, W / 2, H)]);
            }
        }
        participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.view && p.grants.control)).await;

        // The known image arrives pixel-exact.
        let expected = known_screen();
        until("the X display arrives pixel-exact", || screen_matches(&host, W, H, &expected)).await;

        // A mouse move and a click land where the console said.
        host.send(HostCommand::Input(InputEvent::MouseMove { x: 123, y: 77 })).unwrap();
        until("the pointer moves", || probe.pointer() == (123, 77)).await;
        // The console learns where the pointer is and what it looks like (never in the pixels).
        until("the console sees the pointer", || host.screen().lock().unwrap().cursor == Some((123, 77))).await;
        let shape = host.screen().lock().unwrap().cursor_shape.clone().expect("the pointer's picture");
        assert!(shape.width > 0 && shape.rgba.chunks_exact(4).any(|p| p[3] > 0), "a visible pointer");
        host.send(HostCommand::Input(InputEvent::MouseButton { button: MouseButton::Left, down: true })).unwrap();
        host.send(HostCommand::Input(InputEvent::MouseButton { button: MouseButton::Left, down: false })).unwrap();
        let Event::ButtonPress(b) = probe.wait_for(|e| matches!(e, Event::ButtonPress(_))) else { unreachable!() };
        assert_eq!((b.detail, b.root_x, b.root_y), (1, 123, 77));

        // Typed text and a key press arrive as keys on the display.
        host.send(HostCommand::Input(InputEvent::Text("hello42".into()))).unwrap();
        let enter = |down| InputEvent::Key { key: Key::Enter, down, modifiers: Modifiers::default() };
        host.send(HostCommand::Input(enter(true))).unwrap();
        host.send(HostCommand::Input(enter(false))).unwrap();
        assert_eq!(probe.typed(8), "hello42\n");

        // After Stop, nothing more is injected.
        agent.stop(Capability::Control);
        participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.grants.control)).await;
        let _ = host.send(HostCommand::Input(InputEvent::MouseMove { x: 10, y: 10 }));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(probe.pointer(), (123, 77));

        // Viewing stopped and at once allowed again, on an idle screen: the new share still
        // starts with a complete picture.
        let before = host.screen().lock().unwrap().generation;
        agent.stop(Capability::View);
        host.send(HostCommand::Request { to: ana, capability: Capability::View }).unwrap();
        until("the new request arrives", || agent.gate().consent().pending().is_some()).await;
        let request = agent.gate().consent().pending().unwrap().request;
        agent.answer(request, true);
        until("the new share shows the idle screen", || {
            host.screen().lock().unwrap().generation > before && screen_matches(&host, W, H, &expected)
        })
        .await;

        // A video plays for two seconds: it travels as video (lossy while it moves), and once it
        // stops the console's picture is pixel-exact again, with no further damage.
        let videos_before = host.screen().lock().unwrap().video_frames;
        for t in 0..60 {
            probe.film(t);
            tokio::time::sleep(Duration::from_millis(33)).await;
        }
        let videos = host.screen().lock().unwrap().video_frames - videos_before;
        assert!(videos >= 10, "the film travelled as video: {videos} frames");
        probe.draw();
        until("the stopped video returns to pixel-exact", || screen_matches(&host, W, H, &expected)).await;

        // The CSR chooses the right-hand monitor: only its pixels are shared, and input lands
        // relative to its corner.
        host.send(HostCommand::SelectMonitor { to: ana, index: Some(1) }).unwrap();
        let right: Vec<u8> = (0..H).flat_map(|y| (W / 2..W).flat_map(move |x| known_image(x, y))).collect();
        until("only the right monitor is shown", || screen_matches(&host, W / 2, H, &right)).await;
        host.send(HostCommand::Request { to: ana, capability: Capability::Control }).unwrap();
        until("the control request arrives", || agent.gate().consent().pending().is_some()).await;
        let request = agent.gate().consent().pending().unwrap().request;
        agent.answer(request, true);
        participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.control)).await;
        host.send(HostCommand::Input(InputEvent::MouseMove { x: 10, y: 20 })).unwrap();
        until("the pointer lands on the right monitor", || probe.pointer() == ((W / 2 + 10) as i16, 20)).await;
        until("the pointer is reported in the monitor's coordinates", || {
            host.screen().lock().unwrap().cursor == Some((10, 20))
        })
        .await;
    });

    // Both capture paths see the same pixels: the fast one (shared memory) and scrap.
    let mut fast = X11Source::open(Some(xvfb.display())).unwrap();
    assert_eq!(fast.wait_for_change(Duration::ZERO).unwrap(), Changes::Unknown, "the first frame is complete");
    let a = fast.capture().unwrap().unwrap().data.to_vec();
    let mut scrap = ScrapSource::primary().unwrap();
    let b = scrap.capture().unwrap().unwrap().data.to_vec();
    // scrap shows the primary monitor (the left half here); the fast path, the whole screen.
    let row = (W / 2 * 4) as usize;
    assert_eq!(b.len(), row * H as usize);
    let left: Vec<u8> = a.chunks_exact((W * 4) as usize).flat_map(|r| r[..row].to_vec()).collect();
    assert!(same_pixels(&left, &b));
    // Damage reports a change where one happens, and nothing when nothing does.
    assert_eq!(fast.wait_for_change(Duration::from_millis(200)).unwrap(), Changes::None);
    probe.draw();
    match fast.wait_for_change(Duration::from_secs(5)).unwrap() {
        Changes::Areas(rects) => assert!(rects.iter().any(|r| r.x < W && r.y < H), "{rects:?}"),
        other => panic!("expected damage, got {other:?}"),
    }
    let known = known_screen();
    assert!(same_pixels(fast.capture().unwrap().unwrap().data, &known), "the redrawn screen is read whole");

    // A change of a few lines reads those lines, and the picture is the screen's.
    let (bx, by, bw, bh) = (200, 100, 30, 12);
    probe.fill((bx, by, bw, bh), 0x00_ff_20_80);
    assert!(matches!(fast.wait_for_change(Duration::from_secs(5)).unwrap(), Changes::Areas(_)));
    let before = fast.rows_read();
    let frame = fast.capture().unwrap().unwrap().data.to_vec();
    let read = fast.rows_read() - before;
    assert!((u64::from(bh)..u64::from(H / 4)).contains(&read), "read {read} rows for a {bh}-row change");
    let mut want = known.clone();
    for y in by..by + bh {
        for x in bx..bx + bw {
            let i = ((y * W + x) * 4) as usize;
            want[i..i + 4].copy_from_slice(&[0x80, 0x20, 0xff, 0]);
        }
    }
    assert!(same_pixels(&frame, &want), "the rows read and the rows kept make the screen");
    // A capture without a wait for changes reads everything again.
    let before = fast.rows_read();
    assert!(same_pixels(fast.capture().unwrap().unwrap().data, &want));
    assert_eq!(fast.rows_read() - before, u64::from(H));
    drop(xvfb);
}
