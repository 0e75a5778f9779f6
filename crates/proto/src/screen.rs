//! Screen-stream and unidirectional-stream messages.
//!
//! A screen share is one unidirectional stream from the agent. Each frame update is sent as one
//! or more [`ScreenMsg::Batch`] messages, each under [`crate::MAX_SCREEN_MSG_BYTES`]; the last
//! batch of a frame has `last` set. Pixels are 32-bit BGRX (the X11 native order), alpha ignored.

use serde::{Deserialize, Serialize};

/// The first message on every unidirectional stream: what the stream carries.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UniHeader {
    /// Screen updates, agent to host.
    Screen,
    /// Input events, host to agent.
    Input,
    /// One [`crate::Inventory`], agent to host, then the stream ends.
    Inventory,
    /// The bytes of file `file` from `offset` to its end, raw, then the stream ends: an offered
    /// or pushed file host to agent, a pulled file agent to host.
    File {
        /// The file's number.
        file: crate::FileId,
        /// Where the bytes start.
        offset: u64,
    },
    /// One [`crate::HandOverState`], the leaving host to the CSR in control, then the stream ends.
    HandOver,
    /// One [`crate::Inventory`] of customer `participant`, the host to the CSR on their own
    /// console who asked for it, then the stream ends.
    InventoryOf {
        /// Whose.
        participant: crate::ParticipantId,
    },
}

/// The console's word that it has shown frame `frame` of the screen stream `stream` (the QUIC
/// stream's number), and so every frame before it. Sent host to agent as a QUIC datagram of
/// [`ScreenAck::LEN`] bytes after each complete frame: a lost one is covered by the next. The
/// agent writes new frames only while what is unacknowledged fits what the path carries (see
/// `deskside_session::flight`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScreenAck {
    /// The screen stream's QUIC stream number.
    pub stream: u64,
    /// The frame shown.
    pub frame: u64,
}

impl ScreenAck {
    /// A datagram's length: a tag byte, then both numbers big-endian.
    pub const LEN: usize = 17;
    const TAG: u8 = 1;

    /// The datagram.
    #[must_use]
    pub fn to_bytes(self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[0] = Self::TAG;
        b[1..9].copy_from_slice(&self.stream.to_be_bytes());
        b[9..].copy_from_slice(&self.frame.to_be_bytes());
        b
    }

    /// The acknowledgement in datagram `b`, if it is exactly one.
    #[must_use]
    pub fn parse(b: &[u8]) -> Option<ScreenAck> {
        let b: &[u8; Self::LEN] = b.try_into().ok()?;
        if b[0] != Self::TAG {
            return None;
        }
        let num = |r: &[u8]| r.try_into().ok().map(u64::from_be_bytes);
        Some(ScreenAck { stream: num(&b[1..9])?, frame: num(&b[9..])? })
    }
}

/// One message on a screen stream.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum ScreenMsg {
    /// Part of one frame update.
    Batch {
        /// This frame's number, increasing by one per frame on the stream.
        frame: u64,
        /// The frame this update applies on, or `None` for a key frame that paints every tile.
        base: Option<u64>,
        /// Screen width in pixels.
        width: u32,
        /// Screen height in pixels.
        height: u32,
        /// Tile side in pixels.
        tile_size: u16,
        /// Rectangles to copy from elsewhere on the screen (scrolled or moved content), applied
        /// in order before the tiles; never in a key frame. At most [`MAX_COPIES`] a batch.
        copies: Vec<CopyRect>,
        /// A rectangle coded as video (H.264), applied after the copies and before the tiles;
        /// only in the frame's first batch, and in a key frame only as a new stream's first
        /// (key) picture.
        video: Option<VideoUpdate>,
        /// The changed tiles in this batch.
        tiles: Vec<Tile>,
        /// Whether this is the frame's last batch.
        last: bool,
    },
    /// Where the mouse pointer is, in screen pixels (it may be off screen), and its picture when
    /// that changed. Sent apart from the pixels, which never contain the pointer.
    Cursor {
        /// Pointer x.
        x: i32,
        /// Pointer y.
        y: i32,
        /// The new picture, if it changed.
        shape: Option<CursorShape>,
    },
    /// Whether the line now reduces the picture (fewer pictures a second, moving parts coarser),
    /// sent when that changes: the CSR's console says so in words. Text stays exact either way.
    Line {
        /// Reduced from now on (else: full again).
        reduced: bool,
    },
}

/// Largest cursor image side accepted, in pixels.
pub const MAX_CURSOR_SIDE: u16 = 256;

/// A mouse cursor's picture.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CursorShape {
    /// Width in pixels (1 to [`MAX_CURSOR_SIDE`]).
    pub width: u16,
    /// Height in pixels (1 to [`MAX_CURSOR_SIDE`]).
    pub height: u16,
    /// The hot spot (the pixel that points), from the left.
    pub hot_x: u16,
    /// The hot spot, from the top.
    pub hot_y: u16,
    /// Premultiplied RGBA pixels, `width * height * 4` bytes once LZ4-decompressed.
    pub rgba_lz4: Vec<u8>,
}

impl CursorShape {
    /// Whether the sizes and the hot spot are in bounds (the pixels are checked when
    /// decompressed, against exactly `width * height * 4` bytes).
    #[must_use]
    pub fn is_valid(&self) -> bool {
        (1..=MAX_CURSOR_SIDE).contains(&self.width)
            && (1..=MAX_CURSOR_SIDE).contains(&self.height)
            && self.hot_x < self.width
            && self.hot_y < self.height
    }
}

/// Most copy rectangles in one batch.
pub const MAX_COPIES: usize = 16;

/// "Copy this rectangle from there": content that moved (a scroll, a dragged window) is sent as
/// where it came from instead of as pixels. Source and destination may overlap.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyRect {
    /// Source left edge, in the screen before this frame.
    pub src_x: u32,
    /// Source top edge.
    pub src_y: u32,
    /// Destination left edge.
    pub x: u32,
    /// Destination top edge.
    pub y: u32,
    /// Width in pixels.
    pub w: u32,
    /// Height in pixels.
    pub h: u32,
}

/// Largest coded video picture in one update, in bytes.
pub const MAX_VIDEO_BYTES: usize = 3 * 1024 * 1024;

/// A rectangle of the screen whose content changes every frame (a playing video), coded as H.264
/// instead of lossless tiles. The console shows it lossy while it moves; once it stops, the agent
/// sends the rectangle's tiles losslessly again.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct VideoUpdate {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width in pixels (at least 2). The picture is coded with the width rounded up to even,
    /// the extra column repeating the last; the decoder crops it.
    pub w: u32,
    /// Height in pixels (at least 2), coded rounded up to even like the width.
    pub h: u32,
    /// Whether the picture is coded at half the rectangle's size each way (each coded pixel the
    /// average of two by two), for large rectangles; the console scales it back up. Coded sides
    /// are then `ceil(w / 2)` and `ceil(h / 2)`, each rounded up to even.
    pub half: bool,
    /// Whether this starts a new H.264 stream (an IDR picture with its parameter sets): the
    /// console forgets any earlier video state. A non-key update must continue the stream of the
    /// same rectangle.
    pub key: bool,
    /// Exactly one coded picture, H.264 Annex B, at most [`MAX_VIDEO_BYTES`].
    pub data: Vec<u8>,
}

/// One changed tile.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Tile {
    /// Tile column (x / `tile_size`).
    pub col: u16,
    /// Tile row (y / `tile_size`).
    pub row: u16,
    /// The part of the tile that changed, relative to its top left corner, when only part is
    /// sent; `None` for the whole tile. Must lie inside the tile.
    pub area: Option<TileArea>,
    /// The pixels (of `area` when given).
    pub data: TileData,
}

/// A rectangle inside a tile, relative to its top left corner.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileArea {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width (at least 1).
    pub w: u16,
    /// Height (at least 1).
    pub h: u16,
}

/// How a tile's pixels are coded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum TileData {
    /// Every pixel is this BGRX colour.
    Solid([u8; 4]),
    /// BGRX rows of the tile, LZ4 block-compressed.
    Lz4(Vec<u8>),
    /// A tile of at most 16 colours (text, UI): the colours, then each row's colour indices
    /// packed at 1, 2 or 4 bits per pixel (fewest that fit, most significant bits first, each row
    /// starting on a byte), LZ4 block-compressed.
    Palette {
        /// The colours, BGR; 2 to 16 of them.
        colors: Vec<[u8; 3]>,
        /// The packed indices, LZ4-compressed.
        indices: Vec<u8>,
    },
}

/// Bits per pixel index for a palette of `n` colours: 1, 2 or 4; `None` beyond 16 colours.
#[must_use]
pub fn palette_bits(n: usize) -> Option<u32> {
    match n {
        0..=2 => Some(1),
        3..=4 => Some(2),
        5..=16 => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_shapes_are_bounded() {
        let ok = CursorShape { width: 2, height: 3, hot_x: 1, hot_y: 2, rgba_lz4: vec![] };
        assert!(ok.is_valid());
        assert!(!CursorShape { hot_x: 2, ..ok.clone() }.is_valid());
        assert!(!CursorShape { width: 0, ..ok.clone() }.is_valid());
        assert!(!CursorShape { width: MAX_CURSOR_SIDE + 1, ..ok }.is_valid());
    }
}

#[cfg(test)]
mod ack_tests {
    use super::ScreenAck;

    #[test]
    fn an_acknowledgement_reads_back_and_nothing_else_passes_for_one() {
        let a = ScreenAck { stream: 6, frame: u64::MAX - 1 };
        assert_eq!(ScreenAck::parse(&a.to_bytes()), Some(a));
        let mut wrong_tag = a.to_bytes();
        wrong_tag[0] = 2;
        assert_eq!(ScreenAck::parse(&wrong_tag), None);
        assert_eq!(ScreenAck::parse(&a.to_bytes()[..16]), None);
        assert_eq!(ScreenAck::parse(&[1; 18]), None);
        assert_eq!(ScreenAck::parse(&[]), None);
    }
}
