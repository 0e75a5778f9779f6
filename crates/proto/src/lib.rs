//! Deskside's wire protocol: every message that crosses the network, how messages are framed on
//! QUIC streams, the invite codec, and the protocol version rule.
//!
//! This crate does no IO, reads no clock and knows nothing of tokio, iroh or egui. Everything it
//! decodes comes from a hostile network: every length is checked against a bound before anything
//! is allocated, and every decode error is a value, never a panic.

pub mod board;
pub mod cert;
pub mod chat;
pub mod files;
pub mod frame;
mod hand_over;
pub mod input;
pub mod inventory;
pub mod invite;
pub mod msg;
mod refusal;
pub mod report;
mod rule;
pub mod screen;
pub mod site;
pub mod words;

pub use board::{Direction, MAX_MOVE_ROWS, MoveInfo, MoveState};
pub use chat::*;
pub use files::{
    FileId, FileOutcome, FileProblem, FolderAt, FolderEntry, FolderListing, MAX_FILES_OFFERED, MoveId, MoveSummary,
    MovedFile, NameError, OfferedFile, OnConflict, Place, safe_file_name,
};
pub use frame::{FrameError, decode, encode_frame, frame_len};
pub use hand_over::*;
pub use input::{InputEvent, Key, Modifiers, MouseButton};
pub use inventory::{Inventory, MAX_INVENTORY_BYTES, Section, SectionKind, decode_inventory};
pub use invite::{HostAddr, Invite, InviteError};
pub use msg::*;
pub use refusal::Refusal;
pub use rule::Rule;
pub use screen::{
    CopyRect, CursorShape, MAX_COPIES, MAX_CURSOR_SIDE, MAX_VIDEO_BYTES, ScreenAck, ScreenMsg, Tile, TileArea,
    TileData, UniHeader, VideoUpdate, palette_bits,
};

/// `items` cut into pieces of at most `max_bytes` each as `weight` counts them (an item heavier
/// than that is a piece of its own), in order, each with whether it is the last; no items make one
/// empty, last piece. Everything that grows with a session travels this way, so that every piece
/// fits one control message.
pub fn pieces<T>(
    items: impl IntoIterator<Item = T>,
    max_bytes: usize,
    weight: impl Fn(&T) -> usize,
) -> Vec<(Vec<T>, bool)> {
    let mut out: Vec<Vec<T>> = vec![Vec::new()];
    let mut bytes = 0;
    for item in items {
        let w = weight(&item);
        if bytes + w > max_bytes && out.last().is_some_and(|b| !b.is_empty()) {
            out.push(Vec::new());
            bytes = 0;
        }
        bytes += w;
        if let Some(b) = out.last_mut() {
            b.push(item);
        }
    }
    let n = out.len();
    out.into_iter().enumerate().map(|(i, b)| (b, i + 1 == n)).collect()
}

/// The protocol version this build speaks. A peer whose hello names another version is refused
/// with [`Refusal::UnsupportedVersion`] before anything else is read.
pub const PROTOCOL_VERSION: u32 = 2;

/// ALPN protocol name negotiated on every Deskside QUIC connection.
pub const ALPN: &[u8] = b"deskside/1";

/// Largest control-stream message, in bytes (chat text, consent, session events).
pub const MAX_CONTROL_MSG_BYTES: usize = 64 * 1024;
/// Largest screen-stream message, in bytes. A frame update is split into batches below this.
pub const MAX_SCREEN_MSG_BYTES: usize = 4 * 1024 * 1024;
/// Largest header opening a unidirectional stream ([`UniHeader`]), in bytes.
pub const MAX_UNI_HEADER_BYTES: usize = 32;
/// Largest input-stream message, in bytes.
pub const MAX_INPUT_MSG_BYTES: usize = 4 * 1024;
/// Longest chat message, in characters' bytes (UTF-8).
pub const MAX_CHAT_BYTES: usize = 8 * 1024;
/// Longest display name, organisation name, session type or tracking code, in bytes.
pub const MAX_NAME_BYTES: usize = 128;
/// Longest note text, in bytes.
pub const MAX_NOTES_BYTES: usize = 32 * 1024;
/// Largest screen side, in pixels, a peer may announce: four 4K monitors side by side (15360)
/// fit; the decoder also bounds the picture's area (8K UHD's).
pub const MAX_SCREEN_SIDE: u32 = 16_384;

/// Whether `label` is an acceptable organisation, session type or tracking code: bounded, no
/// control characters (it may be empty).
#[must_use]
pub fn is_valid_label(label: &str) -> bool {
    label.len() <= MAX_NAME_BYTES && !label.chars().any(char::is_control)
}

/// Whether `name` is an acceptable display name: not blank, bounded, no control characters.
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    !name.trim().is_empty() && name.len() <= MAX_NAME_BYTES && !name.chars().any(char::is_control)
}
