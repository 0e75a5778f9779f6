//! Roles, requests, chat routing and the end: who may do what.

use super::*;

#[test]
fn first_customer_is_primary_and_welcomed() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    assert_eq!(s.participant(ana).unwrap().role, Role::PrimaryCustomer);
    assert_eq!(s.participant(bo).unwrap().role, Role::SecondaryCustomer);
    let out = drain(&mut s);
    let ToGuest::Welcome(w) = sent_to(&out, ana)[0] else { panic!("no welcome") };
    assert_eq!(w.csr_name, "Sam");
    assert_eq!(w.organisation, "Acme Support");
    assert_eq!(w.you, ana);
    // Ana hears that Bo joined; Bo's welcome already lists everyone.
    assert!(sent_to(&out, ana).iter().any(|m| matches!(m, ToGuest::Participants(p) if p.len() == 3)));
    assert!(out.contains(&Output::Event(SessionEvent::ParticipantsChanged)));
}

#[test]
fn invites_are_single_use_expiring_and_revocable() {
    let mut s = session();
    s.add_invite(0, InviteRole::Customer, [1; 16], 30 * MIN).unwrap();
    assert!(s.handle_hello(1, &hello(1, "Ana", AppKind::Agent)).is_ok());
    assert_eq!(s.handle_hello(2, &hello(1, "Eve", AppKind::Agent)), Err(Refusal::InviteUsed));

    s.add_invite(0, InviteRole::Customer, [2; 16], 30 * MIN).unwrap();
    assert_eq!(s.handle_hello(30 * MIN, &hello(2, "Bo", AppKind::Agent)), Err(Refusal::InviteExpired));

    s.add_invite(0, InviteRole::Customer, [3; 16], 30 * MIN).unwrap();
    s.revoke_invite(&[3; 16]);
    assert_eq!(s.handle_hello(1, &hello(3, "Cy", AppKind::Agent)), Err(Refusal::InviteRevoked));

    assert_eq!(s.handle_hello(1, &hello(4, "Di", AppKind::Agent)), Err(Refusal::InviteInvalid));
}

#[test]
fn hello_is_checked() {
    let mut s = session();
    s.add_invite(0, InviteRole::Customer, [1; 16], MIN).unwrap();
    let mut h = hello(1, "Ana", AppKind::Agent);
    h.version = PROTOCOL_VERSION + 1;
    assert_eq!(s.handle_hello(1, &h), Err(Refusal::UnsupportedVersion));
    let mut h = hello(1, "Ana", AppKind::Agent);
    h.session = SessionId([8; 16]);
    assert_eq!(s.handle_hello(1, &h), Err(Refusal::InviteInvalid));
    assert_eq!(s.handle_hello(1, &hello(1, " ", AppKind::Agent)), Err(Refusal::Malformed));
    // A customer invite is not for a console.
    assert_eq!(s.handle_hello(1, &hello(1, "Ana", AppKind::Console)), Err(Refusal::NotAllowed));
    // Refusals did not use up the invite.
    assert!(s.handle_hello(1, &hello(1, "Ana", AppKind::Agent)).is_ok());
}

#[test]
fn requests_go_only_to_the_primary_customer_from_the_csr_in_control() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    drain(&mut s);
    let req = s.request(HOST_CSR, ana, Capability::View).unwrap();
    let out = drain(&mut s);
    assert_eq!(
        sent_to(&out, ana),
        vec![&ToGuest::ConsentRequest { request: req, capability: Capability::View, from_name: "Sam".into() }]
    );
    assert_eq!(s.request(HOST_CSR, bo, Capability::View), Err(RuleError::NotPrimaryCustomer));
    // One application of a secondary customer is still their screen.
    for cap in [Capability::ViewApp, Capability::ControlApp, Capability::Control] {
        assert_eq!(s.request(HOST_CSR, bo, cap), Err(RuleError::NotPrimaryCustomer));
    }
    assert!(s.request(HOST_CSR, bo, Capability::SystemInfo).is_ok());
    assert_eq!(s.request(ana, ana, Capability::View), Err(RuleError::NotInControl));
    assert_eq!(s.request(HOST_CSR, ParticipantId(99), Capability::View), Err(RuleError::NoSuchParticipant));
}

#[test]
fn answers_and_grants_are_recorded() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let req = s.request(HOST_CSR, ana, Capability::View).unwrap();
    drain(&mut s);
    // An answer from someone else, or to an unknown request, is ignored.
    s.handle_message(2, ana, ToHost::ConsentAnswer { request: req + 1, allowed: true }).unwrap();
    assert!(drain(&mut s).is_empty());
    s.handle_message(2, ana, ToHost::ConsentAnswer { request: req, allowed: true }).unwrap();
    allow(&mut s, 2, ana, Grants { view: true, control: false, system_info: false, ..Grants::default() });
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::ConsentAnswered {
        participant: ana,
        capability: Capability::View,
        allowed: true
    })));
    assert!(s.may_share_screen(ana));
    assert!(!s.may_control(HOST_CSR, ana));
    allow(&mut s, 3, ana, Grants { view: true, control: true, system_info: false, ..Grants::default() });
    assert!(s.may_control(HOST_CSR, ana));
    s.handle_message(4, ana, ToHost::Grants(Grants::default())).unwrap();
    assert!(!s.may_share_screen(ana));
    assert!(!s.may_control(HOST_CSR, ana));
    // One application shared and controlled counts too (the agent decides where input lands).
    allow(&mut s, 5, ana, Grants { view_app: true, control_app: true, ..Grants::default() });
    assert!(s.may_share_screen(ana));
    assert!(s.may_control(HOST_CSR, ana));
}

#[test]
fn chat_is_routed_to_the_chosen_readers_only() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    drain(&mut s);

    s.chat(5, HOST_CSR, ChatTarget::Everyone, "Hello all").unwrap();
    let out = drain(&mut s);
    assert_eq!(sent_to(&out, ana).len(), 1);
    assert_eq!(sent_to(&out, bo).len(), 1);
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Event(SessionEvent::Chat(l)) if l.text == "Hello all" && l.at_unix_ms == 5))
    );

    s.chat(6, HOST_CSR, ChatTarget::Csrs, "internal").unwrap();
    let out = drain(&mut s);
    assert!(sent_to(&out, ana).is_empty() && sent_to(&out, bo).is_empty());

    s.handle_message(7, ana, ToHost::Chat { to: ChatTarget::Participant(HOST_CSR), text: "just you".into() }).unwrap();
    let out = drain(&mut s);
    assert!(sent_to(&out, bo).is_empty());
    assert_eq!(sent_to(&out, ana).len(), 1, "the sender sees their own line");
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Chat(l)) if l.from_name == "Ana")));

    s.handle_message(8, ana, ToHost::Chat { to: ChatTarget::Participant(ParticipantId(77)), text: "?".into() })
        .unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::Refused { .. }]));
}

#[test]
fn late_joiners_get_only_the_chat_they_may_read() {
    let mut s = session();
    s.chat(1, HOST_CSR, ChatTarget::Everyone, "public").unwrap();
    s.chat(2, HOST_CSR, ChatTarget::Csrs, "private").unwrap();
    let ana = join(&mut s, 1, "Ana");
    let out = drain(&mut s);
    let ToGuest::Welcome(w) = sent_to(&out, ana)[0] else { panic!("no welcome") };
    assert_eq!(w.you, ana);
    assert_eq!(chat_sent(&out, ana), vec!["public"]);
}

#[test]
fn bad_messages_close_or_are_refused() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    drain(&mut s);
    let huge = "x".repeat(deskside_proto::MAX_CHAT_BYTES + 1);
    assert_eq!(
        s.handle_message(2, ana, ToHost::Chat { to: ChatTarget::Everyone, text: huge }),
        Err(Refusal::Malformed)
    );
    assert_eq!(s.handle_message(2, ParticipantId(42), ToHost::Leave), Err(Refusal::NotAllowed));
}

#[test]
fn customers_cannot_end_only_the_csr_in_control_can() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    drain(&mut s);
    s.handle_message(2, ana, ToHost::End { notes: String::new() }).unwrap();
    assert!(!s.is_ended());
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::Refused { .. }]));

    s.end(3, HOST_CSR, "Fixed the printer").unwrap();
    assert!(s.is_ended());
    let out = drain(&mut s);
    assert!(out.contains(&Output::Send { to: ana, msg: ToGuest::SessionEnded { by: "Sam".into() } }));
    assert!(out.contains(&Output::Close { to: ana, refusal: Refusal::SessionEnded }));
    assert!(out.contains(&Output::Event(SessionEvent::Ended { notes: "Fixed the printer".into() })));
    assert_eq!(s.end(4, HOST_CSR, ""), Err(RuleError::Ended));
    assert_eq!(s.chat(4, HOST_CSR, ChatTarget::Everyone, "hi"), Err(RuleError::Ended));
    assert!(s.participants().all(|p| p.left_ms.is_some()));
}

#[test]
fn leaving_keeps_the_record_and_promotes_a_secondary() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    s.request(HOST_CSR, ana, Capability::View).unwrap();
    drain(&mut s);
    s.handle_message(9, ana, ToHost::Leave).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Close { to: ana, refusal: Refusal::Left }));
    assert_eq!(s.participant(ana).unwrap().left_ms, Some(9));
    assert_eq!(s.participant(bo).unwrap().role, Role::PrimaryCustomer);
    assert!(!s.is_ended());
    // A second disconnect of the same participant changes nothing.
    s.handle_disconnect(10, ana);
    assert_eq!(s.participant(ana).unwrap().left_ms, Some(9));
}
