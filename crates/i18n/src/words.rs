//! Protocol values both apps show, in words.

use deskside_proto::SectionKind;

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
