//! Team sessions: promoting a customer, a colleague joining from their own console, hand-over.

use super::*;

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
            trust: None,
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
        ("hello", "That is not a Deskside invite: check that the whole link or code was pasted, nothing more."),
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
    // The same chat as the hosting console's: whom to write to, then the line.
    h.get_by_role_and_label(egui::Role::Button, "Chat").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::ComboBox, "Send to").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::Button, "All support representatives").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Message").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Message").type_text("I know this driver.");
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

/// Kim, in control on her own console, uses the same tools as the hosting console: Ana's system
/// information reaches her through Sam's console, and Sam's console makes her invite.
fn colleague_tools(h: &mut Harness<'_, ConsoleApp>, agent: &deskside_agent::engine::AgentHandle) {
    // Kim asks for Ana's system information from her own System info panel: it reaches her
    // console through Sam's.
    ana_sends_system_info(h, agent);

    // Kim shares a file from her own computer: Sam's console fetches it, checks it and offers
    // it; Ana downloads exactly its bytes, and Kim's panel says so.
    let kims_files = tempfile::Builder::new().prefix("deskside-kim-").tempdir().unwrap();
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(kims_files.path().join("driver-notes.txt"), &content).unwrap();
    h.get_by_role_and_label(egui::Role::Button, "File transfer").click();
    h.run_steps(2);
    if let Screen::Session(v) = &mut h.state_mut().screen {
        v.files.open(kims_files.path().to_owned());
    }
    h.run_steps(2);
    h.get_by_label_contains("driver-notes.txt").click();
    h.run_steps(2);
    h.get_by_label("Share 1 selected").click();
    let offered = |agent: &deskside_agent::engine::AgentHandle| {
        agent.transfers().offered().into_iter().find(|f| f.name == "driver-notes.txt")
    };
    run_until(h, "Ana is offered Kim's file", |_| offered(agent).is_some());
    let file = offered(agent).unwrap();
    let downloads = tempfile::Builder::new().prefix("deskside-ana-").tempdir().unwrap();
    agent.download(file.id, downloads.path()).unwrap();
    let arrived = downloads.path().join("driver-notes.txt");
    run_until(h, "the file arrives whole", |_| std::fs::read(&arrived).is_ok_and(|b| b == content));
    run_until(h, "Kim's panel says Ana has it", |h| h.query_by_label("Ana López downloaded it").is_some());
    colleague_moves(h, agent);

    // Kim, in control, makes an invite from her own Invite panel: Sam's console makes it for her.
    h.get_by_role_and_label(egui::Role::Button, "Invite").click();
    h.run_steps(2);
    h.get_by_label("New invite").click();
    run_until(h, "the invite arrives", |h| {
        let Screen::Session(v) = &h.state().screen else { return false };
        v.invites.iter().any(|i| i.role == InviteRole::Customer && i.session == SessionId([4; 16]))
    });
}

/// Kim, in control on her own console, browses Ana's files and moves one each way: through
/// Sam's console, each allowed by Ana, and her board says when each is done.
fn colleague_moves(h: &mut Harness<'_, ConsoleApp>, agent: &deskside_agent::engine::AgentHandle) {
    h.get_by_label("Browse Ana López's files…").click();
    h.run_steps(2);
    h.get_by_label("Ask to browse and move files").click();
    run_until(h, "browsing is asked", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(
        h,
        "Ana's home folder reaches Kim through Sam's console",
        |h| matches!(&h.state().screen, Screen::Session(v) if v.browse.remote.is_some()),
    );
    // Not under a hidden folder: the agent takes nothing from, and writes nothing into, a hidden
    // folder a CSR names (tempfile's own names start with a dot).
    let hers = tempfile::Builder::new().prefix("deskside-test-").tempdir().unwrap();
    let hers_dir = hers.path().canonicalize().unwrap();
    std::fs::write(hers_dir.join("error-log.txt"), b"printer offline since 9:12").unwrap();
    let mine = tempfile::Builder::new().prefix("deskside-kim-").tempdir().unwrap();
    std::fs::write(mine.path().join("fix.reg"), vec![3u8; 2048]).unwrap();
    browse_these(h, &hers_dir, mine.path());
    h.get_by_label("fix.reg  (2.0 KiB)").click();
    h.run_steps(2);
    h.get_by_label("Send “fix.reg” to Ana López ➡").click();
    run_until(h, "Ana is asked to take Kim's file", |_| !agent.move_asks().is_empty());
    let ask = agent.move_asks().remove(0);
    agent.answer_move(ask.id, true);
    run_until(h, "it arrived", |h| h.query_by_label("done: 1 file").is_some());
    assert_eq!(std::fs::read(hers_dir.join("fix.reg")).unwrap(), vec![3u8; 2048]);
    h.get_by_label("error-log.txt  (26 B)").click();
    h.run_steps(2);
    h.get_by_label("⬅ Copy “error-log.txt” here").click();
    run_until(h, "Ana is asked to give Kim her file", |_| !agent.move_asks().is_empty());
    let ask = agent.move_asks().remove(0);
    assert_eq!(ask.from_name, "Kim Lee", "asked in Kim's name");
    agent.answer_move(ask.id, true);
    run_until(h, "it came back to Kim", |h| h.query_all_by_label("done: 1 file").count() == 2);
    assert_eq!(std::fs::read(mine.path().join("error-log.txt")).unwrap(), b"printer offline since 9:12");
    if let Screen::Session(view) = &mut h.state_mut().screen {
        view.browse.open = false;
    }
    h.run_steps(2);
}

/// Sam's console hosting a session of its own, for a colleague to join.
fn sams_host(rt: &tokio::runtime::Runtime) -> deskside_net::host::HostHandle {
    use deskside_net::host::{HostConfig, start_host};
    rt.block_on(async {
        start_host(
            HostConfig {
                bind: "127.0.0.1:0".parse().unwrap(),
                identity: Identity::load_or_create(tempfile::tempdir().unwrap().path()).unwrap(),
                relays: deskside_net::transport::Relays::default(),
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

/// What a console that took a session over says.
const HOSTS: &str = "You host this session now: everyone comes back here by themselves, with what they allowed.";

#[test]
fn a_colleague_joins_from_their_own_console_takes_control_and_then_the_whole_session() {
    use deskside_net::host::{HostCommand, HostEvent};
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Sam's console hosts the session; Ana's agent is in it.
    let mut host = sams_host(&rt);
    let screen = SyntheticSource::new(160, 100, |x, y| [x as u8, y as u8, 200, 0]);
    let sink = RecordingSink::default();
    let opts = ana_options(&screen, &sink);
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
        let Screen::Session(view) = &h.state().screen else { panic!("not joined") };
        assert!(view.joined, "Sam's console hosts it");
        view.me
    };

    // Sam asks to see Ana's screen; she allows; Kim sees it too, pixel for pixel as Sam does.
    host.send(HostCommand::Request { to: ParticipantId(1), capability: deskside_proto::Capability::View }).unwrap();
    run_until(&mut h, "the request is pending", |_| agent.gate().consent().pending().is_some());
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "Kim sees the screen", |h| h.query_by_label("Viewing Ana López's screen").is_some());
    run_until(&mut h, "the whole picture arrived", |h| {
        let Screen::Session(view) = &h.state().screen else { return false };
        let (mine, sams) = (view.screen.lock().unwrap(), host.screen().lock().unwrap());
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
        let Screen::Session(view) = &h.state().screen else { return false };
        let mine = view.screen.lock().unwrap();
        mine.cursor == Some((30, 40)) && mine.cursor_shape == Some(arrow())
    });
    // When the session began and its tracking code come from Sam's console; the clock is fixed
    // for the picture.
    if let Screen::Session(v) = &mut h.state_mut().screen {
        assert_eq!(v.tracking_code, "T-9");
        assert!(v.started_ms > 0 && v.started_ms <= deskside_net::now_ms());
        v.started_ms = 1_795_615_500_000;
    }
    h.run_steps(2);
    h.snapshot("console_joined_en_light");

    chat_to_csrs(&mut h, &rt, &mut host);

    // Sam hands control to Kim: she asks Ana for control, Ana allows, Kim's click reaches Ana.
    host.send(HostCommand::TransferControl { to: kim }).unwrap();
    run_until(&mut h, "Kim is in control", |h| h.query_by_label_contains("You are in control").is_some());
    // The same tools as the hosting console's: Remote control, then Control desktop.
    h.get_by_role_and_label(egui::Role::Button, "Remote control").click();
    h.run_steps(2);
    h.get_by_label("Control desktop").click();
    h.run_steps(2);
    let waiting = |h: &Harness<'_, ConsoleApp>| {
        let Screen::Session(view) = &h.state().screen else { return None };
        view.waiting_for
    };
    assert_eq!(waiting(&h), Some(deskside_proto::Capability::Control), "Kim waits for Ana's answer");
    run_until(&mut h, "Ana is asked", |_| agent.gate().consent().pending().is_some());
    assert_eq!(agent.gate().consent().pending().unwrap().from_name, "Kim Lee");
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    run_until(&mut h, "Kim controls", |h| {
        h.query_by_label("Controlling Ana López's screen: click it to type").is_some()
    });
    run_until(&mut h, "Kim hears Ana's answer", |h| waiting(h).is_none());
    h.get_by_label_contains("Ana López allowed");
    h.get_by_label("Ana López's screen").click();
    run_until(&mut h, "the click reaches Ana's computer", |_| {
        sink.events().iter().any(|e| matches!(e, InputEvent::MouseButton { down: true, .. }))
    });

    colleague_tools(&mut h, &agent);

    // Sam hands the whole session to Kim and leaves: Kim's console hosts it with the chat and
    // the notes, and Ana comes back there by herself, still allowing control.
    host.send(HostCommand::HandOver { notes: "Driver reinstall pending.".into() }).unwrap();
    // Kim's hub starts on the runtime: she hosts the session once the notice says so.
    run_until(&mut h, "Kim hosts it", |h| {
        matches!(h.state().screen, Screen::Session(_)) && h.query_by_label(HOSTS).is_some()
    });
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
    let opts = ana_options(&screen, &RecordingSink::default());
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
        relays: deskside_net::transport::Relays::default(),
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
    assert!(kim.send(deskside_proto::ToHost::HostReady { host: kim_host.reach() }));
    run_until(&mut h, "Sam's console shows the summary", |h| {
        h.query_by_label_contains("Handed over to Kim Lee, who hosts the session now.").is_some()
    });
    run_until(&mut h, "Ana's screen reaches Kim's console", |_| kim_host.screen().lock().unwrap().active);
    assert!(agent.gate().allows(deskside_proto::Capability::View), "she still allows it, asked nothing");
    assert!(agent.gate().consent().pending().is_none());
}

#[test]
fn a_colleague_leaves_and_the_session_goes_on_without_them() {
    use deskside_net::host::HostEvent;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut host = sams_host(&rt);
    let customer = host.invite(InviteRole::Customer, 600_000).unwrap();
    let colleague = host.invite(InviteRole::Csr, 600_000).unwrap();
    let history = tempfile::tempdir().unwrap();
    let mut app = app_with_history(&rt, history.path());
    app.settings.display_name = "Kim Lee".into();
    let mut h = harness(app);
    h.run();
    paste_invites(&mut h, &customer.to_link(), &colleague.to_link());
    run_until(&mut h, "she is in", |h| h.query_by_label("In Sam Rivera's session").is_some());
    // Not in control: End session is not hers.
    assert!(h.get_by_role_and_label(egui::Role::Button, "End session…").accesskit_node().is_disabled());

    h.get_by_label("Leave session").click();
    run_until(&mut h, "she is out", |h| h.query_by_label("Session ended").is_some());
    h.get_by_label("You left the session.");
    // Sam's session goes on, with Kim gone from it.
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(HostEvent::Participants(list)) = host.next_event().await
                    && list.iter().any(|p| p.name == "Kim Lee" && !p.present)
                {
                    return;
                }
            }
        })
        .await
        .unwrap();
    });
    assert!(
        host.send(deskside_net::host::HostCommand::Chat { to: ChatTarget::Everyone, text: "Still here.".into() })
            .is_ok()
    );
}
