//! The moves the CSR asks the customer about (browse and move files): at most [`MAX_ASKS`] wait
//! for an answer, each answered once by the customer, refused for them when they stop browsing
//! and moving files or when too many wait, and gone when the CSR cancels it. The driver checks
//! the customer's disk before a move is put to them, and carries out an answered one.

use deskside_proto::{FileProblem, MoveId, MoveSummary, OnConflict, ToGuest, ToHost};

use super::{Event, Guest, Task};

/// Most moves waiting for the customer's answer; more are refused at once.
pub const MAX_ASKS: usize = 16;

/// A move the CSR asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Put the CSR's file or folder into the customer's folder.
    Push {
        /// What it carries.
        summary: MoveSummary,
        /// The customer's folder.
        folder: String,
        /// What happens if its name is taken there.
        on_conflict: OnConflict,
    },
    /// Copy the customer's file or folder to the CSR.
    Pull {
        /// What it carries.
        summary: MoveSummary,
        /// Where it is.
        path: String,
    },
}

/// A move waiting for the customer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveAsk {
    /// The move's number.
    pub id: MoveId,
    /// The CSR asking.
    pub from_name: String,
    /// What is asked.
    pub ask: Ask,
}

impl MoveAsk {
    /// The answer that refuses it, saying `why` (`None`: the customer refused it).
    fn refusal(&self, why: Option<FileProblem>) -> ToHost {
        match self.ask {
            Ask::Push { .. } => ToHost::PushAnswer { push: self.id, allowed: false, reason: why },
            Ask::Pull { .. } => ToHost::PullRefused { pull: self.id, reason: why.unwrap_or(FileProblem::Refused) },
        }
    }
}

impl Guest {
    /// The moves waiting for the customer's answer, oldest first.
    pub fn move_asks(&self) -> impl Iterator<Item = &MoveAsk> {
        self.asks.iter()
    }

    /// The driver checked move `ask` on this machine: it is put to the customer (refused at
    /// once when they no longer allow browsing and moving files, or too many wait).
    pub(super) fn ask_move(&mut self, ask: MoveAsk) {
        let refused = if !self.files_allowed() {
            Some(FileProblem::NotAllowed)
        } else if self.asks.len() >= MAX_ASKS {
            Some(FileProblem::Busy)
        } else {
            None
        };
        if let Some(why) = refused {
            self.say(ask.refusal(Some(why)));
        } else {
            self.asks.push_back(ask);
            self.events.push_back(Event::FilesChanged);
        }
    }

    /// The customer answered move `id`: refused, the host hears it; either way the driver
    /// records it and, allowed, carries it out ([`Task::MoveAnswered`]).
    pub(super) fn answer_move(&mut self, id: MoveId, allowed: bool) {
        let Some(i) = self.asks.iter().position(|a| a.id == id) else { return };
        let Some(ask) = self.asks.remove(i) else { return };
        // Allowed, but no longer possible: the host hears why, not "refused".
        let blocked = if self.files_allowed() {
            None
        } else if self.grants().files {
            Some(FileProblem::AppSharing)
        } else {
            Some(FileProblem::NotAllowed)
        };
        let allowed = allowed && blocked.is_none();
        if !allowed {
            self.say(ask.refusal(blocked));
        }
        self.tasks.push_back(Task::MoveAnswered { ask, allowed });
        self.events.push_back(Event::FilesChanged);
    }

    /// The CSR called move `id` off: the question goes unanswered.
    pub(super) fn move_called_off(&mut self, msg: &ToGuest) {
        if let ToGuest::MoveCancelled { id } = msg
            && let Some(i) = self.asks.iter().position(|a| a.id == *id)
        {
            self.asks.remove(i);
            self.events.push_back(Event::FilesChanged);
        }
    }

    /// Browsing and moving files ended: every move stops, and every question waiting is refused.
    pub(super) fn stop_moves(&mut self) {
        for ask in std::mem::take(&mut self.asks) {
            self.say(ask.refusal(Some(FileProblem::Stopped)));
        }
        self.tasks.push_back(Task::StopMoves);
        self.events.push_back(Event::FilesChanged);
    }

    fn say(&mut self, msg: ToHost) {
        if self.is_up() {
            self.outputs.push_back(msg);
        }
    }
}
