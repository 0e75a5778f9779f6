use super::*;
use deskside_proto::{FileId, MoveId};

#[test]
fn a_taken_name_is_kept_and_the_new_file_gets_a_number() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(free_name(dir.path(), "a.txt"), dir.path().join("a.txt"));
    std::fs::write(dir.path().join("a.txt"), b"x").unwrap();
    assert_eq!(free_name(dir.path(), "a.txt"), dir.path().join("a (1).txt"));
    std::fs::write(dir.path().join("a (1).txt"), b"x").unwrap();
    assert_eq!(free_name(dir.path(), "a.txt"), dir.path().join("a (2).txt"));
    std::fs::write(dir.path().join("README"), b"x").unwrap();
    assert_eq!(free_name(dir.path(), "README"), dir.path().join("README (1)"));
}

#[test]
fn a_part_file_resumes_only_when_it_is_a_plain_file_no_longer_than_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join(".x.deskside-part");
    assert_eq!(prefix_of(&part, 10).0, 0);
    std::fs::write(&part, b"hello").unwrap();
    let (offset, hash) = prefix_of(&part, 10);
    assert_eq!((offset, hash), (5, Sha256::digest(b"hello").into()));
    assert_eq!(prefix_of(&part, 4).0, 0, "longer than the file: start again");
    #[cfg(unix)]
    {
        let link = dir.path().join(".y.deskside-part");
        std::os::unix::fs::symlink(&part, &link).unwrap();
        assert_eq!(prefix_of(&link, 10).0, 0, "a link is not followed");
        // Opening at 0 replaces the link itself; the file it pointed at is untouched.
        drop(RealDisk.open_part(&link, 0).unwrap());
        assert_eq!(std::fs::read(&part).unwrap(), b"hello");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
    }
}

fn moved(file: u32, path: &[&str]) -> MovedFile {
    MovedFile { file: FileId(file), path: path.iter().map(|p| (*p).to_owned()).collect(), size: 1, sha256: [0; 32] }
}

fn summary_of(name: &str, files: &[MovedFile]) -> MoveSummary {
    MoveSummary { name: name.into(), dir: true, files: files.len() as u32, bytes: files.iter().map(|f| f.size).sum() }
}

#[test]
fn a_moves_hostile_paths_never_reach_outside_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("into");
    std::fs::create_dir(&into).unwrap();
    let t = Transfers::new(Arc::new(RealDisk));
    let files = vec![
        moved(1, &["Photos", "..", "x"]),
        moved(2, &["Photos", "/etc", "passwd"]),
        moved(3, &["Photos", "CON", "a"]),
        moved(4, &["Photos", "b", "c\\d"]),
        moved(5, &["Photos", "fine", "ok.txt"]),
    ];
    t.start_move(MoveId(1), &into, false, summary_of("Photos", &files)).unwrap();
    t.add_moved(MoveId(1), files, true).unwrap();
    let d = t.downloads();
    for id in [1, 2, 3, 4] {
        assert!(
            matches!(d[&FileId(id)].status, Status::Failed(Failure::BadName(_))),
            "{id}: {:?}",
            d[&FileId(id)].status
        );
    }
    assert_eq!(d[&FileId(5)].status, Status::Requested);
    assert_eq!(d[&FileId(5)].dir, into.join("Photos").join("fine"));
    // Only the move's own folders were made, inside the destination.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert!(into.join("Photos/fine").is_dir());
    assert!(!into.join("Photos/b").exists());
    // Nothing more once the list was whole.
    assert_eq!(t.add_moved(MoveId(1), vec![moved(8, &["Photos", "late"])], true), Err(Failure::NotApproved));
    // A folder that is a link is not followed.
    #[cfg(unix)]
    {
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, into.join("Photos/link")).unwrap();
        let files = vec![moved(7, &["Photos", "link", "z"])];
        t.start_move(MoveId(3), &into, true, summary_of("Photos", &files)).unwrap();
        t.add_moved(MoveId(3), files, true).unwrap();
        assert_eq!(t.downloads()[&FileId(7)].status, Status::Failed(Failure::FolderInTheWay));
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    }
    // At most MAX_ACTIVE are asked for at once; the rest wait their turn.
    let outbox = t.take_outbox();
    let fetches = outbox.iter().filter(|w| matches!(w, Wanted::Fetch { .. })).count();
    assert_eq!(fetches, 1);
    let t = Transfers::new(Arc::new(RealDisk));
    let many: Vec<MovedFile> = (10..20).map(|i| moved(i, &["Many", &format!("f{i}")])).collect();
    t.start_move(MoveId(2), &into, false, summary_of("Many", &many)).unwrap();
    t.add_moved(MoveId(2), many[..4].to_vec(), false).unwrap();
    assert!(t.take_outbox().is_empty(), "nothing is asked for before the list is whole");
    t.add_moved(MoveId(2), many[4..].to_vec(), true).unwrap();
    assert_eq!(t.take_outbox().len(), MAX_ACTIVE);
    assert_eq!(t.move_progress(MoveId(2)).files, 10);
    // Cancelling the move ends every file of it.
    t.cancel_move(MoveId(2));
    let p = t.move_progress(MoveId(2));
    assert!(p.finished() && p.failed == 10, "{p:?}");
}

#[test]
fn a_move_that_is_not_what_was_approved_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".bashrc"), b"mine").unwrap();
    let t = Transfers::new(Arc::new(RealDisk));
    let report = MoveSummary { name: "report.pdf".into(), dir: false, files: 1, bytes: 1 };
    // Approved: report.pdf. Sent: .bashrc, or a second file, or more bytes.
    for (id, sent) in [
        (1, vec![moved(1, &[".bashrc"])]),
        (2, vec![moved(2, &["report.pdf"]), moved(3, &["other"])]),
        (3, vec![MovedFile { size: 2, ..moved(4, &["report.pdf"]) }]),
    ] {
        t.start_move(MoveId(id), dir.path(), true, report.clone()).unwrap();
        assert_eq!(t.add_moved(MoveId(id), sent, true), Err(Failure::NotApproved), "move {id}");
    }
    // A move whose pieces never end is stopped when they pass what was approved.
    let photos = MoveSummary { name: "Photos".into(), dir: true, files: 3, bytes: 3 };
    t.start_move(MoveId(4), dir.path(), false, photos).unwrap();
    t.add_moved(MoveId(4), vec![moved(5, &["Photos", "a"]), moved(6, &["Photos", "b"])], false).unwrap();
    let more = vec![moved(7, &["Photos", "c"]), moved(8, &["Photos", "d"])];
    assert_eq!(t.add_moved(MoveId(4), more, false), Err(Failure::NotApproved));
    assert!(t.take_outbox().is_empty() && t.downloads().is_empty(), "nothing asked for");
    assert_eq!(std::fs::read(dir.path().join(".bashrc")).unwrap(), b"mine");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing written");
}
