//! The board of moves: what the CSR sees of each push and pull, decided by the session from
//! what the customer says and what the driver measures.

use super::files::{grant_files, moved, summary};
use super::*;

fn pushed(s: &mut Session, to: ParticipantId, files: Vec<deskside_proto::MovedFile>) -> MoveId {
    let (push, _) = s.begin_push(10, HOST_CSR, to, "Photos".into()).unwrap();
    let n = files.len() as u32;
    let sum = deskside_proto::MoveSummary { bytes: files.iter().map(|f| f.size).sum(), ..summary("Photos", n) };
    s.push(push, HOST_CSR, to, sum, "/home/ana".into(), OnConflict::KeepBoth, files).unwrap();
    push
}

#[test]
fn a_push_is_prepared_asked_moved_and_done_on_the_board() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    drain(&mut s);
    let (push, _) = s.begin_push(10, HOST_CSR, ana, "Photos".into()).unwrap();
    s.handle_push_preparing(push, 4, 10);
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Preparing { done: 4, total: 10 });
    // Offered files take numbers after the push's block: none collide.
    assert_eq!(s.reserve_file(), FileId(1 + deskside_proto::files::MAX_MOVE_FILES as u32));

    let files = vec![moved(1, &["Photos", "a.jpg"], 5), moved(2, &["Photos", "b.jpg"], 5)];
    let sum = deskside_proto::MoveSummary { bytes: 10, ..summary("Photos", 2) };
    s.push(push, HOST_CSR, ana, sum, "/home/ana".into(), OnConflict::KeepBoth, files).unwrap();
    let m = s.move_info(push).unwrap();
    assert_eq!((m.state.clone(), m.files, m.bytes), (MoveState::Asking, 2, 10));
    s.handle_message(20, ana, ToHost::PushAnswer { push, allowed: true, reason: None }).unwrap();
    s.handle_push_sent(FileId(1), 3);
    assert_eq!(s.move_info(push).unwrap().done, 3);
    // Nothing measured yet: the rate is the average since it started moving.
    assert_eq!(s.move_info(push).unwrap().rate(20 + 1000), 3);

    s.handle_message(21, ana, ToHost::FileDone { file: FileId(1), outcome: FileOutcome::Done }).unwrap();
    let failed = FileOutcome::Failed(FileProblem::DiskFull);
    s.handle_message(22, ana, ToHost::FileDone { file: FileId(2), outcome: failed }).unwrap();
    let m = s.move_info(push).unwrap();
    assert_eq!((m.state.clone(), m.saved, m.failed, m.done), (MoveState::Done, 1, 1, 5));
    assert_eq!(m.first_failure, Some(FileProblem::DiskFull));
    // Over is over: later reports change nothing.
    s.handle_push_sent(FileId(2), 5);
    assert_eq!(s.move_info(push).unwrap().done, 5);
}

#[test]
fn another_customer_cannot_end_a_file_of_someone_elses_push() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let bo = join(&mut s, 2, "Bo");
    grant_files(&mut s, ana);
    grant_files(&mut s, bo);
    let push = pushed(&mut s, ana, vec![moved(1, &["Photos", "a.jpg"], 5)]);
    s.handle_message(20, ana, ToHost::PushAnswer { push, allowed: true, reason: None }).unwrap();
    drain(&mut s);
    s.handle_message(21, bo, ToHost::FileDone { file: FileId(1), outcome: FileOutcome::Cancelled }).unwrap();
    let m = s.move_info(push).unwrap();
    assert_eq!((m.state.clone(), m.failed), (MoveState::Moving, 0), "Bo's word does not count");
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Event(SessionEvent::FileDone { .. }))));
}

#[test]
fn a_push_cancelled_while_it_is_prepared_is_never_asked() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    drain(&mut s);
    let (push, _) = s.begin_push(10, HOST_CSR, ana, "Photos".into()).unwrap();
    s.cancel_move(HOST_CSR, push).unwrap();
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Cancelled);
    let files = vec![moved(1, &["Photos"], 5)];
    let sum = deskside_proto::MoveSummary { bytes: 5, ..summary("Photos", 1) };
    let asked = s.push(push, HOST_CSR, ana, sum, "/home/ana".into(), OnConflict::KeepBoth, files);
    assert_eq!(asked, Err(RuleError::NoSuchFile));
    assert!(sent_to(&drain(&mut s), ana).is_empty(), "the customer is never asked");
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Cancelled);
}

#[test]
fn a_push_that_cannot_be_prepared_or_asked_says_why() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    assert_eq!(s.begin_push(10, HOST_CSR, ana, "x".into()), Err(RuleError::FilesNotAllowed));
    assert_eq!(s.board().count(), 0, "refused before it is on the board");
    grant_files(&mut s, ana);
    let (push, _) = s.begin_push(10, HOST_CSR, ana, "x".into()).unwrap();
    s.push_failed(push, FileProblem::TooDeep);
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::TooDeep));

    // Application sharing began while it was prepared: the rule is the reason.
    let (push, _) = s.begin_push(11, HOST_CSR, ana, "y".into()).unwrap();
    allow(&mut s, 12, ana, Grants { files: true, view_app: true, ..Grants::default() });
    let sum = summary("y", 1);
    let asked = s.push(push, HOST_CSR, ana, sum, "/home/ana".into(), OnConflict::KeepBoth, vec![moved(1, &["y"], 10)]);
    assert_eq!(asked, Err(RuleError::AppSharing));
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::AppSharing));
}

#[test]
fn a_refused_push_says_the_customer_refused_it() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    let push = pushed(&mut s, ana, vec![moved(1, &["Photos"], 5)]);
    s.handle_message(20, ana, ToHost::PushAnswer { push, allowed: false, reason: None }).unwrap();
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::Refused));
    let push = pushed(&mut s, ana, vec![moved(1, &["Photos"], 5)]);
    let reason = Some(FileProblem::ReadOnly);
    s.handle_message(21, ana, ToHost::PushAnswer { push, allowed: false, reason }).unwrap();
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Refused(FileProblem::ReadOnly));
}

#[test]
fn a_pull_is_done_once_its_whole_list_is_written() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    let pull = s.pull(10, HOST_CSR, ana, "/home/ana".into(), "Docs".into()).unwrap();
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Asking);
    let sum = deskside_proto::MoveSummary { bytes: 10, ..summary("Docs", 2) };
    let first = vec![moved(1, &["Docs", "a"], 5)];
    s.handle_message(11, ana, ToHost::PullFiles { pull, summary: sum.clone(), files: first, last: false }).unwrap();
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Moving);
    // What is written so far, before the list is whole, is never the end.
    let p = PullProgress { files: 1, saved: 1, done: 5, ..PullProgress::default() };
    s.handle_pull_progress(pull, p);
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Moving);
    let rest = vec![moved(2, &["Docs", "b"], 5)];
    s.handle_message(12, ana, ToHost::PullFiles { pull, summary: sum, files: rest, last: true }).unwrap();
    let p = PullProgress {
        files: 2,
        saved: 1,
        failed: 1,
        done: 5,
        first_failure: Some(FileProblem::HashMismatch),
        saved_as: Some("/tmp/Docs".into()),
        ..PullProgress::default()
    };
    s.handle_pull_progress(pull, p);
    let m = s.move_info(pull).unwrap();
    assert_eq!((m.state.clone(), m.saved, m.failed), (MoveState::Done, 1, 1));
    assert_eq!(m.first_failure, Some(FileProblem::HashMismatch));
    assert_eq!(m.saved_as.as_deref(), Some(std::path::Path::new("/tmp/Docs")));
}

#[test]
fn an_empty_folder_pulled_is_done_at_once_and_a_pull_that_cannot_be_written_ends() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    let pull = s.pull(10, HOST_CSR, ana, "/home/ana".into(), "Empty".into()).unwrap();
    let sum = deskside_proto::MoveSummary { name: "Empty".into(), dir: true, files: 0, bytes: 0 };
    s.handle_message(11, ana, ToHost::PullFiles { pull, summary: sum, files: vec![], last: true }).unwrap();
    s.handle_pull_progress(pull, PullProgress::default());
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Done);

    let pull = s.pull(12, HOST_CSR, ana, "/home/ana".into(), "Docs".into()).unwrap();
    drain(&mut s);
    s.move_failed(pull, FileProblem::ReadOnly);
    assert!(matches!(sent_to(&drain(&mut s), ana)[..], [ToGuest::MoveCancelled { id }] if *id == pull));
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Refused(FileProblem::ReadOnly));
}

#[test]
fn the_driver_hears_of_a_burst_of_changes_once_until_it_looks() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    grant_files(&mut s, ana);
    drain(&mut s);
    let (push, _) = s.begin_push(10, HOST_CSR, ana, "Photos".into()).unwrap();
    for done in 0..100 {
        s.handle_push_preparing(push, done, 100);
    }
    let said = |out: &[Output]| out.iter().filter(|o| **o == Output::Event(SessionEvent::MovesChanged)).count();
    assert_eq!(said(&drain(&mut s)), 1);
    s.moves_seen();
    s.handle_push_preparing(push, 100, 100);
    assert_eq!(said(&drain(&mut s)), 1);
}
