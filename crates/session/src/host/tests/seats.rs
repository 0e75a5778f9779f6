//! Monitors, system information, previews, promotion and seats held for a minute.

use super::*;

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
            Output::Event(SessionEvent::SystemInfo { participant: ana, inventory: inv.clone(), for_csr: HOST_CSR })
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
    assert_eq!(s.promote(HOST_CSR, ParticipantId(99)), Err(RuleError::NoSuchParticipant));
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
