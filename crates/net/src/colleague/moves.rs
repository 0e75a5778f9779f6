//! A CSR's moves from their own console in a colleague's session, through the host: a pull
//! arrives at the host first and then here (fetched like offered files, written only into the
//! folder this CSR chose, exactly what was asked for); a push is hashed here, then fetched by
//! the host, which asks the customer. The board's rows come from the host; where a pull was
//! saved is this console's own.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use deskside_proto::{FileId, MoveId, MoveInfo, MoveState, MoveSummary, MovedFile, OnConflict, ParticipantId, ToHost};

use super::shares::Shares;
use crate::host::HostEvent;
use crate::transfer::{RealDisk, Transfers, Wanted};

/// Most moves asked for and not numbered by the host yet (a host that never answers does not
/// make this grow).
const MAX_ASKED: usize = 16;

/// Where a pull goes here, and what was asked.
#[derive(Clone, Debug)]
struct Dest {
    into: PathBuf,
    replace: bool,
    name: String,
}

#[derive(Default)]
struct State {
    next_tag: u32,
    asked_pulls: VecDeque<(MoveId, Dest)>,
    pulls: HashMap<MoveId, Dest>,
    /// Pulls whose files arrive here now.
    started: HashSet<MoveId>,
    asked_pushes: VecDeque<(MoveId, Vec<FileId>)>,
    pushes: HashMap<MoveId, Vec<FileId>>,
    rows: Vec<MoveInfo>,
}

/// This console's moves.
#[derive(Clone)]
pub(super) struct Moves {
    state: Arc<Mutex<State>>,
    /// Relayed pulls arriving from the host (its numbers).
    pub(super) transfers: Arc<Transfers>,
}

impl Default for Moves {
    fn default() -> Self {
        Moves { state: Arc::default(), transfers: Arc::new(Transfers::new(Arc::new(RealDisk))) }
    }
}

impl Moves {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn tag(s: &mut State) -> MoveId {
        s.next_tag = s.next_tag.wrapping_add(1);
        MoveId(s.next_tag)
    }

    /// Asks the host for a copy of customer `from`'s `name` in their `folder`, to arrive in
    /// `into` here.
    pub(super) fn pull(
        &self,
        from: ParticipantId,
        folder: String,
        name: String,
        into: PathBuf,
        replace: bool,
    ) -> ToHost {
        let mut s = self.lock();
        let tag = Self::tag(&mut s);
        if s.asked_pulls.len() == MAX_ASKED {
            s.asked_pulls.pop_front();
        }
        s.asked_pulls.push_back((tag, Dest { into, replace, name: name.clone() }));
        ToHost::Pull { tag, from, folder, name }
    }

    /// Hashes `source` on a task of `rt` and puts it to the host for customer `to`'s `folder`
    /// (its files are then fetched from `shares`).
    #[allow(clippy::too_many_arguments)] // One move's whole description, passed once.
    pub(super) fn push(
        &self,
        rt: &tokio::runtime::Handle,
        shares: &Shares,
        out: &tokio::sync::mpsc::Sender<ToHost>,
        wake: &crate::host::Waker,
        to: ParticipantId,
        source: PathBuf,
        folder: String,
        on_conflict: OnConflict,
    ) {
        let tag = Self::tag(&mut self.lock());
        let (moves, shares, out, wake) = (self.clone(), shares.clone(), out.clone(), wake.clone());
        rt.spawn(async move {
            let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let first = shares.reserve(deskside_proto::files::MAX_MOVE_FILES);
            let progress = |done, total| {
                shares.event(HostEvent::FileHashing { name: name.clone(), done, total });
                wake();
            };
            let prepared = match crate::moves::prepare(source, first, progress).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::info!("cannot push: {e}");
                    shares.event(HostEvent::FileShareFailed { name, reason: e.problem() });
                    wake();
                    return;
                }
            };
            let ids: Vec<FileId> = prepared.files.iter().map(|(f, _)| f.file).collect();
            let files: Vec<MovedFile> = prepared.files.iter().map(|(f, _)| f.clone()).collect();
            shares.add_pushed(prepared.files);
            {
                let mut s = moves.lock();
                if s.asked_pushes.len() == MAX_ASKED
                    && let Some((_, old)) = s.asked_pushes.pop_front()
                {
                    shares.forget(&old);
                }
                s.asked_pushes.push_back((tag, ids));
            }
            let summary = prepared.summary;
            let mut msgs = vec![ToHost::Push { tag, to, summary, folder, on_conflict }];
            for (files, last) in deskside_session::host::batches(files) {
                msgs.push(ToHost::PushFiles { tag, files, last });
            }
            for msg in msgs {
                if out.send(msg).await.is_err() {
                    return;
                }
            }
            wake();
        });
    }

    /// The host numbered the move asked for with `tag`.
    pub(super) fn made(&self, tag: MoveId, id: MoveId) {
        let mut s = self.lock();
        if let Some(i) = s.asked_pulls.iter().position(|(t, _)| *t == tag)
            && let Some((_, dest)) = s.asked_pulls.remove(i)
        {
            s.pulls.insert(id, dest);
        } else if let Some(i) = s.asked_pushes.iter().position(|(t, _)| *t == tag)
            && let Some((_, files)) = s.asked_pushes.remove(i)
        {
            s.pushes.insert(id, files);
        }
    }

    /// The host's rows of this CSR's moves. A move that is over lets go of what it holds
    /// here: a push's files, a pull's files still arriving.
    pub(super) fn rows(&self, shares: &Shares, rows: Vec<MoveInfo>) {
        let mut s = self.lock();
        for row in rows.iter().filter(|r| r.state.is_over()) {
            if let Some(files) = s.pushes.remove(&row.id) {
                shares.forget(&files);
            }
            if row.state != MoveState::Done && s.started.remove(&row.id) {
                self.transfers.cancel_move(row.id);
            }
        }
        s.rows = rows;
    }

    /// The files of pull `pull` that reached the host. Only a pull this CSR asked for, of the
    /// file or folder they asked for, is written, into the folder they chose; `Err` says the
    /// host should stop it.
    pub(super) fn pulled(
        &self,
        pull: MoveId,
        summary: MoveSummary,
        files: Vec<MovedFile>,
        last: bool,
    ) -> Result<(), ()> {
        let (dest, started) = {
            let s = self.lock();
            (s.pulls.get(&pull).cloned(), s.started.contains(&pull))
        };
        let Some(dest) = dest.filter(|d| d.name == summary.name) else {
            tracing::info!(pull = %pull, "the host sent files of a pull this console did not ask for");
            return Err(());
        };
        if !started {
            self.transfers.start_move(pull, &dest.into, dest.replace, summary).map_err(|_| ())?;
            self.lock().started.insert(pull);
        }
        self.transfers.add_moved(pull, files, last).map_err(|why| {
            tracing::info!(pull = %pull, "a pull cannot be written here: {why:?}");
            self.transfers.cancel_move(pull);
        })
    }

    /// What to tell the host of the relayed pulls: files to fetch, and how each ended.
    pub(super) fn outbox(&self) -> Vec<ToHost> {
        self.transfers
            .take_outbox()
            .into_iter()
            .map(|w| match w {
                Wanted::Fetch { file, offset, prefix_sha256 } => ToHost::FetchFile { file, offset, prefix_sha256 },
                Wanted::Done { file, outcome } => ToHost::FileDone { file, outcome },
            })
            .collect()
    }

    /// This CSR stops move `id`: what arrives here stops too.
    pub(super) fn cancel(&self, id: MoveId) {
        if self.lock().started.remove(&id) {
            self.transfers.cancel_move(id);
        }
    }

    /// The rows as the host last sent them, with where each pull was saved here.
    pub(super) fn board(&self) -> Vec<MoveInfo> {
        let s = self.lock();
        s.rows
            .iter()
            .cloned()
            .map(|mut row| {
                if s.started.contains(&row.id) || row.state == MoveState::Done {
                    row.saved_as = self.transfers.move_progress(row.id).saved_as;
                }
                row
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: u32, path: &[&str], size: u64) -> MovedFile {
        MovedFile { file: FileId(id), path: path.iter().map(|p| (*p).to_owned()).collect(), size, sha256: [1; 32] }
    }

    /// A console that asked for Ana's "Photos" into `into`, numbered 5 by the host.
    fn asked(into: &std::path::Path) -> Moves {
        let moves = Moves::default();
        let ToHost::Pull { tag, .. } =
            moves.pull(ParticipantId(1), "/home/ana".into(), "Photos".into(), into.into(), false)
        else {
            panic!("a pull")
        };
        moves.made(tag, MoveId(5));
        moves
    }

    #[test]
    fn a_host_cannot_make_this_console_write_what_it_did_not_ask_for() {
        let dir = tempfile::tempdir().unwrap();
        let moves = asked(dir.path());
        let photos = MoveSummary { name: "Photos".into(), dir: true, files: 1, bytes: 3 };
        // A pull it never asked for, or another name than the one asked for.
        assert!(moves.pulled(MoveId(6), photos.clone(), vec![file(1, &["Photos", "a.jpg"], 3)], true).is_err());
        let other = MoveSummary { name: ".ssh".into(), ..photos.clone() };
        assert!(moves.pulled(MoveId(5), other, vec![file(1, &[".ssh", "authorized_keys"], 3)], true).is_err());
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing written");
        // A path that climbs out of the folder asked for: that file fails at once and is never
        // fetched; nothing is written but the folder asked for, empty.
        let climbing = vec![file(1, &["Photos", "..", "..", "deskside-escaped"], 3)];
        moves.pulled(MoveId(5), photos, climbing, true).unwrap();
        let out = moves.outbox();
        assert!(
            matches!(out[..], [ToHost::FileDone { file: FileId(1), outcome: deskside_proto::FileOutcome::Failed(_) }]),
            "{out:?}"
        );
        let written: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(written.is_empty() || written == ["Photos"], "{written:?}");
        assert!(!dir.path().parent().unwrap().join("deskside-escaped").exists());
    }

    #[test]
    fn a_pull_asked_for_is_fetched_from_the_host_into_the_chosen_folder() {
        let dir = tempfile::tempdir().unwrap();
        let moves = asked(dir.path());
        let photos = MoveSummary { name: "Photos".into(), dir: true, files: 1, bytes: 3 };
        moves.pulled(MoveId(5), photos, vec![file(9, &["Photos", "a.jpg"], 3)], true).unwrap();
        let out = moves.outbox();
        assert!(matches!(out[..], [ToHost::FetchFile { file: FileId(9), offset: 0, .. }]), "{out:?}");
        // The host ends it: what is arriving stops, the rows say so.
        let mut row = MoveInfo::new(
            MoveId(5),
            ParticipantId(1),
            deskside_proto::Direction::Pull,
            "Photos".into(),
            MoveState::Cancelled,
            0,
        );
        row.files = 1;
        moves.rows(&Shares::default(), vec![row.clone()]);
        assert_eq!(moves.board(), vec![row]);
        let out = moves.outbox();
        assert!(
            matches!(out[..], [ToHost::FileDone { file: FileId(9), outcome: deskside_proto::FileOutcome::Cancelled }]),
            "{out:?}"
        );
    }

    #[test]
    fn the_host_answering_moves_never_asked_for_grows_nothing() {
        let moves = Moves::default();
        for n in 0..1000 {
            moves.made(MoveId(n), MoveId(n));
            let _ = moves.pull(ParticipantId(1), "/".into(), "x".into(), "/tmp".into(), false);
        }
        let s = moves.lock();
        assert!(s.asked_pulls.len() <= MAX_ASKED);
        assert!(s.pulls.len() <= 1000, "one per move the host numbered that this console asked for");
    }
}
