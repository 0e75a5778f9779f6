//! The customer's side of the advanced file transfer. With the `Files` grant the CSR may list
//! the customer's folders and ask for moves; every move waits here until the customer allows or
//! refuses it. A push (CSR → customer) then arrives through [`Transfers`] like an offered file;
//! a pull (customer → CSR) is walked and hashed here and its files are sent when the host asks
//! for each, only while the grant lasts and only the files of that allowed pull.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use deskside_net::moves::Prepared;
use deskside_net::transfer::{MoveProgress, Transfers};
use deskside_platform::files::DRIVES;
use deskside_proto::files::{MAX_FOLDER_ENTRIES, MAX_PATH_BYTES};
use deskside_proto::{
    FileId, FileProblem, FolderAt, FolderEntry, FolderListing, MoveId, MoveSummary, OfferedFile, OnConflict, Place,
    ToHost, is_valid_name,
};

pub use deskside_session::guest::{Ask, MoveAsk};

/// Where an allowed move is, on the customer's side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveStatus {
    /// Arriving from the CSR (see [`Moves::progress`]).
    Receiving,
    /// Being read before it is sent: bytes so far.
    Preparing(u64),
    /// Going to the CSR: bytes and files sent so far.
    Sending {
        /// Bytes sent.
        done: u64,
        /// Files sent whole.
        files: usize,
    },
    /// Refused by the customer.
    Refused,
    /// Stopped by the CSR.
    CancelledByCsr,
    /// Stopped by the customer (Stop).
    Stopped,
    /// It could not be done: why.
    Failed(FileProblem),
}

/// One move the customer allowed or refused, for their window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveEntry {
    /// The move's number.
    pub id: MoveId,
    /// Whether it comes to this machine (a push) or leaves it (a pull).
    pub incoming: bool,
    /// What it carries.
    pub summary: MoveSummary,
    /// Where it is.
    pub status: MoveStatus,
}

struct Pulled {
    move_id: MoveId,
    offered: OfferedFile,
    path: PathBuf,
}

#[derive(Default)]
struct State {
    entries: BTreeMap<MoveId, MoveEntry>,
    library: HashMap<FileId, Pulled>,
    /// Sends under way, by file, with their stop flags.
    sending: HashMap<FileId, Arc<AtomicBool>>,
    /// Bytes sent per file of a pull.
    sent: HashMap<FileId, (MoveId, u64)>,
    next_file: FileId,
    outbox: VecDeque<ToHost>,
    /// A folder is being read for the CSR.
    listing: bool,
    /// The folder to read next, once that one is read: the newest asked (the host waits only for
    /// the answer to its latest request, so an older one waiting here is dropped).
    next_listing: Option<(u32, FolderAt)>,
}

/// The moves on the customer's side.
pub struct Moves {
    state: Mutex<State>,
    transfers: Arc<Transfers>,
}

impl Moves {
    /// Moves whose incoming files arrive through `transfers`.
    #[must_use]
    pub fn new(transfers: Arc<Transfers>) -> Moves {
        Moves { state: Mutex::new(State { next_file: FileId(1), ..State::default() }), transfers }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The downloads (offered and pushed files).
    #[must_use]
    pub fn transfers(&self) -> &Arc<Transfers> {
        &self.transfers
    }

    /// Messages for the host.
    pub fn take_outbox(&self) -> Vec<ToHost> {
        self.lock().outbox.drain(..).collect()
    }

    pub(crate) fn send(&self, msg: ToHost) {
        self.lock().outbox.push_back(msg);
    }

    /// How many messages for the host wait to be sent.
    #[must_use]
    pub fn unsent(&self) -> usize {
        self.lock().outbox.len()
    }

    /// Listing `req` of `at` is asked: whether to read it now (nothing else is being read). If
    /// not, it is read next, in place of any other waiting: one folder is read at a time, and at
    /// most one waits.
    pub(crate) fn start_listing(&self, req: u32, at: FolderAt) -> bool {
        let mut s = self.lock();
        if std::mem::replace(&mut s.listing, true) {
            s.next_listing = Some((req, at));
            return false;
        }
        true
    }

    /// The folder being read was read: the one to read next, if any (else nothing is being read
    /// from now on).
    pub(crate) fn next_listing(&self) -> Option<(u32, FolderAt)> {
        let mut s = self.lock();
        let next = s.next_listing.take();
        s.listing = next.is_some();
        next
    }

    /// The moves answered, by number.
    #[must_use]
    pub fn entries(&self) -> Vec<MoveEntry> {
        self.lock().entries.values().cloned().collect()
    }

    /// How far incoming move `id` is.
    #[must_use]
    pub fn progress(&self, id: MoveId) -> MoveProgress {
        self.transfers.move_progress(id)
    }

    /// The customer answered move `ask` (a refusal has gone to the host already). A push that
    /// is allowed starts arriving into its folder, and the host hears whether it could; a pull
    /// that is allowed returns what to prepare and send.
    pub(crate) fn answered(&self, ask: MoveAsk, allowed: bool) -> Option<PathBuf> {
        let mut s = self.lock();
        let id = ask.id;
        let incoming = matches!(ask.ask, Ask::Push { .. });
        match ask.ask {
            Ask::Push { summary, .. } | Ask::Pull { summary, .. } if !allowed => {
                s.entries.insert(id, MoveEntry { id, incoming, summary, status: MoveStatus::Refused });
                None
            }
            Ask::Push { summary, folder, on_conflict } => {
                let replace = on_conflict == OnConflict::Replace;
                let started = match usable_folder(&folder) {
                    Some(dir) => self.transfers.start_move(id, &dir, replace, summary.clone()),
                    None => Err(deskside_net::transfer::Failure::NoFolder),
                };
                let (ok, reason, status) = match started {
                    Ok(()) => (true, None, MoveStatus::Receiving),
                    Err(f) => (false, Some(f.problem()), MoveStatus::Failed(f.problem())),
                };
                s.outbox.push_back(ToHost::PushAnswer { push: id, allowed: ok, reason });
                s.entries.insert(id, MoveEntry { id, incoming: true, summary, status });
                None
            }
            Ask::Pull { summary, path } => {
                s.entries.insert(id, MoveEntry { id, incoming: false, summary, status: MoveStatus::Preparing(0) });
                Some(PathBuf::from(path))
            }
        }
    }

    /// The first number for a pull's files, with room for all of them.
    pub(crate) fn reserve(&self, files: u32) -> FileId {
        let mut s = self.lock();
        let first = s.next_file;
        s.next_file = s.next_file.wrapping_add(files.max(1));
        first
    }

    pub(crate) fn preparing(&self, id: MoveId, done: u64) {
        if let Some(e) = self.lock().entries.get_mut(&id).filter(|e| matches!(e.status, MoveStatus::Preparing(_))) {
            e.status = MoveStatus::Preparing(done);
        }
    }

    /// A pull was read and hashed: its files may be fetched, and the host hears the list.
    pub(crate) fn prepared(&self, id: MoveId, prepared: Result<Prepared, FileProblem>) {
        let mut s = self.lock();
        let still = s.entries.get(&id).is_some_and(|e| matches!(e.status, MoveStatus::Preparing(_)));
        if !still {
            return;
        }
        match prepared {
            Ok(p) => {
                let files: Vec<_> = p.files.iter().map(|(f, _)| f.clone()).collect();
                for (f, path) in p.files {
                    let offered = OfferedFile { id: f.file, name: f.name().to_owned(), size: f.size, sha256: f.sha256 };
                    s.library.insert(f.file, Pulled { move_id: id, offered, path });
                }
                if let Some(e) = s.entries.get_mut(&id) {
                    e.summary = p.summary.clone();
                    e.status = MoveStatus::Sending { done: 0, files: 0 };
                }
                for (batch, last) in deskside_session::host::batches(files) {
                    s.outbox.push_back(ToHost::PullFiles { pull: id, summary: p.summary.clone(), files: batch, last });
                }
            }
            Err(why) => {
                if let Some(e) = s.entries.get_mut(&id) {
                    e.status = MoveStatus::Failed(why);
                }
                s.outbox.push_back(ToHost::PullRefused { pull: id, reason: why });
            }
        }
    }

    /// File `file` of an allowed pull, to send: what it is, where, and its stop flag.
    pub(crate) fn fetch(&self, file: FileId) -> Option<(OfferedFile, PathBuf, Arc<AtomicBool>)> {
        let mut s = self.lock();
        let p = s.library.get(&file)?;
        let (offered, path) = (p.offered.clone(), p.path.clone());
        let stop = Arc::new(AtomicBool::new(false));
        if let Some(old) = s.sending.insert(file, stop.clone()) {
            old.store(true, Ordering::SeqCst);
        }
        Some((offered, path, stop))
    }

    /// Bytes of pulled file `file` the host holds now; `whole`: it arrived whole.
    pub(crate) fn sent(&self, file: FileId, done: u64, whole: bool) {
        let mut s = self.lock();
        let Some(move_id) = s.library.get(&file).map(|p| p.move_id) else { return };
        s.sent.insert(file, (move_id, done));
        if whole {
            s.sending.remove(&file);
        }
        let total: u64 = s.sent.values().filter(|(m, _)| *m == move_id).map(|(_, n)| n).sum();
        let files_whole = s
            .sent
            .iter()
            .filter(|(f, (m, n))| *m == move_id && s.library.get(f).is_some_and(|p| p.offered.size == *n))
            .count();
        if let Some(e) = s.entries.get_mut(&move_id)
            && matches!(e.status, MoveStatus::Sending { .. })
        {
            e.status = MoveStatus::Sending { done: total, files: files_whole };
        }
    }

    /// What arrived for move `id` is not what the customer allowed: it ends, nothing written.
    pub(crate) fn failed(&self, id: MoveId, why: &deskside_net::transfer::Failure) {
        if let Some(e) = self.lock().entries.get_mut(&id) {
            e.status = MoveStatus::Failed(why.problem());
        }
        self.transfers.cancel_move(id);
    }

    /// The CSR stopped move `id`.
    pub(crate) fn cancelled(&self, id: MoveId) {
        self.end(Some(id), &MoveStatus::CancelledByCsr);
    }

    /// The customer stopped browsing and moving files: every move stops (the customer's side
    /// refused the questions waiting).
    pub fn stop_all(&self) {
        self.end(None, &MoveStatus::Stopped);
    }

    fn end(&self, id: Option<MoveId>, status: &MoveStatus) {
        let mut s = self.lock();
        let files: Vec<FileId> =
            s.library.iter().filter(|(_, p)| id.is_none_or(|i| p.move_id == i)).map(|(f, _)| *f).collect();
        for f in files {
            s.library.remove(&f);
            if let Some(stop) = s.sending.remove(&f) {
                stop.store(true, Ordering::SeqCst);
            }
        }
        for e in s.entries.values_mut().filter(|e| id.is_none_or(|i| e.id == i)) {
            let under_way = match e.status {
                MoveStatus::Receiving => !self.transfers.move_progress(e.id).finished(),
                MoveStatus::Preparing(_) => true,
                MoveStatus::Sending { files, .. } => files < e.summary.files as usize,
                _ => false,
            };
            if under_way {
                e.status = status.clone();
            }
        }
        drop(s);
        match id {
            Some(id) => self.transfers.cancel_move(id),
            None => self.transfers.cancel_all_moves(),
        }
    }
}

/// Whether `path` names something hidden (a part starting with a dot: `~/.ssh`, `.config/x`).
/// Listings leave hidden entries out, and nothing hidden can be named directly either.
fn is_hidden(path: &Path) -> bool {
    path.components().any(|c| matches!(c, std::path::Component::Normal(n) if n.to_string_lossy().starts_with('.')))
}

/// The folder a CSR names for listing or as a push's destination, if it may be used: a whole
/// (absolute) path that exists as a folder, resolved, and nothing hidden on the way.
pub(crate) fn usable_folder(p: &str) -> Option<PathBuf> {
    let path = Path::new(p);
    if !path.is_absolute() || is_hidden(path) {
        return None;
    }
    let real = std::fs::canonicalize(path).ok()?;
    (!is_hidden(&real) && real.is_dir()).then_some(real)
}

/// The folder `at` names on this machine.
fn folder_of(at: &FolderAt) -> Option<PathBuf> {
    let user = directories::UserDirs::new();
    let home = user.as_ref().map(|u| u.home_dir().to_owned());
    match at {
        FolderAt::Path(p) => Some(PathBuf::from(p)),
        FolderAt::Child { name, .. } if name.starts_with('.') => None,
        FolderAt::Child { folder, name } => Some(deskside_platform::files::child(folder, name)),
        FolderAt::Place(Place::Home) => home,
        FolderAt::Place(Place::Documents) => user.as_ref().and_then(|u| u.document_dir().map(Path::to_owned)).or(home),
        FolderAt::Place(Place::Desktop) => user.as_ref().and_then(|u| u.desktop_dir().map(Path::to_owned)).or(home),
        FolderAt::Place(Place::Downloads) => user.as_ref().and_then(|u| u.download_dir().map(Path::to_owned)).or(home),
        FolderAt::Place(Place::Drives) => Some(PathBuf::from("/")),
    }
}

/// Lists folder `at` for the CSR: folders first, then files, by name; hidden entries and links
/// left out; at most what fits one message. An error says why.
pub fn list_folder(at: &FolderAt) -> Result<FolderListing, FileProblem> {
    let drives = matches!(at, FolderAt::Place(Place::Drives)) || matches!(at, FolderAt::Path(p) if p == DRIVES);
    if drives && let Some(list) = deskside_platform::files::drives() {
        let entries = list.into_iter().map(|name| FolderEntry { name, dir: true, size: 0 }).collect();
        return Ok(FolderListing { path: DRIVES.into(), parent: None, entries, truncated: false });
    }
    let dir = folder_of(at).ok_or(FileProblem::NoFolder)?;
    // A path named by the CSR: whole, and nothing hidden on the way, before or after links.
    let dir = usable_folder(&dir.to_string_lossy()).ok_or(FileProblem::FolderUnusable)?;
    let path = dir.to_string_lossy().into_owned();
    if path.len() > MAX_PATH_BYTES {
        return Err(FileProblem::PathTooLong);
    }
    let mut entries: Vec<FolderEntry> = std::fs::read_dir(&dir)
        .map_err(|e| FileProblem::of_io(e.kind()))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(e.path()).ok()?;
            let shown = !name.starts_with('.') && is_valid_name(&name) && name.len() <= 255;
            (shown && (meta.is_dir() || meta.is_file())).then(|| FolderEntry {
                name,
                dir: meta.is_dir(),
                size: if meta.is_file() { meta.len() } else { 0 },
            })
        })
        .collect();
    entries.sort_by(|a, b| b.dir.cmp(&a.dir).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    let (mut kept, mut bytes) = (Vec::new(), 0);
    for e in &entries {
        bytes += e.name.len() + 16;
        if kept.len() == MAX_FOLDER_ENTRIES || bytes > deskside_proto::files::MAX_BATCH_BYTES {
            break;
        }
        kept.push(e.clone());
    }
    let truncated = kept.len() < entries.len();
    let parent = dir.parent().map(|p| p.to_string_lossy().into_owned()).filter(|p| p.len() <= MAX_PATH_BYTES);
    Ok(FolderListing { path, parent, entries: kept, truncated })
}

/// Where entry `name` of the listing `folder` is on this machine, and what it carries (no
/// content read), for the customer to decide on. An error says why.
pub fn summary_of(folder: &str, name: &str) -> Result<(PathBuf, MoveSummary), FileProblem> {
    let dir = usable_folder(folder).ok_or(FileProblem::NotSendable)?;
    if name.starts_with('.') {
        return Err(FileProblem::NotSendable);
    }
    let path = deskside_platform::files::child(&dir.to_string_lossy(), name);
    if std::fs::canonicalize(&path).is_ok_and(|real| is_hidden(&real)) {
        return Err(FileProblem::NotSendable);
    }
    let (summary, _) = deskside_net::moves::walk(&path).map_err(|e| e.problem())?;
    Ok((path, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moves() -> Moves {
        Moves::new(Arc::new(Transfers::new(Arc::new(deskside_net::transfer::RealDisk))))
    }

    #[test]
    fn one_folder_is_read_at_a_time_and_only_the_newest_waits() {
        let m = moves();
        let at = |p: &str| FolderAt::Path(p.into());
        assert!(m.start_listing(1, at("/a")), "nothing being read: read it now");
        // Asked again and again meanwhile (a host flooding, or a CSR clicking fast): one waits.
        for req in 2..1000 {
            assert!(!m.start_listing(req, at("/b")));
        }
        assert!(!m.start_listing(1000, at("/c")));
        assert_eq!(m.next_listing(), Some((1000, at("/c"))), "the newest");
        assert_eq!(m.next_listing(), None);
        assert!(m.start_listing(1001, at("/d")), "nothing being read again");
    }

    #[test]
    fn nothing_hidden_nor_relative_is_a_usable_folder() {
        let dir = tempfile::Builder::new().prefix("deskside-unit-").tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(real.join(".secret")).unwrap();
        std::fs::create_dir(real.join("open")).unwrap();
        let s = |p: &Path| p.to_string_lossy().into_owned();
        assert_eq!(usable_folder(&s(&real.join("open"))), Some(real.join("open")));
        assert_eq!(usable_folder(&s(&real.join(".secret"))), None);
        assert_eq!(usable_folder(&s(&real.join("open/../.secret"))), None);
        assert_eq!(usable_folder("open"), None, "relative");
        assert_eq!(usable_folder(&s(&real.join("missing"))), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join(".secret"), real.join("link")).unwrap();
            assert_eq!(usable_folder(&s(&real.join("link"))), None, "a link into something hidden");
        }
    }
}
