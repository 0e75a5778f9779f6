//! What the console and the agent look like, in one place: the design tokens (every colour with a
//! meaning and every spacing, for the light and the dark theme) and the widgets both windows
//! show, such as the chat. Neither app picks a colour of its own.

pub mod chat;
pub mod theme;

pub use chat::{Chat, ChatTo};
pub use theme::{ThemeChoice, Tokens, space, tokens};
