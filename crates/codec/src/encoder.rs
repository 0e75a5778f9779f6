//! The agent's side: captured frames in, tile updates out.

use deskside_proto::{CopyRect, ScreenMsg, Tile, TileArea, TileData, VideoUpdate, palette_bits};
use xxhash_rust::xxh3::Xxh3;

use crate::motion::{apply_copy, find_move};
use crate::video::{
    HOT_FRAMES, HOT_GAP_MS, MAX_VIDEO_SIDE, MIN_VIDEO_TILES, PHOTO_VIDEO_TILES, RESTART_MS, VIDEO_IDLE_MS, VideoConfig,
    VideoEncoder,
};
use crate::{BATCH_BYTES, CodecError, FrameRef, Rect, TILE_SIZE, tile_rect};

/// One frame's update, as the messages to send in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The batches; the last has `last` set.
    pub batches: Vec<ScreenMsg>,
    /// How many tiles changed.
    pub tiles: usize,
    /// How many rectangles were sent as copies.
    pub copies: usize,
    /// Whether a video picture is part of the update.
    pub video: bool,
}

/// Encodes frames into tile updates against the previous frame.
#[derive(Debug)]
pub struct Encoder {
    tile: u32,
    width: u32,
    height: u32,
    hashes: Vec<u64>,
    frame: u64,
    have_base: bool,
    scratch: Vec<u8>,
    /// Which tiles the damage touches (reused between frames).
    touched: Vec<bool>,
    /// Packed palette indices (reused between tiles).
    packed: Vec<u8>,
    /// The screen as the decoder holds it (BGRX, `width * 4` bytes a row): what copies are
    /// searched in and applied to. Where the decoder's picture is lossy (video), see
    /// [`VideoState::lossy`].
    reference: Vec<u8>,
    /// The video path, when enabled.
    video: Option<VideoState>,
    /// The time of the last frame encoded, in milliseconds (passed in: the codec reads no clock).
    now_ms: u64,
    /// Most bytes of one frame spent sending lossy tiles losslessly again (see
    /// [`Encoder::set_refine_bytes`]).
    refine_bytes: usize,
    /// Lossy tiles outside the video rectangle were left for a later frame.
    refining: bool,
}

/// Bytes of one frame spent on making lossy tiles exact again, unless the caller sets it from
/// the line ([`Encoder::set_refine_bytes`]).
pub const REFINE_BYTES: usize = 1024 * 1024;

/// The video path's state (see [`crate::video`]).
#[derive(Debug)]
struct VideoState {
    config: VideoConfig,
    /// Per tile: how many quick photographic changes in a row.
    heat: Vec<u8>,
    /// Per tile: when it last changed, in milliseconds.
    changed_ms: Vec<u64>,
    /// Per tile: the decoder's picture there came from video, so the reference is not what the
    /// decoder holds; the tile is sent whole, losslessly, once it is outside the video rectangle.
    lossy: Vec<bool>,
    /// How many tiles are lossy.
    lossy_count: usize,
    /// The stream of the current video rectangle.
    stream: Option<VideoEncoder>,
    /// When content in the video rectangle last changed, in milliseconds.
    moved_ms: u64,
    /// When the last video picture was coded, in milliseconds.
    coded_ms: Option<u64>,
    /// When the current stream started, in milliseconds.
    started_ms: u64,
    /// The rectangle changed since the last picture, which came too recently to code another.
    pending: bool,
    /// How far apart the line lets captures come just now, in milliseconds (0: as fast as the
    /// screen changes); see [`Encoder::set_link_interval_ms`].
    link_ms: u64,
}

impl VideoState {
    fn new(config: VideoConfig) -> VideoState {
        VideoState {
            config,
            heat: Vec::new(),
            changed_ms: Vec::new(),
            lossy: Vec::new(),
            lossy_count: 0,
            stream: None,
            moved_ms: 0,
            coded_ms: None,
            started_ms: 0,
            pending: false,
            link_ms: 0,
        }
    }

    /// Changes this far apart still count as one movement: captures held back by a slow line
    /// come further apart than a video's frames, and what changed in each of them is moving.
    fn hot_gap_ms(&self) -> u64 {
        HOT_GAP_MS.max(self.link_ms.saturating_mul(3) / 2)
    }

    /// Quick changes in a row that make a tile hot: [`HOT_FRAMES`] at full rate, which is about
    /// `HOT_FRAMES` × 33 ms of movement; captures held far apart by the line see as long a
    /// movement in fewer changes (one, once they are that far apart), so a line too slow for
    /// the lossless picture turns to video without waiting several of its slow captures.
    fn hot_frames(&self) -> u8 {
        let span_ms = u64::from(HOT_FRAMES) * 33;
        let frames =
            span_ms.checked_div(self.link_ms).map_or(u64::from(HOT_FRAMES), |n| n.clamp(1, u64::from(HOT_FRAMES)));
        frames as u8
    }

    /// Stillness after which the video rectangle goes back to lossless.
    fn idle_ms(&self) -> u64 {
        VIDEO_IDLE_MS.max(self.link_ms.saturating_mul(2))
    }

    /// Forgets everything (a key frame, or a new screen of `tiles` tiles).
    fn reset(&mut self, tiles: usize) {
        self.heat = vec![0; tiles];
        self.changed_ms = vec![0; tiles];
        self.lossy = vec![false; tiles];
        self.lossy_count = 0;
        self.stream = None;
        self.pending = false;
    }

    fn set_lossy(&mut self, i: usize, lossy: bool) {
        if self.lossy[i] != lossy {
            self.lossy[i] = lossy;
            if lossy {
                self.lossy_count += 1;
            } else {
                self.lossy_count -= 1;
            }
        }
    }

    /// Notes a change of tile `i` at `now_ms` that needed the many-colour coder when
    /// `photographic`.
    fn warm(&mut self, i: usize, photographic: bool, now_ms: u64) {
        let quick = now_ms.saturating_sub(self.changed_ms[i]) <= self.hot_gap_ms();
        self.heat[i] = match (photographic, quick) {
            (true, true) => self.heat[i].saturating_add(1),
            (true, false) => 1,
            (false, _) => 0,
        };
        self.changed_ms[i] = now_ms;
    }

    /// The bounding box, in tiles `(col0, row0, col1, row1)` inclusive, of the hot tiles that
    /// are still warm at `now_ms` and outside `inside`, with how many there are.
    fn hot(
        &self,
        cols: u32,
        now_ms: u64,
        inside: Option<(u32, u32, u32, u32)>,
    ) -> Option<((u32, u32, u32, u32), usize)> {
        let mut bbox: Option<(u32, u32, u32, u32)> = None;
        let mut count = 0;
        for (i, &h) in self.heat.iter().enumerate() {
            if h < self.hot_frames() || now_ms.saturating_sub(self.changed_ms[i]) > self.hot_gap_ms() {
                continue;
            }
            let (col, row) = (i as u32 % cols, i as u32 / cols);
            if inside.is_some_and(|(c0, r0, c1, r1)| (c0..=c1).contains(&col) && (r0..=r1).contains(&row)) {
                continue;
            }
            count += 1;
            bbox =
                Some(bbox.map_or((col, row, col, row), |(c0, r0, c1, r1)| {
                    (c0.min(col), r0.min(row), c1.max(col), r1.max(row))
                }));
        }
        bbox.map(|b| (b, count))
    }
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new(TILE_SIZE)
    }
}

impl Encoder {
    /// An encoder with tiles of `tile_size` pixels (16 to 256).
    #[must_use]
    pub fn new(tile_size: u16) -> Encoder {
        let tile = u32::from(tile_size.clamp(16, 256));
        Encoder {
            tile,
            width: 0,
            height: 0,
            hashes: Vec::new(),
            frame: 0,
            have_base: false,
            scratch: Vec::new(),
            touched: Vec::new(),
            packed: Vec::new(),
            reference: Vec::new(),
            video: None,
            now_ms: 0,
            refine_bytes: REFINE_BYTES,
            refining: false,
        }
    }

    /// Turns on the video path: rectangles whose content changes every frame are coded as
    /// H.264 while they move, and losslessly again once they stop (see [`crate::video`]).
    #[must_use]
    pub fn with_video(mut self, config: VideoConfig) -> Encoder {
        self.video = Some(VideoState::new(config));
        self.have_base = false;
        self
    }

    /// Sets the video bit rate (for a full 1080p rectangle; smaller ones get their share), for
    /// example from what the connection carries. A stream running at half or twice the new rate
    /// or further off starts again at it (with a key picture) once it has run for
    /// [`RESTART_MS`]; otherwise the next stream uses it. (Each restart costs a key picture,
    /// many times a picture's share of the rate: an estimate that wavers must not restart the
    /// stream every few pictures. Within a factor of two, the line's pace of captures is what
    /// lowers the video's rate.)
    pub fn set_video_bitrate(&mut self, bps_1080p: u32) {
        let Some(v) = self.video.as_mut() else { return };
        v.config.bitrate_1080p_bps = bps_1080p.max(1);
    }

    /// Whether the video rectangle changed since its last picture and a picture is due once the
    /// video's frame interval has passed: the caller should encode again within that interval,
    /// even without damage.
    #[must_use]
    pub fn video_pending(&self) -> bool {
        self.video.as_ref().is_some_and(|v| v.pending && v.stream.is_some())
    }

    /// The rectangle currently coded as video, if any. While there is one, the caller should
    /// encode now and then even without damage, so that the rectangle returns to lossless once
    /// its content stops moving.
    #[must_use]
    pub fn video_rect(&self) -> Option<Rect> {
        self.video.as_ref().and_then(|v| v.stream.as_ref()).map(VideoEncoder::rect)
    }

    /// Whether tiles the console holds from video, now still, are still to be sent exactly: the
    /// caller should encode again soon, even without damage.
    #[must_use]
    pub fn refining(&self) -> bool {
        self.refining
    }

    /// At most this many bytes of a frame (at least one tile's) go to sending the still remains
    /// of a video losslessly; the rest follow in later frames. Set from what the line carries in
    /// a short while, so that a change typed meanwhile does not wait behind megabytes.
    pub fn set_refine_bytes(&mut self, bytes: usize) {
        self.refine_bytes = bytes;
    }

    /// Forgets the previous frame: the next update is a key frame with every tile.
    pub fn reset(&mut self) {
        self.have_base = false;
    }

    /// Encodes `frame` against the previous one. `None` when nothing changed. Time stands still
    /// (see [`Encoder::encode_at`]).
    pub fn encode(&mut self, frame: &FrameRef<'_>) -> Result<Option<EncodedFrame>, CodecError> {
        self.encode_damaged(frame, None)
    }

    /// Encodes `frame`, examining only the tiles that `damage` touches (every tile when `None`,
    /// or when a key frame is due). Damage may over-report; tiles whose pixels did not change
    /// are still not sent. Time stands still (see [`Encoder::encode_at`]).
    pub fn encode_damaged(
        &mut self,
        frame: &FrameRef<'_>,
        damage: Option<&[Rect]>,
    ) -> Result<Option<EncodedFrame>, CodecError> {
        self.encode_at(frame, damage, self.now_ms)
    }

    /// How far apart captures come because the line holds them back (the agent's screen flow
    /// control), in milliseconds; 0 when they come as fast as the screen changes. Content that
    /// changed in each of such captures is coded as video, as it would be at full rate, instead
    /// of being sent losslessly every time over a line too slow for it.
    pub fn set_link_interval_ms(&mut self, ms: u64) {
        if let Some(v) = self.video.as_mut() {
            v.link_ms = ms;
        }
    }

    /// Encodes `frame` like [`Encoder::encode_damaged`], captured at `now_ms` (milliseconds on
    /// any steady clock): the video path decides by how quickly content changes.
    pub fn encode_at(
        &mut self,
        frame: &FrameRef<'_>,
        damage: Option<&[Rect]>,
        now_ms: u64,
    ) -> Result<Option<EncodedFrame>, CodecError> {
        if !frame.is_consistent() {
            return Err(CodecError::BadDimensions);
        }
        self.now_ms = now_ms;
        let cols = frame.width.div_ceil(self.tile);
        let rows = frame.height.div_ceil(self.tile);
        let n = (cols * rows) as usize;
        let key = self.begin(frame, n, now_ms);
        let video_rect = self.video_rect();
        let lossy = self.video.as_ref().is_some_and(|v| v.lossy_count > 0);
        let every = key || damage.is_none();
        if !every {
            self.touch(damage.unwrap_or_default(), cols, n);
        }
        let mut copies = Vec::new();
        // Copies are searched in the reference, which is not the decoder's picture where that
        // came from video: no copies while any of it is lossy.
        if let (false, false, Some(area)) = (key, lossy, damage.and_then(bounding_box))
            && let Some(c) = find_move(frame, &self.reference, area)
        {
            self.copy(&c, cols);
            copies.push(c);
        }
        let (tile, width, height) = (self.tile, self.width, self.height);
        let inside = |col: u32, row: u32| {
            video_rect.is_some_and(|v| {
                let r = tile_rect(col, row, tile, width, height);
                r.x >= v.x && r.y >= v.y && r.x + r.w <= v.x + v.w && r.y + r.h <= v.y + v.h
            })
        };
        let mut tiles = Vec::new();
        let mut video_changed = false;
        let mut refined = 0;
        self.refining = false;
        // Tiles that needed the many-colour coder in this frame, outside any video rectangle.
        let mut photographic = Vec::new();
        for row in 0..rows {
            for col in 0..cols {
                let i = (row * cols + col) as usize;
                let forced = self.video.as_ref().is_some_and(|v| v.lossy[i]) && !inside(col, row);
                if !every && !self.touched[i] && !forced {
                    continue;
                }
                if forced && refined >= self.refine_bytes {
                    self.refining = true; // the rest of the video's remains next time
                    continue;
                }
                let r = tile_rect(col, row, self.tile, self.width, self.height);
                let hash = hash_tile(frame, r);
                let slot = &mut self.hashes[i];
                if inside(col, row) {
                    // Coded as video below, as a whole; until it is lossless again, the decoder
                    // does not hold these pixels.
                    if *slot != hash {
                        *slot = hash;
                        video_changed = true;
                        if let Some(v) = self.video.as_mut() {
                            v.set_lossy(i, true);
                        }
                    }
                    continue;
                }
                if !key && !forced && *slot == hash {
                    continue;
                }
                *slot = hash;
                // Against the decoder's picture, send only the part that really changed when
                // that is much smaller than the tile (a typed character is one cell).
                let mut area = None;
                let mut coded = r;
                if !key && !forced {
                    let Some(changed) = changed_area(frame, &self.reference, self.width as usize * 4, r) else {
                        continue; // the same pixels: nothing to send
                    };
                    if u64::from(changed.w) * u64::from(changed.h) * 2 < u64::from(r.w) * u64::from(r.h) {
                        area = Some(TileArea {
                            x: (changed.x - r.x) as u16,
                            y: (changed.y - r.y) as u16,
                            w: changed.w as u16,
                            h: changed.h as u16,
                        });
                        coded = changed;
                    }
                }
                let data = self.code_tile(frame, coded);
                if forced {
                    refined += tile_bytes(&data);
                }
                // (A still video's remains made exact are not a new change.)
                if matches!(data, TileData::Lz4(_)) && !forced {
                    photographic.push(i);
                }
                self.store(coded);
                if let Some(v) = self.video.as_mut() {
                    v.set_lossy(i, false);
                    v.warm(i, matches!(data, TileData::Lz4(_)), now_ms);
                }
                tiles.push(Tile { col: col as u16, row: row as u16, area, data });
            }
        }
        // A photograph or a film that appeared all at once is megabytes lossless: video first
        // (its picture covers any video rectangle there was, too).
        let video = match self.photographic_change(frame, &mut tiles, &photographic, cols, now_ms) {
            Some(v) => Some(v),
            None if key => None,
            None => self.code_video(frame, video_changed, cols, now_ms),
        };
        if tiles.is_empty() && copies.is_empty() && video.is_none() {
            return Ok(None);
        }
        let base = if key { None } else { Some(self.frame) };
        self.frame += 1;
        self.have_base = true;
        let (tile_count, copy_count, has_video) = (tiles.len(), copies.len(), video.is_some());
        Ok(Some(EncodedFrame {
            batches: self.batch(base, copies, video, tiles),
            tiles: tile_count,
            copies: copy_count,
            video: has_video,
        }))
    }

    /// Starts a frame of `n` tiles at `now_ms`: a new size forgets everything, a key frame the
    /// video's state, and a video rectangle still for long enough ends. Whether it is a key frame.
    fn begin(&mut self, frame: &FrameRef<'_>, n: usize, now_ms: u64) -> bool {
        if frame.width != self.width || frame.height != self.height {
            self.width = frame.width;
            self.height = frame.height;
            self.hashes = vec![0; n];
            self.reference = vec![0; frame.width as usize * frame.height as usize * 4];
            self.have_base = false;
        }
        let key = !self.have_base;
        if let Some(v) = self.video.as_mut() {
            if key || v.heat.len() != n {
                v.reset(n);
            }
            // Content in the video rectangle stopped moving: back to lossless. Its tiles are
            // lossy, now outside any video rectangle, so they are sent whole below.
            if v.stream.is_some() && now_ms.saturating_sub(v.moved_ms) >= v.idle_ms() {
                v.stream = None;
            }
        }
        key
    }

    /// Marks in `touched` the tiles (`n` of them, `cols` a row) that `damage` touches.
    fn touch(&mut self, damage: &[Rect], cols: u32, n: usize) {
        self.touched.clear();
        self.touched.resize(n, false);
        for d in damage {
            let (x1, y1) = ((d.x + d.w).min(self.width), (d.y + d.h).min(self.height));
            if d.x >= x1 || d.y >= y1 {
                continue;
            }
            for row in d.y / self.tile..=(y1 - 1) / self.tile {
                for col in d.x / self.tile..=(x1 - 1) / self.tile {
                    self.touched[(row * cols + col) as usize] = true;
                }
            }
        }
    }

    /// Codes the video rectangle when its content `changed`, then starts or widens the video
    /// rectangle where tiles have turned hot.
    fn code_video(&mut self, frame: &FrameRef<'_>, changed: bool, cols: u32, now_ms: u64) -> Option<VideoUpdate> {
        let (tile, width, height) = (self.tile, self.width, self.height);
        let v = self.video.as_mut()?;
        let mut update = None;
        if changed {
            v.moved_ms = now_ms;
        }
        // At most `max_fps` pictures a second: a change that comes sooner waits for the next call
        // (2 ms of slack, so captures a little early against a source's own rate still count).
        let interval_ms = (1000.0 / v.config.max_fps.max(1.0)) as u64;
        let due = v.coded_ms.is_none_or(|t| now_ms.saturating_sub(t) + 2 >= interval_ms);
        let wanted = changed || v.pending;
        v.pending = wanted && !due;
        let bps = v.config.bitrate_1080p_bps;
        let off = |running: u32| bps.saturating_mul(2) <= running || bps >= running.saturating_mul(2);
        if wanted
            && due
            && now_ms.saturating_sub(v.started_ms) >= RESTART_MS
            && let Some(s) = v.stream.as_ref()
            && off(s.bitrate_1080p_bps())
        {
            v.stream = VideoEncoder::new(s.rect(), v.config).ok();
            v.started_ms = now_ms;
        }
        if wanted
            && due
            && let Some(stream) = v.stream.as_mut()
        {
            v.coded_ms = Some(now_ms);
            match stream.encode(frame) {
                Ok(Some(u)) => {
                    let (c0, r0, c1, r1) = tiles_of(stream.rect(), tile);
                    for row in r0..=r1 {
                        for col in c0..=c1 {
                            v.set_lossy((row * cols + col) as usize, true);
                        }
                    }
                    update = Some(u);
                }
                Ok(None) => {} // skipped by the rate control: the console keeps the last picture
                Err(_) => {
                    // Back to lossless: the lossy tiles are sent whole on the next frame.
                    v.stream = None;
                }
            }
        }
        let current = v.stream.as_ref().map(|s| tiles_of(s.rect(), tile));
        if let Some(((c0, r0, c1, r1), count)) = v.hot(cols, now_ms, current)
            && (current.is_some() || count >= MIN_VIDEO_TILES)
        {
            let (c0, r0, c1, r1) =
                current.map_or((c0, r0, c1, r1), |(a0, b0, a1, b1)| (c0.min(a0), r0.min(b0), c1.max(a1), r1.max(b1)));
            let rect = rect_of((c0, r0, c1, r1), tile, width, height);
            if rect.w <= MAX_VIDEO_SIDE && rect.h <= MAX_VIDEO_SIDE && rect.w >= 2 && rect.h >= 2 {
                // A new stream starts with a key picture of the whole rectangle on the next change.
                v.stream = VideoEncoder::new(rect, v.config).ok();
                v.started_ms = now_ms;
                v.moved_ms = now_ms;
            }
        }
        update
    }

    /// When at least [`PHOTO_VIDEO_TILES`] tiles of this frame needed the many-colour coder
    /// (`photographic`, outside the video rectangle: a photograph or a film that appeared at
    /// once, or a key frame of one, or a film a slow line lets through a part at a time), codes
    /// their bounding box, with the video rectangle if there is one, as a video key picture
    /// instead, a fraction of their lossless size, and makes it the video rectangle; its tiles
    /// leave the frame. If the content then stays still, the rectangle goes back to lossless after
    /// [`VIDEO_IDLE_MS`] like any video, a share of the line a frame
    /// ([`Encoder::set_refine_bytes`]); if it moves, it is a video already.
    fn photographic_change(
        &mut self,
        frame: &FrameRef<'_>,
        tiles: &mut Vec<Tile>,
        photographic: &[usize],
        cols: u32,
        now_ms: u64,
    ) -> Option<VideoUpdate> {
        if photographic.len() < PHOTO_VIDEO_TILES {
            return None;
        }
        let (tile, width, height) = (self.tile, self.width, self.height);
        let v = self.video.as_mut()?;
        let (mut c0, mut r0, mut c1, mut r1) = (u32::MAX, u32::MAX, 0, 0);
        if let Some(r) = v.stream.as_ref().map(VideoEncoder::rect) {
            (c0, r0, c1, r1) = tiles_of(r, tile);
        }
        for &i in photographic {
            let (col, row) = (i as u32 % cols, i as u32 / cols);
            (c0, r0, c1, r1) = (c0.min(col), r0.min(row), c1.max(col), r1.max(row));
        }
        let rect = rect_of((c0, r0, c1, r1), tile, width, height);
        let mut stream = VideoEncoder::new(rect, v.config).ok()?;
        // Not coded (the rate control skipped it, or OpenH264 failed): the tiles go as they are.
        let update = stream.encode(frame).ok()??;
        v.stream = Some(stream);
        v.started_ms = now_ms;
        v.coded_ms = Some(now_ms);
        v.moved_ms = now_ms;
        v.pending = false;
        // The console's picture inside is the video's now, until it is sent exactly again.
        for row in r0..=r1 {
            for col in c0..=c1 {
                v.set_lossy((row * cols + col) as usize, true);
            }
        }
        tiles.retain(|t| !(c0..=c1).contains(&u32::from(t.col)) || !(r0..=r1).contains(&u32::from(t.row)));
        Some(update)
    }

    /// Applies `c` to the reference, as the decoder will, and re-hashes the tiles it wrote so
    /// that only tiles still different from the new frame are sent.
    fn copy(&mut self, c: &CopyRect, cols: u32) {
        let stride = self.width as usize * 4;
        apply_copy(&mut self.reference, stride, c);
        let reference = FrameRef { width: self.width, height: self.height, stride, data: &self.reference };
        for row in c.y / self.tile..=(c.y + c.h - 1) / self.tile {
            for col in c.x / self.tile..=(c.x + c.w - 1) / self.tile {
                let i = (row * cols + col) as usize;
                self.hashes[i] = hash_tile(&reference, tile_rect(col, row, self.tile, self.width, self.height));
                self.touched[i] = true;
            }
        }
    }

    /// Writes the tile just coded (in `scratch`) into the reference.
    fn store(&mut self, r: Rect) {
        let stride = self.width as usize * 4;
        let row_bytes = r.w as usize * 4;
        for (i, y) in (r.y..r.y + r.h).enumerate() {
            let d = y as usize * stride + r.x as usize * 4;
            self.reference[d..d + row_bytes].copy_from_slice(&self.scratch[i * row_bytes..(i + 1) * row_bytes]);
        }
    }

    /// Copies the pixels of `r` into `scratch`, contiguous.
    fn load(&mut self, frame: &FrameRef<'_>, r: Rect) {
        self.scratch.clear();
        let row_bytes = r.w as usize * 4;
        for y in r.y..r.y + r.h {
            let start = y as usize * frame.stride + r.x as usize * 4;
            self.scratch.extend_from_slice(&frame.data[start..start + row_bytes]);
        }
    }

    fn code_tile(&mut self, frame: &FrameRef<'_>, r: Rect) -> TileData {
        self.load(frame, r);
        match colours(&self.scratch) {
            Some(c) if c.len() == 1 => TileData::Solid([c[0][0], c[0][1], c[0][2], 255]),
            Some(c) => self.palette_tile(c, r.w as usize),
            None => TileData::Lz4(lz4_flex::block::compress(&self.scratch)),
        }
    }

    /// The tile in `scratch` as indices into `colors` (its 2 to 16 colours).
    fn palette_tile(&mut self, colors: Vec<[u8; 3]>, width: usize) -> TileData {
        let bits = palette_bits(colors.len()).map_or(4, |b| b as usize);
        let row_bytes = (width * bits).div_ceil(8);
        let rows = self.scratch.len() / 4 / width;
        self.packed.clear();
        self.packed.resize(row_bytes * rows, 0);
        for (y, row) in self.scratch.chunks_exact(width * 4).enumerate() {
            for (x, p) in row.chunks_exact(4).enumerate() {
                let index = colors.iter().position(|c| c[..] == p[..3]).unwrap_or(0) as u8;
                let bit = x * bits;
                self.packed[y * row_bytes + bit / 8] |= index << (8 - bits - bit % 8);
            }
        }
        TileData::Palette { colors, indices: lz4_flex::block::compress(&self.packed) }
    }

    fn batch(
        &self,
        base: Option<u64>,
        copies: Vec<CopyRect>,
        video: Option<VideoUpdate>,
        tiles: Vec<Tile>,
    ) -> Vec<ScreenMsg> {
        let mut batches = Vec::new();
        let mut current = Vec::new();
        let mut bytes = video.as_ref().map_or(0, |v| v.data.len());
        let mut first = Some((copies, video));
        let mut msg = |tiles, last| {
            let (copies, video) = first.take().unwrap_or_default();
            ScreenMsg::Batch {
                frame: self.frame,
                base,
                width: self.width,
                height: self.height,
                tile_size: self.tile as u16,
                copies,
                video,
                tiles,
                last,
            }
        };
        for tile in tiles {
            let size = tile_bytes(&tile.data);
            if bytes + size > BATCH_BYTES && !current.is_empty() {
                batches.push(msg(std::mem::take(&mut current), false));
                bytes = 0;
            }
            bytes += size;
            current.push(tile);
        }
        batches.push(msg(current, true));
        batches
    }
}

/// The smallest rectangle of `r` where `frame` differs from `reference` (`stride` bytes a row),
/// or `None` where they are the same.
fn changed_area(frame: &FrameRef<'_>, reference: &[u8], stride: usize, r: Rect) -> Option<Rect> {
    let (mut x0, mut x1, mut y0, mut y1) = (u32::MAX, 0, u32::MAX, 0);
    let row_bytes = r.w as usize * 4;
    for y in r.y..r.y + r.h {
        let new = &frame.data[y as usize * frame.stride + r.x as usize * 4..][..row_bytes];
        let old = &reference[y as usize * stride + r.x as usize * 4..][..row_bytes];
        if new == old {
            continue;
        }
        let differs = |(a, b): (&[u8], &[u8])| a != b;
        let first = new.chunks_exact(4).zip(old.chunks_exact(4)).position(differs).unwrap_or(0) as u32;
        let last = new.chunks_exact(4).zip(old.chunks_exact(4)).rposition(differs).unwrap_or(0) as u32;
        x0 = x0.min(r.x + first);
        x1 = x1.max(r.x + last + 1);
        y0 = y0.min(y);
        y1 = y + 1;
    }
    (y0 != u32::MAX).then(|| Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 })
}

/// The colours of a tile's pixels (BGRX), in order of appearance, if there are at most 16.
fn colours(pixels: &[u8]) -> Option<Vec<[u8; 3]>> {
    let mut colors: Vec<[u8; 3]> = Vec::with_capacity(16);
    for p in pixels.chunks_exact(4) {
        let c = [p[0], p[1], p[2]];
        if colors.last() != Some(&c) && !colors.contains(&c) {
            if colors.len() == 16 {
                return None;
            }
            colors.push(c);
        }
    }
    Some(colors)
}

/// The tiles, `(col0, row0, col1, row1)` inclusive, that the tile-aligned rectangle `r` covers.
fn tiles_of(r: Rect, tile: u32) -> (u32, u32, u32, u32) {
    (r.x / tile, r.y / tile, (r.x + r.w - 1) / tile, (r.y + r.h - 1) / tile)
}

/// The rectangle of tiles `(col0, row0, col1, row1)` inclusive, clipped to a `width` x `height`
/// screen.
fn rect_of((c0, r0, c1, r1): (u32, u32, u32, u32), tile: u32, width: u32, height: u32) -> Rect {
    let (x, y) = (c0 * tile, r0 * tile);
    Rect { x, y, w: ((c1 + 1) * tile).min(width) - x, h: ((r1 + 1) * tile).min(height) - y }
}

/// About what a tile costs on the wire, in bytes.
fn tile_bytes(data: &TileData) -> usize {
    match data {
        TileData::Solid(_) => 8,
        TileData::Lz4(d) => d.len() + 8,
        TileData::Palette { colors, indices } => colors.len() * 3 + indices.len() + 8,
    }
}

/// The smallest rectangle holding every rectangle of `damage`.
fn bounding_box(damage: &[Rect]) -> Option<Rect> {
    let x0 = damage.iter().map(|r| r.x).min()?;
    let y0 = damage.iter().map(|r| r.y).min()?;
    let x1 = damage.iter().map(|r| r.x + r.w).max()?;
    let y1 = damage.iter().map(|r| r.y + r.h).max()?;
    Some(Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 })
}

fn hash_tile(frame: &FrameRef<'_>, r: Rect) -> u64 {
    let mut h = Xxh3::new();
    let row_bytes = r.w as usize * 4;
    for y in r.y..r.y + r.h {
        let start = y as usize * frame.stride + r.x as usize * 4;
        h.update(&frame.data[start..start + row_bytes]);
    }
    h.digest()
}
