//! Deskside's session logic, without IO.
//!
//! [`host::Session`] is the hub's state: participants and roles, invites, consent requests, chat
//! routing, and the leave and end rules. [`consent::Consent`] is the customer side's consent
//! state, which the agent enforces. Both follow the same shape: `handle_*`/action calls take the
//! current time (milliseconds since the Unix epoch) and an input; effects are drained with
//! `poll_*`. Neither reads a clock, opens a socket or spawns a thread.

pub mod consent;
pub mod host;

pub use consent::{Consent, ConsentLogEntry, PendingRequest};
pub use host::{InviteRecord, Output, Participant, RuleError, Session, SessionConfig, SessionEvent};

/// Milliseconds since the Unix epoch: the only notion of time this crate has.
pub type UnixMs = u64;
