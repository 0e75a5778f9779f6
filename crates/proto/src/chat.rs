//! The chat: who a line is for, a line as delivered, its bounds, and keeping a window's list of
//! lines within the host's bounds.

use serde::{Deserialize, Serialize};

use crate::{MAX_CHAT_BATCH_BYTES, MAX_CHAT_BYTES, MAX_CHAT_KEPT_BYTES, MAX_CHAT_LINES, MAX_NAME_BYTES, ParticipantId};

/// Who a chat message is for.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChatTarget {
    /// Everyone in the session.
    #[default]
    Everyone,
    /// Every CSR, no customer.
    Csrs,
    /// One participant (and the sender).
    Participant(ParticipantId),
}

/// One chat message as delivered.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChatLine {
    /// Who sent it.
    pub from: ParticipantId,
    /// The sender's display name.
    pub from_name: String,
    /// When the host received it, in milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// Who it was sent to.
    pub to: ChatTarget,
    /// What it says.
    pub text: String,
}

impl ChatLine {
    /// Checks the bounds of every field.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        !self.text.is_empty()
            && self.text.len() <= MAX_CHAT_BYTES
            && is_valid_chat_text(&self.text)
            && self.from_name.len() <= MAX_NAME_BYTES
            && !self.from_name.chars().any(char::is_control)
    }

    /// Roughly how many bytes this line takes on the wire and in memory.
    #[must_use]
    pub fn weight(&self) -> usize {
        self.text.len() + self.from_name.len() + 32
    }
}

/// Whether chat `text` holds no control characters but line breaks (also pasted `\r\n` ones)
/// and tabs.
#[must_use]
pub fn is_valid_chat_text(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// `lines` cut into [`crate::ToGuest::ChatBacklog`] pieces of at most [`MAX_CHAT_BATCH_BYTES`] each,
/// oldest first (nothing for no lines).
#[must_use]
pub fn chat_batches(lines: Vec<ChatLine>) -> Vec<Vec<ChatLine>> {
    crate::pieces(lines, MAX_CHAT_BATCH_BYTES, ChatLine::weight)
        .into_iter()
        .map(|(b, _)| b)
        .filter(|b| !b.is_empty())
        .collect()
}

/// Adds `new` to a chat list a window shows, forgetting the oldest lines past the same bounds as
/// the host's ([`MAX_CHAT_LINES`], [`MAX_CHAT_KEPT_BYTES`]).
pub fn keep_chat(lines: &mut Vec<ChatLine>, new: impl IntoIterator<Item = ChatLine>) {
    lines.extend(new);
    let mut bytes: usize = lines.iter().map(ChatLine::weight).sum();
    let mut drop = lines.len().saturating_sub(MAX_CHAT_LINES);
    for l in &lines[..drop] {
        bytes -= l.weight();
    }
    while bytes > MAX_CHAT_KEPT_BYTES && drop + 1 < lines.len() {
        bytes -= lines[drop].weight();
        drop += 1;
    }
    lines.drain(..drop);
}

/// Forgets the oldest of `lines` until at most [`MAX_CHAT_LINES`] lines and
/// [`MAX_CHAT_KEPT_BYTES`] of them are left; `bytes` is their weight so far, kept up to date.
pub fn trim_chat(lines: &mut std::collections::VecDeque<ChatLine>, bytes: &mut usize) {
    while lines.len() > MAX_CHAT_LINES || (*bytes > MAX_CHAT_KEPT_BYTES && lines.len() > 1) {
        match lines.pop_front() {
            Some(old) => *bytes = bytes.saturating_sub(old.weight()),
            None => break,
        }
    }
}
