//! The session toolbar's tools, in the order a CSR expects, each with its name, what it does
//! and its keyboard shortcut.

use deskside_i18n::t;
use deskside_proto::cert::{Tool as Kind, Tools};
use egui::KeyboardShortcut;

/// A toolbar tool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    /// Invite customers and support representatives.
    #[default]
    Invite,
    /// Who is in the session.
    Participants,
    /// Chat.
    Chat,
    /// Voice (not in this version).
    Audio,
    /// Webcam video (not in this version).
    Video,
    /// Ask to view or control the customer's screen.
    RemoteControl,
    /// Files (not in this version).
    FileTransfer,
    /// Ask a customer for their system information, and read it.
    SystemInfo,
    /// The CSR's notes.
    Notes,
    /// Recording (not in this version).
    Record,
    /// End the session.
    End,
}

impl Tool {
    /// Every tool, in toolbar order.
    pub const ALL: [Tool; 11] = [
        Tool::Invite,
        Tool::Participants,
        Tool::Chat,
        Tool::Audio,
        Tool::Video,
        Tool::RemoteControl,
        Tool::FileTransfer,
        Tool::SystemInfo,
        Tool::Notes,
        Tool::Record,
        Tool::End,
    ];

    /// The tool's name on its button.
    #[must_use]
    pub fn label(self) -> String {
        match self {
            Tool::Invite => t!("tool-invite"),
            Tool::Participants => t!("tool-participants"),
            Tool::Chat => t!("tool-chat"),
            Tool::Audio => t!("tool-audio"),
            Tool::Video => t!("tool-video"),
            Tool::RemoteControl => t!("tool-remote-control"),
            Tool::FileTransfer => t!("tool-file-transfer"),
            Tool::SystemInfo => t!("tool-system-info"),
            Tool::Notes => t!("tool-notes"),
            Tool::Record => t!("tool-record"),
            Tool::End => t!("tool-end"),
        }
    }

    /// What the tool does, for its tooltip.
    #[must_use]
    pub fn description(self) -> String {
        match self {
            Tool::Invite => t!("tool-invite-tip"),
            Tool::Participants => t!("tool-participants-tip"),
            Tool::Chat => t!("tool-chat-tip"),
            Tool::RemoteControl => t!("tool-remote-control-tip"),
            Tool::SystemInfo => t!("tool-system-info-tip"),
            Tool::FileTransfer => t!("tool-file-transfer-tip"),
            Tool::Notes => t!("tool-notes-tip"),
            Tool::End => t!("tool-end-tip"),
            Tool::Audio | Tool::Video | Tool::Record => t!("tool-unavailable"),
        }
    }

    /// Whether this version has the tool.
    #[must_use]
    pub fn available(self) -> bool {
        !matches!(self, Tool::Audio | Tool::Video | Tool::Record)
    }

    /// Whether a session type allowing `tools` allows this tool (the remote-control panel needs
    /// one of its ways to see; the files panel, sending or browsing).
    #[must_use]
    pub fn allowed_by(self, tools: Tools) -> bool {
        match self {
            Tool::Chat => tools.contains(Kind::Chat),
            Tool::Audio => tools.contains(Kind::Voice),
            Tool::Video => tools.contains(Kind::Video),
            Tool::RemoteControl => tools.contains(Kind::View) || tools.contains(Kind::OneApp),
            Tool::FileTransfer => tools.contains(Kind::SendFiles) || tools.contains(Kind::BrowseFiles),
            Tool::SystemInfo => tools.contains(Kind::SystemInfo),
            Tool::Record => tools.contains(Kind::Recording),
            Tool::Invite | Tool::Participants | Tool::Notes | Tool::End => true,
        }
    }

    /// The tool's keyboard shortcut: Ctrl+Shift and a letter.
    #[must_use]
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let key = match self {
            Tool::Invite => egui::Key::I,
            Tool::Participants => egui::Key::P,
            Tool::Chat => egui::Key::C,
            Tool::RemoteControl => egui::Key::R,
            Tool::SystemInfo => egui::Key::S,
            Tool::FileTransfer => egui::Key::F,
            Tool::Notes => egui::Key::N,
            Tool::End => egui::Key::E,
            _ => return None,
        };
        Some(KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, key))
    }
}
