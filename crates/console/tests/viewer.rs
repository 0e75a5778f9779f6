//! The viewer maps the CSR's mouse and keyboard to the customer's screen coordinates, whatever
//! the scaling, and sends nothing without control.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::{Arc, Mutex};

use deskside_console::viewer::{ViewOptions, Viewer};
use deskside_net::SharedScreen;
use deskside_proto::{InputEvent, Key, Modifiers, MouseButton, ParticipantId};
use egui::{Event, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

struct State {
    viewer: Viewer,
    screen: Arc<Mutex<SharedScreen>>,
    opts: ViewOptions,
    out: Vec<InputEvent>,
}

/// A 1600x1000 customer screen shown in an 800x500 viewer: scaled by one half.
fn harness(control: bool) -> Harness<'static, State> {
    with_options(ViewOptions { control, keyboard: true, actual_size: false })
}

fn with_options(opts: ViewOptions) -> Harness<'static, State> {
    let (w, h) = (1600u32, 1000u32);
    let screen = SharedScreen {
        owner: Some(ParticipantId(1)),
        active: true,
        width: w,
        height: h,
        rgba: vec![200; (w * h * 4) as usize],
        generation: 1,
        dirty: Vec::new(),
        full: true,
        cursor: None,
        cursor_shape: None,
        cursor_generation: 0,
        video_frames: 0,
        reduced: false,
    };
    let state = State { viewer: Viewer::default(), screen: Arc::new(Mutex::new(screen)), opts, out: Vec::new() };
    Harness::builder().with_size([800.0, 500.0]).build_ui_state(
        |ui, s: &mut State| {
            egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| {
                let screen = s.screen.clone();
                let events = s.viewer.ui(ui, &screen, s.opts, "Customer screen");
                s.out.extend(events);
            });
        },
        state,
    )
}

fn button(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton { pos, button: egui::PointerButton::Primary, pressed, modifiers: egui::Modifiers::default() }
}

#[test]
fn clicks_land_at_the_customers_coordinates_whatever_the_scale() {
    let mut h = harness(true);
    h.run();
    let rect = h.get_by_label("Customer screen").rect();
    let scale = rect.width() / 1600.0;
    assert!(scale < 0.5, "scaled down to fit: {rect:?}");
    assert!((rect.height() / 1000.0 - scale).abs() < 1e-3, "aspect kept: {rect:?}");
    // A point a quarter across and half down the picture.
    let p = rect.min + Vec2::new(400.0 * scale + 0.25, 500.0 * scale + 0.25);
    h.event(Event::PointerMoved(p));
    h.event(button(p, true));
    h.event(button(p, false));
    h.run();
    let out = std::mem::take(&mut h.state_mut().out);
    assert_eq!(
        out,
        vec![
            InputEvent::MouseMove { x: 400, y: 500 },
            InputEvent::MouseButton { button: MouseButton::Left, down: true },
            InputEvent::MouseButton { button: MouseButton::Left, down: false },
        ]
    );
    // The far corner maps to the last pixel, never beyond.
    let corner = rect.max - Vec2::splat(0.1);
    h.event(Event::PointerMoved(corner));
    h.run();
    assert_eq!(h.state_mut().out.drain(..).next(), Some(InputEvent::MouseMove { x: 1599, y: 999 }));
}

#[test]
fn keys_text_chords_and_wheel_after_a_click() {
    let mut h = harness(true);
    h.run();
    let c = h.get_by_label("Customer screen").rect().center();
    h.event(Event::PointerMoved(c));
    h.event(button(c, true));
    h.event(button(c, false));
    h.run();
    h.state_mut().out.clear();

    h.key_press(egui::Key::Enter);
    h.event(Event::Text("hola".into()));
    h.key_press_modifiers(egui::Modifiers::CTRL, egui::Key::C);
    h.event(Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: Vec2::new(0.0, -3.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::default(),
    });
    h.run();
    let ctrl = Modifiers { ctrl: true, ..Modifiers::default() };
    let out = std::mem::take(&mut h.state_mut().out);
    assert_eq!(
        out,
        vec![
            InputEvent::Key { key: Key::Enter, down: true, modifiers: Modifiers::default() },
            InputEvent::Key { key: Key::Enter, down: false, modifiers: Modifiers::default() },
            InputEvent::Text("hola".into()),
            InputEvent::Key { key: Key::Char('c'), down: true, modifiers: ctrl },
            InputEvent::Key { key: Key::Char('c'), down: false, modifiers: ctrl },
            InputEvent::Wheel { dx: 0, dy: 3 },
        ]
    );
}

#[test]
fn without_control_nothing_is_sent() {
    let mut h = harness(false);
    h.run();
    let c = h.get_by_label("Customer screen").rect().center();
    h.event(Event::PointerMoved(c));
    h.event(button(c, true));
    h.event(button(c, false));
    h.key_press(egui::Key::Enter);
    h.event(Event::Text("x".into()));
    h.run();
    assert!(h.state().out.is_empty());
}

#[test]
fn with_the_keyboard_released_clicks_go_but_keys_stay_here() {
    let mut h = with_options(ViewOptions { control: true, keyboard: false, actual_size: false });
    h.run();
    let c = h.get_by_label("Customer screen").rect().center();
    h.event(Event::PointerMoved(c));
    h.event(button(c, true));
    h.event(button(c, false));
    h.run();
    h.key_press(egui::Key::Enter);
    h.event(Event::Text("x".into()));
    h.run();
    let out = &h.state().out;
    assert!(out.contains(&InputEvent::MouseButton { button: MouseButton::Left, down: true }), "{out:?}");
    assert!(!out.iter().any(|e| matches!(e, InputEvent::Key { .. } | InputEvent::Text(_))), "{out:?}");
}

#[test]
fn actual_size_shows_one_pixel_per_point_and_maps_clicks_one_to_one() {
    let mut h = with_options(ViewOptions { control: true, keyboard: true, actual_size: true });
    h.run();
    let rect = h.get_by_label("Customer screen").rect();
    assert_eq!((rect.width(), rect.height()), (1600.0, 1000.0));
    let at = rect.min + Vec2::new(301.0, 122.0);
    h.event(Event::PointerMoved(at));
    h.event(button(at, true));
    h.run();
    assert!(h.state().out.contains(&InputEvent::MouseMove { x: 301, y: 122 }), "{:?}", h.state().out);
}

/// A screen wider than the renderer's largest texture (three 4K monitors side by side, 11520
/// pixels, against the software renderer's 8192) is shown in tiles through the real renderer,
/// where one texture that wide used to abort the console.
#[test]
fn a_screen_wider_than_the_largest_texture_is_shown_not_a_crash() {
    let (w, h) = (11_520u32, 2160u32);
    // Left half grey, right end red: the red must reach the picture from the second tile.
    let mut rgba = vec![128u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in w - 512..w {
            let i = ((y * w + x) * 4) as usize;
            rgba[i..i + 4].copy_from_slice(&[255, 0, 0, 255]);
        }
    }
    // Generation 0: nothing to show until the renderer's limit is set below.
    let screen = SharedScreen {
        owner: Some(ParticipantId(1)),
        active: true,
        width: w,
        height: h,
        rgba,
        full: true,
        ..SharedScreen::default()
    };
    let opts = ViewOptions { control: false, keyboard: false, actual_size: false };
    let state = State { viewer: Viewer::default(), screen: Arc::new(Mutex::new(screen)), opts, out: Vec::new() };
    let mut h = Harness::builder().with_size([1200.0, 300.0]).wgpu().build_ui_state(
        |ui, s: &mut State| {
            egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| {
                let screen = s.screen.clone();
                let _ = s.viewer.ui(ui, &screen, s.opts, "Customer screen");
            });
        },
        state,
    );
    h.input_mut().max_texture_side = Some(8192);
    h.state().screen.lock().unwrap().generation = 1;
    h.run();
    assert_eq!(h.state().viewer.texture_count(), 2, "two textures side by side");
    let image = h.render().expect("the picture renders");
    let rect = h.get_by_label("Customer screen").rect();
    let ppp = f32::from(u8::try_from(image.width() / 1200).unwrap());
    let at = |x: f32, y: f32| *image.get_pixel((x * ppp) as u32, (y * ppp) as u32);
    let mid = rect.center().y;
    // Grey (the renderer's colour space shifts its level), not the empty background.
    let left = at(rect.min.x + 10.0, mid).0;
    assert!(left[0] == left[1] && left[1] == left[2] && left[0] > 40, "the first tile: {left:?}");
    let background = at(rect.min.x + 10.0, rect.min.y - 3.0).0;
    assert_ne!(left, background, "the picture is drawn over the background");
    assert_eq!(at(rect.max.x - 5.0, mid).0[..3], [255, 0, 0], "the second tile, at the right end");
}
