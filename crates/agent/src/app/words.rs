//! The words of the customer's window for what the engine and the record say (refusals, why the
//! session closed, what was shared).

use deskside_i18n::t;
use deskside_net::JoinError;
use deskside_proto::{InviteError, Refusal};
use deskside_session::clock;

use crate::engine::CloseReason;
use crate::shared_log::SharedRecord;

pub(super) fn shared_words(r: &SharedRecord) -> String {
    let what = crate::shared_log::capability_named(&r.capability)
        .map_or_else(|| r.capability.clone(), deskside_i18n::words::capability_yours);
    let who = if r.organisation.is_empty() { r.csr.clone() } else { format!("{} ({})", r.csr, r.organisation) };
    match r.change.as_str() {
        "granted" => t!("agent-shared-granted", who = who, what = what),
        "denied" => t!("agent-shared-denied", who = who, what = what),
        "timed-out" => t!("agent-shared-timed-out", who = who, what = what),
        "stopped" => t!("agent-shared-stopped", who = who, what = what),
        "released" => t!("agent-shared-released", who = who, what = what),
        _ => t!("agent-shared-ended", who = who, what = what),
    }
}

/// `2026-11-26 09:41` at `offset_s` from UTC.
pub(super) fn day_clock(ms: u64, offset_s: i32) -> String {
    let local = ms as i64 / 1000 + i64::from(offset_s);
    let days = local.div_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y}-{m:02}-{d:02} {}", clock(ms, offset_s))
}

/// What is wrong with an invite, in the customer's language.
#[must_use]
pub fn invite_error_words(e: &InviteError) -> String {
    match e {
        InviteError::Empty => t!("invite-error-empty"),
        InviteError::TooLong => t!("invite-error-too-long"),
        InviteError::BadCharacter(c) => t!("invite-error-character", character = c.to_string()),
        InviteError::Checksum => t!("invite-error-checksum"),
        InviteError::Invalid => t!("invite-error-invalid"),
    }
}

/// Why a typed code could not be looked up, in the customer's language.
#[must_use]
pub fn site_error_words(e: &deskside_net::site::SiteError, site: &str) -> String {
    use deskside_net::site::SiteError;
    match e {
        SiteError::UnknownCode => t!("agent-code-unknown"),
        SiteError::TooManyAttempts(s) => t!("agent-code-too-many", minutes = s.div_ceil(60)),
        SiteError::Unreachable(_) => t!("agent-code-unreachable", site = site.to_owned()),
        _ => t!("agent-code-bad-answer"),
    }
}

/// Why joining failed, in the customer's language.
#[must_use]
pub fn join_error_words(e: &JoinError) -> String {
    match e {
        JoinError::Expired => t!("join-error-expired"),
        JoinError::Unreachable => t!("join-error-unreachable"),
        JoinError::RelayRefused => t!("join-error-relay-refused"),
        JoinError::Blocked { host, tcp_port, udp_port } => {
            t!("join-error-blocked", host = host.clone(), tcp = *tcp_port, udp = *udp_port)
        }
        JoinError::IdentityMismatch => t!("join-error-identity"),
        JoinError::Refused(r) => refusal_words(*r),
        JoinError::Protocol(why) => t!("join-error-protocol", why = why.clone()),
    }
}

/// Why a session closed, in the customer's language.
#[must_use]
pub fn close_words(reason: &CloseReason) -> String {
    match reason {
        CloseReason::EndedBy(by) => t!("close-ended-by", csr = by.clone()),
        CloseReason::Refused(r) => refusal_words(*r),
        CloseReason::Lost => t!("close-lost"),
    }
}

/// A refusal, in the customer's language.
#[must_use]
pub fn refusal_words(r: Refusal) -> String {
    match r {
        Refusal::UnsupportedVersion => t!("refusal-version"),
        Refusal::InviteInvalid => t!("refusal-invite-invalid"),
        Refusal::InviteExpired => t!("refusal-invite-expired"),
        Refusal::InviteUsed => t!("refusal-invite-used"),
        Refusal::InviteRevoked => t!("refusal-invite-revoked"),
        Refusal::Malformed => t!("refusal-malformed"),
        Refusal::NotAllowed => t!("refusal-not-allowed"),
        Refusal::SessionEnded => t!("refusal-session-ended"),
        Refusal::Left => t!("refusal-left"),
        Refusal::SeatLost => t!("refusal-seat-lost"),
    }
}

/// What failed on this computer, in the customer's language (with the system's own words).
#[must_use]
pub fn local_problem_words(p: &crate::engine::LocalProblem) -> String {
    use crate::engine::LocalProblem;
    match p {
        LocalProblem::Capture(why) => t!("agent-problem-capture", why = why.clone()),
        LocalProblem::Inject(why) => t!("agent-problem-inject", why = why.clone()),
        LocalProblem::Encode(why) => t!("agent-problem-encode", why = why.clone()),
        LocalProblem::InventoryNotSent => t!("agent-problem-inventory"),
    }
}
