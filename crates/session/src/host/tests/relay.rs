//! A colleague in control on their own console browses and moves a customer's files through
//! this host: the listing reaches them alone; a pull comes here first and then goes on to them
//! under this host's numbers; a push is fetched from them before the customer is asked; each
//! leg counts half on the board; they are sent the rows of their moves; leaving or cancelling
//! ends their moves at the customer's too. And what a hostile colleague tries is refused.

use super::files::{grant_files, moved};
use super::*;
use deskside_proto::{FolderAt, FolderListing, MoveSummary, Place};

/// Sam's session with Ana (who allowed files) and Kim on her console, in control.
fn kim_in_control() -> (Session, ParticipantId, ParticipantId) {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    grant_files(&mut s, ana);
    s.transfer_control(HOST_CSR, kim).unwrap();
    drain(&mut s);
    (s, ana, kim)
}

fn refused(out: &[Output], who: ParticipantId, rule: RuleError) -> bool {
    sent_to(out, who).contains(&&ToGuest::Refused { rule })
}

fn listing() -> FolderListing {
    FolderListing { path: "/home/ana".into(), parent: None, entries: vec![], truncated: false }
}

/// Kim pulls Ana's "report.pdf" (5 bytes) and Ana allows it; the pull's number.
fn kims_allowed_pull(s: &mut Session, ana: ParticipantId, kim: ParticipantId) -> MoveId {
    let pull_msg = ToHost::Pull { tag: MoveId(77), from: ana, folder: "/home/ana".into(), name: "report.pdf".into() };
    s.handle_message(3, kim, pull_msg).unwrap();
    let out = drain(s);
    let pull = sent_to(&out, kim)
        .into_iter()
        .find_map(|m| match m {
            ToGuest::MoveMade { tag: MoveId(77), id } => Some(*id),
            _ => None,
        })
        .expect("Kim hears the move's number");
    let asked = sent_to(&out, ana);
    assert!(matches!(asked[..], [ToGuest::PullAsk { pull: p, from_name, .. }] if *p == pull && from_name == "Kim"));
    let summary = MoveSummary { name: "report.pdf".into(), dir: false, files: 1, bytes: 5 };
    let files = vec![moved(1, &["report.pdf"], 5)];
    s.handle_message(4, ana, ToHost::PullFiles { pull, summary, files, last: true }).unwrap();
    pull
}

#[test]
fn a_colleagues_listing_reaches_them_alone_and_only_while_they_are_in_control() {
    let (mut s, ana, kim) = kim_in_control();
    let at = FolderAt::Place(Place::Documents);
    s.handle_message(2, kim, ToHost::ListFolder { with: ana, at: at.clone() }).unwrap();
    let out = drain(&mut s);
    let Some(ToGuest::ListFolder { req, .. }) = sent_to(&out, ana).first().copied() else { panic!("Ana is asked") };
    let req = *req;
    s.handle_message(3, ana, ToHost::Folder { req, listing: Ok(listing()) }).unwrap();
    let out = drain(&mut s);
    assert_eq!(sent_to(&out, kim), [&ToGuest::FolderListed { participant: ana, listing: Ok(listing()) }]);
    assert!(!out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Folder { .. }))), "not for Sam's console");

    // Asked again, answered after Kim handed control back: the answer goes nowhere.
    s.handle_message(4, kim, ToHost::ListFolder { with: ana, at: at.clone() }).unwrap();
    let out = drain(&mut s);
    let Some(ToGuest::ListFolder { req, .. }) = sent_to(&out, ana).first().copied() else { panic!("Ana is asked") };
    let req = *req;
    s.transfer_control(kim, HOST_CSR).unwrap();
    drain(&mut s);
    s.handle_message(5, ana, ToHost::Folder { req, listing: Ok(listing()) }).unwrap();
    let out = drain(&mut s);
    assert!(sent_to(&out, kim).iter().all(|m| !matches!(m, ToGuest::FolderListed { .. })));
    // Not in control: refused, and Ana is not asked.
    s.handle_message(6, kim, ToHost::ListFolder { with: ana, at }).unwrap();
    let out = drain(&mut s);
    assert!(refused(&out, kim, RuleError::NotInControl));
    assert!(sent_to(&out, ana).is_empty());
}

#[test]
fn a_colleagues_pull_comes_here_first_then_goes_on_to_them_under_this_hosts_numbers() {
    let (mut s, ana, kim) = kim_in_control();
    let pull = kims_allowed_pull(&mut s, ana, kim);
    let out = drain(&mut s);
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Pulled { pull: p, .. }) if *p == pull)));
    assert!(s.awaits_relay(pull));

    // The first leg, Ana to this host, counts half.
    s.handle_pull_progress(pull, PullProgress { files: 1, done: 4, ..PullProgress::default() });
    let m = s.move_info(pull).unwrap();
    assert_eq!((m.state.clone(), m.done, m.bytes), (MoveState::Moving, 2, 5));
    // Kim cannot fetch Ana's file by Ana's number, nor anything before it is here.
    let fetch = |file| ToHost::FetchFile { file, offset: 0, prefix_sha256: [0; 32] };
    s.handle_message(5, kim, fetch(FileId(1))).unwrap();
    assert!(refused(&drain(&mut s), kim, RuleError::NotPrimaryCustomer));
    // Not while a file is still arriving.
    assert!(s.relay_pull(pull, &[], 0).is_empty());

    s.handle_pull_progress(pull, PullProgress { files: 1, saved: 1, done: 5, ..PullProgress::default() });
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Moving, "not done before Kim has it");
    let numbers = s.relay_pull(pull, &[FileId(1)], 1);
    let [(FileId(1), ours)] = numbers[..] else { panic!("one file renumbered: {numbers:?}") };
    assert!(s.relay_pull(pull, &[FileId(1)], 1).is_empty(), "once");
    let out = drain(&mut s);
    let relayed = sent_to(&out, kim);
    assert!(
        matches!(&relayed[..], [ToGuest::PulledFiles { pull: p, files, last: true, summary }]
            if *p == pull && files.len() == 1 && files[0].file == ours && summary.bytes == 5),
        "{relayed:?}"
    );
    assert_eq!(s.move_info(pull).unwrap().done, 2, "the first leg whole is half");

    // Kim fetches it; Ana, or another CSR, cannot.
    s.handle_message(6, kim, fetch(ours)).unwrap();
    let asked = SessionEvent::FileRequested { participant: kim, file: ours, offset: 0, prefix_sha256: [0; 32] };
    assert!(drain(&mut s).contains(&Output::Event(asked)));
    s.handle_message(6, ana, fetch(ours)).unwrap();
    assert!(refused(&drain(&mut s), ana, RuleError::NoSuchFile));
    s.handle_push_sent(ours, 3);
    assert_eq!(s.move_info(pull).unwrap().done, 4);
    // Only Kim's word ends her file.
    s.handle_message(7, ana, ToHost::FileDone { file: ours, outcome: FileOutcome::Done }).unwrap();
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Moving);
    s.handle_message(7, kim, ToHost::FileDone { file: ours, outcome: FileOutcome::Done }).unwrap();
    let m = s.move_info(pull).unwrap();
    assert_eq!((m.state.clone(), m.saved, m.failed, m.done), (MoveState::Done, 1, 0, 5));

    // Kim is sent the rows of her moves, not of Sam's.
    let sams = s.begin_push(8, HOST_CSR, ana, "sams.txt".into());
    assert_eq!(sams, Err(RuleError::NotInControl));
    drain(&mut s);
    s.moves_seen();
    let out = drain(&mut s);
    let rows = sent_to(&out, kim)
        .into_iter()
        .find_map(|m| match m {
            ToGuest::Moves(rows) => Some(rows.clone()),
            _ => None,
        })
        .expect("Kim's rows");
    assert_eq!(rows.iter().map(|r| (r.id, r.state.clone())).collect::<Vec<_>>(), [(pull, MoveState::Done)]);
    assert!(rows.iter().all(deskside_proto::MoveInfo::is_valid));
    s.moves_seen();
    assert!(sent_to(&drain(&mut s), kim).is_empty(), "unchanged rows are not sent again");
}

#[test]
fn a_colleagues_pull_whose_files_failed_here_goes_on_with_what_arrived() {
    let (mut s, ana, kim) = kim_in_control();
    let pull = kims_allowed_pull(&mut s, ana, kim);
    drain(&mut s);
    let failed =
        PullProgress { files: 1, failed: 1, first_failure: Some(FileProblem::DiskFull), ..PullProgress::default() };
    s.handle_pull_progress(pull, failed);
    assert!(s.relay_pull(pull, &[], 1).is_empty());
    let m = s.move_info(pull).unwrap();
    assert_eq!((m.state.clone(), m.failed, m.first_failure), (MoveState::Done, 1, Some(FileProblem::DiskFull)));
    assert!(sent_to(&drain(&mut s), kim).iter().all(|m| !matches!(m, ToGuest::PulledFiles { .. })));
}

/// Kim's push of "notes" (two files, 10 bytes) to Ana's home folder, as her console sends it.
fn kims_push(s: &mut Session, ana: ParticipantId, kim: ParticipantId, tag: u32) -> MoveId {
    let summary = MoveSummary { name: "notes".into(), dir: true, files: 2, bytes: 10 };
    let push = ToHost::Push {
        tag: MoveId(tag),
        to: ana,
        summary,
        folder: "/home/ana".into(),
        on_conflict: OnConflict::KeepBoth,
    };
    s.handle_message(3, kim, push).unwrap();
    sent_to(&drain(s), kim)
        .into_iter()
        .find_map(|m| match m {
            ToGuest::MoveMade { tag: t, id } if t.0 == tag => Some(*id),
            _ => None,
        })
        .expect("Kim hears the move's number")
}

fn notes(first: u32) -> Vec<deskside_proto::MovedFile> {
    vec![moved(first, &["notes", "a.txt"], 4), moved(first + 1, &["notes", "b.txt"], 6)]
}

#[test]
fn a_colleagues_push_is_fetched_from_them_checked_and_only_then_asked() {
    let (mut s, ana, kim) = kim_in_control();
    let push = kims_push(&mut s, ana, kim, 1);
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Preparing { done: 0, total: 0 });
    // Nothing is fetched before the list is whole.
    assert_eq!(s.fetch_staged(kim, FileId(500), 0, [0; 32]), Err(RuleError::NoSuchFile));
    s.handle_message(4, kim, ToHost::PushFiles { tag: MoveId(1), files: notes(500), last: true }).unwrap();
    let out = drain(&mut s);
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::PushStaged { push: p, .. }) if *p == push)));
    assert!(sent_to(&out, ana).is_empty(), "Ana is not asked before the files are here");

    s.fetch_staged(kim, FileId(500), 0, [0; 32]).unwrap();
    assert_eq!(s.fetch_staged(kim, FileId(500), 5, [0; 32]), Err(RuleError::NoSuchFile), "past its end");
    assert_eq!(s.fetch_staged(ana, FileId(500), 0, [0; 32]), Err(RuleError::NoSuchFile), "not Ana's");
    let fetched = ToGuest::FetchPulled { file: FileId(500), offset: 0, prefix_sha256: [0; 32] };
    assert_eq!(sent_to(&drain(&mut s), kim), [&fetched]);
    s.handle_push_preparing(push, 4, 10);
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Preparing { done: 4, total: 10 });

    // Here and checked: Ana is asked, in Kim's name, and fetches it by this host's numbers.
    let numbers = s.push_staged(push).unwrap();
    assert_eq!(numbers.iter().map(|(theirs, _)| theirs.0).collect::<Vec<_>>(), [500, 501]);
    let out = drain(&mut s);
    assert!(
        matches!(sent_to(&out, ana)[..], [ToGuest::PushAsk { push: p, from_name, .. }] if *p == push && from_name == "Kim")
    );
    s.handle_message(5, ana, ToHost::PushAnswer { push, allowed: true, reason: None }).unwrap();
    let out = drain(&mut s);
    let ours: Vec<FileId> = numbers.iter().map(|(_, o)| *o).collect();
    assert!(sent_to(&out, ana).iter().any(|m| matches!(m, ToGuest::PushFiles { files, .. }
        if files.iter().map(|f| f.file).collect::<Vec<_>>() == ours)));
    assert!(s.file_for(ana, ours[0]).is_some());
    assert!(s.file_for(kim, ours[0]).is_none(), "a push is for the customer");
}

#[test]
fn a_colleagues_push_that_is_not_what_it_said_is_refused_and_nothing_is_fetched() {
    let (mut s, ana, kim) = kim_in_control();
    // Another name than the summary's.
    let push = kims_push(&mut s, ana, kim, 1);
    let outside = vec![moved(1, &["etc", "passwd"], 10)];
    s.handle_message(4, kim, ToHost::PushFiles { tag: MoveId(1), files: outside, last: true }).unwrap();
    assert!(refused(&drain(&mut s), kim, RuleError::NotAsked));
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::NotApproved));
    assert_eq!(s.fetch_staged(kim, FileId(1), 0, [0; 32]), Err(RuleError::NoSuchFile));
    // One number twice.
    let push = kims_push(&mut s, ana, kim, 2);
    let twice = vec![moved(9, &["notes", "a.txt"], 4), moved(9, &["notes", "b.txt"], 6)];
    s.handle_message(4, kim, ToHost::PushFiles { tag: MoveId(2), files: twice, last: true }).unwrap();
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::NotApproved));
    // Fewer bytes than it said, at the last batch.
    let push = kims_push(&mut s, ana, kim, 3);
    s.handle_message(4, kim, ToHost::PushFiles { tag: MoveId(3), files: notes(20)[..1].to_vec(), last: true }).unwrap();
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::NotApproved));
    // A batch for a push that is not theirs, or not staged.
    s.handle_message(4, kim, ToHost::PushFiles { tag: MoveId(99), files: notes(30), last: true }).unwrap();
    assert!(refused(&drain(&mut s), kim, RuleError::NoSuchFile));
    assert!(sent_to(&drain(&mut s), ana).is_empty(), "Ana was never asked");

    // Only so many on their way at once.
    for tag in 10..10 + crate::host::relay::MAX_STAGED_PUSHES as u32 {
        kims_push(&mut s, ana, kim, tag);
    }
    let summary = MoveSummary { name: "more".into(), dir: false, files: 1, bytes: 1 };
    let one_more = ToHost::Push {
        tag: MoveId(50),
        to: ana,
        summary,
        folder: "/home/ana".into(),
        on_conflict: OnConflict::KeepBoth,
    };
    s.handle_message(5, kim, one_more).unwrap();
    assert!(refused(&drain(&mut s), kim, RuleError::TooManyFiles));
}

#[test]
fn a_colleague_who_cancels_or_leaves_ends_their_moves_at_the_customers_too() {
    let (mut s, ana, kim) = kim_in_control();
    let pull = kims_allowed_pull(&mut s, ana, kim);
    drain(&mut s);
    // Not a move of theirs: refused.
    s.handle_message(5, kim, ToHost::CancelMove { id: MoveId(pull.0 + 100) }).unwrap();
    assert!(refused(&drain(&mut s), kim, RuleError::NoSuchFile));
    s.handle_message(5, kim, ToHost::CancelMove { id: pull }).unwrap();
    let out = drain(&mut s);
    assert!(sent_to(&out, ana).contains(&&ToGuest::MoveCancelled { id: pull }));
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::MoveStopped { id, .. }) if *id == pull)));
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Cancelled);

    // Kim leaves in the middle of another pull, and of a push on its way: both end.
    let pull = kims_allowed_pull(&mut s, ana, kim);
    let push = kims_push(&mut s, ana, kim, 4);
    s.handle_message(6, kim, ToHost::PushFiles { tag: MoveId(4), files: notes(600), last: true }).unwrap();
    drain(&mut s);
    s.handle_disconnect(7, kim);
    let out = drain(&mut s);
    assert!(sent_to(&out, ana).contains(&&ToGuest::MoveCancelled { id: pull }));
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Stopped);
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Stopped);
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::MoveStopped { id, .. }) if *id == push)));
    assert_eq!(s.fetch_staged(kim, FileId(600), 0, [0; 32]), Err(RuleError::NoSuchFile));
}

#[test]
fn a_relayed_file_is_no_longer_fetched_once_the_customer_stops_files() {
    let (mut s, ana, kim) = kim_in_control();
    let pull = kims_allowed_pull(&mut s, ana, kim);
    s.handle_pull_progress(pull, PullProgress { files: 1, saved: 1, done: 5, ..PullProgress::default() });
    let [(_, ours)] = s.relay_pull(pull, &[FileId(1)], 1)[..] else { panic!("relayed") };
    drain(&mut s);
    s.handle_message(8, ana, ToHost::Grants(Grants::default())).unwrap();
    drain(&mut s);
    s.handle_message(9, kim, ToHost::FetchFile { file: ours, offset: 0, prefix_sha256: [0; 32] }).unwrap();
    assert!(refused(&drain(&mut s), kim, RuleError::NotPrimaryCustomer));
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Stopped);
}
