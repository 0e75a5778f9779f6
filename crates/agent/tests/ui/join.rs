//! Joining: the four ways in, bad codes, an unreachable host, who is behind the invite, and What was shared.

use super::*;

#[test]
fn join_screen_in_both_languages() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::Es] {
        let mut h = harness(agent(&rt, "", lang));
        h.run_steps(4);
        h.get_by_label(say(lang, "Join a support session", "Entrar a una sesión de soporte"));
        h.get_by_label(say(lang, "Join", "Entrar"));
        h.get_by_label(say(lang, "What was shared", "Lo que se compartió"));
        h.snapshot(format!("agent_join_{}", suffix(lang)));
        results.extend_harness(&mut h);
    }
    results.unwrap();
}

#[test]
fn a_mistyped_code_is_explained() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::Es] {
        let mut h = harness(agent(&rt, "04101-G0008-XXXXX", lang));
        h.run_steps(4);
        h.get_by_label(say(lang, "Join", "Entrar")).click();
        h.run_steps(4);
        h.get_by_label(say(
            lang,
            "This invite code is incomplete or has a typing mistake. Please check it or ask for a new one.",
            "Este código de invitación está incompleto o tiene un error de escritura. Revíselo o pida uno nuevo.",
        ));
        h.snapshot(format!("agent_join_error_{}", suffix(lang)));
        results.extend_harness(&mut h);
    }
    results.unwrap();
    let mut h = harness(agent(&rt, "https://example.com/join", Lang::En));
    h.run_steps(4);
    h.get_by_label("Join").click();
    h.run_steps(4);
    h.get_by_label("The invite code contains \":\", which is not part of any invite code. Please check it.");
    // An empty name is refused before anything is dialled.
    let inv = rt.block_on(async { fixed_host() }).invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let mut h = harness(agent(&rt, &inv.to_link(), Lang::En));
    h.state_mut().name = "  ".into();
    h.run_steps(4);
    h.get_by_label("Join").click();
    h.run_steps(4);
    h.get_by_label("Please type your name so your support representative knows who you are.");
    assert!(matches!(h.state().screen, AgentScreen::Join { .. }), "nothing was dialled");
}

#[test]
fn an_unreachable_host_is_explained_with_a_retry() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A real invite to a port nobody listens on.
    let dead = {
        let host = rt.block_on(async { fixed_host() });
        let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
        host.shutdown();
        inv
    };
    std::thread::sleep(Duration::from_millis(200));
    let mut h = harness(agent(&rt, &dead.to_link(), Lang::Es));
    h.run_steps(4);
    h.get_by_label("Entrar").click();
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.query_by_label("Intentar de nuevo").is_none() {
        assert!(Instant::now() < deadline, "no retry offered");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    // Said of the side that did not answer, not of the customer's own connection.
    h.get_by_label_contains("El ordenador de su representante de soporte no respondió");
}

/// Joins a real host each of the four ways an invite reaches the agent: a link (the
/// `deskside://` handler passes it as an argument), the code typed into the window, the code as
/// a command-line argument, and the agent's own file name.
#[test]
fn the_four_ways_to_join() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(async { fixed_host() });
    let program = |code: &str| format!("/home/ana/Downloads/deskside-agent-{code}");
    for way in ["link", "typed", "argument", "file name"] {
        let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
        let text = match way {
            "link" => deskside_agent::cli::parse(None, [inv.to_link().into()]).unwrap().invite.unwrap(),
            "argument" => deskside_agent::cli::parse(None, [inv.to_code().into()]).unwrap().invite.unwrap(),
            "file name" => {
                deskside_agent::cli::parse(Some(&program(&inv.to_code())), std::iter::empty()).unwrap().invite.unwrap()
            }
            _ => String::new(),
        };
        let mut h = harness(agent(&rt, &text, Lang::En));
        h.run_steps(4);
        if way == "typed" {
            h.get_by_role_and_label(egui::Role::MultilineTextInput, "Invite code or link").focus();
            h.run_steps(4);
            h.get_by_role_and_label(egui::Role::MultilineTextInput, "Invite code or link").type_text(&inv.to_code());
            h.run_steps(4);
        }
        h.get_by_label_contains("confirm their identity with these words");
        // Before joining: who is behind the invite, as the host says (the invite stays unused).
        run_until(&mut h, &format!("the preview by {way}"), |h| h.query_by_label("You are about to let in:").is_some());
        h.get_by_label("Sam Rivera");
        h.get_by_label("Acme Support · General support");
        h.get_by_label("Join").click();
        run_until(&mut h, &format!("joined by {way}"), |h| h.query_by_label("Connected to Sam Rivera").is_some());
    }
}

/// A support site on loopback with its first CSR, and that CSR signed in.
fn support_site(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
) -> (deskside_site::Running, deskside_net::site::SiteClient, String) {
    rt.block_on(async {
        let store =
            deskside_site::store::Store::open(&format!("sqlite://{}", dir.join("site.db").display())).await.unwrap();
        let init = deskside_site::Init {
            organisation: "Acme Support".into(),
            site_address: "https://support.acme.example".into(),
            admin_email: "sam@acme.example".into(),
            admin_name: "Sam Rivera".into(),
            admin_password: "a long and good password".into(),
        };
        let clock = deskside_site::system_clock();
        deskside_site::init(&store, &init, clock()).await.unwrap();
        let running = deskside_site::start(store, "127.0.0.1:0".parse().unwrap(), clock).await.unwrap();
        let client = deskside_net::site::SiteClient::new(&format!("http://{}", running.addr), &[]).unwrap();
        let token = client.sign_in("sam@acme.example", "a long and good password").await.unwrap().token;
        (running, client, token)
    })
}

/// The customer types the nine digits read to them over the phone: the agent looks them up with
/// the team's site, shows who is behind the invite, and joins. A code used or mistyped, or typed
/// into an agent that knows no site, is explained.
#[test]
fn a_nine_digit_code_joins_through_the_site() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (site, client, token) = support_site(&rt, dir.path());
    let host = rt.block_on(async { fixed_host() });
    // The console's CSR is signed in: the site vouches for this console for the first type.
    let types = rt.block_on(client.session_types(&token)).unwrap();
    let (cert, _) = rt.block_on(client.certificate(&token, &fixture_identity().id, types[0].id)).unwrap();
    let policy = deskside_session::Policy { certificate: Some(cert), tools: types[0].tool_set() };
    host.send(HostCommand::SetPolicy(Box::new(policy))).unwrap();
    let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let (code, _) = rt.block_on(client.new_code(&token, &inv)).unwrap();
    let mut h = harness({
        let mut a = agent(&rt, "", Lang::En);
        a.site = Some(client.clone());
        a
    });
    h.run_steps(4);
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Invite code or link").focus();
    h.run_steps(4);
    h.get_by_role_and_label(egui::Role::MultilineTextInput, "Invite code or link").type_text(&code.to_string());
    run_until(&mut h, "the preview by code", |h| h.query_by_label("You are about to let in:").is_some());
    h.get_by_label("Sam Rivera");
    // Checked against the keys the site gave with the invite, over the site's own connection.
    let verified = format!("Verified: Sam Rivera, Acme Support ({})", client.host());
    h.get_by_label(&verified);
    h.get_by_label("Remote support");
    h.get_by_label("Join").click();
    run_until(&mut h, "joined by code", |h| h.query_by_label("Connected to Sam Rivera").is_some());
    h.get_by_label(&verified);

    // The same code again, in another agent: used.
    let mut a = agent(&rt, &code.digits(), Lang::En);
    a.site = Some(client.clone());
    let mut h = harness(a);
    run_until(&mut h, "the used code explained", |h| {
        h.query_by_label_contains("expired or been used already").is_some()
    });
    // A code nobody made (fixed, for the picture).
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::Es] {
        let mut a = agent(&rt, "123 456 789", lang);
        a.site = Some(client.clone());
        let mut h = harness(a);
        let words = say(
            lang,
            "This code does not work. It may have expired or been used already. Please ask your support representative for a new one.",
            "Este código no funciona. Puede haber caducado o haberse usado ya. Pida a su representante de soporte uno nuevo.",
        );
        run_until(&mut h, "the unknown code explained", |h| h.query_by_label(words).is_some());
        h.snapshot(format!("agent_code_unknown_{}", suffix(lang)));
        results.extend_harness(&mut h);
        // Joining with it says the same, and dials nothing.
        h.get_by_label(say(lang, "Join", "Entrar")).click();
        h.run_steps(4);
        assert!(matches!(h.state().screen, AgentScreen::Join { .. }), "nothing was dialled");
    }
    results.unwrap();
    // No site: the customer is told to ask for the link.
    let mut h = harness(agent(&rt, "123 456 789", Lang::En));
    h.run_steps(4);
    h.get_by_label_contains("does not know your support team's site");
    // The site gone: said as the site being unreachable, not the code being wrong.
    rt.block_on(site.shutdown()).unwrap();
    let mut a = agent(&rt, "987654321", Lang::En);
    a.site = Some(client);
    let mut h = harness(a);
    run_until(&mut h, "the site unreachable", |h| {
        h.query_by_label_contains("could not reach your support team's site").is_some()
    });
}

#[test]
fn what_was_shared_in_both_languages() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.log");
    // 2026-11-25 14:05 UTC onwards.
    let rec = |at_ms, capability: &str, change: &str| SharedRecord {
        at_ms,
        csr: "Sam Rivera".into(),
        organisation: "Acme Support".into(),
        capability: capability.into(),
        change: change.into(),
    };
    let t0 = 1_795_615_500_000;
    shared_log::append(
        &path,
        &[
            rec(t0, "view", "granted"),
            rec(t0 + 60_000, "control", "timed-out"),
            rec(t0 + 120_000, "system-info", "granted"),
            rec(t0 + 125_000, "system-info", "stopped"),
            rec(t0 + 600_000, "view", "ended"),
        ],
    )
    .unwrap();
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::Es] {
        let mut a = agent(&rt, "", lang);
        a.log_path = Some(path.clone());
        a.open_shared();
        let mut h = harness(a);
        h.run_steps(4);
        h.get_by_label("2026-11-25 14:05");
        h.get_by_label(say(
            lang,
            "Sam Rivera (Acme Support) asked for your mouse and keyboard; nobody answered, so it was refused",
            "Sam Rivera (Acme Support) pidió acceder a su ratón y su teclado; nadie respondió, así que se rechazó",
        ));
        h.snapshot(format!("agent_shared_{}", suffix(lang)));
        h.get_by_label(say(lang, "Close", "Cerrar")).click();
        h.run_steps(4);
        h.get_by_label(say(lang, "Join a support session", "Entrar a una sesión de soporte"));
        results.extend_harness(&mut h);
    }
    results.unwrap();
}

#[test]
fn who_is_behind_the_invite_shows_before_joining_in_both_languages() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(async { fixed_host() });
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::Es] {
        let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
        let mut h = harness(agent(&rt, &inv.to_link(), lang));
        h.run_steps(4);
        let about = say(lang, "You are about to let in:", "Está a punto de dejar entrar a:");
        run_until(&mut h, "the preview", |h| h.query_by_label(about).is_some());
        h.get_by_label("Sam Rivera");
        // The invite's secret and port are random: show a fixed invite of the same host in the
        // box (marked as the one asked about, so it is not asked again) to keep the picture stable.
        let fixed = deskside_proto::Invite {
            host: deskside_proto::HostAddr { addrs: vec!["127.0.0.1:47000".parse().unwrap()], ..inv.host.clone() },
            secret: [1; 16],
            expires_unix_s: 4_000_000_000,
            ..inv
        }
        .to_link();
        let state = h.state_mut();
        state.invite_text.clone_from(&fixed);
        if let Some((key, _)) = &mut state.preview {
            *key = fixed;
        }
        h.run_steps(4);
        h.get_by_label("Sam Rivera");
        h.snapshot(format!("agent_join_preview_{}", suffix(lang)));
        results.extend_harness(&mut h);
    }
    // A used invite says so before the customer even clicks Join.
    let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let bo = synthetic_options("Bo", &SyntheticSource::new(8, 8, pattern(2)), &RecordingSink::default());
    let _first = rt.block_on(join(&inv, bo)).unwrap();
    let mut h = harness(agent(&rt, &inv.to_link(), Lang::En));
    h.run_steps(4);
    run_until(&mut h, "the preview refuses", |h| {
        h.query_by_label("This invite has already been used. Ask your support representative for a new one.").is_some()
    });
    results.unwrap();
}
