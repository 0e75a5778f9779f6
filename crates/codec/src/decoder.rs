//! The console's side: tile updates in, an RGBA image out.

use deskside_proto::{MAX_COPIES, ScreenMsg, TileData, palette_bits};

use crate::motion::{apply_copy, copy_fits};
use crate::video::{VideoDecoder, rect_fits};

use crate::{CodecError, MAX_PIXELS, Rect, tile_rect};

/// Rebuilds the screen from updates.
#[derive(Debug, Default)]
pub struct Decoder {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    /// The last complete frame held.
    complete: Option<u64>,
    /// The frame being received, if a batch of it arrived.
    receiving: Option<u64>,
    dirty: Vec<Rect>,
    scratch: Vec<u8>,
    /// The H.264 stream of the current video rectangle.
    video: Option<VideoDecoder>,
    /// Whether the frame being received (or last completed) painted video.
    frame_had_video: bool,
}

impl Decoder {
    /// A decoder holding no image.
    #[must_use]
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Screen width in pixels (0 before the first key frame).
    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Screen height in pixels.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The image, RGBA, `width * 4` bytes a row.
    #[must_use]
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Whether the last completed frame painted a video rectangle (lossy while it moves).
    #[must_use]
    pub fn frame_had_video(&self) -> bool {
        self.frame_had_video
    }

    /// Forgets everything; the next update must be a key frame.
    pub fn reset(&mut self) {
        self.complete = None;
        self.receiving = None;
        self.video = None;
    }

    /// Applies one batch. Returns the rectangles changed by the frame when this batch completes
    /// it, `None` while the frame is still arriving. On error the decoder holds no valid base and
    /// waits for a key frame.
    pub fn apply(&mut self, msg: &ScreenMsg) -> Result<Option<Vec<Rect>>, CodecError> {
        let result = self.apply_inner(msg);
        if result.is_err() {
            self.reset();
        }
        result
    }

    fn apply_inner(&mut self, msg: &ScreenMsg) -> Result<Option<Vec<Rect>>, CodecError> {
        let ScreenMsg::Batch { frame, base, width, height, tile_size, copies, video, tiles, last } = msg else {
            return Ok(None); // the cursor is not the picture's business
        };
        let (frame, width, height) = (*frame, *width, *height);
        let tile = u32::from(*tile_size);
        if !(16..=256).contains(&tile) {
            return Err(CodecError::BadTile);
        }
        if self.receiving == Some(frame) {
            if (width, height) != (self.width, self.height) {
                return Err(CodecError::BadDimensions);
            }
            if video.is_some() || !copies.is_empty() {
                return Err(CodecError::BadTile); // only in a frame's first batch
            }
        } else {
            match base {
                None => self.start_key_frame(width, height)?,
                Some(b) if Some(*b) == self.complete && (width, height) == (self.width, self.height) => {}
                Some(_) => return Err(CodecError::MissingBase),
            }
            self.receiving = Some(frame);
            self.dirty.clear();
            self.frame_had_video = false;
        }
        if !copies.is_empty() && (base.is_none() || copies.len() > MAX_COPIES) {
            return Err(CodecError::BadTile);
        }
        for c in copies {
            if !copy_fits(c, width, height) {
                return Err(CodecError::BadTile);
            }
            apply_copy(&mut self.rgba, width as usize * 4, c);
            self.dirty.push(Rect { x: c.x, y: c.y, w: c.w, h: c.h });
        }
        if let Some(v) = video {
            // A key frame's video starts a stream: it cannot continue one the key frame ended.
            if (base.is_none() && !v.key) || !rect_fits(v, width, height) {
                return Err(CodecError::BadTile);
            }
            if v.key {
                self.video = Some(VideoDecoder::new(v)?);
            }
            match self.video.as_mut() {
                Some(dec) if dec.continues(v) => dec.paint(v, &mut self.rgba, width as usize * 4)?,
                _ => return Err(CodecError::MissingBase),
            }
            self.dirty.push(Rect { x: v.x, y: v.y, w: v.w, h: v.h });
            self.frame_had_video = true;
        }
        let cols = width.div_ceil(tile);
        let rows = height.div_ceil(tile);
        for t in tiles {
            let (col, row) = (u32::from(t.col), u32::from(t.row));
            if col >= cols || row >= rows {
                return Err(CodecError::BadTile);
            }
            let mut r = tile_rect(col, row, tile, width, height);
            if let Some(a) = t.area {
                let inside = a.w > 0
                    && a.h > 0
                    && u32::from(a.x) + u32::from(a.w) <= r.w
                    && u32::from(a.y) + u32::from(a.h) <= r.h;
                if !inside {
                    return Err(CodecError::BadTile);
                }
                r = Rect { x: r.x + u32::from(a.x), y: r.y + u32::from(a.y), w: u32::from(a.w), h: u32::from(a.h) };
            }
            self.paint(r, &t.data)?;
            self.dirty.push(r);
        }
        if *last {
            self.complete = Some(frame);
            self.receiving = None;
            return Ok(Some(std::mem::take(&mut self.dirty)));
        }
        Ok(None)
    }

    fn start_key_frame(&mut self, width: u32, height: u32) -> Result<(), CodecError> {
        // Each side and the area: a picture 65536 pixels wide and 2 high has few pixels, but no
        // renderer can show it.
        let sides = (1..=deskside_proto::MAX_SCREEN_SIDE).contains(&width)
            && (1..=deskside_proto::MAX_SCREEN_SIDE).contains(&height);
        if !sides || u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(CodecError::BadDimensions);
        }
        if (width, height) != (self.width, self.height) {
            self.width = width;
            self.height = height;
            self.rgba = vec![0; width as usize * height as usize * 4];
        }
        self.video = None;
        Ok(())
    }

    fn paint(&mut self, r: Rect, data: &TileData) -> Result<(), CodecError> {
        let stride = self.width as usize * 4;
        let row_bytes = r.w as usize * 4;
        match data {
            TileData::Solid([b, g, red, _]) => {
                let px = [*red, *g, *b, 255];
                for y in r.y..r.y + r.h {
                    let start = y as usize * stride + r.x as usize * 4;
                    for p in self.rgba[start..start + row_bytes].chunks_exact_mut(4) {
                        p.copy_from_slice(&px);
                    }
                }
            }
            TileData::Lz4(bytes) => {
                let expected = row_bytes * r.h as usize;
                self.scratch.resize(expected, 0);
                let n = lz4_flex::block::decompress_into(bytes, &mut self.scratch).map_err(|_| CodecError::Corrupt)?;
                if n != expected {
                    return Err(CodecError::Corrupt);
                }
                for (i, y) in (r.y..r.y + r.h).enumerate() {
                    let src = &self.scratch[i * row_bytes..(i + 1) * row_bytes];
                    let start = y as usize * stride + r.x as usize * 4;
                    for (d, s) in self.rgba[start..start + row_bytes].chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                        d.copy_from_slice(&[s[2], s[1], s[0], 255]);
                    }
                }
            }
            TileData::Palette { colors, indices } => {
                let bits = palette_bits(colors.len()).ok_or(CodecError::Corrupt)? as usize;
                if colors.len() < 2 {
                    return Err(CodecError::Corrupt);
                }
                let packed_row = (r.w as usize * bits).div_ceil(8);
                let expected = packed_row * r.h as usize;
                self.scratch.resize(expected, 0);
                let n =
                    lz4_flex::block::decompress_into(indices, &mut self.scratch).map_err(|_| CodecError::Corrupt)?;
                if n != expected {
                    return Err(CodecError::Corrupt);
                }
                let mask = (1u8 << bits) - 1;
                for (i, y) in (r.y..r.y + r.h).enumerate() {
                    let src = &self.scratch[i * packed_row..(i + 1) * packed_row];
                    let start = y as usize * stride + r.x as usize * 4;
                    for (x, d) in self.rgba[start..start + row_bytes].chunks_exact_mut(4).enumerate() {
                        let bit = x * bits;
                        let index = (src[bit / 8] >> (8 - bits - bit % 8)) & mask;
                        let [b, g, red] = *colors.get(usize::from(index)).ok_or(CodecError::Corrupt)?;
                        d.copy_from_slice(&[red, g, b, 255]);
                    }
                }
            }
        }
        Ok(())
    }
}
