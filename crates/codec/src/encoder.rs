//! The agent's side: captured frames in, tile updates out.

use deskside_proto::{CopyRect, ScreenMsg, Tile, TileArea, TileData, palette_bits};
use xxhash_rust::xxh3::Xxh3;

use crate::motion::{apply_copy, find_move};
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
    /// searched in and applied to.
    reference: Vec<u8>,
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
        }
    }

    /// Forgets the previous frame: the next update is a key frame with every tile.
    pub fn reset(&mut self) {
        self.have_base = false;
    }

    /// Encodes `frame` against the previous one. `None` when nothing changed.
    pub fn encode(&mut self, frame: &FrameRef<'_>) -> Result<Option<EncodedFrame>, CodecError> {
        self.encode_damaged(frame, None)
    }

    /// Encodes `frame`, examining only the tiles that `damage` touches (every tile when `None`,
    /// or when a key frame is due). Damage may over-report; tiles whose pixels did not change
    /// are still not sent.
    pub fn encode_damaged(
        &mut self,
        frame: &FrameRef<'_>,
        damage: Option<&[Rect]>,
    ) -> Result<Option<EncodedFrame>, CodecError> {
        if !frame.is_consistent() {
            return Err(CodecError::BadDimensions);
        }
        let cols = frame.width.div_ceil(self.tile);
        let rows = frame.height.div_ceil(self.tile);
        if frame.width != self.width || frame.height != self.height {
            self.width = frame.width;
            self.height = frame.height;
            self.hashes = vec![0; (cols * rows) as usize];
            self.reference = vec![0; frame.width as usize * frame.height as usize * 4];
            self.have_base = false;
        }
        let key = !self.have_base;
        let every = key || damage.is_none();
        if !every {
            self.touched.clear();
            self.touched.resize((cols * rows) as usize, false);
            for d in damage.unwrap_or_default() {
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
        let mut copies = Vec::new();
        if let (false, Some(area)) = (key, damage.and_then(bounding_box))
            && let Some(c) = find_move(frame, &self.reference, area)
        {
            self.copy(&c, cols);
            copies.push(c);
        }
        let mut tiles = Vec::new();
        for row in 0..rows {
            for col in 0..cols {
                if !every && !self.touched[(row * cols + col) as usize] {
                    continue;
                }
                let r = tile_rect(col, row, self.tile, self.width, self.height);
                let hash = hash_tile(frame, r);
                let slot = &mut self.hashes[(row * cols + col) as usize];
                if !key && *slot == hash {
                    continue;
                }
                *slot = hash;
                // Against the decoder's picture, send only the part that really changed when
                // that is much smaller than the tile (a typed character is one cell).
                let mut area = None;
                let mut coded = r;
                if !key {
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
                self.store(coded);
                tiles.push(Tile { col: col as u16, row: row as u16, area, data });
            }
        }
        if tiles.is_empty() && copies.is_empty() {
            return Ok(None);
        }
        let base = if key { None } else { Some(self.frame) };
        self.frame += 1;
        self.have_base = true;
        let (tile_count, copy_count) = (tiles.len(), copies.len());
        Ok(Some(EncodedFrame { batches: self.batch(base, copies, tiles), tiles: tile_count, copies: copy_count }))
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

    fn code_tile(&mut self, frame: &FrameRef<'_>, r: Rect) -> TileData {
        self.scratch.clear();
        let row_bytes = r.w as usize * 4;
        for y in r.y..r.y + r.h {
            let start = y as usize * frame.stride + r.x as usize * 4;
            self.scratch.extend_from_slice(&frame.data[start..start + row_bytes]);
        }
        let first: [u8; 4] = [self.scratch[0], self.scratch[1], self.scratch[2], 255];
        let solid = self.scratch.chunks_exact(4).all(|p| p[..3] == first[..3]);
        if solid {
            return TileData::Solid(first);
        }
        if let Some(data) = self.palette_tile(r.w as usize) {
            return data;
        }
        TileData::Lz4(lz4_flex::block::compress(&self.scratch))
    }

    /// The tile in `scratch` as palette indices, if it has at most 16 colours.
    fn palette_tile(&mut self, width: usize) -> Option<TileData> {
        let mut colors: Vec<[u8; 3]> = Vec::with_capacity(16);
        for p in self.scratch.chunks_exact(4) {
            let c = [p[0], p[1], p[2]];
            if !colors.contains(&c) {
                if colors.len() == 16 {
                    return None;
                }
                colors.push(c);
            }
        }
        let bits = palette_bits(colors.len())? as usize;
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
        Some(TileData::Palette { colors, indices: lz4_flex::block::compress(&self.packed) })
    }

    fn batch(&self, base: Option<u64>, copies: Vec<CopyRect>, tiles: Vec<Tile>) -> Vec<ScreenMsg> {
        let mut batches = Vec::new();
        let mut current = Vec::new();
        let mut bytes = 0;
        let mut copies = Some(copies);
        let mut msg = |tiles, last| ScreenMsg::Batch {
            frame: self.frame,
            base,
            width: self.width,
            height: self.height,
            tile_size: self.tile as u16,
            copies: copies.take().unwrap_or_default(),
            tiles,
            last,
        };
        for tile in tiles {
            let size = match &tile.data {
                TileData::Solid(_) => 8,
                TileData::Lz4(d) => d.len() + 8,
                TileData::Palette { colors, indices } => colors.len() * 3 + indices.len() + 8,
            };
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
