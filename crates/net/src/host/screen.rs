//! The shared screen: the picture the host decodes from the primary customer's screen stream,
//! which the UI paints from and which is passed on to colleagues' consoles.

use super::{MAX_DIRTY, Waker, close};
use crate::framed::{StreamError, read_msg, write_msg};
use deskside_codec::{Decoder, Rect};
use deskside_proto::{MAX_SCREEN_MSG_BYTES, ParticipantId, Refusal, ScreenAck, ScreenMsg, UniHeader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// The customer's line reduces the picture just now (their agent says so,
    /// [`ScreenMsg::Line`]): fewer pictures a second, moving parts coarser.
    pub reduced: bool,
}

impl SharedScreen {
    /// Takes what changed since the last call: `(full, rects)`.
    pub fn take_updates(&mut self) -> (bool, Vec<Rect>) {
        (std::mem::take(&mut self.full), std::mem::take(&mut self.dirty))
    }

    pub(super) fn publish(&mut self, owner: ParticipantId, dec: &Decoder, dirty: &[Rect]) {
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

/// How often the screen is passed on to a CSR on their own console, at most.
pub(super) const RELAY_EVERY: Duration = Duration::from_millis(50);

/// Passes the screen being shared on to a CSR who joined from their own console: the picture
/// this host decoded, encoded again (lossless tiles, only what changed) at most every
/// [`RELAY_EVERY`], one screen stream per share, until the connection ends.
pub(super) async fn relay_screen(conn: iroh::endpoint::Connection, screen: Arc<Mutex<SharedScreen>>) {
    let mut encoder = deskside_codec::Encoder::new(deskside_codec::TILE_SIZE);
    let mut stream: Option<iroh::endpoint::SendStream> = None;
    let mut seen = u64::MAX;
    // The pointer as last passed on: where, and which picture.
    let mut pointer: (Option<(i32, i32)>, u64) = (None, u64::MAX);
    // Whether the customer's line reduces the picture, as last passed on.
    let mut reduced = false;
    let mut bgrx: Vec<u8> = Vec::new();
    let mut tick = tokio::time::interval(RELAY_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = conn.closed() => return,
        }
        let (picture, cursor, line) = {
            let Ok(s) = screen.lock() else { return };
            let line = (s.active && s.reduced != reduced).then(|| {
                reduced = s.reduced;
                ScreenMsg::Line { reduced }
            });
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
            (picture, cursor, line)
        };
        let Some(picture) = picture else {
            // The share ended: the next one starts on a new stream from a whole picture.
            if let Some(mut s) = stream.take() {
                let _ = s.finish();
                encoder.reset();
                seen = u64::MAX;
                pointer = (None, u64::MAX);
                reduced = false;
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
        batches.extend(line);
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

pub(crate) async fn read_screen(
    conn: iroh::endpoint::Connection,
    id: ParticipantId,
    mut recv: iroh::endpoint::RecvStream,
    screen_ok: Arc<AtomicBool>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
) {
    let mut dec = Decoder::new();
    let stream_number = iroh::endpoint::VarInt::from(recv.id()).into_inner();
    loop {
        // Viewing stopped: nothing more of this share is read or decoded.
        if !screen_ok.load(Ordering::SeqCst) {
            let _ = recv.stop(iroh::endpoint::VarInt::from_u32(0));
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
            Ok(ScreenMsg::Line { reduced }) => {
                if screen_ok.load(Ordering::SeqCst) {
                    if let Ok(mut s) = screen.lock() {
                        s.reduced = reduced;
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
                        // Shown: the agent may send the next (see `ScreenAck`).
                        if let ScreenMsg::Batch { frame, .. } = msg {
                            let ack = ScreenAck { stream: stream_number, frame };
                            let _ = conn.send_datagram(ack.to_bytes().to_vec().into());
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(participant = %id, "bad screen update: {e}");
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
        s.reduced = false;
    }
    wake();
}
