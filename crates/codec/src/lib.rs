//! Deskside's screen codec: the agent's [`Encoder`] turns captured frames into tile updates that
//! carry only what changed; the console's [`Decoder`] rebuilds the screen from them.
//!
//! The screen is cut into square tiles. Each tile's pixels are hashed (xxh3); a tile whose hash
//! did not change is not sent, so an unchanged screen costs nothing. A changed tile is sent as one
//! colour when it is uniform, else LZ4-compressed. Coding is lossless: the decoder's image is
//! pixel-exact, except inside a rectangle the encoder codes as video (H.264, see [`video`]) while
//! its content changes every frame; once it stops, the rectangle is sent losslessly again. Every
//! update names the frame it applies on; the decoder refuses an update whose
//! base it does not hold, so a lost update is never painted over the wrong image.
//!
//! Pure: no IO, no clock, no threads.

mod cursor;
mod decoder;
mod encoder;
pub mod motion;
pub mod video;

pub use cursor::CursorImage;
pub use decoder::Decoder;
pub use encoder::{EncodedFrame, Encoder, REFINE_BYTES};
pub use video::VideoConfig;

/// Default tile side, in pixels.
pub const TILE_SIZE: u16 = 64;
/// Largest screen the decoder accepts, in pixels (8K UHD). Bounds the decoder's memory.
pub const MAX_PIXELS: u64 = 7680 * 4320;
/// Target size of one batch message, in bytes; a frame larger than this is split.
pub const BATCH_BYTES: usize = 1024 * 1024;

/// A captured frame: 32-bit BGRX pixels, `stride` bytes per row.
#[derive(Clone, Copy, Debug)]
pub struct FrameRef<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from one row to the next (at least `width * 4`).
    pub stride: usize,
    /// The pixels.
    pub data: &'a [u8],
}

impl FrameRef<'_> {
    fn is_consistent(&self) -> bool {
        let row = self.width as usize * 4;
        self.width > 0
            && self.height > 0
            && self.stride >= row
            && self.data.len() >= self.stride * (self.height as usize - 1) + row
    }
}

/// A rectangle of the screen, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// Why an update could not be applied or a frame encoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    /// The update applies on a frame the decoder does not hold.
    #[error("screen update for a frame that was not received")]
    MissingBase,
    /// The screen size is zero, too large, or changed in the middle of a frame.
    #[error("invalid screen size")]
    BadDimensions,
    /// A tile lies outside the screen, or the tile size is out of range.
    #[error("invalid tile")]
    BadTile,
    /// A tile's data does not decompress to exactly one tile, or a video update does not
    /// decode to exactly one picture of its rectangle.
    #[error("corrupt tile data")]
    Corrupt,
    /// The video coder could not be set up or failed on this machine (the screen goes on
    /// losslessly).
    #[error("video coding failed")]
    Video,
}

/// The pixel rectangle of tile (`col`, `row`) on a `width` x `height` screen.
fn tile_rect(col: u32, row: u32, tile: u32, width: u32, height: u32) -> Rect {
    let x = col * tile;
    let y = row * tile;
    Rect { x, y, w: tile.min(width - x), h: tile.min(height - y) }
}
