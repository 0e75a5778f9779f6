//! A CSR's console in a colleague's session: the link to their host (control messages both
//! ways, the screen the host passes on, this CSR's input), spoken in the same commands and
//! events as a hosting console's ([`HostCommand`], [`HostEvent`]), so the console has one
//! session model whichever console hosts.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use deskside_proto::{MAX_CONTROL_MSG_BYTES, Refusal, Rule, ToGuest, ToHost, Welcome};

use crate::framed::{StreamError, read_msg, write_msg};
use crate::guest::{GuestLink, refusal_of};
use crate::host::{HostCommand, HostEvent};

mod moves;
mod shares;

/// A CSR's console in someone else's session: the control messages both ways, the screen the
/// host passes on (decoded here, like the host's own), and this CSR's input (which the host
/// passes on only while they are in control and the customer allows control).
pub struct CsrLink {
    /// What the host said, translated, waiting to be taken (a chat backlog is many lines).
    pending: VecDeque<HostEvent>,
    /// The end was said.
    closed_said: bool,
    conn: iroh::endpoint::Connection,
    out: tokio::sync::mpsc::Sender<deskside_proto::ToHost>,
    input: tokio::sync::mpsc::Sender<deskside_proto::InputEvent>,
    events: tokio::sync::mpsc::Receiver<ToGuest>,
    screen: Arc<std::sync::Mutex<crate::SharedScreen>>,
    hand_over: Arc<std::sync::Mutex<Option<deskside_proto::HandOverState>>>,
    /// System information the host passed on (this CSR asked for it), oldest first.
    inventories: Inventories,
    /// The files this CSR shares with the customers.
    shares: shares::Shares,
    /// The moves this CSR asked for through the host.
    moves: moves::Moves,
    /// The files on offer in the session, as the host last listed them, and the list being
    /// received in pieces.
    offered: (Vec<deskside_proto::OfferedFile>, deskside_proto::files::OfferedPieces),
    rt: tokio::runtime::Handle,
    wake: crate::host::Waker,
    /// What the host said on admission.
    pub welcome: Welcome,
    _endpoint: crate::transport::OwnedEndpoint,
}

/// Control messages and input events queued before the link counts as stuck.
const CSR_QUEUE: usize = 256;
/// System information passed on and not yet shown: a host that sends more closes the link.
const MAX_INVENTORIES: usize = 4;

type Inventories = Arc<std::sync::Mutex<VecDeque<(deskside_proto::ParticipantId, deskside_proto::Inventory)>>>;

impl CsrLink {
    /// Serves an admitted CSR `link`; `wake` is called when there is something new to show.
    #[must_use]
    pub fn serve(link: GuestLink, wake: crate::host::Waker) -> CsrLink {
        use tokio::sync::mpsc;
        let GuestLink { conn, mut send, mut recv, welcome, endpoint, .. } = link;
        let (out_tx, mut out_rx) = mpsc::channel::<deskside_proto::ToHost>(CSR_QUEUE);
        let (in_tx, mut in_rx) = mpsc::channel::<deskside_proto::InputEvent>(CSR_QUEUE);
        let (ev_tx, ev_rx) = mpsc::channel::<ToGuest>(CSR_QUEUE * 4);
        let screen = Arc::new(std::sync::Mutex::new(crate::SharedScreen::default()));
        let w = wake.clone();
        let c = conn.clone();
        tokio::spawn(async move {
            loop {
                match read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES).await {
                    Ok(msg) if msg.is_valid() => {
                        if ev_tx.send(msg).await.is_err() {
                            break;
                        }
                        w();
                    }
                    Ok(_) | Err(StreamError::Frame(_)) => {
                        crate::host::close(&c, Refusal::Malformed);
                        break;
                    }
                    Err(_) => break,
                }
            }
            w();
        });
        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let leaving = matches!(msg, deskside_proto::ToHost::Leave);
                if write_msg(&mut send, &msg, MAX_CONTROL_MSG_BYTES).await.is_err() {
                    return;
                }
                if leaving {
                    let _ = send.finish();
                    return;
                }
            }
        });
        let c = conn.clone();
        tokio::spawn(async move {
            let mut stream: Option<iroh::endpoint::SendStream> = None;
            while let Some(ev) = in_rx.recv().await {
                if stream.is_none() {
                    let Ok(mut s) = c.open_uni().await else { return };
                    let header = deskside_proto::UniHeader::Input;
                    if write_msg(&mut s, &header, deskside_proto::MAX_UNI_HEADER_BYTES).await.is_err() {
                        return;
                    }
                    stream = Some(s);
                }
                if let Some(s) = stream.as_mut()
                    && write_msg(s, &ev, deskside_proto::MAX_INPUT_MSG_BYTES).await.is_err()
                {
                    return;
                }
            }
        });
        let hand_over = Arc::new(std::sync::Mutex::new(None));
        let inventories: Inventories = Arc::default();
        let moves = moves::Moves::default();
        let (c, sc, w, ho, inv) = (conn.clone(), screen.clone(), wake.clone(), hand_over.clone(), inventories.clone());
        tokio::spawn(accept_streams(c, sc, w, ho, (inv, moves.transfers.clone())));
        CsrLink {
            pending: VecDeque::new(),
            closed_said: false,
            conn,
            out: out_tx,
            input: in_tx,
            events: ev_rx,
            screen,
            hand_over,
            inventories,
            shares: shares::Shares::default(),
            moves,
            offered: (Vec::new(), deskside_proto::files::OfferedPieces::default()),
            rt: tokio::runtime::Handle::current(),
            wake,
            welcome,
            _endpoint: endpoint,
        }
    }

    /// The session's state, once the host handed the session to this console (it then starts
    /// hosting with [`crate::host::start_host_from`] and answers [`deskside_proto::ToHost::HostReady`]).
    #[must_use]
    pub fn take_hand_over(&self) -> Option<deskside_proto::HandOverState> {
        self.hand_over.lock().ok().and_then(|mut s| s.take())
    }

    /// Sends a control message; `false` if the link is stuck or gone.
    #[must_use]
    pub fn send(&self, msg: deskside_proto::ToHost) -> bool {
        self.out.try_send(msg).is_ok()
    }

    /// Sends an input event (dropped if the link is stuck).
    pub fn input(&self, ev: deskside_proto::InputEvent) {
        let _ = self.input.try_send(ev);
    }

    /// The next control message from the host, if one is waiting.
    pub fn try_event(&mut self) -> Option<ToGuest> {
        self.events.try_recv().ok()
    }

    /// The screen the host passes on.
    #[must_use]
    pub fn screen(&self) -> &Arc<std::sync::Mutex<crate::SharedScreen>> {
        &self.screen
    }

    /// Why the link is over, once it is: the host's refusal, or `None` while it lasts.
    #[must_use]
    pub fn closed(&self) -> Option<Option<Refusal>> {
        self.conn.close_reason().map(|e| refusal_of(&e))
    }

    /// Carries out `cmd` as the hosting console's hub would, through the host: what a colleague
    /// may ask goes there (the host's session checks it, and refuses what breaks a rule); what
    /// only the hosting console can do (choose the monitor, hand the session over) is refused here
    /// with [`Rule::HostOnly`].
    pub fn command(&self, cmd: HostCommand) -> Result<(), CommandError> {
        let msg = match cmd {
            HostCommand::Chat { to, text } => ToHost::Chat { to, text },
            HostCommand::Request { to, capability } => ToHost::Request { to, capability },
            HostCommand::EndGrant { to, capability } => ToHost::EndGrant { to, capability },
            HostCommand::End { notes } => ToHost::End { notes },
            HostCommand::Promote { to } => ToHost::Promote { to },
            HostCommand::TransferControl { to } => ToHost::TransferControl { to },
            HostCommand::RevokeInvite(secret) => ToHost::RevokeInvite { secret },
            HostCommand::WithdrawFile(file) => ToHost::WithdrawFile { file },
            HostCommand::ShareFiles(paths) => {
                self.shares.share(&self.rt, paths, &self.out, &self.wake);
                return Ok(());
            }
            HostCommand::Input(ev) => {
                self.input(ev);
                return Ok(());
            }
            HostCommand::ListFolder { with, at } => ToHost::ListFolder { with, at },
            HostCommand::Pull { from, folder, name, into, on_conflict } => {
                self.moves.pull(from, folder, name, into, on_conflict == deskside_proto::OnConflict::Replace)
            }
            HostCommand::Push { to, source, folder, on_conflict } => {
                self.moves.push(&self.rt, &self.shares, &self.out, &self.wake, to, source, folder, on_conflict);
                return Ok(());
            }
            HostCommand::CancelMove(id) => {
                self.moves.cancel(id);
                ToHost::CancelMove { id }
            }
            HostCommand::SelectMonitor { .. } | HostCommand::HandOver { .. } | HostCommand::SetPolicy(_) => {
                return Err(CommandError::Refused(Rule::HostOnly));
            }
        };
        if self.send(msg) { Ok(()) } else { Err(CommandError::Stuck) }
    }

    /// Asks the host for an invite for `role` (it arrives as [`HostEvent::InviteMade`]).
    pub fn ask_invite(&self, role: deskside_proto::InviteRole) -> Result<(), CommandError> {
        if self.send(ToHost::MakeInvite { role }) { Ok(()) } else { Err(CommandError::Stuck) }
    }

    /// The next thing the host said, as a hosting console's hub says it; once the link is over,
    /// [`HostEvent::LinkClosed`] (once).
    pub fn try_host_event(&mut self) -> Option<HostEvent> {
        for msg in self.moves.outbox() {
            if !self.send(msg) {
                tracing::info!("the link to the host is stuck: a relayed pull waits");
            }
        }
        while self.pending.is_empty() {
            let Some(msg) = self.events.try_recv().ok() else { break };
            self.translate(msg);
        }
        if let Some(ev) = self.pending.pop_front() {
            return Some(ev);
        }
        if let Some((participant, inventory)) = self.inventories.lock().ok().and_then(|mut q| q.pop_front()) {
            return Some(HostEvent::SystemInfo { participant, inventory });
        }
        if let Some(ev) = self.shares.take_event() {
            return Some(ev);
        }
        let closed = self.closed()?;
        (!std::mem::replace(&mut self.closed_said, true)).then_some(HostEvent::LinkClosed(closed))
    }

    fn translate(&mut self, msg: ToGuest) {
        let ev = match msg {
            ToGuest::Participants(list) => HostEvent::Participants(list),
            ToGuest::Chat(line) => HostEvent::Chat(line),
            ToGuest::ChatBacklog(lines) => {
                self.pending.extend(lines.into_iter().map(HostEvent::Chat));
                return;
            }
            ToGuest::Refused { rule } => HostEvent::Refused(rule),
            ToGuest::ConsentAnswered { participant, capability, allowed } => {
                HostEvent::ConsentAnswered { participant, capability, allowed }
            }
            ToGuest::InviteMade(invite) => HostEvent::InviteMade(invite),
            ToGuest::InviteUsed(secret) => HostEvent::InviteUsed(secret),
            ToGuest::SessionEnded { by } => HostEvent::EndedBy { name: by },
            ToGuest::FilesOffered { files, last } => {
                // In pieces, bounded as the agent bounds them: a host that sends more is
                // malformed.
                match self.offered.1.add(files, last) {
                    Ok(Some(list)) => {
                        self.offered.0.clone_from(&list);
                        HostEvent::FilesOffered(list)
                    }
                    Ok(None) => return,
                    Err(_) => {
                        crate::host::close(&self.conn, Refusal::Malformed);
                        return;
                    }
                }
            }
            ToGuest::FileDoneFor { participant, file, outcome } => {
                let Some(file) = self.offered.0.iter().find(|f| f.id == file).cloned() else { return };
                HostEvent::FileDone { participant, file, outcome }
            }
            ToGuest::FolderListed { participant, listing } => HostEvent::Folder { participant, listing },
            ToGuest::MoveMade { tag, id } => return self.moves.made(tag, id),
            ToGuest::Moves(rows) => return self.moves.rows(&self.shares, rows),
            ToGuest::PulledFiles { pull, summary, files, last } => {
                if self.moves.pulled(pull, summary, files, last).is_err() {
                    let _ = self.send(ToHost::CancelMove { id: pull });
                }
                return;
            }
            ToGuest::FetchPulled { file, offset, prefix_sha256 } => {
                let me = self.me();
                self.shares.send(&self.rt, &self.conn, me, file, offset, prefix_sha256);
                return;
            }
            // What is for customers, or the start of a hand-over (taken apart, through
            // `take_hand_over`).
            _ => return,
        };
        self.pending.push_back(ev);
    }
}

/// The streams the host opens to a CSR's console: the shared screen passed on (one read at a
/// time; a newer replaces the older), a hand-over, system information this CSR asked for, the
/// files of this CSR's pulls (written only if asked for). Anything else closes the link.
async fn accept_streams(
    c: iroh::endpoint::Connection,
    sc: Arc<std::sync::Mutex<crate::SharedScreen>>,
    w: crate::host::Waker,
    ho: Arc<std::sync::Mutex<Option<deskside_proto::HandOverState>>>,
    (inv, pulls): (Inventories, Arc<crate::transfer::Transfers>),
) {
    // One share read at a time: a newer one replaces the older (each decodes a picture).
    let mut sharing: Option<tokio::task::AbortHandle> = None;
    while let Ok(mut recv) = c.accept_uni().await {
        match read_msg::<deskside_proto::UniHeader>(&mut recv, deskside_proto::MAX_UNI_HEADER_BYTES).await {
            Ok(deskside_proto::UniHeader::Screen) => {
                if let Some(old) = sharing.take() {
                    old.abort();
                }
                let ok = Arc::new(AtomicBool::new(true));
                let (c, sc, w) = (c.clone(), sc.clone(), w.clone());
                let task = tokio::spawn(async move {
                    crate::host::read_screen(c, deskside_session::host::HOST_CSR, recv, ok, sc, w).await;
                });
                sharing = Some(task.abort_handle());
            }
            Ok(deskside_proto::UniHeader::HandOver) => {
                let state =
                    read_msg::<deskside_proto::HandOverState>(&mut recv, deskside_proto::MAX_HAND_OVER_BYTES).await;
                match state {
                    Ok(state) if state.is_valid() => {
                        if let Ok(mut slot) = ho.lock() {
                            *slot = Some(state);
                        }
                        w();
                    }
                    _ => {
                        crate::host::close(&c, Refusal::Malformed);
                        return;
                    }
                }
            }
            Ok(deskside_proto::UniHeader::InventoryOf { participant }) => {
                // One at a time, each bounded as it is decoded, and only so many waiting.
                let body = crate::framed::read_body(&mut recv, deskside_proto::MAX_INVENTORY_BYTES).await;
                let decoded = body.ok().and_then(|b| deskside_proto::decode_inventory(&b).ok());
                let kept = decoded.filter(deskside_proto::Inventory::is_valid).is_some_and(|i| {
                    let Ok(mut q) = inv.lock() else { return false };
                    q.len() < MAX_INVENTORIES && {
                        q.push_back((participant, i));
                        true
                    }
                });
                if !kept {
                    crate::host::close(&c, Refusal::Malformed);
                    return;
                }
                w();
            }
            Ok(deskside_proto::UniHeader::File { file, offset }) => {
                // A file of this CSR's pull: written only if it was asked for (the receiver
                // checks its number, size and hash).
                let (pulls, w) = (pulls.clone(), w.clone());
                tokio::spawn(async move {
                    let progress = || w();
                    pulls.receive(file, offset, recv, || false, progress).await;
                    w();
                });
            }
            Ok(_) => {
                crate::host::close(&c, Refusal::NotAllowed);
                return;
            }
            Err(StreamError::Frame(_) | StreamError::Finished) => {
                crate::host::close(&c, Refusal::Malformed);
                return;
            }
            Err(_) => {}
        }
    }
}

/// Why a colleague's command was not carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Only the hosting console can do it, or it broke a rule.
    #[error("{0}")]
    Refused(Rule),
    /// The link is stuck or gone.
    #[error("the link to the host is stuck or gone")]
    Stuck,
}

/// The host's welcome, for a CSR's own view of the session.
impl CsrLink {
    /// Who this CSR is in the session.
    #[must_use]
    pub fn me(&self) -> deskside_proto::ParticipantId {
        self.welcome.you
    }

    /// The moves this CSR asked for, as the host's board has them (where a pull was saved is
    /// this console's).
    #[must_use]
    pub fn moves(&self) -> Vec<deskside_proto::MoveInfo> {
        self.moves.board()
    }

    /// What the host said on admission.
    #[must_use]
    pub fn welcome(&self) -> &Welcome {
        &self.welcome
    }
}
