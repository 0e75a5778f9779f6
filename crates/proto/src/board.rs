//! The board of moves as a CSR sees it: one row per push or pull, from the moment it is
//! prepared or asked until it is over. The host's session keeps the board; a colleague on their
//! own console is sent the rows of the moves they asked for ([`crate::ToGuest::Moves`]).

use serde::{Deserialize, Serialize};

use crate::files::{MAX_FILE_BYTES, MAX_FILE_NAME_BYTES, MAX_MOVE_FILES};
use crate::{FileProblem, MoveId, ParticipantId};

/// Most rows of the board sent to a colleague at once (their newest moves).
pub const MAX_MOVE_ROWS: usize = 64;

/// Which way a move goes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the CSR to the customer.
    Push,
    /// From the customer to the CSR.
    Pull,
}

/// Where a move is, as the CSR sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum MoveState {
    /// Being read and hashed (a push): bytes so far and in all. A colleague's push is this
    /// while the host fetches it from their console.
    Preparing {
        /// Bytes hashed.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// Waiting for the customer to allow or refuse it.
    Asking,
    /// Under way.
    Moving,
    /// Every file ended; [`MoveInfo::failed`] says how many did not arrive.
    Done,
    /// The customer refused it, or it could not start: why.
    Refused(FileProblem),
    /// The CSR stopped it.
    Cancelled,
    /// The customer stopped browsing and moving files, or left.
    Stopped,
}

impl MoveState {
    /// Whether the move is over.
    #[must_use]
    pub fn is_over(&self) -> bool {
        matches!(self, MoveState::Done | MoveState::Refused(_) | MoveState::Cancelled | MoveState::Stopped)
    }
}

/// One move, for the UI.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MoveInfo {
    /// Its number.
    pub id: MoveId,
    /// The customer.
    pub with: ParticipantId,
    /// Which way.
    pub direction: Direction,
    /// The file's or folder's name.
    pub name: String,
    /// Where.
    pub state: MoveState,
    /// When it started moving (or was made, before that), in the host's Unix milliseconds.
    pub started_ms: u64,
    /// Files in it (known once prepared or listed).
    pub files: usize,
    /// Bytes in it.
    pub bytes: u64,
    /// Bytes arrived. A move through the host (a colleague's) counts each of its two legs
    /// half.
    pub done: u64,
    /// Bytes a second now, as the driver measured it (0: not measured, see
    /// [`MoveInfo::rate`]).
    pub bytes_per_s: u64,
    /// Files arrived whole.
    pub saved: usize,
    /// Files that did not arrive.
    pub failed: usize,
    /// The first reason a file did not arrive.
    pub first_failure: Option<FileProblem>,
    /// Where a pull was saved on this machine (never sent: each console knows its own).
    #[serde(skip)]
    pub saved_as: Option<std::path::PathBuf>,
}

impl MoveInfo {
    /// A move made at `now`, with nothing known yet of what it carries.
    #[must_use]
    pub fn new(
        id: MoveId,
        with: ParticipantId,
        direction: Direction,
        name: String,
        state: MoveState,
        now: u64,
    ) -> Self {
        MoveInfo {
            id,
            with,
            direction,
            name,
            state,
            started_ms: now,
            files: 0,
            bytes: 0,
            done: 0,
            bytes_per_s: 0,
            saved: 0,
            failed: 0,
            first_failure: None,
            saved_as: None,
        }
    }

    /// Bytes a second at `now`: as measured, or else the average since it started moving.
    #[must_use]
    pub fn rate(&self, now: u64) -> u64 {
        if self.bytes_per_s > 0 || self.state != MoveState::Moving {
            return self.bytes_per_s;
        }
        let ms = now.saturating_sub(self.started_ms).max(500);
        self.done.saturating_mul(1000) / ms
    }

    /// Checks the bounds of a row from the network: a name a file may have, no more files than
    /// a move holds, counts that add up.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        let most_bytes = MAX_FILE_BYTES.saturating_mul(MAX_MOVE_FILES as u64);
        !self.name.is_empty()
            && self.name.len() <= MAX_FILE_NAME_BYTES
            && !self.name.chars().any(char::is_control)
            && self.files <= MAX_MOVE_FILES
            && self.saved.saturating_add(self.failed) <= self.files
            && self.bytes <= most_bytes
            && self.done <= self.bytes
            && match self.state {
                MoveState::Preparing { done, total } => done <= total && total <= most_bytes,
                _ => true,
            }
    }
}
