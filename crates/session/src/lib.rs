//! Deskside's session logic, without IO.
//!
//! [`host::Session`] is the hub's state: participants and roles, invites, consent requests, chat
//! routing, and the leave and end rules. [`guest::Guest`] is the customer's side: their consent
//! ([`consent::Consent`]), which the agent enforces, who is in control, the ticket and the host
//! the session is at, why it closed. Both follow the same shape: `handle_*`/action calls take the
//! current time (milliseconds since the Unix epoch) and an input; effects are drained with
//! `poll_*`. Neither reads a clock, opens a socket or spawns a thread.

pub mod consent;
pub mod flight;
pub mod guest;
pub mod host;
pub mod pair;
pub mod reduced;

pub use consent::{Consent, ConsentLogEntry, PendingRequest};
pub use guest::{CloseReason, Guest, Sharing};
pub use host::{InviteRecord, Output, Participant, Policy, RuleError, Session, SessionConfig, SessionEvent};

/// Milliseconds since the Unix epoch: the only notion of time this crate has.
pub type UnixMs = u64;

/// `HH:MM` of `unix_ms`, shifted by `offset_s` seconds from UTC (the local offset, which the
/// apps read once from the system).
#[must_use]
pub fn clock(unix_ms: UnixMs, offset_s: i32) -> String {
    let secs = (unix_ms / 1000) as i64 + i64::from(offset_s);
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}", day / 3600, (day % 3600) / 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_shows_local_hours_and_minutes() {
        assert_eq!(super::clock(1_795_615_500_000, 0), "14:05");
        assert_eq!(super::clock(1_795_615_500_000, 3600), "15:05");
        assert_eq!(super::clock(1_795_615_500_000, -15 * 3600), "23:05");
    }
}
