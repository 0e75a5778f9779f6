//! The console driven as a person would, with `egui_kittest`: snapshots of each screen in both
//! themes and both languages rendered from fixed data, settings saved and read back, and a live
//! session against a real agent over loopback QUIC.
#![allow(clippy::unwrap_used, missing_docs)]

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
    ChatLine, ChatTarget, Grants, InputEvent, Invite, InviteRole, Key, Modifiers, ParticipantInfo, Role, SessionId,
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
        settings_problem: None,
        system_lang: Lang::En,
        port: None,
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
            away: false,
        },
        ParticipantInfo {
            id: 1,
            name: "Ana López".into(),
            role: Role::PrimaryCustomer,
            grants,
            present: true,
            away: false,
        },
        ParticipantInfo {
            id: 2,
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
        owner: Some(1),
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
            LinkQuality { participant: 1, rtt_ms: 24, loss_permille: 0 },
            LinkQuality { participant: 2, rtt_ms: 310, loss_permille: 31 },
        ],
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
            ChatLine {
                from: 0,
                from_name: "Sam Rivera".into(),
                at_unix_ms: T0 + 100_000,
                to: ChatTarget::Participant(1),
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

#[test]
fn start_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "start",
        |lang, theme| app_in(&rt, lang, theme),
        |h, lang| {
            h.get_by_label(say(lang, "Start a support session", "Iniciar una sesión de soporte"));
            h.get_by_role_and_label(egui::Role::TextInput, say(lang, "Tracking code", "Código de seguimiento"));
            h.get_by_label(say(lang, "Start session", "Iniciar sesión"));
            h.get_by_label(say(lang, "Settings", "Configuración"));
        },
    );
}

#[test]
fn a_session_type_that_needs_a_tracking_code_does_not_start_without_one() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut a = app(&rt);
    let Screen::Start(form) = &mut a.screen else { panic!("not on the start form") };
    form.session_type = "Account and billing".into();
    let mut h = harness(a);
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code (required)");
    h.get_by_label("Start session").click();
    h.run();
    h.get_by_label("A \"Account and billing\" session needs a tracking code.");
    assert!(h.state().host().is_none(), "no session without the code");
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
fn the_toolbar_has_every_tool_in_order_with_shortcuts_and_honest_gaps() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Invite, session_view(Grants::default())));
    h.run();
    let names = [
        "Invite",
        "Participants",
        "Chat",
        "Audio",
        "Video",
        "Remote control",
        "File transfer",
        "System info",
        "Notes",
        "Record",
        "End session…",
    ];
    let xs: Vec<f32> = names.iter().map(|n| h.get_by_role_and_label(egui::Role::Button, n).rect().min.x).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "toolbar order: {xs:?}");
    for n in ["Audio", "Video", "Record"] {
        assert!(h.get_by_role_and_label(egui::Role::Button, n).accesskit_node().is_disabled(), "{n} is not there yet");
    }
    // Hovering a missing tool says so.
    h.get_by_role_and_label(egui::Role::Button, "Audio").hover();
    h.run();
    h.get_by_label("Not available yet in this version of Deskside.");
    // A working tool's tooltip names its shortcut, and the shortcut opens it.
    h.get_by_role_and_label(egui::Role::Button, "Participants").hover();
    h.run();
    h.get_by_label("Who is here, what each customer allowed, how good each connection is (Ctrl+Shift+P)");
    let ctrl_shift = egui::Modifiers::COMMAND | egui::Modifiers::SHIFT;
    h.key_press_modifiers(ctrl_shift, egui::Key::P);
    h.run();
    h.get_by_label("Ben Ortiz");
    h.key_press_modifiers(ctrl_shift, egui::Key::N);
    h.run();
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Session notes");
    h.key_press_modifiers(ctrl_shift, egui::Key::E);
    h.run();
    h.get_by_label("End the session");
}

#[test]
fn invite_panel() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "invite",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.participants.truncate(1);
            view.chat.clear();
            in_session(&rt, lang, theme, Tool::Invite, view)
        },
        |h, lang| {
            h.get_by_label(say(
                lang,
                "Waiting for a customer to join with the invite",
                "Esperando a que un cliente entre con la invitación",
            ));
            h.get_by_label(say(lang, "Copy link", "Copiar enlace"));
            h.get_by_label(say(lang, "Copy code", "Copiar código"));
            h.get_by_label(say(lang, "Email…", "Correo…"));
            h.get_by_label(say(lang, "Revoke", "Revocar"));
            h.get_by_label_contains(say(lang, "Expires at 14:35", "Caduca a las 14:35"));
        },
    );
}

#[test]
fn the_invite_email_is_a_prepared_mailto_link() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (open_url, opened) = remembering_opener();
    let mut cfg = config(&rt, Err("no history in this test".into()));
    cfg.open_url = open_url;
    let mut a = ConsoleApp::new(cfg);
    a.screen = Screen::Session(Box::new(session_view(Grants::default())));
    let mut h = harness(a);
    h.run();
    h.get_by_label("Email…").click();
    h.run();
    let urls = opened.lock().unwrap().clone();
    assert_eq!(urls.len(), 1);
    let url = &urls[0];
    assert!(url.starts_with("mailto:?subject=Your%20support%20session%20with%20Acme%20Support&body="), "{url}");
    let inv = fixed_invite();
    assert!(url.contains(&inv.to_code()), "the code is in the message");
    assert!(url.contains("deskside%3A%2F%2Fjoin%2F"), "the link is in the message");
    assert!(url.contains("14%3A35"), "the expiry is in the message");
    assert!(!url.contains(' ') && !url.contains('\n'), "everything is encoded");
    // Revoking removes the invite from the open ones.
    h.get_by_label("Revoke").click();
    h.run();
    h.get_by_label("None: every invite was used, revoked or has expired.");
}

#[test]
fn participants_panel() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "participants",
        |lang, theme| {
            // Four people present (two CSRs, two customers; Ben's connection dropped and his
            // seat is held) and one who left.
            let mut view = session_view(Grants { view: true, control: false, system_info: false, ..Grants::default() });
            view.participants[2].away = true;
            view.participants.insert(
                1,
                ParticipantInfo {
                    id: 4,
                    name: "Kim Lee".into(),
                    role: Role::Csr,
                    grants: Grants::default(),
                    present: true,
                    away: false,
                },
            );
            view.quality.push(LinkQuality { participant: 4, rtt_ms: 48, loss_permille: 0 });
            view.participants.push(ParticipantInfo {
                id: 3,
                name: "Eve Marsh".into(),
                role: Role::SecondaryCustomer,
                grants: Grants::default(),
                present: false,
                away: false,
            });
            in_session(&rt, lang, theme, Tool::Participants, view)
        },
        |h, lang| {
            h.get_by_label("Ben Ortiz");
            h.get_by_label("Kim Lee");
            h.get_by_label("CSR");
            h.get_by_label(say(lang, "48 ms · 0.0 % lost", "48 ms · 0.0 % perdido"));
            h.get_by_label(say(lang, "primary customer", "cliente principal"));
            h.get_by_label(say(lang, "secondary customer, left", "cliente secundario, se fue"));
            h.get_by_label(say(lang, "connection lost, reconnecting…", "conexión perdida, reconectando…"));
            // The CSR in control can hand the session to the other CSR (and to nobody else).
            assert_eq!(h.query_all_by_label(say(lang, "Transfer control", "Transferir el control")).count(), 1);
            h.get_by_label(say(lang, "24 ms · 0.0 % lost", "24 ms · 0.0 % perdido"));
            h.get_by_label(say(lang, "310 ms · 3.1 % lost", "310 ms · 3.1 % perdido"));
            h.get_by_label(say(lang, "Allowed: view screen", "Permitido: ver la pantalla"));
            // Grant icons for the customers present; none for someone who left.
            assert_eq!(
                h.query_all_by_label(say(lang, "Not available yet: recording", "Aún no disponible: grabación")).count(),
                2
            );
        },
    );
}

/// A folder at a fixed place (its path shows in the panel), with a few files and a folder.
/// Tests running at once share it, so each file is written under its own temporary name and
/// renamed into place: a test listing it never sees a file half written (a snapshot once showed
/// "instructions.pdf (0 B)").
fn files_fixture() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from("/tmp/deskside-console-files-fixture");
    std::fs::create_dir_all(dir.join("Printers")).unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let tmp = dir.join(format!(".{name}.{}.{:?}", std::process::id(), std::thread::current().id()));
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, dir.join(name)).unwrap();
    };
    put("driver.zip", &vec![0u8; 2_500_000]);
    put("instructions.pdf", &vec![0u8; 48_000]);
    put(".hidden", b"x");
    dir
}

#[test]
fn file_transfer_panel() {
    use deskside_net::files::Progress;
    use deskside_proto::{FileOutcome, OfferedFile};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = files_fixture();
    every_look(
        "files",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.files.open(dir.clone());
            view.files.selected.insert(dir.join("driver.zip"));
            let f = |id, name: &str, size| OfferedFile { id, name: name.into(), size, sha256: [0; 32] };
            view.files.offered = vec![f(1, "setup.exe", 80_000_000), f(2, "notes.txt", 1_200)];
            view.files.hashing.insert("big-backup.tar".into(), (300_000_000, 1_000_000_000));
            // Ana is half way through setup.exe, at 4 MB/s since 10 s ago; Ben has notes.txt.
            let p = Progress { participant: 1, file: 1, done: 40_000_000, total: 80_000_000 };
            view.files.progress.insert((1, 1), (view.now_ms - 10_000, 0, p));
            view.files.done(2, 2, FileOutcome::Done);
            view.files.done(1, 2, FileOutcome::Failed("not enough disk space".into()));
            in_session(&rt, lang, theme, Tool::FileTransfer, view)
        },
        |h, lang| {
            h.get_by_label(say(
                lang,
                "Choose files on this computer to share; every customer sees them and chooses whether to download.",
                "Elija archivos de este ordenador para compartir; cada cliente los ve y decide si los descarga.",
            ));
            h.get_by_label("📁 Printers");
            assert!(h.query_by_label(".hidden  (1 B)").is_none(), "hidden files are not listed");
            h.get_by_label(say(lang, "Share 1 selected", "Compartir 1 seleccionados"));
            h.get_by_label(say(lang, "Preparing big-backup.tar…", "Preparando big-backup.tar…"));
            h.get_by_label(say(
                lang,
                "Ana López: 38.1 MiB of 76.3 MiB · 3.8 MiB/s · 10 s left",
                "Ana López: 38.1 MiB de 76.3 MiB · 3.8 MiB/s · quedan 10 s",
            ));
            h.get_by_label(say(lang, "Ben Ortiz downloaded it", "Ben Ortiz lo descargó"));
            h.get_by_label(say(
                lang,
                "Ana López: failed (not enough disk space)",
                "Ana López: falló (not enough disk space)",
            ));
        },
    );
}

#[test]
fn files_panel_while_one_application_is_shared() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut view = session_view(Grants { view_app: true, ..Grants::default() });
    view.files.open(files_fixture());
    view.files.selected.insert(files_fixture().join("driver.zip"));
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::FileTransfer, view));
    h.run_steps(4);
    h.get_by_label("Stop application sharing to transfer files.");
    assert!(h.get_by_label("Share 1 selected").accesskit_node().is_disabled());
}

fn browse_view(grants: Grants) -> SessionView {
    use deskside_net::moves::{Direction, MoveInfo, MoveState};
    use deskside_proto::{FolderEntry, FolderListing};
    let mut view = session_view(grants);
    view.browse.open_for(1);
    view.browse.open_local(files_fixture());
    view.browse.local_selected = Some("driver.zip".into());
    let e = |name: &str, dir, size| FolderEntry { name: name.into(), dir, size };
    view.browse.remote = Some(FolderListing {
        path: "C:\\Users\\Ana\\Documents".into(),
        parent: Some("C:\\Users\\Ana".into()),
        entries: vec![
            e("Scans", true, 0),
            e("driver.zip", false, 1_000_000),
            e("Invoice 2026-11.pdf", false, 182_000),
            e("printer-log.txt", false, 4_100),
        ],
        truncated: false,
    });
    view.browse.remote_selected = Some("printer-log.txt".into());
    let m = |id, direction, name: &str, state| {
        let mut m = MoveInfo::new(id, 1, direction, name.into(), state);
        m.files = 1;
        m.bytes = 2_500_000;
        m
    };
    let mut moving = m(4, Direction::Push, "driver.zip", MoveState::Moving);
    (moving.done, moving.bytes_per_s) = (1_000_000, 500_000);
    let mut pulled = m(2, Direction::Pull, "Scans", MoveState::Done);
    (pulled.files, pulled.saved) = (12, 12);
    view.browse.moves = vec![
        m(1, Direction::Push, "setup.exe", MoveState::Refused("Ana López refused it".into())),
        pulled,
        m(3, Direction::Pull, "printer-log.txt", MoveState::Asking),
        moving,
    ];
    view
}

#[test]
fn browse_and_move_files_window() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "browse",
        |lang, theme| {
            in_session(&rt, lang, theme, Tool::FileTransfer, browse_view(Grants { files: true, ..Grants::default() }))
        },
        |h, lang| {
            h.get_by_label(say(lang, "This computer", "Este ordenador"));
            h.get_by_label(say(lang, "Ana López's computer", "Ordenador de Ana López"));
            h.get_by_label("C:\\Users\\Ana\\Documents");
            h.get_by_label("📁 Scans");
            h.get_by_label("📁 Printers");
            h.get_by_label(say(lang, "Send “driver.zip” to Ana López ➡", "Enviar «driver.zip» a Ana López ➡"));
            h.get_by_label(say(lang, "⬅ Copy “printer-log.txt” here", "⬅ Copiar «printer-log.txt» aquí"));
            h.get_by_label(say(
                lang,
                "1 file · 976.6 KiB of 2.4 MiB · 488.3 KiB/s · 3 s left",
                "1 archivo · 976.6 KiB de 2.4 MiB · 488.3 KiB/s · quedan 3 s",
            ));
            h.get_by_label(say(lang, "waiting for Ana López to allow it", "esperando a que Ana López lo permita"));
            h.get_by_label(say(lang, "done: 12 files", "hecho: 12 archivos"));
            h.get_by_label(say(lang, "not moved: Ana López refused it", "no se movió: Ana López refused it"));
            h.get_by_label(say(lang, "Browse Ana López's files…", "Explorar los archivos de Ana López…"));
        },
    );
}

#[test]
fn browse_asks_first_and_a_taken_name_asks_replace_keep_both_or_skip() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Not allowed yet: the window asks for it.
    let mut h =
        harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::FileTransfer, browse_view(Grants::default())));
    h.run();
    h.get_by_label_contains("Ana López has not allowed browsing their files.");
    assert!(h.query_by_label("This computer").is_none(), "nothing of theirs is shown");
    h.get_by_label("Ask to browse and move files").click();
    h.run();
    h.get_by_label("Waiting for Ana López to answer…");

    // Allowed: sending driver.zip where a driver.zip is asks what to do.
    let mut h = harness(in_session(
        &rt,
        Lang::En,
        ThemeChoice::Light,
        Tool::FileTransfer,
        browse_view(Grants { files: true, ..Grants::default() }),
    ));
    h.run();
    h.get_by_label("Send “driver.zip” to Ana López ➡").click();
    h.run();
    h.get_by_label("“driver.zip” is already in the folder on Ana López's computer.");
    h.get_by_label("Replace");
    h.get_by_label("Keep both");
    h.snapshot("console_browse_conflict_en_light");
    h.get_by_label("Skip").click();
    h.run();
    assert!(h.query_by_label("Keep both").is_none(), "the question is gone");
    let Screen::Session(view) = &h.state().screen else { panic!("not in session") };
    assert_eq!(view.browse.conflict, None);
}

#[test]
fn chat_panel() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "chat",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.chat_to = ChatTarget::Participant(1);
            in_session(&rt, lang, theme, Tool::Chat, view)
        },
        |h, lang| {
            h.get_by_label("Hi! My printer stopped working.");
            h.get_by_label(say(lang, "to Ana López", "para Ana López"));
            h.get_by_role_and_label(egui::Role::ComboBox, say(lang, "Send to", "Enviar a"));
        },
    );
}

#[test]
fn unread_chat_is_counted_until_the_chat_opens() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut view = session_view(Grants::default());
    view.unread = 2;
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Invite, view));
    h.run();
    h.get_by_role_and_label(egui::Role::Button, "Chat, 2 unread messages").click();
    h.run();
    h.get_by_role_and_label(egui::Role::Button, "Chat");
    let Screen::Session(v) = &h.state().screen else { panic!("no session") };
    assert_eq!((v.unread, v.tool), (0, Tool::Chat));
}

#[test]
fn remote_control_and_viewer() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "viewer",
        |lang, theme| {
            let mut view = session_view(Grants { view: true, control: true, system_info: false, ..Grants::default() });
            let m = |name: &str, x| deskside_proto::MonitorInfo {
                name: name.into(),
                x,
                y: 0,
                width: 1920,
                height: 1080,
                primary: x == 0,
            };
            view.monitors = vec![m("DP-1", 0), m("HDMI-1", 1920)];
            in_session(&rt, lang, theme, Tool::RemoteControl, view)
        },
        |h, lang| {
            h.get_by_label(say(
                lang,
                "Controlling Ana López's screen: click it to type",
                "Controlando la pantalla de Ana López: haga clic en ella para escribir",
            ));
            h.get_by_role_and_label(egui::Role::ComboBox, say(lang, "Screen", "Pantalla"));
            h.get_by_label(say(lang, "Ana López's screen", "Pantalla de Ana López"));
            h.get_by_label(say(lang, "Send keys", "Enviar teclas"));
            h.get_by_role_and_label(egui::Role::Button, say(lang, "Stop control", "Dejar el control"));
            h.get_by_role_and_label(egui::Role::Button, say(lang, "Stop viewing", "Dejar de ver"));
            h.get_by_label(say(lang, "Send my keyboard", "Enviar mi teclado"));
            // One application: asked of the customer, who chooses the window; controlling it
            // needs it shared first.
            let app =
                h.get_by_role_and_label(egui::Role::Button, say(lang, "View one application…", "Ver una aplicación…"));
            assert!(!app.accesskit_node().is_disabled());
            let control = h.get_by_role_and_label(
                egui::Role::Button,
                say(lang, "Control one application…", "Controlar una aplicación…"),
            );
            assert!(control.accesskit_node().is_disabled());
        },
    );
}

#[test]
fn another_csr_in_control_is_said_and_transfer_is_offered_only_by_the_one_in_control() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut view = session_view(Grants::default());
    view.participants[0].role = Role::Csr;
    view.participants.push(ParticipantInfo {
        id: 4,
        name: "Kim Lee".into(),
        role: Role::CsrInControl,
        grants: Grants::default(),
        present: true,
        away: false,
    });
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Participants, view));
    h.run_steps(4);
    h.get_by_label(
        "Kim Lee is in control of this session. You are watching; only Kim Lee can ask the customer, invite or end.",
    );
    assert!(h.query_by_label("Transfer control").is_none(), "only the CSR in control hands control over");
    assert!(h.query_by_label("Make primary").is_none(), "only the CSR in control promotes");
    assert!(h.get_by_label("End session…").accesskit_node().is_disabled(), "only the CSR in control ends");
    // Once control is Kim's, this console may hand her the whole session and leave.
    h.get_by_label("Hand the session to Kim Lee and leave").click();
    h.run_steps(2);
    h.get_by_label("Handing the session to Kim Lee: their console is getting ready…");
    h.snapshot("console_hand_over_en_light");
}

#[test]
fn closing_the_window_while_a_colleague_is_in_control_hands_the_session_to_them_first() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut view = session_view(Grants::default());
    view.participants[0].role = Role::Csr;
    view.participants.push(ParticipantInfo {
        id: 4,
        name: "Kim Lee".into(),
        role: Role::CsrInControl,
        grants: Grants::default(),
        present: true,
        away: false,
    });
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Participants, view));
    h.run_steps(2);
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    let commands = &h.output().viewport_output[&egui::ViewportId::ROOT].commands;
    assert!(commands.contains(&egui::ViewportCommand::CancelClose), "the window stays until the session is Kim's");
    h.run_steps(2);
    h.get_by_label("Handing the session to Kim Lee: their console is getting ready…");
    assert!(matches!(h.state().screen, Screen::Session(_)));
}

#[test]
fn one_application_shared_and_controlled() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let grants = Grants { view_app: true, control_app: true, ..Grants::default() };
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::RemoteControl, session_view(grants)));
    h.run_steps(4);
    h.get_by_label("Controlling one window of Ana López's screen, while they use it");
    h.get_by_label("Ana López's screen");
    for label in ["View one application…", "Control one application…"] {
        assert!(h.get_by_role_and_label(egui::Role::Button, label).accesskit_node().is_disabled(), "already allowed");
    }
    // The participant's grant icons count one window as viewing and control.
    h.get_by_label("Participants").click();
    h.run_steps(4);
    h.get_by_label("Allowed: view screen");
    h.get_by_label("Allowed: control mouse and keyboard");
}

#[test]
fn viewer_options_change_what_the_csr_sees_and_sends() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(in_session(
        &rt,
        Lang::En,
        ThemeChoice::Light,
        Tool::Chat,
        session_view(Grants { view: true, control: true, system_info: false, ..Grants::default() }),
    ));
    h.run();
    // Actual size: one customer pixel per point.
    let fit = h.get_by_label("Ana López's screen").rect();
    assert!(fit.width() < 1280.0, "{fit:?}");
    h.get_by_label("Actual size").click();
    h.run();
    assert!((h.get_by_label("Ana López's screen").rect().width() - 1280.0).abs() < 0.5);
    // Releasing the keyboard says so in the banner.
    h.get_by_label("Send my keyboard").click();
    h.run();
    h.get_by_label("Controlling Ana López's mouse (your keyboard stays here)");
    // Full screen leaves only the banner and the screen, until F11 or the button.
    h.get_by_label("Full screen").click();
    h.run();
    assert!(h.query_by_label("Invite").is_none(), "no toolbar in full screen");
    h.get_by_label("Exit full screen (F11)");
    h.key_press(egui::Key::F11);
    h.run();
    h.get_by_role_and_label(egui::Role::Button, "Invite");
}

#[test]
fn a_customer_who_stops_sharing_shows_as_paused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut view = session_view(Grants::default());
    view.paused = true;
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::RemoteControl, view));
    h.run();
    h.get_by_label("Paused: Ana López stopped sharing. Ask again from Remote control.");
    h.get_by_role_and_label(egui::Role::Button, "View desktop");
}

#[test]
fn notes_panel() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "notes",
        |lang, theme| in_session(&rt, lang, theme, Tool::Notes, session_view(Grants::default())),
        |h, lang| {
            h.get_by_role_and_label(egui::Role::MultilineTextInput, say(lang, "Session notes", "Notas de la sesión"));
            h.get_by_label(say(lang, "Saved as you type", "Se guardan mientras escribe"));
        },
    );
}

#[test]
fn end_dialog() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "end_dialog",
        |lang, theme| {
            let mut view = session_view(Grants { view: true, control: true, system_info: false, ..Grants::default() });
            view.ending = true;
            view.end_notes = view.notes.clone();
            in_session(&rt, lang, theme, Tool::Notes, view)
        },
        |h, lang| {
            h.get_by_label(say(lang, "End the session", "Finalizar la sesión"));
            h.get_by_role_and_label(
                egui::Role::MultilineTextInput,
                say(lang, "End-of-session notes", "Notas de fin de sesión"),
            );
        },
    );
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Invite, session_view(Grants::default())));
    h.run();
    h.get_by_label("End session…").click();
    h.run();
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("End the session").is_none());
}

#[test]
fn summary() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "summary",
        |lang, theme| {
            let mut a = app_in(&rt, lang, theme);
            a.screen = Screen::Summary(Summary {
                session_type: "General support".into(),
                tracking_code: "T-1042".into(),
                started_ms: T0,
                ended_ms: T0 + 17 * 60_000,
                participants: people(Grants::default()),
                chat_lines: 2,
                notes: "Reinstalled the printer driver; test page printed.".into(),
            });
            a
        },
        |h, lang| {
            h.get_by_label(say(lang, "Session ended", "Sesión finalizada"));
            h.get_by_label("14:05 – 14:22 (17 min)");
        },
    );
}

#[test]
fn settings_are_edited_checked_saved_and_used() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "settings",
        |lang, theme| {
            let mut a = app_in(&rt, lang, theme);
            a.open_settings();
            a
        },
        |h, lang| {
            h.get_by_role_and_label(egui::Role::ComboBox, say(lang, "Language", "Idioma"));
            h.get_by_label(say(lang, "Add session type", "Añadir tipo de sesión"));
        },
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut cfg = config(&rt, Err("no history in this test".into()));
    cfg.settings_path = Some(path.clone());
    let mut h = harness(ConsoleApp::new(cfg));
    h.run();
    h.get_by_label("Settings").click();
    h.run();
    // A bad port is refused with a sentence, nothing is saved.
    h.get_by_role_and_label(egui::Role::TextInput, "Listen port").focus();
    h.run();
    h.key_press(egui::Key::Backspace);
    h.get_by_role_and_label(egui::Role::TextInput, "Listen port").type_text("70000");
    h.run();
    h.get_by_label("Save").click();
    h.run();
    h.get_by_label("The port must be a number from 0 to 65535.");
    assert!(!path.exists());
    // A good one, a new session type that needs a code, Spanish and dark: saved and in force.
    h.get_by_role_and_label(egui::Role::TextInput, "Listen port").focus();
    h.run();
    for _ in 0..5 {
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_role_and_label(egui::Role::TextInput, "Listen port").type_text("47000");
    h.run();
    h.get_by_label("Add session type").click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Session type 5").focus();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Session type 5").type_text("Onboarding");
    h.run();
    let Some(d) = &mut h.state_mut().settings_view else { panic!("settings closed") };
    d.settings.session_types[4].tracking_code_required = true;
    d.settings.language = Some(Lang::Es);
    d.settings.theme = ThemeChoice::Dark;
    h.get_by_label("Save").click();
    h.run();
    assert!(h.state().settings_view.is_none(), "saved and closed");
    h.get_by_label("Iniciar una sesión de soporte");
    let saved = Settings::load(&path).unwrap().unwrap();
    assert_eq!(saved.port, 47_000);
    assert_eq!(saved.language, Some(Lang::Es));
    assert_eq!(saved.theme, ThemeChoice::Dark);
    assert_eq!(saved.session_types.last().unwrap().name, "Onboarding");
    assert!(saved.session_types.last().unwrap().tracking_code_required);
    assert_eq!(h.state().settings, saved);
    assert_eq!(h.ctx.theme(), egui::Theme::Dark, "the dark theme is in force");
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
fn control_is_asked_once_shows_the_screen_and_the_csr_stops_what_they_no_longer_need() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let history_dir = tempfile::tempdir().unwrap();
    let mut h = harness(app_with_history(&rt, history_dir.path()));
    h.run();
    h.get_by_label("Start session").click();
    run_until(&mut h, "the session starts", |h| h.query_by_label("Copy link").is_some());
    let Screen::Session(view) = &h.state().screen else { panic!("no session") };
    let invite = view.invites[0].clone();
    let screen = SyntheticSource::new(200, 120, |x, y| [x as u8, y as u8, 99, 0]);
    let sink = RecordingSink::default();
    let (s2, k2) = (screen.clone(), sink.clone());
    let opts = AgentOptions {
        name: "Ana López".into(),
        screen: Arc::new(move || Ok(Box::new(s2.clone()))),
        input: Arc::new(move || Ok(Box::new(k2.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
    };
    let mut agent = rt.block_on(start(invite, opts, Arc::new(|| {}))).unwrap();
    run_until(&mut h, "the customer appears", |h| {
        h.query_by_label("Ana López has joined. Use Remote control to ask to see their screen.").is_some()
    });
    h.get_by_role_and_label(egui::Role::Button, "Remote control").click();
    h.run_steps(2);
    // Control desktop first, without View: one question for both.
    h.get_by_label("Control desktop").click();
    run_until(&mut h, "the request is pending", |_| agent.gate().consent().pending().is_some());
    let asked = agent.gate().consent().pending().unwrap().clone();
    assert_eq!(asked.capability, deskside_proto::Capability::Control);
    agent.answer(asked.request, true);
    run_until(&mut h, "the screen shows under control", |h| {
        h.query_by_label("Ana López's screen").is_some()
            && h.query_by_label("Controlling Ana López's screen: click it to type").is_some()
    });
    // Stop control: the customer's agent ends it and says who did; the picture stays.
    h.get_by_role_and_label(egui::Role::Button, "Stop control").click();
    run_until(&mut h, "control ends on the customer's machine", |_| {
        !agent.gate().allows(deskside_proto::Capability::Control)
    });
    assert!(agent.gate().allows(deskside_proto::Capability::View));
    let ended = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(AgentEvent::GrantEnded { capability, by }) = agent.next_event().await {
                    return (capability, by);
                }
            }
        })
        .await
        .unwrap()
    });
    assert_eq!(ended.0, deskside_proto::Capability::Control);
    run_until(&mut h, "the console shows it", |h| {
        h.query_by_role_and_label(egui::Role::Button, "Stop control").is_none()
    });
    // Stop viewing: nothing is shared any more.
    h.get_by_role_and_label(egui::Role::Button, "Stop viewing").click();
    run_until(&mut h, "viewing ends on the customer's machine", |_| {
        agent.gate().sharing() == deskside_agent::engine::Sharing::Nothing
    });
    run_until(&mut h, "View desktop can be asked again", |h| {
        !h.get_by_label("View desktop").accesskit_node().is_disabled()
    });
    assert!(sink.events().is_empty(), "nothing was typed");
}

/// The live session's system information: asked, allowed, sent without the running programs, shown and searched.
fn live_system_info(h: &mut Harness<'_, ConsoleApp>, agent: &mut AgentHandle) {
    // System information: asked from its panel, allowed, sent (without the running programs),
    // and shown in its own window, searchable.
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
    h.get_by_label("Ana López sent their system information.");
    h.get_by_role_and_label(egui::Role::TextInput, "Search").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Search").type_text("cups");
    h.run_steps(2);
    h.get_by_label("Installed software (1 of 3)");
    h.get_by_label("Save JSON").click();
    h.run_steps(2);
    h.get_by_label_contains("Saved to");
}

/// The live session's chat: counted while the panel is closed, and a line to the customer alone.
fn live_chat(h: &mut Harness<'_, ConsoleApp>, rt: &tokio::runtime::Runtime, agent: &mut AgentHandle) {
    // She writes while the chat is closed: the toolbar counts it.
    assert!(agent.chat(ChatTarget::Everyone, "The printer says offline.".into()));
    run_until(h, "the unread count shows", |h| {
        h.query_by_role_and_label(egui::Role::Button, "Chat, one unread message").is_some()
    });
    h.get_by_role_and_label(egui::Role::Button, "Chat, one unread message").click();
    h.run_steps(2);
    h.get_by_label("The printer says offline.");

    // Chat to her alone.
    h.get_by_role_and_label(egui::Role::ComboBox, "Send to").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::Button, "Ana López").click();
    h.run_steps(2);
    let ana = {
        let Screen::Session(view) = &h.state().screen else { panic!("no session") };
        assert!(matches!(view.chat_to, ChatTarget::Participant(_)), "{:?}", view.chat_to);
        view.chat_to
    };
    h.get_by_role_and_label(egui::Role::TextInput, "Message").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Message").type_text("Can you see the printer icon?");
    h.run_steps(2);
    h.get_by_label("Send").click();
    h.run_steps(2);
    let line = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(AgentEvent::Chat(l)) = agent.next_event().await
                    && l.from == 0
                {
                    return l;
                }
            }
        })
        .await
        .unwrap()
    });
    assert_eq!(line.text, "Can you see the printer icon?");
    assert_eq!(line.to, ana, "sent to her alone");
    run_until(h, "the line shows in the console", |h| h.query_by_label("Can you see the printer icon?").is_some());
}

/// The live session's files: one shared and downloaded, then browse and move files both ways, each move allowed.
fn live_files(h: &mut Harness<'_, ConsoleApp>, rt: &tokio::runtime::Runtime, agent: &mut AgentHandle) {
    // A file shared from the File transfer panel reaches her whole, and the console sees it.
    let csr_files = tempfile::tempdir().unwrap();
    std::fs::write(csr_files.path().join("driver.zip"), vec![7u8; 300_000]).unwrap();
    std::fs::create_dir(csr_files.path().join("Printers")).unwrap();
    h.get_by_role_and_label(egui::Role::Button, "File transfer").click();
    h.run_steps(2);
    if let Screen::Session(view) = &mut h.state_mut().screen {
        view.files.open(csr_files.path().to_owned());
    }
    h.run_steps(2);
    h.get_by_label("📁 Printers");
    h.get_by_label("driver.zip  (293.0 KiB)").click();
    h.run_steps(2);
    h.get_by_label("Share 1 selected").click();
    run_until(h, "the file is shared", |h| h.query_by_label("Ana López has not downloaded it").is_some());
    let offered = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(f) = agent.transfers().offered().into_iter().next() {
                    return f;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap()
    });
    let downloads = tempfile::tempdir().unwrap();
    agent.download(offered.id, downloads.path()).unwrap();
    run_until(h, "the console sees it arrived", |h| h.query_by_label("Ana López downloaded it").is_some());
    assert_eq!(std::fs::read(downloads.path().join("driver.zip")).unwrap(), vec![7u8; 300_000]);

    // Browse and move files: asked, allowed; a file goes to her and one comes back, each allowed.
    h.get_by_label("Browse Ana López's files…").click();
    h.run_steps(2);
    h.get_by_label("Ask to browse and move files").click();
    run_until(h, "browsing is asked", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(
        h,
        "her home folder is listed",
        |h| matches!(&h.state().screen, Screen::Session(v) if v.browse.remote.is_some()),
    );
    // Not under a hidden folder: the agent takes nothing from, and writes nothing into, a hidden
    // folder a CSR names (tempfile's own names start with a dot).
    let hers = tempfile::Builder::new().prefix("deskside-test-").tempdir().unwrap();
    let mine = tempfile::tempdir().unwrap();
    std::fs::write(mine.path().join("setup-guide.pdf"), vec![5u8; 1024]).unwrap();
    let hers_dir = hers.path().canonicalize().unwrap();
    std::fs::write(hers_dir.join("error-log.txt"), b"printer offline since 9:12").unwrap();
    if let Screen::Session(view) = &mut h.state_mut().screen {
        // Where she keeps her files, as her agent would list it.
        view.browse.listed(
            1,
            Ok(deskside_proto::FolderListing {
                path: hers_dir.to_string_lossy().into_owned(),
                parent: None,
                entries: vec![deskside_proto::FolderEntry { name: "error-log.txt".into(), dir: false, size: 26 }],
                truncated: false,
            }),
        );
        view.browse.open_local(mine.path().to_owned());
    }
    h.run_steps(2);
    h.get_by_label("setup-guide.pdf  (1.0 KiB)").click();
    h.run_steps(2);
    h.get_by_label("Send “setup-guide.pdf” to Ana López ➡").click();
    h.run_steps(2);
    let asked = || {
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(20), async {
                loop {
                    if let Some(a) = agent.moves().asks().into_iter().next() {
                        return a.id;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
            .await
            .unwrap()
        })
    };
    agent.answer_move(asked(), true);
    run_until(h, "it arrived", |h| h.query_by_label("done: 1 file").is_some());
    assert_eq!(std::fs::read(hers_dir.join("setup-guide.pdf")).unwrap(), vec![5u8; 1024]);
    run_until(h, "her folder is listed again", |h| h.query_all_by_label("setup-guide.pdf  (1.0 KiB)").count() == 2);
    h.get_by_label("error-log.txt  (26 B)").click();
    h.run_steps(2);
    h.get_by_label("⬅ Copy “error-log.txt” here").click();
    h.run_steps(2);
    agent.answer_move(asked(), true);
    run_until(h, "it came back", |h| h.query_all_by_label("done: 1 file").count() == 2);
    assert_eq!(std::fs::read(mine.path().join("error-log.txt")).unwrap(), b"printer offline since 9:12");
    if let Screen::Session(view) = &mut h.state_mut().screen {
        view.browse.open = false;
    }
    h.run_steps(2);
}

/// The live session's notes, saved as typed and offered again when ending; the summary, the
/// History at once, and the customer told who ended it.
fn live_notes_and_end(h: &mut Harness<'_, ConsoleApp>, rt: &tokio::runtime::Runtime, agent: &mut AgentHandle) {
    // Notes taken during the session are saved as they are typed...
    h.get_by_role_and_label(egui::Role::Button, "Notes").click();
    h.run_steps(2);
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
    run_until(h, "the summary shows", |h| h.query_by_label("Session ended").is_some());
    h.get_by_label("Print queue stuck. Printer driver reinstalled.");
    h.get_by_label("Kept in the session history.");
    // ...and found in the History at once.
    h.get_by_label("History").click();
    run_until(h, "the History opens", |h| h.query_by_label("Session history").is_some());
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
    assert_eq!(why, deskside_agent::engine::CloseReason::EndedBy("Sam Rivera".into()));
}

/// The live session as the history kept it: who took part, the consent, the chat, the notes,
/// the files and the system information.
fn live_history(dir: &std::path::Path) {
    // The session is in the history: who took part, the consent, the chat, the notes.
    let history = deskside_history::History::open(&dir.join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    let found = history.search(&deskside_history::Search { text: "t-7".into(), ..Default::default() }).unwrap();
    assert_eq!(found.len(), 1);
    let record = history.session(found[0].key).unwrap();
    assert_eq!(record.summary.outcome, deskside_history::Outcome::Ended);
    assert_eq!(record.summary.csr_name, "Sam Rivera");
    assert_eq!(record.summary.uid.len(), 32, "the whole session id");
    assert_eq!(record.summary.customers, vec!["Ana López".to_owned()]);
    assert!(record.consents.iter().any(|c| c.capability == "view screen" && c.granted));
    assert_eq!(record.chat.last().unwrap().text, "Can you see the printer icon?");
    assert_eq!(record.chat.last().unwrap().to_label, "Ana López");
    assert!(record.chat.iter().any(|c| c.text == "The printer says offline." && c.to_label == "everyone"));
    assert_eq!(record.notes, "Print queue stuck.");
    assert_eq!(record.end_notes, "Print queue stuck. Printer driver reinstalled.");
    assert!(record.participants.iter().all(|p| p.left_ms.is_some()));
    assert_eq!(record.inventories.len(), 1, "the system information is kept with the session");
    let file = &record.files[0];
    assert_eq!((file.name.as_str(), file.size, file.direction.as_str()), ("driver.zip", 300_000, "to customer"));
    assert_eq!((file.who.as_str(), file.outcome.as_str()), ("Ana López", "done"));
    assert_eq!(file.sha256.len(), 64);
    let moved: Vec<(&str, &str, &str)> =
        record.files[1..].iter().map(|f| (f.name.as_str(), f.direction.as_str(), f.outcome.as_str())).collect();
    assert_eq!(moved, vec![("setup-guide.pdf", "to customer", "done"), ("error-log.txt", "from customer", "done")]);
    assert!(record.consents.iter().any(|c| c.capability == "browse and move files" && c.granted));
    assert_eq!(record.inventories[0].inventory["sections"][2]["rows"][1][0], "cups");
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
    let invite = view.invites[0].clone();

    // An invite for another CSR joins the open ones, and can be revoked.
    h.get_by_label("Support representative").click();
    h.run_steps(2);
    h.get_by_label("No open invite of this kind. Make one with New invite.");
    h.get_by_label("New invite").click();
    h.run_steps(2);
    h.get_by_label("Copy link");
    assert_eq!(h.query_all_by_label("Revoke").count(), 2);
    let csr_invite = {
        let Screen::Session(view) = &h.state().screen else { panic!("no session") };
        view.invites[1].clone()
    };
    assert_eq!(csr_invite.role, InviteRole::Csr);
    h.query_all_by_label("Revoke").last().unwrap().click();
    h.run_steps(2);
    assert_eq!(h.query_all_by_label("Revoke").count(), 1);

    // A real agent joins with the invite the console shows.
    let screen = SyntheticSource::new(200, 120, |x, y| [x as u8, y as u8, 99, 0]);
    let sink = RecordingSink::default();
    let (s2, k2) = (screen.clone(), sink.clone());
    let opts = AgentOptions {
        name: "Ana López".into(),
        screen: Arc::new(move || Ok(Box::new(s2.clone()))),
        input: Arc::new(move || Ok(Box::new(k2.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
    };
    let mut agent = rt.block_on(start(invite, opts, Arc::new(|| {}))).unwrap();
    run_until(&mut h, "the customer appears", |h| {
        h.query_by_label("Ana López has joined. Use Remote control to ask to see their screen.").is_some()
    });
    // The invite she used is no longer open.
    run_until(&mut h, "the used invite leaves the list", |h| h.query_by_label("Revoke").is_none());

    // Her connection's quality shows in Participants.
    h.get_by_role_and_label(egui::Role::Button, "Participants").click();
    run_until(&mut h, "the link quality shows", |h| h.query_by_label_contains(" % lost").is_some());

    // View desktop from Remote control; the customer allows; the screen shows.
    h.get_by_role_and_label(egui::Role::Button, "Remote control").click();
    h.run_steps(2);
    h.get_by_label("View desktop").click();
    run_until(&mut h, "the request is pending", |_| agent.gate().consent().pending().is_some());
    h.get_by_label("Waiting for Ana López to answer your request");
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "the screen shows", |h| h.query_by_label("Ana López's screen").is_some());
    h.get_by_label("Ana López allowed you to view their screen.");

    // Control too; Ctrl+Alt+Del from the key menu reaches her computer.
    h.get_by_label("Control desktop").click();
    run_until(&mut h, "the control request is pending", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "control is granted", |h| h.query_by_label("Send keys").is_some());
    h.get_by_label("Send keys").click();
    h.run_steps(2);
    h.get_by_label("Ctrl+Alt+Del").click();
    let cad = InputEvent::Key {
        key: Key::Delete,
        down: true,
        modifiers: Modifiers { ctrl: true, alt: true, shift: false, meta: false },
    };
    run_until(&mut h, "Ctrl+Alt+Del is injected", |_| sink.events().contains(&cad));

    live_system_info(&mut h, &mut agent);

    live_chat(&mut h, &rt, &mut agent);

    live_files(&mut h, &rt, &mut agent);

    live_notes_and_end(&mut h, &rt, &mut agent);

    // The next session starts from the same name, organisation and type, with a new tracking code.
    h.get_by_label("Start another session").click();
    h.run_steps(2);
    let Screen::Start(form) = &h.state().screen else { panic!("not on the start form") };
    assert_eq!((form.csr_name.as_str(), form.organisation.as_str()), ("Sam Rivera", "Acme Support"));
    assert_eq!(form.tracking_code, "");

    drop(h); // the recorder writes what is still queued
    live_history(history_dir.path());
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

/// A console in `lang` and `theme` showing the History kept in `dir`.
fn history_open(rt: &tokio::runtime::Runtime, dir: &std::path::Path, lang: Lang, theme: ThemeChoice) -> ConsoleApp {
    let mut a = app_with_history(rt, dir);
    a.settings.language = Some(lang);
    a.settings.theme = theme;
    a.open_history();
    a
}

#[test]
fn history_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    filled_history(dir.path());
    every_look(
        "history",
        |lang, theme| history_open(&rt, dir.path(), lang, theme),
        |h, lang| {
            h.get_by_label(say(lang, "Session history", "Historial de sesiones"));
            h.get_by_label(say(lang, "ended unexpectedly", "terminó inesperadamente"));
        },
    );
}

#[test]
fn history_session_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    filled_history(dir.path());
    every_look(
        "history_session",
        |lang, theme| history_open(&rt, dir.path(), lang, theme),
        |h, lang| {
            h.query_all_by_label(say(lang, "Open", "Abrir")).last().unwrap().click();
            h.run();
            h.get_by_label("General support · T-1042");
            h.get_by_label(say(
                lang,
                "2026-11-25 14:07 Ana López allowed: view screen",
                "2026-11-25 14:07 Ana López permitió: ver la pantalla",
            ));
        },
    );
}

#[test]
fn the_toolbar_is_reachable_by_keyboard_alone() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Invite, session_view(Grants::default())));
    h.run();
    let mut tabs = 0;
    while !h.get_by_role_and_label(egui::Role::Button, "Participants").is_focused() {
        h.key_press(egui::Key::Tab);
        h.run();
        tabs += 1;
        assert!(tabs < 30, "Tab never reached Participants");
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let Screen::Session(v) = &h.state().screen else { panic!("no session") };
    assert_eq!(v.tool, Tool::Participants, "Enter on a focused tool opens it");
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

#[test]
fn system_information_report() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "system_info",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.reports.push(deskside_console::inventory_ui::ReportView::new(
                "Ana López",
                T0 + 120_000,
                fixed_inventory(),
            ));
            in_session(&rt, lang, theme, Tool::SystemInfo, view)
        },
        |h, lang| {
            h.get_by_label(say(lang, "System information: Ana López", "Información del sistema: Ana López"));
            h.get_by_label(say(lang, "Host name", "Nombre del equipo"));
            h.get_by_label("ana-laptop");
            h.get_by_label(say(lang, "Ask Ana López", "Pedir a Ana López"));
        },
    );
}

#[test]
fn making_a_secondary_customer_primary_from_participants() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(app(&rt));
    h.run();
    h.get_by_label("Start session").click();
    run_until(&mut h, "the session starts", |h| h.query_by_label("Copy link").is_some());
    let first = {
        let Screen::Session(view) = &h.state().screen else { panic!("no session") };
        view.invites[0].clone()
    };
    let second = h.state().host().unwrap().invite(InviteRole::Customer, 60_000).unwrap();
    let opts = |name: &str| {
        let screen = SyntheticSource::new(64, 48, |x, y| [x as u8, y as u8, 40, 0]);
        let sink = RecordingSink::default();
        AgentOptions {
            name: name.into(),
            screen: Arc::new(move || Ok(Box::new(screen.clone()))),
            input: Arc::new(move || Ok(Box::new(sink.clone()))),
            windows: Arc::new(deskside_platform::desktop_windows),
            disk: Arc::new(deskside_agent::transfer::RealDisk),
            max_fps: 30,
        }
    };
    let ana = rt.block_on(start(first, opts("Ana López"), Arc::new(|| {}))).unwrap();
    let ben = rt.block_on(start(second, opts("Ben Ortiz"), Arc::new(|| {}))).unwrap();
    h.get_by_role_and_label(egui::Role::Button, "Participants").click();
    run_until(&mut h, "both customers show", |h| h.query_by_label("Make primary").is_some());
    h.run_steps(4);
    h.get_by_label("Make primary").click();
    run_until(&mut h, "Ben is primary", |h| {
        let Screen::Session(v) = &h.state().screen else { return false };
        v.primary().is_some_and(|p| p.name == "Ben Ortiz")
    });
    // Now Ana is the one offered "Make primary", and the screen is Ben's to ask for.
    run_until(&mut h, "Ana is secondary", |h| {
        h.query_by_label("Make primary").is_some() && h.query_by_label("secondary customer").is_some()
    });
    h.get_by_role_and_label(egui::Role::Button, "Remote control").click();
    h.run_steps(2);
    h.get_by_label("View desktop").click();
    run_until(&mut h, "Ben is asked", |_| ben.gate().consent().pending().is_some());
    assert!(ana.gate().consent().pending().is_none(), "the old primary is not asked");
}

/// Kim pastes what is not an invite, then a customer's: each said plainly, nothing dialled; then
/// her colleague's invite, and joins.
fn paste_invites(h: &mut Harness<'_, ConsoleApp>, customer_link: &str, colleague_link: &str) {
    // Not an invite, or a customer's: said plainly, nothing dialled.
    for (text, said) in [
        ("hello", "That is not a Deskside invite: "),
        (customer_link, "That invite is for a customer. Ask your colleague for a support-representative invite."),
    ] {
        if let Screen::Start(form) = &mut h.state_mut().screen {
            form.csr_name = "Kim Lee".into();
            form.join_text = text.into();
        }
        h.run_steps(2);
        h.get_by_label("Join").click();
        h.run_steps(2);
        h.get_by_label_contains(said);
    }
    if let Screen::Start(form) = &mut h.state_mut().screen {
        colleague_link.clone_into(&mut form.join_text);
    }
    h.run_steps(2);
    h.get_by_label("Join").click();
}

/// Kim's chat to the support representatives reaches Sam, not Ana.
fn chat_to_csrs(
    h: &mut Harness<'_, ConsoleApp>,
    rt: &tokio::runtime::Runtime,
    host: &mut deskside_net::host::HostHandle,
) {
    use deskside_net::host::HostEvent;
    h.get_by_label("All support representatives").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Message").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Message").type_text("I know this driver.");
    h.run_steps(2);
    h.get_by_label("Send").click();
    h.run_steps(2);
    let line = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(HostEvent::Chat(line)) = host.next_event().await {
                    return line;
                }
            }
        })
        .await
        .unwrap()
    });
    assert_eq!(
        (line.from_name.as_str(), line.text.as_str(), line.to),
        ("Kim Lee", "I know this driver.", ChatTarget::Csrs)
    );
}

/// Sam's console hosting a session of its own, for a colleague to join.
fn sams_host(rt: &tokio::runtime::Runtime) -> deskside_net::host::HostHandle {
    use deskside_net::host::{HostConfig, start_host};
    rt.block_on(async {
        start_host(
            HostConfig {
                bind: "127.0.0.1:0".parse().unwrap(),
                identity: Identity::load_or_create(tempfile::tempdir().unwrap().path()).unwrap(),
                session: deskside_session::SessionConfig {
                    id: SessionId([4; 16]),
                    csr_name: "Sam Rivera".into(),
                    organisation: "Acme Support".into(),
                    session_type: "General support".into(),
                    tracking_code: "T-9".into(),
                },
            },
            Arc::new(|| {}),
        )
    })
    .unwrap()
}

#[test]
fn a_colleague_joins_from_their_own_console_takes_control_and_then_the_whole_session() {
    use deskside_net::host::{HostCommand, HostEvent};
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Sam's console hosts the session; Ana's agent is in it.
    let mut host = sams_host(&rt);
    let screen = SyntheticSource::new(160, 100, |x, y| [x as u8, y as u8, 200, 0]);
    let sink = RecordingSink::default();
    let (s2, k2) = (screen.clone(), sink.clone());
    let opts = AgentOptions {
        name: "Ana López".into(),
        screen: Arc::new(move || Ok(Box::new(s2.clone()))),
        input: Arc::new(move || Ok(Box::new(k2.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
    };
    let customer = host.invite(InviteRole::Customer, 600_000).unwrap();
    let customer_link = customer.to_link();
    let agent = rt.block_on(start(customer, opts, Arc::new(|| {}))).unwrap();
    let colleague = host.invite(InviteRole::Csr, 600_000).unwrap();

    // Kim pastes the invite Sam sent and joins from her console.
    let kim_history = tempfile::tempdir().unwrap();
    let mut app = app_with_history(&rt, kim_history.path());
    app.settings.display_name = "Kim Lee".into();
    let mut h = harness(app);
    h.run();
    paste_invites(&mut h, &customer_link, &colleague.to_link());
    run_until(&mut h, "she is in", |h| h.query_by_label("In Sam Rivera's session").is_some());
    h.get_by_label("Sam Rivera is in control. You see the session and chat; they may hand control to you.");
    h.get_by_label("Ana López");
    h.get_by_label(
        "Nothing is shared yet. The screen shows here when the customer allows the CSR in control to see it.",
    );
    let kim = {
        let Screen::Joined(view) = &h.state().screen else { panic!("not joined") };
        view.me
    };

    // Sam asks to see Ana's screen; she allows; Kim sees it too, pixel for pixel as Sam does.
    host.send(HostCommand::Request { to: 1, capability: deskside_proto::Capability::View }).unwrap();
    run_until(&mut h, "the request is pending", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "Kim sees the screen", |h| h.query_by_label("Viewing Ana López's screen").is_some());
    run_until(&mut h, "the whole picture arrived", |h| {
        let Screen::Joined(view) = &h.state().screen else { return false };
        let (mine, sams) = (view.link.screen().lock().unwrap(), host.screen().lock().unwrap());
        mine.width == 160 && mine.height == 100 && mine.rgba == sams.rgba
    });
    // The pointer too, with its picture.
    {
        let mut sams = host.screen().lock().unwrap();
        sams.cursor = Some((30, 40));
        sams.cursor_shape = Some(arrow());
        sams.cursor_generation += 1;
    }
    run_until(&mut h, "the pointer arrived", |h| {
        let Screen::Joined(view) = &h.state().screen else { return false };
        let mine = view.link.screen().lock().unwrap();
        mine.cursor == Some((30, 40)) && mine.cursor_shape == Some(arrow())
    });
    h.run_steps(2);
    h.snapshot("console_joined_en_light");

    chat_to_csrs(&mut h, &rt, &mut host);

    // Sam hands control to Kim: she asks Ana for control, Ana allows, Kim's click reaches Ana.
    host.send(HostCommand::TransferControl { to: kim }).unwrap();
    run_until(&mut h, "Kim is in control", |h| h.query_by_label_contains("You are in control").is_some());
    h.get_by_label("Ask to control their mouse and keyboard").click();
    run_until(&mut h, "Ana is asked", |_| agent.gate().consent().pending().is_some());
    assert_eq!(agent.gate().consent().pending().unwrap().from_name, "Kim Lee");
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "Kim controls", |h| h.query_by_label("Controlling Ana López's screen").is_some());
    assert!(h.query_by_label("Waiting for Ana López to answer your request").is_none(), "answered");
    h.get_by_label("Ana López's screen").click();
    run_until(&mut h, "the click reaches Ana's computer", |_| {
        sink.events().iter().any(|e| matches!(e, InputEvent::MouseButton { down: true, .. }))
    });

    // Sam hands the whole session to Kim and leaves: Kim's console hosts it with the chat and
    // the notes, and Ana comes back there by herself, still allowing control.
    host.send(HostCommand::HandOver { notes: "Driver reinstall pending.".into() }).unwrap();
    run_until(&mut h, "Kim hosts it", |h| matches!(h.state().screen, Screen::Session(_)));
    h.run_steps(2);
    h.get_by_label("You host this session now: everyone comes back here by themselves, with what they allowed.");
    run_until(&mut h, "Ana is back, at Kim's", |h| {
        let Screen::Session(v) = &h.state().screen else { return false };
        v.participants.iter().any(|p| p.name == "Ana López" && p.present && !p.away && p.grants.control)
    });
    assert!(agent.gate().consent().pending().is_none(), "nothing asked again");
    {
        let Screen::Session(v) = &h.state().screen else { panic!("not hosting") };
        assert_eq!(v.notes, "Driver reinstall pending.");
        assert!(v.chat.iter().any(|l| l.text == "I know this driver."));
        assert!(v.participants.iter().any(|p| p.name == "Sam Rivera" && !p.present), "Sam left");
    }
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(HostEvent::HandedOver { to_name }) = host.next_event().await {
                    return to_name;
                }
            }
        })
        .await
        .unwrap()
    });

    // Kim ends it from her console, as its host.
    h.get_by_label("End session…").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::Button, "End session").click();
    run_until(&mut h, "it ended", |h| h.query_by_label("Session ended").is_some());
    run_until(&mut h, "Ana hears it", |_| agent.gate().consent().grants().is_empty());

    // Kim's history holds the session with what was said and noted before she took it over.
    drop(h);
    let history =
        deskside_history::History::open(&kim_history.path().join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    let found = history.search(&deskside_history::Search { text: "t-9".into(), ..Default::default() }).unwrap();
    let record = history.session(found[0].key).unwrap();
    assert!(record.chat.iter().any(|c| c.text == "I know this driver."));
    assert_eq!(record.notes, "Driver reinstall pending.");
    assert_eq!(record.summary.csr_name, "Kim Lee");
}

#[test]
fn the_hosting_console_hands_its_session_to_the_colleague_in_control_and_the_customer_follows() {
    use deskside_net::host::{HostConfig, start_host_from};
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Sam starts a session from his console; Ana joins with its invite and allows viewing.
    let mut h = harness(app(&rt));
    h.run();
    h.get_by_label("Start session").click();
    run_until(&mut h, "the session starts", |h| h.query_by_label("Copy link").is_some());
    let Screen::Session(view) = &h.state().screen else { panic!("no session") };
    let invite = view.invites[0].clone();
    let screen = SyntheticSource::new(64, 48, |x, y| [x as u8, y as u8, 50, 0]);
    let (s2, k2) = (screen.clone(), RecordingSink::default());
    let opts = AgentOptions {
        name: "Ana López".into(),
        screen: Arc::new(move || Ok(Box::new(s2.clone()))),
        input: Arc::new(move || Ok(Box::new(k2.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
    };
    let agent = rt.block_on(start(invite, opts, Arc::new(|| {}))).unwrap();
    run_until(&mut h, "Ana is in", |h| h.query_by_label_contains("Ana López has joined").is_some());
    h.get_by_role_and_label(egui::Role::Button, "Remote control").click();
    h.run_steps(2);
    h.get_by_label("View desktop").click();
    run_until(&mut h, "Ana is asked", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "Sam sees her screen", |h| h.query_by_label("Ana López's screen").is_some());

    // Kim joins from her console (here, the link her console keeps) and Sam hands her control.
    h.get_by_role_and_label(egui::Role::Button, "Invite").click();
    h.run_steps(2);
    h.get_by_label("Support representative").click();
    h.run_steps(2);
    h.get_by_label("New invite").click();
    h.run_steps(2);
    let csr_invite = {
        let Screen::Session(view) = &h.state().screen else { panic!("no session") };
        view.invites.iter().find(|i| i.role == InviteRole::Csr).unwrap().clone()
    };
    let kim = rt
        .block_on(deskside_net::guest::join(
            &csr_invite,
            "Kim Lee",
            deskside_proto::AppKind::Console,
            deskside_net::now_ms() / 1000,
        ))
        .unwrap();
    let kim = {
        let _rt = rt.enter();
        deskside_net::CsrLink::serve(kim, Arc::new(|| {}))
    };
    h.get_by_role_and_label(egui::Role::Button, "Participants").click();
    run_until(&mut h, "Kim is listed", |h| h.query_by_label("Kim Lee").is_some());
    // Both links' quality shows first, so the rows stay where they are when clicked.
    run_until(&mut h, "the links' quality shows", |h| h.query_all_by_label_contains(" % lost").count() == 2);
    h.get_by_label("Transfer control").click();
    run_until(&mut h, "Kim is in control", |h| h.query_by_label("Hand the session to Kim Lee and leave").is_some());

    // Sam hands the session over and leaves; Kim's console hosts it; Ana follows, still sharing.
    h.get_by_label("Hand the session to Kim Lee and leave").click();
    h.run_steps(2);
    let state = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(s) = kim.take_hand_over() {
                    return s;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap()
    });
    let cfg = HostConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: Identity::generate().unwrap(),
        session: deskside_session::SessionConfig {
            id: state.session,
            csr_name: "Kim Lee".into(),
            organisation: String::new(),
            session_type: String::new(),
            tracking_code: String::new(),
        },
    };
    let kim_host = {
        let _rt = rt.enter();
        start_host_from(cfg, &state, Arc::new(|| {})).unwrap()
    };
    assert!(kim.send(deskside_proto::ToHost::HostReady {
        addrs: vec![kim_host.local_addr()],
        fingerprint: kim_host.fingerprint()
    }));
    run_until(&mut h, "Sam's console shows the summary", |h| {
        h.query_by_label_contains("Handed over to Kim Lee, who hosts the session now.").is_some()
    });
    run_until(&mut h, "Ana's screen reaches Kim's console", |_| kim_host.screen().lock().unwrap().active);
    assert!(agent.gate().allows(deskside_proto::Capability::View), "she still allows it, asked nothing");
    assert!(agent.gate().consent().pending().is_none());
}
