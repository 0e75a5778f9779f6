//! The capture driver: a thread that captures and encodes only while the customer's side says a
//! share is on, and the task that writes its frames on a screen stream of their own.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use deskside_codec::{CursorImage, Encoder, FrameRef, Rect, VideoConfig};
use deskside_net::framed::write_msg;
use deskside_platform::{Changes, PlatformError, ScreenSource, WindowView, Windows, window_pixels};
use deskside_proto::{MAX_SCREEN_MSG_BYTES, MonitorInfo, ScreenMsg, UniHeader};
use deskside_session::guest::Local;
use deskside_session::reduced::Reduced;
use tokio::sync::mpsc;

use super::{AgentEvent, Events, Gate, ScreenFactory, Sharing, WindowsFactory, lock};

/// How long the capture thread waits before looking again at the grant or the screen.
const IDLE_POLL: Duration = Duration::from_millis(100);
/// How long after the pointer last moved it is still followed at the frame rate.
const CURSOR_ACTIVE: Duration = Duration::from_secs(1);
/// How often the capture thread, waiting for room on the way to the console, looks again.
const FLIGHT_POLL: Duration = Duration::from_millis(5);
/// Share of what the connection carries that video may use: the rest stays free for input,
/// control, lossless tiles and the link's own variation.
const VIDEO_LINK_SHARE: f64 = 0.5;
/// A frame carries at most what the line sends in this many milliseconds of a still video's
/// remains made exact, so that a change typed meanwhile waits no longer than that.
const REFINE_MS: u64 = 50;
/// The least a frame carries of them (a few tiles).
const MIN_REFINE_BYTES: usize = 16 * 1024;
/// Captures the line holds this far apart or further, in milliseconds (under 20 a second), count
/// towards "the picture is reduced" (`deskside_session::reduced`).
const REDUCED_INTERVAL_MS: u64 = 50;

/// The capture thread: captures and encodes only while viewing is granted. It waits for the
/// screen to change (sources with damage tracking wake it at once; others answer at once and are
/// paced), captures, and encodes what changed, at most `max_fps` times a second.
pub(super) fn spawn_capture(
    gate: Arc<Gate>,
    factory: ScreenFactory,
    windows_factory: WindowsFactory,
    max_fps: u32,
    frames: mpsc::Sender<(u64, Vec<ScreenMsg>)>,
    events: Events,
) {
    let spawned = std::thread::Builder::new().name("deskside-capture".into()).spawn(move || {
        // Video pictures at most at the video path's own rate (30 a second by default).
        let video =
            VideoConfig { max_fps: VideoConfig::default().max_fps.min(max_fps as f32), ..VideoConfig::default() };
        let mut capture = Capture {
            epoch: gate.epoch(),
            gate,
            factory,
            windows_factory,
            frames,
            events,
            min_interval: Duration::from_secs(1) / max_fps,
            video,
            encoder: Encoder::default().with_video(video),
            started: Instant::now(),
            source: None,
            last_frame: None,
            last_cursor: None,
            last_shape: None,
            cursor_moved: None,
            monitors: Vec::new(),
            crop: None,
            look_again: false,
            windows: None,
            window_buf: Vec::new(),
            window_covered: Vec::new(),
            link_ms: 0,
            reduced: Reduced::new(),
        };
        while !capture.gate.is_closed() {
            if capture.step().is_err() {
                break;
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!("cannot start the capture thread: {e}");
    }
}

/// The frames' writer is gone: the capture thread ends.
struct WriterGone;

/// The capture thread's state.
struct Capture {
    gate: Arc<Gate>,
    factory: ScreenFactory,
    windows_factory: WindowsFactory,
    frames: mpsc::Sender<(u64, Vec<ScreenMsg>)>,
    events: Events,
    min_interval: Duration,
    video: VideoConfig,
    encoder: Encoder,
    /// The encoder's clock (it reads none of its own): milliseconds since the thread started.
    started: Instant,
    /// The share the frames belong to.
    epoch: u64,
    source: Option<Box<dyn ScreenSource>>,
    last_frame: Option<Instant>,
    last_cursor: Option<(i32, i32)>,
    last_shape: Option<CursorImage>,
    cursor_moved: Option<Instant>,
    monitors: Vec<MonitorInfo>,
    crop: Option<Rect>,
    /// Capture once without waiting for damage (the shared area changed on an idle screen).
    look_again: bool,
    /// One application's windows, while one is shared, and its pixels cut out of the screen.
    windows: Option<Box<dyn Windows>>,
    window_buf: Vec<u8>,
    /// What was painted black in the last picture sent: when that changes, a window moved
    /// over or off the shared one, which the screen's damage may not show inside it.
    window_covered: Vec<Rect>,
    /// How far apart the line lets captures come just now, in milliseconds.
    link_ms: u64,
    /// Whether the line reduces the picture, as the console last heard it.
    reduced: Reduced,
}

impl Capture {
    /// One look at the screen: wait for a change, then capture and send what changed.
    fn step(&mut self) -> Result<(), WriterGone> {
        if self.gate.epoch() != self.epoch {
            // A new share: start it from a fresh source, which reports a complete first frame
            // even when the screen is idle.
            self.epoch = self.gate.epoch();
            self.source = None;
            self.reduced.handle_stream();
        }
        let sharing = self.gate.sharing();
        if sharing == Sharing::Nothing {
            self.source = None;
            self.windows = None;
            std::thread::sleep(IDLE_POLL);
            return Ok(());
        }
        // The console hears when the line starts or stops reducing the picture.
        self.reduced.handle_time(self.clock_ms());
        if let Some(reduced) = self.reduced.poll_changed() {
            self.send(vec![ScreenMsg::Line { reduced }])?;
        }
        if self.source.is_none() && !self.open_source() {
            return Ok(());
        }
        // One application: where its window is now (it may have moved, or closed).
        let window = match sharing {
            Sharing::Window(id) => match window_view(&mut self.windows, &self.windows_factory, id) {
                Ok(Some(v)) => Some((id, v)),
                Ok(None) => {
                    self.stop_sharing(None);
                    return Ok(());
                }
                Err(e) => {
                    self.stop_sharing(Some(super::LocalProblem::of(&e)));
                    return Ok(());
                }
            },
            _ => None,
        };
        self.place(window.as_ref().map(|(_, v)| v));
        // Video quality follows what the connection carries (latest frame wins already paces
        // the frame rate: the next capture waits while a frame is being written).
        let link = self.gate.link_bps.load(Ordering::Relaxed);
        if link > 0 {
            let share = (link as f64 * VIDEO_LINK_SHARE).min(f64::from(self.video.bitrate_1080p_bps));
            self.encoder.set_video_bitrate(share as u32);
            // A still video's remains go exact at what the line carries in REFINE_MS a frame.
            let bytes = link / 8 * REFINE_MS / 1000;
            self.encoder.set_refine_bytes((bytes as usize).clamp(MIN_REFINE_BYTES, deskside_codec::REFINE_BYTES));
        }
        if let Some(t) = self.last_frame {
            std::thread::sleep(self.min_interval.saturating_sub(t.elapsed()));
        }
        // While the pointer moves, look again at the frame rate; at rest, rarely.
        let moving = self.cursor_moved.is_some_and(|t| t.elapsed() < CURSOR_ACTIVE)
            || self.encoder.video_pending()
            || self.encoder.refining();
        let Some(src) = self.source.as_mut() else { return Ok(()) };
        let changes = if std::mem::take(&mut self.look_again) {
            Ok(Changes::Unknown)
        } else {
            src.wait_for_change(if moving { self.min_interval } else { IDLE_POLL })
        };
        if self.gate.sharing() != sharing || self.gate.epoch() != self.epoch {
            return Ok(());
        }
        self.send_cursor(window.as_ref().map(|(_, v)| v))?;
        let damage = match changes {
            // While a rectangle is coded as video, look even when nothing changed: once it
            // has been still for a moment the encoder sends it losslessly again.
            // The same while what was video is being made exact, a share at a time.
            Ok(Changes::None) if self.encoder.video_rect().is_some() || self.encoder.refining() => Some(Vec::new()),
            Ok(Changes::None) => return Ok(()),
            Ok(Changes::Unknown) => None,
            Ok(Changes::Areas(rects)) => Some(rects),
            Err(e) => {
                self.events.emit(AgentEvent::LocalError(super::LocalProblem::of(&e)));
                self.source = None;
                return Ok(());
            }
        };
        // Room on the way to the console first: the picture captured then is the newest.
        // Held back by the line to fewer than 20 pictures a second: a line too slow for the
        // screen (a few milliseconds' wait, at a full pace, is the console's decoding).
        let waited = self.wait_for_room(sharing);
        let held = waited > FLIGHT_POLL && self.link_ms >= REDUCED_INTERVAL_MS;
        self.reduced.handle_capture(self.clock_ms(), held);
        // The grant may have been stopped while waiting: check again before capturing.
        if self.gate.sharing() != sharing || self.gate.epoch() != self.epoch {
            return Ok(());
        }
        self.capture(window.as_ref(), damage.as_deref())
    }

    /// Milliseconds on the capture thread's clock (the encoder's).
    fn clock_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Waits until the flight lets the next frame go (see `deskside_session::flight`), and tells
    /// the encoder how far apart that makes captures. How long it waited.
    fn wait_for_room(&mut self, sharing: Sharing) -> Duration {
        let start = Instant::now();
        let mut flight = lock(&self.gate.flight);
        while !flight.poll_may_send(self.gate.clock_ms())
            && self.gate.sharing() == sharing
            && self.gate.epoch() == self.epoch
            && !self.gate.is_closed()
        {
            flight =
                self.gate.flight_ready.wait_timeout(flight, FLIGHT_POLL).map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
        drop(flight);
        // Held back: captures come this far apart because of the line. Not held: the line may
        // have caught up, or this capture just came at a good moment; it fades.
        let waited = start.elapsed();
        if waited > FLIGHT_POLL {
            self.link_ms = self.last_frame.map_or(0, |t| t.elapsed().as_millis() as u64);
        } else {
            self.link_ms /= 2;
        }
        self.encoder.set_link_interval_ms(self.link_ms);
        waited
    }

    /// Sharing cannot go on on this machine: the customer's side ends the view and the window
    /// says why.
    fn stop_sharing(&self, why: Option<super::LocalProblem>) {
        self.events.emit(why.map_or(AgentEvent::WindowClosed, AgentEvent::LocalError));
        self.gate.act(|g, now| g.handle_local(now, Local::ShareEnded));
    }

    /// Opens the screen source for a new share and tells the host the monitors; whether it
    /// opened.
    fn open_source(&mut self) -> bool {
        match (self.factory)() {
            Ok(s) => self.source = Some(s),
            Err(e) => {
                self.stop_sharing(Some(super::LocalProblem::of(&e)));
                return false;
            }
        }
        self.encoder.reset();
        self.last_cursor = None;
        self.last_shape = None;
        self.monitors = self.source.as_mut().and_then(|s| s.monitors().ok()).unwrap_or_default();
        if self.monitors.len() > 1 {
            let list = self.monitors.clone();
            self.gate.act(|g, now| g.handle_local(now, Local::Monitors(list)));
        }
        true
    }

    /// The part of the screen shared: the window, the chosen monitor, or everything. A new
    /// part starts from a complete picture.
    fn place(&mut self, window: Option<&WindowView>) {
        let wanted = match window {
            Some(v) => Some(v.rect),
            None => self.gate.monitor().and_then(|i| self.monitors.get(i as usize)).map(|m| Rect {
                x: m.x,
                y: m.y,
                w: m.width,
                h: m.height,
            }),
        };
        if window.is_some_and(|v| v.covered != self.window_covered) {
            self.look_again = true;
        }
        if wanted != self.crop {
            self.crop = wanted;
            *lock(&self.gate.offset) = self.crop.map_or((0, 0), |c| (c.x, c.y));
            self.encoder.reset();
            self.last_cursor = None;
            self.look_again = true;
        }
    }

    /// Sends where the pointer is and its picture when either changed.
    fn send_cursor(&mut self, window: Option<&WindowView>) -> Result<(), WriterGone> {
        let Some(src) = self.source.as_mut() else { return Ok(()) };
        match src.cursor() {
            // One application: the pointer is shown only over the shared window.
            Ok(Some(c)) if window.is_some_and(|v| !v.shows(c.x, c.y)) => {
                if self.last_cursor != Some((-1, -1)) {
                    self.last_cursor = Some((-1, -1));
                    self.send(vec![ScreenMsg::Cursor { x: -1, y: -1, shape: None }])?;
                }
            }
            Ok(Some(c)) => {
                // A picture identical to the last one sent is not sent again.
                let shape = c.shape.filter(|s| self.last_shape.as_ref() != Some(s));
                if Some((c.x, c.y)) != self.last_cursor || shape.is_some() {
                    self.last_cursor = Some((c.x, c.y));
                    self.cursor_moved = Some(Instant::now());
                    let packed = shape.as_ref().map(CursorImage::pack);
                    if shape.is_some() {
                        self.last_shape = shape;
                    }
                    let (ox, oy) = self.crop.map_or((0, 0), |c| (c.x as i32, c.y as i32));
                    self.send(vec![ScreenMsg::Cursor { x: c.x - ox, y: c.y - oy, shape: packed }])?;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::debug!("cursor unavailable: {e}"),
        }
        Ok(())
    }

    /// Captures, encodes what changed (`damage`, or everything) and sends it.
    fn capture(&mut self, window: Option<&(u64, WindowView)>, damage: Option<&[Rect]>) -> Result<(), WriterGone> {
        self.last_frame = Some(Instant::now());
        let now_ms = self.clock_ms();
        let Some(src) = self.source.as_mut() else { return Ok(()) };
        let coded = match src.capture() {
            Ok(Some(frame)) if window.is_some() => {
                // Only the window's own pixels: whatever covered it before or after the
                // capture is painted black, and a window that moved meanwhile is looked at
                // again instead of sent.
                let Some((id, before)) = window else { return Ok(()) };
                let after = match window_view(&mut self.windows, &self.windows_factory, *id) {
                    Ok(Some(v)) if v.rect == before.rect => v,
                    _ => {
                        self.look_again = true;
                        return Ok(());
                    }
                };
                let mut view = before.clone();
                view.covered.extend(after.covered);
                view.covered.dedup();
                if !window_pixels(&frame, &view, &mut self.window_buf) {
                    self.look_again = true;
                    return Ok(());
                }
                self.window_covered.clone_from(&view.covered);
                let part = FrameRef {
                    width: view.rect.w,
                    height: view.rect.h,
                    stride: view.rect.w as usize * 4,
                    data: &self.window_buf,
                };
                // What covers the window may have moved without the window changing:
                // compare everything.
                self.encoder.encode_at(&part, None, now_ms)
            }
            Ok(Some(frame)) => match self.crop.and_then(|c| crop_frame(&frame, c).map(|part| (c, part))) {
                Some((c, part)) => {
                    let moved = damage.map(|d| crop_damage(d, c));
                    self.encoder.encode_at(&part, moved.as_deref(), now_ms)
                }
                None => self.encoder.encode_at(&frame, damage, now_ms),
            },
            Ok(None) => return Ok(()),
            Err(e) => {
                self.events.emit(AgentEvent::LocalError(super::LocalProblem::of(&e)));
                self.source = None;
                return Ok(());
            }
        };
        match coded {
            // Waits while the previous frame is still being written: the next capture is of
            // the screen as it is then (latest frame wins).
            Ok(Some(update)) => {
                tracing::debug!(
                    tiles = update.tiles,
                    copies = update.copies,
                    video = update.video,
                    link_ms = self.link_ms,
                    "frame"
                );
                self.send(update.batches)?;
            }
            Ok(None) => {}
            Err(e) => self.events.emit(AgentEvent::LocalError(super::LocalProblem::Encode(e.to_string()))),
        }
        Ok(())
    }

    fn send(&self, batches: Vec<ScreenMsg>) -> Result<(), WriterGone> {
        self.frames.blocking_send((self.epoch, batches)).map_err(|_| WriterGone)
    }
}

/// Where window `id` is, through the window probe (made on first use).
pub(super) fn window_view(
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

/// Stops a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Writes frames on a screen stream, one stream per grant. Checks the grant before every batch;
/// when viewing stops, the stream is reset, discarding anything not yet sent.
pub(super) async fn write_screen(
    conn: iroh::endpoint::Connection,
    gate: Arc<Gate>,
    frames: &mut mpsc::Receiver<(u64, Vec<ScreenMsg>)>,
) {
    let mut stream: Option<(u64, iroh::endpoint::SendStream)> = None;
    let acks = tokio::spawn(read_acks(conn.clone(), gate.clone()));
    let _stop_acks = AbortOnDrop(acks);
    // Bytes written of the frame being written.
    let mut written = 0u64;
    while let Some((epoch, batches)) = frames.recv().await {
        if stream.as_ref().is_some_and(|(e, _)| *e != epoch)
            && let Some((_, mut s)) = stream.take()
        {
            let _ = s.reset(iroh::endpoint::VarInt::from_u32(0));
            lock(&gate.flight).handle_stream_ended();
            written = 0;
        }
        for batch in &batches {
            if gate.sharing() == Sharing::Nothing || gate.epoch() != epoch {
                if let Some((_, mut s)) = stream.take() {
                    let _ = s.reset(iroh::endpoint::VarInt::from_u32(0));
                    lock(&gate.flight).handle_stream_ended();
                    written = 0;
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
                lock(&gate.flight).handle_stream(iroh::endpoint::VarInt::from(s.id()).into_inner());
                stream = Some((epoch, s));
            }
            let Some((_, s)) = stream.as_mut() else { break };
            let Ok(n) = write_msg(s, batch, MAX_SCREEN_MSG_BYTES).await else {
                stream = None;
                lock(&gate.flight).handle_stream_ended();
                written = 0;
                break;
            };
            written += n as u64;
            if let ScreenMsg::Batch { frame, last: true, .. } = batch {
                tracing::debug!(frame, bytes = written, "written");
                lock(&gate.flight).handle_written(gate.clock_ms(), *frame, std::mem::take(&mut written));
            }
        }
        // The path in use now (direct or through a relay): its window over its round trip.
        let paths = conn.paths();
        if let Some(path) = paths.iter().find(iroh::endpoint::Path::is_selected) {
            let stats = path.stats();
            let rtt = stats.rtt.as_secs_f64().max(0.001);
            gate.link_bps.store((stats.cwnd as f64 * 8.0 / rtt) as u64, Ordering::Relaxed);
            lock(&gate.flight).handle_rtt(gate.clock_ms(), rtt * 1000.0);
        }
    }
}

/// Takes the console's acknowledgements of shown frames (QUIC datagrams) into the flight, and
/// wakes the capture thread. Anything else a host sends as a datagram is dropped unread.
pub(super) async fn read_acks(conn: iroh::endpoint::Connection, gate: Arc<Gate>) {
    while let Ok(datagram) = conn.read_datagram().await {
        let Some(ack) = deskside_proto::ScreenAck::parse(&datagram) else { continue };
        if lock(&gate.flight).handle_ack(gate.clock_ms(), ack.stream, ack.frame) {
            gate.flight_ready.notify_all();
        }
    }
}
