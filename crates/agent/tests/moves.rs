//! Browse and move files (the advanced file transfer) end to end over loopback QUIC: nothing is
//! listed or moved before the customer allows it; a file and a folder go to the customer and a
//! file and a folder come back, each only after the customer allows that move, hash-checked and
//! byte for byte; a refused move moves nothing; Replace and Keep both on a name already taken;
//! Stop ends a move under way and leaves no part file; nothing moves while one application is
//! shared; the CSR cancels a pull; a pull broken by the network continues from what arrived; a
//! refused consent lists nothing. (Hostile paths in a move: `deskside_net::transfer`'s tests.)
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use deskside_agent::engine::{AgentHandle, AgentOptions};
use deskside_agent::moves::{Ask, MoveStatus};
use deskside_agent::transfer::RealDisk;
use deskside_net::host::{HostCommand, HostEvent, HostHandle};
use deskside_net::moves::{Direction, MoveInfo, MoveState};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, FolderAt, FolderListing, OnConflict, ParticipantId, Place};

fn options(name: &str) -> AgentOptions {
    let screen = SyntheticSource::new(64, 48, pattern(1));
    let windows = one_window();
    AgentOptions {
        disk: Arc::new(RealDisk),
        windows: Arc::new(move || Ok(Box::new(windows.clone()))),
        ..synthetic_options(name, &screen, &RecordingSink::default())
    }
}

async fn grant(host: &mut HostHandle, agent: &AgentHandle, who: ParticipantId, cap: Capability) {
    host.send(HostCommand::Request { to: who, capability: cap }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    participants(host, |p| p.iter().any(|p| p.id == who && p.grants.has(cap))).await;
}

async fn list(
    host: &mut HostHandle,
    who: ParticipantId,
    at: FolderAt,
) -> Result<FolderListing, deskside_proto::FileProblem> {
    host.send(HostCommand::ListFolder { with: who, at }).unwrap();
    host_event(host, |e| match e {
        HostEvent::Folder { participant, listing } if *participant == who => Some(listing.clone()),
        _ => None,
    })
    .await
}

/// Waits for the first move the customer is asked about, and answers it.
async fn answer(agent: &AgentHandle, allowed: bool) -> Ask {
    until("the customer is asked", || !agent.move_asks().is_empty()).await;
    let ask = agent.move_asks().remove(0);
    agent.answer_move(ask.id, allowed);
    ask.ask
}

async fn finished(host: &HostHandle, name: &str, direction: Direction) -> MoveInfo {
    let mut found = None;
    until(&format!("the move of {name} is over"), || {
        found = host.moves().into_iter().find(|m| m.name == name && m.direction == direction && m.state.is_over());
        found.is_some()
    })
    .await;
    found.unwrap()
}

fn folder_of(listing: &FolderListing) -> String {
    listing.path.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_folders_move_both_ways_only_as_the_customer_allows() {
    let csr = visible_tempdir();
    let customer = visible_tempdir();
    let customer_dir = customer.path().canonicalize().unwrap();
    let mut host = host();
    let agent = join(&invite(&host), options("Ana")).await.unwrap();
    let list_now = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list_now.iter().find(|p| p.name == "Ana").unwrap().id;

    // Nothing is listed before the customer allows browsing.
    let at = FolderAt::Path(customer_dir.to_string_lossy().into_owned());
    host.send(HostCommand::ListFolder { with: ana, at: at.clone() }).unwrap();
    host_event(&mut host, |e| match e {
        HostEvent::Refused(deskside_proto::Rule::FilesNotAllowed) => Some(()),
        _ => None,
    })
    .await;

    grant(&mut host, &agent, ana, Capability::Files).await;
    std::fs::write(customer_dir.join("notes.txt"), b"customer's notes").unwrap();
    std::fs::create_dir(customer_dir.join("Music")).unwrap();
    std::fs::write(customer_dir.join(".hidden"), b"x").unwrap();
    let listing = list(&mut host, ana, at.clone()).await.unwrap();
    assert_eq!(listing.path, customer_dir.to_string_lossy());
    let names: Vec<(&str, bool)> = listing.entries.iter().map(|e| (e.name.as_str(), e.dir)).collect();
    assert_eq!(names, vec![("Music", true), ("notes.txt", false)], "folders first, hidden left out");
    let home = list(&mut host, ana, FolderAt::Place(Place::Home)).await.unwrap();
    assert!(!home.path.is_empty());
    let child = FolderAt::Child { folder: folder_of(&listing), name: "Music".into() };
    assert_eq!(list(&mut host, ana, child).await.unwrap().entries, vec![]);

    // A file to the customer: asked, allowed, arrives whole.
    let report = csr.path().join("report.pdf");
    make_file(&report, 3 << 20, 7);
    let folder = folder_of(&listing);
    host.send(HostCommand::Push {
        to: ana,
        source: report.clone(),
        folder: folder.clone(),
        on_conflict: OnConflict::KeepBoth,
    })
    .unwrap();
    let ask = answer(&agent, true).await;
    assert!(matches!(ask, Ask::Push { ref summary, .. } if summary.name == "report.pdf" && summary.bytes == 3 << 20));
    let m = finished(&host, "report.pdf", Direction::Push).await;
    assert_eq!((m.state, m.direction, m.saved, m.failed), (MoveState::Done, Direction::Push, 1, 0));
    assert_eq!(std::fs::read(customer_dir.join("report.pdf")).unwrap(), std::fs::read(&report).unwrap());

    // A folder to the customer, its files inside their folders.
    let photos = csr.path().join("Photos");
    std::fs::create_dir_all(photos.join("2026/june")).unwrap();
    make_file(&photos.join("a.jpg"), 100_000, 1);
    make_file(&photos.join("2026/june/b.jpg"), 200_000, 2);
    std::fs::write(photos.join("2026/empty.txt"), b"").unwrap();
    host.send(HostCommand::Push {
        to: ana,
        source: photos.clone(),
        folder: folder.clone(),
        on_conflict: OnConflict::KeepBoth,
    })
    .unwrap();
    answer(&agent, true).await;
    let m = finished(&host, "Photos", Direction::Push).await;
    assert_eq!((m.state, m.files, m.saved), (MoveState::Done, 3, 3));
    assert_eq!(tree(&customer_dir.join("Photos")), tree(&photos));

    // The same folder again, Keep both: it arrives beside the first as "Photos (1)".
    host.send(HostCommand::Push {
        to: ana,
        source: photos.clone(),
        folder: folder.clone(),
        on_conflict: OnConflict::KeepBoth,
    })
    .unwrap();
    answer(&agent, true).await;
    until("the second copy arrives", || {
        host.moves().iter().filter(|m| m.name == "Photos" && m.state == MoveState::Done).count() == 2
    })
    .await;
    assert_eq!(tree(&customer_dir.join("Photos (1)")), tree(&photos));

    // Replace: the customer's notes.txt is replaced by the CSR's; the dialog said so.
    let notes = csr.path().join("notes.txt");
    std::fs::write(&notes, b"the CSR's notes").unwrap();
    host.send(HostCommand::Push {
        to: ana,
        source: notes.clone(),
        folder: folder.clone(),
        on_conflict: OnConflict::Replace,
    })
    .unwrap();
    let ask = answer(&agent, true).await;
    assert!(matches!(ask, Ask::Push { on_conflict: OnConflict::Replace, .. }));
    finished(&host, "notes.txt", Direction::Push).await;
    assert_eq!(std::fs::read(customer_dir.join("notes.txt")).unwrap(), b"the CSR's notes");

    // Refused: nothing arrives, and the CSR hears it.
    let secret = csr.path().join("secret.bin");
    make_file(&secret, 1000, 3);
    host.send(HostCommand::Push { to: ana, source: secret, folder: folder.clone(), on_conflict: OnConflict::KeepBoth })
        .unwrap();
    answer(&agent, false).await;
    let m = finished(&host, "secret.bin", Direction::Push).await;
    assert_eq!(m.state, MoveState::Refused(deskside_proto::FileProblem::Refused));
    assert!(!customer_dir.join("secret.bin").exists());

    // Allowed, but her folder went away meanwhile: the CSR hears why, not "refused".
    let late = csr.path().join("late.txt");
    std::fs::write(&late, b"late").unwrap();
    std::fs::create_dir(customer_dir.join("gone")).unwrap();
    let gone = customer_dir.join("gone").to_string_lossy().into_owned();
    host.send(HostCommand::Push { to: ana, source: late, folder: gone, on_conflict: OnConflict::KeepBoth }).unwrap();
    until("the customer is asked", || !agent.move_asks().is_empty()).await;
    std::fs::remove_dir(customer_dir.join("gone")).unwrap();
    answer(&agent, true).await;
    let m = finished(&host, "late.txt", Direction::Push).await;
    assert_eq!(m.state, MoveState::Refused(deskside_proto::FileProblem::NoFolder));

    pulls(&host, &agent, ana, &folder, &customer_dir).await;
    app_shared_stops_moves(&mut host, &agent, ana, &at).await;
    stop_ends_a_big_push(&mut host, &agent, ana, csr.path(), &folder, &customer_dir).await;
    // And nothing more may be listed.
    host.send(HostCommand::ListFolder { with: ana, at }).unwrap();
    host_event(&mut host, |e| match e {
        HostEvent::Refused(deskside_proto::Rule::FilesNotAllowed) => Some(()),
        _ => None,
    })
    .await;
}

/// A file and a folder from the customer to the CSR, then a pull the customer refuses.
async fn pulls(
    host: &HostHandle,
    agent: &AgentHandle,
    ana: deskside_proto::ParticipantId,
    folder: &str,
    customer_dir: &std::path::Path,
) {
    // A file and a folder from the customer to the CSR.
    let into = visible_tempdir();
    make_file(&customer_dir.join("Music/song.ogg"), 500_000, 9);
    std::fs::create_dir(customer_dir.join("Music/live")).unwrap();
    make_file(&customer_dir.join("Music/live/encore.ogg"), 70_000, 10);
    host.send(pull(ana, folder, "Music", into.path())).unwrap();
    let ask = answer(agent, true).await;
    assert!(matches!(ask, Ask::Pull { ref summary, .. } if summary.files == 2 && summary.dir));
    let m = finished(host, "Music", Direction::Pull).await;
    assert_eq!((&m.state, m.direction, m.saved, m.failed), (&MoveState::Done, Direction::Pull, 2, 0), "{m:?}");
    assert_eq!(tree(&into.path().join("Music")), tree(&customer_dir.join("Music")));
    assert_eq!(m.saved_as.as_deref(), Some(into.path().join("Music").as_path()));
    until("the customer sees it sent", || {
        agent
            .moves()
            .entries()
            .iter()
            .any(|e| !e.incoming && e.status == MoveStatus::Sending { done: 570_000, files: 2 })
    })
    .await;

    // A pull refused by the customer: nothing arrives.
    host.send(pull(ana, folder, "report.pdf", into.path())).unwrap();
    answer(agent, false).await;
    let m = finished(host, "report.pdf", Direction::Pull).await;
    assert!(matches!(m.state, MoveState::Refused(_)));
    assert!(!into.path().join("report.pdf").exists());
}

/// One application shared: nothing is listed or moved, on the host's word and the agent's.
async fn app_shared_stops_moves(
    host: &mut HostHandle,
    agent: &AgentHandle,
    ana: deskside_proto::ParticipantId,
    at: &FolderAt,
) {
    grant(host, agent, ana, Capability::View).await;
    host.send(HostCommand::Request { to: ana, capability: Capability::ViewApp }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.allow_window(request, 5);
    participants(host, |p| p.iter().any(|p| p.id == ana && p.grants.view_app)).await;
    host.send(HostCommand::ListFolder { with: ana, at: at.clone() }).unwrap();
    host_event(host, |e| match e {
        HostEvent::Refused(deskside_proto::Rule::AppSharing) => Some(()),
        _ => None,
    })
    .await;
    agent.stop(Capability::ViewApp);
    participants(host, |p| p.iter().any(|p| p.id == ana && !p.grants.view_app)).await;
}

/// Stop while a big folder arrives: the move ends on both sides and no part file is left.
async fn stop_ends_a_big_push(
    host: &mut HostHandle,
    agent: &AgentHandle,
    ana: deskside_proto::ParticipantId,
    csr: &std::path::Path,
    folder: &str,
    customer_dir: &std::path::Path,
) {
    let big = csr.join("Big");
    std::fs::create_dir(&big).unwrap();
    for i in 0..6 {
        make_file(&big.join(format!("part{i}.bin")), 24 << 20, i);
    }
    host.send(HostCommand::Push {
        to: ana,
        source: big.clone(),
        folder: folder.to_owned(),
        on_conflict: OnConflict::KeepBoth,
    })
    .unwrap();
    answer(agent, true).await;
    until("the folder is arriving", || {
        host.moves().iter().any(|m| m.name == "Big" && m.state == MoveState::Moving && m.done > 0)
    })
    .await;
    agent.stop(Capability::Files);
    let m = finished(host, "Big", Direction::Push).await;
    assert_eq!(m.state, MoveState::Stopped);
    until("no part file is left", || parts(&customer_dir.join("Big")).is_empty()).await;
    assert!(tree(&customer_dir.join("Big")).len() < 6, "it stopped before the end");
}

/// Copy `name` of the customer's `folder` into `into` (keeping both on a taken name).
fn pull(from: ParticipantId, folder: impl AsRef<std::ffi::OsStr>, name: &str, into: &Path) -> HostCommand {
    HostCommand::Pull {
        from,
        folder: Path::new(&folder).to_string_lossy().into_owned(),
        name: name.into(),
        into: into.to_owned(),
        on_conflict: OnConflict::KeepBoth,
    }
}

fn parts(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    rd.filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".deskside-part")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csr_cancels_a_pull_and_nothing_is_left_behind() {
    let customer = visible_tempdir();
    let customer_dir = customer.path().canonicalize().unwrap();
    let into = visible_tempdir();
    let mut host = host();
    let agent = join(&invite(&host), options("Ana")).await.unwrap();
    let list_now = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list_now.iter().find(|p| p.name == "Ana").unwrap().id;
    grant(&mut host, &agent, ana, Capability::Files).await;
    let big = customer_dir.join("Videos");
    std::fs::create_dir(&big).unwrap();
    for i in 0..6 {
        make_file(&big.join(format!("clip{i}.mp4")), 24 << 20, i + 20);
    }
    host.send(pull(ana, &customer_dir, "Videos", into.path())).unwrap();
    answer(&agent, true).await;
    until("the folder is arriving", || {
        host.moves().iter().any(|m| m.name == "Videos" && m.state == MoveState::Moving && m.done > 0)
    })
    .await;
    let id = host.moves().iter().find(|m| m.name == "Videos").unwrap().id;
    host.send(HostCommand::CancelMove(id)).unwrap();
    let m = finished(&host, "Videos", Direction::Pull).await;
    assert_eq!(m.state, MoveState::Cancelled);
    until("the customer hears it", || {
        agent.moves().entries().iter().any(|e| e.id == id && e.status == MoveStatus::CancelledByCsr)
    })
    .await;
    until("no part file is left", || parts(&into.path().join("Videos")).is_empty()).await;
    assert!(tree(&into.path().join("Videos")).len() < 6);

    // A pull of something that is not there is refused with the reason.
    host.send(pull(ana, &customer_dir, "nothing-here", into.path())).unwrap();
    let m = finished(&host, "nothing-here", Direction::Pull).await;
    assert_eq!(m.state, MoveState::Refused(deskside_proto::FileProblem::NotFound));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_broken_by_the_network_continues_from_what_arrived() {
    let customer = visible_tempdir();
    let customer_dir = customer.path().canonicalize().unwrap();
    let into = visible_tempdir();
    let mut host = host();
    let relay = relay(host.local_addr()).await;
    let mut inv = invite(&host);
    inv.host.addrs = vec![relay.addr];
    let agent = join(&inv, options("Ana")).await.unwrap();
    let list_now = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list_now.iter().find(|p| p.name == "Ana").unwrap().id;
    grant(&mut host, &agent, ana, Capability::Files).await;

    let big = customer_dir.join("backup.tar");
    make_file(&big, 96 << 20, 77);
    host.send(pull(ana, &customer_dir, "backup.tar", into.path())).unwrap();
    answer(&agent, true).await;
    until("it is arriving", || {
        host.moves().iter().any(|m| m.name == "backup.tar" && m.state == MoveState::Moving && m.done > 0)
    })
    .await;
    relay.cut(true);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.away)).await;
    let held = std::fs::metadata(into.path().join(".backup.tar.deskside-part")).unwrap().len();
    assert!(held > 0 && held < 96 << 20, "a part of it is held: {held}");
    assert_eq!(host.moves()[0].state, MoveState::Moving, "not over: it waits for her to come back");
    relay.cut(false);
    let m = finished(&host, "backup.tar", Direction::Pull).await;
    assert_eq!((m.saved, m.failed), (1, 0), "{m:?}");
    assert_eq!(std::fs::read(into.path().join("backup.tar")).unwrap(), std::fs::read(&big).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_refuses_browsing_is_never_listed() {
    let mut host = host();
    let agent = join(&invite(&host), options("Ana")).await.unwrap();
    let list_now = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list_now.iter().find(|p| p.name == "Ana").unwrap().id;
    host.send(HostCommand::Request { to: ana, capability: Capability::Files }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, false);
    host_event(&mut host, |e| match e {
        HostEvent::ConsentAnswered { capability: Capability::Files, allowed: false, .. } => Some(()),
        _ => None,
    })
    .await;
    host.send(HostCommand::ListFolder { with: ana, at: FolderAt::Place(Place::Home) }).unwrap();
    host_event(&mut host, |e| match e {
        HostEvent::Refused(deskside_proto::Rule::FilesNotAllowed) => Some(()),
        _ => None,
    })
    .await;
    assert!(agent.move_asks().is_empty() && agent.moves().entries().is_empty());
}
