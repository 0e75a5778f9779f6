//! The customer's side and the team-session rules, through the in-memory pair.

use deskside_proto::{
    Capability, ChatTarget, FileProblem, FolderAt, Grants, ParticipantId, RESUME_WINDOW_MS, Refusal, Role, ToGuest,
    ToHost,
};

use super::{Ask, CloseReason, Event, Local, MAX_ASKS, MoveAsk, Sharing, Task};
use crate::host::{HOST_CSR, SessionEvent};
use crate::pair::Pair;

/// The request the customer's window shows now.
fn asked(p: &Pair, id: ParticipantId) -> (u32, Capability, String) {
    let r = p.guest(id).pending().expect("a request waits");
    (r.request, r.capability, r.from_name.clone())
}

/// Sam hosts; Pat joined and allowed `cap` when Sam asked.
fn granted(cap: Capability) -> (Pair, ParticipantId) {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    p.at_host(|s, _| s.request(HOST_CSR, pat, cap)).unwrap();
    let (request, ..) = asked(&p, pat);
    p.local(pat, Local::Answer { request, allowed: true });
    (p, pat)
}

#[test]
fn nothing_is_shared_before_the_customer_answers() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    assert!(p.guest(pat).is_primary());
    p.at_host(|s, _| s.request(HOST_CSR, pat, Capability::View)).unwrap();
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
    assert!(!p.host.may_share_screen(pat));
    let (request, cap, from) = asked(&p, pat);
    assert_eq!((cap, from.as_str()), (Capability::View, "Sam Rivera"));
    p.local(pat, Local::Answer { request, allowed: false });
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
    assert!(p.host_events().contains(&SessionEvent::ConsentAnswered {
        participant: pat,
        capability: Capability::View,
        allowed: false
    }));
}

#[test]
fn control_is_asked_once_and_the_csr_sees_what_they_control() {
    let (p, pat) = granted(Capability::Control);
    let g = p.guest(pat);
    assert_eq!(g.sharing(), Sharing::Screen, "the picture flows with control");
    assert!(g.may_inject());
    assert!(p.host.may_share_screen(pat), "the host reads the screen of a customer who allowed control");
    assert!(p.host.may_control(HOST_CSR, pat));
    assert_eq!(p.host.participant(pat).unwrap().grants, Grants { view: true, control: true, ..Grants::default() });
}

#[test]
fn an_unanswered_request_is_refused_after_two_minutes() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    p.at_host(|s, _| s.request(HOST_CSR, pat, Capability::Control)).unwrap();
    p.host_events();
    p.advance(119_000);
    assert!(p.guest(pat).pending().is_some());
    p.advance(1_000);
    assert!(p.guest(pat).pending().is_none());
    assert!(p.host_events().contains(&SessionEvent::ConsentAnswered {
        participant: pat,
        capability: Capability::Control,
        allowed: false
    }));
    assert!(p.events(pat).contains(&Event::ConsentChanged));
}

#[test]
fn a_secondary_customer_is_never_asked_for_the_screen() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    let lee = p.join_customer("Lee");
    assert!(!p.guest(lee).is_primary());
    // A rogue host would ask anyway: Lee's side answers no without asking Lee.
    let now = p.now();
    let mut lee_side = super::Guest::new(p.guest(lee).invite().clone(), &welcome_of(&p, lee), None, p.now());
    lee_side.handle_message(
        now,
        ToGuest::ConsentRequest { request: 9, capability: Capability::View, from_name: "Sam".into() },
    );
    assert!(lee_side.pending().is_none());
    assert_eq!(lee_side.poll_output(), Some(ToHost::ConsentAnswer { request: 9, allowed: false }));
    let _ = pat;
}

fn welcome_of(p: &Pair, id: ParticipantId) -> deskside_proto::Welcome {
    let g = p.guest(id);
    deskside_proto::Welcome {
        you: id,
        role: if g.is_primary() { Role::PrimaryCustomer } else { Role::SecondaryCustomer },
        csr_name: g.in_control().to_owned(),
        organisation: g.organisation().to_owned(),
        session_type: "General support".into(),
        tracking_code: String::new(),
        started_unix_ms: 0,
        participants: g.participants().to_vec(),
        certificate: None,
    }
}

#[test]
fn stop_ends_a_grant_at_once_even_while_the_network_is_away() {
    let (mut p, pat) = granted(Capability::Control);
    p.cut(pat);
    assert!(p.events(pat).contains(&Event::Reconnecting));
    p.local(pat, Local::Stop(Capability::View));
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing, "Stop needs no network");
    assert!(!p.guest(pat).may_inject(), "stopping the view stops control of it");
    // The host still believes the old grants: it has not heard.
    assert!(p.host.participant(pat).unwrap().grants.control);
    p.restore(pat);
    assert!(p.guest(pat).is_up());
    assert!(p.events(pat).iter().any(|e| matches!(e, Event::Reconnected(_))));
    assert_eq!(p.host.participant(pat).unwrap().grants, Grants::default(), "told on coming back");
}

#[test]
fn a_seat_not_taken_back_within_the_minute_is_lost() {
    let (mut p, pat) = granted(Capability::View);
    p.cut(pat);
    p.advance(RESUME_WINDOW_MS);
    p.restore(pat);
    assert_eq!(p.guest(pat).close_reason(), Some(&CloseReason::Refused(Refusal::SeatLost)));
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
}

#[test]
fn each_new_share_is_a_new_epoch() {
    let (mut p, pat) = granted(Capability::View);
    let first = p.guest(pat).share_epoch();
    p.local(pat, Local::Stop(Capability::View));
    assert!(p.guest(pat).share_epoch() > first);
    p.at_host(|s, _| s.request(HOST_CSR, pat, Capability::ViewApp)).unwrap();
    let (request, ..) = asked(&p, pat);
    let before = p.guest(pat).share_epoch();
    p.local(pat, Local::AllowWindow { request, window: 42 });
    assert_eq!(p.guest(pat).sharing(), Sharing::Window(42));
    assert!(p.guest(pat).share_epoch() > before, "one window is a new share, never the old frames");
}

#[test]
fn input_refusals_are_reported_at_most_twice_a_second() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    p.host_events();
    for _ in 0..50 {
        p.local(pat, Local::InputRefused);
    }
    let refused =
        |p: &mut Pair| p.host_events().iter().filter(|e| matches!(e, SessionEvent::InputRefused { .. })).count();
    assert_eq!(refused(&mut p), 1);
    p.advance(499);
    assert_eq!(refused(&mut p), 0);
    p.advance(1);
    assert_eq!(refused(&mut p), 1, "the held one goes when its time comes");
    p.advance(5_000);
    assert_eq!(refused(&mut p), 0);
}

#[test]
fn garbage_from_the_host_closes_the_session_with_the_reason() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    let now = p.now();
    let mut g = super::Guest::new(p.guest(pat).invite().clone(), &welcome_of(&p, pat), None, p.now());
    g.handle_message(now, ToGuest::Welcome(welcome_of(&p, pat)));
    assert_eq!(g.poll_task(), Some(Task::Close(Some(Refusal::Malformed))));
    assert_eq!(g.close_reason(), Some(&CloseReason::Refused(Refusal::Malformed)));
    // Nothing after that is believed.
    g.handle_message(
        now,
        ToGuest::ConsentRequest { request: 1, capability: Capability::View, from_name: "Sam".into() },
    );
    assert!(g.pending().is_none());
    let mut g = super::Guest::new(p.guest(pat).invite().clone(), &welcome_of(&p, pat), None, p.now());
    g.handle_message(
        now,
        ToGuest::ChatBacklog(vec![deskside_proto::ChatLine {
            from: HOST_CSR,
            from_name: "Sam".into(),
            at_unix_ms: 0,
            to: ChatTarget::Everyone,
            text: "x".repeat(100_000),
        }]),
    );
    assert_eq!(g.close_reason(), Some(&CloseReason::Refused(Refusal::Malformed)));
}

#[test]
fn a_move_to_another_console_is_followed_with_the_new_host_and_ticket() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    let now = p.now();
    let mut g = super::Guest::new(p.guest(pat).invite().clone(), &welcome_of(&p, pat), None, p.now());
    let addr = std::net::SocketAddr::from(([10, 0, 0, 9], 4433));
    g.handle_message(
        now,
        ToGuest::MoveTo {
            host: deskside_proto::HostAddr {
                id: [9; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec![addr],
            },
            ticket: [3; 16],
        },
    );
    assert_eq!(g.poll_task(), Some(Task::Close(None)));
    assert!(!g.is_up());
    // The old host's last word is not why the session ends: the agent follows.
    g.handle_local(now, Local::LinkEnded(Some(Refusal::SessionEnded)));
    match g.poll_task() {
        Some(Task::Reconnect { invite, ticket }) => {
            assert_eq!((invite.host.addrs, invite.host.id, ticket), (vec![addr], [9; 32], [3; 16]));
        }
        other => panic!("expected a reconnect, got {other:?}"),
    }
    assert_eq!(g.invite().host.id, [9; 32]);
}

#[test]
fn leave_tells_the_host_and_ends_everything() {
    let (mut p, pat) = granted(Capability::Control);
    p.local(pat, Local::Leave);
    assert_eq!(p.guest(pat).close_reason(), Some(&CloseReason::Refused(Refusal::Left)));
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
    assert!(p.host.participant(pat).unwrap().left_ms.is_some(), "the host heard the Leave");
    assert!(p.closed().contains(&(pat, Refusal::Left)));
    assert!(p.events(pat).contains(&Event::Closed(CloseReason::Refused(Refusal::Left))));
}

#[test]
fn the_session_ended_by_the_csr_is_said_with_their_name() {
    let (mut p, pat) = granted(Capability::View);
    p.at_host(|s, now| s.end(now, HOST_CSR, "done")).unwrap();
    assert_eq!(p.guest(pat).close_reason(), Some(&CloseReason::EndedBy("Sam Rivera".into())));
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
}

#[test]
fn file_requests_are_refused_without_the_grant_and_carried_out_with_it() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    // A host that asks without the grant is answered no by the agent itself.
    let now = p.now();
    let mut g = super::Guest::new(p.guest(pat).invite().clone(), &welcome_of(&p, pat), None, p.now());
    g.handle_message(now, ToGuest::ListFolder { req: 4, at: FolderAt::Path("/home/pat".into()) });
    assert!(matches!(g.poll_output(), Some(ToHost::Folder { req: 4, listing: Err(_) })));
    assert_eq!(g.poll_task(), None);
    p.at_host(|s, _| s.request(HOST_CSR, pat, Capability::Files)).unwrap();
    let (request, ..) = asked(&p, pat);
    p.local(pat, Local::Answer { request, allowed: true });
    p.at_host(|s, _| s.list_folder(HOST_CSR, pat, FolderAt::Path("/home/pat".into()))).unwrap();
    assert!(p.tasks(pat).iter().any(|t| matches!(t, Task::Move(ToGuest::ListFolder { .. }))));
}

// ---- Team sessions: what a CSR must never meet. ----

#[test]
fn control_comes_back_when_the_colleague_in_control_leaves() {
    let (mut p, pat) = granted(Capability::View);
    let ana = p.join_csr("Ana Lopez");
    p.at_host(|s, _| s.transfer_control(HOST_CSR, ana)).unwrap();
    assert_eq!(p.host.in_control(), Some(ana));
    p.colleague_says(ana, ToHost::Leave).unwrap();
    assert_eq!(p.host.in_control(), Some(HOST_CSR));
    assert_eq!(p.guest(pat).in_control(), "Sam Rivera");
    // And Sam can end the session again.
    p.at_host(|s, now| s.end(now, HOST_CSR, "")).unwrap();
}

#[test]
fn control_comes_back_when_the_colleague_in_control_is_lost_for_good() {
    let mut p = Pair::new("Sam Rivera");
    let pat = p.join_customer("Pat");
    let ana = p.join_csr("Ana Lopez");
    p.at_host(|s, _| s.transfer_control(HOST_CSR, ana)).unwrap();
    p.cut(ana);
    assert_eq!(p.host.in_control(), Some(ana), "their seat is held for a minute");
    p.advance(RESUME_WINDOW_MS);
    assert_eq!(p.host.in_control(), Some(HOST_CSR));
    assert!(p.events(pat).contains(&Event::ControlChanged { name: "Sam Rivera".into() }));
}

#[test]
fn the_customer_is_told_who_is_in_control() {
    let (mut p, pat) = granted(Capability::Control);
    let ana = p.join_csr("Ana Lopez");
    assert_eq!(p.guest(pat).in_control(), "Sam Rivera");
    p.events(pat);
    p.at_host(|s, _| s.transfer_control(HOST_CSR, ana)).unwrap();
    assert_eq!(p.guest(pat).in_control(), "Ana Lopez");
    assert!(p.events(pat).contains(&Event::ControlChanged { name: "Ana Lopez".into() }));
    // Ana's requests name Ana.
    p.inbox(ana);
    p.colleague_says(ana, ToHost::Request { to: pat, capability: Capability::SystemInfo }).unwrap();
    assert_eq!(asked(&p, pat).2, "Ana Lopez");
    // A list that says nothing new says nothing.
    p.local(pat, Local::Chat { to: ChatTarget::Everyone, text: "hi".into() });
    assert!(!p.events(pat).iter().any(|e| matches!(e, Event::ControlChanged { .. })));
}

#[test]
fn the_csr_stops_control_then_viewing() {
    let (mut p, pat) = granted(Capability::Control);
    p.at_host(|s, _| s.end_grant(HOST_CSR, pat, Capability::Control)).unwrap();
    assert!(!p.guest(pat).may_inject());
    assert_eq!(p.guest(pat).sharing(), Sharing::Screen, "stopping control keeps the view");
    assert!(p.events(pat).contains(&Event::GrantEnded { capability: Capability::Control, by: "Sam Rivera".into() }));
    assert!(!p.host.may_control(HOST_CSR, pat));
    p.at_host(|s, _| s.end_grant(HOST_CSR, pat, Capability::View)).unwrap();
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
    assert!(!p.host.may_share_screen(pat));
    let last = p.guest(pat).consent().log().last().unwrap().clone();
    assert_eq!(last.change, crate::consent::ConsentChange::Released);
    // Asking again asks the customer again.
    p.at_host(|s, _| s.request(HOST_CSR, pat, Capability::View)).unwrap();
    assert!(p.guest(pat).pending().is_some());
}

#[test]
fn only_the_csr_in_control_stops_a_share() {
    let (mut p, pat) = granted(Capability::View);
    let ana = p.join_csr("Ana Lopez");
    p.colleague_says(ana, ToHost::EndGrant { to: pat, capability: Capability::View }).unwrap();
    assert_eq!(p.guest(pat).sharing(), Sharing::Screen);
    assert!(p.inbox(ana).iter().any(|m| matches!(m, ToGuest::Refused { .. })));
    // Once Ana holds control, she can.
    p.at_host(|s, _| s.transfer_control(HOST_CSR, ana)).unwrap();
    p.colleague_says(ana, ToHost::EndGrant { to: pat, capability: Capability::View }).unwrap();
    assert_eq!(p.guest(pat).sharing(), Sharing::Nothing);
    assert!(p.events(pat).contains(&Event::GrantEnded { capability: Capability::View, by: "Ana Lopez".into() }));
}

#[test]
fn end_file_transfer_ends_the_grant_and_every_move() {
    let (mut p, pat) = granted(Capability::Files);
    let listing = p.at_host(|s, _| s.list_folder(HOST_CSR, pat, FolderAt::Path("/home/pat".into()))).unwrap();
    let _ = listing;
    let push = p.at_host(|s, _| s.pull(0, HOST_CSR, pat, "/home/pat".into(), "notes.txt".into())).unwrap();
    assert!(p.host.moves().contains_key(&push));
    p.host_events();
    p.at_host(|s, _| s.end_grant(HOST_CSR, pat, Capability::Files)).unwrap();
    assert!(!p.guest(pat).grants().files);
    assert!(p.tasks(pat).contains(&Task::StopMoves), "the agent's moves stop");
    assert!(p.host.moves().is_empty());
    assert!(p.host_events().contains(&SessionEvent::MoveStopped { id: push, files: vec![] }));
}

/// Sam pushes `name` to Pat (who allowed files); Pat's driver checked the folder and puts it to
/// her. The move's number.
fn push_asked(p: &mut Pair, pat: ParticipantId, name: &str) -> deskside_proto::MoveId {
    let summary = deskside_proto::MoveSummary { name: name.into(), dir: false, files: 1, bytes: 4 };
    let push = p.at_host(|s, now| {
        let (push, first) = s.begin_push(now, HOST_CSR, pat, name.into()).unwrap();
        let file = deskside_proto::MovedFile { file: first, path: vec![name.into()], size: 4, sha256: [1; 32] };
        let folder = "/home/pat".to_owned();
        s.push(push, HOST_CSR, pat, summary.clone(), folder, deskside_proto::OnConflict::KeepBoth, vec![file]).unwrap()
    });
    let asked = p.tasks(pat).into_iter().find_map(|t| match t {
        Task::Move(ToGuest::PushAsk { push, from_name, summary, folder, on_conflict }) => {
            Some(MoveAsk { id: push, from_name, ask: Ask::Push { summary, folder, on_conflict } })
        }
        _ => None,
    });
    let asked = asked.expect("the driver is given the ask");
    assert_eq!(asked.id, push);
    p.local(pat, Local::MoveAsk(asked));
    push
}

fn board_state(p: &Pair, id: deskside_proto::MoveId) -> crate::host::MoveState {
    p.host.move_info(id).expect("on the board").state.clone()
}

#[test]
fn a_move_is_put_to_the_customer_once_and_answered_once() {
    let (mut p, pat) = granted(Capability::Files);
    let push = push_asked(&mut p, pat, "notes.txt");
    assert_eq!(p.guest(pat).move_asks().map(|a| a.id).collect::<Vec<_>>(), vec![push]);
    assert!(p.events(pat).contains(&Event::FilesChanged));

    p.local(pat, Local::MoveAnswer { id: push, allowed: false });
    assert_eq!(p.guest(pat).move_asks().count(), 0);
    assert!(matches!(&p.tasks(pat)[..], [Task::MoveAnswered { allowed: false, .. }]));
    assert_eq!(board_state(&p, push), crate::host::MoveState::Refused(FileProblem::Refused));
    // Answered twice (a double click): nothing more happens.
    p.local(pat, Local::MoveAnswer { id: push, allowed: true });
    assert!(p.tasks(pat).is_empty());

    let push = push_asked(&mut p, pat, "driver.zip");
    p.local(pat, Local::MoveAnswer { id: push, allowed: true });
    let tasks = p.tasks(pat);
    assert!(matches!(&tasks[..], [Task::MoveAnswered { ask, allowed: true }] if ask.id == push), "{tasks:?}");
    // The driver answers an allowed push itself, once the folder is ready.
    assert_eq!(board_state(&p, push), crate::host::MoveState::Asking);
}

#[test]
fn too_many_questions_at_once_are_refused_for_the_customer() {
    let (mut p, pat) = granted(Capability::Files);
    let asked: Vec<_> = (0..MAX_ASKS).map(|i| push_asked(&mut p, pat, &format!("f{i}"))).collect();
    let extra = push_asked(&mut p, pat, "one too many");
    assert_eq!(p.guest(pat).move_asks().count(), MAX_ASKS);
    assert_eq!(board_state(&p, extra), crate::host::MoveState::Refused(FileProblem::Busy));
    assert_eq!(board_state(&p, asked[0]), crate::host::MoveState::Asking);
}

#[test]
fn stopping_files_refuses_every_question_and_a_cancelled_one_goes() {
    let (mut p, pat) = granted(Capability::Files);
    let first = push_asked(&mut p, pat, "a");
    let second = push_asked(&mut p, pat, "b");
    // Sam calls the first off: Pat is no longer asked.
    p.at_host(|s, _| s.cancel_move(HOST_CSR, first)).unwrap();
    assert_eq!(p.guest(pat).move_asks().map(|a| a.id).collect::<Vec<_>>(), vec![second]);

    p.local(pat, Local::Stop(Capability::Files));
    assert_eq!(p.guest(pat).move_asks().count(), 0);
    assert!(p.tasks(pat).contains(&Task::StopMoves));
    assert!(board_state(&p, second).is_over());
    // Asked after the stop (the driver was still checking the folder): refused at once.
    let late = MoveAsk {
        id: deskside_proto::MoveId(99),
        from_name: "Sam Rivera".into(),
        ask: Ask::Pull {
            summary: deskside_proto::MoveSummary { name: "x".into(), dir: false, files: 1, bytes: 1 },
            path: "/home/pat/x".into(),
        },
    };
    p.local(pat, Local::MoveAsk(late));
    assert_eq!(p.guest(pat).move_asks().count(), 0);
}

#[test]
fn a_move_allowed_while_an_application_is_shared_tells_the_host_why() {
    let (mut p, pat) = granted(Capability::Files);
    let push = push_asked(&mut p, pat, "a");
    p.at_host(|s, _| s.request(HOST_CSR, pat, Capability::ViewApp)).unwrap();
    let (request, ..) = asked(&p, pat);
    p.local(pat, Local::AllowWindow { request, window: 7 });
    p.local(pat, Local::MoveAnswer { id: push, allowed: true });
    assert!(matches!(&p.tasks(pat)[..], [.., Task::MoveAnswered { allowed: false, .. }]));
    assert!(board_state(&p, push).is_over());
}

#[test]
fn a_denied_request_shares_nothing_and_the_host_reads_nothing() {
    let mut p = Pair::new("Sam Rivera");
    let di = p.join_customer("Di");
    p.at_host(|s, _| s.request(HOST_CSR, di, Capability::View)).unwrap();
    let (request, ..) = asked(&p, di);
    p.local(di, Local::Answer { request, allowed: false });
    p.advance(60_000);
    assert_eq!(p.guest(di).sharing(), Sharing::Nothing);
    assert!(!p.host.may_share_screen(di), "a share Di's agent opened anyway would not be read");
    assert!(p.host.participant(di).unwrap().grants.is_empty());
}

#[test]
fn requests_nobody_answers_are_denied_and_nothing_is_shared_or_injected() {
    let mut p = Pair::new("Sam Rivera");
    let flo = p.join_customer("Flo");
    for capability in [Capability::View, Capability::Control] {
        p.at_host(|s, _| s.request(HOST_CSR, flo, capability)).unwrap();
        p.host_events();
        p.advance(2 * 60_000);
        assert!(p.guest(flo).pending().is_none(), "{capability:?}: asked no longer");
        assert!(
            p.host_events().contains(&SessionEvent::ConsentAnswered { participant: flo, capability, allowed: false }),
            "{capability:?}: unanswered means no"
        );
    }
    // The console tries anyway: the host passes no input on, and the agent would inject none.
    assert!(!p.host.may_control(HOST_CSR, flo));
    assert!(!p.guest(flo).may_inject());
    assert_eq!(p.guest(flo).sharing(), Sharing::Nothing);
}
