//! The files a CSR on their own console shares with the customers: hashed here, offered to the
//! host with this console's own numbers, and sent to the host when it fetches them (it checks
//! the hash, keeps them for the session and offers them to the customers itself).

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use deskside_proto::{FileId, OfferedFile, ParticipantId, ToHost};

use crate::host::HostEvent;

/// Most files shared from this console at once (the host bounds what it offers, too).
const MAX_SHARED: usize = deskside_proto::MAX_FILES_OFFERED;
/// Events from the hashing and sending tasks waiting for the window; past this, progress is
/// dropped (the outcome is not: it comes from the host).
const MAX_EVENTS: usize = 256;

#[derive(Default)]
struct State {
    files: HashMap<FileId, (OfferedFile, PathBuf)>,
    /// The files of pushes, which the host fetches before it asks the customer.
    pushed: HashMap<FileId, (OfferedFile, PathBuf)>,
    /// Sends to the host under way, by file: a new request for one stops the older send.
    sending: HashMap<FileId, Arc<AtomicBool>>,
    next: u32,
    events: VecDeque<HostEvent>,
}

/// This console's shared files.
#[derive(Clone, Default)]
pub(super) struct Shares(Arc<Mutex<State>>);

impl Shares {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn event(&self, ev: HostEvent) {
        let mut s = self.lock();
        if s.events.len() < MAX_EVENTS {
            s.events.push_back(ev);
        }
    }

    /// A block of `n` numbers for the files of a push; the first.
    pub(super) fn reserve(&self, n: usize) -> FileId {
        let mut s = self.lock();
        let first = FileId(s.next.wrapping_add(1));
        s.next = s.next.wrapping_add(n as u32);
        first
    }

    /// The files of a push, for the host to fetch.
    pub(super) fn add_pushed(&self, files: Vec<(deskside_proto::MovedFile, PathBuf)>) {
        let mut s = self.lock();
        for (f, path) in files {
            s.pushed.insert(f.file, (f.as_offered(), path));
        }
    }

    /// The host no longer fetches these files (their push is over).
    pub(super) fn forget(&self, files: &[FileId]) {
        let mut s = self.lock();
        for f in files {
            s.pushed.remove(f);
            if let Some(stop) = s.sending.remove(f) {
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }

    /// What the tasks said, for the window.
    pub(super) fn take_event(&self) -> Option<HostEvent> {
        self.lock().events.pop_front()
    }

    /// Hashes each of `paths` on a task of `rt` and offers it to the host through `out`.
    pub(super) fn share(
        &self,
        rt: &tokio::runtime::Handle,
        paths: Vec<PathBuf>,
        out: &tokio::sync::mpsc::Sender<ToHost>,
        wake: &crate::host::Waker,
    ) {
        for path in paths {
            let (shares, out, wake) = (self.clone(), out.clone(), wake.clone());
            rt.spawn(async move {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let progress = |done, total| {
                    shares.event(HostEvent::FileHashing { name: name.clone(), done, total });
                    wake();
                };
                let hashed = crate::files::hash_file(&path, progress).await;
                let offered =
                    hashed.map_err(|e| deskside_proto::FileProblem::of_io(e.kind())).and_then(|(size, sha256)| {
                        let mut s = shares.lock();
                        if s.files.len() >= MAX_SHARED {
                            return Err(deskside_proto::FileProblem::TooMany);
                        }
                        s.next = s.next.wrapping_add(1);
                        let offered = OfferedFile { id: FileId(s.next), name: name.clone(), size, sha256 };
                        if !offered.is_valid() {
                            return Err(deskside_proto::FileProblem::BadName(deskside_proto::NameError::TooLong));
                        }
                        s.files.insert(offered.id, (offered.clone(), path.clone()));
                        Ok(offered)
                    });
                match offered {
                    Ok(offered) => {
                        if out.send(ToHost::OfferFile(offered)).await.is_err() {
                            tracing::info!("the link closed before a shared file was offered");
                        }
                    }
                    Err(reason) => shares.event(HostEvent::FileShareFailed { name, reason }),
                }
                wake();
            });
        }
    }

    /// The host fetches shared file `file` from `offset`: sent on its own stream (from 0 when
    /// the host's `prefix_sha256` does not match what is here). Nothing for a number this
    /// console never shared.
    pub(super) fn send(
        &self,
        rt: &tokio::runtime::Handle,
        conn: &iroh::endpoint::Connection,
        me: ParticipantId,
        file: FileId,
        offset: u64,
        prefix_sha256: [u8; 32],
    ) {
        let mut s = self.lock();
        let Some((offered, path)) = s.files.get(&file).or_else(|| s.pushed.get(&file)).cloned() else {
            tracing::info!(file = %file, "the host asked for a file this console does not share");
            return;
        };
        let stop = Arc::new(AtomicBool::new(false));
        if let Some(old) = s.sending.insert(file, stop.clone()) {
            old.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        drop(s);
        let (conn, shares) = (conn.clone(), self.clone());
        rt.spawn(async move {
            let sent = crate::files::send_file(&conn, me, &offered, path, offset, prefix_sha256, &stop, |_| {}).await;
            if let Err(e) = sent {
                tracing::info!(file = %offered.id, "a shared file was not sent to the host: {e}");
                shares.event(HostEvent::FileShareFailed { name: offered.name.clone(), reason: e.problem() });
            }
        });
    }
}
