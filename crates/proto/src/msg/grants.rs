//! Roles and capabilities: who a participant is in the session, what a CSR may ask a customer
//! to allow, and what they have allowed.

use serde::{Deserialize, Serialize};

/// Which kind of participant an invite admits.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InviteRole {
    /// A customer, joining with the agent.
    Customer,
    /// Another support representative, joining with a console.
    Csr,
}

/// A participant's role in the session.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The CSR who runs the session: requests capabilities, invites, ends.
    CsrInControl,
    /// Another CSR: watches and chats.
    Csr,
    /// The customer whose screen is shared and controlled.
    PrimaryCustomer,
    /// Another customer in the session.
    SecondaryCustomer,
}

impl Role {
    /// Whether this role is a support representative.
    #[must_use]
    pub fn is_csr(self) -> bool {
        matches!(self, Role::CsrInControl | Role::Csr)
    }
}

/// Something a CSR may ask a customer to allow.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// See the customer's screen.
    View,
    /// Move the customer's mouse and type on their keyboard.
    Control,
    /// See one application window the customer chooses, and nothing else of the screen.
    ViewApp,
    /// Use the mouse and keyboard in that window only, while it has the focus.
    ControlApp,
    /// Receive, once, the machine's inventory as the customer chose to send it.
    SystemInfo,
    /// Browse the customer's files and move files both ways, each move approved by the customer
    /// (one consent for the session, until Stop).
    Files,
}

impl Capability {
    /// Every capability, in display order.
    pub const ALL: [Capability; 6] = [
        Capability::View,
        Capability::Control,
        Capability::ViewApp,
        Capability::ControlApp,
        Capability::SystemInfo,
        Capability::Files,
    ];

    /// What allowing this allows with it: control of the desktop is asked once for seeing it
    /// too (nobody can use a mouse they cannot see).
    #[must_use]
    pub fn comes_with(self) -> Option<Capability> {
        match self {
            Capability::Control => Some(Capability::View),
            _ => None,
        }
    }

    /// What ends with this: a view ends the control of what it showed.
    #[must_use]
    pub fn ends_with(self) -> Option<Capability> {
        match self {
            Capability::View => Some(Capability::Control),
            Capability::ViewApp => Some(Capability::ControlApp),
            _ => None,
        }
    }

    /// Whether this capability shares or controls the screen (only the primary customer's).
    #[must_use]
    pub fn is_screen(self) -> bool {
        !matches!(self, Capability::SystemInfo | Capability::Files)
    }
}

/// What a customer has granted right now.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Grants {
    /// The screen may be seen.
    pub view: bool,
    /// Mouse and keyboard may be controlled.
    pub control: bool,
    /// One application window may be seen.
    pub view_app: bool,
    /// That window may be controlled while it has the focus.
    pub control_app: bool,
    /// The machine's inventory may be sent (once; the agent stops it after sending).
    pub system_info: bool,
    /// The customer's files may be browsed, and files moved both ways with their approval.
    pub files: bool,
}

impl Grants {
    /// Whether `cap` is granted.
    #[must_use]
    pub fn has(self, cap: Capability) -> bool {
        match cap {
            Capability::View => self.view,
            Capability::Control => self.control,
            Capability::ViewApp => self.view_app,
            Capability::ControlApp => self.control_app,
            Capability::SystemInfo => self.system_info,
            Capability::Files => self.files,
        }
    }

    /// Sets whether `cap` is granted.
    pub fn set(&mut self, cap: Capability, on: bool) {
        match cap {
            Capability::View => self.view = on,
            Capability::Control => self.control = on,
            Capability::ViewApp => self.view_app = on,
            Capability::ControlApp => self.control_app = on,
            Capability::SystemInfo => self.system_info = on,
            Capability::Files => self.files = on,
        }
    }

    /// Whether nothing is granted.
    #[must_use]
    pub fn is_empty(self) -> bool {
        !self.view && !self.control && !self.view_app && !self.control_app && !self.system_info && !self.files
    }

    /// Whether some of the screen may be seen (all of it or one window).
    #[must_use]
    pub fn sees_screen(self) -> bool {
        self.view || self.view_app
    }

    /// Whether some control is allowed (everywhere or in one window).
    #[must_use]
    pub fn controls(self) -> bool {
        self.control || self.control_app
    }
}
