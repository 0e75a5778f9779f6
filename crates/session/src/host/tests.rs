use super::*;
use deskside_proto::OnConflict;

const MIN: UnixMs = 60_000;

fn session() -> Session {
    Session::new(
        0,
        SessionConfig {
            id: SessionId([9; 16]),
            csr_name: "Sam".into(),
            organisation: "Acme Support".into(),
            session_type: "General support".into(),
            tracking_code: "T-1".into(),
        },
    )
}

fn hello(secret: u8, name: &str, app: AppKind) -> Hello {
    Hello {
        version: PROTOCOL_VERSION,
        session: SessionId([9; 16]),
        secret: [secret; 16],
        name: name.into(),
        app,
        preview: false,
        resume: false,
    }
}

fn join(s: &mut Session, secret: u8, name: &str) -> ParticipantId {
    s.add_invite(0, InviteRole::Customer, [secret; 16], 30 * MIN).unwrap();
    s.handle_hello(1, &hello(secret, name, AppKind::Agent)).unwrap()
}

fn drain(s: &mut Session) -> Vec<Output> {
    std::iter::from_fn(|| s.poll_output()).collect()
}

fn sent_to(outputs: &[Output], who: ParticipantId) -> Vec<&ToGuest> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send { to, msg } if *to == who => Some(msg),
            _ => None,
        })
        .collect()
}

/// The CSR in control asks `who` for every capability in `grants` and they allow each, then
/// report `grants`: how an honest agent grants.
fn allow(s: &mut Session, now: UnixMs, who: ParticipantId, grants: Grants) {
    let csr = s.in_control().unwrap_or(HOST_CSR);
    for cap in Capability::ALL.into_iter().filter(|c| grants.has(*c)) {
        let request = s.request(csr, who, cap).unwrap();
        s.handle_message(now, who, ToHost::ConsentAnswer { request, allowed: true }).unwrap();
    }
    s.handle_message(now, who, ToHost::Grants(grants)).unwrap();
}

/// Every chat line `who` was sent: in the backlog after a welcome, and one by one.
fn chat_sent(outputs: &[Output], who: ParticipantId) -> Vec<String> {
    sent_to(outputs, who)
        .into_iter()
        .flat_map(|m| match m {
            ToGuest::ChatBacklog(lines) => lines.iter().map(|l| l.text.clone()).collect(),
            ToGuest::Chat(l) => vec![l.text.clone()],
            _ => vec![],
        })
        .collect()
}

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
    assert_eq!(s.request(HOST_CSR, 99, Capability::View), Err(RuleError::NoSuchParticipant));
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

    s.handle_message(8, ana, ToHost::Chat { to: ChatTarget::Participant(77), text: "?".into() }).unwrap();
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
    assert_eq!(s.handle_message(2, 42, ToHost::Leave), Err(Refusal::NotAllowed));
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

fn monitors() -> Vec<deskside_proto::MonitorInfo> {
    let m = |name: &str, x| deskside_proto::MonitorInfo {
        name: name.into(),
        x,
        y: 0,
        width: 1920,
        height: 1080,
        primary: x == 0,
    };
    vec![m("DP-1", 0), m("HDMI-1", 1920)]
}

#[test]
fn only_the_primary_customer_lists_monitors_and_the_csr_in_control_chooses() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    drain(&mut s);
    s.handle_message(2, ana, ToHost::Monitors(monitors())).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::Monitors { participant: ana, monitors: monitors() })));
    s.handle_message(2, bo, ToHost::Monitors(monitors())).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), bo)[..], [ToGuest::Refused { .. }]));

    s.select_monitor(HOST_CSR, ana, Some(1)).unwrap();
    assert_eq!(sent_to(&drain(&mut s), ana), vec![&ToGuest::SelectMonitor { index: Some(1) }]);
    s.select_monitor(HOST_CSR, ana, None).unwrap();
    assert_eq!(s.select_monitor(HOST_CSR, ana, Some(2)), Err(RuleError::NoSuchMonitor));
    assert_eq!(s.select_monitor(HOST_CSR, bo, None), Err(RuleError::NotPrimaryCustomer));
    assert_eq!(s.select_monitor(ana, ana, None), Err(RuleError::NotInControl));
}

#[test]
fn a_monitor_list_out_of_bounds_is_malformed() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let many = std::iter::repeat_n(monitors()[0].clone(), deskside_proto::MAX_MONITORS + 1).collect();
    assert_eq!(s.handle_message(2, ana, ToHost::Monitors(many)), Err(Refusal::Malformed));
    let mut huge = monitors();
    huge[0].width = 100_000;
    assert_eq!(s.handle_message(2, ana, ToHost::Monitors(huge)), Err(Refusal::Malformed));
}

#[test]
fn system_information_is_asked_of_any_customer_and_accepted_only_while_allowed() {
    use deskside_proto::{Section, SectionKind};
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    // Any customer may be asked for it; a secondary customer still not for the screen.
    assert!(s.request(HOST_CSR, bo, Capability::SystemInfo).is_ok());
    assert_eq!(s.request(HOST_CSR, bo, Capability::View), Err(RuleError::NotPrimaryCustomer));
    let inv = Inventory {
        collected_unix_ms: 5,
        sections: vec![Section { kind: SectionKind::System, rows: vec![vec!["hostname".into(), "box".into()]] }],
    };
    drain(&mut s);
    // Not allowed (or not yet reported as allowed): refused, and the connection must close.
    assert_eq!(s.handle_inventory(ana, inv.clone()), Err(Refusal::NotAllowed));
    let allowed = Grants { system_info: true, ..Grants::default() };
    allow(&mut s, 2, ana, allowed);
    drain(&mut s);
    assert_eq!(s.handle_inventory(ana, inv.clone()), Ok(()));
    let out = drain(&mut s);
    assert_eq!(
        out[..2],
        [
            Output::Send { to: ana, msg: ToGuest::SystemInfoReceived },
            Output::Event(SessionEvent::SystemInfo { participant: ana, inventory: inv.clone() })
        ]
    );
    // The grant is used up, and everyone's list says so.
    assert!(out.contains(&Output::Event(SessionEvent::ParticipantsChanged)));
    assert!(!s.participant(ana).unwrap().grants.system_info);
    assert_eq!(s.handle_inventory(ana, inv.clone()), Err(Refusal::NotAllowed), "one per grant");
    allow(&mut s, 2, ana, allowed);
    // Malformed is malformed, allowed or not.
    let mut bad = inv.clone();
    bad.sections.push(bad.sections[0].clone());
    assert_eq!(s.handle_inventory(ana, bad), Err(Refusal::Malformed));
    // Stopped: refused again.
    s.handle_message(3, ana, ToHost::Grants(Grants::default())).unwrap();
    assert_eq!(s.handle_inventory(ana, inv), Err(Refusal::NotAllowed));
}

#[test]
fn a_preview_says_who_is_behind_an_invite_without_using_it() {
    let mut s = session();
    s.add_invite(0, InviteRole::Customer, [7; 16], 30 * MIN).unwrap();
    let peek = Hello { preview: true, ..hello(7, "Ana", AppKind::Agent) };
    let p = s.handle_preview(1, &peek).unwrap();
    assert_eq!((p.csr_name.as_str(), p.organisation.as_str()), ("Sam", "Acme Support"));
    assert!(drain(&mut s).is_empty(), "nobody was admitted, nothing was said");
    // A preview hello cannot be used to join; the invite still works for the real hello.
    assert_eq!(s.handle_hello(2, &peek), Err(Refusal::Malformed));
    let ana = s.handle_hello(3, &hello(7, "Ana", AppKind::Agent)).unwrap();
    assert!(s.participant(ana).is_some());
    // Used, expired, unknown: refused like a hello.
    assert_eq!(s.handle_preview(4, &peek), Err(Refusal::InviteUsed));
    s.add_invite(0, InviteRole::Customer, [8; 16], MIN).unwrap();
    assert_eq!(
        s.handle_preview(2 * MIN, &Hello { preview: true, ..hello(8, "Bo", AppKind::Agent) }),
        Err(Refusal::InviteExpired)
    );
    assert_eq!(
        s.handle_preview(5, &Hello { preview: true, ..hello(9, "Eve", AppKind::Agent) }),
        Err(Refusal::InviteInvalid)
    );
}

#[test]
fn the_csr_in_control_makes_a_secondary_customer_primary_and_the_old_one_stops() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    allow(&mut s, 2, ana, Grants { view: true, control: true, system_info: true, ..Grants::default() });
    let pending = s.request(HOST_CSR, ana, Capability::View).unwrap();
    let keep = s.request(HOST_CSR, ana, Capability::SystemInfo).unwrap();
    drain(&mut s);
    // Only the CSR in control, only a present secondary customer.
    assert_eq!(s.promote(ana, bo), Err(RuleError::NotInControl));
    assert_eq!(s.promote(HOST_CSR, ana), Err(RuleError::NotSecondaryCustomer));
    assert_eq!(s.promote(HOST_CSR, 99), Err(RuleError::NoSuchParticipant));
    s.promote(HOST_CSR, bo).unwrap();
    assert_eq!(s.participant(bo).unwrap().role, Role::PrimaryCustomer);
    let old = s.participant(ana).unwrap();
    assert_eq!(old.role, Role::SecondaryCustomer);
    assert!(!old.grants.view && !old.grants.control, "screen grants end at once");
    assert!(old.grants.system_info, "system information is not about the screen");
    assert!(!s.may_share_screen(ana) && !s.may_control(HOST_CSR, ana));
    // Everyone hears; a late answer to the dropped screen request is ignored.
    let out = drain(&mut s);
    assert!(sent_to(&out, ana).iter().any(|m| matches!(m, ToGuest::Participants(_))));
    assert!(sent_to(&out, bo).iter().any(|m| matches!(m, ToGuest::Participants(_))));
    s.handle_message(3, ana, ToHost::ConsentAnswer { request: pending, allowed: true }).unwrap();
    assert!(drain(&mut s).is_empty(), "the screen request to the old primary was dropped");
    s.handle_message(3, ana, ToHost::ConsentAnswer { request: keep, allowed: true }).unwrap();
    assert_eq!(drain(&mut s).len(), 1, "the system information request still stands");
    // The new primary is the one asked for the screen now.
    assert!(s.request(HOST_CSR, bo, Capability::View).is_ok());
    assert_eq!(s.request(HOST_CSR, ana, Capability::View), Err(RuleError::NotPrimaryCustomer));
}

fn resume_hello(ticket: [u8; 16], app: AppKind) -> Hello {
    Hello { secret: ticket, resume: true, ..hello(0, "Ana", app) }
}

#[test]
fn a_dropped_participant_comes_back_to_the_same_seat_with_the_chat_it_missed() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.issue_ticket(ana, [7; 16]);
    let out = drain(&mut s);
    assert!(sent_to(&out, ana).contains(&&ToGuest::Ticket([7; 16])));
    allow(&mut s, 2, ana, Grants { view: true, ..Grants::default() });
    let req = s.request(HOST_CSR, ana, Capability::Control).unwrap();

    // The network drops: the seat is held, role and grants kept, the open request dropped.
    s.handle_drop(10, ana);
    let p = s.participant(ana).unwrap();
    assert!(p.present() && p.away_ms == Some(10) && p.role == Role::PrimaryCustomer && p.grants.view);
    assert!(s.infos().iter().any(|i| i.id == ana && i.present && i.away));
    drain(&mut s);
    s.handle_message(11, ana, ToHost::ConsentAnswer { request: req, allowed: true }).unwrap();
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Event(SessionEvent::ConsentAnswered { .. }))));
    // Said while away: kept for them.
    s.chat(20, HOST_CSR, ChatTarget::Participant(ana), "Are you there?").unwrap();

    // A wrong ticket, another app, or another session do not get the seat.
    assert_eq!(s.handle_hello(30, &resume_hello([8; 16], AppKind::Agent)), Err(Refusal::SeatLost));
    assert_eq!(s.handle_hello(30, &resume_hello([7; 16], AppKind::Console)), Err(Refusal::SeatLost));
    // The right ticket within the minute does, with the same number and the chat.
    drain(&mut s);
    assert_eq!(s.handle_hello(30, &resume_hello([7; 16], AppKind::Agent)), Ok(ana));
    let out = drain(&mut s);
    let ToGuest::Welcome(w) = sent_to(&out, ana)[0] else { panic!("no welcome") };
    assert_eq!((w.you, w.role), (ana, Role::PrimaryCustomer));
    assert_eq!(chat_sent(&out, ana).last().map(String::as_str), Some("Are you there?"));
    assert!(s.infos().iter().any(|i| i.id == ana && i.present && !i.away));
    // A ticket is used once: a new one is issued after every admission.
    s.handle_drop(40, ana);
    assert_eq!(s.handle_hello(41, &resume_hello([7; 16], AppKind::Agent)), Err(Refusal::SeatLost));
}

#[test]
fn a_seat_is_given_up_after_a_minute_away() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    s.issue_ticket(ana, [7; 16]);
    s.handle_drop(1_000, ana);
    s.handle_timeout(1_000 + RESUME_WINDOW_MS - 1);
    assert!(s.participant(ana).unwrap().present());
    s.handle_timeout(1_000 + RESUME_WINDOW_MS);
    assert!(!s.participant(ana).unwrap().present());
    // The secondary customer moves up, as when the primary leaves.
    assert_eq!(s.participant(bo).unwrap().role, Role::PrimaryCustomer);
    assert_eq!(
        s.handle_hello(1_000 + RESUME_WINDOW_MS, &resume_hello([7; 16], AppKind::Agent)),
        Err(Refusal::SeatLost)
    );
}

#[test]
fn without_a_ticket_or_after_leaving_there_is_no_seat_to_come_back_to() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.handle_drop(5, ana);
    assert!(!s.participant(ana).unwrap().present(), "no ticket: the drop is a leave");
    let bo = join(&mut s, 2, "Bo");
    s.issue_ticket(bo, [3; 16]);
    s.handle_message(6, bo, ToHost::Leave).unwrap();
    s.handle_drop(7, bo);
    assert_eq!(s.handle_hello(8, &resume_hello([3; 16], AppKind::Agent)), Err(Refusal::SeatLost));
    // After the end, nobody comes back.
    let cy = join(&mut s, 4, "Cy");
    s.issue_ticket(cy, [5; 16]);
    s.handle_drop(9, cy);
    s.end(10, HOST_CSR, "").unwrap();
    assert_eq!(s.handle_hello(11, &resume_hello([5; 16], AppKind::Agent)), Err(Refusal::SessionEnded));
}

fn offered(id: u32) -> deskside_proto::OfferedFile {
    deskside_proto::OfferedFile { id, name: format!("f{id}.txt"), size: 100, sha256: [id as u8; 32] }
}

#[test]
fn files_are_offered_by_the_csr_in_control_to_customers_only() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    drain(&mut s);
    assert_eq!(s.offer_file(kim, offered(1)), Err(RuleError::NotInControl));
    s.offer_file(HOST_CSR, offered(1)).unwrap();
    s.offer_file(HOST_CSR, offered(2)).unwrap();
    assert!(sent_to(&drain(&mut s), ana).is_empty(), "told once the burst is over");
    s.publish_files();
    let out = drain(&mut s);
    assert_eq!(sent_to(&out, ana), vec![&ToGuest::FilesOffered { files: vec![offered(1), offered(2)], last: true }]);
    s.publish_files();
    assert!(drain(&mut s).is_empty(), "nothing new to tell");
    s.withdraw_file(HOST_CSR, 2).unwrap();
    s.publish_files();
    drain(&mut s);
    assert!(sent_to(&out, kim).is_empty(), "CSRs are not offered files");
    // A customer who joins later sees what is on offer.
    let bo = join(&mut s, 2, "Bo");
    let out = drain(&mut s);
    assert!(sent_to(&out, bo).contains(&&ToGuest::FilesOffered { files: vec![offered(1)], last: true }));
    // Withdrawn: gone for everyone.
    s.withdraw_file(HOST_CSR, 1).unwrap();
    s.publish_files();
    let out = drain(&mut s);
    assert_eq!(sent_to(&out, ana), vec![&ToGuest::FilesOffered { files: vec![], last: true }]);
    assert_eq!(s.withdraw_file(HOST_CSR, 1), Err(RuleError::NoSuchFile));
}

#[test]
fn a_file_is_sent_only_when_offered_and_not_while_one_application_is_shared() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.offer_file(HOST_CSR, offered(3)).unwrap();
    drain(&mut s);
    let fetch = |file, offset| ToHost::FetchFile { file, offset, prefix_sha256: [0; 32] };
    s.handle_message(2, ana, fetch(3, 40)).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::FileRequested {
        participant: ana,
        file: 3,
        offset: 40,
        prefix_sha256: [0; 32]
    })));
    // Unknown file, or an offset past its end: refused with a reason, nothing sent.
    for msg in [fetch(9, 0), fetch(3, 101)] {
        s.handle_message(3, ana, msg).unwrap();
        let out = drain(&mut s);
        assert!(out.iter().all(|o| !matches!(o, Output::Event(SessionEvent::FileRequested { .. }))));
        assert!(out.contains(&Output::Event(SessionEvent::Refused { participant: ana, rule: RuleError::NoSuchFile })));
    }
    // One application shared: files do not move.
    allow(&mut s, 4, ana, Grants { view_app: true, ..Grants::default() });
    assert!(!s.may_transfer_files(ana));
    drain(&mut s);
    s.handle_message(5, ana, fetch(3, 0)).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::Refused { participant: ana, rule: RuleError::AppSharing })));
    assert_eq!(RuleError::AppSharing.to_string(), "stop application sharing to transfer files");
    // The outcome the customer reports reaches the CSR.
    s.handle_message(6, ana, ToHost::FileDone { file: 3, outcome: deskside_proto::FileOutcome::Done }).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::FileDone {
        participant: ana,
        file: 3,
        outcome: deskside_proto::FileOutcome::Done
    })));
}

#[test]
fn control_is_transferred_to_another_csr_and_back() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    // Only to a CSR who is here, and only by the CSR in control.
    assert_eq!(s.transfer_control(HOST_CSR, ana), Err(RuleError::NotACsr));
    assert_eq!(s.transfer_control(kim, kim), Err(RuleError::NotInControl));
    s.transfer_control(HOST_CSR, kim).unwrap();
    assert_eq!(s.in_control(), Some(kim));
    assert_eq!(s.participant(HOST_CSR).unwrap().role, Role::Csr);
    drain(&mut s);
    // The new CSR in control runs the session: requests go out in their name.
    s.handle_message(2, kim, ToHost::Request { to: ana, capability: Capability::View }).unwrap();
    let out = drain(&mut s);
    assert!(
        matches!(sent_to(&out, ana)[..], [ToGuest::ConsentRequest { capability: Capability::View, from_name, .. }] if from_name == "Kim")
    );
    // The previous one watches: cannot request or end.
    assert_eq!(s.request(HOST_CSR, ana, Capability::Control), Err(RuleError::NotInControl));
    assert_eq!(s.end(3, HOST_CSR, ""), Err(RuleError::NotInControl));
    // Back again, by a message from the CSR in control.
    s.handle_message(4, kim, ToHost::TransferControl { to: HOST_CSR }).unwrap();
    assert_eq!(s.in_control(), Some(HOST_CSR));
    s.handle_message(5, kim, ToHost::End { notes: String::new() }).unwrap();
    assert!(!s.is_ended(), "Kim is no longer in control");
    s.end(6, HOST_CSR, "done").unwrap();
    assert!(s.is_ended());
}

#[test]
fn a_csr_not_in_control_is_refused_with_a_reason() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    drain(&mut s);
    for msg in [
        ToHost::Request { to: ana, capability: Capability::View },
        ToHost::TransferControl { to: kim },
        ToHost::Promote { to: ana },
    ] {
        s.handle_message(2, kim, msg).unwrap();
        let out = drain(&mut s);
        assert!(sent_to(&out, ana).is_empty(), "nothing reached the customer");
        assert!(
            out.contains(&Output::Event(SessionEvent::Refused { participant: kim, rule: RuleError::NotInControl }))
        );
    }
    // A customer cannot take control either.
    s.handle_message(3, ana, ToHost::TransferControl { to: ana }).unwrap();
    assert_eq!(s.in_control(), Some(HOST_CSR));
}

fn moved(file: u32, path: &[&str], size: u64) -> deskside_proto::MovedFile {
    deskside_proto::MovedFile { file, path: path.iter().map(|p| (*p).to_owned()).collect(), size, sha256: [7; 32] }
}

fn summary(name: &str, files: u32) -> deskside_proto::MoveSummary {
    deskside_proto::MoveSummary { name: name.into(), dir: files > 1, files, bytes: 10 }
}

fn grant_files(s: &mut Session, who: ParticipantId) {
    let grants = Grants { files: true, ..Grants::default() };
    allow(s, 2, who, grants);
}

#[test]
fn files_are_browsed_and_moved_only_with_the_customers_grant() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let at = deskside_proto::FolderAt::Place(deskside_proto::Place::Documents);
    assert_eq!(s.list_folder(HOST_CSR, ana, at.clone()), Err(RuleError::FilesNotAllowed));
    assert_eq!(s.pull(HOST_CSR, ana, "/home/ana".into(), "x".into()), Err(RuleError::FilesNotAllowed));
    grant_files(&mut s, ana);
    drain(&mut s);

    // A listing goes out, and only the answer to it comes back to the CSR.
    let req = s.list_folder(HOST_CSR, ana, at).unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::ListFolder { req: r, .. }] if *r == req));
    let listing =
        deskside_proto::FolderListing { path: "/home/ana".into(), parent: None, entries: vec![], truncated: false };
    s.handle_message(3, ana, ToHost::Folder { req: req + 40, listing: Ok(listing.clone()) }).unwrap();
    let out = drain(&mut s);
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Refused { rule: RuleError::NoSuchFile, .. }))));
    s.handle_message(3, ana, ToHost::Folder { req, listing: Ok(listing.clone()) }).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::Folder { participant: ana, listing: Ok(listing) })));

    // A CSR who is not in control cannot move anything; nor can anyone while an application is
    // shared.
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    assert_eq!(s.pull(kim, ana, "/".into(), "x".into()), Err(RuleError::NotInControl));
    let grants = Grants { files: true, view_app: true, ..Grants::default() };
    allow(&mut s, 4, ana, grants);
    assert_eq!(s.pull(HOST_CSR, ana, "/".into(), "x".into()), Err(RuleError::AppSharing));
}

#[test]
fn a_push_is_fetched_only_after_the_customer_allows_it() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    grant_files(&mut s, ana);
    grant_files(&mut s, bo);
    drain(&mut s);
    let files = vec![moved(31, &["Photos", "a.jpg"], 5), moved(32, &["Photos", "b", "c.jpg"], 5)];
    let push = s.reserve_move();
    s.push(push, HOST_CSR, ana, summary("Photos", 2), "/home/ana".into(), OnConflict::KeepBoth, files.clone()).unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::PushAsk { push: p, .. }] if *p == push));

    // Not yet allowed: fetching is refused.
    let fetch = ToHost::FetchFile { file: 31, offset: 0, prefix_sha256: [0; 32] };
    s.handle_message(3, ana, fetch.clone()).unwrap();
    assert!(drain(&mut s).iter().any(|o| matches!(o, Output::Event(SessionEvent::Refused { .. }))));
    // Another customer cannot answer it.
    s.handle_message(3, bo, ToHost::PushAnswer { push, allowed: true, reason: None }).unwrap();
    assert!(sent_to(&drain(&mut s), bo).iter().all(|m| !matches!(m, ToGuest::PushFiles { .. })));

    s.handle_message(4, ana, ToHost::PushAnswer { push, allowed: true, reason: None }).unwrap();
    let out = drain(&mut s);
    assert!(
        matches!(sent_to(&out, ana)[..], [ToGuest::PushFiles { files: f, last: true, .. }] if *f == files),
        "{out:?}"
    );
    assert!(out.contains(&Output::Event(SessionEvent::MoveAnswered { id: push, allowed: true, reason: None })));
    s.handle_message(5, ana, fetch.clone()).unwrap();
    assert!(drain(&mut s).iter().any(|o| matches!(o, Output::Event(SessionEvent::FileRequested { file: 31, .. }))));
    // Bo may not fetch Ana's files.
    s.handle_message(5, bo, fetch.clone()).unwrap();
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Event(SessionEvent::FileRequested { .. }))));

    // Ana stops browsing and moving files: the move ends and nothing more is sent.
    s.handle_message(6, ana, ToHost::Grants(Grants::default())).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::MoveStopped { id: push })));
    s.handle_message(7, ana, fetch).unwrap();
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Event(SessionEvent::FileRequested { .. }))));
}

#[test]
fn a_pull_is_accepted_only_as_asked_and_a_refusal_says_why() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    drain(&mut s);
    // Files nobody asked for are refused.
    let unasked =
        ToHost::PullFiles { pull: 99, summary: summary("x", 1), files: vec![moved(1, &["x"], 1)], last: true };
    s.handle_message(3, ana, unasked).unwrap();
    assert!(drain(&mut s).iter().any(|o| matches!(o, Output::Event(SessionEvent::Refused { .. }))));
    assert_eq!(s.fetch_pulled(ana, 1, 0, [0; 32]), Err(RuleError::NoSuchFile));

    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "report.pdf".into()).unwrap();
    let files = vec![moved(1, &["report.pdf"], 9)];
    s.handle_message(
        4,
        ana,
        ToHost::PullFiles {
            pull,
            summary: deskside_proto::MoveSummary { bytes: 9, ..summary("report.pdf", 1) },
            files: files.clone(),
            last: true,
        },
    )
    .unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::MoveAnswered { id: pull, allowed: true, reason: None })));
    assert!(
        out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Pulled { pull: p, last: true, .. }) if *p == pull))
    );
    assert_eq!(s.fetch_pulled(ana, 1, 10, [0; 32]), Err(RuleError::NoSuchFile), "past its end");
    s.fetch_pulled(ana, 1, 4, [0; 32]).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), ana)[..], [ToGuest::FetchPulled { file: 1, offset: 4, .. }]));

    let refused = s.pull(HOST_CSR, ana, "/home/ana".into(), "secret".into()).unwrap();
    s.handle_message(5, ana, ToHost::PullRefused { pull: refused, reason: "Ana refused".into() }).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::MoveAnswered {
        id: refused,
        allowed: false,
        reason: Some("Ana refused".into())
    })));

    // The CSR cancels: the agent is told, and the files may no longer come.
    s.cancel_move(HOST_CSR, pull).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), ana)[..], [ToGuest::MoveCancelled { id }] if *id == pull));
    assert!(s.pulled_file(ana, 1).is_none());
}

#[test]
fn many_files_are_sent_in_bounded_batches() {
    let files: Vec<_> = (0..3000).map(|i| moved(i, &["Folder", &format!("file number {i:05}.txt")], 1)).collect();
    let batches = batches(files.clone());
    assert!(batches.len() > 1);
    assert!(batches[..batches.len() - 1].iter().all(|(_, last)| !last));
    assert!(batches.last().unwrap().1);
    for (b, last) in &batches {
        let msg = ToGuest::PushFiles { push: 1, files: b.clone(), last: *last };
        let bytes = deskside_proto::encode_frame(&msg, deskside_proto::MAX_CONTROL_MSG_BYTES).unwrap();
        assert!(bytes.len() <= deskside_proto::MAX_CONTROL_MSG_BYTES);
    }
    assert_eq!(batches.into_iter().flat_map(|(b, _)| b).collect::<Vec<_>>(), files);
    assert_eq!(super::batches(vec![]), vec![(vec![], true)]);
}

#[test]
fn the_session_is_handed_to_the_csr_in_control_and_goes_on_at_their_console() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    allow(&mut s, 2, ana, Grants { view: true, ..Grants::default() });
    s.chat(3, HOST_CSR, ChatTarget::Participant(ana), "Hello Ana").unwrap();
    s.chat(4, kim, ChatTarget::Csrs, "I know this one").unwrap();
    drain(&mut s);
    // Not before control is Kim's.
    assert_eq!(s.hand_over(5, kim, "", || Some([7; 16])).unwrap_err(), RuleError::NotACsr);
    s.transfer_control(HOST_CSR, kim).unwrap();
    let state = s.hand_over(6, kim, "Printer offline.", || Some([7; 16])).unwrap();
    assert!(state.is_valid());
    assert_eq!(state.notes, "Printer offline.");
    // Kim is 0 at the new host; Sam takes Kim's number and has left.
    let seat = |id| state.seats.iter().find(|x| x.id == id).unwrap();
    assert_eq!((seat(0).name.as_str(), seat(kim).name.as_str(), seat(kim).present), ("Kim", "Sam", false));
    assert_eq!((seat(ana).grants.view, seat(ana).ticket), (true, [7; 16]));
    assert_eq!(state.chat[0].from, kim, "Sam's line, renumbered");
    assert_eq!(state.chat[1].from, 0, "Kim's line, renumbered");

    // Only the CSR taking over says where; everyone else is sent there.
    s.handle_message(7, ana, ToHost::HostReady { addrs: vec!["127.0.0.1:9".parse().unwrap()], fingerprint: [1; 32] })
        .unwrap();
    assert!(sent_to(&drain(&mut s), ana).iter().all(|m| !matches!(m, ToGuest::MoveTo { .. })));
    s.handle_message(8, kim, ToHost::HostReady { addrs: vec!["127.0.0.1:9".parse().unwrap()], fingerprint: [1; 32] })
        .unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::MoveTo { ticket, .. }] if *ticket == [7; 16]));
    assert!(out.contains(&Output::Event(SessionEvent::HandedOver { to: kim })));

    // At Kim's console: Ana's seat is held with her grants and comes back with the ticket.
    let mut next = Session::from_hand_over(10, &state);
    assert_eq!(next.participant(0).unwrap().role, Role::CsrInControl);
    assert!(next.participant(ana).unwrap().away_ms.is_some());
    let back = Hello { secret: [7; 16], resume: true, ..hello(0, "Ana", AppKind::Agent) };
    assert_eq!(next.handle_hello(11, &back), Ok(ana));
    assert!(next.participant(ana).unwrap().grants.view, "no new consent");
    let out = drain(&mut next);
    let ToGuest::Welcome(w) = sent_to(&out, ana)[0] else { panic!("no welcome") };
    assert_eq!(chat_sent(&out, ana), vec!["Hello Ana"], "Ana reads Sam's line to her, not the CSRs' one");
    assert_eq!(w.csr_name, "Kim");
}

// Hostile peers: what a customer or a colleague claims is believed only as far as this host asked.

#[test]
fn a_grant_nobody_asked_for_is_not_believed() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    drain(&mut s);
    // Claimed out of the blue: not believed, nothing shown.
    s.handle_message(2, ana, ToHost::Grants(Grants { view: true, control: true, ..Grants::default() })).unwrap();
    assert!(!s.may_share_screen(ana));
    assert!(!s.may_control(HOST_CSR, ana));
    assert_eq!(s.participant(ana).unwrap().grants, Grants::default());
    // Asked and refused: still not.
    let req = s.request(HOST_CSR, ana, Capability::View).unwrap();
    s.handle_message(3, ana, ToHost::ConsentAnswer { request: req, allowed: false }).unwrap();
    s.handle_message(3, ana, ToHost::Grants(Grants { view: true, ..Grants::default() })).unwrap();
    assert!(!s.may_share_screen(ana));
    // Asked for viewing and allowed: viewing, and nothing more than viewing.
    let req = s.request(HOST_CSR, ana, Capability::View).unwrap();
    s.handle_message(4, ana, ToHost::ConsentAnswer { request: req, allowed: true }).unwrap();
    s.handle_message(4, ana, ToHost::Grants(Grants { view: true, control: true, files: true, ..Grants::default() }))
        .unwrap();
    assert!(s.may_share_screen(ana));
    assert!(!s.may_control(HOST_CSR, ana));
    assert!(!s.may_move_files(ana));
    // Stopped, then claimed again: a stop needs a new request to come back.
    s.handle_message(5, ana, ToHost::Grants(Grants::default())).unwrap();
    s.handle_message(6, ana, ToHost::Grants(Grants { view: true, ..Grants::default() })).unwrap();
    assert!(!s.may_share_screen(ana));
    // An answer for someone else's request counts for nobody.
    let bo = join(&mut s, 2, "Bo");
    let req = s.request(HOST_CSR, ana, Capability::SystemInfo).unwrap();
    s.handle_message(7, bo, ToHost::ConsentAnswer { request: req, allowed: true }).unwrap();
    s.handle_message(7, bo, ToHost::Grants(Grants { system_info: true, ..Grants::default() })).unwrap();
    assert_eq!(s.participant(bo).unwrap().grants, Grants::default());
    let inventory = Inventory { collected_unix_ms: 0, sections: vec![] };
    assert_eq!(s.handle_inventory(bo, inventory), Err(Refusal::NotAllowed));
}

#[test]
fn one_inventory_per_grant_and_a_demoted_customer_needs_asking_again() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    allow(&mut s, 2, ana, Grants { view: true, system_info: true, ..Grants::default() });
    let inventory = Inventory { collected_unix_ms: 0, sections: vec![] };
    s.handle_inventory(ana, inventory.clone()).unwrap();
    // The agent stops the grant itself; a second inventory without a new request is refused
    // even if the agent keeps claiming the grant.
    s.handle_message(3, ana, ToHost::Grants(Grants { view: true, system_info: true, ..Grants::default() })).unwrap();
    assert_eq!(s.handle_inventory(ana, inventory), Err(Refusal::NotAllowed));
    // Bo becomes primary: Ana's viewing ends here and claiming it again is not believed.
    s.promote(HOST_CSR, bo).unwrap();
    s.handle_message(4, ana, ToHost::Grants(Grants { view: true, ..Grants::default() })).unwrap();
    assert!(!s.participant(ana).unwrap().grants.view);
}

#[test]
fn host_ready_is_taken_only_as_the_answer_to_a_hand_over_this_host_began() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    s.add_invite(0, InviteRole::Csr, [6; 16], 30 * MIN).unwrap();
    let lee = s.handle_hello(1, &hello(6, "Lee", AppKind::Console)).unwrap();
    s.transfer_control(HOST_CSR, kim).unwrap();
    drain(&mut s);
    let ready = || ToHost::HostReady { addrs: vec!["127.0.0.1:9".parse().unwrap()], fingerprint: [1; 32] };
    // Kim holds control but no hand-over began: everyone stays.
    s.handle_message(2, kim, ready()).unwrap();
    let out = drain(&mut s);
    assert!(out.iter().all(|o| !matches!(o, Output::Send { msg: ToGuest::MoveTo { .. }, .. })));
    assert!(!s.is_ended());
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Event(SessionEvent::Refused { participant, .. }) if *participant == kim))
    );
    // Begun to Kim, then control goes on to Lee: the hand-over to Kim is off, and Lee's word is
    // not an answer either.
    s.hand_over(3, kim, "", || Some([7; 16])).unwrap();
    s.transfer_control(kim, lee).unwrap();
    s.handle_message(4, kim, ready()).unwrap();
    s.handle_message(4, lee, ready()).unwrap();
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Send { msg: ToGuest::MoveTo { .. }, .. })));
    assert!(!s.is_ended());
    // Begun to Lee, answered by Lee: Ana is sent there.
    s.hand_over(5, lee, "", || Some([8; 16])).unwrap();
    s.handle_message(6, lee, ready()).unwrap();
    assert!(sent_to(&drain(&mut s), ana).iter().any(|m| matches!(m, ToGuest::MoveTo { .. })));
}

#[test]
fn no_hand_over_without_secure_random_tickets() {
    let mut s = session();
    let _ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    s.transfer_control(HOST_CSR, kim).unwrap();
    assert_eq!(s.hand_over(2, kim, "", || None).unwrap_err(), RuleError::NoRandom);
    assert_eq!(s.hand_over(2, kim, "", || Some([0; 16])).unwrap_err(), RuleError::NoRandom, "never zeros");
    // Nothing began: Kim's word moves nobody.
    s.handle_message(3, kim, ToHost::HostReady { addrs: vec!["127.0.0.1:9".parse().unwrap()], fingerprint: [1; 32] })
        .unwrap();
    assert!(!s.is_ended());
}

fn exact(name: &str, dir: bool, files: &[deskside_proto::MovedFile]) -> deskside_proto::MoveSummary {
    deskside_proto::MoveSummary {
        name: name.into(),
        dir,
        files: files.len() as u32,
        bytes: files.iter().map(|f| f.size).sum(),
    }
}

#[test]
fn a_hostile_agent_cannot_choose_what_a_pull_writes_on_the_csrs_computer() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    drain(&mut s);
    let cancelled = |out: &[Output], pull: u32| {
        sent_to(out, ana).iter().any(|m| matches!(m, ToGuest::MoveCancelled { id } if *id == pull))
            && out.iter().all(|o| !matches!(o, Output::Event(SessionEvent::Pulled { .. })))
    };
    // Another name than the one asked for.
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "report.pdf".into()).unwrap();
    let files = vec![moved(1, &[".bashrc"], 9)];
    s.handle_message(2, ana, ToHost::PullFiles { pull, summary: exact(".bashrc", false, &files), files, last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "a name nobody asked for");
    // The asked name in the summary, another in the files.
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let files = vec![moved(1, &["Photos", "a.jpg"], 4), moved(2, &["Other", "b.jpg"], 4)];
    s.handle_message(3, ana, ToHost::PullFiles { pull, summary: exact("Photos", true, &files), files, last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "a second top folder");
    // More bytes or files than the summary says, or the same path twice.
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let files = vec![moved(1, &["Photos", "a.jpg"], 4)];
    let summary = deskside_proto::MoveSummary { bytes: 3, ..exact("Photos", true, &files) };
    s.handle_message(4, ana, ToHost::PullFiles { pull, summary, files, last: true }).unwrap();
    assert!(cancelled(&drain(&mut s), pull), "more bytes than said");
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let files = vec![moved(1, &["Photos", "a.jpg"], 4), moved(2, &["Photos", "a.jpg"], 4)];
    s.handle_message(5, ana, ToHost::PullFiles { pull, summary: exact("Photos", true, &files), files, last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "one path twice");
    // A summary that changes between batches, or fewer files than said at the end.
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let all = vec![moved(1, &["Photos", "a.jpg"], 4), moved(2, &["Photos", "b.jpg"], 4)];
    let first = exact("Photos", true, &all);
    s.handle_message(6, ana, ToHost::PullFiles { pull, summary: first.clone(), files: all[..1].to_vec(), last: false })
        .unwrap();
    let out = drain(&mut s);
    assert!(
        out.iter().all(|o| !matches!(o, Output::Event(SessionEvent::Pulled { .. }))),
        "not before the list is whole"
    );
    let bigger = deskside_proto::MoveSummary { files: 3, bytes: 12, ..first.clone() };
    s.handle_message(7, ana, ToHost::PullFiles { pull, summary: bigger, files: all[1..].to_vec(), last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "a summary that grew");
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    s.handle_message(8, ana, ToHost::PullFiles { pull, summary: first.clone(), files: all[..1].to_vec(), last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "fewer files than said");
    // Exactly what was asked: taken, whole, once.
    let pull = s.pull(HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    s.handle_message(9, ana, ToHost::PullFiles { pull, summary: first.clone(), files: all[..1].to_vec(), last: false })
        .unwrap();
    s.handle_message(9, ana, ToHost::PullFiles { pull, summary: first, files: all[1..].to_vec(), last: true }).unwrap();
    let out = drain(&mut s);
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Pulled { files, .. }) if *files == all)));
}

#[test]
fn a_long_session_still_admits_and_resumes_people() {
    let mut s = session();
    for i in 0..10_000 {
        let text = format!("line {i}: {}", "x".repeat(i % 300));
        s.chat(i as u64, HOST_CSR, ChatTarget::Everyone, &text).unwrap();
    }
    for id in 1..=5_000u32 {
        let f =
            deskside_proto::OfferedFile { id, name: format!("{id:04} {}", "n".repeat(200)), size: 1, sha256: [0; 32] };
        s.offer_file(HOST_CSR, f).unwrap();
    }
    let ana = join(&mut s, 1, "Ana");
    s.issue_ticket(ana, [7; 16]);
    let check = |out: &[Output]| {
        for msg in sent_to(out, ana) {
            assert!(msg.is_valid());
            let frame = deskside_proto::encode_frame(msg, deskside_proto::MAX_CONTROL_MSG_BYTES);
            assert!(frame.is_ok(), "every piece fits one control message");
        }
        assert_eq!(chat_sent(out, ana).len(), 10_000, "all the chat, in pieces");
        let offered: usize = sent_to(out, ana)
            .iter()
            .map(|m| match m {
                ToGuest::FilesOffered { files, .. } => files.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(offered, 5_000, "every file on offer, in pieces");
        assert!(sent_to(out, ana).iter().any(|m| matches!(m, ToGuest::FilesOffered { last: true, .. })));
    };
    check(&drain(&mut s));
    // Back after a dropped connection: the same.
    s.handle_drop(20_000, ana);
    drain(&mut s);
    let back = Hello { secret: [7; 16], resume: true, ..hello(0, "Ana", AppKind::Agent) };
    assert_eq!(s.handle_hello(20_001, &back), Ok(ana));
    check(&drain(&mut s));
}

#[test]
fn the_chat_kept_is_bounded_in_lines_and_bytes() {
    let mut s = session();
    let long = "y".repeat(deskside_proto::MAX_CHAT_BYTES);
    for i in 0..2_000 {
        s.chat(i, HOST_CSR, ChatTarget::Everyone, &long).unwrap();
    }
    let kept: usize = s.chat_log().map(ChatLine::weight).sum();
    assert!(kept <= deskside_proto::MAX_CHAT_KEPT_BYTES);
    assert!(s.chat_log().count() < 2_000 && s.chat_log().count() > 100, "the newest kept");
    for i in 0..20_000 {
        s.chat(3_000 + i, HOST_CSR, ChatTarget::Everyone, "ok").unwrap();
    }
    assert_eq!(s.chat_log().count(), deskside_proto::MAX_CHAT_LINES);
    assert_eq!(s.chat_log().last().map(|l| l.text.as_str()), Some("ok"));
}

#[test]
fn a_flood_of_chat_is_refused_after_a_burst_and_an_honest_pace_is_not() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    drain(&mut s);
    for _ in 0..CHAT_BURST {
        s.handle_message(1_000, ana, ToHost::Chat { to: ChatTarget::Everyone, text: "hi".into() }).unwrap();
    }
    s.handle_message(1_000, ana, ToHost::Chat { to: ChatTarget::Everyone, text: "flood".into() }).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::Refused { participant: ana, rule: RuleError::TooFast })));
    assert!(!s.chat_log().any(|l| l.text == "flood"));
    // A line every CHAT_EVERY_MS goes through, for as long as it lasts.
    for i in 1..=100 {
        let now = 1_000 + i * CHAT_EVERY_MS;
        s.handle_message(now, ana, ToHost::Chat { to: ChatTarget::Everyone, text: format!("{i}") }).unwrap();
    }
    assert_eq!(s.chat_log().filter(|l| l.from == ana).count() as UnixMs, CHAT_BURST + 100);
}

#[test]
fn control_comes_back_to_the_hosting_csr_when_the_colleague_in_control_is_gone() {
    let mut s = session();
    let _ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    s.issue_ticket(kim, [8; 16]);
    s.transfer_control(HOST_CSR, kim).unwrap();
    assert_eq!(s.end(2, HOST_CSR, ""), Err(RuleError::NotInControl));
    // Kim's connection drops: her seat (and control) are held for a minute for her to come back.
    s.handle_drop(3, kim);
    assert_eq!(s.in_control(), Some(kim));
    // Gone for good: control is Sam's again, and he can end the session.
    s.handle_timeout(3 + RESUME_WINDOW_MS);
    assert_eq!(s.in_control(), Some(HOST_CSR));
    assert_eq!(s.participant(HOST_CSR).unwrap().role, Role::CsrInControl);
    // Another colleague given control who leaves gives it back at once.
    s.add_invite(0, InviteRole::Csr, [6; 16], 30 * MIN).unwrap();
    let lee = s.handle_hello(4, &hello(6, "Lee", AppKind::Console)).unwrap();
    s.transfer_control(HOST_CSR, lee).unwrap();
    s.handle_message(5, lee, ToHost::Leave).unwrap();
    assert_eq!(s.in_control(), Some(HOST_CSR));
    assert!(s.end(6, HOST_CSR, "done").is_ok());
}
