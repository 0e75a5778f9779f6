//! The customer's consent, as the agent keeps and enforces it.
//!
//! Nothing is granted until the customer answers Allow to a request naming the capability; a
//! request not answered within [`Consent::TIMEOUT_MS`] is denied; every grant can be stopped at
//! any moment and the stop takes effect here, whatever the network does. Every change is logged.
//!
//! Controlling the desktop is asked once for both: the customer who allows control allows the CSR
//! to see the screen too (a CSR cannot use a mouse they cannot see), and stopping the view stops
//! control with it.

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
    /// The CSR ended it: they no longer needed it.
    Released,
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
    /// The application window the customer chose to share (while one-application viewing is
    /// granted): the platform's window number.
    app_window: Option<u64>,
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

    /// The window shared by "view one application", while that is granted.
    #[must_use]
    pub fn app_window(&self) -> Option<u64> {
        self.app_window.filter(|_| self.grants.view_app)
    }

    /// How many messages for the host wait to be sent.
    #[must_use]
    pub fn unsent(&self) -> usize {
        self.outputs.len()
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
        // Controlling one window needs that window shared first: the customer chose it there.
        let needs_window = capability == Capability::ControlApp && !self.grants.view_app;
        if needs_window || self.pending.len() >= MAX_PENDING || self.pending.iter().any(|p| p.capability == capability)
        {
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

    /// The customer answers request `request`. Unknown requests are ignored, and so is Allow for
    /// "view one application" (it needs the window: [`Consent::allow_window`]).
    pub fn answer(&mut self, now: UnixMs, request: RequestId, allowed: bool) {
        let Some(i) = self.pending.iter().position(|p| p.request == request) else {
            return;
        };
        if allowed && self.pending.get(i).is_some_and(|p| p.capability == Capability::ViewApp) {
            return;
        }
        self.settle(now, i, allowed);
    }

    /// The customer allows "view one application" request `request` for the window `window`
    /// they chose. Ignored for any other request.
    pub fn allow_window(&mut self, now: UnixMs, request: RequestId, window: u64) {
        let Some(i) = self.pending.iter().position(|p| p.request == request && p.capability == Capability::ViewApp)
        else {
            return;
        };
        self.app_window = Some(window);
        self.settle(now, i, true);
    }

    fn settle(&mut self, now: UnixMs, i: usize, allowed: bool) {
        let Some(p) = self.pending.remove(i) else {
            return;
        };
        let request = p.request;
        let change = if allowed { ConsentChange::Granted } else { ConsentChange::Denied };
        self.record(now, p.capability, change, &p.from_name);
        self.outputs.push_back(ToHost::ConsentAnswer { request, allowed });
        if allowed {
            self.grants.set(p.capability, true);
            if let Some(with) = p.capability.comes_with().filter(|c| !self.grants.has(*c)) {
                self.grants.set(with, true);
                self.record(now, with, ConsentChange::Granted, &p.from_name);
            }
            self.granted_to = p.from_name;
            self.outputs.push_back(ToHost::Grants(self.grants));
        }
    }

    /// The customer stops `cap`. Takes effect at once. Stopping a view stops controlling what it
    /// showed too.
    pub fn stop(&mut self, now: UnixMs, cap: Capability) {
        self.end_grant(now, cap, ConsentChange::Stopped);
    }

    /// The CSR `by` no longer needs `cap`: it ends as if the customer had stopped it, logged as
    /// theirs. Whether `true`: it was granted.
    pub fn release(&mut self, now: UnixMs, cap: Capability, by: &str) -> bool {
        if !self.grants.has(cap) {
            return false;
        }
        by.clone_into(&mut self.granted_to);
        self.end_grant(now, cap, ConsentChange::Released);
        true
    }

    fn end_grant(&mut self, now: UnixMs, cap: Capability, change: ConsentChange) {
        if let Some(with) = cap.ends_with().filter(|c| self.grants.has(*c)) {
            self.end_grant(now, with, change);
        }
        if self.grants.has(cap) {
            self.grants.set(cap, false);
            if cap == Capability::ViewApp {
                self.app_window = None;
            }
            let name = self.granted_to.clone();
            self.record(now, cap, change, &name);
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
        self.app_window = None;
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
                ToHost::Grants(Grants { view: true, ..Grants::default() })
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
    fn one_application_needs_a_chosen_window() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::ViewApp, "Sam");
        // Allow without a window does nothing: the customer must choose one.
        c.answer(1, 1, true);
        assert!(!c.allows(Capability::ViewApp));
        assert!(c.pending().is_some());
        c.allow_window(2, 1, 0x40_0001);
        assert!(c.allows(Capability::ViewApp));
        assert!(!c.allows(Capability::View), "one window is not the whole screen");
        assert_eq!(c.app_window(), Some(0x40_0001));
        assert_eq!(
            drain(&mut c),
            vec![
                ToHost::ConsentAnswer { request: 1, allowed: true },
                ToHost::Grants(Grants { view_app: true, ..Grants::default() })
            ]
        );
    }

    #[test]
    fn controlling_one_application_needs_it_shared_and_stops_with_it() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::ControlApp, "Sam");
        assert!(c.pending().is_none());
        assert_eq!(drain(&mut c), vec![ToHost::ConsentAnswer { request: 1, allowed: false }]);
        c.handle_request(0, 2, Capability::ViewApp, "Sam");
        c.allow_window(1, 2, 7);
        c.handle_request(2, 3, Capability::ControlApp, "Sam");
        c.answer(3, 3, true);
        assert!(c.allows(Capability::ControlApp));
        drain(&mut c);
        c.stop(4, Capability::ViewApp);
        assert!(!c.allows(Capability::ControlApp) && !c.allows(Capability::ViewApp));
        assert_eq!(c.app_window(), None);
        assert_eq!(drain(&mut c).last(), Some(&ToHost::Grants(Grants::default())));
        let stopped: Vec<Capability> =
            c.log().iter().filter(|e| e.change == ConsentChange::Stopped).map(|e| e.capability).collect();
        assert_eq!(stopped, vec![Capability::ControlApp, Capability::ViewApp]);
    }

    #[test]
    fn allow_window_answers_only_application_requests() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::View, "Sam");
        c.allow_window(1, 1, 7);
        assert!(!c.allows(Capability::View) && c.pending().is_some());
        assert_eq!(c.app_window(), None);
    }

    #[test]
    fn control_is_asked_once_for_seeing_and_controlling() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::Control, "Sam");
        c.answer(1, 1, true);
        assert!(c.allows(Capability::Control) && c.allows(Capability::View));
        assert_eq!(
            drain(&mut c),
            vec![
                ToHost::ConsentAnswer { request: 1, allowed: true },
                ToHost::Grants(Grants { view: true, control: true, ..Grants::default() })
            ]
        );
        let granted: Vec<Capability> =
            c.log().iter().filter(|e| e.change == ConsentChange::Granted).map(|e| e.capability).collect();
        assert_eq!(granted, vec![Capability::Control, Capability::View]);
        // Stopping the view stops control with it; stopping control leaves the view.
        c.stop(2, Capability::View);
        assert_eq!(c.grants(), Grants::default());
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::Control, "Sam");
        c.answer(1, 1, true);
        c.stop(2, Capability::Control);
        assert_eq!(c.grants(), Grants { view: true, ..Grants::default() });
    }

    #[test]
    fn a_released_grant_is_logged_as_the_csrs() {
        let mut c = Consent::default();
        c.handle_request(0, 1, Capability::Control, "Sam");
        c.answer(1, 1, true);
        drain(&mut c);
        assert!(c.release(2, Capability::Control, "Ana"));
        assert!(!c.release(3, Capability::Control, "Ana"), "only what is granted ends");
        assert_eq!(c.grants(), Grants { view: true, ..Grants::default() });
        let last = c.log().last().unwrap();
        assert_eq!(
            (last.capability, last.change, last.csr_name.as_str()),
            (Capability::Control, ConsentChange::Released, "Ana")
        );
        assert_eq!(drain(&mut c), vec![ToHost::Grants(Grants { view: true, ..Grants::default() })]);
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
