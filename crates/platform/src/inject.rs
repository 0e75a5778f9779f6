//! Input sinks.

use std::sync::{Arc, Mutex};

use deskside_proto::{InputEvent, Key, Modifiers, MouseButton};
#[cfg(not(windows))]
use enigo::Coordinate;
use enigo::{Axis, Button, Direction, Enigo, Keyboard, Mouse, Settings};

use crate::PlatformError;

/// Where the CSR's input lands.
pub trait InputSink {
    /// Injects one event. The caller has already checked consent.
    fn inject(&mut self, ev: &InputEvent) -> Result<(), PlatformError>;
}

/// The real mouse and keyboard, through enigo. Not `Send` on every platform: create it on the
/// thread that injects.
pub struct EnigoSink {
    enigo: Enigo,
}

impl EnigoSink {
    /// Connects to the platform's input system (the X server named by `DISPLAY` on Linux).
    pub fn new() -> Result<EnigoSink, PlatformError> {
        let enigo = Enigo::new(&Settings::default()).map_err(|e| PlatformError::Inject(e.to_string()))?;
        Ok(EnigoSink { enigo })
    }

    fn modifiers(&mut self, m: Modifiers, dir: Direction) -> enigo::InputResult<()> {
        for (held, key) in [
            (m.ctrl, enigo::Key::Control),
            (m.alt, enigo::Key::Alt),
            (m.shift, enigo::Key::Shift),
            (m.meta, enigo::Key::Meta),
        ] {
            if held {
                self.enigo.key(key, dir)?;
            }
        }
        Ok(())
    }
}

fn key(k: Key) -> Option<enigo::Key> {
    use enigo::Key as E;
    Some(match k {
        Key::Enter => E::Return,
        Key::Escape => E::Escape,
        Key::Tab => E::Tab,
        Key::Backspace => E::Backspace,
        Key::Delete => E::Delete,
        Key::Insert => E::Insert,
        Key::Home => E::Home,
        Key::End => E::End,
        Key::PageUp => E::PageUp,
        Key::PageDown => E::PageDown,
        Key::ArrowLeft => E::LeftArrow,
        Key::ArrowRight => E::RightArrow,
        Key::ArrowUp => E::UpArrow,
        Key::ArrowDown => E::DownArrow,
        Key::Space => E::Space,
        Key::F(n) => [
            E::F1,
            E::F2,
            E::F3,
            E::F4,
            E::F5,
            E::F6,
            E::F7,
            E::F8,
            E::F9,
            E::F10,
            E::F11,
            E::F12,
            E::F13,
            E::F14,
            E::F15,
            E::F16,
            E::F17,
            E::F18,
            E::F19,
            E::F20,
            E::F21,
            E::F22,
            E::F23,
            E::F24,
        ]
        .get(usize::from(n).checked_sub(1)?)
        .copied()?,
        Key::Char(c) => E::Unicode(c),
    })
}

impl InputSink for EnigoSink {
    fn inject(&mut self, ev: &InputEvent) -> Result<(), PlatformError> {
        let err = |e: enigo::InputError| PlatformError::Inject(e.to_string());
        match ev {
            // On Windows the frame is the virtual desktop, every monitor; enigo reaches the
            // primary one only.
            #[cfg(windows)]
            InputEvent::MouseMove { x, y } => crate::windows::move_pointer(*x, *y)?,
            #[cfg(not(windows))]
            InputEvent::MouseMove { x, y } => {
                self.enigo.move_mouse(*x as i32, *y as i32, Coordinate::Abs).map_err(err)?;
            }
            InputEvent::MouseButton { button, down } => {
                let b = match button {
                    MouseButton::Left => Button::Left,
                    MouseButton::Right => Button::Right,
                    MouseButton::Middle => Button::Middle,
                };
                let d = if *down { Direction::Press } else { Direction::Release };
                self.enigo.button(b, d).map_err(err)?;
            }
            InputEvent::Wheel { dx, dy } => {
                if *dy != 0 {
                    self.enigo.scroll(*dy, Axis::Vertical).map_err(err)?;
                }
                if *dx != 0 {
                    self.enigo.scroll(*dx, Axis::Horizontal).map_err(err)?;
                }
            }
            InputEvent::Key { key: k, down, modifiers } => {
                let Some(k) = key(*k) else { return Ok(()) };
                if *down {
                    self.modifiers(*modifiers, Direction::Press).map_err(err)?;
                    self.enigo.key(k, Direction::Press).map_err(err)?;
                } else {
                    self.enigo.key(k, Direction::Release).map_err(err)?;
                    self.modifiers(*modifiers, Direction::Release).map_err(err)?;
                }
            }
            InputEvent::Text(text) => self.enigo.text(text).map_err(err)?,
        }
        Ok(())
    }
}

/// Keeps every event, for tests. Clones share the same list.
#[derive(Clone, Default)]
pub struct RecordingSink {
    events: Arc<Mutex<Vec<InputEvent>>>,
}

impl RecordingSink {
    /// Everything injected so far.
    #[must_use]
    pub fn events(&self) -> Vec<InputEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl InputSink for RecordingSink {
    fn inject(&mut self, ev: &InputEvent) -> Result<(), PlatformError> {
        if let Ok(mut e) = self.events.lock() {
            e.push(ev.clone());
        }
        Ok(())
    }
}
