//! The hub a console runs when it hosts a session.
//!
//! One task (the hub) owns the sans-IO [`Session`] and is the only one that changes it. Each
//! connection has a reader task (control stream → hub), a writer task (hub → control stream and
//! input stream) and a task per screen stream that decodes frames into the [`SharedScreen`] the
//! UI paints from. Every channel is bounded; a peer that cannot keep up is disconnected rather
//! than queued for without limit.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use deskside_codec::{Decoder, Rect};
use deskside_proto::{
    Capability, ChatLine, ChatTarget, Hello, InputEvent, Invite, InviteRole, MAX_CONTROL_MSG_BYTES,
    MAX_INPUT_MSG_BYTES, MAX_SCREEN_MSG_BYTES, PROTOCOL_VERSION, ParticipantId, ParticipantInfo, Refusal, ScreenMsg,
    SessionId, ToGuest, ToHost, UniHeader, peek_hello_version,
};
use deskside_session::host::HOST_CSR;
use deskside_session::{Output, RuleError, Session, SessionConfig, SessionEvent};
use tokio::sync::{mpsc, oneshot};

use crate::framed::{StreamError, read_body, read_msg, write_msg};
use crate::moves::{Direction, MoveInfo, MoveState};
use crate::transfer::{RealDisk, Transfers};
use crate::{Identity, now_ms, random_bytes, tls};

/// Called whenever there is something new for the UI (an event or a frame): the console passes
/// `egui::Context::request_repaint`.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Control messages queued for one peer before it counts as unresponsive.
const PEER_QUEUE: usize = 512;
/// Events queued for the UI.
const EVENT_QUEUE: usize = 4096;
/// Commands queued from the UI.
const COMMAND_QUEUE: usize = 256;
/// Connections being admitted at once (in their handshake or waiting for their hello), from every
/// source together. When all are taken, a newcomer takes the oldest one's place: a connection
/// that does not say hello can delay an honest one by at most its own deadline, never keep it out.
const MAX_HANDSHAKES: usize = 64;
/// Connections being admitted at once from one address: one address cannot take every slot.
const MAX_HANDSHAKES_PER_SOURCE: usize = 4;
/// How long a new connection has, from its first packet, to finish the handshake and say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a screen or inventory stream that arrives just before the grant it needs waits for
/// it (the grant travels on the control stream, which may be a little behind), unread.
const GRANT_GRACE: Duration = Duration::from_secs(2);
/// Dirty rectangles kept for the UI before it is told to repaint everything instead.
const MAX_DIRTY: usize = 4096;
/// How often the UI is told each connection's round-trip time and loss.
pub const QUALITY_INTERVAL: Duration = Duration::from_secs(2);

/// What the host needs to start.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// Where to listen (port 0 picks a free port).
    pub bind: SocketAddr,
    /// The host's TLS identity.
    pub identity: Identity,
    /// The session's settings.
    pub session: SessionConfig,
}

/// Something the host's own CSR does.
#[derive(Clone, Debug)]
pub enum HostCommand {
    /// Withdraw the unused invite with this secret.
    RevokeInvite([u8; 16]),
    /// Send a chat line.
    Chat {
        /// To whom.
        to: ChatTarget,
        /// What.
        text: String,
    },
    /// Ask the primary customer to allow a capability.
    Request {
        /// Which customer.
        to: ParticipantId,
        /// What.
        capability: Capability,
    },
    /// The CSR no longer needs a customer's grant (Stop viewing, Stop control, End file
    /// transfer): the customer's agent ends it and says who did.
    EndGrant {
        /// Which customer.
        to: ParticipantId,
        /// What ends.
        capability: Capability,
    },
    /// Send an input event to the primary customer (needs their control grant).
    Input(InputEvent),
    /// Share one of the primary customer's monitors, or all with `None`.
    SelectMonitor {
        /// Which customer.
        to: ParticipantId,
        /// The monitor's number in their list.
        index: Option<u32>,
    },
    /// Make this secondary customer the primary customer (the previous primary's sharing and
    /// control stop at once).
    Promote {
        /// Which customer.
        to: ParticipantId,
    },
    /// Hand control of the session to this CSR (they can request, promote and end; this console
    /// keeps watching).
    TransferControl {
        /// Which CSR.
        to: ParticipantId,
    },
    /// End the session with notes.
    End {
        /// End-of-session notes.
        notes: String,
    },
    /// Offer these files to every customer (each is hashed first, with progress).
    ShareFiles(Vec<std::path::PathBuf>),
    /// Stop offering this file.
    WithdrawFile(u32),
    /// List a folder of a customer's machine (they allowed browsing and moving files).
    ListFolder {
        /// Whose.
        with: ParticipantId,
        /// Which folder.
        at: deskside_proto::FolderAt,
    },
    /// Put this file or folder of the CSR's into a customer's folder: it is hashed first, then
    /// the customer allows or refuses it.
    Push {
        /// Which customer.
        to: ParticipantId,
        /// The file or folder here.
        source: std::path::PathBuf,
        /// Their folder (from a listing).
        folder: String,
        /// What to do if the name is taken there.
        on_conflict: deskside_proto::OnConflict,
    },
    /// Copy a customer's file or folder into a folder here; the customer allows or refuses it.
    Pull {
        /// Which customer.
        from: ParticipantId,
        /// Their folder (a listing's path).
        folder: String,
        /// The file's or folder's name in it.
        name: String,
        /// The folder here.
        into: std::path::PathBuf,
        /// What to do if the name is taken here.
        on_conflict: deskside_proto::OnConflict,
    },
    /// Stop a move (push or pull).
    CancelMove(u32),
    /// Hand the session to the CSR in control (another console) and leave: they host it from
    /// now on, with the participants, the chat, these notes and the grants; everyone else goes
    /// there without a new invite.
    HandOver {
        /// The notes taken so far.
        notes: String,
    },
}

/// Something the host's CSR should see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    /// The participant list changed.
    Participants(Vec<ParticipantInfo>),
    /// A chat line.
    Chat(ChatLine),
    /// A customer answered a request.
    ConsentAnswered {
        /// Who.
        participant: ParticipantId,
        /// What was asked.
        capability: Capability,
        /// The answer.
        allowed: bool,
    },
    /// The customer's agent refused input (control is not granted there).
    InputRefused,
    /// The primary customer's monitors.
    Monitors {
        /// Whose.
        participant: ParticipantId,
        /// The monitors.
        monitors: Vec<deskside_proto::MonitorInfo>,
    },
    /// An action was refused; the text says why.
    Refused(String),
    /// A customer sent the inventory (system information) they allowed and chose.
    SystemInfo {
        /// Whose machine.
        participant: ParticipantId,
        /// What they sent.
        inventory: deskside_proto::Inventory,
    },
    /// Someone joined with the invite that has this secret; it cannot be used again.
    InviteUsed([u8; 16]),
    /// Each connected participant's link, every [`QUALITY_INTERVAL`].
    Quality(Vec<LinkQuality>),
    /// The session ended.
    Ended {
        /// End-of-session notes.
        notes: String,
    },
    /// A file being shared is being read to compute its hash.
    FileHashing {
        /// Its name.
        name: String,
        /// Bytes read.
        done: u64,
        /// Its size.
        total: u64,
    },
    /// A file could not be shared (unreadable, not a file).
    FileShareFailed {
        /// Its name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The files on offer now.
    FilesOffered(Vec<deskside_proto::OfferedFile>),
    /// A file on its way to a customer.
    FileProgress(crate::files::Progress),
    /// A customer's transfer ended (as their agent reports it).
    FileDone {
        /// Who.
        participant: ParticipantId,
        /// Which file.
        file: deskside_proto::OfferedFile,
        /// How it ended.
        outcome: deskside_proto::FileOutcome,
    },
    /// A customer's folder, listed (or why it could not be).
    Folder {
        /// Whose.
        participant: ParticipantId,
        /// What it holds.
        listing: Result<deskside_proto::FolderListing, String>,
    },
    /// The session went on at another CSR's console; this host's part is over.
    HandedOver {
        /// The CSR who hosts it now.
        to_name: String,
    },
    /// One file of a move ended (its name is its path inside the move, parts joined by `/`).
    MovedFileDone {
        /// The customer.
        participant: ParticipantId,
        /// Which way it went.
        direction: crate::moves::Direction,
        /// The file.
        file: deskside_proto::OfferedFile,
        /// How it ended.
        outcome: deskside_proto::FileOutcome,
    },
}

/// How well one participant's connection is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkQuality {
    /// Whose connection.
    pub participant: ParticipantId,
    /// QUIC's smoothed round-trip time, in milliseconds.
    pub rtt_ms: u32,
    /// Packets lost since the last report, in tenths of a percent of those sent.
    pub loss_permille: u32,
}

/// The screen being shared, as decoded so far: the UI copies what changed into its texture.
#[derive(Debug, Default)]
pub struct SharedScreen {
    /// Whose screen it is.
    pub owner: Option<ParticipantId>,
    /// Whether frames are arriving (viewing is granted and a share is open).
    pub active: bool,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGBA pixels, `width * 4` bytes a row.
    pub rgba: Vec<u8>,
    /// Increases with every completed frame.
    pub generation: u64,
    /// Regions changed since the UI last took them.
    pub dirty: Vec<Rect>,
    /// Everything changed since the UI last took updates (new size, or too many rectangles).
    pub full: bool,
    /// Where the customer's pointer is, in screen pixels.
    pub cursor: Option<(i32, i32)>,
    /// The pointer's picture.
    pub cursor_shape: Option<deskside_codec::CursorImage>,
    /// Increases whenever the pointer's picture changes.
    pub cursor_generation: u64,
    /// How many completed frames carried video (a rectangle shown lossy while it moves).
    pub video_frames: u64,
}

impl SharedScreen {
    /// Takes what changed since the last call: `(full, rects)`.
    pub fn take_updates(&mut self) -> (bool, Vec<Rect>) {
        (std::mem::take(&mut self.full), std::mem::take(&mut self.dirty))
    }

    fn publish(&mut self, owner: ParticipantId, dec: &Decoder, dirty: &[Rect]) {
        let (w, h) = (dec.width(), dec.height());
        if (w, h) != (self.width, self.height) || self.owner != Some(owner) {
            self.width = w;
            self.height = h;
            self.rgba = dec.rgba().to_vec();
            self.full = true;
            self.dirty.clear();
        } else {
            let stride = w as usize * 4;
            for r in dirty {
                for y in r.y..r.y + r.h {
                    let start = y as usize * stride + r.x as usize * 4;
                    let end = start + r.w as usize * 4;
                    self.rgba[start..end].copy_from_slice(&dec.rgba()[start..end]);
                }
            }
            if self.dirty.len() + dirty.len() > MAX_DIRTY {
                self.full = true;
                self.dirty.clear();
            } else if !self.full {
                self.dirty.extend_from_slice(dirty);
            }
        }
        self.owner = Some(owner);
        self.active = true;
        self.generation += 1;
        self.video_frames += u64::from(dec.frame_had_video());
    }
}

/// Why the host could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The UDP port could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// TLS could not be set up with the identity.
    #[error("cannot set up encryption: {0}")]
    Tls(#[from] rustls::Error),
    /// No secure random numbers.
    #[error("no secure random numbers: {0}")]
    Random(std::io::Error),
    /// The host has stopped.
    #[error("the session host has stopped")]
    Stopped,
    /// Too many actions at once; try again.
    #[error("busy, please try again")]
    Busy,
}

/// The UI's side of a running host.
pub struct HostHandle {
    board: Arc<Mutex<Board>>,
    commands: mpsc::Sender<HostCommand>,
    invites: mpsc::Sender<([u8; 16], InviteRole, u64)>,
    events: mpsc::Receiver<HostEvent>,
    screen: Arc<Mutex<SharedScreen>>,
    local_addr: SocketAddr,
    candidates: Vec<SocketAddr>,
    fingerprint: [u8; 32],
    session: SessionId,
    endpoint: quinn::Endpoint,
}

impl HostHandle {
    /// Makes a new single-use invite for `role`, valid for `ttl_ms`.
    pub fn invite(&self, role: InviteRole, ttl_ms: u64) -> Result<Invite, HostError> {
        let secret = random_bytes::<16>().map_err(HostError::Random)?;
        self.invites.try_send((secret, role, ttl_ms)).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => HostError::Busy,
            mpsc::error::TrySendError::Closed(_) => HostError::Stopped,
        })?;
        Ok(Invite {
            addrs: self.candidates.clone(),
            fingerprint: self.fingerprint,
            session: self.session,
            role,
            secret,
            expires_unix_s: (now_ms() + ttl_ms) / 1000,
        })
    }

    /// Sends a command without waiting.
    pub fn send(&self, cmd: HostCommand) -> Result<(), HostError> {
        self.commands.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => HostError::Busy,
            mpsc::error::TrySendError::Closed(_) => HostError::Stopped,
        })
    }

    /// The next event, if one is waiting.
    pub fn try_event(&mut self) -> Option<HostEvent> {
        self.events.try_recv().ok()
    }

    /// Waits for the next event.
    pub async fn next_event(&mut self) -> Option<HostEvent> {
        self.events.recv().await
    }

    /// The moves of this session (advanced file transfer), oldest first.
    #[must_use]
    pub fn moves(&self) -> Vec<MoveInfo> {
        let board = self.board.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        board
            .moves
            .values()
            .map(|(m, started)| {
                let mut m = m.clone();
                if m.state == MoveState::Moving && m.bytes_per_s == 0 {
                    let secs = started.elapsed().as_secs_f64().max(0.5);
                    m.bytes_per_s = (m.done as f64 / secs) as u64;
                }
                m
            })
            .collect()
    }

    /// The shared screen.
    #[must_use]
    pub fn screen(&self) -> &Arc<Mutex<SharedScreen>> {
        &self.screen
    }

    /// The addresses invites name: where participants reach this host.
    #[must_use]
    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.candidates.clone()
    }

    /// The UDP address the host listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The host certificate's fingerprint.
    #[must_use]
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// Closes the endpoint and every connection at once.
    pub fn shutdown(&self) {
        self.endpoint.close(quinn::VarInt::from_u32(Refusal::SessionEnded.code()), b"host closed");
    }
}

impl Drop for HostHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts hosting a session on the current tokio runtime.
pub fn start_host(cfg: HostConfig, wake: Waker) -> Result<HostHandle, HostError> {
    let HostConfig { bind, identity, session } = cfg;
    launch(bind, &identity, Session::new(now_ms(), session), wake)
}

/// Hosts, on the current tokio runtime, the session another console handed over (`state`): this
/// console's CSR in control, every other seat held for its participant to come back with the
/// ticket in `state`. `cfg.session` is ignored (the state carries it).
pub fn start_host_from(
    cfg: HostConfig,
    state: &deskside_proto::HandOverState,
    wake: Waker,
) -> Result<HostHandle, HostError> {
    let HostConfig { bind, identity, .. } = cfg;
    launch(bind, &identity, Session::from_hand_over(now_ms(), state), wake)
}

fn launch(bind: SocketAddr, identity: &Identity, session: Session, wake: Waker) -> Result<HostHandle, HostError> {
    let server = tls::server_config(identity)?;
    let endpoint = quinn::Endpoint::server(server, bind).map_err(|source| HostError::Bind { addr: bind, source })?;
    let local_addr = endpoint.local_addr().map_err(|source| HostError::Bind { addr: bind, source })?;
    let candidates = candidates(bind.ip(), local_addr.port());
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
    let (inv_tx, inv_rx) = mpsc::channel(COMMAND_QUEUE);
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let (conn_tx, conn_rx) = mpsc::channel(PEER_QUEUE);
    let screen = Arc::new(Mutex::new(SharedScreen::default()));
    let session_id = session.config().id;
    let board = Arc::new(Mutex::new(Board::default()));
    let hub = Hub {
        board: board.clone(),
        pulls: HashMap::new(),
        pull_into: HashMap::new(),
        session,
        peers: HashMap::new(),
        events: ev_tx,
        screen: screen.clone(),
        wake: wake.clone(),
        inbox: conn_tx.clone(),
        file_paths: HashMap::new(),
        next_file: 1,
        sending: HashMap::new(),
    };
    tokio::spawn(hub.run(cmd_rx, inv_rx, conn_rx));
    tokio::spawn(accept_loop(endpoint.clone(), conn_tx, screen.clone(), wake));
    Ok(HostHandle {
        board,
        commands: cmd_tx,
        invites: inv_tx,
        events: ev_rx,
        screen,
        local_addr,
        candidates,
        fingerprint: identity.fingerprint,
        session: session_id,
        endpoint,
    })
}

/// The addresses to put in invites: this machine's interface addresses, then loopback.
fn candidates(bind: IpAddr, port: u16) -> Vec<SocketAddr> {
    if !bind.is_unspecified() {
        return vec![SocketAddr::new(bind, port)];
    }
    let mut out: Vec<SocketAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| ip.is_ipv4() && !ip.is_loopback())
        .map(|ip| SocketAddr::new(ip, port))
        .take(deskside_proto::invite::MAX_ADDRS - 1)
        .collect();
    out.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    out
}

enum Outgoing {
    Msg(ToGuest),
    Input(InputEvent),
    Close(Refusal),
}

type Admission = Result<(ParticipantId, mpsc::Receiver<Outgoing>, Allowed, Arc<Transfers>, bool), Refusal>;

/// The moves of the session, for the UI: each with when it started moving.
#[derive(Default)]
struct Board {
    moves: std::collections::BTreeMap<u32, (MoveInfo, std::time::Instant)>,
    /// Bytes each pushed file has delivered, by file: (move, bytes).
    sent: HashMap<u32, (u32, u64)>,
}

impl Board {
    fn update(&mut self, id: u32, f: impl FnOnce(&mut MoveInfo)) {
        if let Some((m, _)) = self.moves.get_mut(&id) {
            f(m);
        }
    }

    fn set_state(&mut self, id: u32, state: MoveState) {
        if let Some((m, started)) = self.moves.get_mut(&id)
            && !m.state.is_over()
        {
            if state == MoveState::Moving {
                *started = std::time::Instant::now();
            }
            m.state = state;
        }
    }
}

enum FromConn {
    Hello {
        hello: Hello,
        conn: quinn::Connection,
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
    /// A push was read and hashed (or could not be).
    Prepared {
        push: u32,
        to: ParticipantId,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
        result: Result<crate::moves::Prepared, String>,
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

/// What a peer's streams may carry now, as the session decides: the hub keeps it up to date, and
/// a stream that needs it is read (or even waited for) only while it holds.
#[derive(Clone, Default)]
struct Allowed {
    /// Screen frames are shown (the primary customer, viewing granted).
    screen: Arc<AtomicBool>,
    /// An inventory is taken (a customer, system information granted).
    inventory: Arc<AtomicBool>,
}

impl Allowed {
    fn of(session: &Session, id: ParticipantId) -> Allowed {
        let a = Allowed::default();
        a.update(session, id);
        a
    }

    fn update(&self, session: &Session, id: ParticipantId) {
        self.screen.store(session.may_share_screen(id), Ordering::SeqCst);
        self.inventory.store(session.may_send_inventory(id), Ordering::SeqCst);
    }
}

/// Waits (unread) up to [`GRANT_GRACE`] for `flag`: a stream may arrive just before the grant it
/// needs. Whether it holds.
async fn granted(flag: &AtomicBool) -> bool {
    let deadline = tokio::time::Instant::now() + GRANT_GRACE;
    while !flag.load(Ordering::SeqCst) {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

struct Peer {
    out: mpsc::Sender<Outgoing>,
    allowed: Allowed,
    conn: quinn::Connection,
    /// Packets sent and lost when quality was last reported.
    sent_lost: (u64, u64),
}

struct Hub {
    session: Session,
    peers: HashMap<ParticipantId, Peer>,
    events: mpsc::Sender<HostEvent>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
    /// The hub's own inbox, for work it hands to tasks (hashing a shared file).
    inbox: mpsc::Sender<FromConn>,
    /// Where each offered file is on this machine.
    file_paths: HashMap<u32, std::path::PathBuf>,
    next_file: u32,
    /// Sends in progress, by customer and file (a new request for the same replaces it), each
    /// with its stop flag (the stream is reset, so the customer hears it stopped).
    sending: HashMap<(ParticipantId, u32), (tokio::task::AbortHandle, Arc<AtomicBool>)>,
    /// The moves, for the UI.
    board: Arc<Mutex<Board>>,
    /// What each customer lets the CSR copy, arriving here.
    pulls: HashMap<ParticipantId, Arc<Transfers>>,
    /// Where each pull goes here, and whether it replaces.
    pull_into: HashMap<u32, (std::path::PathBuf, bool)>,
}

impl Hub {
    async fn run(
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
                        self.emit(HostEvent::Refused(rule.to_string()));
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

    fn command(&mut self, cmd: HostCommand) {
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
                self.session.pull(HOST_CSR, from, folder, name.clone()).map(|id| {
                    self.pull_into.insert(id, (into, on_conflict == deskside_proto::OnConflict::Replace));
                    self.board().moves.insert(
                        id,
                        (MoveInfo::new(id, from, Direction::Pull, name, MoveState::Asking), std::time::Instant::now()),
                    );
                })
            }
            HostCommand::CancelMove(id) => self.cancel_move(id),
            HostCommand::HandOver { notes } => self.hand_over(&notes),
            HostCommand::WithdrawFile(id) => {
                let r = self.session.withdraw_file(HOST_CSR, id);
                if r.is_ok() {
                    self.file_paths.remove(&id);
                    for ((_, f), (_, stop)) in &self.sending {
                        if *f == id {
                            stop.store(true, Ordering::SeqCst);
                        }
                    }
                    self.emit(HostEvent::FilesOffered(self.session.offered_files().to_vec()));
                }
                r
            }
        };
        if let Err(rule) = result {
            self.emit(HostEvent::Refused(rule.to_string()));
        }
    }

    /// Hashes a file the CSR shares on a task, with progress; the hub offers it once done.
    fn hash(&self, path: std::path::PathBuf) {
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
                    let _ = events.try_send(HostEvent::FileShareFailed { name, reason: e.to_string() });
                    wake();
                }
            }
        });
    }

    /// Sends the session's state to the CSR in control on its own stream; once their console
    /// listens (`HostReady`), the session sends everyone else there.
    fn hand_over(&mut self, notes: &str) -> Result<(), RuleError> {
        let to = self.session.in_control().ok_or(RuleError::NotACsr)?;
        let conn = self.peers.get(&to).map(|p| p.conn.clone()).ok_or(RuleError::NoSuchParticipant)?;
        let state = self.session.hand_over(now_ms(), to, notes, || random_bytes().ok())?;
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

    fn board(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads and hashes a file or folder to push on a task, with progress; the hub asks the
    /// customer once it is done.
    fn prepare_push(
        &mut self,
        to: ParticipantId,
        source: std::path::PathBuf,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
    ) -> Result<(), RuleError> {
        if !self.session.may_move_files(to) {
            return Err(if self.session.may_transfer_files(to) {
                RuleError::FilesNotAllowed
            } else {
                RuleError::AppSharing
            });
        }
        let push = self.session.reserve_move();
        let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let preparing = MoveState::Preparing { done: 0, total: 0 };
        self.board()
            .moves
            .insert(push, (MoveInfo::new(push, to, Direction::Push, name, preparing), std::time::Instant::now()));
        // Its files take numbers from the same counter as offered files.
        let first = self.next_file;
        let (board, wake, inbox) = (self.board.clone(), self.wake.clone(), self.inbox.clone());
        // A block of numbers as large as a move may be (walking here would hold up the hub).
        self.next_file = self.next_file.wrapping_add(deskside_proto::files::MAX_MOVE_FILES as u32);
        tokio::spawn(async move {
            let progress = |done, total| {
                if let Ok(mut b) = board.lock() {
                    b.update(push, |m| m.state = MoveState::Preparing { done, total });
                }
                wake();
            };
            let result = crate::moves::prepare(source, first, progress).await.map_err(|e| e.to_string());
            let _ = inbox.send(FromConn::Prepared { push, to, folder, on_conflict, result }).await;
        });
        Ok(())
    }

    fn prepared(
        &mut self,
        push: u32,
        to: ParticipantId,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
        result: Result<crate::moves::Prepared, String>,
    ) {
        let asked = result.and_then(|p| {
            let files: Vec<deskside_proto::MovedFile> = p.files.iter().map(|(f, _)| f.clone()).collect();
            self.session
                .push(push, HOST_CSR, to, p.summary.clone(), folder, on_conflict, files)
                .map_err(|rule| rule.to_string())?;
            for (f, place) in p.files {
                self.file_paths.insert(f.file, place);
            }
            Ok(p.summary)
        });
        let mut board = self.board();
        match asked {
            Ok(summary) => {
                board.update(push, |m| {
                    m.files = summary.files as usize;
                    m.bytes = summary.bytes;
                    m.state = MoveState::Asking;
                });
            }
            Err(why) => board.set_state(push, MoveState::Refused(why)),
        }
        drop(board);
        (self.wake)();
    }

    /// The CSR stops move `id`: the customer is told, sends stop, part files go.
    fn cancel_move(&mut self, id: u32) -> Result<(), RuleError> {
        let files: Vec<u32> =
            self.session.moves().get(&id).map(|m| m.files.iter().map(|f| f.file).collect()).unwrap_or_default();
        let r = self.session.cancel_move(HOST_CSR, id);
        self.stop_move(id, &files, MoveState::Cancelled);
        r
    }

    fn stop_move(&mut self, id: u32, files: &[u32], state: MoveState) {
        for ((_, f), (_, stop)) in &self.sending {
            if files.contains(f) {
                stop.store(true, Ordering::SeqCst);
            }
        }
        for t in self.pulls.values() {
            t.cancel_move(id);
        }
        self.board().set_state(id, state);
        (self.wake)();
    }

    /// Files of an allowed pull arrived in the list: they are placed here and asked for.
    fn pulled(
        &mut self,
        participant: ParticipantId,
        pull: u32,
        summary: &deskside_proto::MoveSummary,
        files: Vec<deskside_proto::MovedFile>,
        last: bool,
    ) {
        let Some((into, replace)) = self.pull_into.get(&pull).cloned() else { return };
        let transfers =
            self.pulls.entry(participant).or_insert_with(|| Arc::new(Transfers::new(Arc::new(RealDisk)))).clone();
        let first = self.board().moves.get(&pull).is_some_and(|(m, _)| m.files == 0 && m.state == MoveState::Moving);
        let started = if first { transfers.start_move(pull, &into, replace, summary.clone()) } else { Ok(()) };
        if let Err(why) = started.and_then(|()| transfers.add_moved(pull, files, last)) {
            let _ = self.session.cancel_move(HOST_CSR, pull);
            self.board().set_state(pull, MoveState::Refused(why.words()));
            return;
        }
        self.board().update(pull, |m| {
            m.name.clone_from(&summary.name);
            m.files = summary.files as usize;
            m.bytes = summary.bytes;
        });
        if last && summary.files == 0 {
            // An empty folder: nothing to fetch.
            self.board().set_state(pull, MoveState::Done);
        }
        self.pumped(participant);
    }

    /// Asks for what participant `id`'s pulls want next, records what ended, and brings the
    /// board up to date.
    fn pumped(&mut self, participant: ParticipantId) {
        let Some(transfers) = self.pulls.get(&participant).cloned() else { return };
        for w in transfers.take_outbox() {
            match w {
                crate::transfer::Wanted::Fetch { file, offset, prefix_sha256 } => {
                    if let Err(rule) = self.session.fetch_pulled(participant, file, offset, prefix_sha256) {
                        tracing::info!(participant, file, "pulled file not asked for: {rule}");
                        transfers.cancel(file);
                    }
                }
                crate::transfer::Wanted::Done { file, outcome } => {
                    // This customer's pulls (their agent numbers the files; a push's numbers are
                    // this host's and may be the same).
                    let moved = self
                        .session
                        .moves()
                        .values()
                        .filter(|m| m.direction == Direction::Pull && m.with == participant)
                        .find_map(|m| m.files.iter().find(|f| f.file == file))
                        .map(deskside_proto::MovedFile::as_offered);
                    if let Some(file) = moved {
                        self.emit(HostEvent::MovedFileDone { participant, direction: Direction::Pull, file, outcome });
                    }
                }
            }
        }
        let ids: Vec<u32> = self
            .board()
            .moves
            .iter()
            .filter(|(_, (m, _))| {
                m.with == participant && m.direction == Direction::Pull && m.state == MoveState::Moving
            })
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let p = transfers.move_progress(id);
            let listed = self.session.moves().get(&id).map_or(0, |m| m.files.len());
            self.board().update(id, |m| {
                m.done = p.done;
                m.bytes_per_s = p.bytes_per_s;
                m.saved = p.saved;
                m.failed = p.failed;
                m.first_failure = p.first_failure.as_ref().map(crate::transfer::Failure::words);
                m.saved_as.clone_from(&p.saved_as);
                if p.files > 0 && p.files == m.files && listed == m.files && p.finished() {
                    m.state = MoveState::Done;
                }
            });
        }
        (self.wake)();
    }

    /// Sends offered or pushed file `file` to `participant` on a task, replacing a send of it in
    /// progress.
    fn send_file(&mut self, participant: ParticipantId, file: u32, offset: u64, prefix_sha256: [u8; 32]) {
        let (Some(peer), Some(path), Some(offered)) = (
            self.peers.get(&participant),
            self.file_paths.get(&file).cloned(),
            self.session.file_for(participant, file),
        ) else {
            return;
        };
        let push = self.session.push_of(file);
        let board = self.board.clone();
        if let Some((old, _)) = self.sending.remove(&(participant, file)) {
            old.abort();
        }
        let (conn, events, wake, out) = (peer.conn.clone(), self.events.clone(), self.wake.clone(), peer.out.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let task = tokio::spawn(async move {
            let progress = |p: crate::files::Progress| {
                match push {
                    // A pushed file counts towards its move.
                    Some(push) => {
                        if let Ok(mut b) = board.lock() {
                            b.sent.insert(p.file, (push, p.done));
                            let done = b.sent.values().filter(|(m, _)| *m == push).map(|(_, n)| n).sum();
                            b.update(push, |m| m.done = done);
                        }
                    }
                    None => {
                        let _ = events.try_send(HostEvent::FileProgress(p));
                    }
                }
                wake();
            };
            let sent =
                crate::files::send_file(&conn, participant, &offered, path, offset, prefix_sha256, &stop2, progress)
                    .await;
            if let Err(e) = sent {
                tracing::info!(participant, file = offered.id, "file not sent: {e}");
                if matches!(e, crate::files::SendError::Changed | crate::files::SendError::Read(_)) {
                    // The customer hears it whether or not a stream was open.
                    let _ = out.try_send(Outgoing::Msg(ToGuest::FileUnavailable { file: offered.id }));
                    let _ = events.try_send(HostEvent::Refused(format!("{}: {e}", offered.name)));
                }
            }
        });
        self.sending.retain(|_, (t, _)| !t.is_finished());
        self.sending.insert((participant, file), (task.abort_handle(), stop));
    }

    fn input(&mut self, ev: InputEvent) {
        self.input_from(HOST_CSR, ev);
    }

    /// Input from CSR `from` (this console's own, or a CSR's on their console) goes to the
    /// primary customer only while `from` is in control and the customer allows control.
    fn input_from(&mut self, from: ParticipantId, ev: InputEvent) {
        let Some(primary) = self.session.primary_customer().map(|p| p.id) else {
            return;
        };
        if !self.session.may_control(from, primary) {
            if from == HOST_CSR {
                self.emit(HostEvent::Refused("The customer has not allowed control.".into()));
            }
            return;
        }
        if let Some(peer) = self.peers.get(&primary)
            && peer.out.try_send(Outgoing::Input(ev)).is_err()
        {
            tracing::warn!(participant = primary, "input queue full, event dropped");
        }
    }

    fn handle_conn(&mut self, m: FromConn) {
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
                        old.conn.close(quinn::VarInt::from_u32(0), b"replaced");
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
                let id = self.next_file;
                self.next_file += 1;
                let offered = deskside_proto::OfferedFile { id, name, size, sha256 };
                match self.session.offer_file(HOST_CSR, offered) {
                    Ok(()) => {
                        self.file_paths.insert(id, path);
                        self.emit(HostEvent::FilesOffered(self.session.offered_files().to_vec()));
                    }
                    Err(rule) => self.emit(HostEvent::Refused(rule.to_string())),
                }
            }
            FromConn::Prepared { push, to, folder, on_conflict, result } => {
                self.prepared(push, to, folder, on_conflict, result);
            }
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

    fn report_quality(&mut self) {
        if self.peers.is_empty() {
            return;
        }
        let mut list: Vec<LinkQuality> = self
            .peers
            .iter_mut()
            .map(|(id, peer)| {
                let stats = peer.conn.stats();
                let (sent, lost) = (stats.path.sent_packets, stats.path.lost_packets);
                let (d_sent, d_lost) = (sent.saturating_sub(peer.sent_lost.0), lost.saturating_sub(peer.sent_lost.1));
                peer.sent_lost = (sent, lost);
                LinkQuality {
                    participant: *id,
                    rtt_ms: u32::try_from(peer.conn.rtt().as_millis()).unwrap_or(u32::MAX),
                    loss_permille: (d_lost.min(d_sent) * 1000).checked_div(d_sent).unwrap_or(0) as u32,
                }
            })
            .collect();
        list.sort_by_key(|q| q.participant);
        self.emit(HostEvent::Quality(list));
    }

    fn close(&mut self, id: ParticipantId, refusal: Refusal) {
        if let Some(peer) = self.peers.remove(&id) {
            let _ = peer.out.try_send(Outgoing::Close(refusal));
        }
    }

    fn flush(&mut self) {
        let now = now_ms();
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::Send { to, msg } => {
                    let full = self.peers.get(&to).is_some_and(|p| p.out.try_send(Outgoing::Msg(msg)).is_err());
                    if full {
                        tracing::warn!(participant = to, "peer is not reading; disconnecting");
                        self.peers.remove(&to);
                        self.session.handle_disconnect(now, to);
                    }
                }
                Output::Close { to, refusal } => self.close(to, refusal),
                Output::Event(ev) => self.session_event(ev),
            }
        }
    }

    fn session_event(&mut self, ev: SessionEvent) {
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
            SessionEvent::SystemInfo { participant, inventory } => {
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
                if let Some(push) = self.session.push_of(file) {
                    self.pushed_file_done(participant, push, file, outcome);
                } else if let Some(file) = self.session.offered_files().iter().find(|f| f.id == file).cloned() {
                    self.emit(HostEvent::FileDone { participant, file, outcome });
                }
            }
            SessionEvent::Folder { participant, listing } => self.emit(HostEvent::Folder { participant, listing }),
            SessionEvent::MoveAnswered { id, allowed, reason } => {
                let who = self.board().moves.get(&id).map(|(m, _)| m.with);
                let state = if allowed {
                    MoveState::Moving
                } else {
                    let name =
                        who.and_then(|w| self.session.participant(w)).map(|p| p.name.clone()).unwrap_or_default();
                    MoveState::Refused(reason.unwrap_or_else(|| format!("{name} refused it")))
                };
                self.board().set_state(id, state);
                (self.wake)();
            }
            SessionEvent::Pulled { participant, pull, summary, files, last } => {
                self.pulled(participant, pull, &summary, files, last);
            }
            SessionEvent::HandedOver { to } => {
                let to_name = self.session.participant(to).map(|p| p.name.clone()).unwrap_or_default();
                self.emit(HostEvent::HandedOver { to_name });
            }
            SessionEvent::MoveStopped { id } => {
                let files: Vec<u32> =
                    self.board().sent.iter().filter(|(_, (m, _))| *m == id).map(|(f, _)| *f).collect();
                self.stop_move(id, &files, MoveState::Stopped);
            }
            SessionEvent::Ended { notes } => {
                if let Ok(mut screen) = self.screen.lock() {
                    screen.active = false;
                }
                self.emit(HostEvent::Ended { notes });
            }
        }
    }

    fn pushed_file_done(
        &mut self,
        participant: ParticipantId,
        push: u32,
        file: u32,
        outcome: deskside_proto::FileOutcome,
    ) {
        let Some(f) = self.session.moves().get(&push).and_then(|m| m.files.iter().find(|f| f.file == file)).cloned()
        else {
            return;
        };
        let ok = outcome == deskside_proto::FileOutcome::Done;
        {
            let mut b = self.board();
            b.sent.insert(file, (push, if ok { f.size } else { 0 }));
            let done = b.sent.values().filter(|(m, _)| *m == push).map(|(_, n)| n).sum();
            b.update(push, |m| {
                m.done = done;
                if ok {
                    m.saved += 1;
                } else {
                    m.failed += 1;
                    if m.first_failure.is_none() {
                        m.first_failure = Some(match &outcome {
                            deskside_proto::FileOutcome::Failed(why) => why.clone(),
                            _ => "cancelled by the customer".into(),
                        });
                    }
                }
                if m.saved + m.failed == m.files && m.state == MoveState::Moving {
                    m.state = MoveState::Done;
                }
            });
        }
        let file = f.as_offered();
        self.emit(HostEvent::MovedFileDone { participant, direction: Direction::Push, file, outcome });
    }

    fn emit(&self, ev: HostEvent) {
        if self.events.try_send(ev).is_err() {
            tracing::warn!("UI event queue full; event dropped");
        }
        (self.wake)();
    }
}

/// The connections being admitted, oldest first, each with its source address and the task to
/// stop when it loses its place.
#[derive(Default)]
struct Admitting {
    next: u64,
    slots: std::collections::BTreeMap<u64, (IpAddr, tokio::task::AbortHandle)>,
}

impl Admitting {
    /// Whether a newcomer from `ip` may start: not when its address has its share already. When
    /// every slot is taken the oldest newcomer makes room.
    fn make_room(&mut self, ip: IpAddr) -> bool {
        if self.slots.values().filter(|(from, _)| *from == ip).count() >= MAX_HANDSHAKES_PER_SOURCE {
            return false;
        }
        if self.slots.len() >= MAX_HANDSHAKES
            && let Some((_, (_, oldest))) = self.slots.pop_first()
        {
            oldest.abort();
        }
        true
    }
}

async fn accept_loop(
    endpoint: quinn::Endpoint,
    hub: mpsc::Sender<FromConn>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
) {
    let admitting = Arc::new(Mutex::new(Admitting::default()));
    while let Some(incoming) = endpoint.accept().await {
        let ip = incoming.remote_address().ip();
        let mut table = admitting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !table.make_room(ip) {
            drop(table);
            incoming.refuse();
            continue;
        }
        let slot = table.next;
        table.next += 1;
        let (hub, screen, wake, admitting2) = (hub.clone(), screen.clone(), wake.clone(), admitting.clone());
        // Registered before it can end (the table stays locked until then).
        let task = tokio::spawn(async move {
            let hello = tokio::time::timeout(HELLO_TIMEOUT, read_hello(incoming)).await;
            admitting2.lock().unwrap_or_else(std::sync::PoisonError::into_inner).slots.remove(&slot);
            let Ok(Some((conn, send, recv, body))) = hello else { return };
            if let Some((conn, id, send, recv, out, allowed, pulls, csr)) = admit(conn, send, recv, &body, &hub).await {
                serve(conn, id, send, recv, out, (allowed, pulls, csr), hub, screen, wake).await;
            }
        });
        table.slots.insert(slot, (ip, task.abort_handle()));
    }
}

/// The handshake and the hello's bytes (undecoded); a connection that opens no control stream or
/// sends no whole hello is closed.
async fn read_hello(
    incoming: quinn::Incoming,
) -> Option<(quinn::Connection, quinn::SendStream, quinn::RecvStream, Vec<u8>)> {
    let conn = incoming.await.ok()?;
    let Ok((send, mut recv)) = conn.accept_bi().await else {
        close(&conn, Refusal::Malformed);
        return None;
    };
    if let Ok(body) = read_body(&mut recv, MAX_CONTROL_MSG_BYTES).await {
        Some((conn, send, recv, body))
    } else {
        close(&conn, Refusal::Malformed);
        None
    }
}

type Admitted = (
    quinn::Connection,
    ParticipantId,
    quinn::SendStream,
    quinn::RecvStream,
    mpsc::Receiver<Outgoing>,
    Allowed,
    Arc<Transfers>,
    bool,
);

/// The hello and the hub's verdict. Refusals close the connection with their reason; once
/// admitted, the connection may open the streams an admitted peer uses.
async fn admit(
    conn: quinn::Connection,
    send: quinn::SendStream,
    recv: quinn::RecvStream,
    body: &[u8],
    hub: &mpsc::Sender<FromConn>,
) -> Option<Admitted> {
    let hello = match deskside_proto::decode::<Hello>(body) {
        Ok(h) if h.version == PROTOCOL_VERSION => h,
        Ok(_) => {
            close(&conn, Refusal::UnsupportedVersion);
            return None;
        }
        Err(_) if peek_hello_version(body).is_some_and(|v| v != PROTOCOL_VERSION) => {
            close(&conn, Refusal::UnsupportedVersion);
            return None;
        }
        Err(_) => {
            close(&conn, Refusal::Malformed);
            return None;
        }
    };
    if hello.preview {
        let (reply, verdict) = oneshot::channel();
        hub.send(FromConn::Preview { hello, reply }).await.ok()?;
        match verdict.await.ok()? {
            Ok(preview) => {
                let mut send = send;
                if write_msg(&mut send, &ToGuest::Preview(preview), MAX_CONTROL_MSG_BYTES).await.is_ok() {
                    let _ = send.finish();
                    let _ = tokio::time::timeout(Duration::from_secs(2), send.stopped()).await;
                }
                conn.close(quinn::VarInt::from_u32(0), b"preview");
            }
            Err(refusal) => close(&conn, refusal),
        }
        return None;
    }
    let (reply, verdict) = oneshot::channel();
    hub.send(FromConn::Hello { hello, conn: conn.clone(), reply }).await.ok()?;
    match verdict.await.ok()? {
        Ok((id, out, allowed, pulls, csr)) => {
            crate::tls::admitted(&conn);
            Some((conn, id, send, recv, out, allowed, pulls, csr))
        }
        Err(refusal) => {
            close(&conn, refusal);
            None
        }
    }
}

#[allow(clippy::too_many_arguments)] // The pieces of one admitted connection, moved in once.
async fn serve(
    conn: quinn::Connection,
    id: ParticipantId,
    send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    out: mpsc::Receiver<Outgoing>,
    streams: (Allowed, Arc<Transfers>, bool),
    hub: mpsc::Sender<FromConn>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
) {
    tokio::spawn(write_peer(conn.clone(), send, out));
    tokio::spawn(accept_streams(conn.clone(), id, streams, screen, wake, hub.clone()));
    loop {
        match read_msg::<ToHost>(&mut recv, MAX_CONTROL_MSG_BYTES).await {
            Ok(msg) => {
                if hub.send(FromConn::Msg { id, msg }).await.is_err() {
                    break;
                }
            }
            Err(StreamError::Frame(_)) => {
                close(&conn, Refusal::Malformed);
                break;
            }
            Err(_) => break,
        }
    }
    // Only the network losing the connection holds the seat; a close (a refusal, the peer
    // quitting) is a leave.
    let dropped = matches!(
        conn.close_reason(),
        Some(
            quinn::ConnectionError::TimedOut
                | quinn::ConnectionError::Reset
                | quinn::ConnectionError::TransportError(_)
        )
    );
    let _ = hub.send(FromConn::Gone { id, conn: conn.stable_id(), dropped }).await;
}

async fn write_peer(conn: quinn::Connection, mut send: quinn::SendStream, mut out: mpsc::Receiver<Outgoing>) {
    let mut input: Option<quinn::SendStream> = None;
    while let Some(o) = out.recv().await {
        let ok = match o {
            Outgoing::Msg(msg) => write_msg(&mut send, &msg, MAX_CONTROL_MSG_BYTES).await.is_ok(),
            Outgoing::Input(ev) => write_input(&conn, &mut input, &ev).await.is_ok(),
            Outgoing::Close(refusal) => {
                // Let the last messages (such as "session ended") arrive before closing.
                let _ = send.finish();
                let _ = tokio::time::timeout(Duration::from_secs(1), send.stopped()).await;
                close(&conn, refusal);
                return;
            }
        };
        if !ok {
            break;
        }
    }
    conn.close(quinn::VarInt::from_u32(0), b"");
}

async fn write_input(
    conn: &quinn::Connection,
    stream: &mut Option<quinn::SendStream>,
    ev: &InputEvent,
) -> Result<(), StreamError> {
    if stream.is_none() {
        let mut s = conn.open_uni().await.map_err(|e| StreamError::Write(quinn::WriteError::ConnectionLost(e)))?;
        write_msg(&mut s, &UniHeader::Input, MAX_INPUT_MSG_BYTES).await?;
        *stream = Some(s);
    }
    match stream {
        Some(s) => write_msg(s, ev, MAX_INPUT_MSG_BYTES).await,
        None => Ok(()),
    }
}

/// Accepts the participant's unidirectional streams: screen shares, inventories, files the CSR
/// pulls (each written only if it was asked for) and, from a CSR's own console, input (passed on
/// only while they are in control). Anything else is refused.
async fn accept_streams(
    conn: quinn::Connection,
    id: ParticipantId,
    (allowed, pulls, csr): (Allowed, Arc<Transfers>, bool),
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
    hub: mpsc::Sender<FromConn>,
) {
    // One screen share and one inventory read at a time: a newer share replaces the older (the
    // agent starts a new stream for each), and a second inventory waits for nobody.
    let mut sharing: Option<tokio::task::AbortHandle> = None;
    let reading_inventory = Arc::new(AtomicBool::new(false));
    while let Ok(mut recv) = conn.accept_uni().await {
        match read_msg::<UniHeader>(&mut recv, deskside_proto::MAX_UNI_HEADER_BYTES).await {
            Ok(UniHeader::Screen) => {
                if let Some(old) = sharing.take() {
                    old.abort();
                }
                let (conn, ok, screen, wake) = (conn.clone(), allowed.screen.clone(), screen.clone(), wake.clone());
                let task = tokio::spawn(async move {
                    // Nothing of a share is read before viewing is granted.
                    if granted(&ok).await {
                        read_screen(conn, id, recv, ok, screen, wake).await;
                    } else {
                        let _ = recv.stop(quinn::VarInt::from_u32(0));
                        // The share this one replaced (its reader stopped above) is over too.
                        if let Ok(mut s) = screen.lock()
                            && s.owner == Some(id)
                        {
                            s.active = false;
                        }
                        wake();
                    }
                });
                sharing = Some(task.abort_handle());
            }
            Ok(UniHeader::Inventory) => {
                if reading_inventory.swap(true, Ordering::SeqCst) {
                    close(&conn, Refusal::NotAllowed);
                    return;
                }
                let (conn, hub, ok, busy) =
                    (conn.clone(), hub.clone(), allowed.inventory.clone(), reading_inventory.clone());
                tokio::spawn(async move {
                    // Nothing of an inventory is read before it is granted.
                    if granted(&ok).await {
                        read_inventory(conn, id, recv, hub).await;
                    } else {
                        close(&conn, Refusal::NotAllowed);
                    }
                    busy.store(false, Ordering::SeqCst);
                });
            }
            Ok(UniHeader::File { file, offset }) => {
                let (pulls, hub) = (pulls.clone(), hub.clone());
                tokio::spawn(async move {
                    let progress = || {
                        let _ = hub.try_send(FromConn::Pulling { id });
                    };
                    pulls.receive(file, offset, recv, || false, progress).await;
                    let _ = hub.send(FromConn::Pulling { id }).await;
                });
            }
            Ok(UniHeader::Input) if csr => {
                let (conn, hub) = (conn.clone(), hub.clone());
                tokio::spawn(async move { read_csr_input(conn, id, recv, hub).await });
            }
            Ok(UniHeader::Input | UniHeader::HandOver) => {
                close(&conn, Refusal::NotAllowed);
                return;
            }
            Err(StreamError::Frame(_) | StreamError::Finished) => {
                close(&conn, Refusal::Malformed);
                return;
            }
            // Reset before its header arrived (a share stopped at once): only that stream goes.
            Err(_) => {}
        }
    }
}

/// Reads a CSR's input stream and hands each event to the hub, which decides.
async fn read_csr_input(
    conn: quinn::Connection,
    id: ParticipantId,
    mut recv: quinn::RecvStream,
    hub: mpsc::Sender<FromConn>,
) {
    loop {
        match read_msg::<InputEvent>(&mut recv, MAX_INPUT_MSG_BYTES).await {
            Ok(ev) if ev.is_valid() => {
                if hub.send(FromConn::Input { id, ev }).await.is_err() {
                    return;
                }
            }
            Ok(_) | Err(StreamError::Frame(_)) => {
                close(&conn, Refusal::Malformed);
                return;
            }
            Err(_) => return,
        }
    }
}

/// How often the screen is passed on to a CSR on their own console, at most.
const RELAY_EVERY: Duration = Duration::from_millis(50);

/// Passes the screen being shared on to a CSR who joined from their own console: the picture
/// this host decoded, encoded again (lossless tiles, only what changed) at most every
/// [`RELAY_EVERY`], one screen stream per share, until the connection ends.
async fn relay_screen(conn: quinn::Connection, screen: Arc<Mutex<SharedScreen>>) {
    let mut encoder = deskside_codec::Encoder::new(deskside_codec::TILE_SIZE);
    let mut stream: Option<quinn::SendStream> = None;
    let mut seen = u64::MAX;
    // The pointer as last passed on: where, and which picture.
    let mut pointer: (Option<(i32, i32)>, u64) = (None, u64::MAX);
    let mut bgrx: Vec<u8> = Vec::new();
    let mut tick = tokio::time::interval(RELAY_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = conn.closed() => return,
        }
        let (picture, cursor) = {
            let Ok(s) = screen.lock() else { return };
            let cursor = (s.active && (s.cursor, s.cursor_generation) != pointer).then(|| {
                pointer = (s.cursor, s.cursor_generation);
                let (x, y) = s.cursor.unwrap_or((-1, -1));
                let shape = s.cursor_shape.as_ref().map(deskside_codec::CursorImage::pack);
                ScreenMsg::Cursor { x, y, shape }
            });
            let picture = if !s.active || s.width == 0 {
                None
            } else if s.generation == seen {
                Some(None)
            } else {
                seen = s.generation;
                bgrx.resize(s.rgba.len(), 0);
                for (d, p) in bgrx.chunks_exact_mut(4).zip(s.rgba.chunks_exact(4)) {
                    d.copy_from_slice(&[p[2], p[1], p[0], 255]);
                }
                Some(Some((s.width, s.height)))
            };
            (picture, cursor)
        };
        let Some(picture) = picture else {
            // The share ended: the next one starts on a new stream from a whole picture.
            if let Some(mut s) = stream.take() {
                let _ = s.finish();
                encoder.reset();
                seen = u64::MAX;
                pointer = (None, u64::MAX);
            }
            continue;
        };
        let mut batches = Vec::new();
        if let Some((width, height)) = picture {
            let frame = deskside_codec::FrameRef { width, height, stride: width as usize * 4, data: &bgrx };
            if let Ok(Some(update)) = encoder.encode_damaged(&frame, None) {
                batches = update.batches;
            }
        }
        // The pointer after the picture it is drawn over (and never before the first picture).
        if let Some(c) = cursor.filter(|_| stream.is_some() || !batches.is_empty()) {
            batches.push(c);
        }
        if batches.is_empty() {
            continue;
        }
        if stream.is_none() {
            let Ok(mut s) = conn.open_uni().await else { return };
            if write_msg(&mut s, &UniHeader::Screen, deskside_proto::MAX_UNI_HEADER_BYTES).await.is_err() {
                return;
            }
            stream = Some(s);
        }
        let Some(s) = stream.as_mut() else { return };
        for batch in &batches {
            if write_msg(s, batch, MAX_SCREEN_MSG_BYTES).await.is_err() {
                return;
            }
        }
    }
}

/// Reads the one inventory on `recv` and hands it to the hub, which decides whether it was
/// allowed (and tells the agent it arrived).
async fn read_inventory(
    conn: quinn::Connection,
    id: ParticipantId,
    mut recv: quinn::RecvStream,
    hub: mpsc::Sender<FromConn>,
) {
    // Read with every bound checked as it is decoded: nothing is allocated for rows or cells
    // past them.
    match read_body(&mut recv, deskside_proto::MAX_INVENTORY_BYTES).await {
        Ok(body) => match deskside_proto::decode_inventory(&body) {
            Ok(inventory) => {
                let _ = hub.send(FromConn::Inventory { id, inventory }).await;
            }
            Err(_) => close(&conn, Refusal::Malformed),
        },
        Err(StreamError::Frame(_) | StreamError::Finished) => close(&conn, Refusal::Malformed),
        Err(_) => {}
    }
}

pub(crate) async fn read_screen(
    conn: quinn::Connection,
    id: ParticipantId,
    mut recv: quinn::RecvStream,
    screen_ok: Arc<AtomicBool>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
) {
    let mut dec = Decoder::new();
    loop {
        // Viewing stopped: nothing more of this share is read or decoded.
        if !screen_ok.load(Ordering::SeqCst) {
            let _ = recv.stop(quinn::VarInt::from_u32(0));
            break;
        }
        match read_msg::<ScreenMsg>(&mut recv, MAX_SCREEN_MSG_BYTES).await {
            Ok(ScreenMsg::Cursor { x, y, shape }) => {
                let Ok(shape) = shape.as_ref().map(deskside_codec::CursorImage::unpack).transpose() else {
                    close(&conn, Refusal::Malformed);
                    break;
                };
                if screen_ok.load(Ordering::SeqCst) {
                    if let Ok(mut s) = screen.lock() {
                        s.cursor = Some((x, y));
                        if let Some(shape) = shape {
                            s.cursor_shape = Some(shape);
                            s.cursor_generation += 1;
                        }
                    }
                    wake();
                }
            }
            Ok(msg) => match dec.apply(&msg) {
                Ok(Some(dirty)) => {
                    if screen_ok.load(Ordering::SeqCst) {
                        if let Ok(mut s) = screen.lock() {
                            s.publish(id, &dec, &dirty);
                        }
                        wake();
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(participant = id, "bad screen update: {e}");
                    close(&conn, Refusal::Malformed);
                    break;
                }
            },
            Err(StreamError::Frame(_)) => {
                close(&conn, Refusal::Malformed);
                break;
            }
            Err(_) => break,
        }
    }
    if let Ok(mut s) = screen.lock()
        && s.owner == Some(id)
    {
        s.active = false;
    }
    wake();
}

/// Closes `conn` with `refusal` as the code and its words as the reason.
pub fn close(conn: &quinn::Connection, refusal: Refusal) {
    conn.close(quinn::VarInt::from_u32(refusal.code()), refusal.to_string().as_bytes());
}
