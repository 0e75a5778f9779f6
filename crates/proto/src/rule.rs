//! The session rules a participant's action can break, as codes on the wire.

use serde::{Deserialize, Serialize};

/// A session rule an action broke; the action was not carried out. Sent to the participant as a
/// code ([`crate::ToGuest::Refused`]); each app words it in its reader's language. The English
/// here is for logs.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rule {
    /// The session has ended.
    #[error("the session has ended")]
    Ended,
    /// Only the CSR in control may do this.
    #[error("only the CSR in control can do that")]
    NotInControl,
    /// The participant is not (or no longer) in the session.
    #[error("that participant is not in the session")]
    NoSuchParticipant,
    /// Screen and control are asked only of the primary customer.
    #[error("only the primary customer can be asked for that")]
    NotPrimaryCustomer,
    /// The text is empty or too long.
    #[error("the message is empty or too long")]
    BadText,
    /// The customer has no such monitor.
    #[error("the customer has no such monitor")]
    NoSuchMonitor,
    /// Only a secondary customer can be made primary.
    #[error("only a secondary customer can be made the primary customer")]
    NotSecondaryCustomer,
    /// No such file is on offer.
    #[error("that file is not offered in this session")]
    NoSuchFile,
    /// Files do not move while one application is shared.
    #[error("stop application sharing to transfer files")]
    AppSharing,
    /// Too many files are on offer.
    #[error("too many files are offered already")]
    TooManyFiles,
    /// Control goes only to another support representative who is here.
    #[error("control can only be given to another support representative in the session")]
    NotACsr,
    /// The customer has not allowed browsing and moving their files.
    #[error("the customer has not allowed browsing and moving files")]
    FilesNotAllowed,
    /// This computer gave no secure random numbers.
    #[error("this computer gave no secure random numbers")]
    NoRandom,
    /// Too many chat lines in too little time.
    #[error("too many messages at once; wait a moment")]
    TooFast,
    /// What the customer's computer sent for a move is not what was asked for.
    #[error("what the customer's computer sent is not what was asked for")]
    NotAsked,
    /// The customer has not allowed control of their mouse and keyboard.
    #[error("the customer has not allowed control")]
    NotControlled,
    /// As many invites are open as a session keeps; revoke one or wait for one to be used.
    #[error("too many invites are open")]
    TooManyInvites,
    /// Only the console that hosts the session can do that.
    #[error("only the console hosting the session can do that")]
    HostOnly,
    /// The organisation does not allow this tool in sessions of this type.
    #[error("not allowed for this session type by the organisation")]
    NotAllowedByOrganisation,
}
