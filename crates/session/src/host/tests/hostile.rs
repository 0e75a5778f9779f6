//! Hand-over, and what a hostile participant reports is believed only as far as it was asked.

use super::files::{grant_files, moved};
use super::*;

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
    assert_eq!(s.hand_over(kim, "", || Some([7; 16])).unwrap_err(), RuleError::NotACsr);
    s.transfer_control(HOST_CSR, kim).unwrap();
    let state = s.hand_over(kim, "Printer offline.", || Some([7; 16])).unwrap();
    assert!(state.is_valid());
    assert_eq!(state.notes, "Printer offline.");
    // Kim is 0 at the new host; Sam takes Kim's number and has left.
    let seat = |id| state.seats.iter().find(|x| x.id == id).unwrap();
    assert_eq!(
        (seat(ParticipantId(0)).name.as_str(), seat(kim).name.as_str(), seat(kim).present),
        ("Kim", "Sam", false)
    );
    assert_eq!((seat(ana).grants.view, seat(ana).ticket), (true, [7; 16]));
    assert_eq!(state.chat[0].from, kim, "Sam's line, renumbered");
    assert_eq!(state.chat[1].from, ParticipantId(0), "Kim's line, renumbered");

    // Only the CSR taking over says where; everyone else is sent there.
    s.handle_message(
        7,
        ana,
        ToHost::HostReady {
            host: deskside_proto::HostAddr {
                id: [1; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec!["127.0.0.1:9".parse().unwrap()],
            },
        },
    )
    .unwrap();
    assert!(sent_to(&drain(&mut s), ana).iter().all(|m| !matches!(m, ToGuest::MoveTo { .. })));
    s.handle_message(
        8,
        kim,
        ToHost::HostReady {
            host: deskside_proto::HostAddr {
                id: [1; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec!["127.0.0.1:9".parse().unwrap()],
            },
        },
    )
    .unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::MoveTo { ticket, .. }] if *ticket == [7; 16]));
    assert!(out.contains(&Output::Event(SessionEvent::HandedOver { to: kim })));

    // At Kim's console: Ana's seat is held with her grants and comes back with the ticket.
    let mut next = Session::from_hand_over(10, &state);
    assert_eq!(next.participant(ParticipantId(0)).unwrap().role, Role::CsrInControl);
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
    let ready = || ToHost::HostReady {
        host: deskside_proto::HostAddr {
            id: [1; 32],
            relays: vec![],
            relay_token: String::new(),
            addrs: vec!["127.0.0.1:9".parse().unwrap()],
        },
    };
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
    s.hand_over(kim, "", || Some([7; 16])).unwrap();
    s.transfer_control(kim, lee).unwrap();
    s.handle_message(4, kim, ready()).unwrap();
    s.handle_message(4, lee, ready()).unwrap();
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Send { msg: ToGuest::MoveTo { .. }, .. })));
    assert!(!s.is_ended());
    // Begun to Lee, answered by Lee: Ana is sent there.
    s.hand_over(lee, "", || Some([8; 16])).unwrap();
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
    assert_eq!(s.hand_over(kim, "", || None).unwrap_err(), RuleError::NoRandom);
    assert_eq!(s.hand_over(kim, "", || Some([0; 16])).unwrap_err(), RuleError::NoRandom, "never zeros");
    // Nothing began: Kim's word moves nobody.
    s.handle_message(
        3,
        kim,
        ToHost::HostReady {
            host: deskside_proto::HostAddr {
                id: [1; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec!["127.0.0.1:9".parse().unwrap()],
            },
        },
    )
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
    let cancelled = |out: &[Output], pull: MoveId| {
        sent_to(out, ana).iter().any(|m| matches!(m, ToGuest::MoveCancelled { id } if *id == pull))
            && out.iter().all(|o| !matches!(o, Output::Event(SessionEvent::Pulled { .. })))
    };
    // Another name than the one asked for.
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "report.pdf".into()).unwrap();
    let files = vec![moved(1, &[".bashrc"], 9)];
    s.handle_message(2, ana, ToHost::PullFiles { pull, summary: exact(".bashrc", false, &files), files, last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "a name nobody asked for");
    // The asked name in the summary, another in the files.
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let files = vec![moved(1, &["Photos", "a.jpg"], 4), moved(2, &["Other", "b.jpg"], 4)];
    s.handle_message(3, ana, ToHost::PullFiles { pull, summary: exact("Photos", true, &files), files, last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "a second top folder");
    // More bytes or files than the summary says, or the same path twice.
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let files = vec![moved(1, &["Photos", "a.jpg"], 4)];
    let summary = deskside_proto::MoveSummary { bytes: 3, ..exact("Photos", true, &files) };
    s.handle_message(4, ana, ToHost::PullFiles { pull, summary, files, last: true }).unwrap();
    assert!(cancelled(&drain(&mut s), pull), "more bytes than said");
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    let files = vec![moved(1, &["Photos", "a.jpg"], 4), moved(2, &["Photos", "a.jpg"], 4)];
    s.handle_message(5, ana, ToHost::PullFiles { pull, summary: exact("Photos", true, &files), files, last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "one path twice");
    // A summary that changes between batches, or fewer files than said at the end.
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
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
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
    s.handle_message(8, ana, ToHost::PullFiles { pull, summary: first.clone(), files: all[..1].to_vec(), last: true })
        .unwrap();
    assert!(cancelled(&drain(&mut s), pull), "fewer files than said");
    // Exactly what was asked: taken, whole, once.
    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "Photos".into()).unwrap();
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
        let f = deskside_proto::OfferedFile {
            id: FileId(id),
            name: format!("{id:04} {}", "n".repeat(200)),
            size: 1,
            sha256: [0; 32],
        };
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
