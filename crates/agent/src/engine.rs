//! The agent's engine: the session connection with consent enforced here, on the customer's
//! machine, whatever the console asks.
//!
//! - No frame is captured or sent unless viewing is granted: the capture thread checks before
//!   every capture, and the stream writer checks again before every batch it writes.
//! - No input is injected unless control is granted: the input thread checks before every event;
//!   input that arrives without the grant is dropped and answered with a refusal.
//! - Stop changes the consent state directly (a mutex, not a message), so it takes effect at once
//!   whatever the network does; the host is told afterwards.
//! - One application: only the chosen window's own pixels are sent (what covers it is painted
//!   black), and input is injected only while it has the focus and over a part of it that shows.
//! - A connection the network drops is replaced: the agent comes back to its seat with its
//!   resumption ticket, keeping the consent state, the threads and the downloads under way.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use deskside_codec::{CursorImage, Encoder, FrameRef, Rect, VideoConfig};
use deskside_net::framed::{StreamError, read_msg, write_msg};
use deskside_net::guest::{GuestLink, JoinError, join, refusal_of, resume};
use deskside_net::host::close;
use deskside_net::now_ms;
use deskside_platform::{Changes, InputSink, PlatformError, ScreenSource, WindowView, Windows, window_pixels};
use deskside_proto::{
    AppKind, Capability, ChatLine, ChatTarget, InputEvent, Inventory, Invite, MAX_CONTROL_MSG_BYTES,
    MAX_INPUT_MSG_BYTES, MAX_SCREEN_MSG_BYTES, MonitorInfo, ParticipantInfo, Refusal, Role, ScreenMsg, ToGuest, ToHost,
    UniHeader, Welcome,
};
use deskside_session::Consent;
use tokio::sync::{Notify, mpsc};

use crate::moves::{Ask, MoveAsk, Moves};
use crate::transfer::{Disk, Failure, Transfers, Wanted};

/// Makes the screen source on the capture thread (sources need not be `Send`).
pub type ScreenFactory = Arc<dyn Fn() -> Result<Box<dyn ScreenSource>, PlatformError> + Send + Sync>;
/// Makes the input sink on the input thread.
pub type InputFactory = Arc<dyn Fn() -> Result<Box<dyn InputSink>, PlatformError> + Send + Sync>;
/// Looks at the customer's application windows (for sharing or controlling one alone).
pub type WindowsFactory = Arc<dyn Fn() -> Result<Box<dyn Windows>, PlatformError> + Send + Sync>;
/// Called when there is something new for the UI.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Events queued for the UI.
const EVENT_QUEUE: usize = 1024;
/// Input events queued for injection.
const INPUT_QUEUE: usize = 256;
/// How long the capture thread waits before looking again at the grant or the screen.
const IDLE_POLL: Duration = Duration::from_millis(100);
/// How long after the pointer last moved it is still followed at the frame rate.
const CURSOR_ACTIVE: Duration = Duration::from_secs(1);
/// Share of what the connection carries that video may use: the rest stays free for input,
/// control, lossless tiles and the link's own variation.
const VIDEO_LINK_SHARE: f64 = 0.5;
/// Least time between two "input refused" notices to the host.
const REFUSAL_INTERVAL: Duration = Duration::from_millis(500);
/// Most answers and reports waiting to go to the host: an honest host reads them as fast as it
/// asks; one that floods requests without reading is disconnected here.
const MAX_UNSENT: usize = 1024;

/// Messages for the host not yet written (consent answers, listings, move answers, fetches).
fn unsent(gate: &Gate, moves: &Moves) -> usize {
    gate.consent().unsent() + moves.unsent() + moves.transfers().unsent()
}

/// How the agent reaches the machine.
#[derive(Clone)]
pub struct AgentOptions {
    /// The name the CSR sees.
    pub name: String,
    /// The screen to share.
    pub screen: ScreenFactory,
    /// Where control input lands.
    pub input: InputFactory,
    /// The application windows, for "view one application" and "control one application".
    pub windows: WindowsFactory,
    /// Where downloaded files are written.
    pub disk: Arc<dyn Disk>,
    /// Most frames per second sent.
    pub max_fps: u32,
}

impl AgentOptions {
    /// This machine as it is: its primary screen, enigo for input, its desktop's windows, its
    /// file system, at most 30 frames a second. Change a field for a test or a demo.
    #[must_use]
    pub fn this_machine(name: &str) -> AgentOptions {
        AgentOptions {
            name: name.to_owned(),
            screen: Arc::new(deskside_platform::primary_screen),
            input: Arc::new(|| Ok(Box::new(deskside_platform::EnigoSink::new()?))),
            windows: Arc::new(deskside_platform::desktop_windows),
            disk: Arc::new(crate::transfer::RealDisk),
            max_fps: 30,
        }
    }
}

/// Something for the customer's window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentEvent {
    /// Who is in the session changed.
    Participants(Vec<ParticipantInfo>),
    /// A chat line.
    Chat(ChatLine),
    /// Chat said before this customer joined or came back, oldest first (one piece of it).
    ChatBacklog(Vec<ChatLine>),
    /// The session moved to another support representative's console (they took it over): the
    /// agent is connecting there by itself, with the same grants.
    Moved,
    /// A request arrived, was answered, timed out or a grant changed: re-read the consent state.
    ConsentChanged,
    /// The host refused something.
    Refused(String),
    /// Sharing or control failed on this machine.
    LocalError(String),
    /// The inventory reached the host; the grant is over.
    InventorySent,
    /// The shared application window closed or was hidden: sharing it stopped.
    WindowClosed,
    /// The files on offer, a download, or a move (browse and move files) changed.
    FilesOffered,
    /// The connection dropped: the agent is coming back to its seat by itself (grants stay as
    /// they are, and nothing can be sent meanwhile).
    Reconnecting,
    /// Back in the seat; the welcome carries who is here and all the chat, including what was
    /// said meanwhile.
    Reconnected(Box<Welcome>),
    /// The session is over (ended by the CSR, left, refused, or lost).
    Closed(CloseReason),
}

/// Why a session is over, for the customer's window to say in their language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The CSR ended it; their name.
    EndedBy(String),
    /// One side closed the connection with this reason (the customer left, an invite problem,
    /// a protocol error).
    Refused(Refusal),
    /// The network went away.
    Lost,
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloseReason::EndedBy(by) => write!(f, "{by} ended the session. Nothing is shared any more."),
            CloseReason::Refused(r) => write!(f, "{r}"),
            CloseReason::Lost => {
                f.write_str("The connection to the support representative was lost. Nothing is shared any more.")
            }
        }
    }
}

/// Something the customer does.
enum Command {
    Chat {
        to: ChatTarget,
        text: String,
    },
    Inventory(Box<Inventory>),
    /// The customer allowed pull `id` of `path`: read, hash and list it for the host.
    Pull {
        id: u32,
        path: std::path::PathBuf,
    },
    Leave,
}

/// What of the screen is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Nothing.
    Nothing,
    /// The whole screen (or the monitor the CSR chose).
    Screen,
    /// This application window alone.
    Window(u64),
}

/// Consent plus the bookkeeping the enforcement needs.
pub struct Gate {
    consent: Mutex<Consent>,
    /// Increases whenever viewing stops: a share begun before belongs to an older epoch.
    view_epoch: AtomicU64,
    /// Set when the session is over: every thread stops.
    closed: AtomicBool,
    /// Input refusals not yet reported to the host.
    refusals: AtomicU64,
    /// Why this side closed the connection, when it did.
    local_close: Mutex<Option<Refusal>>,
    /// The monitor the CSR chose to see (`None`: the whole screen).
    monitor: Mutex<Option<u32>>,
    /// The monitor list to tell the host, once the capture thread has it.
    monitors_out: Mutex<Option<Vec<MonitorInfo>>>,
    /// Where the shared picture's top left corner is on the screen (for input coordinates).
    offset: Mutex<(u32, u32)>,
    /// What the connection carries, bits per second, as QUIC's congestion window over the round
    /// trip (0 until the first frame was written).
    link_bps: AtomicU64,
    flush: Notify,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            consent: Mutex::new(Consent::default()),
            view_epoch: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            refusals: AtomicU64::new(0),
            local_close: Mutex::new(None),
            monitor: Mutex::new(None),
            monitors_out: Mutex::new(None),
            offset: Mutex::new((0, 0)),
            link_bps: AtomicU64::new(0),
            flush: Notify::new(),
        }
    }

    /// The consent state, to read.
    pub fn consent(&self) -> MutexGuard<'_, Consent> {
        self.consent.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `cap` is granted right now (never after the session closed).
    pub fn allows(&self, cap: Capability) -> bool {
        !self.closed.load(Ordering::SeqCst) && self.consent().allows(cap)
    }

    fn epoch(&self) -> u64 {
        self.view_epoch.load(Ordering::SeqCst)
    }

    /// What of the screen may be sent right now.
    pub fn sharing(&self) -> Sharing {
        if self.closed.load(Ordering::SeqCst) {
            return Sharing::Nothing;
        }
        let c = self.consent();
        if c.allows(Capability::View) {
            Sharing::Screen
        } else {
            c.app_window().map_or(Sharing::Nothing, Sharing::Window)
        }
    }

    /// The consent state changed; `was` is what was shared before. When that changed, a new
    /// share begins: anything captured for the old one is never sent.
    fn changed(&self, was: Sharing) {
        if self.sharing() != was {
            self.view_epoch.fetch_add(1, Ordering::SeqCst);
        }
        self.flush.notify_one();
    }

    /// Something for the host is waiting (the screen share did not change).
    fn notify(&self) {
        self.flush.notify_one();
    }

    fn end(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.consent().end(now_ms());
        self.view_epoch.fetch_add(1, Ordering::SeqCst);
        self.flush.notify_one();
    }
}

/// The UI's side of a joined session.
pub struct AgentHandle {
    /// The live connection (a new one after coming back from a drop).
    conn: Arc<Mutex<quinn::Connection>>,
    gate: Arc<Gate>,
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<AgentEvent>,
    welcome: Welcome,
    /// The invite, with the host it now names (another console after a hand-over).
    invite: Arc<Mutex<Invite>>,
    transfers: Arc<Transfers>,
    moves: Arc<Moves>,
}

impl AgentHandle {
    /// The moves the CSR asks for or that are under way (browse and move files).
    #[must_use]
    pub fn moves(&self) -> &Arc<Moves> {
        &self.moves
    }

    /// The customer allows or refuses move `id`.
    pub fn answer_move(&self, id: u32, allowed: bool) {
        if let Some(path) = self.moves.answer(id, allowed) {
            let _ = self.commands.try_send(Command::Pull { id, path });
        }
        self.gate.notify();
    }

    /// The files on offer and the downloads.
    #[must_use]
    pub fn transfers(&self) -> &Arc<Transfers> {
        &self.transfers
    }

    /// Downloads offered file `id` into `dir` (resuming a part file there). Refused while one
    /// application is shared.
    pub fn download(&self, id: u32, dir: &std::path::Path) -> Result<(), Failure> {
        let grants = self.gate.consent().grants();
        self.transfers.download(id, dir, grants.view_app || grants.control_app)?;
        self.gate.notify();
        Ok(())
    }

    /// Cancels download `id`: it stops at once and its part file goes.
    pub fn cancel_download(&self, id: u32) {
        self.transfers.cancel(id);
        self.gate.notify();
    }
    /// What the host said when admitting us.
    #[must_use]
    pub fn welcome(&self) -> &Welcome {
        &self.welcome
    }

    /// The invite we joined with, naming the host the session is at now (another console's
    /// address and fingerprint after a hand-over).
    #[must_use]
    pub fn invite(&self) -> Invite {
        lock(&self.invite).clone()
    }

    /// Transport figures of the connection (bytes, packets, round-trip time).
    #[must_use]
    pub fn connection_stats(&self) -> quinn::ConnectionStats {
        lock(&self.conn).stats()
    }

    /// The consent state and its enforcement.
    #[must_use]
    pub fn gate(&self) -> &Arc<Gate> {
        &self.gate
    }

    /// The customer answers a request.
    pub fn answer(&self, request: u32, allowed: bool) {
        let was = self.gate.sharing();
        self.gate.consent().answer(now_ms(), request, allowed);
        self.gate.changed(was);
    }

    /// The customer allows "view one application" for the window `window` they chose.
    pub fn allow_window(&self, request: u32, window: u64) {
        let was = self.gate.sharing();
        self.gate.consent().allow_window(now_ms(), request, window);
        self.gate.changed(was);
    }

    /// The customer stops a grant: effective before this returns.
    pub fn stop(&self, cap: Capability) {
        let was = self.gate.sharing();
        self.gate.consent().stop(now_ms(), cap);
        if cap == Capability::Files {
            self.moves.stop_all();
        }
        self.gate.changed(was);
    }

    /// Sends a chat message.
    #[must_use]
    pub fn chat(&self, to: ChatTarget, text: String) -> bool {
        self.commands.try_send(Command::Chat { to, text }).is_ok()
    }

    /// Sends the inventory the customer chose, if sending it is allowed: once the host has it
    /// the grant stops by itself ([`AgentEvent::InventorySent`]). `false` if it cannot be sent.
    #[must_use]
    pub fn send_inventory(&self, inventory: Inventory) -> bool {
        self.gate.allows(Capability::SystemInfo)
            && inventory.is_valid()
            && self.commands.try_send(Command::Inventory(Box::new(inventory))).is_ok()
    }

    /// Leaves the session: every grant stops at once.
    pub fn leave(&self) {
        self.gate.note_close(Refusal::Left);
        self.gate.end();
        let _ = self.commands.try_send(Command::Leave);
    }

    /// The next event, if one is waiting.
    pub fn try_event(&mut self) -> Option<AgentEvent> {
        self.events.try_recv().ok()
    }

    /// Waits for the next event.
    pub async fn next_event(&mut self) -> Option<AgentEvent> {
        self.events.recv().await
    }
}

impl Drop for AgentHandle {
    fn drop(&mut self) {
        self.gate.end();
    }
}

/// Joins the session `invite` names and starts serving it. Must run on a tokio runtime.
pub async fn start(invite: Invite, opts: AgentOptions, wake: Waker) -> Result<AgentHandle, JoinError> {
    let link = join(&invite, &opts.name, AppKind::Agent, now_ms() / 1000).await?;
    Ok(serve(link, invite, &opts, wake))
}

/// Serves an admitted link (see [`start`]).
pub fn serve(link: GuestLink, invite: Invite, opts: &AgentOptions, wake: Waker) -> AgentHandle {
    let GuestLink { conn, send, recv, welcome, endpoint, .. } = link;
    let gate = Arc::new(Gate::new());
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let (cmd_tx, cmd_rx) = mpsc::channel(64);
    let events = Events { tx: ev_tx, wake };
    let primary = Arc::new(AtomicBool::new(welcome.role == Role::PrimaryCustomer));
    let me = welcome.you;

    let name = welcome.participants.iter().find(|p| p.id == me).map_or_else(|| opts.name.clone(), |p| p.name.clone());
    let (frames_tx, frames_rx) = mpsc::channel::<(u64, Vec<ScreenMsg>)>(1);
    spawn_capture(
        gate.clone(),
        opts.screen.clone(),
        opts.windows.clone(),
        opts.max_fps.max(1),
        frames_tx,
        events.clone(),
    );
    let (input_tx, input_rx) = std::sync::mpsc::sync_channel::<InputEvent>(INPUT_QUEUE);
    spawn_input(gate.clone(), opts.input.clone(), opts.windows.clone(), input_rx, events.clone());
    let shared_conn = Arc::new(Mutex::new(conn.clone()));
    let transfers = Arc::new(Transfers::new(opts.disk.clone()));
    let moves = Arc::new(Moves::new(transfers.clone()));
    let shared_invite = Arc::new(Mutex::new(invite.clone()));

    let session = Supervisor {
        moves: moves.clone(),
        transfers: transfers.clone(),
        invite,
        current_invite: shared_invite.clone(),
        name,
        gate: gate.clone(),
        events,
        primary,
        me,
        conn: shared_conn.clone(),
    };
    tokio::spawn(session.run(Live { conn, send, recv, endpoint }, frames_rx, input_tx, cmd_rx));
    AgentHandle {
        conn: shared_conn,
        gate,
        commands: cmd_tx,
        events: ev_rx,
        welcome,
        invite: shared_invite,
        transfers,
        moves,
    }
}

/// How often a dropped agent tries to come back to its seat.
const RECONNECT_EVERY: Duration = Duration::from_secs(2);

/// One connection's pieces.
struct Live {
    conn: quinn::Connection,
    send: quinn::SendStream,
    recv: quinn::RecvStream,
    /// Kept so the endpoint lives as long as the connection.
    endpoint: quinn::Endpoint,
}

/// Runs the session over one connection after another: when one drops, the agent comes back to
/// its seat with its resumption ticket for as long as the host holds it, keeping the customer's
/// grants (the capture and input threads, the consent state and the customer's window go on).
struct Supervisor {
    /// The invite as the handle shows it (updated when the session moves to another console).
    current_invite: Arc<Mutex<Invite>>,
    moves: Arc<Moves>,
    transfers: Arc<Transfers>,
    invite: Invite,
    name: String,
    gate: Arc<Gate>,
    events: Events,
    primary: Arc<AtomicBool>,
    me: u32,
    conn: Arc<Mutex<quinn::Connection>>,
}

impl Supervisor {
    async fn run(
        self,
        mut live: Live,
        mut frames: mpsc::Receiver<(u64, Vec<ScreenMsg>)>,
        input: std::sync::mpsc::SyncSender<InputEvent>,
        mut commands: mpsc::Receiver<Command>,
    ) {
        let gate = &self.gate;
        let mut ticket: Option<[u8; 16]> = None;
        let mut invite = self.invite.clone();
        let mut resumed = false;
        let why = loop {
            let Live { conn, send, recv, endpoint } = live;
            let why = {
                // Everything but the control reader ends with the connection or waits for it.
                let helpers = async {
                    tokio::join!(
                        deny_unanswered(gate.clone(), self.events.clone()),
                        write_screen(conn.clone(), gate.clone(), &mut frames),
                        accept_input(conn.clone(), gate.clone(), input.clone(), &self.transfers, &self.events),
                        write_control(
                            conn.clone(),
                            send,
                            gate.clone(),
                            &mut commands,
                            self.events.clone(),
                            resumed,
                            &self.moves
                        ),
                    );
                    std::future::pending::<()>().await;
                };
                let reader = read_control(
                    conn.clone(),
                    recv,
                    gate.clone(),
                    self.events.clone(),
                    self.primary.clone(),
                    self.me,
                    (&mut ticket, &mut invite),
                    &self.moves,
                );
                tokio::select! {
                    why = reader => why,
                    () = helpers => CloseReason::Lost,
                }
            };
            drop(endpoint);
            let Some(t) = ticket.take().filter(|_| why == CloseReason::Lost && !gate.closed.load(Ordering::SeqCst))
            else {
                break why;
            };
            *lock(&self.current_invite) = invite.clone();
            self.events.emit(AgentEvent::Reconnecting);
            match self.reconnect(&invite, t).await {
                Ok(link) => {
                    // The new screen stream starts from a complete picture.
                    gate.view_epoch.fetch_add(1, Ordering::SeqCst);
                    *lock(&self.conn) = link.conn.clone();
                    self.primary.store(link.welcome.role == Role::PrimaryCustomer, Ordering::SeqCst);
                    self.events.emit(AgentEvent::Reconnected(Box::new(link.welcome)));
                    resumed = true;
                    // Downloads the drop broke continue from what they hold.
                    self.transfers.resume_interrupted();
                    live = Live { conn: link.conn, send: link.send, recv: link.recv, endpoint: link.endpoint };
                }
                Err(why) => break why,
            }
        };
        gate.end();
        self.events.emit(AgentEvent::ConsentChanged);
        // The one event that must not be lost when the queue is full (a host that flooded it):
        // waited for, so the window always learns the session is over.
        let _ = self.events.tx.send(AgentEvent::Closed(why)).await;
        (self.events.wake)();
    }

    /// Tries to come back with `ticket` until the host's minute is up, the host refuses, or the
    /// customer leaves.
    async fn reconnect(&self, invite: &Invite, ticket: [u8; 16]) -> Result<GuestLink, CloseReason> {
        let deadline = Instant::now() + Duration::from_millis(deskside_proto::RESUME_WINDOW_MS);
        loop {
            if self.gate.closed.load(Ordering::SeqCst) {
                return Err(CloseReason::Refused(Refusal::Left));
            }
            match resume(invite, ticket, &self.name, AppKind::Agent).await {
                Ok(link) => return Ok(link),
                Err(JoinError::Refused(r)) => return Err(CloseReason::Refused(r)),
                Err(e) => tracing::info!("not back yet: {e}"),
            }
            if Instant::now() >= deadline {
                return Err(CloseReason::Lost);
            }
            tokio::time::sleep(RECONNECT_EVERY).await;
        }
    }
}

#[derive(Clone)]
struct Events {
    tx: mpsc::Sender<AgentEvent>,
    wake: Waker,
}

impl Events {
    fn emit(&self, ev: AgentEvent) {
        let _ = self.tx.try_send(ev);
        (self.wake)();
    }
}

/// Denies requests left unanswered for two minutes, checking every second, for as long as the
/// connection lasts.
async fn deny_unanswered(gate: Arc<Gate>, events: Events) {
    let mut timer = tokio::time::interval(Duration::from_secs(1));
    loop {
        timer.tick().await;
        let mut c = gate.consent();
        let before = c.pending().map(|p| p.request);
        c.handle_timeout(now_ms());
        let changed = c.pending().map(|p| p.request) != before;
        drop(c);
        if changed {
            gate.notify();
            events.emit(AgentEvent::ConsentChanged);
        }
    }
}

/// Reads the host's control messages until the connection ends, and says why it ended.
#[allow(clippy::too_many_arguments)] // The pieces of one connection and the session's shared state.
async fn read_control(
    conn: quinn::Connection,
    mut recv: quinn::RecvStream,
    gate: Arc<Gate>,
    events: Events,
    primary: Arc<AtomicBool>,
    me: u32,
    (ticket, invite): (&mut Option<[u8; 16]>, &mut Invite),
    moves: &Arc<Moves>,
) -> CloseReason {
    let transfers = moves.transfers();
    let mut offered: Vec<deskside_proto::OfferedFile> = Vec::new();
    loop {
        // A host that keeps asking without reading the answers: every answer waiting to go is
        // held here, so that is where it stops.
        if unsent(&gate, moves) > MAX_UNSENT {
            tracing::warn!("the host sends requests without reading the answers; closing");
            gate.close(&conn, Refusal::NotAllowed);
            break CloseReason::Refused(Refusal::NotAllowed);
        }
        // Never raced against anything: a read dropped half way would lose the bytes it took and
        // the next message would be read from the middle of this one.
        let msg = read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES).await;
        match msg {
            Ok(m) if !m.is_valid() => {
                gate.close(&conn, Refusal::Malformed);
                break CloseReason::Refused(Refusal::Malformed);
            }
            Ok(
                m @ (ToGuest::ListFolder { .. }
                | ToGuest::PushAsk { .. }
                | ToGuest::PushFiles { .. }
                | ToGuest::PullAsk { .. }
                | ToGuest::FetchPulled { .. }
                | ToGuest::MoveCancelled { .. }),
            ) => moves_message(&conn, &gate, &events, moves, m),
            Ok(ToGuest::ConsentRequest { request, capability, from_name }) => {
                // Only the primary customer's screen is shared or controlled; any customer may
                // describe their machine.
                if primary.load(Ordering::SeqCst) || !capability.is_screen() {
                    gate.consent().handle_request(now_ms(), request, capability, &from_name);
                } else {
                    gate.consent().answer(now_ms(), request, false);
                }
                gate.notify();
                events.emit(AgentEvent::ConsentChanged);
            }
            Ok(ToGuest::Chat(line)) => events.emit(AgentEvent::Chat(line)),
            Ok(ToGuest::Participants(list)) => {
                let still_primary = list.iter().any(|p| p.id == me && p.role == Role::PrimaryCustomer);
                if primary.swap(still_primary, Ordering::SeqCst) && !still_primary {
                    let was = gate.sharing();
                    for cap in Capability::ALL.into_iter().filter(|c| c.is_screen()) {
                        gate.consent().stop(now_ms(), cap);
                    }
                    gate.changed(was);
                    events.emit(AgentEvent::ConsentChanged);
                }
                events.emit(AgentEvent::Participants(list));
            }
            Ok(ToGuest::Refused { reason }) => events.emit(AgentEvent::Refused(reason)),
            Ok(ToGuest::SelectMonitor { index }) => *lock(&gate.monitor) = index,
            Ok(ToGuest::SystemInfoReceived) => {
                // One inventory per grant: it is used up.
                gate.consent().stop(now_ms(), Capability::SystemInfo);
                gate.notify();
                events.emit(AgentEvent::InventorySent);
                events.emit(AgentEvent::ConsentChanged);
            }
            Ok(ToGuest::SessionEnded { by }) => break CloseReason::EndedBy(by),
            Ok(ToGuest::Ticket(t)) => *ticket = Some(t),
            Ok(ToGuest::MoveTo { addrs, fingerprint, ticket: t }) => {
                // The host this connection is pinned to hands the session to another console:
                // come back to the same seat there, grants as they are.
                invite.addrs = addrs;
                invite.fingerprint = fingerprint;
                *ticket = Some(t);
                events.emit(AgentEvent::Moved);
                conn.close(quinn::VarInt::from_u32(0), b"moved");
                break CloseReason::Lost;
            }
            Ok(ToGuest::FilesOffered { files, last }) => {
                // The list comes in pieces; it replaces the last one once whole.
                if offered.len() + files.len() > deskside_proto::MAX_FILES_OFFERED {
                    gate.close(&conn, Refusal::Malformed);
                    break CloseReason::Refused(Refusal::Malformed);
                }
                offered.extend(files);
                if last {
                    transfers.set_offered(std::mem::take(&mut offered));
                    gate.notify();
                    events.emit(AgentEvent::FilesOffered);
                }
            }
            Ok(ToGuest::ChatBacklog(lines)) => events.emit(AgentEvent::ChatBacklog(lines)),
            Ok(ToGuest::FileUnavailable { file }) => {
                transfers.unavailable(file);
                gate.notify();
                events.emit(AgentEvent::FilesOffered);
            }
            Ok(ToGuest::Welcome(_) | ToGuest::Preview(_)) | Err(StreamError::Frame(_)) => {
                gate.close(&conn, Refusal::Malformed);
                break CloseReason::Refused(Refusal::Malformed);
            }
            Err(_) => {
                // The stream may end just before the close that says why: wait for it briefly.
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
                break closed_reason(&conn, &gate);
            }
        }
    }
}

fn closed_reason(conn: &quinn::Connection, gate: &Gate) -> CloseReason {
    if let Some(local) = *gate.local_close.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
        return CloseReason::Refused(local);
    }
    conn.close_reason().as_ref().and_then(refusal_of).map_or(CloseReason::Lost, CloseReason::Refused)
}

/// Writes what the consent state, the capture thread and the customer have for the host. On a
/// `resumed` connection it first says what is granted now (it may have changed while away).
#[allow(clippy::too_many_arguments)] // The pieces of one connection and the session's shared state.
async fn write_control(
    conn: quinn::Connection,
    mut send: quinn::SendStream,
    gate: Arc<Gate>,
    commands: &mut mpsc::Receiver<Command>,
    events: Events,
    resumed: bool,
    moves: &Arc<Moves>,
) {
    let transfers = moves.transfers();
    if resumed {
        let grants = gate.consent().grants();
        if write_msg(&mut send, &ToHost::Grants(grants), MAX_CONTROL_MSG_BYTES).await.is_err() {
            return;
        }
    }
    loop {
        let mut outputs: Vec<ToHost> = std::iter::from_fn(|| gate.consent().poll_output()).collect();
        if gate.refusals.swap(0, Ordering::SeqCst) > 0 {
            outputs.push(ToHost::InputRefused);
        }
        if let Some(list) = lock(&gate.monitors_out).take() {
            outputs.push(ToHost::Monitors(list));
        }
        outputs.extend(transfers.take_outbox().into_iter().map(|w| match w {
            Wanted::Fetch { file, offset, prefix_sha256 } => ToHost::FetchFile { file, offset, prefix_sha256 },
            Wanted::Done { file, outcome } => ToHost::FileDone { file, outcome },
        }));
        outputs.extend(moves.take_outbox());
        for msg in outputs {
            if write_msg(&mut send, &msg, MAX_CONTROL_MSG_BYTES).await.is_err() {
                return;
            }
        }
        tokio::select! {
            () = gate.flush.notified() => {}
            cmd = commands.recv() => match cmd {
                Some(Command::Chat { to, text }) => {
                    if write_msg(&mut send, &ToHost::Chat { to, text }, MAX_CONTROL_MSG_BYTES).await.is_err() {
                        return;
                    }
                }
                Some(Command::Inventory(inventory)) => {
                    tokio::spawn(send_inventory(conn.clone(), gate.clone(), *inventory, events.clone()));
                }
                Some(Command::Pull { id, path }) => {
                    tokio::spawn(prepare_pull(gate.clone(), moves.clone(), events.clone(), id, path));
                }
                Some(Command::Leave) | None => {
                    let _ = write_msg(&mut send, &ToHost::Leave, MAX_CONTROL_MSG_BYTES).await;
                    let _ = send.finish();
                    let _ = tokio::time::timeout(Duration::from_secs(1), send.stopped()).await;
                    gate.close(&conn, Refusal::Left);
                    return;
                }
            },
        }
    }
}

/// Whether the CSR may browse and move files now: allowed, and no application shared.
fn files_allowed(gate: &Gate) -> bool {
    let g = gate.consent().grants();
    g.files && !g.view_app && !g.control_app
}

/// A message of the advanced file transfer: each is acted on only while the customer allows
/// browsing and moving files; a move waits for the customer's own answer.
fn moves_message(conn: &quinn::Connection, gate: &Arc<Gate>, events: &Events, moves: &Arc<Moves>, msg: ToGuest) {
    let allowed = files_allowed(gate);
    let refused = "the customer has not allowed browsing and moving files".to_owned();
    match msg {
        ToGuest::ListFolder { req, at } => {
            if allowed && moves.start_listing(req, at.clone()) {
                // One listing read at a time, on a thread of the blocking pool; the newest asked
                // meanwhile is read next.
                let (moves, gate) = (moves.clone(), gate.clone());
                tokio::task::spawn_blocking(move || {
                    let mut next = Some((req, at));
                    while let Some((req, at)) = next {
                        moves.send(ToHost::Folder { req, listing: crate::moves::list_folder(&at) });
                        gate.notify();
                        next = moves.next_listing();
                    }
                });
            } else if !allowed {
                moves.send(ToHost::Folder { req, listing: Err(refused) });
            }
        }
        ToGuest::PushAsk { push, from_name, summary, folder, on_conflict } => {
            if allowed && crate::moves::usable_folder(&folder).is_none() {
                // A relative, hidden or missing folder is never even put to the customer.
                moves.send(ToHost::PushAnswer {
                    push,
                    allowed: false,
                    reason: Some("that folder cannot be used".into()),
                });
            } else if allowed {
                moves.ask(MoveAsk { id: push, from_name, ask: Ask::Push { summary, folder, on_conflict } });
            } else {
                moves.send(ToHost::PushAnswer { push, allowed: false, reason: Some(refused) });
            }
        }
        ToGuest::PushFiles { push, files, last } if allowed => {
            if let Err(why) = moves.transfers().add_moved(push, files, last) {
                tracing::warn!(push, "the files of a push are not what the customer allowed: {}", why.words());
                moves.failed(push, &why);
            }
        }
        ToGuest::PullAsk { pull, from_name, folder, name } => {
            if allowed {
                let (moves, gate, events) = (moves.clone(), gate.clone(), events.clone());
                tokio::task::spawn_blocking(move || {
                    match crate::moves::summary_of(&folder, &name) {
                        Ok((path, summary)) => {
                            let path = path.to_string_lossy().into_owned();
                            moves.ask(MoveAsk { id: pull, from_name, ask: Ask::Pull { summary, path } });
                        }
                        Err(reason) => moves.send(ToHost::PullRefused { pull, reason }),
                    }
                    gate.notify();
                    events.emit(AgentEvent::FilesOffered);
                });
            } else {
                moves.send(ToHost::PullRefused { pull, reason: refused });
            }
        }
        ToGuest::FetchPulled { file, offset, prefix_sha256 } => {
            if let Some((offered, path, stop)) = moves.fetch(file).filter(|_| allowed) {
                let (conn, moves, events) = (conn.clone(), moves.clone(), events.clone());
                tokio::spawn(async move {
                    let progress = |p: deskside_net::files::Progress| {
                        moves.sent(p.file, p.done, p.done == p.total);
                        (events.wake)();
                    };
                    let sent = deskside_net::files::send_file(
                        &conn,
                        0,
                        &offered,
                        path,
                        offset,
                        prefix_sha256,
                        &stop,
                        progress,
                    )
                    .await;
                    if let Err(e) = sent {
                        tracing::info!(file, "pulled file not sent: {e}");
                    }
                    events.emit(AgentEvent::FilesOffered);
                });
            }
        }
        ToGuest::MoveCancelled { id } => moves.cancelled(id),
        _ => {}
    }
    gate.notify();
    events.emit(AgentEvent::FilesOffered);
}

/// Reads and hashes an allowed pull on a task (the customer sees its progress), then lists its
/// files for the host.
async fn prepare_pull(gate: Arc<Gate>, moves: Arc<Moves>, events: Events, id: u32, path: std::path::PathBuf) {
    let first = moves.reserve(deskside_proto::files::MAX_MOVE_FILES as u32);
    let progress = |done, _| {
        moves.preparing(id, done);
        (events.wake)();
    };
    let prepared = deskside_net::moves::prepare(path, first, progress).await.map_err(|e| e.to_string());
    moves.prepared(id, prepared);
    gate.notify();
    events.emit(AgentEvent::FilesOffered);
}

/// Sends the inventory on its own stream (checked against the grant first). The host answers
/// [`ToGuest::SystemInfoReceived`] once it has taken it, which ends the grant; if it cannot be
/// sent the grant ends here.
async fn send_inventory(conn: quinn::Connection, gate: Arc<Gate>, inventory: Inventory, events: Events) {
    if !gate.allows(Capability::SystemInfo) {
        return;
    }
    let sent = async {
        let mut s = conn.open_uni().await.ok()?;
        write_msg(&mut s, &UniHeader::Inventory, deskside_proto::MAX_UNI_HEADER_BYTES).await.ok()?;
        write_msg(&mut s, &inventory, deskside_proto::MAX_INVENTORY_BYTES).await.ok()?;
        s.finish().ok()
    };
    if tokio::time::timeout(Duration::from_secs(60), sent).await.ok().flatten().is_none() {
        gate.consent().stop(now_ms(), Capability::SystemInfo);
        gate.notify();
        events.emit(AgentEvent::LocalError("the system information could not be sent".into()));
        events.emit(AgentEvent::ConsentChanged);
    }
}

/// The capture thread: captures and encodes only while viewing is granted. It waits for the
/// screen to change (sources with damage tracking wake it at once; others answer at once and are
/// paced), captures, and encodes what changed, at most `max_fps` times a second.
fn spawn_capture(
    gate: Arc<Gate>,
    factory: ScreenFactory,
    windows_factory: WindowsFactory,
    max_fps: u32,
    frames: mpsc::Sender<(u64, Vec<ScreenMsg>)>,
    events: Events,
) {
    let min_interval = Duration::from_secs(1) / max_fps;
    let spawned = std::thread::Builder::new().name("deskside-capture".into()).spawn(move || {
        let mut source: Option<Box<dyn ScreenSource>> = None;
        // Video pictures at most at the video path's own rate (30 a second by default).
        let video =
            VideoConfig { max_fps: VideoConfig::default().max_fps.min(max_fps as f32), ..VideoConfig::default() };
        let mut encoder = Encoder::default().with_video(video);
        // The encoder's clock (it reads none of its own): milliseconds since the thread started.
        let started = Instant::now();
        let mut epoch = gate.epoch();
        let mut last_frame: Option<Instant> = None;
        let mut last_cursor: Option<(i32, i32)> = None;
        let mut last_shape: Option<CursorImage> = None;
        let mut cursor_moved: Option<Instant> = None;
        let mut monitors: Vec<MonitorInfo> = Vec::new();
        let mut crop: Option<Rect> = None;
        // Capture once without waiting for damage (the shared area changed on an idle screen).
        let mut force_capture = false;
        // One application's windows, while one is shared, and its pixels cut out of the screen.
        let mut windows: Option<Box<dyn Windows>> = None;
        let mut window_buf: Vec<u8> = Vec::new();
        // What was painted black in the last picture sent: when that changes, a window moved
        // over or off the shared one, which the screen's damage may not show inside it.
        let mut window_covered: Vec<Rect> = Vec::new();
        while !gate.closed.load(Ordering::SeqCst) {
            if gate.epoch() != epoch {
                // A new share: start it from a fresh source, which reports a complete first frame
                // even when the screen is idle.
                epoch = gate.epoch();
                source = None;
            }
            let sharing = gate.sharing();
            if sharing == Sharing::Nothing {
                source = None;
                windows = None;
                std::thread::sleep(IDLE_POLL);
                continue;
            }
            let stop_sharing = |why: Option<String>| {
                events.emit(why.map_or(AgentEvent::WindowClosed, AgentEvent::LocalError));
                let was = gate.sharing();
                for cap in [Capability::View, Capability::ViewApp] {
                    gate.consent().stop(now_ms(), cap);
                }
                gate.changed(was);
                events.emit(AgentEvent::ConsentChanged);
            };
            if source.is_none() {
                match factory() {
                    Ok(s) => source = Some(s),
                    Err(e) => {
                        stop_sharing(Some(e.to_string()));
                        continue;
                    }
                }
                encoder.reset();
                last_cursor = None;
                last_shape = None;
                monitors = source.as_mut().and_then(|s| s.monitors().ok()).unwrap_or_default();
                if monitors.len() > 1 {
                    *lock(&gate.monitors_out) = Some(monitors.clone());
                    gate.flush.notify_one();
                }
            }
            // One application: where its window is now (it may have moved, or closed).
            let window = match sharing {
                Sharing::Window(id) => match window_view(&mut windows, &windows_factory, id) {
                    Ok(Some(v)) => Some((id, v)),
                    Ok(None) => {
                        stop_sharing(None);
                        continue;
                    }
                    Err(e) => {
                        stop_sharing(Some(e.to_string()));
                        continue;
                    }
                },
                _ => None,
            };
            // The part of the screen shared: the window, the chosen monitor, or everything.
            let wanted = match &window {
                Some((_, v)) => Some(v.rect),
                None => (*lock(&gate.monitor)).and_then(|i| monitors.get(i as usize)).map(|m| Rect {
                    x: m.x,
                    y: m.y,
                    w: m.width,
                    h: m.height,
                }),
            };
            if window.as_ref().is_some_and(|(_, v)| v.covered != window_covered) {
                force_capture = true;
            }
            if wanted != crop {
                crop = wanted;
                *lock(&gate.offset) = crop.map_or((0, 0), |c| (c.x, c.y));
                encoder.reset();
                last_cursor = None;
                force_capture = true;
            }
            // Video quality follows what the connection carries (latest frame wins already paces
            // the frame rate: the next capture waits while a frame is being written).
            let link = gate.link_bps.load(Ordering::Relaxed);
            if link > 0 {
                let share = (link as f64 * VIDEO_LINK_SHARE).min(f64::from(video.bitrate_1080p_bps));
                encoder.set_video_bitrate(share as u32);
            }
            let Some(src) = source.as_mut() else { continue };
            if let Some(t) = last_frame {
                std::thread::sleep(min_interval.saturating_sub(t.elapsed()));
            }
            // While the pointer moves, look again at the frame rate; at rest, rarely.
            let moving = cursor_moved.is_some_and(|t| t.elapsed() < CURSOR_ACTIVE) || encoder.video_pending();
            let changes = if std::mem::take(&mut force_capture) {
                Ok(Changes::Unknown)
            } else {
                src.wait_for_change(if moving { min_interval } else { IDLE_POLL })
            };
            if gate.sharing() != sharing || gate.epoch() != epoch {
                continue;
            }
            match src.cursor() {
                // One application: the pointer is shown only over the shared window.
                Ok(Some(c)) if window.as_ref().is_some_and(|(_, v)| !v.shows(c.x, c.y)) => {
                    if last_cursor != Some((-1, -1)) {
                        last_cursor = Some((-1, -1));
                        if frames.blocking_send((epoch, vec![ScreenMsg::Cursor { x: -1, y: -1, shape: None }])).is_err()
                        {
                            break;
                        }
                    }
                }
                Ok(Some(c)) => {
                    // A picture identical to the last one sent is not sent again.
                    let shape = c.shape.filter(|s| last_shape.as_ref() != Some(s));
                    if Some((c.x, c.y)) != last_cursor || shape.is_some() {
                        last_cursor = Some((c.x, c.y));
                        cursor_moved = Some(Instant::now());
                        let packed = shape.as_ref().map(CursorImage::pack);
                        if shape.is_some() {
                            last_shape = shape;
                        }
                        let (ox, oy) = crop.map_or((0, 0), |c| (c.x as i32, c.y as i32));
                        let msg = ScreenMsg::Cursor { x: c.x - ox, y: c.y - oy, shape: packed };
                        if frames.blocking_send((epoch, vec![msg])).is_err() {
                            break;
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::debug!("cursor unavailable: {e}"),
            }
            let damage = match changes {
                // While a rectangle is coded as video, look even when nothing changed: once it
                // has been still for a moment the encoder sends it losslessly again.
                Ok(Changes::None) if encoder.video_rect().is_some() => Some(Vec::new()),
                Ok(Changes::None) => continue,
                Ok(Changes::Unknown) => None,
                Ok(Changes::Areas(rects)) => Some(rects),
                Err(e) => {
                    events.emit(AgentEvent::LocalError(e.to_string()));
                    source = None;
                    continue;
                }
            };
            // The grant may have been stopped while waiting: check again before capturing.
            if gate.sharing() != sharing || gate.epoch() != epoch {
                continue;
            }
            last_frame = Some(Instant::now());
            let now_ms = started.elapsed().as_millis() as u64;
            let coded = match src.capture() {
                Ok(Some(frame)) if window.is_some() => {
                    // Only the window's own pixels: whatever covered it before or after the
                    // capture is painted black, and a window that moved meanwhile is looked at
                    // again instead of sent.
                    let Some((id, before)) = window.as_ref() else { continue };
                    let after = match window_view(&mut windows, &windows_factory, *id) {
                        Ok(Some(v)) if v.rect == before.rect => v,
                        _ => {
                            force_capture = true;
                            continue;
                        }
                    };
                    let mut view = before.clone();
                    view.covered.extend(after.covered);
                    view.covered.dedup();
                    if !window_pixels(&frame, &view, &mut window_buf) {
                        force_capture = true;
                        continue;
                    }
                    window_covered.clone_from(&view.covered);
                    let part = FrameRef {
                        width: view.rect.w,
                        height: view.rect.h,
                        stride: view.rect.w as usize * 4,
                        data: &window_buf,
                    };
                    // What covers the window may have moved without the window changing:
                    // compare everything.
                    encoder.encode_at(&part, None, now_ms)
                }
                Ok(Some(frame)) => match crop.and_then(|c| crop_frame(&frame, c).map(|part| (c, part))) {
                    Some((c, part)) => {
                        let moved = damage.as_deref().map(|d| crop_damage(d, c));
                        encoder.encode_at(&part, moved.as_deref(), now_ms)
                    }
                    None => encoder.encode_at(&frame, damage.as_deref(), now_ms),
                },
                Ok(None) => continue,
                Err(e) => {
                    events.emit(AgentEvent::LocalError(e.to_string()));
                    source = None;
                    continue;
                }
            };
            match coded {
                Ok(Some(update)) => {
                    // Waits while the previous frame is still being written: the next capture is
                    // of the screen as it is then (latest frame wins).
                    if frames.blocking_send((epoch, update.batches)).is_err() {
                        break;
                    }
                }
                Ok(None) => {}
                Err(e) => events.emit(AgentEvent::LocalError(e.to_string())),
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!("cannot start the capture thread: {e}");
    }
}

/// Where window `id` is, through the window probe (made on first use).
fn window_view(
    windows: &mut Option<Box<dyn Windows>>,
    factory: &WindowsFactory,
    id: u64,
) -> Result<Option<WindowView>, PlatformError> {
    if windows.is_none() {
        *windows = Some(factory()?);
    }
    match windows.as_mut() {
        Some(w) => w.view(id),
        None => Ok(None),
    }
}

/// The part of `frame` inside `c` (`None` if `c` does not fit: then the whole frame is sent).
fn crop_frame<'a>(frame: &FrameRef<'a>, c: Rect) -> Option<FrameRef<'a>> {
    let fits = c.w > 0 && c.h > 0 && c.x + c.w <= frame.width && c.y + c.h <= frame.height;
    fits.then(|| FrameRef {
        width: c.w,
        height: c.h,
        stride: frame.stride,
        data: &frame.data[c.y as usize * frame.stride + c.x as usize * 4..],
    })
}

/// `damage` inside `c`, relative to its corner.
fn crop_damage(damage: &[Rect], c: Rect) -> Vec<Rect> {
    damage
        .iter()
        .filter_map(|d| {
            let (x0, y0) = (d.x.max(c.x), d.y.max(c.y));
            let (x1, y1) = ((d.x + d.w).min(c.x + c.w), (d.y + d.h).min(c.y + c.h));
            (x1 > x0 && y1 > y0).then(|| Rect { x: x0 - c.x, y: y0 - c.y, w: x1 - x0, h: y1 - y0 })
        })
        .collect()
}

/// Writes frames on a screen stream, one stream per grant. Checks the grant before every batch;
/// when viewing stops, the stream is reset, discarding anything not yet sent.
async fn write_screen(conn: quinn::Connection, gate: Arc<Gate>, frames: &mut mpsc::Receiver<(u64, Vec<ScreenMsg>)>) {
    let mut stream: Option<(u64, quinn::SendStream)> = None;
    while let Some((epoch, batches)) = frames.recv().await {
        if stream.as_ref().is_some_and(|(e, _)| *e != epoch)
            && let Some((_, mut s)) = stream.take()
        {
            let _ = s.reset(quinn::VarInt::from_u32(0));
        }
        for batch in &batches {
            if gate.sharing() == Sharing::Nothing || gate.epoch() != epoch {
                if let Some((_, mut s)) = stream.take() {
                    let _ = s.reset(quinn::VarInt::from_u32(0));
                }
                break;
            }
            if stream.is_none() {
                let Ok(mut s) = conn.open_uni().await else {
                    return;
                };
                if write_msg(&mut s, &UniHeader::Screen, deskside_proto::MAX_UNI_HEADER_BYTES).await.is_err() {
                    return;
                }
                stream = Some((epoch, s));
            }
            let Some((_, s)) = stream.as_mut() else { break };
            if write_msg(s, batch, MAX_SCREEN_MSG_BYTES).await.is_err() {
                stream = None;
                break;
            }
        }
        let path = conn.stats().path;
        let rtt = path.rtt.as_secs_f64().max(0.001);
        gate.link_bps.store((path.cwnd as f64 * 8.0 / rtt) as u64, Ordering::Relaxed);
    }
}

/// Accepts the host's input stream; anything else from the host is refused.
async fn accept_input(
    conn: quinn::Connection,
    gate: Arc<Gate>,
    input: std::sync::mpsc::SyncSender<InputEvent>,
    transfers: &Arc<Transfers>,
    events: &Events,
) {
    // Every stream is served on its own task: a long-lived input stream must not keep a file
    // from being accepted, nor the other way round.
    while let Ok(mut recv) = conn.accept_uni().await {
        match read_msg::<UniHeader>(&mut recv, deskside_proto::MAX_UNI_HEADER_BYTES).await {
            Ok(UniHeader::Input) => {
                tokio::spawn(read_input(conn.clone(), gate.clone(), input.clone(), recv));
            }
            Ok(UniHeader::File { file, offset }) => {
                // A file on its own stream; only one that was asked for is taken.
                let (transfers, gate, events) = (transfers.clone(), gate.clone(), events.clone());
                tokio::spawn(async move {
                    let app_shared = || {
                        let g = gate.consent().grants();
                        g.view_app || g.control_app
                    };
                    let wake = events.wake.clone();
                    transfers.receive(file, offset, recv, app_shared, move || wake()).await;
                    gate.notify();
                    events.emit(AgentEvent::FilesOffered);
                });
            }
            Ok(UniHeader::Screen | UniHeader::Inventory | UniHeader::HandOver) => {
                gate.close(&conn, Refusal::NotAllowed);
                return;
            }
            Err(StreamError::Frame(_) | StreamError::Finished) => {
                gate.close(&conn, Refusal::Malformed);
                return;
            }
            // Reset before its header arrived (a file withdrawn at once): only that stream goes;
            // the download hears it from the list of files on offer.
            Err(_) => {}
        }
    }
}

/// Reads one input stream: events go to the input thread only while control is granted; others
/// are dropped and the host is told (at most every [`REFUSAL_INTERVAL`]).
async fn read_input(
    conn: quinn::Connection,
    gate: Arc<Gate>,
    input: std::sync::mpsc::SyncSender<InputEvent>,
    mut recv: quinn::RecvStream,
) {
    let mut last_refusal: Option<Instant> = None;
    loop {
        match read_msg::<InputEvent>(&mut recv, MAX_INPUT_MSG_BYTES).await {
            Ok(ev) if ev.is_valid() => {
                if gate.allows(Capability::Control) || gate.allows(Capability::ControlApp) {
                    if input.try_send(ev).is_err() {
                        tracing::warn!("input queue full; event dropped");
                    }
                } else if last_refusal.is_none_or(|t| t.elapsed() >= REFUSAL_INTERVAL) {
                    last_refusal = Some(Instant::now());
                    gate.consent_refusal();
                }
            }
            Ok(_) | Err(StreamError::Frame(_)) => {
                gate.close(&conn, Refusal::Malformed);
                return;
            }
            Err(_) => return,
        }
    }
}

/// Locks `m`, whatever a panicking holder left (the data are plain values).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Gate {
    fn note_close(&self, why: Refusal) {
        let mut local = self.local_close.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        local.get_or_insert(why);
    }

    /// Closes `conn` for `why`, remembering it so the customer is told the right reason.
    fn close(&self, conn: &quinn::Connection, why: Refusal) {
        self.note_close(why);
        close(conn, why);
    }

    /// Tells the host its input was refused (through the control writer).
    fn consent_refusal(&self) {
        self.refusals.fetch_add(1, Ordering::SeqCst);
        self.flush.notify_one();
    }
}

/// Whether input event `ev` (coordinates relative to the shared picture, whose corner is at
/// `offset` on the screen) lands in window `id`: the window has the focus, and a pointer event is
/// over a part of it nothing covers. A window that cannot be looked at takes nothing.
fn lands_in_window(
    windows: &mut Option<Box<dyn Windows>>,
    factory: &WindowsFactory,
    id: u64,
    ev: &InputEvent,
    offset: (u32, u32),
) -> bool {
    let Ok(Some(view)) = window_view(windows, factory, id) else { return false };
    if !view.focused {
        return false;
    }
    let Some(w) = windows.as_mut() else { return false };
    match ev {
        InputEvent::MouseMove { x, y } => {
            view.shows(x.saturating_add(offset.0) as i32, y.saturating_add(offset.1) as i32)
        }
        InputEvent::MouseButton { .. } | InputEvent::Wheel { .. } => w.pointer().is_ok_and(|(x, y)| view.shows(x, y)),
        _ => true,
    }
}

/// The input thread: injects only while control is granted, checked per event.
fn spawn_input(
    gate: Arc<Gate>,
    factory: InputFactory,
    windows_factory: WindowsFactory,
    events_rx: std::sync::mpsc::Receiver<InputEvent>,
    events: Events,
) {
    let spawned = std::thread::Builder::new().name("deskside-input".into()).spawn(move || {
        let mut sink: Option<Box<dyn InputSink>> = None;
        let mut windows: Option<Box<dyn Windows>> = None;
        while let Ok(ev) = events_rx.recv() {
            if !gate.allows(Capability::Control) {
                // One application only: the event must land in the shared window, while it has
                // the focus and where no other window covers it.
                let inside = gate.allows(Capability::ControlApp)
                    && gate.consent().app_window().is_some_and(|id| {
                        let (ox, oy) = *lock(&gate.offset);
                        lands_in_window(&mut windows, &windows_factory, id, &ev, (ox, oy))
                    });
                if !inside {
                    gate.consent_refusal();
                    continue;
                }
            }
            if sink.is_none() {
                match factory() {
                    Ok(s) => sink = Some(s),
                    Err(e) => {
                        events.emit(AgentEvent::LocalError(e.to_string()));
                        continue;
                    }
                }
            }
            // The console's coordinates are in the shared picture; the screen's start at the
            // chosen monitor's corner.
            let ev = match ev {
                InputEvent::MouseMove { x, y } => {
                    let (ox, oy) = *lock(&gate.offset);
                    InputEvent::MouseMove { x: x.saturating_add(ox), y: y.saturating_add(oy) }
                }
                other => other,
            };
            if let Some(s) = sink.as_mut()
                && let Err(e) = s.inject(&ev)
            {
                events.emit(AgentEvent::LocalError(e.to_string()));
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!("cannot start the input thread: {e}");
    }
}
