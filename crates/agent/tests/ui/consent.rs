//! Each consent dialog, the sharing bar with Stop, the system-information preview and the end of the session.

use super::*;

/// System information in the consent flow: asked, allowed, previewed; the customer leaves the
/// running programs out, and the grant is used up once sent.
fn system_info_step(
    h: &mut Harness<'_, AgentApp>,
    rt: &tokio::runtime::Runtime,
    host: &mut HostHandle,
    ana: deskside_proto::ParticipantId,
    lang: Lang,
) {
    let sfx = suffix(lang);
    host.send(HostCommand::Request { to: ana, capability: Capability::SystemInfo }).unwrap();
    let ask = say(
        lang,
        "Sam Rivera asks for your computer's system information",
        "Sam Rivera pide la información del sistema de su ordenador",
    );
    run_until(h, "the system information dialog shows", |h| h.query_by_label(ask).is_some());
    shot(h, &format!("agent_consent_system_info_{sfx}"));
    h.get_by_label(say(lang, "Allow", "Permitir")).click();
    let title = say(lang, "What would be sent to Sam Rivera", "Lo que se enviaría a Sam Rivera");
    run_until(h, "the preview shows", |h| h.query_by_label(title).is_some());
    h.get_by_label(say(
        lang,
        "Sam Rivera may receive your system information",
        "Sam Rivera puede recibir la información de su sistema",
    ));
    shot(h, &format!("agent_inventory_preview_{sfx}"));
    // Through AccessKit, as a screen reader would: independent of where the dialog settles.
    h.get_by_label(say(lang, "Running programs (one entry)", "Programas en uso (un elemento)")).click_accesskit();
    h.run_steps(4);
    h.get_by_label(say(lang, "Send to Sam Rivera", "Enviar a Sam Rivera")).click_accesskit();
    h.run_steps(4);
    let sent = rt.block_on(async {
        tokio::time::timeout(WAIT, async {
            loop {
                if let Some(HostEvent::SystemInfo { inventory, .. }) = host.next_event().await {
                    return inventory;
                }
            }
        })
        .await
        .unwrap()
    });
    assert_eq!(sent.sections.len(), 3, "the running programs stayed on the customer's machine");
    assert!(sent.section(SectionKind::Processes).is_none());
    run_until(h, "the customer is told", |h| {
        h.query_by_label(say(lang, "Your system information was sent.", "Se envió la información de su sistema."))
            .is_some()
    });
    assert!(
        h.query_by_label(say(
            lang,
            "Sam Rivera may receive your system information",
            "Sam Rivera puede recibir la información de su sistema"
        ))
        .is_none(),
        "the grant is used up"
    );
}

/// The whole consent flow in `lang`, with snapshots.
fn consent_flow(lang: Lang) {
    let sfx = suffix(lang);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut host = rt.block_on(async { fixed_host() });
    let invite = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let log = tempfile::tempdir().unwrap();

    let mut app = agent(&rt, &invite.to_link(), lang);
    app.log_path = Some(log.path().join("shared.log"));
    let mut h = harness(app);
    join_sam(&mut h, lang);
    h.get_by_label(say(
        lang,
        "Nothing is shared. You will be asked before anything is.",
        "No se comparte nada. Se le preguntará antes de compartir cualquier cosa.",
    ));
    let ana = ana_id(&rt, &mut host);

    // A request raises a dialog that names the CSR and says what it allows.
    host.send(HostCommand::Request { to: ana, capability: Capability::View }).unwrap();
    let ask = say(lang, "Sam Rivera asks to see your screen", "Sam Rivera pide ver su pantalla");
    run_until(&mut h, "the consent dialog shows", |h| h.query_by_label(ask).is_some());
    h.get_by_label(say(
        lang,
        "They will see everything on your screen until you press Stop. They cannot click or type.",
        "Verá todo lo que hay en su pantalla hasta que pulse Detener. No puede hacer clic ni escribir.",
    ));
    shot(&mut h, &format!("agent_consent_view_{sfx}"));
    h.get_by_label(say(lang, "Allow", "Permitir")).click();
    let bar = say(lang, "Sam Rivera can see your screen", "Sam Rivera puede ver su pantalla");
    run_until(&mut h, "the sharing bar shows", |h| h.query_by_label(bar).is_some());
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.view)));
    shot(&mut h, &format!("agent_sharing_{sfx}"));

    // Stop revokes at once, on the agent itself.
    h.get_by_label(say(lang, "Stop sharing screen", "Dejar de compartir la pantalla")).click();
    h.step();
    let AgentScreen::Session(s) = &h.state().screen else { panic!("not in session") };
    assert!(!s.handle.gate().allows(Capability::View), "revoked in the frame that handled the click");
    h.step();
    assert!(h.query_by_label(bar).is_none());
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.grants.view)));

    // Control is asked separately, once for seeing and controlling.
    host.send(HostCommand::Request { to: ana, capability: Capability::Control }).unwrap();
    let ask = say(
        lang,
        "Sam Rivera asks to see your screen and use your mouse and keyboard",
        "Sam Rivera pide ver su pantalla y usar su ratón y su teclado",
    );
    run_until(&mut h, "the control dialog shows", |h| h.query_by_label(ask).is_some());
    shot(&mut h, &format!("agent_consent_control_{sfx}"));
    h.get_by_label(say(lang, "Deny", "Rechazar")).click();
    run_until(&mut h, "the dialog closes", |h| h.query_by_label(ask).is_none());

    system_info_step(&mut h, &rt, &mut host, ana, lang);

    // The CSR ends the session: the customer is told, everything has stopped.
    host.send(HostCommand::End { notes: String::new() }).unwrap();
    run_until(&mut h, "the end shows", |h| {
        h.query_by_label(say(lang, "The session is over", "La sesión ha terminado")).is_some()
    });
    h.get_by_label(say(
        lang,
        "Sam Rivera ended the session. Nothing is shared any more.",
        "Sam Rivera finalizó la sesión. Ya no se comparte nada.",
    ));
    shot(&mut h, &format!("agent_ended_{sfx}"));

    // Everything allowed, refused and stopped is on this machine, newest first.
    let records = shared_log::read(&log.path().join("shared.log")).unwrap();
    let changes: Vec<(&str, &str)> = records.iter().rev().map(|r| (r.capability.as_str(), r.change.as_str())).collect();
    assert_eq!(
        changes,
        vec![
            ("view", "granted"),
            ("view", "stopped"),
            ("control", "denied"),
            ("system-info", "granted"),
            ("system-info", "stopped"),
        ]
    );
    h.get_by_label(say(lang, "What was shared", "Lo que se compartió")).click();
    h.run_steps(4);
    h.get_by_label(say(
        lang,
        "You refused Sam Rivera (Acme Support) your mouse and keyboard",
        "Rechazó que Sam Rivera (Acme Support) accediera a su ratón y su teclado",
    ));
}

#[test]
fn join_consent_sharing_system_information_and_end_in_english() {
    consent_flow(Lang::En);
}

#[test]
fn join_consent_sharing_system_information_and_end_in_spanish() {
    consent_flow(Lang::Es);
}
