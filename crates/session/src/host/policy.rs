//! The organisation's policy for this session: the certificate its site issued the console, and
//! the tools the session type allows. Without a site every tool is allowed (a lone technician);
//! with one, a tool outside the type is refused here, on the host, whoever asks for it, as the
//! customer's agent also refuses it on its side.

use deskside_proto::cert::{Certificate, Tool, Tools};
use deskside_proto::{Capability, ChatTarget, ParticipantId};

use super::{RuleError, Session};

/// The certificate shown to joining participants and the tools it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The organisation's certificate for this console, if its CSR is signed in to a site.
    pub certificate: Option<Certificate>,
    /// What the session type allows.
    pub tools: Tools,
}

impl Default for Policy {
    /// No site: no certificate, every tool.
    fn default() -> Policy {
        Policy { certificate: None, tools: Tools::ALL }
    }
}

impl Session {
    /// Sets the organisation's policy: shown to everyone who joins from now on (in the preview
    /// and the welcome), and held to by this host.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// The organisation's policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether the session type allows asking for `cap`.
    pub(super) fn ensure_capability_allowed(&self, cap: Capability) -> Result<(), RuleError> {
        if self.policy.tools.allows(cap) { Ok(()) } else { Err(RuleError::NotAllowedByOrganisation) }
    }

    /// Whether the session type allows `tool`.
    pub(super) fn ensure_tool_allowed(&self, tool: Tool) -> Result<(), RuleError> {
        if self.policy.tools.contains(tool) { Ok(()) } else { Err(RuleError::NotAllowedByOrganisation) }
    }

    /// Whether a chat line from `from` to `to` may be said: without the chat tool, the CSRs may
    /// still talk among themselves, but no customer writes or reads.
    pub(super) fn ensure_chat_allowed(&self, from: ParticipantId, to: ChatTarget) -> Result<(), RuleError> {
        if self.policy.tools.contains(Tool::Chat) {
            return Ok(());
        }
        let is_csr = |id: ParticipantId| self.participants.get(&id).is_some_and(|p| p.role.is_csr());
        let among_csrs = match to {
            ChatTarget::Everyone => false,
            ChatTarget::Csrs => true,
            ChatTarget::Participant(id) => is_csr(id),
        };
        if is_csr(from) && among_csrs { Ok(()) } else { Err(RuleError::NotAllowedByOrganisation) }
    }
}
