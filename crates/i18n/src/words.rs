//! Protocol values both apps show, in words.

use deskside_proto::files::{MAX_MOVE_DEPTH, MAX_MOVE_FILES};
use deskside_proto::{Capability, FileProblem, Role, Rule, SectionKind};

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
        Rule::TooManyInvites => t!("rule-too-many-invites"),
        Rule::HostOnly => t!("rule-host-only"),
        Rule::NotAllowedByOrganisation => t!("rule-not-allowed-by-organisation"),
    }
}

/// Why a file, a folder listing or a move did not go ahead: a phrase, shown after a colon or in
/// brackets.
#[must_use]
pub fn file_problem(p: FileProblem) -> String {
    match p {
        FileProblem::Refused => t!("problem-refused"),
        FileProblem::Stopped => t!("problem-stopped"),
        FileProblem::NotAllowed => t!("problem-not-allowed"),
        FileProblem::Busy => t!("problem-busy"),
        FileProblem::AppSharing => t!("problem-app-sharing"),
        FileProblem::NoFolder => t!("problem-no-folder"),
        FileProblem::FolderUnusable => t!("problem-folder-unusable"),
        FileProblem::NotSendable => t!("problem-not-sendable"),
        FileProblem::PathTooLong => t!("problem-path-too-long"),
        FileProblem::NotFound => t!("problem-not-found"),
        FileProblem::NoPermission => t!("problem-no-permission"),
        FileProblem::ReadOnly => t!("problem-read-only"),
        FileProblem::DiskFull => t!("problem-disk-full"),
        FileProblem::HashMismatch => t!("problem-damaged"),
        FileProblem::Interrupted => t!("problem-interrupted"),
        FileProblem::SourceGone => t!("problem-source-gone"),
        FileProblem::BadName(_) => t!("problem-bad-name"),
        FileProblem::FolderInTheWay => t!("problem-folder-in-the-way"),
        FileProblem::NotApproved => t!("problem-not-approved"),
        FileProblem::TooMany => t!("problem-too-many", files = MAX_MOVE_FILES),
        FileProblem::TooDeep => t!("problem-too-deep", depth = MAX_MOVE_DEPTH),
        FileProblem::NotAFile => t!("problem-not-a-file"),
        FileProblem::Rule(r) => rule(r),
        FileProblem::Other => t!("problem-other"),
    }
}

/// A role in words ("CSR in control").
#[must_use]
pub fn role(role: Role) -> String {
    match role {
        Role::CsrInControl => t!("role-csr-in-control"),
        Role::Csr => t!("role-csr"),
        Role::PrimaryCustomer => t!("role-primary-customer"),
        Role::SecondaryCustomer => t!("role-secondary-customer"),
    }
}

/// What a capability lets the CSR do, said of the customer ("view their screen").
#[must_use]
pub fn capability(cap: Capability) -> String {
    match cap {
        Capability::View => t!("capability-view"),
        Capability::Control => t!("capability-control"),
        Capability::ViewApp => t!("capability-view-app"),
        Capability::ControlApp => t!("capability-control-app"),
        Capability::SystemInfo => t!("capability-system-info"),
        Capability::Files => t!("capability-files"),
    }
}

/// What a capability gives, said to the customer ("your screen").
#[must_use]
pub fn capability_yours(cap: Capability) -> String {
    match cap {
        Capability::View => t!("yours-view"),
        Capability::Control => t!("yours-control"),
        Capability::ViewApp => t!("yours-view-app"),
        Capability::ControlApp => t!("yours-control-app"),
        Capability::SystemInfo => t!("yours-system-info"),
        Capability::Files => t!("yours-files"),
    }
}
