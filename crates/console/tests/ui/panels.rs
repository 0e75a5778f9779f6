//! Every screen and panel rendered from fixed data, in both languages and both themes, and the settings.

use super::*;

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
                    id: ParticipantId(4),
                    name: "Kim Lee".into(),
                    role: Role::Csr,
                    grants: Grants::default(),
                    present: true,
                    away: false,
                },
            );
            view.quality.push(LinkQuality {
                participant: ParticipantId(4),
                rtt_ms: 48,
                loss_permille: 0,
                relayed: false,
            });
            view.participants.push(ParticipantInfo {
                id: ParticipantId(3),
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
            h.get_by_label(say(lang, "direct · 48 ms · 0.0 % lost", "directa · 48 ms · 0.0 % perdido"));
            h.get_by_label(say(lang, "primary customer", "cliente principal"));
            h.get_by_label(say(lang, "secondary customer, left", "cliente secundario, se fue"));
            h.get_by_label(say(lang, "connection lost, reconnecting…", "conexión perdida, reconectando…"));
            // The CSR in control can hand the session to the other CSR (and to nobody else).
            assert_eq!(h.query_all_by_label(say(lang, "Transfer control", "Transferir el control")).count(), 1);
            h.get_by_label(say(lang, "direct · 24 ms · 0.0 % lost", "directa · 24 ms · 0.0 % perdido"));
            h.get_by_label(say(lang, "via relay · 310 ms · 3.1 % lost", "por el relé · 310 ms · 3.1 % perdido"));
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
            view.files.offered = vec![f(FileId(1), "setup.exe", 80_000_000), f(FileId(2), "notes.txt", 1_200)];
            view.files.hashing.insert("big-backup.tar".into(), (300_000_000, 1_000_000_000));
            // Ana is half way through setup.exe, at 4 MB/s since 10 s ago; Ben has notes.txt.
            let p = Progress {
                participant: ParticipantId(1),
                file: FileId(1),
                done: 40_000_000,
                from: 0,
                total: 80_000_000,
            };
            view.files.progress.insert((ParticipantId(1), FileId(1)), (view.now_ms - 10_000, 0, p));
            view.files.done(ParticipantId(2), FileId(2), FileOutcome::Done);
            view.files.done(ParticipantId(1), FileId(2), FileOutcome::Failed(deskside_proto::FileProblem::DiskFull));
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
                "Ana López: falló (no hay espacio suficiente en el disco)",
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
    view.browse.open_for(ParticipantId(1));
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
        let mut m = MoveInfo::new(id, ParticipantId(1), direction, name.into(), state, 0);
        m.files = 1;
        m.bytes = 2_500_000;
        m
    };
    let mut moving = m(MoveId(4), Direction::Push, "driver.zip", MoveState::Moving);
    (moving.done, moving.bytes_per_s) = (1_000_000, 500_000);
    let mut pulled = m(MoveId(2), Direction::Pull, "Scans", MoveState::Done);
    (pulled.files, pulled.saved) = (12, 12);
    view.browse.moves = vec![
        m(MoveId(1), Direction::Push, "setup.exe", MoveState::Refused(deskside_proto::FileProblem::Refused)),
        pulled,
        m(MoveId(3), Direction::Pull, "printer-log.txt", MoveState::Asking),
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
            h.get_by_label(say(lang, "not moved: Ana López refused it", "no se movió: Ana López lo rechazó"));
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
            view.chat_to = ChatTarget::Participant(ParticipantId(1));
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
        id: ParticipantId(4),
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
        id: ParticipantId(4),
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
fn a_slow_customer_line_is_said_above_the_picture_while_it_lasts() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for lang in [Lang::En, Lang::Es] {
        let view = session_view(Grants { view: true, control: true, ..Grants::default() });
        let screen = view.screen.clone();
        screen.lock().unwrap().reduced = true;
        let mut h = harness(in_session(&rt, lang, ThemeChoice::Light, Tool::RemoteControl, view));
        h.run();
        let words = say(lang, "Slow connection: the picture is reduced", "Conexión lenta: la imagen se reduce");
        h.get_by_label(words);
        if lang == Lang::En {
            h.snapshot("console_slow_line_en_light");
        }
        // The line recovered: the words go.
        screen.lock().unwrap().reduced = false;
        h.run();
        assert!(h.query_by_label(words).is_none(), "said only while it lasts");
    }
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
                why: None,
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
    // A relay without its token is refused with a sentence; with it, it is kept.
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Team relays").focus();
    h.run();
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Team relays").type_text("https://relay.acme.example");
    h.run();
    h.get_by_label("Save").click();
    h.run();
    h.get_by_label("The relay token must be 16 to 128 letters, digits, '-', '_' or '.', and relays need one.");
    assert!(!path.exists());
    h.get_by_role_and_label(egui::Role::PasswordInput, "Relay token").focus();
    h.run();
    h.get_by_role_and_label(egui::Role::PasswordInput, "Relay token").type_text("acme-support-7Gf2kQ9xLm4Rt8Wz");
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
    assert_eq!(
        (saved.relays.clone(), saved.relay_token.as_str()),
        (vec!["https://relay.acme.example".to_owned()], "acme-support-7Gf2kQ9xLm4Rt8Wz")
    );
    assert_eq!(saved.language, Some(Lang::Es));
    assert_eq!(saved.theme, ThemeChoice::Dark);
    assert_eq!(saved.session_types.last().unwrap().name, "Onboarding");
    assert!(saved.session_types.last().unwrap().tracking_code_required);
    assert_eq!(h.state().settings, saved);
    assert_eq!(h.ctx.theme(), egui::Theme::Dark, "the dark theme is in force");
}

#[test]
fn a_listen_port_another_program_holds_is_said_plainly() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let taken = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    let mut a = app(&rt);
    a.settings.port = taken.local_addr().unwrap().port();
    let mut h = harness(a);
    h.run();
    h.get_by_label("Start session").click();
    let port = taken.local_addr().unwrap().port();
    let words = format!(
        "Cannot start the session: port {port} is in use by another program. Choose another listen port in Settings"
    );
    run_until(&mut h, "the port's problem is said", |h| h.query_by_label_contains(&words).is_some());
    assert!(matches!(h.state().screen, Screen::Start(_)), "still on the start screen");
}

#[test]
fn a_relay_that_does_not_answer_does_not_freeze_the_start_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A relay that takes the connection and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut a = app(&rt);
    a.settings.relays = vec![format!("http://{}", silent.local_addr().unwrap())];
    a.settings.relay_token = "acme-support-7Gf2kQ9xLm4Rt8Wz".into();
    let mut h = harness(a);
    h.run();
    h.get_by_label("Start session").click();
    // The window keeps drawing while the console waits for its relay, and says what it is doing.
    for _ in 0..5 {
        h.step();
    }
    let button = h.get_by_label("Starting the session…");
    assert!(button.accesskit_node().is_disabled(), "one session at a time");
    run_until(&mut h, "the session starts without its relay", |h| h.query_by_label("Copy link").is_some());
    drop(silent);
}
