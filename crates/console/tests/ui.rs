//! The console driven as a person would, with `egui_kittest`: snapshots of each screen rendered
//! from fixed data, and a live session against a real agent over loopback QUIC.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deskside_agent::engine::{AgentEvent, AgentOptions, start};
use deskside_codec::Rect;
use deskside_console::app::{Screen, SessionView, Summary, default_session_types};
use deskside_console::{ConsoleApp, ConsoleConfig};
use deskside_net::{Identity, SharedScreen};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{ChatLine, ChatTarget, Grants, Invite, InviteRole, ParticipantInfo, Role, SessionId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// 2026-11-25 14:05 UTC.
const T0: u64 = 1_795_615_500_000;

/// A console keeping its history in `dir`.
fn app_with_history(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> ConsoleApp {
    let history = deskside_history::History::open(&dir.join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    let mut cfg = config(rt, Ok(deskside_history::Recorder::spawn(history).unwrap()));
    cfg.history_path = Some(dir.join("history.sqlite3"));
    cfg.export_dir = dir.join("exports");
    ConsoleApp::new(cfg)
}

/// A console whose history is in a fresh temporary directory (kept alive by a leak: the files
/// are small and the test process ends soon).
fn app(rt: &tokio::runtime::Runtime) -> ConsoleApp {
    let dir = tempfile::tempdir().unwrap();
    let a = app_with_history(rt, dir.path());
    std::mem::forget(dir);
    a
}

/// The console's configuration, keeping sessions with `history` (no History view).
fn config(rt: &tokio::runtime::Runtime, history: Result<deskside_history::Recorder, String>) -> ConsoleConfig {
    ConsoleConfig {
        identity: Identity::generate().unwrap(),
        csr_name: "Sam Rivera".into(),
        organisation: "Acme Support".into(),
        session_types: default_session_types(),
        port: 0,
        utc_offset_s: 0,
        invite_file: None,
        runtime: rt.handle().clone(),
        history,
        history_path: None,
        export_dir: std::env::temp_dir(),
    }
}

fn harness(app: ConsoleApp) -> Harness<'static, ConsoleApp> {
    Harness::builder().with_size([1100.0, 700.0]).build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app)
}

fn fixed_invite() -> Invite {
    Invite {
        addrs: vec!["192.0.2.10:47000".parse().unwrap(), "127.0.0.1:47000".parse().unwrap()],
        fingerprint: [0x5A; 32],
        session: SessionId([7; 16]),
        role: InviteRole::Customer,
        secret: [9; 16],
        expires_unix_s: T0 / 1000 + 1800,
    }
}

fn people(grants: Grants) -> Vec<ParticipantInfo> {
    vec![
        ParticipantInfo {
            id: 0,
            name: "Sam Rivera".into(),
            role: Role::CsrInControl,
            grants: Grants::default(),
            present: true,
        },
        ParticipantInfo { id: 1, name: "Ana López".into(), role: Role::PrimaryCustomer, grants, present: true },
    ]
}

fn fixed_screen() -> Arc<Mutex<SharedScreen>> {
    let (w, h) = (640u32, 400u32);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let window = (80..560).contains(&x) && (60..340).contains(&y);
            let text = window && (y / 14) % 2 == 0 && (x / 6 + y) % 4 != 0 && x > 100;
            let px = if text {
                [40, 40, 40, 255]
            } else if window {
                [245, 245, 245, 255]
            } else {
                [30, 90, 140, 255]
            };
            rgba.extend_from_slice(&px);
        }
    }
    Arc::new(Mutex::new(SharedScreen {
        owner: Some(1),
        active: true,
        width: w,
        height: h,
        rgba,
        generation: 1,
        dirty: vec![Rect { x: 0, y: 0, w, h }],
        full: true,
        cursor: Some((300, 200)),
        cursor_shape: Some(arrow()),
        cursor_generation: 1,
        video_frames: 0,
    }))
}

/// A 12x19 arrow pointer, black with a white edge, hot spot at its tip.
fn arrow() -> deskside_codec::CursorImage {
    let (w, h) = (12u16, 19u16);
    let mut rgba = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let inside = x <= y * 2 / 3 && y < 16;
            let edge = inside && (x == 0 || x == y * 2 / 3 || y == 15);
            rgba.extend_from_slice(match (inside, edge) {
                (true, true) => &[255, 255, 255, 255],
                (true, false) => &[0, 0, 0, 255],
                _ => &[0, 0, 0, 0],
            });
        }
    }
    deskside_codec::CursorImage { width: w, height: h, hot_x: 0, hot_y: 0, rgba }
}

fn session_view(grants: Grants) -> SessionView {
    SessionView {
        session_type: "General support".into(),
        tracking_code: "T-1042".into(),
        started_ms: T0,
        invite: Some(fixed_invite()),
        participants: people(grants),
        chat: vec![
            ChatLine {
                from: 0,
                from_name: "Sam Rivera".into(),
                at_unix_ms: T0 + 60_000,
                to: ChatTarget::Everyone,
                text: "Hello Ana, I'm Sam from Acme Support.".into(),
            },
            ChatLine {
                from: 1,
                from_name: "Ana López".into(),
                at_unix_ms: T0 + 90_000,
                to: ChatTarget::Everyone,
                text: "Hi! My printer stopped working.".into(),
            },
        ],
        screen: fixed_screen(),
        ..SessionView::default()
    }
}

#[test]
fn start_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(app(&rt));
    h.run();
    h.get_by_label("Start session");
    h.get_by_label("Tracking code");
    h.snapshot("console_start");
}

#[test]
fn a_history_that_cannot_be_kept_is_said_on_the_start_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(ConsoleApp::new(config(
        &rt,
        Err("The session history could not be read or written: disk full".into()),
    )));
    h.run();
    h.get_by_label("Sessions are not being kept. The session history could not be read or written: disk full");
}

#[test]
fn session_screen_waiting_for_a_customer() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut a = app(&rt);
    let mut view = session_view(Grants::default());
    view.participants.truncate(1);
    view.chat.clear();
    a.screen = Screen::Session(Box::new(view));
    let mut h = harness(a);
    h.run();
    h.get_by_label("Waiting for a customer to join with the invite");
    h.get_by_label("Copy link");
    h.get_by_label("Copy code");
    h.get_by_label_contains("Expires at 14:35");
    h.snapshot("console_invite");
}

#[test]
fn session_screen_viewing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut a = app(&rt);
    let mut view = session_view(Grants { view: true, control: false });
    let m = |name: &str, x| deskside_proto::MonitorInfo {
        name: name.into(),
        x,
        y: 0,
        width: 1920,
        height: 1080,
        primary: x == 0,
    };
    view.monitors = vec![m("DP-1", 0), m("HDMI-1", 1920)];
    a.screen = Screen::Session(Box::new(view));
    let mut h = harness(a);
    h.run();
    h.get_by_label("Viewing Ana López's screen");
    h.get_by_role_and_label(egui::Role::ComboBox, "Screen");
    h.get_by_label("Customer screen");
    h.get_by_label("Hi! My printer stopped working.");
    h.snapshot("console_viewer");
}

#[test]
fn end_dialog_and_summary() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut a = app(&rt);
    a.screen = Screen::Session(Box::new(session_view(Grants { view: true, control: true })));
    let mut h = harness(a);
    h.run();
    h.get_by_label("Controlling Ana López's screen: click it to type");
    h.get_by_label("End session…").click();
    h.run();
    h.get_by_label("End the session");
    h.snapshot("console_end_dialog");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("End the session").is_none());

    h.state_mut().screen = Screen::Summary(Summary {
        session_type: "General support".into(),
        tracking_code: "T-1042".into(),
        started_ms: T0,
        ended_ms: T0 + 17 * 60_000,
        participants: people(Grants::default()),
        chat_lines: 2,
        notes: "Reinstalled the printer driver; test page printed.".into(),
    });
    h.run();
    h.get_by_label("Session ended");
    h.get_by_label("14:05 – 14:22 (17 min)");
    h.snapshot("console_summary");
}

/// Steps the UI until `done` holds, letting the network run in between.
fn run_until(h: &mut Harness<'_, ConsoleApp>, what: &str, mut done: impl FnMut(&Harness<'_, ConsoleApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        if done(h) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_live_session_driven_from_the_console() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let history_dir = tempfile::tempdir().unwrap();
    let mut h = harness(app_with_history(&rt, history_dir.path()));
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code").type_text("T-7");
    h.run_steps(2);
    h.get_by_label("Start session").click();
    run_until(&mut h, "the session starts", |h| h.query_by_label("Copy link").is_some());
    h.get_by_label("· T-7");
    let Screen::Session(view) = &h.state().screen else { panic!("no session") };
    let invite = view.invite.clone().unwrap();

    // A real agent joins with the invite the console shows.
    let screen = SyntheticSource::new(200, 120, |x, y| [x as u8, y as u8, 99, 0]);
    let sink = RecordingSink::default();
    let (s2, k2) = (screen.clone(), sink.clone());
    let opts = AgentOptions {
        name: "Ana López".into(),
        screen: Arc::new(move || Ok(Box::new(s2.clone()))),
        input: Arc::new(move || Ok(Box::new(k2.clone()))),
        max_fps: 30,
    };
    let mut agent = rt.block_on(start(invite, opts, Arc::new(|| {}))).unwrap();
    run_until(&mut h, "the customer appears", |h| {
        h.query_by_label("Ana López has joined. Request view to see their screen.").is_some()
    });

    // Request view; the customer allows; the screen shows.
    h.get_by_label("Request view").click();
    run_until(&mut h, "the request is pending", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "the screen shows", |h| h.query_by_label("Customer screen").is_some());
    h.get_by_label("Ana López allowed you to view their screen.");

    // Chat to the customer.
    h.get_by_role(egui::Role::TextInput).focus();
    h.run_steps(2);
    h.get_by_role(egui::Role::TextInput).type_text("Can you see the printer icon?");
    h.run_steps(2);
    h.get_by_label("Send").click();
    h.run_steps(2);
    let line = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(AgentEvent::Chat(l)) = agent.next_event().await {
                    return l;
                }
            }
        })
        .await
        .unwrap()
    });
    assert_eq!(line.text, "Can you see the printer icon?");
    run_until(&mut h, "the line shows in the console", |h| h.query_by_label("Can you see the printer icon?").is_some());

    // Notes taken during the session are saved as they are typed...
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Session notes").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Session notes").type_text("Print queue stuck.");
    h.run_steps(2);
    h.get_by_label("Saved as you type");

    // ...and offered again when ending: the console shows the summary, the customer is told.
    h.get_by_label("End session…").click();
    h.run_steps(2);
    let Screen::Session(view) = &h.state().screen else { panic!("no session") };
    assert_eq!(view.end_notes, "Print queue stuck.", "the end dialog starts from the notes");
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "End-of-session notes").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "End-of-session notes")
        .type_text(" Printer driver reinstalled.");
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::Button, "End session").click();
    run_until(&mut h, "the summary shows", |h| h.query_by_label("Session ended").is_some());
    h.get_by_label("Print queue stuck. Printer driver reinstalled.");
    h.get_by_label("Kept in the session history.");
    // ...and found in the History at once.
    h.get_by_label("History").click();
    run_until(&mut h, "the History opens", |h| h.query_by_label("Session history").is_some());
    h.get_by_label("T-7");
    h.get_by_label("Ana López");
    h.get_by_label("Close").click();
    h.run_steps(2);
    let why = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(AgentEvent::Closed(why)) = agent.next_event().await {
                    return why;
                }
            }
        })
        .await
        .unwrap()
    });
    assert!(why.contains("Sam Rivera ended the session"), "{why}");

    // The next session starts from the same name, organisation and type, with a new tracking code.
    h.get_by_label("Start another session").click();
    h.run_steps(2);
    let Screen::Start(form) = &h.state().screen else { panic!("not on the start form") };
    assert_eq!((form.csr_name.as_str(), form.organisation.as_str()), ("Sam Rivera", "Acme Support"));
    assert_eq!(form.tracking_code, "");

    // The session is in the history: who took part, the consent, the chat, the notes.
    drop(h); // the recorder writes what is still queued
    let history =
        deskside_history::History::open(&history_dir.path().join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    let found = history.search(&deskside_history::Search { text: "t-7".into(), ..Default::default() }).unwrap();
    assert_eq!(found.len(), 1);
    let record = history.session(found[0].key).unwrap();
    assert_eq!(record.summary.outcome, deskside_history::Outcome::Ended);
    assert_eq!(record.summary.csr_name, "Sam Rivera");
    assert_eq!(record.summary.uid.len(), 32, "the whole session id");
    assert_eq!(record.summary.customers, vec!["Ana López".to_owned()]);
    assert!(record.consents.iter().any(|c| c.capability == "view screen" && c.granted));
    assert_eq!(record.chat.last().unwrap().text, "Can you see the printer icon?");
    assert_eq!(record.chat.last().unwrap().to_label, "everyone");
    assert_eq!(record.notes, "Print queue stuck.");
    assert_eq!(record.end_notes, "Print queue stuck. Printer driver reinstalled.");
    assert!(record.participants.iter().all(|p| p.left_ms.is_some()));
}

/// Two sessions kept before: one ended, one cut short by a crash, with a hostile name.
fn filled_history(dir: &std::path::Path) {
    use deskside_history::{ChatRecord, History, NewSession};
    let mut h = History::open(&dir.join("history.sqlite3"), T0).unwrap();
    let s = |uid: &str, code: &str, at| NewSession {
        uid: uid.into(),
        session_type: "General support".into(),
        tracking_code: code.into(),
        csr_name: "Sam Rivera".into(),
        started_ms: at,
    };
    let a = h.begin(&s("a", "T-1042", T0)).unwrap();
    h.joined(a, 1, "Sam Rivera", "CSR in control", T0).unwrap();
    h.joined(a, 2, "Ana López", "primary customer", T0 + 60_000).unwrap();
    h.consent(a, 2, "view screen", true, T0 + 120_000).unwrap();
    let line = ChatRecord {
        at_ms: T0 + 180_000,
        from_name: "Ana López".into(),
        to_label: "everyone".into(),
        text: "Hi! My printer stopped working.".into(),
    };
    h.chat(a, &line).unwrap();
    h.notes(a, "Print queue stuck.").unwrap();
    h.end(a, "Reinstalled the printer driver; test page printed.", T0 + 17 * 60_000).unwrap();
    let b = h.begin(&s("b", "T-1043", T0 + 3_600_000)).unwrap();
    h.joined(b, 2, "<b>Eve</b>", "primary customer", T0 + 3_600_000).unwrap();
    // Never ended: the console "crashed"; opened a day later it ended unexpectedly.
    drop(h);
    History::open(&dir.join("history.sqlite3"), T0 + 86_400_000).unwrap();
}

#[test]
fn history_lists_searches_opens_and_exports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    filled_history(dir.path());
    let mut h = harness(app_with_history(&rt, dir.path()));
    h.run();
    h.get_by_label("History").click();
    h.run_steps(2);
    h.get_by_label("Session history");
    h.get_by_label("T-1042");
    h.get_by_label("T-1043");
    h.get_by_label("<b>Eve</b>"); // shown as text, never as markup
    h.get_by_label("ended unexpectedly");
    h.snapshot("console_history");

    // Search by customer name.
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code or customer").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code or customer").type_text("lópez");
    h.run_steps(2);
    h.get_by_label("Search").click();
    h.run_steps(2);
    assert!(h.query_by_label("T-1043").is_none(), "only Ana's session");
    h.get_by_label("T-1042");
    // A date that is not one says how to write it.
    h.get_by_role_and_label(egui::Role::TextInput, "From").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "From").type_text("25/11");
    h.run_steps(2);
    h.get_by_label("Search").click();
    h.run_steps(2);
    h.get_by_label("Write dates as year-month-day, for example 2026-11-26.");

    // Open it read-only, and export it.
    h.get_by_label("Open").click();
    h.run_steps(2);
    h.get_by_label("General support · T-1042");
    h.get_by_label("Hi! My printer stopped working.");
    h.get_by_label("Reinstalled the printer driver; test page printed.");
    assert!(h.query_by_label("Write dates as year-month-day, for example 2026-11-26.").is_none());
    h.snapshot("console_history_session");
    h.get_by_label("Export HTML").click();
    h.run_steps(2);
    let html_path = dir.path().join("exports/deskside-session-T-1042-1.html");
    h.get_by_label(&format!("Saved to {}", html_path.display()));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Hi! My printer stopped working.") && html.contains("T-1042"));
    h.get_by_label("Export JSON").click();
    h.run_steps(2);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("exports/deskside-session-T-1042-1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["end_notes"], "Reinstalled the printer driver; test page printed.");
    h.get_by_label("All sessions").click();
    h.run_steps(2);
    h.get_by_label("Close").click();
    h.run_steps(2);
    h.get_by_label("Start session");
}
