//! The hub: the one task that owns the session, translating between the connections' streams
//! and the sans-IO [`Session`], and between the session and the UI.

use super::{
    Allowed, Board, HostCommand, HostEvent, LinkQuality, PEER_QUEUE, QUALITY_INTERVAL, SharedScreen, Waker,
    relay_screen,
};
use crate::framed::write_msg;
use crate::moves::Direction;
use crate::transfer::{RealDisk, Transfers};
use crate::{now_ms, random_bytes};
use deskside_proto::{Hello, InputEvent, InviteRole, ParticipantId, Refusal, ToGuest, ToHost, UniHeader};
use deskside_session::host::HOST_CSR;
use deskside_session::{Output, RuleError, Session, SessionEvent};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

pub(super) enum Outgoing {
    Msg(ToGuest),
    Input(InputEvent),
    Close(Refusal),
}

pub(super) type Admission = Result<(ParticipantId, mpsc::Receiver<Outgoing>, Allowed, Arc<Transfers>, bool), Refusal>;

pub(super) enum FromConn {
    Hello {
        hello: Hello,
        conn: iroh::endpoint::Connection,
        reply: oneshot::Sender<Admission>,
    },
    Preview {
        hello: Hello,
        reply: oneshot::Sender<Result<deskside_proto::Preview, Refusal>>,
    },
    Msg {
        id: ParticipantId,
        msg: ToHost,
    },
    Inventory {
        id: ParticipantId,
        inventory: deskside_proto::Inventory,
    },
    /// A connection's control stream ended; `conn` is its `stable_id` (a participant who came
    /// back on a new connection is not sent away by the old one's end). `dropped`: the network
    /// lost it (timed out or reset), as opposed to a close by either side.
    Gone {
        id: ParticipantId,
        conn: usize,
        dropped: bool,
    },
    /// A file the CSR shared was hashed.
    Hashed {
        path: std::path::PathBuf,
        name: String,
        size: u64,
        sha256: [u8; 32],
    },
    /// A push is being read and hashed: bytes so far and in all.
    Preparing {
        push: deskside_proto::MoveId,
        done: u64,
        total: u64,
    },
    /// A push was read and hashed (or could not be).
    Prepared {
        push: deskside_proto::MoveId,
        to: ParticipantId,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
        result: Result<crate::moves::Prepared, deskside_proto::FileProblem>,
    },
    /// A pushed file has delivered `done` bytes.
    Sent {
        file: deskside_proto::FileId,
        done: u64,
    },
    /// A pulled file from participant `id` made progress or ended.
    Pulling {
        id: ParticipantId,
    },
    /// An input event from a CSR who joined from their own console.
    Input {
        id: ParticipantId,
        ev: InputEvent,
    },
}

pub(super) struct Peer {
    pub(super) out: mpsc::Sender<Outgoing>,
    pub(super) allowed: Allowed,
    pub(super) conn: iroh::endpoint::Connection,
    /// Packets sent and lost when quality was last reported.
    pub(super) sent_lost: (u64, u64),
}

pub(super) struct Hub {
    pub(super) session: Session,
    pub(super) peers: HashMap<ParticipantId, Peer>,
    pub(super) events: mpsc::Sender<HostEvent>,
    pub(super) screen: Arc<Mutex<SharedScreen>>,
    pub(super) wake: Waker,
    /// The hub's own inbox, for work it hands to tasks (hashing a shared file).
    pub(super) inbox: mpsc::Sender<FromConn>,
    /// Where each offered file is on this machine.
    pub(super) file_paths: HashMap<deskside_proto::FileId, std::path::PathBuf>,
    /// Sends in progress, by customer and file (a new request for the same replaces it), each
    /// with its stop flag (the stream is reset, so the customer hears it stopped).
    pub(super) sending: HashMap<(ParticipantId, deskside_proto::FileId), (tokio::task::AbortHandle, Arc<AtomicBool>)>,
    /// The session's board of moves as the UI last saw it.
    pub(super) board: Arc<Board>,
    /// What each customer lets the CSR copy, arriving here.
    pub(super) pulls: HashMap<ParticipantId, Arc<Transfers>>,
    /// Where each pull goes here, and whether it replaces.
    pub(super) pull_into: HashMap<deskside_proto::MoveId, (std::path::PathBuf, bool)>,
    /// Who this host is and where invites say it is reached (with what the endpoint learns:
    /// see `reach_now`).
    pub(super) reach: deskside_proto::HostAddr,
    /// The host's endpoint.
    pub(super) endpoint: iroh::Endpoint,
    /// Where the files colleagues share are kept once fetched from them: readable by this
    /// user only, gone with the session (made on first use).
    pub(super) shared_dir: Option<tempfile::TempDir>,
}

impl Hub {
    pub(super) async fn run(
        mut self,
        mut commands: mpsc::Receiver<HostCommand>,
        mut invites: mpsc::Receiver<([u8; 16], InviteRole, u64)>,
        mut conns: mpsc::Receiver<FromConn>,
    ) {
        self.emit(HostEvent::Participants(self.session.infos()));
        let mut quality = tokio::time::interval(QUALITY_INTERVAL);
        quality.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                Some((secret, role, ttl)) = invites.recv() => {
                    if let Err(rule) = self.session.add_invite(now_ms(), role, secret, ttl) {
                        self.emit(HostEvent::Refused(rule));
                    }
                }
                cmd = commands.recv() => match cmd {
                    Some(cmd) => self.command(cmd),
                    None => break,
                },
                Some(m) = conns.recv() => self.handle_conn(m),
                _ = quality.tick() => {
                    self.report_quality();
                    // Seats held for dropped participants are given up after a minute.
                    self.session.handle_timeout(now_ms());
                }
            }
            // Many files shared or withdrawn at once: one list when the burst is over.
            if commands.is_empty() && conns.is_empty() {
                self.session.publish_files();
            }
            self.flush();
        }
    }

    pub(super) fn command(&mut self, cmd: HostCommand) {
        let now = now_ms();
        let result = match cmd {
            HostCommand::RevokeInvite(secret) => {
                self.session.revoke_invite(&secret);
                Ok(())
            }
            HostCommand::Chat { to, text } => self.session.chat(now, HOST_CSR, to, &text),
            HostCommand::Request { to, capability } => self.session.request(HOST_CSR, to, capability).map(|_| ()),
            HostCommand::EndGrant { to, capability } => self.session.end_grant(HOST_CSR, to, capability),
            HostCommand::Input(ev) => {
                self.input(ev);
                Ok(())
            }
            HostCommand::End { notes } => self.session.end(now, HOST_CSR, &notes),
            HostCommand::SetPolicy(policy) => {
                self.session.set_policy(*policy);
                Ok(())
            }
            HostCommand::SelectMonitor { to, index } => self.session.select_monitor(HOST_CSR, to, index),
            HostCommand::Promote { to } => self.session.promote(HOST_CSR, to),
            HostCommand::TransferControl { to } => self.session.transfer_control(HOST_CSR, to),
            HostCommand::ShareFiles(paths) => {
                for path in paths {
                    self.hash(path);
                }
                Ok(())
            }
            HostCommand::ListFolder { with, at } => self.session.list_folder(HOST_CSR, with, at).map(|_| ()),
            HostCommand::Push { to, source, folder, on_conflict } => self.prepare_push(to, source, folder, on_conflict),
            HostCommand::Pull { from, folder, name, into, on_conflict } => {
                self.session.pull(now, HOST_CSR, from, folder, name).map(|id| {
                    self.pull_into.insert(id, (into, on_conflict == deskside_proto::OnConflict::Replace));
                })
            }
            HostCommand::CancelMove(id) => self.cancel_move(id),
            HostCommand::HandOver { notes } => self.hand_over(&notes),
            HostCommand::WithdrawFile(id) => self.session.withdraw_file(HOST_CSR, id),
        };
        if let Err(rule) = result {
            self.emit(HostEvent::Refused(rule));
        }
    }

    /// Hashes a file the CSR shares on a task, with progress; the hub offers it once done.
    pub(super) fn hash(&self, path: std::path::PathBuf) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (events, wake, inbox) = (self.events.clone(), self.wake.clone(), self.inbox.clone());
        tokio::spawn(async move {
            let progress = |done, total| {
                let _ = events.try_send(HostEvent::FileHashing { name: name.clone(), done, total });
                wake();
            };
            match crate::files::hash_file(&path, progress).await {
                Ok((size, sha256)) => {
                    let _ = inbox.send(FromConn::Hashed { path, name, size, sha256 }).await;
                }
                Err(e) => {
                    tracing::info!("cannot share {}: {e}", path.display());
                    let reason = deskside_proto::FileProblem::of_io(e.kind());
                    let _ = events.try_send(HostEvent::FileShareFailed { name, reason });
                    wake();
                }
            }
        });
    }

    /// Sends the session's state to the CSR in control on its own stream; once their console
    /// listens (`HostReady`), the session sends everyone else there.
    pub(super) fn hand_over(&mut self, notes: &str) -> Result<(), RuleError> {
        let to = self.session.in_control().ok_or(RuleError::NotACsr)?;
        let conn = self.peers.get(&to).map(|p| p.conn.clone()).ok_or(RuleError::NoSuchParticipant)?;
        let state = self.session.hand_over(to, notes, || random_bytes().ok())?;
        tokio::spawn(async move {
            let sent = async {
                let mut s = conn.open_uni().await.ok()?;
                write_msg(&mut s, &UniHeader::HandOver, deskside_proto::MAX_UNI_HEADER_BYTES).await.ok()?;
                write_msg(&mut s, &state, deskside_proto::MAX_HAND_OVER_BYTES).await.ok()?;
                s.finish().ok()
            };
            if sent.await.is_none() {
                tracing::warn!("the session could not be handed over");
            }
        });
        Ok(())
    }

    pub(super) fn input(&mut self, ev: InputEvent) {
        self.input_from(HOST_CSR, ev);
    }

    /// Input from CSR `from` (this console's own, or a CSR's on their console) goes to the
    /// primary customer only while `from` is in control and the customer allows control.
    pub(super) fn input_from(&mut self, from: ParticipantId, ev: InputEvent) {
        let Some(primary) = self.session.primary_customer().map(|p| p.id) else {
            return;
        };
        if !self.session.may_control(from, primary) {
            if from == HOST_CSR {
                self.emit(HostEvent::Refused(deskside_proto::Rule::NotControlled));
            }
            return;
        }
        if let Some(peer) = self.peers.get(&primary)
            && peer.out.try_send(Outgoing::Input(ev)).is_err()
        {
            tracing::warn!(participant = %primary, "input queue full, event dropped");
        }
    }

    pub(super) fn handle_conn(&mut self, m: FromConn) {
        let now = now_ms();
        match m {
            FromConn::Hello { hello, conn, reply } => {
                let relay_conn = conn.clone();
                let pulls = &mut self.pulls;
                let admission = self.session.handle_hello(now, &hello).map(|id| {
                    // A participant who comes back keeps what was arriving from them.
                    let pulls = pulls.entry(id).or_insert_with(|| Arc::new(Transfers::new(Arc::new(RealDisk)))).clone();
                    let (tx, rx) = mpsc::channel(PEER_QUEUE);
                    let allowed = Allowed::of(&self.session, id);
                    let peer = Peer { out: tx, allowed: allowed.clone(), conn, sent_lost: (0, 0) };
                    // Someone back on a new connection before the old one was noticed gone.
                    if let Some(old) = self.peers.insert(id, peer) {
                        old.conn.close(iroh::endpoint::VarInt::from_u32(0), b"replaced");
                    }
                    match random_bytes() {
                        Ok(ticket) => self.session.issue_ticket(id, ticket),
                        Err(e) => tracing::warn!("no resumption ticket: {e}"),
                    }
                    let csr = self.session.participant(id).is_some_and(|p| p.role.is_csr());
                    (id, rx, allowed, pulls, csr)
                });
                if let Ok((id, ..)) = &admission
                    && let Some(inv) = self.session.invites().iter().find(|i| i.used_by == Some(*id))
                {
                    self.emit(HostEvent::InviteUsed(inv.secret));
                }
                let back = admission.as_ref().ok().filter(|_| hello.resume).map(|(id, ..)| *id);
                if let Ok((.., true)) = &admission {
                    // A CSR on their own console sees the shared screen too.
                    tokio::spawn(relay_screen(relay_conn, self.screen.clone()));
                }
                if let Err(Ok((id, ..))) = reply.send(admission) {
                    // The connection went away while being admitted.
                    self.peers.remove(&id);
                    self.session.handle_disconnect(now, id);
                } else if let Some(id) = back
                    && let Some(pulls) = self.pulls.get(&id).cloned()
                {
                    // Back in the seat: the pulls the drop broke continue from what is held.
                    pulls.resume_interrupted();
                    self.pumped(id);
                }
            }
            FromConn::Msg { id, msg } => {
                if let Err(refusal) = self.session.handle_message(now, id, msg) {
                    self.session.handle_disconnect(now, id);
                    self.close(id, refusal);
                }
            }
            FromConn::Preview { hello, reply } => {
                let _ = reply.send(self.session.handle_preview(now, &hello));
            }
            FromConn::Inventory { id, inventory } => {
                if let Err(refusal) = self.session.handle_inventory(id, inventory) {
                    self.session.handle_disconnect(now, id);
                    self.close(id, refusal);
                }
            }
            FromConn::Hashed { path, name, size, sha256 } => {
                let id = self.session.reserve_file();
                let offered = deskside_proto::OfferedFile { id, name, size, sha256 };
                match self.session.offer_file(HOST_CSR, offered) {
                    Ok(()) => {
                        self.file_paths.insert(id, path);
                        self.emit(HostEvent::FilesOffered(self.session.offered_files().to_vec()));
                    }
                    Err(rule) => self.emit(HostEvent::Refused(rule)),
                }
            }
            FromConn::Preparing { push, done, total } => self.session.handle_push_preparing(push, done, total),
            FromConn::Prepared { push, to, folder, on_conflict, result } => {
                self.prepared(push, to, folder, on_conflict, result);
            }
            FromConn::Sent { file, done } => self.session.handle_push_sent(file, done),
            FromConn::Pulling { id } => self.pumped(id),
            FromConn::Input { id, ev } => self.input_from(id, ev),
            FromConn::Gone { id, conn, dropped } => {
                if self.peers.get(&id).is_some_and(|p| p.conn.stable_id() == conn) {
                    self.peers.remove(&id);
                    if dropped {
                        // Not a leave: the seat is held for a minute for them to come back.
                        self.session.handle_drop(now, id);
                    } else {
                        self.session.handle_disconnect(now, id);
                    }
                }
            }
        }
    }

    pub(super) fn report_quality(&mut self) {
        if self.peers.is_empty() {
            return;
        }
        let mut list: Vec<LinkQuality> = self
            .peers
            .iter_mut()
            .map(|(id, peer)| {
                let stats = peer.conn.stats();
                let (sent, lost) = (stats.sent_packets, stats.lost_packets);
                let (d_sent, d_lost) = (sent.saturating_sub(peer.sent_lost.0), lost.saturating_sub(peer.sent_lost.1));
                peer.sent_lost = (sent, lost);
                // The path in use now: direct, or through a relay.
                let paths = peer.conn.paths();
                let selected = paths.iter().find(iroh::endpoint::Path::is_selected);
                let rtt = selected.as_ref().map_or(std::time::Duration::ZERO, iroh::endpoint::Path::rtt);
                LinkQuality {
                    participant: *id,
                    rtt_ms: u32::try_from(rtt.as_millis()).unwrap_or(u32::MAX),
                    loss_permille: (d_lost.min(d_sent) * 1000).checked_div(d_sent).unwrap_or(0) as u32,
                    relayed: selected.is_some_and(|p| p.is_relay()),
                }
            })
            .collect();
        list.sort_by_key(|q| q.participant);
        self.emit(HostEvent::Quality(list));
    }

    pub(super) fn close(&mut self, id: ParticipantId, refusal: Refusal) {
        if let Some(peer) = self.peers.remove(&id) {
            let _ = peer.out.try_send(Outgoing::Close(refusal));
        }
    }

    pub(super) fn flush(&mut self) {
        let now = now_ms();
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::Send { to, msg } => {
                    let full = self.peers.get(&to).is_some_and(|p| p.out.try_send(Outgoing::Msg(msg)).is_err());
                    if full {
                        tracing::warn!(participant = %to, "peer is not reading; disconnecting");
                        self.peers.remove(&to);
                        self.session.handle_disconnect(now, to);
                    }
                }
                Output::Close { to, refusal } => self.close(to, refusal),
                Output::Event(ev) => self.session_event(ev),
            }
        }
    }

    pub(super) fn session_event(&mut self, ev: SessionEvent) {
        match ev {
            SessionEvent::ParticipantsChanged => {
                for (id, peer) in &self.peers {
                    peer.allowed.update(&self.session, *id);
                }
                if let Ok(mut screen) = self.screen.lock()
                    && screen.owner.is_some_and(|o| !self.session.may_share_screen(o))
                {
                    screen.active = false;
                }
                self.emit(HostEvent::Participants(self.session.infos()));
            }
            SessionEvent::Chat(line) => self.emit(HostEvent::Chat(line)),
            SessionEvent::ConsentAnswered { participant, capability, allowed } => {
                self.emit(HostEvent::ConsentAnswered { participant, capability, allowed });
            }
            SessionEvent::InputRefused { .. } => self.emit(HostEvent::InputRefused),
            SessionEvent::SystemInfo { participant, inventory, for_csr } => {
                if for_csr != HOST_CSR {
                    self.relay_inventory(for_csr, participant, &inventory);
                }
                self.emit(HostEvent::SystemInfo { participant, inventory });
            }
            SessionEvent::Monitors { participant, monitors } => {
                self.emit(HostEvent::Monitors { participant, monitors });
            }
            SessionEvent::Refused { .. } => {}
            SessionEvent::FileRequested { participant, file, offset, prefix_sha256 } => {
                self.send_file(participant, file, offset, prefix_sha256);
            }
            SessionEvent::FileDone { participant, file, outcome } => {
                let pushed = self
                    .session
                    .push_of(file)
                    .and_then(|push| self.session.moves().get(&push))
                    .filter(|m| m.direction == Direction::Push);
                if let Some(f) = pushed.and_then(|m| m.files.iter().find(|f| f.file == file)) {
                    let file = f.as_offered();
                    self.emit(HostEvent::MovedFileDone { participant, direction: Direction::Push, file, outcome });
                } else if let Some(file) = self.session.offered_files().iter().find(|f| f.id == file).cloned() {
                    self.emit(HostEvent::FileDone { participant, file, outcome });
                }
            }
            SessionEvent::Folder { participant, listing } => self.emit(HostEvent::Folder { participant, listing }),
            SessionEvent::MovesChanged => self.publish_moves(),
            SessionEvent::UploadOffered { from, file } => self.fetch_shared(from, &file),
            SessionEvent::PushStaged { from, push, summary, files } => self.stage_from(from, push, summary, files),
            SessionEvent::FileWithdrawn { file } => {
                self.file_paths.remove(&file);
                for ((_, f), (_, stop)) in &self.sending {
                    if *f == file {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                self.emit(HostEvent::FilesOffered(self.session.offered_files().to_vec()));
            }
            SessionEvent::InviteAsked { by, role } => self.invite_for(by, role),
            SessionEvent::Pulled { participant, pull, summary, files, .. } => {
                self.pulled(participant, pull, &summary, files);
            }
            SessionEvent::HandedOver { to } => {
                let to_name = self.session.participant(to).map(|p| p.name.clone()).unwrap_or_default();
                self.emit(HostEvent::HandedOver { to_name });
            }
            SessionEvent::MoveStopped { id, files } => self.stop_move(id, &files),
            SessionEvent::Ended { notes } => {
                if let Ok(mut screen) = self.screen.lock() {
                    screen.active = false;
                }
                self.emit(HostEvent::Ended { notes });
            }
        }
    }

    /// Sends customer `participant`'s system information to colleague `to`, who asked for it, on
    /// a stream of its own.
    fn relay_inventory(&self, to: ParticipantId, participant: ParticipantId, inventory: &deskside_proto::Inventory) {
        let Some(conn) = self.peers.get(&to).map(|p| p.conn.clone()) else { return };
        let inventory = inventory.clone();
        tokio::spawn(async move {
            let sent = async {
                let mut s = conn.open_uni().await.ok()?;
                let header = UniHeader::InventoryOf { participant };
                write_msg(&mut s, &header, deskside_proto::MAX_UNI_HEADER_BYTES).await.ok()?;
                write_msg(&mut s, &inventory, deskside_proto::MAX_INVENTORY_BYTES).await.ok()?;
                s.finish().ok()
            };
            if sent.await.is_none() {
                tracing::info!(participant = %to, "the system information could not be passed on");
            }
        });
    }

    /// Makes an invite for `role` that colleague `by` asked for, and gives it to them.
    fn invite_for(&mut self, by: ParticipantId, role: InviteRole) {
        let Ok(secret) = random_bytes::<16>() else {
            self.session.refuse_for(by, RuleError::NoRandom);
            return;
        };
        let now = now_ms();
        match self.session.add_invite_for(now, by, role, secret, super::INVITE_TTL_MS) {
            Ok(()) => {
                let invite = deskside_proto::Invite {
                    host: super::reach_now(&self.reach, &self.endpoint),
                    session: self.session.config().id,
                    role,
                    secret,
                    expires_unix_s: (now + super::INVITE_TTL_MS) / 1000,
                };
                self.session.give_invite(by, invite);
            }
            Err(broken) => self.session.refuse_for(by, broken),
        }
    }

    pub(super) fn emit(&self, ev: HostEvent) {
        if self.events.try_send(ev).is_err() {
            tracing::warn!("UI event queue full; event dropped");
        }
        (self.wake)();
    }
}
