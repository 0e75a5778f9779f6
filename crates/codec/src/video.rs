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
    /// Most frames per second the rate control plans for.
    pub max_fps: f32,
}

impl Default for VideoConfig {
    fn default() -> Self {
        VideoConfig { bitrate_1080p_bps: 2_400_000, max_fps: 30.0 }
    }
}

/// The sides a rectangle is coded at: rounded up to even (4:2:0 chroma needs pairs of pixels);
/// the extra column or row repeats the last one and is cropped by the decoder.
#[must_use]
pub fn coded_size(w: u32, h: u32) -> (u32, u32) {
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
        let (cw, ch) = coded_size(rect.w, rect.h);
        Ok(VideoEncoder {
            enc,
            rect,
            yuv: YUVBuffer::new(cw as usize, ch as usize),
            scratch: vec![0; cw as usize * ch as usize * 4],
            started: false,
        })
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
        let (cw, ch) = coded_size(r.w, r.h);
        let (cw, ch) = (cw as usize, ch as usize);
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
        Ok(Some(VideoUpdate { x: r.x, y: r.y, w: r.w, h: r.h, key, data }))
    }
}

/// The console's side: the H.264 stream of the current video rectangle.
pub(crate) struct VideoDecoder {
    dec: H264Decoder,
    rect: Rect,
    rgba: Vec<u8>,
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
        Ok(VideoDecoder { dec, rect: Rect { x: v.x, y: v.y, w: v.w, h: v.h }, rgba: Vec::new() })
    }

    /// Whether `v` continues this stream.
    pub(crate) fn continues(&self, v: &VideoUpdate) -> bool {
        self.rect == (Rect { x: v.x, y: v.y, w: v.w, h: v.h })
    }

    /// Decodes `v` and paints it into `picture` (RGBA, `stride` bytes a row). The update must
    /// decode to exactly one picture of the rectangle's coded size.
    pub(crate) fn paint(&mut self, v: &VideoUpdate, picture: &mut [u8], stride: usize) -> Result<(), CodecError> {
        let (cw, ch) = coded_size(v.w, v.h);
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
        let row_bytes = v.w as usize * 4;
        for y in 0..v.h as usize {
            let start = (v.y as usize + y) * stride + v.x as usize * 4;
            picture[start..start + row_bytes].copy_from_slice(&self.rgba[y * cw * 4..][..row_bytes]);
        }
        Ok(())
    }
}
