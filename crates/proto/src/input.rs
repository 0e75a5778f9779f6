//! Input events the controlling CSR sends to the agent, on the input stream.
//!
//! Coordinates are in the customer's screen pixels; the console maps its viewer's scaling.

use serde::{Deserialize, Serialize};

/// A mouse button.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MouseButton {
    /// Left (primary) button.
    Left,
    /// Right (secondary) button.
    Right,
    /// Middle button.
    Middle,
}

/// Modifier keys held with a key press.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Modifiers {
    /// Shift.
    pub shift: bool,
    /// Control.
    pub ctrl: bool,
    /// Alt.
    pub alt: bool,
    /// The logo key (Windows, Command, Super).
    pub meta: bool,
}

/// A key that is not plain text: navigation, editing, function keys, or a letter or digit pressed
/// with a modifier (Ctrl+C). Plain typing travels as [`InputEvent::Text`].
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The names say what they are.
pub enum Key {
    Enter,
    Escape,
    Tab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    ArrowLeft,
    ArrowRight,
    ArrowUp,
    ArrowDown,
    Space,
    F(u8),
    /// A letter `a`..=`z` or digit `0`..=`9`, lowercase.
    Char(char),
}

impl Key {
    /// Whether the key is one this protocol defines (function keys 1-24, ASCII letters and
    /// digits); anything else from the network is malformed.
    #[must_use]
    pub fn is_valid(self) -> bool {
        match self {
            Key::F(n) => (1..=24).contains(&n),
            Key::Char(c) => c.is_ascii_lowercase() || c.is_ascii_digit(),
            _ => true,
        }
    }
}

/// Longest text in one [`InputEvent::Text`], in bytes.
pub const MAX_TEXT_BYTES: usize = 1024;

/// One input event.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum InputEvent {
    /// Move the pointer to this position.
    MouseMove {
        /// X in screen pixels.
        x: u32,
        /// Y in screen pixels.
        y: u32,
    },
    /// Press or release a mouse button.
    MouseButton {
        /// Which button.
        button: MouseButton,
        /// Pressed (true) or released.
        down: bool,
    },
    /// Scroll by whole notches; positive is down and right.
    Wheel {
        /// Horizontal notches.
        dx: i32,
        /// Vertical notches.
        dy: i32,
    },
    /// Press or release a key, with modifiers held.
    Key {
        /// Which key.
        key: Key,
        /// Pressed (true) or released.
        down: bool,
        /// Modifiers held.
        modifiers: Modifiers,
    },
    /// Type this text.
    Text(String),
}

impl InputEvent {
    /// Checks every field's bounds; an event that fails is malformed and dropped.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        match self {
            InputEvent::Key { key, .. } => key.is_valid(),
            InputEvent::Text(t) => t.len() <= MAX_TEXT_BYTES && !t.chars().any(char::is_control),
            // `unsigned_abs`: `i32::MIN.abs()` overflows.
            InputEvent::Wheel { dx, dy } => dx.unsigned_abs() <= 100 && dy.unsigned_abs() <= 100,
            InputEvent::MouseMove { .. } | InputEvent::MouseButton { .. } => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_wheel_steps_are_refused_without_overflow() {
        assert!(InputEvent::Wheel { dx: 0, dy: -3 }.is_valid());
        for d in [i32::MIN, i32::MAX, 101, -101] {
            assert!(!InputEvent::Wheel { dx: d, dy: 0 }.is_valid(), "{d}");
            assert!(!InputEvent::Wheel { dx: 0, dy: d }.is_valid(), "{d}");
        }
    }
}
