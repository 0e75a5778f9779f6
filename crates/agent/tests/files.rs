//! File transfer end to end over loopback QUIC: the CSR shares files, a customer downloads them
//! and the SHA-256 is checked; a second download keeps both; the connection is killed mid-file
//! (a UDP relay dropping every packet) and the download resumes from what was held; a cancel on
//! the customer's side and a withdraw on the CSR's side stop it and leave no part file; a file
//! that vanished on the CSR's side is reported; nothing moves while one application is shared;
//! hostile names are refused; a full disk (a write failure behind the disk seam) leaves no part
//! file and the existing file as it was.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use deskside_agent::engine::{AgentHandle, AgentOptions};
use deskside_agent::transfer::{Disk, Failure, RealDisk, Status};
use deskside_net::host::{HostCommand, HostEvent, HostHandle};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, FileOutcome, OfferedFile};

/// A file of `len` bytes that are not all alike.
fn make_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let mut x: u32 = 0x1234_5678;
    let mut buf = Vec::with_capacity(1 << 20);
    let mut left = len;
    while left > 0 {
        buf.clear();
        for _ in 0..(1 << 20).min(left) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf.push(x as u8);
        }
        f.write_all(&buf).unwrap();
        left -= buf.len();
    }
    path
}

fn options(name: &str, disk: Arc<dyn Disk>) -> AgentOptions {
    let screen = SyntheticSource::new(64, 48, pattern(1));
    AgentOptions { disk, ..synthetic_options(name, &screen, &RecordingSink::default()) }
}

/// Shares `paths` and waits until every one is offered.
async fn share(host: &mut HostHandle, paths: &[PathBuf]) -> Vec<OfferedFile> {
    host.send(HostCommand::ShareFiles(paths.to_vec())).unwrap();
    host_event(host, |e| match e {
        HostEvent::FilesOffered(list) if paths.iter().all(|p| list.iter().any(|f| p.ends_with(&f.name))) => {
            Some(list.clone())
        }
        _ => None,
    })
    .await
}

async fn offered(agent: &AgentHandle, name: &str) -> OfferedFile {
    let mut found = None;
    until("the file is offered to the customer", || {
        found = agent.transfers().offered().into_iter().find(|f| f.name == name);
        found.is_some()
    })
    .await;
    found.unwrap()
}

fn status(agent: &AgentHandle, id: deskside_proto::FileId) -> Option<Status> {
    agent.transfers().downloads().get(&id).map(|d| d.status.clone())
}

async fn outcome(host: &mut HostHandle, id: deskside_proto::FileId) -> FileOutcome {
    host_event(host, |e| match e {
        HostEvent::FileDone { file, outcome, .. } if file.id == id => Some(*outcome),
        _ => None,
    })
    .await
}

fn part_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".deskside-part"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_to_the_customer_whole_and_checked() {
    let csr = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let mut host = host();
    let relay = relay(host.local_addr()).await;
    let mut invite = invite(&host);
    invite.host.addrs = vec![relay.addr];
    let agent = join(&invite, options("Ana", Arc::new(RealDisk))).await.unwrap();

    // Shared, offered, downloaded, checked.
    let report = make_file(csr.path(), "report.pdf", 3 << 20);
    share(&mut host, std::slice::from_ref(&report)).await;
    let f = offered(&agent, "report.pdf").await;
    assert_eq!(f.size, 3 << 20);
    agent.download(f.id, downloads.path()).unwrap();
    assert_eq!(outcome(&mut host, f.id).await, FileOutcome::Done);
    let saved = downloads.path().join("report.pdf");
    assert_eq!(std::fs::read(&saved).unwrap(), std::fs::read(&report).unwrap());
    assert_eq!(status(&agent, f.id), Some(Status::Done(saved.clone())));
    // Again: the first copy stays, the second gets a number.
    agent.download(f.id, downloads.path()).unwrap();
    assert_eq!(outcome(&mut host, f.id).await, FileOutcome::Done);
    assert!(downloads.path().join("report (1).pdf").exists());
    assert!(part_files(downloads.path()).is_empty());

    // Killed mid-file: what arrived is kept, and once back it continues from there.
    let big = make_file(csr.path(), "big.iso", 96 << 20);
    share(&mut host, std::slice::from_ref(&big)).await;
    let b = offered(&agent, "big.iso").await;
    agent.download(b.id, downloads.path()).unwrap();
    until(
        "the download is under way",
        || matches!(status(&agent, b.id), Some(Status::Receiving { done, .. }) if done > 0),
    )
    .await;
    relay.cut(true);
    until("the broken download is kept to resume", || {
        status(&agent, b.id) == Some(Status::Failed(Failure::Interrupted))
    })
    .await;
    let held = std::fs::metadata(downloads.path().join(".big.iso.deskside-part")).unwrap().len();
    assert!(held > 0 && held < b.size, "a part of it is held: {held}");
    relay.cut(false);
    // Back in the seat, the agent asks again from what it holds; the host checks that prefix.
    // (Progress of the broken first attempt, from 0, may still be queued: the resumed send is
    // the one that did not begin at 0; one that began at 0 again never comes, and this fails.)
    let first = host_event(&mut host, |e| match e {
        HostEvent::FileProgress(p) if p.file == b.id && p.from > 0 => Some(p.from),
        _ => None,
    })
    .await;
    assert!(first >= held, "continued from {first}, not from what the customer held ({held})");
    assert_eq!(outcome(&mut host, b.id).await, FileOutcome::Done);
    assert_eq!(std::fs::read(downloads.path().join("big.iso")).unwrap(), std::fs::read(&big).unwrap());
    assert!(part_files(downloads.path()).is_empty());

    // Cancelled by the customer: no part file, nothing saved.
    let cancel_dir = tempfile::tempdir().unwrap();
    agent.download(b.id, cancel_dir.path()).unwrap();
    until("the download is under way", || matches!(status(&agent, b.id), Some(Status::Receiving { .. }))).await;
    agent.cancel_download(b.id);
    assert_eq!(outcome(&mut host, b.id).await, FileOutcome::Cancelled);
    assert_eq!(status(&agent, b.id), Some(Status::Cancelled));
    assert!(std::fs::read_dir(cancel_dir.path()).unwrap().next().is_none(), "nothing left behind");

    // Withdrawn by the CSR mid-file: the customer hears it stopped, and nothing is left.
    agent.download(b.id, cancel_dir.path()).unwrap();
    until("the download is under way", || matches!(status(&agent, b.id), Some(Status::Receiving { .. }))).await;
    host.send(HostCommand::WithdrawFile(b.id)).unwrap();
    until("the download stops", || status(&agent, b.id) == Some(Status::Failed(Failure::SourceGone))).await;
    until("the file is no longer offered", || agent.transfers().offered().iter().all(|f| f.id != b.id)).await;
    assert!(std::fs::read_dir(cancel_dir.path()).unwrap().next().is_none(), "nothing left behind");

    // A file removed on the CSR's side after it was shared.
    let gone = make_file(csr.path(), "gone.txt", 1000);
    share(&mut host, std::slice::from_ref(&gone)).await;
    let g = offered(&agent, "gone.txt").await;
    std::fs::remove_file(&gone).unwrap();
    agent.download(g.id, downloads.path()).unwrap();
    assert!(matches!(outcome(&mut host, g.id).await, FileOutcome::Failed(_)));
    assert_eq!(status(&agent, g.id), Some(Status::Failed(Failure::SourceGone)));

    // Hostile names (legal on the CSR's Linux) are refused by the customer's side.
    let hostile = [make_file(csr.path(), "a\\..\\..\\evil.bat", 10), make_file(csr.path(), "CON.txt", 10)];
    share(&mut host, &hostile).await;
    for name in ["a\\..\\..\\evil.bat", "CON.txt"] {
        let h = offered(&agent, name).await;
        assert!(matches!(agent.download(h.id, downloads.path()), Err(Failure::BadName(_))), "{name}");
    }
    // A folder that does not exist.
    assert_eq!(agent.download(f.id, &downloads.path().join("nope")), Err(Failure::NoFolder));
}

/// A disk that fills up after `room` bytes.
struct SmallDisk {
    room: u64,
}

struct Limited {
    inner: Box<dyn Write + Send>,
    left: u64,
}

impl Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        self.left -= buf.len() as u64;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Disk for SmallDisk {
    fn open_part(&self, path: &Path, offset: u64) -> std::io::Result<Box<dyn Write + Send>> {
        Ok(Box::new(Limited { inner: RealDisk.open_part(path, offset)?, left: self.room.saturating_sub(offset) }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_leaves_nothing_behind_and_nothing_changed() {
    let csr = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    std::fs::write(downloads.path().join("setup.exe"), b"the customer's own file").unwrap();
    let mut host = host();
    let agent = join(&invite(&host), options("Ana", Arc::new(SmallDisk { room: 1 << 20 }))).await.unwrap();
    let setup = make_file(csr.path(), "setup.exe", 5 << 20);
    share(&mut host, std::slice::from_ref(&setup)).await;
    let f = offered(&agent, "setup.exe").await;
    agent.download(f.id, downloads.path()).unwrap();
    let outcome = outcome(&mut host, f.id).await;
    assert_eq!(outcome, FileOutcome::Failed(deskside_proto::FileProblem::DiskFull), "the host hears why");
    assert_eq!(status(&agent, f.id), Some(Status::Failed(Failure::DiskFull)));
    assert!(part_files(downloads.path()).is_empty(), "no part file");
    assert_eq!(std::fs::read(downloads.path().join("setup.exe")).unwrap(), b"the customer's own file");
    assert_eq!(std::fs::read_dir(downloads.path()).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_moves_while_one_application_is_shared() {
    let csr = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let mut host = host();
    let windows = one_window();
    let w = windows.clone();
    let opts =
        AgentOptions { windows: Arc::new(move || Ok(Box::new(w.clone()))), ..options("Ana", Arc::new(RealDisk)) };
    let agent = join(&invite(&host), opts).await.unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;
    host.send(HostCommand::Request { to: ana, capability: Capability::ViewApp }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.allow_window(request, 5);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.view_app)).await;

    let doc = make_file(csr.path(), "doc.txt", 1000);
    share(&mut host, std::slice::from_ref(&doc)).await;
    let f = offered(&agent, "doc.txt").await;
    assert_eq!(agent.download(f.id, downloads.path()), Err(Failure::AppSharing));
    // Once the window is no longer shared, it goes.
    agent.stop(Capability::ViewApp);
    agent.download(f.id, downloads.path()).unwrap();
    assert_eq!(outcome(&mut host, f.id).await, FileOutcome::Done);
}
