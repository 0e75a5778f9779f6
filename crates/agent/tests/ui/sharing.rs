//! One application shared and controlled, and a team session from the customer's side.

use super::*;

/// "View one application" and "control one application" in `lang`: the customer chooses the
/// window (nothing is chosen for them, and Allow waits for a choice), the bar names it, and
/// stopping the window stops its control too.
fn one_application(lang: Lang) {
    let sfx = suffix(lang);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut host = rt.block_on(async { fixed_host() });
    let invite = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let log = tempfile::tempdir().unwrap();
    let windows = FixedWindows::default();
    let view = |x, focused| WindowView { rect: Rect { x, y: 4, w: 24, h: 20 }, covered: vec![], focused };
    windows.set(
        vec![
            (WindowInfo { id: 7, title: "Bank — Browser".into() }, view(30, false)),
            (WindowInfo { id: 9, title: "Invoice — Editor".into() }, view(2, true)),
        ],
        (10, 10),
    );
    let mut opts = options();
    let w = windows.clone();
    opts.windows = Arc::new(move || Ok(Box::new(w.clone())));
    let mut app = AgentApp::new(invite.to_link(), "Ana López".into(), opts, rt.handle().clone(), 0);
    app.lang = lang;
    app.log_path = Some(log.path().join("shared.log"));
    let mut h = harness(app);
    join_sam(&mut h, lang);
    let ana = ana_id(&rt, &mut host);

    host.send(HostCommand::Request { to: ana, capability: Capability::ViewApp }).unwrap();
    let ask = say(
        lang,
        "Sam Rivera asks to see one window of your choice",
        "Sam Rivera pide ver una ventana que usted elija",
    );
    run_until(&mut h, "the dialog shows", |h| h.query_by_label(ask).is_some());
    // Both windows are offered, none chosen; Allow does nothing until one is.
    h.get_by_label("Bank — Browser");
    h.get_by_label(say(lang, "Allow", "Permitir")).click();
    h.run_steps(4);
    {
        let AgentScreen::Session(s) = &h.state().screen else { panic!("not in session") };
        assert!(s.handle.gate().consent().pending().is_some(), "Allow waits for a window");
    }
    h.get_by_label("Invoice — Editor").click_accesskit();
    h.run_steps(2);
    shot(&mut h, &format!("agent_consent_view_app_{sfx}"));
    h.get_by_label(say(lang, "Allow", "Permitir")).click_accesskit();
    let bar = say(
        lang,
        "Sam Rivera can see one window: Invoice — Editor",
        "Sam Rivera puede ver una ventana: Invoice — Editor",
    );
    run_until(&mut h, "the sharing bar names the window", |h| h.query_by_label(bar).is_some());
    {
        let AgentScreen::Session(s) = &h.state().screen else { panic!("not in session") };
        assert_eq!(s.handle.gate().consent().app_window(), Some(9), "the window the customer chose");
        assert!(!s.handle.gate().allows(Capability::View), "not the whole screen");
    }
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.view_app && !p.grants.view)));

    host.send(HostCommand::Request { to: ana, capability: Capability::ControlApp }).unwrap();
    let ask = say(
        lang,
        "Sam Rivera asks to click and type in Invoice — Editor",
        "Sam Rivera pide hacer clic y escribir en Invoice — Editor",
    );
    run_until(&mut h, "the control dialog shows", |h| h.query_by_label(ask).is_some());
    shot(&mut h, &format!("agent_consent_control_app_{sfx}"));
    h.get_by_label(say(lang, "Allow", "Permitir")).click_accesskit();
    let control_bar = say(
        lang,
        "Sam Rivera can click and type in Invoice — Editor while you use it",
        "Sam Rivera puede hacer clic y escribir en Invoice — Editor mientras usted la usa",
    );
    run_until(&mut h, "the bar shows control", |h| h.query_by_label(control_bar).is_some());
    shot(&mut h, &format!("agent_sharing_app_{sfx}"));

    // Stopping the window stops its control with it, at once.
    h.get_by_label(say(lang, "Stop sharing window", "Dejar de compartir la ventana")).click_accesskit();
    h.step();
    {
        let AgentScreen::Session(s) = &h.state().screen else { panic!("not in session") };
        assert!(!s.handle.gate().allows(Capability::ViewApp) && !s.handle.gate().allows(Capability::ControlApp));
    }
    run_until(&mut h, "the bar goes", |h| h.query_by_label(bar).is_none() && h.query_by_label(control_bar).is_none());
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.is_empty())));
    h.run_steps(4);
    let records = shared_log::read(&log.path().join("shared.log")).unwrap();
    let changes: Vec<(&str, &str)> = records.iter().rev().map(|r| (r.capability.as_str(), r.change.as_str())).collect();
    assert_eq!(
        changes,
        vec![("view-app", "granted"), ("control-app", "granted"), ("control-app", "stopped"), ("view-app", "stopped")]
    );
    // While the connection is being brought back (the engine's Reconnecting, tested over a real
    // relay in tests/resume.rs), the customer is told, and the window stays as it was.
    if let AgentScreen::Session(s) = &mut h.state_mut().screen {
        s.reconnecting = true;
    }
    h.run_steps(2);
    h.get_by_label(say(
        lang,
        "The connection was lost. Reconnecting by itself… Nothing can be seen or controlled until it is back, and Stop still works.",
        "Se perdió la conexión. Reconectando automáticamente… Mientras tanto no se puede ver ni controlar nada, y Detener sigue funcionando.",
    ));
    shot(&mut h, &format!("agent_reconnecting_{sfx}"));
    // When the session moves to a colleague's console (the engine's Moved, tested over QUIC in
    // tests/hand_over.rs), the customer is told that, not that the connection was lost.
    if let AgentScreen::Session(s) = &mut h.state_mut().screen {
        s.moving = true;
    }
    h.run_steps(2);
    h.get_by_label(say(
        lang,
        "The session is moving to another support representative's computer. Connecting you there by itself… Your choices stay as they are, and Stop still works.",
        "La sesión pasa al equipo de otro representante de soporte. Conectando automáticamente… Sus decisiones siguen igual y Detener sigue funcionando.",
    ));
    shot(&mut h, &format!("agent_moving_{sfx}"));
}

/// A team session from the customer's side: control asked once shows both grants; when control
/// passes to a colleague, the bar names them and the customer is told; the colleague ends what
/// they no longer need; the customer leaves with the Leave button.
fn team_session(lang: Lang) {
    let sfx = suffix(lang);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut host = rt.block_on(async { fixed_host() });
    let invite = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let mut h = harness(agent(&rt, &invite.to_link(), lang));
    join_sam(&mut h, lang);
    let ana = ana_id(&rt, &mut host);

    host.send(HostCommand::Request { to: ana, capability: Capability::Control }).unwrap();
    let ask = say(
        lang,
        "Sam Rivera asks to see your screen and use your mouse and keyboard",
        "Sam Rivera pide ver su pantalla y usar su ratón y su teclado",
    );
    run_until(&mut h, "the control dialog shows", |h| h.query_by_label(ask).is_some());
    h.get_by_label(say(
        lang,
        "They will see your screen and be able to click and type on your computer until you press Stop.",
        "Verá su pantalla y podrá hacer clic y escribir en su ordenador hasta que pulse Detener.",
    ));
    h.get_by_label(say(lang, "Allow", "Permitir")).click();
    let sees = |who: &str| match lang {
        Lang::En => format!("{who} can see your screen"),
        Lang::Es => format!("{who} puede ver su pantalla"),
    };
    let controls = |who: &str| match lang {
        Lang::En => format!("{who} can control your mouse and keyboard"),
        Lang::Es => format!("{who} puede controlar su ratón y su teclado"),
    };
    run_until(&mut h, "both grants show", |h| {
        h.query_by_label(&sees("Sam Rivera")).is_some() && h.query_by_label(&controls("Sam Rivera")).is_some()
    });

    // Kim joins from her console; Sam hands her control: the customer sees who has it now.
    let csr_invite = host.invite(deskside_proto::InviteRole::Csr, HALF_HOUR_MS).unwrap();
    let kim_link = rt.block_on(async {
        let now_s = deskside_net::now_ms() / 1000;
        let link = deskside_net::guest::join(&csr_invite, "Kim Lee", AppKind::Console, now_s).await.unwrap();
        deskside_net::CsrLink::serve(link, Arc::new(|| {}))
    });
    let kim = kim_link.welcome.you;
    host.send(HostCommand::TransferControl { to: kim }).unwrap();
    run_until(&mut h, "the bar names Kim", |h| {
        h.query_by_label(&sees("Kim Lee")).is_some() && h.query_by_label(&sees("Sam Rivera")).is_none()
    });
    h.get_by_label(say(
        lang,
        "Kim Lee is now in control of this session: they see and control what you allowed, and Stop still ends it.",
        "Kim Lee controla ahora esta sesión: ve y controla lo que usted permitió, y Detener sigue terminándolo.",
    ));
    shot(&mut h, &format!("agent_control_changed_{sfx}"));

    // Kim no longer needs control: it ends on this machine and the customer is told who ended it.
    assert!(kim_link.send(deskside_proto::ToHost::EndGrant { to: ana, capability: Capability::Control }));
    run_until(&mut h, "control ends", |h| h.query_by_label(&controls("Kim Lee")).is_none());
    h.get_by_label(say(
        lang,
        "Kim Lee no longer needs your mouse and keyboard and stopped it.",
        "Kim Lee ya no necesita su ratón y su teclado y lo detuvo.",
    ));
    h.get_by_label(&sees("Kim Lee"));

    // The customer leaves with the button.
    h.get_by_role_and_label(egui::Role::Button, say(lang, "Leave session", "Salir de la sesión")).click();
    h.step();
    {
        let AgentScreen::Session(s) = &h.state().screen else { panic!("the session is still shown until it closes") };
        assert!(!s.handle.gate().allows(Capability::View), "nothing is shared from the click on");
    }
    run_until(&mut h, "the end shows", |h| {
        h.query_by_label(say(lang, "The session is over", "La sesión ha terminado")).is_some()
    });
    h.get_by_label(say(lang, "You left the session.", "Usted salió de la sesión."));
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.present)));
}

#[test]
fn a_team_session_in_english() {
    team_session(Lang::En);
}

#[test]
fn a_team_session_in_spanish() {
    team_session(Lang::Es);
}

#[test]
fn one_application_in_english() {
    one_application(Lang::En);
}

#[test]
fn one_application_in_spanish() {
    one_application(Lang::Es);
}
