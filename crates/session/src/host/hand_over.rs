//! Host hand-over: when the CSR whose console hosts the session leaves after handing control to
//! another CSR, the session goes on at that CSR's console. This side makes the state to send
//! (every seat with a fresh ticket, the whole chat, the notes) and, at the new host, the session
//! that continues from it: its own CSR is participant 0 (numbers swapped with the old host's
//! CSR, who has left), and every other seat is held for its participant to come back with the
//! ticket, with the grants they had.

use deskside_proto::{AppKind, ChatLine, ChatTarget, HandOverState, ParticipantId, Role, SeatState, ToGuest};

use super::{HOST_CSR, Output, Participant, RuleError, Session, SessionConfig, SessionEvent};
use crate::UnixMs;

impl Session {
    /// The CSR in control `to` (not this console's CSR) takes the session over: the state to send
    /// them, with a fresh ticket for each seat from `ticket` (the driver's secure random source;
    /// `None` when it failed, and then nothing is handed over). Only this console's CSR may hand
    /// the session over, and only after handing control to `to`; from then on this host takes
    /// [`ToHost::HostReady`](deskside_proto::ToHost::HostReady) from `to` alone.
    pub fn hand_over(
        &mut self,
        to: ParticipantId,
        notes: &str,
        mut ticket: impl FnMut() -> Option<[u8; 16]>,
    ) -> Result<HandOverState, RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        let target = self.participants.get(&to).filter(|p| p.present() && p.away_ms.is_none());
        if !target.is_some_and(|p| p.role == Role::CsrInControl) || to == HOST_CSR {
            return Err(RuleError::NotACsr);
        }
        // The two numbers swap: the new host's CSR is its participant 0.
        let swap = |id: ParticipantId| match id {
            HOST_CSR => to,
            x if x == to => HOST_CSR,
            x => x,
        };
        // Every ticket first: a failing random source hands nothing over and changes nothing.
        let mut tickets = std::collections::BTreeMap::new();
        for p in self.participants.values().filter(|p| p.id != to && p.id != HOST_CSR && p.present()) {
            tickets.insert(p.id, ticket().filter(|t| *t != [0; 16]).ok_or(RuleError::NoRandom)?);
        }
        let mut seats = Vec::new();
        for p in self.participants.values_mut() {
            let t = tickets.get(&p.id).copied().unwrap_or([0; 16]);
            p.ticket = tickets.get(&p.id).copied();
            seats.push(SeatState {
                id: swap(p.id),
                name: p.name.clone(),
                role: p.role,
                grants: p.grants,
                // The leaving host's CSR leaves.
                present: p.present() && p.id != HOST_CSR,
                app: p.app,
                ticket: t,
            });
        }
        let chat = self
            .chat
            .iter()
            .map(|l| ChatLine {
                from: swap(l.from),
                to: match l.to {
                    ChatTarget::Participant(p) => ChatTarget::Participant(swap(p)),
                    other => other,
                },
                ..l.clone()
            })
            .collect();
        let started_ms = self.started_ms;
        self.handing_to = Some(to);
        Ok(HandOverState {
            session: self.config.id,
            organisation: self.config.organisation.clone(),
            session_type: self.config.session_type.clone(),
            tracking_code: self.config.tracking_code.clone(),
            started_ms,
            seats,
            chat,
            notes: notes.to_owned(),
            next_id: self.next_id,
        })
    }

    /// The new host `from` is reachable at `host`: every other participant is told to come
    /// back to their seat there; this host's part is over.
    pub(super) fn handle_host_ready(&mut self, now: UnixMs, from: ParticipantId, host: &deskside_proto::HostAddr) {
        // Only the answer to a hand-over this host began, from the CSR it began it to, who is
        // still in control.
        let is_taker = self.handing_to == Some(from)
            && self.participants.get(&from).is_some_and(|p| p.role == Role::CsrInControl && p.id != HOST_CSR);
        if !is_taker || self.is_ended() {
            return self.refuse(from, RuleError::NotInControl);
        }
        let others: Vec<(ParticipantId, [u8; 16])> = self
            .participants
            .values()
            .filter(|p| p.present() && p.id != HOST_CSR && p.id != from)
            .filter_map(|p| p.ticket.map(|t| (p.id, t)))
            .collect();
        for (id, ticket) in others {
            let msg = ToGuest::MoveTo { host: host.clone(), ticket };
            self.outputs.push_back(Output::Send { to: id, msg });
        }
        self.ended = Some((now, String::new()));
        self.outputs.push_back(Output::Event(SessionEvent::HandedOver { to: from }));
    }

    /// The session that goes on at this console from `state`: this console's CSR (seat 0) in
    /// control, everyone else's seat held for them to come back with their ticket.
    #[must_use]
    pub fn from_hand_over(now: UnixMs, state: &HandOverState) -> Session {
        let me = state.seats.iter().find(|s| s.id == HOST_CSR);
        let config = SessionConfig {
            id: state.session,
            csr_name: me.map(|s| s.name.clone()).unwrap_or_default(),
            organisation: state.organisation.clone(),
            session_type: state.session_type.clone(),
            tracking_code: state.tracking_code.clone(),
        };
        let mut s = Session::new(now, config);
        s.started_ms = state.started_ms;
        for seat in &state.seats {
            let held = seat.id != HOST_CSR && seat.present;
            s.participants.insert(
                seat.id,
                Participant {
                    grants: seat.grants,
                    allowed: seat.grants,
                    left_ms: (!seat.present).then_some(now),
                    away_ms: held.then_some(now),
                    ticket: held.then_some(seat.ticket),
                    ..Participant::joining(
                        seat.id,
                        seat.name.clone(),
                        if seat.id == HOST_CSR { Role::CsrInControl } else { seat.role },
                        if seat.id == HOST_CSR { AppKind::Console } else { seat.app },
                        if seat.id == HOST_CSR { now } else { state.started_ms },
                    )
                },
            );
        }
        s.chat = state.chat.iter().cloned().collect();
        s.chat_bytes = s.chat.iter().map(ChatLine::weight).sum();
        deskside_proto::trim_chat(&mut s.chat, &mut s.chat_bytes);
        s.next_id = state.next_id.max(s.next_id);
        s
    }
}
