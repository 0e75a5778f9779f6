//! Everything the CSR asks of the console by clicking, as one list of commands: panels are
//! functions that draw and push into [`Commands`]; the app carries the list out once a frame
//! (`ConsoleApp::carry_out`), in one place. No panel reaches the network, the
//! history or the system itself.

use deskside_net::host::HostCommand;
use deskside_proto::{HandOverState, InviteRole};

/// One thing the CSR asked for.
#[derive(Debug)]
pub enum UiCommand {
    /// Something for the session: the hub when this console hosts it, or the host's console
    /// (through the link) when this CSR joined a colleague's.
    Session(HostCommand),
    /// A new invite for `role`.
    Invite(InviteRole),
    /// Revoke an invite not used yet.
    RevokeInvite([u8; 16]),
    /// Keep the notes in the session's record.
    SaveNotes(String),
    /// Open a link or file with the system's handler (an invite e-mail, a report to print).
    OpenUrl(String),
    /// The session was handed to this colleague: say so while their console gets ready.
    HandingOver(String),
    /// Leave a colleague's session (it goes on for the others).
    Leave,
    /// The colleague handed the session to this console: host it.
    TakeOver(Box<HandOverState>),
}

/// The commands of one frame, in the order they were asked.
#[derive(Debug, Default)]
pub struct Commands(Vec<UiCommand>);

impl Commands {
    /// Asks for `cmd`.
    pub fn push(&mut self, cmd: UiCommand) {
        self.0.push(cmd);
    }

    /// Asks the session for `cmd`.
    pub fn session(&mut self, cmd: HostCommand) {
        self.0.push(UiCommand::Session(cmd));
    }

    /// Whether nothing was asked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What was asked, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = UiCommand> + '_ {
        self.0.drain(..)
    }
}
