//! The video path: H.264 (OpenH264) for a rectangle of the screen whose content changes every
//! frame (a playing video, an animation), where lossless tiles cost megabits.
//!
//! The encoder decides where video pays with a per-tile *heat*: a tile whose change needed the
//! many-colour lossless coder (not solid, not a palette: photographic content) again within
//! [`HOT_GAP_MS`] of its previous change warms by one; any other change, or a pause, cools it. When
//! at least [`MIN_VIDEO_TILES`] tiles are hot, their bounding box becomes the video rectangle.
//! Text and UI never warm (they are palette tiles), so typing and scrolling stay pixel-exact.
//! When nothing has moved in the rectangle for [`VIDEO_IDLE_MS`], the encoder leaves video and
//! sends the rectangle losslessly again.
//!
//! A rectangle larger than [`VideoConfig::max_coded_pixels`] is coded at half its size each way
//! (each coded pixel the average of two by two, the console scaling it back up bilinearly): a
//! full-screen 1080p video then costs a quarter of the coding work, at the same bit rate, so
//! each coded pixel gets four times the bits. It is lossy only while it moves.
//!
//! OpenH264 is built from source, single-threaded (the codec stays free of threads). Its decoder
//! is fed bytes from the network: every update is checked against the rectangle it claims (inside
//! the screen, the decoded picture exactly the rectangle's even-rounded size) before a pixel is
//! painted, and its own allocations are bounded by OpenH264's level limits (at most 3840x2160 is
//! ever encoded here; the decoder refuses what its level tables refuse).

use deskside_proto::VideoUpdate;
use openh264::OpenH264API;
use openh264::decoder::{DecodedYUV, Decoder as H264Decoder, DecoderConfig, Flush};
use openh264::encoder::{
    BitRate, Complexity, Encoder as H264Encoder, EncoderConfig, FrameRate, FrameType, RateControlMode, UsageType,
};
use openh264::formats::{BgraSliceU8, YUVBuffer, YUVSource};

use crate::{CodecError, FrameRef, Rect};

/// A tile changed again within this many milliseconds of its previous change stays warm.
pub const HOT_GAP_MS: u64 = 150;
/// Heat at which a tile counts as video.
pub const HOT_FRAMES: u8 = 5;
/// Least number of hot tiles that start the video path (a spinner stays lossless).
pub const MIN_VIDEO_TILES: usize = 4;
/// Tiles changed to photographic content in one frame (about a megabyte lossless, at 64-pixel
/// tiles: a photograph or a film that appeared at once) from which their first picture is coded
/// as video, made exact once still.
pub const PHOTO_VIDEO_TILES: usize = 64;
/// A video stream runs at least this long, in milliseconds, before a new bit rate restarts it.
pub const RESTART_MS: u64 = 1_000;
/// Stillness, in milliseconds, after which the video rectangle returns to lossless.
pub const VIDEO_IDLE_MS: u64 = 300;
/// Largest side OpenH264 encodes (its level 5.2 limit).
pub const MAX_VIDEO_SIDE: u32 = 3840;
/// Largest coded picture accepted in one update, in bytes.
pub const MAX_VIDEO_BYTES: usize = deskside_proto::MAX_VIDEO_BYTES;

/// How the video path codes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoConfig {
    /// Target bit rate for a full 1920x1080 rectangle, bits per second; smaller rectangles get
    /// their share by area (at least 200 kbit/s).
    pub bitrate_1080p_bps: u32,
    /// Most pictures per second coded (and planned for by the rate control).
    pub max_fps: f32,
    /// A rectangle of more pixels than this is coded at half size each way.
    pub max_coded_pixels: u32,
}

impl Default for VideoConfig {
    fn default() -> Self {
        VideoConfig { bitrate_1080p_bps: 2_400_000, max_fps: 30.0, max_coded_pixels: 1280 * 720 }
    }
}

/// The sides a `w` x `h` rectangle is coded at: halved (rounded up) when `half`, then rounded
/// up to even (4:2:0 chroma needs pairs of pixels); the extra column or row repeats the last one
/// and is cropped by the decoder.
#[must_use]
pub fn coded_size(w: u32, h: u32, half: bool) -> (u32, u32) {
    let (w, h) = if half { (w.div_ceil(2), h.div_ceil(2)) } else { (w, h) };
    (w + (w & 1), h + (h & 1))
}

/// Whether the video rectangle `(x, y, w, h)` may be accepted on a `width` x `height` screen.
#[must_use]
pub fn rect_fits(v: &VideoUpdate, width: u32, height: u32) -> bool {
    v.w >= 2
        && v.h >= 2
        && v.w <= MAX_VIDEO_SIDE
        && v.h <= MAX_VIDEO_SIDE
        && u64::from(v.x) + u64::from(v.w) <= u64::from(width)
        && u64::from(v.y) + u64::from(v.h) <= u64::from(height)
        && v.data.len() <= MAX_VIDEO_BYTES
}

/// The agent's side: one H.264 stream for one rectangle.
pub(crate) struct VideoEncoder {
    enc: H264Encoder,
    rect: Rect,
    /// Coded at half size each way.
    half: bool,
    /// The configured rate for a full 1080p rectangle.
    bitrate_1080p_bps: u32,
    yuv: YUVBuffer,
    /// The rectangle's pixels, contiguous and padded to the coded size.
    scratch: Vec<u8>,
    /// Whether an IDR has been sent (the first coded picture is one).
    started: bool,
}

impl std::fmt::Debug for VideoEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoEncoder").field("rect", &self.rect).field("started", &self.started).finish_non_exhaustive()
    }
}

impl VideoEncoder {
    /// An encoder for `rect` (at most [`MAX_VIDEO_SIDE`] a side, at least 2).
    pub(crate) fn new(rect: Rect, config: VideoConfig) -> Result<VideoEncoder, CodecError> {
        if rect.w < 2 || rect.h < 2 || rect.w > MAX_VIDEO_SIDE || rect.h > MAX_VIDEO_SIDE {
            return Err(CodecError::Video);
        }
        let area = f64::from(rect.w) * f64::from(rect.h) / (1920.0 * 1080.0);
        let bps = (f64::from(config.bitrate_1080p_bps) * area).max(200_000.0) as u32;
        let cfg = EncoderConfig::new()
            .bitrate(BitRate::from_bps(bps))
            .max_frame_rate(FrameRate::from_hz(config.max_fps))
            .rate_control_mode(RateControlMode::Bitrate)
            .usage_type(UsageType::CameraVideoRealTime)
            .complexity(Complexity::Low)
            .skip_frames(true)
            .num_threads(1);
        let enc = H264Encoder::with_api_config(OpenH264API::from_source(), cfg).map_err(|_| CodecError::Video)?;
        let half = u64::from(rect.w) * u64::from(rect.h) > u64::from(config.max_coded_pixels);
        let (cw, ch) = coded_size(rect.w, rect.h, half);
        Ok(VideoEncoder {
            enc,
            rect,
            half,
            bitrate_1080p_bps: config.bitrate_1080p_bps,
            yuv: YUVBuffer::new(cw as usize, ch as usize),
            scratch: vec![0; cw as usize * ch as usize * 4],
            started: false,
        })
    }

    /// The rate this stream was set up with, for a full 1080p rectangle.
    pub(crate) fn bitrate_1080p_bps(&self) -> u32 {
        self.bitrate_1080p_bps
    }

    /// The rectangle this stream codes.
    pub(crate) fn rect(&self) -> Rect {
        self.rect
    }

    /// Codes the rectangle of `frame`. `None` when the rate control skipped this picture (the
    /// console keeps showing the previous one).
    pub(crate) fn encode(&mut self, frame: &FrameRef<'_>) -> Result<Option<VideoUpdate>, CodecError> {
        let r = self.rect;
        if r.x + r.w > frame.width || r.y + r.h > frame.height {
            return Err(CodecError::Video);
        }
        let (cw, ch) = coded_size(r.w, r.h, self.half);
        let (cw, ch) = (cw as usize, ch as usize);
        if self.half {
            halve(frame, r, &mut self.scratch, cw, ch);
        } else {
            let row_bytes = r.w as usize * 4;
            for y in 0..ch {
                let src_y = r.y as usize + y.min(r.h as usize - 1);
                let src = &frame.data[src_y * frame.stride + r.x as usize * 4..][..row_bytes];
                let dst = &mut self.scratch[y * cw * 4..(y + 1) * cw * 4];
                dst[..row_bytes].copy_from_slice(src);
                if cw > r.w as usize {
                    let (done, pad) = dst.split_at_mut(row_bytes);
                    pad.copy_from_slice(&done[row_bytes - 4..]);
                }
            }
        }
        self.yuv.read_bgra8(BgraSliceU8::new(&self.scratch, (cw, ch)));
        let coded = self.enc.encode(&self.yuv).map_err(|_| CodecError::Video)?;
        let key = match coded.frame_type() {
            FrameType::Skip => return Ok(None),
            FrameType::Invalid => return Err(CodecError::Video),
            t => t == FrameType::IDR,
        };
        let data = coded.to_vec();
        if data.is_empty() {
            return Ok(None);
        }
        if data.len() > MAX_VIDEO_BYTES || (!self.started && !key) {
            return Err(CodecError::Video);
        }
        self.started = true;
        Ok(Some(VideoUpdate { x: r.x, y: r.y, w: r.w, h: r.h, half: self.half, key, data }))
    }
}

/// Writes `r` of `frame` at half size into `out` (`cw` x `ch` BGRX pixels, contiguous): each
/// pixel the average of two by two, edges repeated where the rectangle runs out.
#[allow(clippy::many_single_char_names)] // x, y, w, h: the usual names in pixel code.
fn halve(frame: &FrameRef<'_>, r: Rect, out: &mut [u8], cw: usize, ch: usize) {
    let (w, h) = (r.w as usize, r.h as usize);
    let at = |x: usize, y: usize| (r.y as usize + y.min(h - 1)) * frame.stride + (r.x as usize + x.min(w - 1)) * 4;
    for oy in 0..ch {
        let (y0, y1) = (2 * oy, 2 * oy + 1);
        let row = &mut out[oy * cw * 4..(oy + 1) * cw * 4];
        for (ox, px) in row.chunks_exact_mut(4).enumerate() {
            let (x0, x1) = (2 * ox, 2 * ox + 1);
            let (a, b, c, d) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
            for (k, out) in px.iter_mut().take(3).enumerate() {
                let sum = u16::from(frame.data[a + k])
                    + u16::from(frame.data[b + k])
                    + u16::from(frame.data[c + k])
                    + u16::from(frame.data[d + k]);
                *out = ((sum + 2) / 4) as u8;
            }
        }
    }
}

/// Scales a `cw` x `ch` RGBA picture up two times into the `w` x `h` rectangle at `(x, y)` of
/// `picture` (`stride` bytes a row), bilinearly: each output pixel three quarters of its nearest
/// coded pixel and a quarter of the next one, on each axis. Two passes: every coded row is
/// widened once (into `wide`, four times the value, as `u16`), then pairs of widened rows are
/// blended into each output row.
#[allow(clippy::many_single_char_names)] // x, y, w, h: the usual names in pixel code.
fn double(src: &[u8], cw: usize, ch: usize, v: &VideoUpdate, picture: &mut [u8], stride: usize, wide: &mut Vec<u16>) {
    let (w, h) = (v.w as usize, v.h as usize);
    let out_row = w * 4;
    wide.resize(ch * out_row, 0);
    for (line, out) in src.chunks_exact(cw * 4).zip(wide.chunks_exact_mut(out_row)) {
        // Output pixels 2i and 2i + 1 come from coded pixel i, with its left and right neighbour.
        for (i, pair) in out.chunks_mut(8).enumerate() {
            let c = &line[i * 4..i * 4 + 4];
            let l = &line[i.saturating_sub(1) * 4..][..4];
            let r = &line[(i + 1).min(cw - 1) * 4..][..4];
            for k in 0..4 {
                pair[k] = 3 * u16::from(c[k]) + u16::from(l[k]);
            }
            if pair.len() == 8 {
                for k in 0..4 {
                    pair[4 + k] = 3 * u16::from(c[k]) + u16::from(r[k]);
                }
            }
        }
    }
    for oy in 0..h {
        let a = oy / 2;
        let b = if oy % 2 == 0 { a.saturating_sub(1) } else { (a + 1).min(ch - 1) };
        let near = &wide[a * out_row..(a + 1) * out_row];
        let next = &wide[b * out_row..(b + 1) * out_row];
        let start = (v.y as usize + oy) * stride + v.x as usize * 4;
        let out = &mut picture[start..start + out_row];
        for ((o, &n), &x) in out.iter_mut().zip(near).zip(next) {
            *o = ((3 * n + x + 8) >> 4) as u8;
        }
    }
}

/// The console's side: the H.264 stream of the current video rectangle.
pub(crate) struct VideoDecoder {
    dec: H264Decoder,
    rect: Rect,
    half: bool,
    rgba: Vec<u8>,
    /// The widened rows of a half-size picture (see `double`).
    rows: Vec<u16>,
}

impl std::fmt::Debug for VideoDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoDecoder").field("rect", &self.rect).finish_non_exhaustive()
    }
}

impl VideoDecoder {
    /// A decoder for a stream starting with the key update `v` (already checked by
    /// [`rect_fits`]).
    pub(crate) fn new(v: &VideoUpdate) -> Result<VideoDecoder, CodecError> {
        let cfg = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let dec = H264Decoder::with_api_config(OpenH264API::from_source(), cfg).map_err(|_| CodecError::Video)?;
        Ok(VideoDecoder {
            dec,
            rect: Rect { x: v.x, y: v.y, w: v.w, h: v.h },
            half: v.half,
            rgba: Vec::new(),
            rows: Vec::new(),
        })
    }

    /// Whether `v` continues this stream.
    pub(crate) fn continues(&self, v: &VideoUpdate) -> bool {
        self.rect == (Rect { x: v.x, y: v.y, w: v.w, h: v.h }) && self.half == v.half
    }

    /// Decodes `v` and paints it into `picture` (RGBA, `stride` bytes a row). The update must
    /// decode to exactly one picture of the rectangle's coded size.
    pub(crate) fn paint(&mut self, v: &VideoUpdate, picture: &mut [u8], stride: usize) -> Result<(), CodecError> {
        let (cw, ch) = coded_size(v.w, v.h, v.half);
        let (cw, ch) = (cw as usize, ch as usize);
        let decoded: DecodedYUV<'_> = match self.dec.decode(&v.data) {
            Ok(Some(p)) => p,
            Ok(None) | Err(_) => return Err(CodecError::Corrupt),
        };
        if decoded.dimensions() != (cw, ch) {
            return Err(CodecError::Corrupt);
        }
        self.rgba.resize(cw * ch * 4, 0);
        decoded.write_rgba8(&mut self.rgba);
        if v.half {
            double(&self.rgba, cw, ch, v, picture, stride, &mut self.rows);
            return Ok(());
        }
        let row_bytes = v.w as usize * 4;
        for y in 0..v.h as usize {
            let start = (v.y as usize + y) * stride + v.x as usize * 4;
            picture[start..start + row_bytes].copy_from_slice(&self.rgba[y * cw * 4..][..row_bytes]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Halving then doubling a flat colour gives the same colour everywhere, at every odd and
    /// even size, and the coded sizes are even.
    #[test]
    fn halving_and_doubling_keep_flat_colour_at_any_size() {
        for (w, h) in [(2, 2), (3, 5), (7, 2), (64, 63), (65, 65), (129, 31)] {
            let (fw, fh) = (w + 3, h + 2);
            let data: Vec<u8> = (0..fw * fh).flat_map(|_| [40u8, 120, 200, 0]).collect();
            let frame = FrameRef { width: fw, height: fh, stride: fw as usize * 4, data: &data };
            let r = Rect { x: 2, y: 1, w, h };
            let (cw, ch) = coded_size(w, h, true);
            assert!(cw % 2 == 0 && ch % 2 == 0 && cw * 2 >= w && ch * 2 >= h);
            let mut half = vec![0u8; cw as usize * ch as usize * 4];
            halve(&frame, r, &mut half, cw as usize, ch as usize);
            assert!(half.chunks_exact(4).all(|p| p[..3] == [40, 120, 200]), "{w}x{h} halved");
            let rgba: Vec<u8> = half.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0], 255]).collect();
            let v = VideoUpdate { x: 2, y: 1, w, h, half: true, key: true, data: vec![] };
            let stride = fw as usize * 4;
            let mut picture = vec![0u8; stride * fh as usize];
            double(&rgba, cw as usize, ch as usize, &v, &mut picture, stride, &mut Vec::new());
            for y in 0..fh {
                for x in 0..fw {
                    let p = &picture[y as usize * stride + x as usize * 4..][..4];
                    let inside = (2..2 + w).contains(&x) && (1..1 + h).contains(&y);
                    let want: &[u8] = if inside { &[200, 120, 40, 255] } else { &[0, 0, 0, 0] };
                    assert_eq!(p, want, "{w}x{h} at ({x}, {y})");
                }
            }
        }
    }

    /// Doubling interpolates between coded pixels: a step becomes a ramp, never overshoots.
    #[test]
    fn doubling_is_bilinear() {
        // Two coded pixels, dark then bright, doubled to four.
        let rgba = [0u8, 0, 0, 255, 200, 200, 200, 255, 0, 0, 0, 255, 200, 200, 200, 255];
        let v = VideoUpdate { x: 0, y: 0, w: 4, h: 2, half: true, key: true, data: vec![] };
        let mut picture = vec![0u8; 4 * 4 * 2];
        double(&rgba, 2, 2, &v, &mut picture, 16, &mut Vec::new());
        let row: Vec<u8> = picture[..16].chunks_exact(4).map(|p| p[0]).collect();
        assert_eq!(row, [0, 50, 150, 200]);
    }
}
