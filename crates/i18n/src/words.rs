//! Protocol values both apps show, in words.

use deskside_proto::{Rule, SectionKind};

use crate::t;

/// A system-information section's name for people.
#[must_use]
pub fn section_name(kind: SectionKind) -> String {
    match kind {
        SectionKind::System => t!("section-system"),
        SectionKind::Cpu => t!("section-cpu"),
        SectionKind::Memory => t!("section-memory"),
        SectionKind::Disks => t!("section-disks"),
        SectionKind::Network => t!("section-network"),
        SectionKind::Displays => t!("section-displays"),
        SectionKind::Gpu => t!("section-gpu"),
        SectionKind::Battery => t!("section-battery"),
        SectionKind::Software => t!("section-software"),
        SectionKind::Processes => t!("section-processes"),
    }
}

/// A session rule an action broke, as the person who tried is told.
#[must_use]
pub fn rule(rule: Rule) -> String {
    match rule {
        Rule::Ended => t!("rule-ended"),
        Rule::NotInControl => t!("rule-not-in-control"),
        Rule::NoSuchParticipant => t!("rule-no-such-participant"),
        Rule::NotPrimaryCustomer => t!("rule-not-primary-customer"),
        Rule::BadText => t!("rule-bad-text"),
        Rule::NoSuchMonitor => t!("rule-no-such-monitor"),
        Rule::NotSecondaryCustomer => t!("rule-not-secondary-customer"),
        Rule::NoSuchFile => t!("rule-no-such-file"),
        Rule::AppSharing => t!("rule-app-sharing"),
        Rule::TooManyFiles => t!("rule-too-many-files"),
        Rule::NotACsr => t!("rule-not-a-csr"),
        Rule::FilesNotAllowed => t!("rule-files-not-allowed"),
        Rule::NoRandom => t!("rule-no-random"),
        Rule::TooFast => t!("rule-too-fast"),
        Rule::NotAsked => t!("rule-not-asked"),
        Rule::NotControlled => t!("rule-not-controlled"),
    }
}
