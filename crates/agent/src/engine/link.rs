//! The link driver: one connection after another to the host, one reader of the control stream
//! (never inside a `select!`: a read dropped half way would lose the bytes it took) and one
//! writer, the moves and the inventory carried out on the link's runtime. What the host sends is
//! decided by the customer's side; this only moves bytes and does what it was told.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use deskside_net::framed::{StreamError, read_msg, write_msg};
use deskside_net::guest::{GuestLink, JoinError, refusal_of, resume};
use deskside_net::now_ms;
use deskside_proto::{
    AppKind, InputEvent, Inventory, Invite, MAX_CONTROL_MSG_BYTES, ParticipantId, ScreenMsg, ToGuest, ToHost, UniHeader,
};
use deskside_session::guest::{Local, Task};
use tokio::sync::mpsc;

use super::{AgentEvent, Event, Events, Gate, Work, capture, input, lock};
use crate::moves::{Ask, MoveAsk};
use crate::transfer::Wanted;

/// Most answers and reports waiting to go to the host: an honest host reads them as fast as it
/// asks; one that floods requests without reading is disconnected here.
const MAX_UNSENT: usize = 1024;
/// How often a dropped agent tries to come back to its seat.
const RECONNECT_EVERY: Duration = Duration::from_secs(2);
/// Longest wait between two looks at the customer's side's timers.
const TICK: Duration = Duration::from_millis(250);

/// One connection's pieces.
pub(super) struct Live {
    pub(super) conn: iroh::endpoint::Connection,
    pub(super) send: iroh::endpoint::SendStream,
    pub(super) recv: iroh::endpoint::RecvStream,
    /// Kept so the endpoint lives as long as the connection.
    pub(super) endpoint: deskside_net::transport::OwnedEndpoint,
}

/// Runs the session over one connection after another: when one drops, the agent comes back to
/// its seat with its resumption ticket for as long as the host holds it, keeping the customer's
/// grants (the capture and input threads, the consent state and the customer's window go on).
pub(super) struct Supervisor {
    pub(super) name: String,
    pub(super) gate: Arc<Gate>,
    pub(super) events: Events,
}

impl Supervisor {
    pub(super) async fn run(
        self,
        mut live: Live,
        mut frames: mpsc::Receiver<(u64, Vec<ScreenMsg>)>,
        input: std::sync::mpsc::SyncSender<InputEvent>,
        mut work: mpsc::Receiver<Work>,
    ) {
        let gate = &self.gate;
        loop {
            let Live { conn, send, recv, endpoint } = live;
            {
                // Everything but the control reader ends with the connection or waits for it.
                let helpers = async {
                    tokio::join!(
                        tick(gate),
                        capture::write_screen(conn.clone(), gate.clone(), &mut frames),
                        input::accept_input(conn.clone(), gate.clone(), input.clone(), &gate.transfers, &self.events),
                        write_control(conn.clone(), send, gate.clone(), &mut work, &self.events),
                    );
                    std::future::pending::<()>().await;
                };
                tokio::select! {
                    () = read_control(conn.clone(), recv, gate.clone(), &self.events) => {}
                    () = helpers => {}
                }
            }
            // The customer left while the writer could not say so: close with the reason.
            if gate.leaving.swap(false, Ordering::SeqCst) {
                deskside_net::host::close(&conn, deskside_proto::Refusal::Left);
            }
            let remote = conn.close_reason().as_ref().and_then(refusal_of);
            let tasks = gate.act(|g, now| g.handle_local(now, Local::LinkEnded(remote)));
            drop(endpoint);
            let Some((invite, ticket)) = tasks.into_iter().find_map(|t| match t {
                Task::Reconnect { invite, ticket } => Some((*invite, ticket)),
                _ => None,
            }) else {
                break;
            };
            match self.reconnect(&invite, ticket).await {
                Ok(link) => {
                    *lock(&gate.conn) = link.conn.clone();
                    gate.act(|g, now| g.handle_local(now, Local::Resumed(Box::new(link.welcome))));
                    // Downloads the drop broke continue from what they hold.
                    gate.transfers.resume_interrupted();
                    live = Live { conn: link.conn, send: link.send, recv: link.recv, endpoint: link.endpoint };
                }
                Err(why) => {
                    gate.act(|g, now| g.handle_local(now, Local::ResumeFailed(why)));
                    break;
                }
            }
        }
        let why = gate.guest().close_reason().cloned().unwrap_or(deskside_session::CloseReason::Lost);
        // The one event that must not be lost when the queue is full (a host that flooded it):
        // waited for, so the window always learns the session is over.
        let _ = self.events.tx.send(AgentEvent::Session(Event::Closed(why))).await;
        (self.events.wake)();
    }

    /// Tries to come back with `ticket` until the host's minute is up, the host refuses, or the
    /// customer leaves. `Err(Some)`: refused; `Err(None)`: not back in time.
    async fn reconnect(&self, invite: &Invite, ticket: [u8; 16]) -> Result<GuestLink, Option<deskside_proto::Refusal>> {
        let deadline = Instant::now() + Duration::from_millis(deskside_proto::RESUME_WINDOW_MS);
        loop {
            if self.gate.is_closed() {
                return Err(Some(deskside_proto::Refusal::Left));
            }
            match resume(invite, ticket, &self.name, AppKind::Agent).await {
                Ok(link) => return Ok(link),
                Err(JoinError::Refused(r)) => return Err(Some(r)),
                Err(e) => tracing::info!("not back yet: {e}"),
            }
            if Instant::now() >= deadline {
                return Err(None);
            }
            tokio::time::sleep(RECONNECT_EVERY).await;
        }
    }
}

/// Runs the customer's side's timers (requests left unanswered for two minutes are refused, a
/// held input refusal goes out) for as long as the connection lasts.
async fn tick(gate: &Gate) {
    loop {
        let next = gate.guest().poll_timeout();
        let wait = next.map_or(TICK, |t| Duration::from_millis(t.saturating_sub(now_ms())).min(TICK));
        tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
        gate.act(deskside_session::Guest::handle_timeout);
    }
}

/// Messages for the host not yet written (the customer's side's, the moves', the downloads').
fn unsent(gate: &Gate) -> usize {
    gate.guest().unsent() + gate.moves.unsent() + gate.transfers.unsent()
}

/// Reads the host's control messages into the customer's side until the connection ends or the
/// customer's side is done with it.
async fn read_control(
    conn: iroh::endpoint::Connection,
    mut recv: iroh::endpoint::RecvStream,
    gate: Arc<Gate>,
    events: &Events,
) {
    while gate.guest().is_up() {
        // A host that keeps asking without reading the answers: every answer waiting to go is
        // held here, so that is where it stops.
        if unsent(&gate) > MAX_UNSENT {
            tracing::warn!("the host sends requests without reading the answers; closing");
            gate.act(|g, now| g.handle_local(now, Local::Forbidden));
            return;
        }
        match read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES).await {
            Ok(msg) => {
                for task in gate.act(|g, now| g.handle_message(now, msg)) {
                    if let Task::Move(m) = task {
                        moves_message(&conn, &gate, events, m);
                    }
                }
            }
            Err(StreamError::Frame(_)) => {
                gate.act(|g, now| g.handle_local(now, Local::Garbled));
                return;
            }
            Err(_) => {
                // The stream may end just before the close that says why: wait for it briefly.
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
                return;
            }
        }
    }
}

/// Writes what the customer's side, the moves and the downloads have for the host, and carries
/// out the link's work; after the customer's Leave it says so and closes.
async fn write_control(
    conn: iroh::endpoint::Connection,
    mut send: iroh::endpoint::SendStream,
    gate: Arc<Gate>,
    work: &mut mpsc::Receiver<Work>,
    events: &Events,
) {
    // Open while the window's handle lives; once it is gone only the customer's side speaks.
    let mut work_open = true;
    loop {
        let mut outputs: Vec<ToHost> = {
            let mut g = gate.guest();
            std::iter::from_fn(|| g.poll_output()).collect()
        };
        let up = gate.guest().is_up();
        if up {
            outputs.extend(gate.transfers.take_outbox().into_iter().map(|w| match w {
                Wanted::Fetch { file, offset, prefix_sha256 } => ToHost::FetchFile { file, offset, prefix_sha256 },
                Wanted::Done { file, outcome } => ToHost::FileDone { file, outcome },
            }));
            outputs.extend(gate.moves.take_outbox());
        }
        for msg in outputs {
            if write_msg(&mut send, &msg, MAX_CONTROL_MSG_BYTES).await.is_err() {
                return;
            }
        }
        if gate.leaving.swap(false, Ordering::SeqCst) {
            let _ = send.finish();
            let _ = tokio::time::timeout(Duration::from_secs(1), send.stopped()).await;
            deskside_net::host::close(&conn, deskside_proto::Refusal::Left);
            return;
        }
        tokio::select! {
            () = gate.flush.notified() => {}
            job = work.recv(), if work_open => match job {
                Some(Work::Inventory(inventory)) => {
                    tokio::spawn(send_inventory(conn.clone(), gate.clone(), *inventory));
                }
                Some(Work::Pull { id, path }) => {
                    tokio::spawn(prepare_pull(gate.clone(), events.clone(), id, path));
                }
                // The handle is gone (it left the session as it went): the Leave is written next.
                None => work_open = false,
            },
        }
    }
}

/// A message of the advanced file transfer the customer's side let through (it is allowed): a
/// listing is read, a move waits for the customer's own answer, an allowed pull's file is sent.
fn moves_message(conn: &iroh::endpoint::Connection, gate: &Arc<Gate>, events: &Events, msg: ToGuest) {
    let moves = &gate.moves;
    match msg {
        ToGuest::ListFolder { req, at } if moves.start_listing(req, at.clone()) => {
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
        }
        ToGuest::PushAsk { push, from_name, summary, folder, on_conflict } => {
            if crate::moves::usable_folder(&folder).is_none() {
                // A relative, hidden or missing folder is never even put to the customer.
                moves.send(ToHost::PushAnswer {
                    push,
                    allowed: false,
                    reason: Some(deskside_proto::FileProblem::FolderUnusable),
                });
            } else {
                let ask = MoveAsk { id: push, from_name, ask: Ask::Push { summary, folder, on_conflict } };
                gate.act(|g, now| g.handle_local(now, Local::MoveAsk(ask)));
            }
        }
        ToGuest::PushFiles { push, files, last } => {
            if let Err(why) = moves.transfers().add_moved(push, files, last) {
                tracing::warn!(push = %push, "the files of a push are not what the customer allowed: {why:?}");
                moves.failed(push, &why);
            }
        }
        ToGuest::PullAsk { pull, from_name, folder, name } => {
            let (moves, gate, events) = (moves.clone(), gate.clone(), events.clone());
            tokio::task::spawn_blocking(move || {
                match crate::moves::summary_of(&folder, &name) {
                    Ok((path, summary)) => {
                        let path = path.to_string_lossy().into_owned();
                        let ask = MoveAsk { id: pull, from_name, ask: Ask::Pull { summary, path } };
                        gate.act(|g, now| g.handle_local(now, Local::MoveAsk(ask)));
                    }
                    Err(reason) => moves.send(ToHost::PullRefused { pull, reason }),
                }
                gate.notify();
                events.emit(AgentEvent::Session(Event::FilesChanged));
            });
        }
        ToGuest::FetchPulled { file, offset, prefix_sha256 } => {
            if let Some((offered, path, stop)) = moves.fetch(file) {
                let (conn, moves, events) = (conn.clone(), moves.clone(), events.clone());
                tokio::spawn(async move {
                    let progress = |p: deskside_net::files::Progress| {
                        moves.sent(p.file, p.done, p.done == p.total);
                        (events.wake)();
                    };
                    let sent = deskside_net::files::send_file(
                        &conn,
                        ParticipantId(0),
                        &offered,
                        path,
                        offset,
                        prefix_sha256,
                        &stop,
                        progress,
                    )
                    .await;
                    if let Err(e) = sent {
                        tracing::info!(file = %file, "pulled file not sent: {e}");
                    }
                    events.emit(AgentEvent::Session(Event::FilesChanged));
                });
            }
        }
        ToGuest::MoveCancelled { id } => moves.cancelled(id),
        _ => {}
    }
    gate.notify();
    events.emit(AgentEvent::Session(Event::FilesChanged));
}

/// Reads and hashes an allowed pull on a task (the customer sees its progress), then lists its
/// files for the host.
async fn prepare_pull(gate: Arc<Gate>, events: Events, id: deskside_proto::MoveId, path: std::path::PathBuf) {
    let moves = &gate.moves;
    let first = moves.reserve(deskside_proto::files::MAX_MOVE_FILES as u32);
    let progress = |done, _| {
        moves.preparing(id, done);
        (events.wake)();
    };
    let prepared = deskside_net::moves::prepare(path, first, progress).await.map_err(|e| {
        tracing::info!(pull = %id, "cannot send: {e}");
        e.problem()
    });
    moves.prepared(id, prepared);
    gate.notify();
    events.emit(AgentEvent::Session(Event::FilesChanged));
}

/// Sends the inventory on its own stream (checked against the grant first). The host answers
/// [`ToGuest::SystemInfoReceived`] once it has taken it, which ends the grant; if it cannot be
/// sent the grant ends here.
async fn send_inventory(conn: iroh::endpoint::Connection, gate: Arc<Gate>, inventory: Inventory) {
    if !gate.allows(deskside_proto::Capability::SystemInfo) {
        return;
    }
    let sent = async {
        let mut s = conn.open_uni().await.ok()?;
        write_msg(&mut s, &UniHeader::Inventory, deskside_proto::MAX_UNI_HEADER_BYTES).await.ok()?;
        write_msg(&mut s, &inventory, deskside_proto::MAX_INVENTORY_BYTES).await.ok()?;
        s.finish().ok()
    };
    if tokio::time::timeout(Duration::from_mins(1), sent).await.ok().flatten().is_none() {
        gate.events.emit(AgentEvent::LocalError(super::LocalProblem::InventoryNotSent));
        gate.act(|g, now| g.handle_local(now, Local::InventoryFailed));
    }
}
