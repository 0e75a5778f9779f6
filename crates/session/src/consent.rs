//! The customer's consent, as the agent keeps and enforces it.
//!
//! Nothing is granted until the customer answers Allow to a request naming the capability; a
//! request not answered within [`Consent::TIMEOUT_MS`] is denied; every grant can be stopped at
//! any moment and the stop takes effect here, whatever the network does. Every change is logged.

use std::collections::VecDeque;

use deskside_proto::{Capability, Grants, RequestId, ToHost};

use crate::UnixMs;

/// A request waiting for the customer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRequest {
    /// The request's number.
    pub request: RequestId,
    /// What is asked.
    pub capability: Capability,
    /// Who asks.
    pub from_name: String,
    /// When it is denied if unanswered.
    pub deadline_ms: UnixMs,
}

/// One line of the local consent log ("What was shared").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentLogEntry {
    /// When.
    pub at_ms: UnixMs,
    /// Which capability.
    pub capability: Capability,
    /// What happened.
    pub change: ConsentChange,
    /// The CSR concerned.
    pub csr_name: String,
}

/// What happened to a capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentChange {
    /// The customer allowed it.
    Granted,
    /// The customer said no.
    Denied,
    /// Nobody answered in time.
    TimedOut,
    /// The customer stopped it.
    Stopped,
    /// The session ended or the customer left while it was granted.
    Ended,
}

/// Most requests waiting at once; more are denied straight away.
const MAX_PENDING: usize = 8;

/// The agent's consent state.
#[derive(Debug, Default)]
pub struct Consent {
    grants: Grants,
    granted_to: String,
    pending: VecDeque<PendingRequest>,
    log: Vec<ConsentLogEntry>,
    outputs: VecDeque<ToHost>,
    /// How long requests wait (`None`: [`Consent::TIMEOUT_MS`]).
    timeout_ms: Option<UnixMs>,
}

impl Consent {
    /// How long a request waits for an answer before it is denied: two minutes.
    pub const TIMEOUT_MS: UnixMs = 120_000;

    /// Makes requests wait `ms` instead of two minutes (tests of the time-out over a real
    /// connection use a short one).
    pub fn set_timeout(&mut self, ms: UnixMs) {
        self.timeout_ms = Some(ms);
    }

    /// What is granted right now.
    #[must_use]
    pub fn grants(&self) -> Grants {
        self.grants
    }

    /// Whether `cap` is granted right now.
    #[must_use]
    pub fn allows(&self, cap: Capability) -> bool {
        self.grants.has(cap)
    }

    /// The request the customer should answer first, if any.
    #[must_use]
    pub fn pending(&self) -> Option<&PendingRequest> {
        self.pending.front()
    }

    /// Everything granted, refused and stopped so far, oldest first.
    #[must_use]
    pub fn log(&self) -> &[ConsentLogEntry] {
        &self.log
    }

    /// A CSR asks for `capability`. An already granted capability is confirmed at once.
    pub fn handle_request(&mut self, now: UnixMs, request: RequestId, capability: Capability, from_name: &str) {
        if self.grants.has(capability) {
            self.outputs.push_back(ToHost::ConsentAnswer { request, allowed: true });
            return;
        }
        if self.pending.len() >= MAX_PENDING || self.pending.iter().any(|p| p.capability == capability) {
            self.outputs.push_back(ToHost::ConsentAnswer { request, allowed: false });
            return;
        }
        self.pending.push_back(PendingRequest {
            request,
            capability,
            from_name: from_name.to_owned(),
            deadline_ms: now.saturating_add(self.timeout_ms.unwrap_or(Self::TIMEOUT_MS)),
        });
    }

    /// The customer answers request `request`. Unknown requests are ignored.
    pub fn answer(&mut self, now: UnixMs, request: RequestId, allowed: bool) {
        let Some(i) = self.pending.iter().position(|p| p.request == request) else {
            return;
        };
        let Some(p) = self.pending.remove(i) else {
            return;
        };
        let change = if allowed { ConsentChange::Granted } else { ConsentChange::Denied };
        self.record(now, p.capability, change, &p.from_name);
        self.outputs.push_back(ToHost::ConsentAnswer { request, allowed });
        if allowed {
            self.grants.set(p.capability, true);
            self.granted_to = p.from_name;
            self.outputs.push_back(ToHost::Grants(self.grants));
        }
    }

    /// The customer stops `cap`. Takes effect at once.
    pub fn stop(&mut self, now: UnixMs, cap: Capability) {
        if self.grants.has(cap) {
            self.grants.set(cap, false);
            let name = self.granted_to.clone();
            self.record(now, cap, ConsentChange::Stopped, &name);
            self.outputs.push_back(ToHost::Grants(self.grants));
        }
    }

    /// Everything stops because the session is over; nothing is sent.
    pub fn end(&mut self, now: UnixMs) {
        let name = self.granted_to.clone();
        for cap in Capability::ALL {
            if self.grants.has(cap) {
                self.record(now, cap, ConsentChange::Ended, &name);
            }
        }
        self.grants = Grants::default();
        self.pending.clear();
        self.outputs.clear();
    }

    /// Denies every request whose time is up.
    pub fn handle_timeout(&mut self, now: UnixMs) {
        while let Some(i) = self.pending.iter().position(|p| now >= p.deadline_ms) {
            let Some(p) = self.pending.remove(i) else {
                break;
            };
            self.record(now, p.capability, ConsentChange::TimedOut, &p.from_name);
            self.outputs.push_back(ToHost::ConsentAnswer { request: p.request, allowed: false });
        }
    }

    /// The earliest deadline of a pending request, for the caller's timer.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<UnixMs> {
        self.pending.iter().map(|p| p.deadline_ms).min()
    }

    /// The next message to send to the host.
    pub fn poll_output(&mut self) -> Option<ToHost> {
        self.outputs.pop_front()
    }

    fn record(&mut self, at_ms: UnixMs, capability: Capability, change: ConsentChange, csr_name: &str) {
        self.log.push(ConsentLogEntry { at_ms, capability, change, csr_name: csr_name.to_owned() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(c: &mut Consent) -> Vec<ToHost> {
        std::iter::from_fn(|| c.poll_output()).collect()
    }

    #[test]
    fn nothing_is_granted_before_an_answer() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        assert!(!c.allows(Capability::View));
        assert_eq!(c.pending().unwrap().capability, Capability::View);
        assert!(drain(&mut c).is_empty());
    }

    #[test]
    fn allow_grants_and_reports() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        c.answer(10, 1, true);
        assert!(c.allows(Capability::View));
        assert!(!c.allows(Capability::Control));
        assert_eq!(
            drain(&mut c),
            vec![
                ToHost::ConsentAnswer { request: 1, allowed: true },
                ToHost::Grants(Grants { view: true, control: false, system_info: false })
            ]
        );
        assert_eq!(c.log()[0].change, ConsentChange::Granted);
    }

    #[test]
    fn deny_grants_nothing() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::Control, "Sam");
        c.answer(10, 1, false);
        assert!(!c.allows(Capability::Control));
        assert_eq!(drain(&mut c), vec![ToHost::ConsentAnswer { request: 1, allowed: false }]);
    }

    #[test]
    fn unanswered_request_is_denied_after_two_minutes() {
        let mut c = Consent::default();
        c.handle_request(1_000, 4, Capability::View, "Sam");
        assert_eq!(c.poll_timeout(), Some(121_000));
        c.handle_timeout(120_999);
        assert!(c.pending().is_some());
        c.handle_timeout(121_000);
        assert!(c.pending().is_none());
        assert!(!c.allows(Capability::View));
        assert_eq!(drain(&mut c), vec![ToHost::ConsentAnswer { request: 4, allowed: false }]);
        assert_eq!(c.log()[0].change, ConsentChange::TimedOut);
        // A late answer changes nothing.
        c.answer(130_000, 4, true);
        assert!(!c.allows(Capability::View));
    }

    #[test]
    fn stop_revokes_at_once() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        c.answer(1, 1, true);
        drain(&mut c);
        c.stop(2, Capability::View);
        assert!(!c.allows(Capability::View));
        assert_eq!(drain(&mut c), vec![ToHost::Grants(Grants::default())]);
        assert_eq!(c.log().last().unwrap().change, ConsentChange::Stopped);
    }

    #[test]
    fn duplicate_and_excess_requests_are_denied() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        c.handle_request(0, 2, Capability::View, "Sam");
        assert_eq!(drain(&mut c), vec![ToHost::ConsentAnswer { request: 2, allowed: false }]);
    }

    #[test]
    fn granted_capability_is_confirmed_without_asking() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        c.answer(1, 1, true);
        drain(&mut c);
        c.handle_request(2, 2, Capability::View, "Sam");
        assert!(c.pending().is_none());
        assert_eq!(drain(&mut c), vec![ToHost::ConsentAnswer { request: 2, allowed: true }]);
    }

    #[test]
    fn end_clears_everything() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        c.answer(1, 1, true);
        c.handle_request(2, 2, Capability::Control, "Sam");
        c.end(3);
        assert_eq!(c.grants(), Grants::default());
        assert!(c.pending().is_none());
        assert!(drain(&mut c).is_empty());
        assert_eq!(c.log().last().unwrap().change, ConsentChange::Ended);
    }
}
