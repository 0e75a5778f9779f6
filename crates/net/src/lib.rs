//! Deskside's network layer: the QUIC endpoint and its identity, message framing on
//! streams, and the two drivers that connect streams to session logic.
//!
//! - [`identity`]: the host's secret key, made once and kept on disk; its public half is the
//!   endpoint id invites carry.
//! - [`transport`]: iroh endpoints (QUIC with hole punching and the team's relays only); the
//!   joining side connects to the endpoint id from the invite and to no other.
//! - [`framed`]: reading and writing length-prefixed messages with bounds checked first.
//! - [`host`]: the hub a console runs: admits participants, routes chat, relays input, and
//!   decodes the shared screen off the UI thread.
//! - [`guest`]: what a joining participant runs: dial, hello, and the stream plumbing.
//!
//! This crate decides nothing about the session: every rule lives in `deskside-session`.

pub mod colleague;
pub mod files;
pub mod framed;
pub mod guest;
pub mod host;
pub mod identity;
pub mod moves;
pub mod site;
pub mod transfer;
pub mod transport;

pub use colleague::{CommandError, CsrLink};
pub use guest::{GuestLink, JoinError};
pub use host::{HostCommand, HostEvent, HostHandle, SharedScreen, start_host};
pub use identity::Identity;

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, read from the system clock. The drivers pass this into the
/// sans-IO session logic, which never reads a clock itself.
#[must_use]
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Fills a new array with cryptographically secure random bytes.
pub fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(std::io::Error::other)?;
    Ok(out)
}
