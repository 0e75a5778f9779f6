//! The console's one way to its session, whichever console hosts it: this console's own hub
//! ([`HostHandle`]), or the link to a colleague's ([`CsrLink`]). Both take the same
//! [`HostCommand`]s and give the same [`HostEvent`]s, so the session screen is one.

use std::sync::{Arc, Mutex};

use deskside_i18n::t;
use deskside_net::host::{HostCommand, HostError, HostEvent, HostHandle, SharedScreen};
use deskside_net::moves::MoveInfo;
use deskside_net::{CommandError, CsrLink};
use deskside_proto::{HandOverState, Invite, InviteRole, ParticipantId};

/// Where this console's session is.
pub enum SessionLink {
    /// This console hosts it.
    Host(Box<HostHandle>),
    /// A colleague's console hosts it; this CSR joined with a support-representative invite.
    Colleague(Box<CsrLink>),
}

impl SessionLink {
    /// This CSR's number in the session.
    #[must_use]
    pub fn me(&self) -> ParticipantId {
        match self {
            SessionLink::Host(_) => deskside_session::host::HOST_CSR,
            SessionLink::Colleague(link) => link.me(),
        }
    }

    /// Whether this console hosts the session.
    #[must_use]
    pub fn hosts(&self) -> bool {
        matches!(self, SessionLink::Host(_))
    }

    /// Sends `cmd` without waiting; why not, in the CSR's words.
    pub fn send(&self, cmd: HostCommand) -> Result<(), String> {
        match self {
            SessionLink::Host(host) => host.send(cmd).map_err(|e| host_error_words(&e)),
            SessionLink::Colleague(link) => link.command(cmd).map_err(|e| match e {
                CommandError::Refused(rule) => deskside_i18n::words::rule(rule),
                CommandError::Stuck => t!("joined-send-failed"),
            }),
        }
    }

    /// A new invite for `role`: made here at once when this console hosts; asked of the host
    /// otherwise (it arrives as [`HostEvent::InviteMade`]).
    pub fn invite(&self, role: InviteRole, ttl_ms: u64) -> Result<Option<Invite>, String> {
        match self {
            SessionLink::Host(host) => host.invite(role, ttl_ms).map(Some).map_err(|e| host_error_words(&e)),
            SessionLink::Colleague(link) => link.ask_invite(role).map(|()| None).map_err(|_| t!("joined-send-failed")),
        }
    }

    /// The next thing the session said, if one is waiting.
    pub fn try_event(&mut self) -> Option<HostEvent> {
        match self {
            SessionLink::Host(host) => host.try_event(),
            SessionLink::Colleague(link) => link.try_host_event(),
        }
    }

    /// The shared screen as this console decodes it.
    #[must_use]
    pub fn screen(&self) -> Arc<Mutex<SharedScreen>> {
        match self {
            SessionLink::Host(host) => host.screen().clone(),
            SessionLink::Colleague(link) => link.screen().clone(),
        }
    }

    /// The moves of the session's advanced file transfer: all of them when this console hosts, the
    /// ones this CSR asked for when a colleague's console does.
    #[must_use]
    pub fn moves(&self) -> Vec<MoveInfo> {
        match self {
            SessionLink::Host(host) => host.moves(),
            SessionLink::Colleague(link) => link.moves(),
        }
    }

    /// The session, once the colleague who hosts it handed it to this console.
    #[must_use]
    pub fn take_hand_over(&self) -> Option<HandOverState> {
        match self {
            SessionLink::Host(_) => None,
            SessionLink::Colleague(link) => link.take_hand_over(),
        }
    }

    /// Closes this console's part at once.
    pub fn shutdown(&self) {
        match self {
            SessionLink::Host(host) => host.shutdown(),
            SessionLink::Colleague(link) => {
                let _ = link.send(deskside_proto::ToHost::Leave);
            }
        }
    }
}

/// Why the hub could not start or take a command, in the CSR's words (with the system's own
/// words where it gave some).
pub(crate) fn host_error_words(e: &HostError) -> String {
    match e {
        HostError::Busy => t!("host-busy"),
        HostError::Stopped => t!("host-stopped"),
        HostError::Bind { addr, taken: true, .. } => t!("host-port-taken", port = addr.port()),
        HostError::Bind { addr, why, .. } => t!("host-cannot-listen", port = addr.port(), why = why.clone()),
        HostError::Random(why) => t!("host-no-random", why = why.to_string()),
    }
}
