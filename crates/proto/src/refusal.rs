//! Why a connection is refused or closed: one code each, and the words for a person.

use serde::{Deserialize, Serialize};

/// Why the host refuses or ends a connection. Sent as the QUIC application close code, with the
/// [`std::fmt::Display`] text as the close reason, so the other side can tell the person why.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The peer speaks another protocol version.
    UnsupportedVersion,
    /// No live invite has this secret for this session.
    InviteInvalid,
    /// The invite's time ran out.
    InviteExpired,
    /// The invite was already used.
    InviteUsed,
    /// The invite was revoked by the CSR.
    InviteRevoked,
    /// The peer sent bytes that are not a valid message, or a message too large.
    Malformed,
    /// The peer broke a session rule.
    NotAllowed,
    /// The session has ended.
    SessionEnded,
    /// The participant left.
    Left,
    /// The seat a resumption ticket held was given up: away too long, or unknown.
    SeatLost,
}

impl Refusal {
    pub(crate) const ALL: [Refusal; 10] = [
        Refusal::UnsupportedVersion,
        Refusal::InviteInvalid,
        Refusal::InviteExpired,
        Refusal::InviteUsed,
        Refusal::InviteRevoked,
        Refusal::Malformed,
        Refusal::NotAllowed,
        Refusal::SessionEnded,
        Refusal::Left,
        Refusal::SeatLost,
    ];

    /// The QUIC application close code for this refusal.
    #[must_use]
    pub fn code(self) -> u32 {
        Self::ALL.iter().position(|r| *r == self).map_or(0, |i| i as u32 + 1)
    }

    /// The refusal a close code stands for, if any.
    #[must_use]
    pub fn from_code(code: u64) -> Option<Refusal> {
        let i = usize::try_from(code).ok()?.checked_sub(1)?;
        Self::ALL.get(i).copied()
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::UnsupportedVersion => {
                "This version of Deskside cannot talk to the other side's version. Please update both apps."
            }
            Refusal::InviteInvalid => "This invite is not valid for this session.",
            Refusal::InviteExpired => "This invite has expired. Ask your support representative for a new one.",
            Refusal::InviteUsed => "This invite has already been used. Ask your support representative for a new one.",
            Refusal::InviteRevoked => "This invite was withdrawn by the support representative.",
            Refusal::Malformed => "The other side sent data Deskside does not understand; the connection was closed.",
            Refusal::NotAllowed => "That action is not allowed in this session.",
            Refusal::SessionEnded => "The session has ended.",
            Refusal::Left => "You left the session.",
            Refusal::SeatLost => {
                "The connection was lost for too long to come back to the session. Ask your support representative for a new invite."
            }
        })
    }
}
