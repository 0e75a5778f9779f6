//! The input driver: the host's input streams, read only into the input thread, which injects an
//! event only while the customer's side says control is granted (and, for one application, only
//! where it lands in the shared window). Files the host sends arrive here too, on streams of
//! their own.

use std::sync::Arc;

use deskside_net::framed::{StreamError, read_msg};
use deskside_net::transfer::Transfers;
use deskside_platform::{InputSink, Windows};
use deskside_proto::{Capability, InputEvent, MAX_INPUT_MSG_BYTES, UniHeader};
use deskside_session::guest::Local;

use super::capture::window_view;
use super::{AgentEvent, Event, Events, Gate, InputFactory, LocalProblem, WindowsFactory, lock};

/// Accepts the host's input stream; anything else from the host is refused.
pub(super) async fn accept_input(
    conn: iroh::endpoint::Connection,
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
                tokio::spawn(read_input(gate.clone(), input.clone(), recv));
            }
            Ok(UniHeader::File { file, offset }) => {
                // A file on its own stream; only one that was asked for is taken.
                let (transfers, gate, events) = (transfers.clone(), gate.clone(), events.clone());
                tokio::spawn(async move {
                    let app_shared = || gate.guest().app_shared();
                    let wake = events.wake.clone();
                    transfers.receive(file, offset, recv, app_shared, move || wake()).await;
                    gate.notify();
                    events.emit(AgentEvent::Session(Event::FilesChanged));
                });
            }
            Ok(UniHeader::Screen | UniHeader::Inventory | UniHeader::HandOver | UniHeader::InventoryOf { .. }) => {
                gate.act(|g, now| g.handle_local(now, Local::Forbidden));
                return;
            }
            Err(StreamError::Frame(_) | StreamError::Finished) => {
                gate.act(|g, now| g.handle_local(now, Local::Garbled));
                return;
            }
            // Reset before its header arrived (a file withdrawn at once): only that stream goes;
            // the download hears it from the list of files on offer.
            Err(_) => {}
        }
    }
}

/// Reads one input stream: events go to the input thread only while control is granted; others
/// are dropped and the host is told (as often as the customer's side allows).
async fn read_input(
    gate: Arc<Gate>,
    input: std::sync::mpsc::SyncSender<InputEvent>,
    mut recv: iroh::endpoint::RecvStream,
) {
    loop {
        match read_msg::<InputEvent>(&mut recv, MAX_INPUT_MSG_BYTES).await {
            Ok(ev) if ev.is_valid() => {
                if gate.guest().may_inject() {
                    if input.try_send(ev).is_err() {
                        tracing::warn!("input queue full; event dropped");
                    }
                } else {
                    gate.act(|g, now| g.handle_local(now, Local::InputRefused));
                }
            }
            Ok(_) | Err(StreamError::Frame(_)) => {
                gate.act(|g, now| g.handle_local(now, Local::Garbled));
                return;
            }
            Err(_) => return,
        }
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
pub(super) fn spawn_input(
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
                    && gate.guest().consent().app_window().is_some_and(|id| {
                        let (ox, oy) = *lock(&gate.offset);
                        lands_in_window(&mut windows, &windows_factory, id, &ev, (ox, oy))
                    });
                if !inside {
                    gate.act(|g, now| g.handle_local(now, Local::InputRefused));
                    continue;
                }
            }
            if sink.is_none() {
                match factory() {
                    Ok(s) => sink = Some(s),
                    Err(e) => {
                        events.emit(AgentEvent::LocalError(LocalProblem::of(&e)));
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
                events.emit(AgentEvent::LocalError(LocalProblem::of(&e)));
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!("cannot start the input thread: {e}");
    }
}
