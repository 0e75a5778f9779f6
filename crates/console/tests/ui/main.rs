//! The console driven as a person would, with `egui_kittest`: snapshots of each screen in both
//! themes and both languages rendered from fixed data, settings saved and read back, and a live
//! session against a real agent over loopback QUIC.
#![allow(clippy::unwrap_used, missing_docs)]

mod history;
mod live;
mod panels;
mod site;
mod team;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deskside_agent::engine::{AgentEvent, AgentHandle, AgentOptions, start};
use deskside_codec::Rect;
use deskside_console::app::{Screen, SessionView, Summary, UrlOpener};
use deskside_console::session_ui::Tool;
use deskside_console::settings::Settings;
use deskside_console::theme::ThemeChoice;
use deskside_console::{ConsoleApp, ConsoleConfig};
use deskside_i18n::Lang;
use deskside_net::host::LinkQuality;
use deskside_net::{Identity, SharedScreen};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{
    ChatLine, ChatTarget, FileId, Grants, InputEvent, Invite, InviteRole, Key, Modifiers, MoveId, ParticipantId,
    ParticipantInfo, Role, SessionId,
};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};

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

/// The same, in `lang` and `theme`.
fn app_in(rt: &tokio::runtime::Runtime, lang: Lang, theme: ThemeChoice) -> ConsoleApp {
    let mut a = app(rt);
    a.settings.language = Some(lang);
    a.settings.theme = theme;
    a
}

/// Sam Rivera of Acme Support, with the default session types, English on a light theme.
fn settings() -> Settings {
    Settings {
        display_name: "Sam Rivera".into(),
        organisation: "Acme Support".into(),
        language: Some(Lang::En),
        theme: ThemeChoice::Light,
        ..Settings::default()
    }
}

/// An opener that only remembers the URLs it was asked to open.
fn remembering_opener() -> (UrlOpener, Arc<Mutex<Vec<String>>>) {
    let opened = Arc::new(Mutex::new(Vec::new()));
    let o = opened.clone();
    (
        Arc::new(move |url: &str| {
            o.lock().unwrap().push(url.to_owned());
            Ok(())
        }),
        opened,
    )
}

/// The console's configuration, keeping sessions with `history` (no History view).
fn config(rt: &tokio::runtime::Runtime, history: Result<deskside_history::Recorder, String>) -> ConsoleConfig {
    ConsoleConfig {
        identity: Identity::generate().unwrap(),
        settings: settings(),
        settings_path: None,
        site_path: None,
        settings_problem: None,
        system_lang: Lang::En,
        port: None,
        relays: None,
        utc_offset_s: 0,
        invite_file: None,
        runtime: rt.handle().clone(),
        history,
        history_path: None,
        export_dir: std::env::temp_dir(),
        open_url: remembering_opener().0,
    }
}

/// Every look of the console: (language, theme, the snapshot name's suffix).
const LOOKS: [(Lang, ThemeChoice, &str); 4] = [
    (Lang::En, ThemeChoice::Light, "en_light"),
    (Lang::En, ThemeChoice::Dark, "en_dark"),
    (Lang::Es, ThemeChoice::Light, "es_light"),
    (Lang::Es, ThemeChoice::Dark, "es_dark"),
];

/// Renders `make`'s console in every look, runs `check` on each with the look's language, and
/// keeps a snapshot `console_<name>_<look>`.
fn every_look(
    name: &str,
    make: impl Fn(Lang, ThemeChoice) -> ConsoleApp,
    check: impl Fn(&mut Harness<'static, ConsoleApp>, Lang),
) {
    let mut results = egui_kittest::SnapshotResults::new();
    for (lang, theme, suffix) in LOOKS {
        let mut h = harness(make(lang, theme));
        h.run();
        check(&mut h, lang);
        h.snapshot(format!("console_{name}_{suffix}"));
        results.extend_harness(&mut h);
    }
    results.unwrap();
}

/// The browse window shows Ana's folder `hers` (holding her 26-byte "error-log.txt"), as her
/// agent lists it, beside `mine` on this computer.
fn browse_these(h: &mut Harness<'_, ConsoleApp>, hers: &std::path::Path, mine: &std::path::Path) {
    if let Screen::Session(view) = &mut h.state_mut().screen {
        view.browse.listed(
            ParticipantId(1),
            Ok(deskside_proto::FolderListing {
                path: hers.to_string_lossy().into_owned(),
                parent: None,
                entries: vec![deskside_proto::FolderEntry { name: "error-log.txt".into(), dir: false, size: 26 }],
                truncated: false,
            }),
        );
        view.browse.open_local(mine.to_owned());
    }
    h.run_steps(2);
}

fn harness(app: ConsoleApp) -> Harness<'static, ConsoleApp> {
    Harness::builder().with_size([1100.0, 700.0]).build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app)
}

fn fixed_invite() -> Invite {
    Invite {
        host: deskside_proto::HostAddr {
            id: [0x5A; 32],
            relays: vec![],
            relay_token: String::new(),
            addrs: vec!["192.0.2.10:47000".parse().unwrap(), "127.0.0.1:47000".parse().unwrap()],
        },
        session: SessionId([7; 16]),
        role: InviteRole::Customer,
        secret: [9; 16],
        expires_unix_s: T0 / 1000 + 1800,
    }
}

fn people(grants: Grants) -> Vec<ParticipantInfo> {
    vec![
        ParticipantInfo {
            id: ParticipantId(0),
            name: "Sam Rivera".into(),
            role: Role::CsrInControl,
            grants: Grants::default(),
            present: true,
            away: false,
        },
        ParticipantInfo {
            id: ParticipantId(1),
            name: "Ana López".into(),
            role: Role::PrimaryCustomer,
            grants,
            present: true,
            away: false,
        },
        ParticipantInfo {
            id: ParticipantId(2),
            name: "Ben Ortiz".into(),
            role: Role::SecondaryCustomer,
            grants: Grants::default(),
            present: true,
            away: false,
        },
    ]
}

fn fixed_screen() -> Arc<Mutex<SharedScreen>> {
    let (w, h) = (1280u32, 800u32);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y2 in 0..h {
        for x2 in 0..w {
            let (x, y) = (x2 / 2, y2 / 2);
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
        owner: Some(ParticipantId(1)),
        active: true,
        width: w,
        height: h,
        rgba,
        generation: 1,
        dirty: vec![Rect { x: 0, y: 0, w, h }],
        full: true,
        cursor: Some((600, 400)),
        cursor_shape: Some(arrow()),
        cursor_generation: 1,
        video_frames: 0,
        reduced: false,
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
        csr_name: "Sam Rivera".into(),
        organisation: "Acme Support".into(),
        session_type: "General support".into(),
        tracking_code: "T-1042".into(),
        started_ms: T0,
        now_ms: T0 + 120_000,
        invites: vec![fixed_invite()],
        participants: people(grants),
        quality: vec![
            LinkQuality { participant: ParticipantId(1), rtt_ms: 24, loss_permille: 0, relayed: false },
            LinkQuality { participant: ParticipantId(2), rtt_ms: 310, loss_permille: 31, relayed: true },
        ],
        chat: vec![
            ChatLine {
                from: ParticipantId(0),
                from_name: "Sam Rivera".into(),
                at_unix_ms: T0 + 60_000,
                to: ChatTarget::Everyone,
                text: "Hello Ana, I'm Sam from Acme Support.".into(),
            },
            ChatLine {
                from: ParticipantId(1),
                from_name: "Ana López".into(),
                at_unix_ms: T0 + 90_000,
                to: ChatTarget::Everyone,
                text: "Hi! My printer stopped working.".into(),
            },
            ChatLine {
                from: ParticipantId(0),
                from_name: "Sam Rivera".into(),
                at_unix_ms: T0 + 100_000,
                to: ChatTarget::Participant(ParticipantId(1)),
                text: "Is it the one by the window?".into(),
            },
        ],
        notes: "Printer shows offline.".into(),
        notes_saved: "Printer shows offline.".into(),
        screen: fixed_screen(),
        ..SessionView::default()
    }
}

/// The English or the Spanish of a text.
fn say(lang: Lang, en: &'static str, es: &'static str) -> &'static str {
    if lang == Lang::Es { es } else { en }
}

/// A console in `lang` and `theme` showing `view` with `tool`'s panel open.
fn in_session(
    rt: &tokio::runtime::Runtime,
    lang: Lang,
    theme: ThemeChoice,
    tool: Tool,
    mut view: SessionView,
) -> ConsoleApp {
    let mut a = app_in(rt, lang, theme);
    view.tool = tool;
    a.screen = Screen::Session(Box::new(view));
    a
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

fn fixed_inventory() -> deskside_proto::Inventory {
    use deskside_proto::{Section, SectionKind};
    let kv = |k: &str, v: &str| vec![k.to_owned(), v.to_owned()];
    deskside_proto::Inventory {
        collected_unix_ms: 1,
        sections: vec![
            Section {
                kind: SectionKind::System,
                rows: vec![kv("os", "Debian GNU/Linux 13"), kv("hostname", "ana-laptop"), kv("uptime", "2h 5m")],
            },
            Section { kind: SectionKind::Memory, rows: vec![kv("total", "15.6 GiB"), kv("available", "9.2 GiB")] },
            Section {
                kind: SectionKind::Software,
                rows: vec![kv("bash", "5.2.37-2"), kv("cups", "2.4.10-3"), kv("hplip", "3.22.10")],
            },
            Section {
                kind: SectionKind::Disks,
                rows: vec![vec![
                    "/dev/nvme0n1p2".into(),
                    "/".into(),
                    "ext4".into(),
                    "476.3 GiB".into(),
                    "201.7 GiB".into(),
                ]],
            },
        ],
    }
}

/// Ana López's agent, her screen `screen`, what she is sent landing in `sink`.
fn ana_options(screen: &SyntheticSource, sink: &RecordingSink) -> AgentOptions {
    let (s2, k2) = (screen.clone(), sink.clone());
    AgentOptions {
        name: "Ana López".into(),
        screen: Arc::new(move || Ok(Box::new(s2.clone()))),
        input: Arc::new(move || Ok(Box::new(k2.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
        trust: None,
    }
}

/// The first event of `agent` that `pick` takes, waited for up to 20 s.
fn agent_event<T>(
    rt: &tokio::runtime::Runtime,
    agent: &mut AgentHandle,
    mut pick: impl FnMut(&AgentEvent) -> Option<T>,
) -> T {
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(found) = agent.next_event().await.as_ref().and_then(&mut pick) {
                    return found;
                }
            }
        })
        .await
        .unwrap()
    })
}

/// The CSR asks Ana López for her system information from the System info panel, she allows
/// it and her agent sends it: its report opens on this console.
fn ana_sends_system_info(h: &mut Harness<'_, ConsoleApp>, agent: &deskside_agent::engine::AgentHandle) {
    h.get_by_role_and_label(egui::Role::Button, "System info").click();
    h.run_steps(2);
    h.get_by_label("Ask Ana López").click();
    run_until(h, "the system information request is pending", |_| {
        agent.gate().consent().pending().is_some_and(|p| p.capability == deskside_proto::Capability::SystemInfo)
    });
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(h, "system information is allowed", |_| agent.gate().allows(deskside_proto::Capability::SystemInfo));
    assert!(agent.send_inventory(fixed_inventory()));
    run_until(h, "the report opens", |h| h.query_by_label("System information: Ana López").is_some());
}

/// The program answers `--help` and `--version` the way the ecosystem expects: on standard
/// output, exit 0; an unknown option says why on standard error and exits 2.
#[test]
fn help_and_version_are_answered_like_any_program() {
    let run = |arg: &str| std::process::Command::new(env!("CARGO_BIN_EXE_deskside-console")).arg(arg).output().unwrap();
    let help = run("--help");
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage: deskside-console") && text.contains("--version"), "{text}");
    let version = run("--version");
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        concat!("deskside-console ", env!("CARGO_PKG_VERSION"))
    );
    let wrong = run("--no-such-option");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--no-such-option"));
}
