//! What a console sends the colleague it hands its session to: the session, every seat with its
//! grants and ticket, the chat, the notes.

use serde::{Deserialize, Serialize};

use crate::ChatLine;
use crate::msg::{ParticipantId, Role};
use crate::{AppKind, Grants, MAX_CHAT_KEPT_BYTES, MAX_CHAT_LINES, MAX_NOTES_BYTES, MAX_PARTICIPANTS, SessionId};
use crate::{is_valid_label, is_valid_name};

/// One seat of a session handed over to another console: who, in which role, what they allowed,
/// and the ticket that gives them the seat at the new host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SeatState {
    /// Their number (kept, except that the new host's CSR becomes 0 and the old one takes theirs).
    pub id: ParticipantId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// What they allowed.
    pub grants: Grants,
    /// Whether they are still in the session.
    pub present: bool,
    /// Which application they use.
    pub app: AppKind,
    /// The resumption ticket for the new host (zeros for the new host's own CSR).
    pub ticket: [u8; 16],
}

/// Everything a session needs to go on at another console: sent by the host that leaves to the
/// CSR in control, on its own stream ([`crate::UniHeader::HandOver`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct HandOverState {
    /// The session.
    pub session: SessionId,
    /// Its organisation, type and tracking code.
    pub organisation: String,
    /// Its type.
    pub session_type: String,
    /// Its tracking code.
    pub tracking_code: String,
    /// When it started, in milliseconds since the Unix epoch.
    pub started_ms: u64,
    /// Everyone, numbered for the new host.
    pub seats: Vec<SeatState>,
    /// The whole chat, numbered for the new host.
    pub chat: Vec<ChatLine>,
    /// The notes taken so far.
    pub notes: String,
    /// The next participant number.
    pub next_id: ParticipantId,
}

/// Largest hand-over, in bytes.
pub const MAX_HAND_OVER_BYTES: usize = 32 * 1024 * 1024;

impl HandOverState {
    /// Checks the bounds and that the seats make one coherent session: unique numbers, exactly
    /// one seat 0 that is the CSR in control on a console and no other in control, at most one
    /// primary customer present, every role matching its app, a distinct non-zero ticket for every
    /// other present seat, a next number above them all, and chat from seats that exist.
    /// A hand-over that fails is refused.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        let ids: std::collections::BTreeSet<ParticipantId> = self.seats.iter().map(|s| s.id).collect();
        let held: Vec<[u8; 16]> =
            self.seats.iter().filter(|s| s.id != ParticipantId(0) && s.present).map(|s| s.ticket).collect();
        let tickets: std::collections::BTreeSet<[u8; 16]> = held.iter().copied().collect();
        let seat0 = self.seats.iter().find(|s| s.id == ParticipantId(0));
        self.seats.len() <= MAX_PARTICIPANTS
            && ids.len() == self.seats.len()
            && self.seats.iter().all(|s| is_valid_name(&s.name) && s.role.is_csr() == (s.app == AppKind::Console))
            && seat0.is_some_and(|s| s.role == Role::CsrInControl && s.present)
            && self.seats.iter().filter(|s| s.role == Role::CsrInControl).count() == 1
            && self.seats.iter().filter(|s| s.present && s.role == Role::PrimaryCustomer).count() <= 1
            && !held.contains(&[0; 16])
            && tickets.len() == held.len()
            && ids.last().is_none_or(|max| self.next_id > *max)
            && self.chat.len() <= MAX_CHAT_LINES
            && self.chat.iter().all(|c| c.is_valid() && ids.contains(&c.from))
            && self.chat.iter().map(ChatLine::weight).sum::<usize>() <= MAX_CHAT_KEPT_BYTES
            && self.notes.len() <= MAX_NOTES_BYTES
            && is_valid_label(&self.organisation)
            && is_valid_label(&self.session_type)
            && is_valid_label(&self.tracking_code)
    }
}
