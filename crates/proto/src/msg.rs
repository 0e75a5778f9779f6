//! Control-stream messages: the hello, session events, chat and consent.
//!
//! The control stream is the one bidirectional stream a participant opens on its connection.
//! Its first message is a [`Hello`]; every later message from a participant is a [`ToHost`],
//! every message from the host a [`ToGuest`].

use serde::{Deserialize, Serialize};

mod grants;
pub use grants::*;

use crate::{
    ChatLine, ChatTarget, MAX_CHAT_BYTES, MAX_NAME_BYTES, MAX_NOTES_BYTES, is_valid_chat_text, is_valid_label,
    is_valid_name,
};

/// Most participants a session admits over its life (and so the longest participant list).
pub const MAX_PARTICIPANTS: usize = 64;
/// Most chat lines a session keeps (older ones are forgotten first).
pub const MAX_CHAT_LINES: usize = 10_000;
/// Most bytes of chat text a session keeps, all lines together (older ones are forgotten first).
pub const MAX_CHAT_KEPT_BYTES: usize = 4 * 1024 * 1024;
/// Most bytes of chat lines (text and names) in one [`ToGuest::ChatBacklog`] message: well under
/// [`crate::MAX_CONTROL_MSG_BYTES`] with the framing of each line.
pub const MAX_CHAT_BATCH_BYTES: usize = 48 * 1024;

/// A participant's number within one session, given by the host. The host's own CSR is 0. On
/// the wire it is the bare number.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(transparent)]
pub struct ParticipantId(pub u32);

impl std::fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A consent request's number within one session, given by the host.
pub type RequestId = u32;

/// A session's random identifier.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub [u8; 16]);

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in &self.0[..4] {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Which application sends a hello.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// The customer's agent.
    Agent,
    /// A CSR's console.
    Console,
}

/// The first message on every connection's control stream.
///
/// `version` is the first field so that a host can read it from a hello of any version (postcard
/// encodes fields in order) and refuse an unknown one clearly, before decoding the rest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The sender's [`crate::PROTOCOL_VERSION`].
    pub version: u32,
    /// The session the invite names.
    pub session: SessionId,
    /// The invite's single-use secret.
    pub secret: [u8; 16],
    /// The name the participant typed.
    pub name: String,
    /// Which application is speaking.
    pub app: AppKind,
    /// Only ask who is behind the invite, before the person decides to join: the host answers
    /// [`ToGuest::Preview`] and closes; the invite stays unused.
    pub preview: bool,
    /// Come back to one's seat after the connection dropped: `secret` is then the resumption
    /// ticket the host gave ([`ToGuest::Ticket`]), not an invite's.
    pub resume: bool,
}

/// Reads only the version from a hello body, whatever its later fields are.
#[must_use]
pub fn peek_hello_version(body: &[u8]) -> Option<u32> {
    postcard::take_from_bytes::<u32>(body).ok().map(|(v, _)| v)
}

/// A participant as others see it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ParticipantInfo {
    /// The participant's number.
    pub id: ParticipantId,
    /// The participant's display name.
    pub name: String,
    /// The participant's role.
    pub role: Role,
    /// What the participant (a customer) has granted.
    pub grants: Grants,
    /// Whether the participant is still in the session.
    pub present: bool,
    /// Whether their connection dropped and their seat is held for them to come back.
    pub away: bool,
}

/// Sent by the host to a newly admitted participant.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Welcome {
    /// The participant's own number.
    pub you: ParticipantId,
    /// The participant's role.
    pub role: Role,
    /// The name of the CSR in control.
    pub csr_name: String,
    /// The CSR's organisation.
    pub organisation: String,
    /// The session type the CSR chose.
    pub session_type: String,
    /// The session's tracking code (a ticket number), possibly empty.
    pub tracking_code: String,
    /// When the session began, in milliseconds since the Unix epoch (across hand-overs).
    pub started_unix_ms: u64,
    /// Everyone in the session.
    pub participants: Vec<ParticipantInfo>,
    /// The organisation's certificate for this console, when its CSR signed in to the team's
    /// site: the agent checks it and holds the console to its tools.
    pub certificate: Option<crate::cert::Certificate>,
}

impl Welcome {
    /// Checks the bounds of every field; a welcome that fails is malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        is_valid_name(&self.csr_name)
            && is_valid_label(&self.organisation)
            && is_valid_label(&self.session_type)
            && is_valid_label(&self.tracking_code)
            && is_valid_participants(&self.participants)
            && self.certificate.as_ref().is_none_or(crate::cert::Certificate::is_bounded)
    }
}

/// Whether `list` is a participant list a guest may show: bounded, every name valid.
fn is_valid_participants(list: &[ParticipantInfo]) -> bool {
    list.len() <= MAX_PARTICIPANTS && list.iter().all(|p| is_valid_name(&p.name))
}

/// How long a participant whose connection dropped keeps their seat, in milliseconds.
pub const RESUME_WINDOW_MS: u64 = 60_000;

/// Most monitors a customer may list.
pub const MAX_MONITORS: usize = 16;

/// One of the customer's monitors, in screen pixels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MonitorInfo {
    /// The system's name for it ("DP-1").
    pub name: String,
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Whether it is the primary monitor.
    pub primary: bool,
}

impl MonitorInfo {
    fn is_valid(&self) -> bool {
        self.name.len() <= MAX_NAME_BYTES
            && !self.name.chars().any(char::is_control)
            && (1..=crate::MAX_SCREEN_SIDE).contains(&self.width)
            && (1..=crate::MAX_SCREEN_SIDE).contains(&self.height)
            && self.x.saturating_add(self.width) <= crate::MAX_SCREEN_SIDE
            && self.y.saturating_add(self.height) <= crate::MAX_SCREEN_SIDE
    }
}

/// Who is behind an invite, shown before the person joins.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The name of the CSR in control.
    pub csr_name: String,
    /// Their organisation.
    pub organisation: String,
    /// The session type.
    pub session_type: String,
    /// The organisation's certificate for this console, if it has one.
    pub certificate: Option<crate::cert::Certificate>,
}

/// A message from the host to a participant.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum ToGuest {
    /// The participant was admitted.
    Welcome(Welcome),
    /// The answer to a preview hello: who is behind the invite. The connection closes next.
    Preview(Preview),
    /// The participant list changed.
    Participants(Vec<ParticipantInfo>),
    /// A chat message for this participant.
    Chat(ChatLine),
    /// Chat said before this participant was admitted (or came back) that they may read, oldest
    /// first, in pieces of at most [`MAX_CHAT_BATCH_BYTES`]; follows [`ToGuest::Welcome`].
    ChatBacklog(Vec<ChatLine>),
    /// A CSR asks the customer to allow a capability.
    ConsentRequest {
        /// The request's number, to answer with.
        request: RequestId,
        /// What is asked.
        capability: Capability,
        /// The name of the CSR asking.
        from_name: String,
    },
    /// Something the participant asked for was refused by the host.
    Refused {
        /// The rule it broke (each app words it in its reader's language).
        rule: crate::Rule,
    },
    /// The session has ended; the connection closes next.
    SessionEnded {
        /// The name of the CSR who ended it.
        by: String,
    },
    /// The inventory the customer sent has arrived: the one-time grant is used up.
    SystemInfoReceived,
    /// The participant's resumption ticket: with it, after a dropped connection, they come back
    /// to the same seat within [`RESUME_WINDOW_MS`] without a new invite. Sent after every
    /// admission (a new one each time).
    Ticket([u8; 16]),
    /// The files the CSRs offer now, in pieces: the pieces up to the one with `last` make the
    /// whole list, which then replaces the previous one.
    FilesOffered {
        /// These files.
        files: Vec<crate::OfferedFile>,
        /// Whether this piece ends the list.
        last: bool,
    },
    /// Offered file `file` cannot be sent: the CSR's copy changed or went away.
    FileUnavailable {
        /// Which file.
        file: crate::FileId,
    },
    /// Share one monitor (its number in the customer's list) or, with `None`, all of them.
    SelectMonitor {
        /// The monitor.
        index: Option<u32>,
    },
    /// List a folder of the customer's machine (while files may be browsed).
    ListFolder {
        /// The request's number, to answer with.
        req: u32,
        /// Which folder.
        at: crate::FolderAt,
    },
    /// A CSR asks to put a file or folder into one of the customer's folders: the customer
    /// allows or refuses this move.
    PushAsk {
        /// The move's number.
        push: crate::MoveId,
        /// The name of the CSR asking.
        from_name: String,
        /// What it carries.
        summary: crate::MoveSummary,
        /// The customer's folder it goes into (from a listing).
        folder: String,
        /// What to do if the name is taken there.
        on_conflict: crate::OnConflict,
    },
    /// The files of an allowed move, a batch at a time; fetch each with [`ToHost::FetchFile`].
    PushFiles {
        /// The move.
        push: crate::MoveId,
        /// These files.
        files: Vec<crate::MovedFile>,
        /// Whether this is the last batch.
        last: bool,
    },
    /// A CSR asks to copy a file or folder of the customer's machine to theirs: the customer
    /// allows or refuses this move.
    PullAsk {
        /// The move's number.
        pull: crate::MoveId,
        /// The name of the CSR asking.
        from_name: String,
        /// The folder it is in (a listing's path).
        folder: String,
        /// Its name in that folder.
        name: String,
    },
    /// Send file `file` of an allowed pull from `offset`; the host holds the bytes before it,
    /// whose SHA-256 is `prefix_sha256`.
    FetchPulled {
        /// Which file.
        file: crate::FileId,
        /// Where to start.
        offset: u64,
        /// SHA-256 of the first `offset` bytes the host holds.
        prefix_sha256: [u8; 32],
    },
    /// The CSR stopped move `id` (a push or a pull): what has not arrived will not.
    MoveCancelled {
        /// The move.
        id: crate::MoveId,
    },
    /// The session moves to another CSR's console: come back to the same seat there with
    /// `ticket` (the grants stay as they are). Sent over this connection, which is pinned to the
    /// host the participant trusted, so it is that host's word.
    MoveTo {
        /// The new host: who it is and where.
        host: crate::HostAddr,
        /// The seat's ticket there.
        ticket: [u8; 16],
    },
    /// The CSR in control ends a grant they no longer need (stops viewing or controlling, or
    /// ends the file transfer): the customer's agent stops it as if the customer had, and says
    /// who did. Stopping the view stops control with it; ending files ends every move.
    EndGrant {
        /// What ends.
        capability: Capability,
        /// The name of the CSR who ended it.
        by: String,
    },
    /// To a CSR on their own console: the customer answered what this CSR asked.
    ConsentAnswered {
        /// The customer.
        participant: ParticipantId,
        /// What was asked.
        capability: Capability,
        /// Allow or Don't allow.
        allowed: bool,
    },
    /// To a CSR on their own console: the invite the host made at their asking
    /// ([`ToHost::MakeInvite`]).
    InviteMade(Box<crate::Invite>),
    /// To a CSR on their own console: an invite of theirs was used (by its secret).
    InviteUsed([u8; 16]),
    /// To a CSR on their own console: how a customer's download of file `file`, which this CSR
    /// shared, ended.
    FileDoneFor {
        /// The customer.
        participant: ParticipantId,
        /// The file, by the host's number.
        file: crate::FileId,
        /// How it ended.
        outcome: crate::FileOutcome,
    },
    /// To a CSR on their own console: customer `participant`'s folder they asked for
    /// ([`ToHost::ListFolder`]), or why it could not be listed.
    FolderListed {
        /// The customer.
        participant: ParticipantId,
        /// What it holds.
        listing: Result<crate::FolderListing, crate::FileProblem>,
    },
    /// To a CSR on their own console: the move they asked for with `tag` (their own number)
    /// is the host's move `id`.
    MoveMade {
        /// Their number for it.
        tag: crate::MoveId,
        /// The host's.
        id: crate::MoveId,
    },
    /// To a CSR on their own console: the board's rows of the moves they asked for, newest
    /// last, at most [`crate::MAX_MOVE_ROWS`] (the whole list, replacing the previous one).
    Moves(Vec<crate::MoveInfo>),
    /// To a CSR on their own console: the files of their pull, which arrived at the host and
    /// were checked there, a batch at a time under the host's numbers; fetch each with
    /// [`ToHost::FetchFile`].
    PulledFiles {
        /// The move.
        pull: crate::MoveId,
        /// What it carries (the files that reached the host).
        summary: crate::MoveSummary,
        /// These files.
        files: Vec<crate::MovedFile>,
        /// Whether this is the last batch.
        last: bool,
    },
}

impl ToGuest {
    /// [`ToGuest::FolderListed`] for `listing`, cut to fit one control message (the entries
    /// that do not fit are left out and the listing says it was truncated).
    #[must_use]
    pub fn folder_listed(
        participant: ParticipantId,
        mut listing: Result<crate::FolderListing, crate::FileProblem>,
    ) -> ToGuest {
        let fits = |l: &Result<crate::FolderListing, crate::FileProblem>| {
            let msg = ToGuest::FolderListed { participant, listing: l.clone() };
            postcard::experimental::serialized_size(&msg).is_ok_and(|n| n + 16 <= crate::MAX_CONTROL_MSG_BYTES)
        };
        while !fits(&listing) {
            let Ok(l) = listing.as_mut() else { break };
            if l.entries.is_empty() {
                break;
            }
            let keep = l.entries.len() - l.entries.len().div_ceil(16);
            l.entries.truncate(keep);
            l.truncated = true;
        }
        ToGuest::FolderListed { participant, listing }
    }

    /// Checks the bounds of every field a guest could show or act on; a message that fails is
    /// malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        match self {
            ToGuest::Welcome(w) => w.is_valid(),
            ToGuest::Preview(p) => {
                is_valid_name(&p.csr_name)
                    && is_valid_label(&p.organisation)
                    && is_valid_label(&p.session_type)
                    && p.certificate.as_ref().is_none_or(crate::cert::Certificate::is_bounded)
            }
            ToGuest::Participants(list) => is_valid_participants(list),
            ToGuest::Chat(line) => line.is_valid(),
            ToGuest::ChatBacklog(lines) => lines.iter().all(ChatLine::is_valid),
            ToGuest::ConsentRequest { from_name, .. } => is_valid_name(from_name),
            ToGuest::SessionEnded { by } | ToGuest::EndGrant { by, .. } => is_valid_name(by),
            ToGuest::FilesOffered { files, .. } => {
                files.len() <= crate::files::MAX_FILES_OFFERED && files.iter().all(crate::OfferedFile::is_valid)
            }
            ToGuest::ListFolder { at, .. } => at.is_valid(),
            ToGuest::PushAsk { summary, folder, from_name, .. } => {
                summary.is_valid() && crate::files::is_valid_path(folder) && is_valid_name(from_name)
            }
            ToGuest::PushFiles { files, .. } => {
                files.len() <= crate::files::MAX_MOVE_FILES && files.iter().all(crate::MovedFile::is_valid)
            }
            ToGuest::PullAsk { folder, name, from_name, .. } => {
                crate::files::is_valid_path(folder)
                    && crate::files::is_valid_entry_name(name)
                    && is_valid_name(from_name)
            }
            ToGuest::FetchPulled { offset, .. } => *offset <= crate::files::MAX_FILE_BYTES,
            ToGuest::MoveTo { host, .. } => host.is_valid(),
            ToGuest::InviteMade(invite) => invite.host.is_valid(),
            ToGuest::FolderListed { listing, .. } => {
                listing.as_ref().is_ok_and(crate::FolderListing::is_valid) || listing.is_err()
            }
            ToGuest::Moves(rows) => rows.len() <= crate::MAX_MOVE_ROWS && rows.iter().all(crate::MoveInfo::is_valid),
            ToGuest::PulledFiles { summary, files, .. } => {
                summary.is_valid()
                    && files.len() <= crate::files::MAX_MOVE_FILES
                    && files.iter().all(crate::MovedFile::is_valid)
            }
            ToGuest::SystemInfoReceived
            | ToGuest::Refused { .. }
            | ToGuest::Ticket(_)
            | ToGuest::FileUnavailable { .. }
            | ToGuest::SelectMonitor { .. }
            | ToGuest::MoveCancelled { .. }
            | ToGuest::ConsentAnswered { .. }
            | ToGuest::InviteUsed(_)
            | ToGuest::FileDoneFor { .. }
            | ToGuest::MoveMade { .. } => true,
        }
    }
}

/// A message from a participant to the host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum ToHost {
    /// A chat message.
    Chat {
        /// Who it is for.
        to: ChatTarget,
        /// What it says.
        text: String,
    },
    /// The customer's answer to a consent request.
    ConsentAnswer {
        /// The request answered.
        request: RequestId,
        /// Whether it was allowed.
        allowed: bool,
    },
    /// The customer's grants changed (for example Stop was pressed).
    Grants(Grants),
    /// The agent refused input it was sent, and dropped it.
    InputRefused,
    /// The participant leaves the session.
    Leave,
    /// The CSR in control ends the session.
    End {
        /// End-of-session notes.
        notes: String,
    },
    /// The customer's monitors (sent while viewing is granted).
    Monitors(Vec<MonitorInfo>),
    /// Send offered file `file` from `offset`: the customer already holds the bytes before it,
    /// whose SHA-256 is `prefix_sha256` (the host starts again from 0 if its own differ).
    FetchFile {
        /// Which file.
        file: crate::FileId,
        /// Where to start.
        offset: u64,
        /// SHA-256 of the first `offset` bytes the customer holds.
        prefix_sha256: [u8; 32],
    },
    /// The CSR in control asks a customer to allow a capability (a CSR's console that was given
    /// control; the host's own CSR uses its console directly).
    Request {
        /// Which customer.
        to: ParticipantId,
        /// What.
        capability: Capability,
    },
    /// The CSR in control hands control to another CSR present.
    TransferControl {
        /// The CSR who runs the session from now on.
        to: ParticipantId,
    },
    /// The CSR in control makes a secondary customer the primary customer.
    Promote {
        /// Which customer.
        to: ParticipantId,
    },
    /// How the transfer of offered file `file` ended on the customer's side.
    FileDone {
        /// Which file.
        file: crate::FileId,
        /// How it ended.
        outcome: crate::FileOutcome,
    },
    /// The answer to [`ToGuest::ListFolder`]: the listing, or why there is none.
    Folder {
        /// The request answered.
        req: u32,
        /// What the folder holds, or why it cannot be listed.
        listing: Result<crate::FolderListing, crate::FileProblem>,
    },
    /// The customer's answer to [`ToGuest::PushAsk`].
    PushAnswer {
        /// The move.
        push: crate::MoveId,
        /// Whether it goes ahead.
        allowed: bool,
        /// Why not, when it could not start (their folder cannot be written, say) or the
        /// customer's side refused it without asking them; `None` when they refused.
        reason: Option<crate::FileProblem>,
    },
    /// The customer allowed a pull: the files it holds, a batch at a time (the host fetches
    /// each with [`ToGuest::FetchPulled`]).
    PullFiles {
        /// The move.
        pull: crate::MoveId,
        /// What the pull carries (the same in every batch).
        summary: crate::MoveSummary,
        /// These files.
        files: Vec<crate::MovedFile>,
        /// Whether this is the last batch.
        last: bool,
    },
    /// The CSR taking the session over listens here now (the answer to a hand-over).
    HostReady {
        /// Who it is and where.
        host: crate::HostAddr,
    },
    /// A pull will not happen: the customer refused it, or the file cannot be read; why.
    PullRefused {
        /// The move.
        pull: crate::MoveId,
        /// Why.
        reason: crate::FileProblem,
    },
    /// The CSR in control no longer needs customer `to`'s grant of `capability` (Stop viewing,
    /// Stop control, End file transfer).
    EndGrant {
        /// Which customer.
        to: ParticipantId,
        /// What ends.
        capability: Capability,
    },
    /// The CSR in control, on their own console, asks the host for an invite for `role`
    /// (answered with [`ToGuest::InviteMade`]).
    MakeInvite {
        /// Who it admits.
        role: InviteRole,
    },
    /// The CSR in control revokes an invite not used yet.
    RevokeInvite {
        /// Its secret.
        secret: [u8; 16],
    },
    /// The CSR in control, on their own console, shares one of their files with the customers:
    /// `file.id` is their own number for it. The host fetches it from them
    /// ([`ToGuest::FetchPulled`] with that number), checks its hash, and offers it.
    OfferFile(crate::OfferedFile),
    /// The CSR in control stops offering file `file` (the host's number).
    WithdrawFile {
        /// Which file.
        file: crate::FileId,
    },
    /// The CSR in control, on their own console, asks for a listing of customer `with`'s
    /// folder `at` (answered with [`ToGuest::FolderListed`]).
    ListFolder {
        /// Which customer.
        with: ParticipantId,
        /// Which folder.
        at: crate::FolderAt,
    },
    /// The CSR in control, on their own console, asks customer `from` for a copy of their file
    /// or folder `name` in `folder`; `tag` is the CSR's own number for it, answered with
    /// [`ToGuest::MoveMade`]. Once the customer allows it, the host fetches it, checks it, and
    /// offers its files to this CSR ([`ToGuest::PulledFiles`]).
    Pull {
        /// The CSR's number for it.
        tag: crate::MoveId,
        /// Which customer.
        from: ParticipantId,
        /// Their folder (a listing's path).
        folder: String,
        /// The file's or folder's name in it.
        name: String,
    },
    /// The CSR in control, on their own console, puts their file or folder (hashed there) into
    /// customer `to`'s folder; `tag` is their own number for it, answered with
    /// [`ToGuest::MoveMade`]. Its files follow in [`ToHost::PushFiles`]; the host fetches them
    /// ([`ToGuest::FetchPulled`]), checks them, then asks the customer.
    Push {
        /// The CSR's number for it.
        tag: crate::MoveId,
        /// Which customer.
        to: ParticipantId,
        /// What it carries.
        summary: crate::MoveSummary,
        /// The customer's folder (from a listing).
        folder: String,
        /// What to do if the name is taken there.
        on_conflict: crate::OnConflict,
    },
    /// The files of the CSR's push `tag`, a batch at a time, under the CSR's own numbers.
    PushFiles {
        /// The CSR's number for the push.
        tag: crate::MoveId,
        /// These files.
        files: Vec<crate::MovedFile>,
        /// Whether this is the last batch.
        last: bool,
    },
    /// The CSR in control, on their own console, stops move `id` (the host's number).
    CancelMove {
        /// The move.
        id: crate::MoveId,
    },
}

impl ToHost {
    /// Checks the bounds of every field; a message that fails is malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        match self {
            ToHost::Chat { text, .. } => {
                !text.trim().is_empty() && text.len() <= MAX_CHAT_BYTES && is_valid_chat_text(text)
            }
            ToHost::End { notes } => notes.len() <= MAX_NOTES_BYTES,
            ToHost::Monitors(list) => list.len() <= MAX_MONITORS && list.iter().all(MonitorInfo::is_valid),
            ToHost::FetchFile { offset, .. } => *offset <= crate::files::MAX_FILE_BYTES,
            ToHost::Folder { listing, .. } => match listing {
                Ok(l) => l.is_valid(),
                Err(_) => true,
            },
            ToHost::PullFiles { summary, files, .. } => {
                summary.is_valid()
                    && files.len() <= crate::files::MAX_MOVE_FILES
                    && files.iter().all(crate::MovedFile::is_valid)
            }
            ToHost::HostReady { host } => host.is_valid(),
            ToHost::OfferFile(file) => file.is_valid(),
            ToHost::ListFolder { at, .. } => at.is_valid(),
            ToHost::Pull { folder, name, .. } => {
                crate::files::is_valid_path(folder) && crate::files::is_valid_entry_name(name)
            }
            ToHost::Push { summary, folder, .. } => summary.is_valid() && crate::files::is_valid_path(folder),
            ToHost::PushFiles { files, .. } => {
                files.len() <= crate::files::MAX_MOVE_FILES && files.iter().all(crate::MovedFile::is_valid)
            }
            ToHost::ConsentAnswer { .. }
            | ToHost::FileDone { .. }
            | ToHost::PullRefused { .. }
            | ToHost::PushAnswer { .. }
            | ToHost::Grants(_)
            | ToHost::InputRefused
            | ToHost::Leave
            | ToHost::Request { .. }
            | ToHost::TransferControl { .. }
            | ToHost::Promote { .. }
            | ToHost::EndGrant { .. }
            | ToHost::MakeInvite { .. }
            | ToHost::RevokeInvite { .. }
            | ToHost::WithdrawFile { .. }
            | ToHost::CancelMove { .. } => true,
        }
    }
}

impl Hello {
    /// Checks the bounds of every field; a hello that fails is malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        is_valid_name(&self.name)
    }
}

#[cfg(test)]
mod tests;
