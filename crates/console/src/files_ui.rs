//! The File transfer panel: the CSR picks files on this computer (a small browser with Home,
//! Documents, Desktop and Up) and shares them with every customer; each shared file shows its
//! preparation (hashing), each customer's progress with speed and time left, and how it ended.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use deskside_i18n::t;
use deskside_net::files::Progress;
use deskside_net::host::HostCommand;
use deskside_proto::words::bytes;
use deskside_proto::{FileOutcome, OfferedFile, ParticipantId, ParticipantInfo};
use egui::{RichText, ScrollArea};

use crate::command::Commands;
use crate::theme::{self, space};

/// Most entries of a folder listed.
const MAX_ENTRIES: usize = 2000;

/// One entry of the folder shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its name.
    pub name: String,
    /// Whether it is a folder.
    pub dir: bool,
    /// Its size (files).
    pub size: u64,
}

/// The CSR's side of file transfer.
pub struct FilesView {
    /// The files on offer.
    pub offered: Vec<OfferedFile>,
    /// Files being prepared: name → (bytes hashed, size).
    pub hashing: BTreeMap<String, (u64, u64)>,
    /// Each customer's transfer in progress: (customer, file) → (first seen at ms, bytes then,
    /// latest progress).
    pub progress: BTreeMap<(ParticipantId, deskside_proto::FileId), (u64, u64, Progress)>,
    /// How each customer's transfer ended.
    pub outcomes: BTreeMap<(ParticipantId, deskside_proto::FileId), FileOutcome>,
    /// The folder shown, its entries (or why it cannot be read), and the files ticked.
    pub dir: Option<PathBuf>,
    /// The folder's entries, folders first.
    pub entries: Result<Vec<Entry>, String>,
    /// The files ticked to share.
    pub selected: BTreeSet<PathBuf>,
}

impl Default for FilesView {
    fn default() -> FilesView {
        FilesView {
            offered: Vec::new(),
            hashing: BTreeMap::new(),
            progress: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            dir: None,
            entries: Ok(Vec::new()),
            selected: BTreeSet::new(),
        }
    }
}

impl FilesView {
    /// Shows folder `dir`.
    pub fn open(&mut self, dir: PathBuf) {
        self.entries = list(&dir);
        self.dir = Some(dir);
    }

    /// Notes a progress report at `now_ms`. The host's last report of a send can arrive after
    /// the customer's own word that it ended; that one changes nothing.
    pub fn progress(&mut self, p: Progress, now_ms: u64) {
        if p.done >= p.total && self.outcomes.contains_key(&(p.participant, p.file)) {
            return;
        }
        self.outcomes.remove(&(p.participant, p.file));
        let e = self.progress.entry((p.participant, p.file)).or_insert((now_ms, p.done, p));
        e.2 = p;
    }

    /// Notes how a customer's transfer ended.
    pub fn done(&mut self, participant: ParticipantId, file: deskside_proto::FileId, outcome: FileOutcome) {
        self.progress.remove(&(participant, file));
        self.outcomes.insert((participant, file), outcome);
    }
}

/// A folder's entries, folders first then by name; hidden ones left out.
pub(crate) fn list(dir: &Path) -> Result<Vec<Entry>, String> {
    let read = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let mut out: Vec<Entry> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = std::fs::metadata(e.path()).ok()?;
            (!name.starts_with('.')).then(|| Entry { name, dir: meta.is_dir(), size: meta.len() })
        })
        .take(MAX_ENTRIES)
        .collect();
    out.sort_by(|a, b| b.dir.cmp(&a.dir).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    Ok(out)
}

/// What the files panel may offer in this session.
#[derive(Clone, Copy, Debug)]
pub struct FilesAllowed {
    /// One application of the primary customer is shared (files do not move then).
    pub app_shared: bool,
    /// The organisation allows offering files.
    pub send: bool,
    /// The organisation allows browsing and moving the customer's files.
    pub browse: bool,
}

/// The panel. `customers`: who receives offers; `browse`: set to the customer whose files the
/// CSR opens in the two-pane window.
pub fn files_ui(
    ui: &mut egui::Ui,
    view: &mut FilesView,
    customers: &[ParticipantInfo],
    allowed: FilesAllowed,
    now_ms: u64,
    commands: &mut Commands,
    browse: &mut Option<ParticipantId>,
) {
    let app_shared = allowed.app_shared;
    ui.heading(t!("files-heading"));
    let present: Vec<&ParticipantInfo> = customers.iter().filter(|c| c.present && !c.role.is_csr()).collect();
    if !present.is_empty() {
        ui.label(t!("files-browse-explain"));
        ui.horizontal_wrapped(|ui| {
            for c in present {
                let label = t!("files-browse", name = c.name.clone());
                let b = ui.add_enabled(allowed.browse, egui::Button::new(label));
                if b.on_disabled_hover_text(t!("tool-not-allowed")).clicked() {
                    *browse = Some(c.id);
                }
            }
        });
        ui.separator();
    }
    ui.label(t!("files-explain"));
    if app_shared {
        ui.colored_label(theme::tokens(ui).danger, t!("files-app-sharing"));
    }
    ui.add_space(space::XS);
    if view.dir.is_none() {
        let home = directories::UserDirs::new().map_or_else(|| PathBuf::from("/"), |u| u.home_dir().to_owned());
        view.open(home);
    }
    browser_ui(ui, view, allowed, commands);
    ui.add_space(space::S);
    ui.separator();
    ui.strong(t!("files-shared"));
    for (name, (done, total)) in &view.hashing {
        let fraction = if *total == 0 { 1.0 } else { *done as f32 / *total as f32 };
        ui.label(RichText::new(t!("files-preparing", name = name.clone())).small());
        ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
    }
    if view.offered.is_empty() && view.hashing.is_empty() {
        ui.weak(t!("files-none"));
    }
    let mut withdraw = None;
    for f in &view.offered {
        ui.add_space(space::XS);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&f.name).strong());
            ui.label(RichText::new(bytes(f.size)).weak());
            if ui.small_button(t!("files-withdraw")).on_hover_text(t!("files-withdraw-tip")).clicked() {
                withdraw = Some(f.id);
            }
        });
        for c in customers.iter().filter(|c| c.present && !c.role.is_csr()) {
            let key = (c.id, f.id);
            if let Some((since, from, p)) = view.progress.get(&key) {
                let secs = (now_ms.saturating_sub(*since) as f64 / 1000.0).max(0.001);
                let speed = ((p.done.saturating_sub(*from)) as f64 / secs) as u64;
                let left = p.total.saturating_sub(p.done).checked_div(speed.max(1)).unwrap_or(0);
                let fraction = if p.total == 0 { 1.0 } else { p.done as f32 / p.total as f32 };
                let text = t!(
                    "files-progress",
                    name = c.name.clone(),
                    done = bytes(p.done),
                    total = bytes(p.total),
                    speed = bytes(speed),
                    left = left
                );
                ui.label(RichText::new(text).small());
                ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
            } else if let Some(outcome) = view.outcomes.get(&key) {
                let (text, colour) = match outcome {
                    FileOutcome::Done => (t!("files-done", name = c.name.clone()), theme::tokens(ui).ok),
                    FileOutcome::Cancelled => (t!("files-cancelled", name = c.name.clone()), theme::tokens(ui).off),
                    FileOutcome::Failed(why) => {
                        let why = deskside_i18n::words::file_problem(*why);
                        (t!("files-failed", name = c.name.clone(), why = why), theme::tokens(ui).danger)
                    }
                };
                ui.label(RichText::new(text).small().color(colour));
            } else {
                ui.label(RichText::new(t!("files-not-yet", name = c.name.clone())).small().weak());
            }
        }
    }
    if let Some(id) = withdraw {
        commands.session(HostCommand::WithdrawFile(id));
    }
}

/// Home, Documents, Desktop (those this computer has) and Up from `dir`: the folder clicked.
pub(crate) fn places_row(ui: &mut egui::Ui, dir: Option<&Path>, small: bool) -> Option<PathBuf> {
    let user = directories::UserDirs::new();
    let mut go: Option<PathBuf> = None;
    let button = |text: String| if small { egui::Button::new(text).small() } else { egui::Button::new(text) };
    ui.horizontal_wrapped(|ui| {
        if let Some(u) = &user {
            let places = [
                (t!("files-home"), Some(u.home_dir())),
                (t!("files-documents"), u.document_dir()),
                (t!("files-desktop"), u.desktop_dir()),
            ];
            for (label, place) in places {
                if let Some(place) = place
                    && ui.add(button(label)).clicked()
                {
                    go = Some(place.to_owned());
                }
            }
        }
        let parent = dir.and_then(Path::parent).map(Path::to_owned);
        if ui.add_enabled(parent.is_some(), button(t!("files-up"))).clicked() {
            go = parent;
        }
    });
    go
}

fn browser_ui(ui: &mut egui::Ui, view: &mut FilesView, allowed: FilesAllowed, commands: &mut Commands) {
    let app_shared = allowed.app_shared;
    let mut go = places_row(ui, view.dir.as_deref(), false);
    if let Some(dir) = &view.dir {
        ui.label(RichText::new(dir.display().to_string()).small().monospace());
    }
    let dir = view.dir.clone().unwrap_or_default();
    ScrollArea::vertical().id_salt("files-browser").max_height(220.0).show(ui, |ui| match &view.entries {
        Err(why) => {
            ui.colored_label(theme::tokens(ui).danger, t!("files-unreadable", why = why.clone()));
        }
        Ok(entries) if entries.is_empty() => {
            ui.weak(t!("files-empty-folder"));
        }
        Ok(entries) => {
            for e in entries {
                if e.dir {
                    if ui.selectable_label(false, format!("📁 {}", e.name)).clicked() {
                        go = Some(dir.join(&e.name));
                    }
                } else {
                    let path = dir.join(&e.name);
                    let mut on = view.selected.contains(&path);
                    if ui.checkbox(&mut on, format!("{}  ({})", e.name, bytes(e.size))).changed() {
                        if on {
                            view.selected.insert(path);
                        } else {
                            view.selected.remove(&path);
                        }
                    }
                }
            }
        }
    });
    if let Some(dir) = go {
        view.open(dir);
    }
    let n = view.selected.len();
    let why = if !allowed.send {
        t!("tool-not-allowed")
    } else if app_shared {
        t!("files-app-sharing")
    } else {
        t!("files-choose-first")
    };
    let share = ui
        .add_enabled(n > 0 && !app_shared && allowed.send, egui::Button::new(t!("files-share", count = n)))
        .on_disabled_hover_text(why);
    if share.clicked() {
        commands.session(HostCommand::ShareFiles(std::mem::take(&mut view.selected).into_iter().collect()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deskside_proto::FileId;

    #[test]
    fn the_last_progress_report_after_the_outcome_does_not_hide_it() {
        let mut v = FilesView::default();
        let p = |done| Progress { participant: ParticipantId(1), file: FileId(2), done, from: 0, total: 10 };
        v.progress(p(5), 0);
        v.done(ParticipantId(1), FileId(2), FileOutcome::Done);
        v.progress(p(10), 1);
        assert_eq!(v.outcomes.get(&(ParticipantId(1), FileId(2))), Some(&FileOutcome::Done));
        assert!(v.progress.is_empty());
        // A new attempt shows its progress again.
        v.progress(p(3), 2);
        assert!(v.outcomes.is_empty() && v.progress.contains_key(&(ParticipantId(1), FileId(2))));
    }
}
