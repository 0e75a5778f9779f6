//! The agent's engine: drivers that carry out what the customer's side of the session
//! ([`deskside_session::Guest`], without IO) decides, on the customer's machine, whatever the
//! console asks.
//!
//! - No frame is captured or sent unless viewing is granted: the capture thread asks before
//!   every capture, and the stream writer asks again before every batch it writes.
//! - No input is injected unless control is granted: the input thread asks before every event;
//!   input that arrives without the grant is dropped and answered with a refusal.
//! - Stop changes the customer's side directly (a mutex, not a message), so it takes effect at
//!   once whatever the network does; the host is told afterwards.
//! - One application: only the chosen window's own pixels are sent (what covers it is painted
//!   black), and input is injected only while it has the focus and over a part of it that shows.
//! - A connection the network drops is replaced: the agent comes back to its seat with its
//!   resumption ticket, keeping the consent state, the threads and the downloads under way.
//!
//! The drivers: [`link`] (one reader of the control stream, never inside a `select!`, and one
//! writer), [`capture`] (the capture thread and the screen stream), [`input`] (the input
//! streams and the input thread).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use deskside_net::guest::{GuestLink, JoinError, join};
use deskside_net::now_ms;
use deskside_platform::{InputSink, PlatformError, ScreenSource, Windows};
use deskside_proto::{AppKind, Capability, ChatTarget, Inventory, Invite, Welcome};
use deskside_session::guest::{Guest, Local, Task};
use deskside_session::{Consent, UnixMs};
use tokio::sync::{Notify, mpsc};

use crate::moves::Moves;
use crate::transfer::{Disk, Failure, Transfers};

pub use deskside_session::guest::{CloseReason, Event, Sharing};

mod capture;
mod input;
mod link;

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
    /// The keys of the support team's site the invite came through (by short code, or the
    /// agent's own site): the console's certificate is checked against them.
    pub trust: Option<deskside_proto::cert::Trust>,
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
            trust: None,
        }
    }
}

/// Something for the customer's window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentEvent {
    /// What the customer's side of the session said: who is here, chat, consent, control,
    /// files, moves and reconnections, and once, the end ([`Event::Closed`]).
    Session(Event),
    /// Sharing or control failed on this machine.
    LocalError(LocalProblem),
    /// The shared application window closed or was hidden: sharing it stopped.
    WindowClosed,
}

/// What failed on the customer's machine; the system's own words, when it gave some, are kept
/// for the window to show beside the app's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalProblem {
    /// The screen could not be read.
    Capture(String),
    /// The mouse and keyboard could not be driven.
    Inject(String),
    /// A picture of the screen could not be made.
    Encode(String),
    /// The system information could not be sent.
    InventoryNotSent,
}

impl LocalProblem {
    /// The problem a platform error is.
    #[must_use]
    pub fn of(e: &PlatformError) -> LocalProblem {
        match e {
            PlatformError::Capture(why) => LocalProblem::Capture(why.clone()),
            PlatformError::Inject(why) => LocalProblem::Inject(why.clone()),
        }
    }
}

impl AgentEvent {
    /// The window's event for what the customer's side said (`None`: the end, which the link
    /// driver says itself, once, with a send that is never dropped).
    fn of(ev: Event) -> Option<AgentEvent> {
        (!matches!(ev, Event::Closed(_))).then_some(AgentEvent::Session(ev))
    }
}

/// The consent state, read through the customer's side (held locked while it lives).
pub struct ConsentView<'a>(MutexGuard<'a, Guest>);

impl std::ops::Deref for ConsentView<'_> {
    type Target = Consent;
    fn deref(&self) -> &Consent {
        self.0.consent()
    }
}

/// The customer's side of the session and what its drivers share: every driver asks it before
/// it acts, and tells it what happened through [`Gate::act`].
pub struct Gate {
    guest: Mutex<Guest>,
    /// The live connection (a new one after coming back from a drop).
    conn: Mutex<iroh::endpoint::Connection>,
    /// The customer left: the writer says so to the host, then closes.
    leaving: AtomicBool,
    /// Where the shared picture's top left corner is on the screen (for input coordinates).
    offset: Mutex<(u32, u32)>,
    /// What the connection carries, bits per second, as QUIC's congestion window over the round
    /// trip (0 until the first frame was written).
    link_bps: AtomicU64,
    /// The screen's frames on their way to the console (see `deskside_session::flight`), and
    /// the capture thread's wake-up when an acknowledgement frees room.
    flight: Mutex<deskside_session::flight::Flight>,
    flight_ready: std::sync::Condvar,
    /// The clock the flight's times count from.
    clock: std::time::Instant,
    /// Wakes the writer: something waits to go to the host.
    flush: Notify,
    events: Events,
    transfers: Arc<Transfers>,
    moves: Arc<Moves>,
}

impl Gate {
    /// Milliseconds on the flight's clock.
    fn clock_ms(&self) -> u64 {
        self.clock.elapsed().as_millis() as u64
    }

    /// The customer's side, to read.
    pub fn guest(&self) -> MutexGuard<'_, Guest> {
        lock(&self.guest)
    }

    /// The consent state, to read.
    pub fn consent(&self) -> ConsentView<'_> {
        ConsentView(self.guest())
    }

    /// Whether `cap` is granted right now (never after the session closed).
    pub fn allows(&self, cap: Capability) -> bool {
        self.guest().allows(cap)
    }

    /// What of the screen may be sent right now.
    pub fn sharing(&self) -> Sharing {
        self.guest().sharing()
    }

    fn epoch(&self) -> u64 {
        self.guest().share_epoch()
    }

    fn is_closed(&self) -> bool {
        self.guest().is_over()
    }

    fn monitor(&self) -> Option<u32> {
        self.guest().monitor()
    }

    fn conn(&self) -> iroh::endpoint::Connection {
        lock(&self.conn).clone()
    }

    /// Tells the customer's side something (`f` gets it and the time), then carries out what it
    /// decided that needs no connection task: the window's events, the files on offer, stopping
    /// moves, closing. What only a connection's driver can do is returned to the caller.
    fn act(&self, f: impl FnOnce(&mut Guest, UnixMs)) -> Vec<Task> {
        let (events, tasks) = {
            let mut g = self.guest();
            f(&mut g, now_ms());
            let events: Vec<Event> = std::iter::from_fn(|| g.poll_event()).collect();
            let tasks: Vec<Task> = std::iter::from_fn(|| g.poll_task()).collect();
            (events, tasks)
        };
        let mut left = Vec::new();
        for task in tasks {
            match task {
                Task::Offered(list) => self.transfers.set_offered(list),
                Task::Unavailable(file) => self.transfers.unavailable(file),
                Task::StopMoves => self.moves.stop_all(),
                // The customer's Leave is written first, by the writer.
                Task::Close(Some(deskside_proto::Refusal::Left)) => self.leaving.store(true, Ordering::SeqCst),
                Task::Close(Some(why)) => deskside_net::host::close(&self.conn(), why),
                Task::Close(None) => self.conn().close(iroh::endpoint::VarInt::from_u32(0), b"moved"),
                other @ (Task::Move(_) | Task::Reconnect { .. } | Task::MoveAnswered { .. }) => left.push(other),
            }
        }
        for ev in events.into_iter().filter_map(AgentEvent::of) {
            self.events.emit(ev);
        }
        self.flush.notify_one();
        left
    }

    /// Something for the host is waiting outside the customer's side (moves, downloads).
    fn notify(&self) {
        self.flush.notify_one();
    }
}

/// Work for the link that needs its runtime.
enum Work {
    /// Send the inventory the customer chose.
    Inventory(Box<Inventory>),
    /// The customer allowed pull `id` of `path`: read, hash and list it for the host.
    Pull { id: deskside_proto::MoveId, path: std::path::PathBuf },
}

/// The UI's side of a joined session.
pub struct AgentHandle {
    gate: Arc<Gate>,
    work: mpsc::Sender<Work>,
    events: mpsc::Receiver<AgentEvent>,
    welcome: Welcome,
}

impl AgentHandle {
    /// The moves the CSR asks for or that are under way (browse and move files).
    #[must_use]
    pub fn moves(&self) -> &Arc<Moves> {
        &self.gate.moves
    }

    /// The customer allows or refuses move `id`.
    pub fn answer_move(&self, id: deskside_proto::MoveId, allowed: bool) {
        for task in self.gate.act(|g, now| g.handle_local(now, Local::MoveAnswer { id, allowed })) {
            if let Task::MoveAnswered { ask, allowed } = task
                && let Some(path) = self.gate.moves.answered(ask, allowed)
            {
                let _ = self.work.try_send(Work::Pull { id, path });
            }
        }
        self.gate.notify();
    }

    /// The moves waiting for the customer's answer, oldest first.
    #[must_use]
    pub fn move_asks(&self) -> Vec<crate::moves::MoveAsk> {
        self.gate.guest().move_asks().cloned().collect()
    }

    /// The files on offer and the downloads.
    #[must_use]
    pub fn transfers(&self) -> &Arc<Transfers> {
        &self.gate.transfers
    }

    /// Downloads offered file `id` into `dir` (resuming a part file there). Refused while one
    /// application is shared.
    pub fn download(&self, id: deskside_proto::FileId, dir: &std::path::Path) -> Result<(), Failure> {
        let app_shared = self.gate.guest().app_shared();
        self.gate.transfers.download(id, dir, app_shared)?;
        self.gate.notify();
        Ok(())
    }

    /// Cancels download `id`: it stops at once and its part file goes.
    pub fn cancel_download(&self, id: deskside_proto::FileId) {
        self.gate.transfers.cancel(id);
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
        self.gate.guest().invite().clone()
    }

    /// Transport figures of the connection (bytes, packets, round-trip time).
    #[must_use]
    pub fn connection_stats(&self) -> iroh::endpoint::ConnectionStats {
        self.gate.conn().stats()
    }

    /// The customer's side and its enforcement.
    #[must_use]
    pub fn gate(&self) -> &Arc<Gate> {
        &self.gate
    }

    /// The customer answers a request.
    pub fn answer(&self, request: u32, allowed: bool) {
        self.gate.act(|g, now| g.handle_local(now, Local::Answer { request, allowed }));
    }

    /// The customer allows "view one application" for the window `window` they chose.
    pub fn allow_window(&self, request: u32, window: u64) {
        self.gate.act(|g, now| g.handle_local(now, Local::AllowWindow { request, window }));
    }

    /// The customer stops a grant: effective before this returns.
    pub fn stop(&self, cap: Capability) {
        self.gate.act(|g, now| g.handle_local(now, Local::Stop(cap)));
    }

    /// Sends a chat message; `false` while it cannot be sent (the connection is coming back).
    #[must_use]
    pub fn chat(&self, to: ChatTarget, text: String) -> bool {
        if !self.gate.guest().is_up() {
            return false;
        }
        self.gate.act(|g, now| g.handle_local(now, Local::Chat { to, text }));
        true
    }

    /// Sends the inventory the customer chose, if sending it is allowed: once the host has it
    /// the grant stops by itself ([`AgentEvent::Session(Event::InventorySent)`]). `false` if it cannot be sent.
    #[must_use]
    pub fn send_inventory(&self, inventory: Inventory) -> bool {
        self.gate.allows(Capability::SystemInfo)
            && inventory.is_valid()
            && self.work.try_send(Work::Inventory(Box::new(inventory))).is_ok()
    }

    /// Leaves the session: every grant stops at once.
    pub fn leave(&self) {
        self.gate.act(|g, now| g.handle_local(now, Local::Leave));
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
        self.leave();
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
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let (work_tx, work_rx) = mpsc::channel(64);
    let events = Events { tx: ev_tx, wake };
    let name =
        welcome.participants.iter().find(|p| p.id == welcome.you).map_or_else(|| opts.name.clone(), |p| p.name.clone());
    let transfers = Arc::new(Transfers::new(opts.disk.clone()));
    let gate = Arc::new(Gate {
        guest: Mutex::new(Guest::new(invite, &welcome, opts.trust.clone(), deskside_net::now_ms())),
        conn: Mutex::new(conn.clone()),
        leaving: AtomicBool::new(false),
        offset: Mutex::new((0, 0)),
        link_bps: AtomicU64::new(0),
        flight: Mutex::new(deskside_session::flight::Flight::new()),
        flight_ready: std::sync::Condvar::new(),
        clock: std::time::Instant::now(),
        flush: Notify::new(),
        events: events.clone(),
        moves: Arc::new(Moves::new(transfers.clone())),
        transfers,
    });
    let (frames_tx, frames_rx) = mpsc::channel(1);
    capture::spawn_capture(
        gate.clone(),
        opts.screen.clone(),
        opts.windows.clone(),
        opts.max_fps.max(1),
        frames_tx,
        events.clone(),
    );
    let (input_tx, input_rx) = std::sync::mpsc::sync_channel(INPUT_QUEUE);
    input::spawn_input(gate.clone(), opts.input.clone(), opts.windows.clone(), input_rx, events.clone());
    let supervisor = link::Supervisor { name, gate: gate.clone(), events };
    tokio::spawn(supervisor.run(link::Live { conn, send, recv, endpoint }, frames_rx, input_tx, work_rx));
    AgentHandle { gate, work: work_tx, events: ev_rx, welcome }
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

/// Locks `m`, whatever a panicking holder left (the data are plain values).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
