//! Offered files, and browsing and moving files only as the customer allows.

use super::*;

pub(super) fn offered(id: u32) -> deskside_proto::OfferedFile {
    deskside_proto::OfferedFile { id: FileId(id), name: format!("f{id}.txt"), size: 100, sha256: [id as u8; 32] }
}

#[test]
fn files_are_offered_by_the_csr_in_control_and_only_customers_may_fetch_them() {
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
    s.withdraw_file(HOST_CSR, FileId(2)).unwrap();
    s.publish_files();
    drain(&mut s);
    // A colleague's console is shown the list (what is shared), but may not fetch a file.
    assert_eq!(sent_to(&out, kim), vec![&ToGuest::FilesOffered { files: vec![offered(1), offered(2)], last: true }]);
    s.handle_message(3, kim, ToHost::FetchFile { file: FileId(1), offset: 0, prefix_sha256: [0; 32] }).unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, kim)[..], [ToGuest::Refused { rule: RuleError::NotPrimaryCustomer }]));
    assert!(!out.iter().any(|o| matches!(o, Output::Event(SessionEvent::FileRequested { .. }))));
    // A customer who joins later sees what is on offer.
    let bo = join(&mut s, 2, "Bo");
    let out = drain(&mut s);
    assert!(sent_to(&out, bo).contains(&&ToGuest::FilesOffered { files: vec![offered(1)], last: true }));
    // Withdrawn: gone for everyone.
    s.withdraw_file(HOST_CSR, FileId(1)).unwrap();
    s.publish_files();
    let out = drain(&mut s);
    assert_eq!(sent_to(&out, ana), vec![&ToGuest::FilesOffered { files: vec![], last: true }]);
    assert_eq!(s.withdraw_file(HOST_CSR, FileId(1)), Err(RuleError::NoSuchFile));
}

#[test]
fn a_file_is_sent_only_when_offered_and_not_while_one_application_is_shared() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.offer_file(HOST_CSR, offered(3)).unwrap();
    drain(&mut s);
    let fetch = |file, offset| ToHost::FetchFile { file, offset, prefix_sha256: [0; 32] };
    s.handle_message(2, ana, fetch(FileId(3), 40)).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::FileRequested {
        participant: ana,
        file: FileId(3),
        offset: 40,
        prefix_sha256: [0; 32]
    })));
    // Unknown file, or an offset past its end: refused with a reason, nothing sent.
    for msg in [fetch(FileId(9), 0), fetch(FileId(3), 101)] {
        s.handle_message(3, ana, msg).unwrap();
        let out = drain(&mut s);
        assert!(out.iter().all(|o| !matches!(o, Output::Event(SessionEvent::FileRequested { .. }))));
        assert!(out.contains(&Output::Event(SessionEvent::Refused { participant: ana, rule: RuleError::NoSuchFile })));
    }
    // One application shared: files do not move.
    allow(&mut s, 4, ana, Grants { view_app: true, ..Grants::default() });
    assert!(!s.may_transfer_files(ana));
    drain(&mut s);
    s.handle_message(5, ana, fetch(FileId(3), 0)).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::Refused { participant: ana, rule: RuleError::AppSharing })));
    assert_eq!(RuleError::AppSharing.to_string(), "stop application sharing to transfer files");
    // The outcome the customer reports reaches the CSR.
    s.handle_message(6, ana, ToHost::FileDone { file: FileId(3), outcome: deskside_proto::FileOutcome::Done }).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::FileDone {
        participant: ana,
        file: FileId(3),
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

pub(super) fn moved(file: u32, path: &[&str], size: u64) -> deskside_proto::MovedFile {
    deskside_proto::MovedFile {
        file: FileId(file),
        path: path.iter().map(|p| (*p).to_owned()).collect(),
        size,
        sha256: [7; 32],
    }
}

pub(super) fn summary(name: &str, files: u32) -> deskside_proto::MoveSummary {
    deskside_proto::MoveSummary { name: name.into(), dir: files > 1, files, bytes: 10 }
}

pub(super) fn grant_files(s: &mut Session, who: ParticipantId) {
    let grants = Grants { files: true, ..Grants::default() };
    allow(s, 2, who, grants);
}

#[test]
fn files_are_browsed_and_moved_only_with_the_customers_grant() {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    let at = deskside_proto::FolderAt::Place(deskside_proto::Place::Documents);
    assert_eq!(s.list_folder(HOST_CSR, ana, at.clone()), Err(RuleError::FilesNotAllowed));
    assert_eq!(s.pull(3, HOST_CSR, ana, "/home/ana".into(), "x".into()), Err(RuleError::FilesNotAllowed));
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
    assert_eq!(s.pull(3, kim, ana, "/".into(), "x".into()), Err(RuleError::NotInControl));
    let grants = Grants { files: true, view_app: true, ..Grants::default() };
    allow(&mut s, 4, ana, grants);
    assert_eq!(s.pull(3, HOST_CSR, ana, "/".into(), "x".into()), Err(RuleError::AppSharing));
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
    let (push, _) = s.begin_push(3, HOST_CSR, ana, "Photos".into()).unwrap();
    assert!(matches!(s.move_info(push).unwrap().state, MoveState::Preparing { .. }));
    s.push(push, HOST_CSR, ana, summary("Photos", 2), "/home/ana".into(), OnConflict::KeepBoth, files.clone()).unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, ana)[..], [ToGuest::PushAsk { push: p, .. }] if *p == push));

    // Not yet allowed: fetching is refused.
    let fetch = ToHost::FetchFile { file: FileId(31), offset: 0, prefix_sha256: [0; 32] };
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
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Moving);
    assert_eq!(s.move_info(push).unwrap().started_ms, 4);
    s.handle_message(5, ana, fetch.clone()).unwrap();
    assert!(
        drain(&mut s).iter().any(|o| matches!(o, Output::Event(SessionEvent::FileRequested { file: FileId(31), .. })))
    );
    // Bo may not fetch Ana's files.
    s.handle_message(5, bo, fetch.clone()).unwrap();
    assert!(drain(&mut s).iter().all(|o| !matches!(o, Output::Event(SessionEvent::FileRequested { .. }))));

    // Ana stops browsing and moving files: the move ends and nothing more is sent.
    s.handle_message(6, ana, ToHost::Grants(Grants::default())).unwrap();
    let files = vec![FileId(31), FileId(32)];
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::MoveStopped { id: push, files })));
    assert_eq!(s.move_info(push).unwrap().state, MoveState::Stopped);
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
        ToHost::PullFiles { pull: MoveId(99), summary: summary("x", 1), files: vec![moved(1, &["x"], 1)], last: true };
    s.handle_message(3, ana, unasked).unwrap();
    assert!(drain(&mut s).iter().any(|o| matches!(o, Output::Event(SessionEvent::Refused { .. }))));
    assert_eq!(s.fetch_pulled(ana, FileId(1), 0, [0; 32]), Err(RuleError::NoSuchFile));

    let pull = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "report.pdf".into()).unwrap();
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
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Moving);
    assert_eq!((s.move_info(pull).unwrap().files, s.move_info(pull).unwrap().bytes), (1, 9));
    assert!(
        out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Pulled { pull: p, last: true, .. }) if *p == pull))
    );
    assert_eq!(s.fetch_pulled(ana, FileId(1), 10, [0; 32]), Err(RuleError::NoSuchFile), "past its end");
    s.fetch_pulled(ana, FileId(1), 4, [0; 32]).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), ana)[..], [ToGuest::FetchPulled { file: FileId(1), offset: 4, .. }]));

    let refused = s.pull(3, HOST_CSR, ana, "/home/ana".into(), "secret".into()).unwrap();
    s.handle_message(5, ana, ToHost::PullRefused { pull: refused, reason: FileProblem::NoPermission }).unwrap();
    drain(&mut s);
    assert_eq!(s.move_info(refused).unwrap().state, MoveState::Refused(FileProblem::NoPermission));

    // The CSR cancels: the agent is told, and the files may no longer come.
    s.cancel_move(HOST_CSR, pull).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), ana)[..], [ToGuest::MoveCancelled { id }] if *id == pull));
    assert!(s.pulled_file(ana, FileId(1)).is_none());
    assert_eq!(s.move_info(pull).unwrap().state, MoveState::Cancelled);
}

#[test]
fn many_files_are_sent_in_bounded_batches() {
    let files: Vec<_> = (0..3000).map(|i| moved(i, &["Folder", &format!("file number {i:05}.txt")], 1)).collect();
    let batches = batches(files.clone());
    assert!(batches.len() > 1);
    assert!(batches[..batches.len() - 1].iter().all(|(_, last)| !last));
    assert!(batches.last().unwrap().1);
    for (b, last) in &batches {
        let msg = ToGuest::PushFiles { push: MoveId(1), files: b.clone(), last: *last };
        let bytes = deskside_proto::encode_frame(&msg, deskside_proto::MAX_CONTROL_MSG_BYTES).unwrap();
        assert!(bytes.len() <= deskside_proto::MAX_CONTROL_MSG_BYTES);
    }
    assert_eq!(batches.into_iter().flat_map(|(b, _)| b).collect::<Vec<_>>(), files);
    assert_eq!(super::batches(vec![]), vec![(vec![], true)]);
}
