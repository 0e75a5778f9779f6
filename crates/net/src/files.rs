//! The host's side of file transfer: hashing a file the CSR shares (with progress), and sending
//! one to a customer on its own stream, from the offset they already hold.
//!
//! Each file goes on its own unidirectional stream at a lower priority than screen and input
//! streams, so a transfer never starves frames or input: QUIC sends the screen first whenever
//! both have data. The receiver checks the SHA-256 of the whole file at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use deskside_proto::{OfferedFile, ParticipantId, UniHeader};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::framed::write_msg;

/// Bytes read and sent at a time.
pub const CHUNK: usize = 256 * 1024;
/// Least time between two progress reports of one transfer.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(200);
/// File streams yield to screen and input streams (priority 0).
const FILE_PRIORITY: i32 = -1;

/// A file's size and SHA-256, read from disk; `progress(done, total)` is called as it goes.
pub async fn hash_file(path: &Path, mut progress: impl FnMut(u64, u64)) -> std::io::Result<(u64, [u8; 32])> {
    let f = tokio::fs::File::open(path).await?;
    let meta = f.metadata().await?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file"));
    }
    let total = meta.len();
    let (done, hash) = hash_reader(f, |done| progress(done, total)).await?;
    progress(done, total);
    Ok((done, hash))
}

/// SHA-256 of the first `len` bytes of `path` (`None` if it has fewer).
pub async fn hash_prefix(path: &Path, len: u64) -> std::io::Result<Option<[u8; 32]>> {
    let f = tokio::fs::File::open(path).await?;
    let (done, hash) = hash_reader(f.take(len), |_| {}).await?;
    Ok((done == len).then_some(hash))
}

/// How many bytes `r` holds to its end and their SHA-256; `progress(bytes so far)` is called at
/// most every [`PROGRESS_EVERY`].
async fn hash_reader(
    mut r: impl tokio::io::AsyncRead + Unpin,
    mut progress: impl FnMut(u64),
) -> std::io::Result<(u64, [u8; 32])> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let (mut done, mut last) = (0u64, Instant::now());
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        done += n as u64;
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            progress(done);
        }
    }
    Ok((done, hasher.finalize().into()))
}

/// Why a send stopped.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The file on the CSR's machine changed or went away since it was shared.
    #[error("the file changed or was removed since it was shared")]
    Changed,
    /// Reading it failed.
    #[error("the file could not be read: {0}")]
    Read(#[from] std::io::Error),
    /// The customer stopped it or the connection went.
    #[error("the customer's side stopped the transfer")]
    Stopped,
}

impl SendError {
    /// The problem as the CSR's window says it (a system error's own words stay in the log).
    #[must_use]
    pub fn problem(&self) -> deskside_proto::FileProblem {
        match self {
            SendError::Changed => deskside_proto::FileProblem::SourceGone,
            SendError::Read(e) => deskside_proto::FileProblem::of_io(e.kind()),
            SendError::Stopped => deskside_proto::FileProblem::Interrupted,
        }
    }
}

/// One send in progress, for the progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Who receives it.
    pub participant: ParticipantId,
    /// Which file.
    pub file: deskside_proto::FileId,
    /// Bytes the customer holds now (including what they had).
    pub done: u64,
    /// Where this send began: what the customer held and the host checked, or 0. Tells one
    /// attempt's progress from an earlier one's.
    pub from: u64,
    /// The file's size.
    pub total: u64,
}

/// Sends `file` (read from `path`) to `conn` from `offset`, or from 0 when the customer's
/// `prefix_sha256` does not match the first `offset` bytes here.
#[allow(clippy::too_many_arguments)] // One transfer's whole description, passed once.
pub async fn send_file(
    conn: &iroh::endpoint::Connection,
    participant: ParticipantId,
    file: &OfferedFile,
    path: PathBuf,
    offset: u64,
    prefix_sha256: [u8; 32],
    cancel: &std::sync::atomic::AtomicBool,
    mut progress: impl FnMut(Progress),
) -> Result<(), SendError> {
    let mut offset = offset.min(file.size);
    if offset > 0 && !matches!(hash_prefix(&path, offset).await, Ok(Some(h)) if h == prefix_sha256) {
        offset = 0;
    }
    // The file first: a stream is opened only for a file that can be read.
    let opened = async {
        let mut f = tokio::fs::File::open(&path).await?;
        if f.metadata().await?.len() != file.size {
            return Err(std::io::Error::other("size changed"));
        }
        if offset > 0 {
            use tokio::io::AsyncSeekExt;
            f.seek(std::io::SeekFrom::Start(offset)).await?;
        }
        Ok(f)
    };
    let Ok(mut f) = opened.await else {
        return Err(SendError::Changed);
    };
    let mut s = conn.open_uni().await.map_err(|_| SendError::Stopped)?;
    let _ = s.set_priority(FILE_PRIORITY);
    write_msg(&mut s, &UniHeader::File { file: file.id, offset }, deskside_proto::MAX_UNI_HEADER_BYTES)
        .await
        .map_err(|_| SendError::Stopped)?;
    let mut buf = vec![0u8; CHUNK];
    let (mut done, from) = (offset, offset);
    let mut last = Instant::now();
    while done < file.size {
        if cancel.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = s.reset(iroh::endpoint::VarInt::from_u32(2));
            return Err(SendError::Stopped);
        }
        let want = usize::try_from(file.size - done).unwrap_or(CHUNK).min(CHUNK);
        let n = match f.read(&mut buf[..want]).await {
            Ok(n) => n,
            Err(e) => {
                let _ = s.reset(iroh::endpoint::VarInt::from_u32(1));
                return Err(SendError::Read(e));
            }
        };
        if n == 0 {
            // Shorter than when it was shared.
            let _ = s.reset(iroh::endpoint::VarInt::from_u32(1));
            return Err(SendError::Changed);
        }
        s.write_all(&buf[..n]).await.map_err(|_| SendError::Stopped)?;
        done += n as u64;
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            progress(Progress { participant, file: file.id, done, from, total: file.size });
        }
    }
    s.finish().map_err(|_| SendError::Stopped)?;
    // The bytes are queued; wait until the customer has them all (or stopped reading).
    if !matches!(s.stopped().await, Ok(None)) {
        return Err(SendError::Stopped);
    }
    progress(Progress { participant, file: file.id, done, from, total: file.size });
    Ok(())
}
