//! Files the CSR offers, downloaded on the customer's machine: one stream per file, written to a
//! hidden part file beside its destination, hashed as it arrives, and renamed into place only
//! when the SHA-256 of the whole file matches the one offered. Nothing existing is ever
//! overwritten: a name already taken gets " (1)", " (2)"... A broken connection leaves the part
//! file to resume from (the host checks the prefix's hash first); a cancel, a full disk, a folder
//! that cannot be written or a wrong hash remove it.
//!
//! The disk is reached through [`Disk`] so that tests can make writes fail as a full disk does.

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use deskside_proto::{FileOutcome, NameError, OfferedFile, ToHost, safe_file_name};
use sha2::{Digest, Sha256};

/// Bytes read from the stream at a time.
const CHUNK: usize = 256 * 1024;

/// Where received bytes are written.
pub trait Disk: Send + Sync {
    /// Opens the part file `path` to append at `offset`: a new empty file at 0 (any stale one
    /// replaced, never followed if it is a link), or the existing one, which must hold exactly
    /// `offset` bytes.
    fn open_part(&self, path: &Path, offset: u64) -> std::io::Result<Box<dyn Write + Send>>;
}

/// The machine's own file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn open_part(&self, path: &Path, offset: u64) -> std::io::Result<Box<dyn Write + Send>> {
        if offset == 0 {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
            return Ok(Box::new(f));
        }
        let meta = std::fs::symlink_metadata(path)?;
        if !meta.is_file() || meta.len() != offset {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "the partial file changed"));
        }
        Ok(Box::new(std::fs::OpenOptions::new().append(true).open(path)?))
    }
}

/// Why a download failed, for the customer's window to say in their language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The disk is full.
    DiskFull,
    /// The folder cannot be written to.
    ReadOnly,
    /// The folder does not exist.
    NoFolder,
    /// The bytes did not match the file offered.
    HashMismatch,
    /// The connection broke; the part file is kept to resume from.
    Interrupted,
    /// The CSR's copy changed or went away.
    SourceGone,
    /// The name cannot be made safe here.
    BadName(NameError),
    /// One application is shared: files do not move meanwhile.
    AppSharing,
    /// Something else, in the system's words.
    Other(String),
}

impl Failure {
    fn of(e: &std::io::Error) -> Failure {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::StorageFull | K::QuotaExceeded | K::FileTooLarge => Failure::DiskFull,
            K::PermissionDenied | K::ReadOnlyFilesystem => Failure::ReadOnly,
            K::NotFound | K::NotADirectory => Failure::NoFolder,
            _ => Failure::Other(e.to_string()),
        }
    }

    /// Whether trying again continues from the part file.
    #[must_use]
    pub fn resumable(&self) -> bool {
        matches!(self, Failure::Interrupted | Failure::AppSharing)
    }

    /// For the session record (the CSR's side), in English.
    #[must_use]
    pub fn words(&self) -> String {
        match self {
            Failure::DiskFull => "not enough disk space".into(),
            Failure::ReadOnly => "the folder cannot be written to".into(),
            Failure::NoFolder => "the folder does not exist".into(),
            Failure::HashMismatch => "the file arrived damaged (its hash did not match)".into(),
            Failure::Interrupted => "the connection broke".into(),
            Failure::SourceGone => "the file changed or was removed on the CSR's side".into(),
            Failure::BadName(e) => format!("the name cannot be used: {e}"),
            Failure::AppSharing => "stop application sharing to transfer files".into(),
            Failure::Other(s) => s.clone(),
        }
    }
}

/// Where one download is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Asked of the host.
    Requested,
    /// Arriving.
    Receiving {
        /// Bytes held.
        done: u64,
        /// Bytes a second since this attempt started.
        bytes_per_s: u64,
    },
    /// Saved here.
    Done(PathBuf),
    /// Stopped.
    Failed(Failure),
    /// The customer cancelled it.
    Cancelled,
}

/// One download.
#[derive(Clone, Debug)]
pub struct Download {
    /// What is downloaded.
    pub file: OfferedFile,
    /// The folder it goes in.
    pub dir: PathBuf,
    /// The safe name it is saved under (before " (1)" if that is taken).
    pub name: String,
    /// Where it is.
    pub status: Status,
    cancel: Arc<AtomicBool>,
}

impl Download {
    fn part(&self) -> PathBuf {
        self.dir.join(format!(".{}.deskside-part", self.name))
    }
}

#[derive(Default)]
struct State {
    offered: Vec<OfferedFile>,
    downloads: BTreeMap<u32, Download>,
    outbox: VecDeque<ToHost>,
}

/// The files on offer and the downloads, shared by the engine and the window.
pub struct Transfers {
    state: Mutex<State>,
    disk: Arc<dyn Disk>,
}

impl Transfers {
    /// Transfers that write through `disk`.
    #[must_use]
    pub fn new(disk: Arc<dyn Disk>) -> Transfers {
        Transfers { state: Mutex::new(State::default()), disk }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The files offered now.
    #[must_use]
    pub fn offered(&self) -> Vec<OfferedFile> {
        self.lock().offered.clone()
    }

    /// The downloads, by file.
    #[must_use]
    pub fn downloads(&self) -> BTreeMap<u32, Download> {
        self.lock().downloads.clone()
    }

    /// The host's list of files on offer (the whole list). A download still waiting for a file
    /// no longer offered stops (one under way stops with its stream).
    pub fn set_offered(&self, list: Vec<OfferedFile>) {
        let mut s = self.lock();
        s.offered = list.into_iter().filter(OfferedFile::is_valid).take(deskside_proto::MAX_FILES_OFFERED).collect();
        let gone: Vec<u32> = s
            .downloads
            .iter()
            .filter(|(id, d)| d.status == Status::Requested && !s.offered.iter().any(|f| f.id == **id))
            .map(|(id, _)| *id)
            .collect();
        drop(s);
        for id in gone {
            self.end(id, Status::Failed(Failure::SourceGone));
        }
    }

    /// The CSR's copy of file `id` cannot be sent: a download waiting for it stops and its part
    /// file goes (what it held no longer matches).
    pub fn unavailable(&self, id: u32) {
        let part = {
            let s = self.lock();
            s.downloads.get(&id).filter(|d| d.status == Status::Requested).map(Download::part)
        };
        if let Some(part) = part {
            let _ = std::fs::remove_file(part);
            self.end(id, Status::Failed(Failure::SourceGone));
        }
    }

    /// Messages for the host.
    pub fn take_outbox(&self) -> Vec<ToHost> {
        self.lock().outbox.drain(..).collect()
    }

    /// Starts (or resumes) downloading offered file `id` into `dir`. `app_shared`: one
    /// application is shared right now, so nothing moves.
    pub fn download(&self, id: u32, dir: &Path, app_shared: bool) -> Result<(), Failure> {
        let mut s = self.lock();
        let file = s.offered.iter().find(|f| f.id == id).cloned().ok_or(Failure::SourceGone)?;
        if app_shared {
            return Err(Failure::AppSharing);
        }
        let name = safe_file_name(&file.name).map_err(Failure::BadName)?;
        if !dir.is_dir() {
            return Err(Failure::NoFolder);
        }
        if s.downloads.get(&id).is_some_and(|d| matches!(d.status, Status::Requested | Status::Receiving { .. })) {
            return Ok(());
        }
        let d = Download { file, dir: dir.to_owned(), name, status: Status::Requested, cancel: Arc::default() };
        let (offset, prefix_sha256) = prefix_of(&d.part(), d.file.size);
        s.outbox.push_back(ToHost::FetchFile { file: id, offset, prefix_sha256 });
        s.downloads.insert(id, d);
        Ok(())
    }

    /// Asks again for every download the connection broke (after coming back).
    pub fn resume_interrupted(&self) {
        let ids: Vec<(u32, PathBuf)> = {
            let s = self.lock();
            s.downloads
                .iter()
                .filter(|(_, d)| {
                    matches!(
                        d.status,
                        Status::Failed(Failure::Interrupted) | Status::Requested | Status::Receiving { .. }
                    )
                })
                .map(|(id, d)| (*id, d.dir.clone()))
                .collect()
        };
        for (id, dir) in ids {
            if let Some(d) = self.lock().downloads.get_mut(&id) {
                d.status = Status::Failed(Failure::Interrupted);
            }
            let _ = self.download(id, &dir, false);
        }
    }

    /// The customer cancels download `id`: the stream stops, the part file goes.
    pub fn cancel(&self, id: u32) {
        let mut s = self.lock();
        let Some(d) = s.downloads.get_mut(&id) else { return };
        match d.status {
            // Under way: the receiving task stops the stream and removes the part file.
            Status::Receiving { .. } => d.cancel.store(true, Ordering::SeqCst),
            // Not arrived yet: over now (a stream that comes later is refused as not asked for).
            Status::Requested => {
                d.cancel.store(true, Ordering::SeqCst);
                let part = d.part();
                drop(s);
                let _ = std::fs::remove_file(part);
                self.end(id, Status::Cancelled);
            }
            Status::Failed(_) => {
                let _ = std::fs::remove_file(d.part());
                d.status = Status::Cancelled;
            }
            Status::Done(_) | Status::Cancelled => {}
        }
    }

    fn end(&self, id: u32, status: Status) {
        let mut s = self.lock();
        let outcome = match &status {
            Status::Done(_) => FileOutcome::Done,
            Status::Cancelled => FileOutcome::Cancelled,
            Status::Failed(f) => FileOutcome::Failed(f.words()),
            Status::Requested | Status::Receiving { .. } => return,
        };
        if let Some(d) = s.downloads.get_mut(&id) {
            d.status = status;
        }
        s.outbox.push_back(ToHost::FileDone { file: id, outcome });
    }

    /// Receives the bytes of file `id` from `offset` on `recv`. `app_shared` says whether one
    /// application is shared now (checked between chunks: files stop moving at once); `wake` is
    /// called as progress is made (at most ten times a second).
    pub async fn receive(
        &self,
        id: u32,
        offset: u64,
        mut recv: quinn::RecvStream,
        app_shared: impl Fn() -> bool,
        wake: impl Fn(),
    ) {
        let Some(d) = self
            .lock()
            .downloads
            .get(&id)
            .filter(|d| matches!(d.status, Status::Requested | Status::Receiving { .. }))
            .cloned()
        else {
            // Nobody asked for it.
            let _ = recv.stop(quinn::VarInt::from_u32(0));
            return;
        };
        let part = d.part();
        let size = d.file.size;
        let fail = |f: Failure, recv: &mut quinn::RecvStream| {
            let _ = recv.stop(quinn::VarInt::from_u32(0));
            if !f.resumable() {
                let _ = std::fs::remove_file(&part);
            }
            self.end(id, Status::Failed(f));
        };
        // What is already held must be what the host continues from.
        let mut hasher = Sha256::new();
        if offset > 0 && hash_into(&part, offset, &mut hasher).is_err() {
            return fail(Failure::Other("the partial file could not be read".into()), &mut recv);
        }
        let out = match self.disk.open_part(&part, offset) {
            Ok(w) => w,
            Err(e) => return fail(Failure::of(&e), &mut recv),
        };
        // Writing and hashing run on their own thread, overlapped with the network reads.
        let (chunks, writer) = spawn_writer(out, hasher);
        let started = Instant::now();
        let mut last_wake = Instant::now();
        let mut done = offset;
        let stop = loop {
            if d.cancel.load(Ordering::SeqCst) {
                break Stop::Cancelled;
            }
            if app_shared() {
                break Stop::Failed(Failure::AppSharing);
            }
            // Whole chunks: one write, one hash update and one status update per 256 KiB rather
            // than per packet.
            let mut buf = vec![0u8; CHUNK];
            let (n, ended) = match fill(&mut recv, &mut buf).await {
                Ok(got) => got,
                Err(quinn::ReadError::Reset(_)) => break Stop::Failed(Failure::SourceGone),
                Err(_) => break Stop::Failed(Failure::Interrupted),
            };
            if done + n as u64 > size {
                break Stop::Failed(Failure::Other("more bytes arrived than the file has".into()));
            }
            buf.truncate(n);
            if chunks.send(buf).await.is_err() {
                // The writer stopped: its error says why.
                break Stop::WriterFailed;
            }
            done += n as u64;
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let bytes_per_s = ((done - offset) as f64 / secs) as u64;
            if let Some(d) = self.lock().downloads.get_mut(&id) {
                d.status = Status::Receiving { done, bytes_per_s };
            }
            if last_wake.elapsed().as_millis() >= 100 {
                last_wake = Instant::now();
                wake();
            }
            if ended {
                break Stop::Ended;
            }
        };
        drop(chunks);
        let written = writer.await.unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        let hasher = match (stop, written) {
            (Stop::Cancelled, _) => {
                let _ = recv.stop(quinn::VarInt::from_u32(0));
                let _ = std::fs::remove_file(&part);
                return self.end(id, Status::Cancelled);
            }
            (Stop::Failed(f), _) => return fail(f, &mut recv),
            (_, Err(e)) => return fail(Failure::of(&e), &mut recv),
            (Stop::WriterFailed, Ok(_)) => {
                return fail(Failure::Other("the file could not be written".into()), &mut recv);
            }
            (Stop::Ended, Ok(h)) => h,
        };
        if done != size {
            return fail(Failure::Interrupted, &mut recv);
        }
        if <[u8; 32]>::from(hasher.finalize()) != d.file.sha256 {
            return fail(Failure::HashMismatch, &mut recv);
        }
        let target = free_name(&d.dir, &d.name);
        match std::fs::rename(&part, &target) {
            Ok(()) => self.end(id, Status::Done(target)),
            Err(e) => fail(Failure::of(&e), &mut recv),
        }
    }
}

/// Why receiving stopped.
enum Stop {
    /// The stream ended.
    Ended,
    /// The customer cancelled.
    Cancelled,
    /// It failed here or on the way.
    Failed(Failure),
    /// The writer stopped (its own error says why).
    WriterFailed,
}

/// Chunks in flight between the network and the writer.
const WRITE_QUEUE: usize = 4;

/// A thread that writes and hashes the chunks it is sent, in order; it ends when the sender is
/// dropped (flushing) or at the first write error.
fn spawn_writer(
    mut out: Box<dyn Write + Send>,
    mut hasher: Sha256,
) -> (tokio::sync::mpsc::Sender<Vec<u8>>, tokio::task::JoinHandle<std::io::Result<Sha256>>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    let writer = tokio::task::spawn_blocking(move || {
        while let Some(chunk) = rx.blocking_recv() {
            out.write_all(&chunk)?;
            hasher.update(&chunk);
        }
        out.flush()?;
        Ok(hasher)
    });
    (tx, writer)
}

/// Reads into `buf` until it is full or the stream ends: how many bytes, and whether it ended.
async fn fill(recv: &mut quinn::RecvStream, buf: &mut [u8]) -> Result<(usize, bool), quinn::ReadError> {
    let mut n = 0;
    while n < buf.len() {
        match recv.read(&mut buf[n..]).await? {
            Some(k) => n += k,
            None => return Ok((n, true)),
        }
    }
    Ok((n, false))
}

/// The offset to ask from and the hash of what is held: the part file's length and SHA-256 if
/// it is a plain file no longer than the file, else from the start.
fn prefix_of(part: &Path, size: u64) -> (u64, [u8; 32]) {
    let len = std::fs::symlink_metadata(part).ok().filter(std::fs::Metadata::is_file).map_or(0, |m| m.len());
    if len == 0 || len > size {
        return (0, Sha256::digest([]).into());
    }
    let mut hasher = Sha256::new();
    match hash_into(part, len, &mut hasher) {
        Ok(()) => (len, hasher.finalize().into()),
        Err(_) => (0, Sha256::digest([]).into()),
    }
}

fn hash_into(path: &Path, len: u64, hasher: &mut Sha256) -> std::io::Result<()> {
    let mut f = std::fs::File::open(path)?.take(len);
    let mut buf = vec![0u8; CHUNK];
    let mut n_total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        n_total += n as u64;
    }
    if n_total == len { Ok(()) } else { Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)) }
}

/// `name` in `dir`, or "name (1).ext", "name (2).ext"... if taken: nothing is overwritten.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if std::fs::symlink_metadata(&first).is_err() {
        return first;
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (1..=100_000)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
