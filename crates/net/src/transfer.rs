//! The receiving side of file transfer, on either machine: files the CSR offers or pushes,
//! downloaded on the customer's machine, and files a customer lets the CSR copy, on the CSR's.
//! One stream per file, written to a hidden part file beside its destination, hashed as it
//! arrives, and renamed into place only when the SHA-256 of the whole file matches the one
//! announced. Nothing existing is overwritten unless a person chose Replace: a name already taken
//! gets " (1)", " (2)"... A broken connection leaves the part file to resume from (the sender
//! checks the prefix's hash first); a cancel, a full disk, a folder that cannot be written or a
//! wrong hash remove it.
//!
//! A *move* (a file or a folder of the advanced mode) arrives as a list of files with folders
//! inside it; every part of every path is made safe before it touches the disk, folders are
//! created inside the destination and never followed if they are links, and at most
//! [`MAX_ACTIVE`] of its files are asked for at once.
//!
//! The disk is reached through [`Disk`] so that tests can make writes fail as a full disk does.

use iroh::endpoint::{ReadError, RecvStream, VarInt};
use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use deskside_proto::{FileOutcome, FileProblem, MoveSummary, MovedFile, NameError, OfferedFile, safe_file_name};
use sha2::{Digest, Sha256};

/// Bytes read from the stream at a time.
const CHUNK: usize = 256 * 1024;
/// Most files of moves asked for at once.
pub const MAX_ACTIVE: usize = 4;

/// What the receiving side wants sent to the other side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// Send file `file` from `offset`; the bytes before it hash to `prefix_sha256`.
    Fetch {
        /// Which file.
        file: deskside_proto::FileId,
        /// Where to start.
        offset: u64,
        /// SHA-256 of what is held.
        prefix_sha256: [u8; 32],
    },
    /// How file `file` ended here.
    Done {
        /// Which file.
        file: deskside_proto::FileId,
        /// How.
        outcome: FileOutcome,
    },
}

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
    /// A folder stands where the file would go (Replace never replaces a folder).
    FolderInTheWay,
    /// One application is shared: files do not move meanwhile.
    AppSharing,
    /// What the other side sent for a move is not what was approved (other names, more files or
    /// bytes): nothing of it is written.
    NotApproved,
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

    /// The problem as the other side hears it (a system error's own words stay in this
    /// machine's log and window).
    #[must_use]
    pub fn problem(&self) -> FileProblem {
        match self {
            Failure::DiskFull => FileProblem::DiskFull,
            Failure::ReadOnly => FileProblem::ReadOnly,
            Failure::NoFolder => FileProblem::NoFolder,
            Failure::HashMismatch => FileProblem::HashMismatch,
            Failure::Interrupted => FileProblem::Interrupted,
            Failure::SourceGone => FileProblem::SourceGone,
            Failure::BadName(e) => FileProblem::BadName(*e),
            Failure::FolderInTheWay => FileProblem::FolderInTheWay,
            Failure::AppSharing => FileProblem::AppSharing,
            Failure::NotApproved => FileProblem::NotApproved,
            Failure::Other(_) => FileProblem::Other,
        }
    }
}

/// Where one download is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Part of a move, waiting for its turn.
    Queued,
    /// Asked of the sender.
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
    /// The move it belongs to, if any.
    pub part_of: Option<deskside_proto::MoveId>,
    /// Whether it replaces a file of the same name (else it gets a free name).
    pub replace: bool,
    cancel: Arc<AtomicBool>,
}

impl Download {
    fn part(&self) -> PathBuf {
        self.dir.join(format!(".{}.deskside-part", self.name))
    }
}

/// Where a move's files go.
#[derive(Clone, Debug)]
struct MoveDest {
    folder: PathBuf,
    replace: bool,
    /// What the person approved: the move's files must be exactly this.
    summary: MoveSummary,
    /// Its files as listed so far, held until the list is whole and checked.
    listed: Vec<MovedFile>,
    /// The list was whole and exactly what was approved; its files are queued.
    admitted: bool,
    /// The folder a moved folder arrives as, once chosen (a free name unless replacing).
    top: Option<(String, PathBuf)>,
}

/// How far one move is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoveProgress {
    /// Files in it so far.
    pub files: usize,
    /// Files saved.
    pub saved: usize,
    /// Files that failed or were cancelled.
    pub failed: usize,
    /// Bytes in it so far.
    pub bytes: u64,
    /// Bytes held.
    pub done: u64,
    /// Bytes a second, summed over the files arriving now.
    pub bytes_per_s: u64,
    /// Where it was saved (the file, or the folder it arrived as), once known.
    pub saved_as: Option<PathBuf>,
    /// The first reason a file failed.
    pub first_failure: Option<Failure>,
}

impl MoveProgress {
    /// Whether every file has ended, one way or another.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.saved + self.failed == self.files
    }
}

#[derive(Default)]
struct State {
    offered: Vec<OfferedFile>,
    downloads: BTreeMap<deskside_proto::FileId, Download>,
    moves: BTreeMap<deskside_proto::MoveId, MoveDest>,
    outbox: VecDeque<Wanted>,
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
    pub fn downloads(&self) -> BTreeMap<deskside_proto::FileId, Download> {
        self.lock().downloads.clone()
    }

    /// The host's list of files on offer (the whole list). A download still waiting for a file
    /// no longer offered stops (one under way stops with its stream).
    pub fn set_offered(&self, list: Vec<OfferedFile>) {
        let mut s = self.lock();
        s.offered = list.into_iter().filter(OfferedFile::is_valid).take(deskside_proto::MAX_FILES_OFFERED).collect();
        let gone: Vec<deskside_proto::FileId> = s
            .downloads
            .iter()
            .filter(|(id, d)| {
                d.part_of.is_none() && d.status == Status::Requested && !s.offered.iter().any(|f| f.id == **id)
            })
            .map(|(id, _)| *id)
            .collect();
        drop(s);
        for id in gone {
            self.end(id, Status::Failed(Failure::SourceGone));
        }
    }

    /// The CSR's copy of file `id` cannot be sent: a download waiting for it stops and its part
    /// file goes (what it held no longer matches).
    pub fn unavailable(&self, id: deskside_proto::FileId) {
        let part = {
            let s = self.lock();
            s.downloads.get(&id).filter(|d| d.status == Status::Requested).map(Download::part)
        };
        if let Some(part) = part {
            let _ = std::fs::remove_file(part);
            self.end(id, Status::Failed(Failure::SourceGone));
        }
    }

    /// How many messages for the sending side wait to be taken.
    #[must_use]
    pub fn unsent(&self) -> usize {
        self.lock().outbox.len()
    }

    /// What to tell the sending side.
    pub fn take_outbox(&self) -> Vec<Wanted> {
        self.lock().outbox.drain(..).collect()
    }

    /// Starts (or resumes) downloading offered file `id` into `dir`. `app_shared`: one
    /// application is shared right now, so nothing moves.
    pub fn download(&self, id: deskside_proto::FileId, dir: &Path, app_shared: bool) -> Result<(), Failure> {
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
        let d = Download {
            file,
            dir: dir.to_owned(),
            name,
            status: Status::Requested,
            part_of: None,
            replace: false,
            cancel: Arc::default(),
        };
        let (offset, prefix_sha256) = prefix_of(&d.part(), d.file.size);
        s.outbox.push_back(Wanted::Fetch { file: id, offset, prefix_sha256 });
        s.downloads.insert(id, d);
        Ok(())
    }

    /// A move `id` arrives into `folder` (which must exist); `replace`: a name taken there is
    /// replaced, else the move arrives under a free name. Its files must be exactly what
    /// `summary` describes (what the person approved), or nothing of it is written.
    pub fn start_move(
        &self,
        id: deskside_proto::MoveId,
        folder: &Path,
        replace: bool,
        summary: MoveSummary,
    ) -> Result<(), Failure> {
        if !std::fs::symlink_metadata(folder).is_ok_and(|m| m.is_dir()) {
            return Err(Failure::NoFolder);
        }
        let dest =
            MoveDest { folder: folder.to_owned(), replace, summary, listed: Vec::new(), admitted: false, top: None };
        self.lock().moves.insert(id, dest);
        Ok(())
    }

    /// More files of move `id`, `last` when the list is whole. They are held until then; a list
    /// that is not exactly what was approved ([`MoveSummary::admits`]) ends the move with
    /// [`Failure::NotApproved`] and nothing is written. Once whole, each file is queued (one whose
    /// path cannot be made safe, or whose folder cannot be made, fails at once and says why).
    pub fn add_moved(&self, id: deskside_proto::MoveId, files: Vec<MovedFile>, last: bool) -> Result<(), Failure> {
        let whole = {
            let mut s = self.lock();
            let Some(dest) = s.moves.get_mut(&id) else { return Err(Failure::SourceGone) };
            if dest.admitted {
                return Err(Failure::NotApproved);
            }
            dest.listed.extend(files);
            let fits = dest.summary.admits_part(&dest.listed) && (!last || dest.summary.admits(&dest.listed));
            if !fits {
                s.moves.remove(&id);
                return Err(Failure::NotApproved);
            }
            if !last {
                return Ok(());
            }
            dest.admitted = true;
            std::mem::take(&mut dest.listed)
        };
        for f in whole {
            if self.lock().downloads.contains_key(&f.file) {
                continue;
            }
            let (dir, name, replace, failed) = match self.place(id, &f) {
                Ok((dir, name, replace)) => (dir, name, replace, None),
                Err(why) => (PathBuf::new(), f.name().to_owned(), false, Some(why)),
            };
            let d = Download {
                file: OfferedFile { id: f.file, name: f.name().to_owned(), size: f.size, sha256: f.sha256 },
                dir,
                name,
                // One that cannot be placed ends at once, saying why.
                status: if failed.is_some() { Status::Requested } else { Status::Queued },
                part_of: Some(id),
                replace,
                cancel: Arc::default(),
            };
            self.lock().downloads.insert(f.file, d);
            if let Some(why) = failed {
                self.end(f.file, Status::Failed(why));
            }
        }
        self.pump();
        Ok(())
    }

    /// The folder and safe name a moved file goes to, making its folders on the way; whether it
    /// replaces.
    fn place(&self, id: deskside_proto::MoveId, f: &MovedFile) -> Result<(PathBuf, String, bool), Failure> {
        let mut dest = self.lock().moves.get(&id).cloned().ok_or(Failure::SourceGone)?;
        let name = safe_file_name(f.name()).map_err(Failure::BadName)?;
        let folders = &f.path[..f.path.len() - 1];
        let Some((top, inner)) = folders.split_first() else {
            // A single file: into the folder itself.
            return Ok((dest.folder, name, dest.replace));
        };
        let top = safe_file_name(top).map_err(Failure::BadName)?;
        let mut dir = match &dest.top {
            Some((t, dir)) if *t == top => dir.clone(),
            Some(_) => return Err(Failure::BadName(NameError::Path)),
            None => {
                let dir = if dest.replace { dest.folder.join(&top) } else { free_name(&dest.folder, &top) };
                make_dir(&dir)?;
                dest.top = Some((top, dir.clone()));
                if let Some(m) = self.lock().moves.get_mut(&id) {
                    m.top.clone_from(&dest.top);
                }
                dir
            }
        };
        for part in inner {
            dir = dir.join(safe_file_name(part).map_err(Failure::BadName)?);
            make_dir(&dir)?;
        }
        Ok((dir, name, dest.replace))
    }

    /// Asks for queued files of moves while fewer than [`MAX_ACTIVE`] are under way.
    fn pump(&self) {
        let mut s = self.lock();
        let active = s
            .downloads
            .values()
            .filter(|d| d.part_of.is_some() && matches!(d.status, Status::Requested | Status::Receiving { .. }))
            .count();
        let next: Vec<deskside_proto::FileId> = s
            .downloads
            .iter()
            .filter(|(_, d)| d.status == Status::Queued)
            .map(|(id, _)| *id)
            .take(MAX_ACTIVE.saturating_sub(active))
            .collect();
        for id in next {
            if let Some(d) = s.downloads.get_mut(&id) {
                d.status = Status::Requested;
                let (offset, prefix_sha256) = prefix_of(&d.part(), d.file.size);
                s.outbox.push_back(Wanted::Fetch { file: id, offset, prefix_sha256 });
            }
        }
    }

    /// How far move `id` is.
    #[must_use]
    pub fn move_progress(&self, id: deskside_proto::MoveId) -> MoveProgress {
        let s = self.lock();
        let mut p = MoveProgress::default();
        for d in s.downloads.values().filter(|d| d.part_of == Some(id)) {
            p.files += 1;
            p.bytes += d.file.size;
            match &d.status {
                Status::Done(path) => {
                    p.saved += 1;
                    p.done += d.file.size;
                    if p.saved_as.is_none() {
                        p.saved_as = Some(path.clone());
                    }
                }
                Status::Receiving { done, bytes_per_s } => {
                    p.done += done;
                    p.bytes_per_s += bytes_per_s;
                }
                Status::Failed(f) if *f != Failure::Interrupted => {
                    p.failed += 1;
                    p.first_failure.get_or_insert_with(|| f.clone());
                }
                Status::Cancelled => p.failed += 1,
                // Waiting its turn, asked, or for the other side to come back.
                Status::Queued | Status::Requested | Status::Failed(_) => {}
            }
        }
        if let Some((_, top)) = s.moves.get(&id).and_then(|m| m.top.as_ref()) {
            p.saved_as = Some(top.clone());
        }
        p
    }

    /// Stops move `id`: what is queued is cancelled, what arrives stops, part files go.
    pub fn cancel_move(&self, id: deskside_proto::MoveId) {
        let ids: Vec<deskside_proto::FileId> =
            self.lock().downloads.iter().filter(|(_, d)| d.part_of == Some(id)).map(|(k, _)| *k).collect();
        for file in ids {
            self.cancel(file);
        }
    }

    /// Stops every move (the customer stopped browsing and moving files).
    pub fn cancel_all_moves(&self) {
        let moves: Vec<deskside_proto::MoveId> = self.lock().moves.keys().copied().collect();
        for id in moves {
            self.cancel_move(id);
        }
    }

    /// Asks again for every download the connection broke (after coming back).
    pub fn resume_interrupted(&self) {
        let mut s = self.lock();
        let State { downloads, outbox, .. } = &mut *s;
        for (id, d) in downloads.iter_mut() {
            if matches!(d.status, Status::Failed(Failure::Interrupted) | Status::Requested | Status::Receiving { .. }) {
                d.status = Status::Requested;
                let (offset, prefix_sha256) = prefix_of(&d.part(), d.file.size);
                outbox.push_back(Wanted::Fetch { file: *id, offset, prefix_sha256 });
            }
        }
    }

    /// The customer cancels download `id`: the stream stops, the part file goes.
    pub fn cancel(&self, id: deskside_proto::FileId) {
        let mut s = self.lock();
        let Some(d) = s.downloads.get_mut(&id) else { return };
        match d.status {
            // Under way: the receiving task stops the stream and removes the part file.
            Status::Receiving { .. } => d.cancel.store(true, Ordering::SeqCst),
            // Not arrived yet: over now (a stream that comes later is refused as not asked for).
            Status::Requested | Status::Queued => {
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

    fn end(&self, id: deskside_proto::FileId, status: Status) {
        let mut s = self.lock();
        let outcome = match &status {
            Status::Done(_) => FileOutcome::Done,
            Status::Cancelled => FileOutcome::Cancelled,
            Status::Failed(f) => FileOutcome::Failed(f.problem()),
            Status::Queued | Status::Requested | Status::Receiving { .. } => return,
        };
        let mut in_move = false;
        if let Some(d) = s.downloads.get_mut(&id) {
            in_move = d.part_of.is_some();
            let resumable = matches!(status, Status::Failed(Failure::Interrupted));
            d.status = status;
            if in_move && resumable {
                // Not over: asked again from the part file once the other side is back.
                return;
            }
        }
        s.outbox.push_back(Wanted::Done { file: id, outcome });
        drop(s);
        if in_move {
            self.pump();
        }
    }

    /// Receives the bytes of file `id` from `offset` on `recv`. `app_shared` says whether one
    /// application is shared now (checked between chunks: files stop moving at once); `wake` is
    /// called as progress is made (at most ten times a second).
    pub async fn receive(
        &self,
        id: deskside_proto::FileId,
        offset: u64,
        mut recv: RecvStream,
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
            let _ = recv.stop(VarInt::from_u32(0));
            return;
        };
        let part = d.part();
        let size = d.file.size;
        let fail = |f: Failure, recv: &mut RecvStream| {
            let _ = recv.stop(VarInt::from_u32(0));
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
                Err(ReadError::Reset(_)) => break Stop::Failed(Failure::SourceGone),
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
                let _ = recv.stop(VarInt::from_u32(0));
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
        let target = if d.replace { d.dir.join(&d.name) } else { free_name(&d.dir, &d.name) };
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
            return fail(Failure::FolderInTheWay, &mut recv);
        }
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
async fn fill(recv: &mut RecvStream, buf: &mut [u8]) -> Result<(usize, bool), ReadError> {
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

/// Makes folder `dir` if it is missing; one that is there must be a folder, not a link.
fn make_dir(dir: &Path) -> Result<(), Failure> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Failure::FolderInTheWay),
        Err(_) => std::fs::create_dir(dir).map_err(|e| Failure::of(&e)),
    }
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
mod tests;
