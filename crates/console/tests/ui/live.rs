//! Live sessions against a real agent over loopback QUIC, driven from the console.

use super::*;
use deskside_agent::engine::Event;

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
    let opts = ana_options(&screen, &sink);
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
    let ended = agent_event(&rt, &mut agent, |e| match e {
        AgentEvent::Session(Event::GrantEnded { capability, by }) => Some((*capability, by.clone())),
        _ => None,
    });
    assert_eq!(ended.0, deskside_proto::Capability::Control);
    run_until(&mut h, "the console shows it", |h| {
        h.query_by_role_and_label(egui::Role::Button, "Stop control").is_none()
    });
    h.get_by_label("You stopped controlling Ana López's screen; you still see it.");
    // Stop viewing: nothing is shared any more.
    h.get_by_role_and_label(egui::Role::Button, "Stop viewing").click();
    run_until(&mut h, "viewing ends on the customer's machine", |_| {
        agent.gate().sharing() == deskside_agent::engine::Sharing::Nothing
    });
    h.get_by_label("You stopped viewing Ana López's screen. Ask again from Remote control to see it.");
    assert!(h.query_by_label_contains("Paused").is_none(), "the CSR stopped it, not the customer");
    run_until(
        &mut h,
        "the picture goes",
        |h| matches!(&h.state().screen, Screen::Session(v) if !v.viewer.has_picture()),
    );
    assert!(h.query_by_label("Ana López's screen").is_none());
    run_until(&mut h, "View desktop can be asked again", |h| {
        !h.get_by_label("View desktop").accesskit_node().is_disabled()
    });
    assert!(sink.events().is_empty(), "nothing was typed");
}

/// The live session's system information: asked, allowed, sent without the running programs, shown and searched.
fn live_system_info(h: &mut Harness<'_, ConsoleApp>, agent: &mut AgentHandle) {
    // System information: asked from its panel, allowed, sent (without the running programs),
    // and shown in its own window, searchable.
    ana_sends_system_info(h, agent);
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
    let line = agent_event(rt, agent, |e| match e {
        AgentEvent::Session(Event::Chat(l)) if l.from == ParticipantId(0) => Some(l.clone()),
        _ => None,
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
    browse_these(h, &hers_dir, mine.path());
    h.get_by_label("setup-guide.pdf  (1.0 KiB)").click();
    h.run_steps(2);
    h.get_by_label("Send “setup-guide.pdf” to Ana López ➡").click();
    h.run_steps(2);
    let asked = || {
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(20), async {
                loop {
                    if let Some(a) = agent.move_asks().into_iter().next() {
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
    let why = agent_event(rt, agent, |e| match e {
        AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
        _ => None,
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
    let opts = ana_options(&screen, &sink);
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
