//! The session as this CSR sees it, hosting it or joined to a colleague's, apart from egui: who
//! is in it, the chat, what was asked and allowed, the files and moves, the notes; what the
//! session says is applied here.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use deskside_history::Entry;
use deskside_i18n::t;
use deskside_net::host::{HostEvent, LinkQuality, SharedScreen};
use deskside_proto::{Capability, ChatLine, ChatTarget, Invite, MonitorInfo, ParticipantInfo, Role};

use crate::record::{chat_entry, participant_changes};
pub use crate::site::ShortCodeState;
use crate::tools::Tool;
use crate::viewer::Viewer;

/// Everything the session screen shows, whichever console hosts the session.
#[derive(Default)]
pub struct SessionView {
    /// This CSR's number in the session (the host's own CSR is 0).
    pub me: deskside_proto::ParticipantId,
    /// Whether this CSR joined a colleague's session (their console hosts it), rather than
    /// hosting it here.
    pub joined: bool,
    /// The name of the CSR whose console hosts it (this CSR's own when hosting).
    pub host_name: String,
    /// The CSR's name, as customers see it.
    pub csr_name: String,
    /// The organisation, as customers see it.
    pub organisation: String,
    /// The session type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// When the session started (ms since the epoch).
    pub started_ms: u64,
    /// The time now (ms since the epoch), as of the last frame with a live host.
    pub now_ms: u64,
    /// The tool whose panel is open.
    pub tool: Tool,
    /// The invites made and not yet used, revoked or expired, oldest first.
    pub invites: Vec<Invite>,
    /// The 9-digit codes the team's site gave the customer invites, by invite secret.
    pub short_codes: Vec<([u8; 16], ShortCodeState)>,
    /// Whether the Invite panel makes invites for support representatives (else customers).
    pub invite_csr: bool,
    /// Who is in the session.
    pub participants: Vec<ParticipantInfo>,
    /// Each connection's latest round-trip time and loss.
    pub quality: Vec<LinkQuality>,
    /// The chat so far.
    pub chat: Vec<ChatLine>,
    /// Chat lines from others that arrived while the Chat panel was closed.
    pub unread: usize,
    /// The chat message being typed.
    pub chat_draft: String,
    /// Who the next chat message goes to.
    pub chat_to: ChatTarget,
    /// What the CSR is waiting for the customer to answer.
    pub waiting_for: Option<Capability>,
    /// The primary customer stopped sharing their screen from their side.
    pub paused: bool,
    /// This CSR stopped viewing (the customer did not): the screen going is not a pause.
    pub released: bool,
    /// A short notice (a refusal, an answer), newest last.
    pub notice: Option<String>,
    /// Whether the end dialog is open.
    pub ending: bool,
    /// The end-of-session notes being written.
    pub end_notes: String,
    /// Notes taken during the session (never shown to the customer).
    pub notes: String,
    /// The notes as last saved to the session record.
    pub notes_saved: String,
    /// The shared screen.
    pub screen: Arc<Mutex<SharedScreen>>,
    /// The screen viewer.
    pub viewer: Viewer,
    /// Show the screen one customer pixel per point, scrolled (else scaled to fit).
    pub actual_size: bool,
    /// Keys typed over the screen stay on the CSR's computer.
    pub keyboard_released: bool,
    /// The viewer fills the whole display.
    pub full_screen: bool,
    /// Where the invite link is written once (scripts and the demo).
    pub invite_file: Option<PathBuf>,
    /// System information received, each in its own window.
    pub reports: Vec<crate::inventory_ui::ReportView>,
    /// The primary customer's monitors (more than one: the CSR chooses what to see).
    pub monitors: Vec<MonitorInfo>,
    /// The monitor shown (`None`: all of them).
    pub monitor: Option<u32>,
    /// Files shared with the customers, and the CSR's file browser.
    pub files: crate::files_ui::FilesView,
    /// The two-pane window for browsing one customer's files and moving files both ways.
    pub browse: crate::browse_ui::BrowseView,
    /// The organisation's word for this session, when its CSR is signed in to the team's site:
    /// the type's tools (the others are shown disabled) and the certificate kept fresh.
    pub certified: Option<crate::site::Certified>,
}

impl SessionView {
    /// Whether the organisation allows asking for `cap` in this session (always, without a site).
    #[must_use]
    pub fn allows(&self, cap: deskside_proto::Capability) -> bool {
        self.certified.as_ref().is_none_or(|c| c.tools.allows(cap))
    }

    /// Whether the organisation allows toolbar tool `tool` in this session.
    #[must_use]
    pub fn allows_tool(&self, tool: crate::tools::Tool) -> bool {
        self.certified.as_ref().is_none_or(|c| tool.allowed_by(c.tools))
    }

    /// The primary customer present, if any.
    #[must_use]
    pub fn primary(&self) -> Option<&ParticipantInfo> {
        self.participants.iter().find(|p| p.present && p.role == Role::PrimaryCustomer)
    }

    /// Whether this CSR runs the session now.
    #[must_use]
    pub fn in_control(&self) -> bool {
        self.participants.iter().any(|p| p.id == self.me && p.role == Role::CsrInControl)
    }

    /// The other CSR who runs the session, when this one does not.
    #[must_use]
    pub fn other_in_control(&self) -> Option<&ParticipantInfo> {
        self.participants.iter().find(|p| p.present && p.id != self.me && p.role == Role::CsrInControl)
    }
}

/// How the session ended, as the hub said.
pub(crate) struct Ending {
    /// The end notes (after a hand-over: who has it now, then the notes).
    pub(crate) notes: String,
    /// Whether it went on at a colleague's console.
    pub(crate) handed_over: bool,
    /// Why it is over for this console, when someone else ended it or the link went.
    pub(crate) why: Option<String>,
}

impl SessionView {
    /// What the hub said, applied to the session as the CSR sees it; the history entries it
    /// makes go to `entries`. `Some` when the session is over here.
    /// The host's latest link reports. A change of path is said once: a CSR whose customer's
    /// screen just got quicker (or slower) knows why.
    fn take_quality(&mut self, list: Vec<deskside_net::host::LinkQuality>) {
        for q in &list {
            let before = self.quality.iter().find(|o| o.participant == q.participant);
            if let Some(before) = before
                && before.relayed != q.relayed
            {
                let name = name_of(&self.participants, q.participant);
                self.notice = Some(if q.relayed {
                    t!("notice-link-relayed", name = name)
                } else {
                    t!("notice-link-direct", name = name)
                });
            }
        }
        self.quality = list;
    }

    pub(crate) fn handle_event(&mut self, ev: HostEvent, now: u64, entries: &mut Vec<Entry>) -> Option<Ending> {
        match ev {
            HostEvent::Participants(list) => {
                entries.extend(participant_changes(&self.participants, &list, now));
                let was_viewing = self.primary().is_some_and(|p| p.grants.sees_screen());
                let before = self.primary().map(|p| p.id);
                self.participants = list;
                let now_viewing = self.primary().is_some_and(|p| p.grants.sees_screen());
                if was_viewing && !now_viewing && std::mem::take(&mut self.released) {
                    // The CSR stopped it: their own notice says so, and the picture goes.
                    self.viewer.clear();
                } else if before != self.primary().map(|p| p.id) {
                    // The customer whose screen it was has left or is no longer the primary one:
                    // no stale picture of their screen stays.
                    self.viewer.clear();
                } else if was_viewing && !now_viewing && before == self.primary().map(|p| p.id) {
                    self.paused = true;
                    self.notice = None; // what they allowed before is no longer the news
                }
                if now_viewing || self.primary().is_none() {
                    self.paused = false;
                }
            }
            HostEvent::Chat(line) => {
                entries.push(chat_entry(&line, &self.participants));
                if self.tool != Tool::Chat && line.from != self.me {
                    self.unread += 1;
                }
                deskside_proto::keep_chat(&mut self.chat, [line]);
            }
            HostEvent::ConsentAnswered { participant, capability, allowed } => {
                self.waiting_for = None;
                let name = name_of(&self.participants, participant);
                let what = deskside_i18n::words::capability(capability);
                self.notice = Some(if allowed {
                    t!("notice-allowed", name = name, what = what)
                } else {
                    t!("notice-refused", name = name, what = what)
                });
            }
            HostEvent::Monitors { monitors, .. } => {
                self.monitors = monitors;
                self.monitor = None;
            }
            HostEvent::InputRefused => self.notice = Some(t!("notice-input-refused")),
            HostEvent::RelayRefused => self.notice = Some(t!("notice-relay-refused")),
            HostEvent::Refused(rule) => self.notice = Some(deskside_i18n::words::rule(rule)),
            HostEvent::InviteUsed(secret) => self.invites.retain(|i| i.secret != secret),
            HostEvent::Quality(list) => self.take_quality(list),
            HostEvent::SystemInfo { participant, inventory } => {
                if self.waiting_for == Some(Capability::SystemInfo) {
                    self.waiting_for = None;
                }
                let name = name_of(&self.participants, participant);
                entries.push(Entry::Inventory {
                    participant: participant.0,
                    name: name.clone(),
                    at_ms: now,
                    json: serde_json::to_string(&inventory).unwrap_or_default(),
                });
                self.notice = Some(t!("notice-system-info", name = name.clone()));
                self.reports.push(crate::inventory_ui::ReportView::new(&name, now, inventory));
            }
            HostEvent::Ended { notes } => return Some(Ending { notes, handed_over: false, why: None }),
            HostEvent::HandedOver { to_name } => {
                let notes = self.notes.trim();
                let handed = t!("handed-over", name = to_name);
                let notes = if notes.is_empty() { handed } else { format!("{handed}\n{notes}") };
                return Some(Ending { notes, handed_over: true, why: None });
            }
            HostEvent::InviteMade(invite) => self.invites.push(*invite),
            HostEvent::EndedBy { name } => {
                // This CSR's own end notes when they ended it, else the notes they took.
                let notes = if self.ending { self.end_notes.trim() } else { self.notes.trim() }.to_owned();
                return Some(Ending { notes, handed_over: false, why: Some(t!("joined-ended-by", name = name)) });
            }
            HostEvent::LinkClosed(why) => {
                let why = match why {
                    Some(deskside_proto::Refusal::Left) => t!("joined-left"),
                    Some(deskside_proto::Refusal::SessionEnded) => t!("joined-ended"),
                    Some(_) => t!("joined-closed"),
                    None => t!("joined-lost"),
                };
                return Some(Ending { notes: self.notes.trim().to_owned(), handed_over: false, why: Some(why) });
            }
            HostEvent::FileHashing { name, done, total } => {
                self.files.hashing.insert(name, (done, total));
            }
            HostEvent::FileShareFailed { name, reason } => {
                self.files.hashing.remove(&name);
                let why = deskside_i18n::words::file_problem(reason);
                self.notice = Some(t!("notice-file-share-failed", name = name, why = why));
            }
            HostEvent::FilesOffered(list) => {
                for f in &list {
                    self.files.hashing.remove(&f.name);
                }
                self.files.offered = list;
            }
            HostEvent::FileProgress(p) => self.files.progress(p, now),
            HostEvent::FileDone { participant, file, outcome } => {
                let who = name_of(&self.participants, participant);
                entries.push(Entry::File(crate::record::file_record(&file, &who, "to customer", &outcome, now)));
                self.files.done(participant, file.id, outcome);
            }
            HostEvent::Folder { participant, listing } => self.browse.listed(participant, listing),
            HostEvent::MovedFileDone { participant, direction, file, outcome } => {
                let who = name_of(&self.participants, participant);
                let way = match direction {
                    deskside_net::moves::Direction::Push => "to customer",
                    deskside_net::moves::Direction::Pull => "from customer",
                };
                entries.push(Entry::File(crate::record::file_record(&file, &who, way, &outcome, now)));
            }
        }
        None
    }
}

/// Participant `id`'s name, or "the customer" when they are not known.
#[must_use]
pub fn name_of(list: &[ParticipantInfo], id: deskside_proto::ParticipantId) -> String {
    list.iter().find(|p| p.id == id).map_or_else(|| t!("the-customer"), |p| p.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use deskside_net::host::LinkQuality;
    use deskside_proto::ParticipantId;

    #[test]
    fn a_link_that_changes_path_is_said_once() {
        deskside_i18n::set_lang(deskside_i18n::Lang::En);
        let ana = ParticipantId(1);
        let mut view = SessionView {
            participants: vec![ParticipantInfo {
                id: ana,
                name: "Ana López".into(),
                role: Role::PrimaryCustomer,
                grants: deskside_proto::Grants::default(),
                present: true,
                away: false,
            }],
            ..SessionView::default()
        };
        let report =
            |relayed| HostEvent::Quality(vec![LinkQuality { participant: ana, rtt_ms: 30, loss_permille: 0, relayed }]);
        let mut entries = Vec::new();
        view.handle_event(report(true), 0, &mut entries);
        assert_eq!(view.notice, None, "the first report is no change");
        view.handle_event(report(true), 1, &mut entries);
        assert_eq!(view.notice, None);
        view.handle_event(report(false), 2, &mut entries);
        assert_eq!(
            view.notice.as_deref(),
            Some("Ana López's connection is now direct: it no longer goes through the team's relay.")
        );
        view.notice = None;
        view.handle_event(report(false), 3, &mut entries);
        assert_eq!(view.notice, None, "said once");
        view.handle_event(report(true), 4, &mut entries);
        assert!(view.notice.as_deref().is_some_and(|n| n.contains("now goes through the team's relay")));
    }
}
