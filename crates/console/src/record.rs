//! What of a session goes into the history: the host's events turned into history entries
//! (joins and leaves and every consent change found by comparing participant lists, chat lines
//! with their readers in words). Pure: the console hands the entries to its recorder.

use deskside_history::{ChatRecord, Entry};
use deskside_proto::{Capability, ChatLine, ChatTarget, ParticipantInfo, Role};

/// A role in the history's words (stored as data; the History view translates them).
#[must_use]
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::CsrInControl => "CSR in control",
        Role::Csr => "CSR",
        Role::PrimaryCustomer => "primary customer",
        Role::SecondaryCustomer => "customer",
    }
}

/// A capability in the history's words.
#[must_use]
pub fn capability_label(cap: Capability) -> &'static str {
    match cap {
        Capability::View => "view screen",
        Capability::Control => "control mouse and keyboard",
        Capability::ViewApp => "view one application",
        Capability::ControlApp => "control one application",
        Capability::SystemInfo => "system information",
        Capability::Files => "browse and move files",
    }
}

/// The entries that take the participant list from `before` to `after` at `now_ms`.
#[must_use]
pub fn participant_changes(before: &[ParticipantInfo], after: &[ParticipantInfo], now_ms: u64) -> Vec<Entry> {
    let mut out = Vec::new();
    for p in after {
        let was = before.iter().find(|b| b.id == p.id);
        // A new arrival, or the same seat with a new role (a secondary customer made primary).
        if p.present && !was.is_some_and(|b| b.present && b.role == p.role) {
            out.push(Entry::Joined {
                participant: p.id.0,
                name: p.name.clone(),
                role: role_label(p.role).to_owned(),
                at_ms: now_ms,
            });
        }
        for cap in Capability::ALL {
            let had = was.is_some_and(|b| b.grants.has(cap));
            if had != p.grants.has(cap) {
                out.push(Entry::Consent {
                    participant: p.id.0,
                    capability: capability_label(cap).to_owned(),
                    granted: p.grants.has(cap),
                    at_ms: now_ms,
                });
            }
        }
        if !p.present && was.is_some_and(|b| b.present) {
            out.push(Entry::Left { participant: p.id.0, at_ms: now_ms });
        }
    }
    out
}

/// A chat line as the history keeps it.
#[must_use]
pub fn chat_entry(line: &ChatLine, participants: &[ParticipantInfo]) -> Entry {
    let to_label = match line.to {
        ChatTarget::Everyone => "everyone".to_owned(),
        ChatTarget::Csrs => "support representatives".to_owned(),
        ChatTarget::Participant(id) => {
            participants.iter().find(|p| p.id == id).map_or_else(|| format!("participant {id}"), |p| p.name.clone())
        }
    };
    Entry::Chat(ChatRecord {
        at_ms: line.at_unix_ms,
        from_name: line.from_name.clone(),
        to_label,
        text: line.text.clone(),
    })
}

/// A transfer of `file` to or from (`direction`) `who`, ended with `outcome` at `now_ms`, for
/// the record.
#[must_use]
pub fn file_record(
    file: &deskside_proto::OfferedFile,
    who: &str,
    direction: &str,
    outcome: &deskside_proto::FileOutcome,
    now_ms: u64,
) -> deskside_history::FileRecord {
    use std::fmt::Write as _;
    let sha256 = file.sha256.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    deskside_history::FileRecord {
        at_ms: now_ms,
        name: file.name.clone(),
        size: file.size,
        sha256,
        direction: direction.into(),
        who: who.to_owned(),
        outcome: match outcome {
            deskside_proto::FileOutcome::Done => "done".into(),
            deskside_proto::FileOutcome::Cancelled => "cancelled".into(),
            deskside_proto::FileOutcome::Failed(why) => deskside_i18n::words::file_problem(*why),
        },
    }
}

#[cfg(test)]
mod tests {
    use deskside_proto::Grants;
    use deskside_proto::ParticipantId;

    use super::*;

    fn p(id: u32, role: Role, view: bool, present: bool) -> ParticipantInfo {
        ParticipantInfo {
            id: ParticipantId(id),
            name: format!("P{id}"),
            role,
            grants: Grants { view, ..Grants::default() },
            present,
            away: false,
        }
    }

    #[test]
    fn joins_grants_revocations_and_leaves_are_found() {
        let csr = p(1, Role::CsrInControl, false, true);
        let ana = p(2, Role::PrimaryCustomer, false, true);
        let joined = participant_changes(&[], &[csr.clone(), ana.clone()], 10);
        assert_eq!(joined.len(), 2);
        assert!(
            matches!(&joined[1], Entry::Joined { participant: 2, role, at_ms: 10, .. } if role == "primary customer")
        );
        let viewing = p(2, Role::PrimaryCustomer, true, true);
        let granted = participant_changes(&[csr.clone(), ana.clone()], &[csr.clone(), viewing.clone()], 20);
        assert_eq!(
            granted,
            vec![Entry::Consent { participant: 2, capability: "view screen".into(), granted: true, at_ms: 20 }]
        );
        let gone = p(2, Role::PrimaryCustomer, false, false);
        let left = participant_changes(&[csr.clone(), viewing], &[csr.clone(), gone], 30);
        assert_eq!(
            left,
            vec![
                Entry::Consent { participant: 2, capability: "view screen".into(), granted: false, at_ms: 30 },
                Entry::Left { participant: 2, at_ms: 30 },
            ]
        );
        let same = std::slice::from_ref(&csr);
        assert!(participant_changes(same, same, 40).is_empty(), "no change, no entry");
    }

    #[test]
    fn chat_readers_are_named() {
        let list = [p(1, Role::CsrInControl, false, true), p(2, Role::PrimaryCustomer, false, true)];
        let line = ChatLine {
            from: ParticipantId(1),
            from_name: "P1".into(),
            at_unix_ms: 5,
            to: ChatTarget::Participant(ParticipantId(2)),
            text: "hi".into(),
        };
        let Entry::Chat(c) = chat_entry(&line, &list) else { panic!("a chat entry") };
        assert_eq!((c.to_label.as_str(), c.at_ms, c.text.as_str()), ("P2", 5, "hi"));
        let to_csrs = ChatLine { to: ChatTarget::Csrs, ..line };
        let Entry::Chat(c) = chat_entry(&to_csrs, &list) else { panic!("a chat entry") };
        assert_eq!(c.to_label, "support representatives");
    }
}
