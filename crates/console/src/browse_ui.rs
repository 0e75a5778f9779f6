//! The two-pane window of the advanced file transfer: this computer's files on the left, one
//! customer's on the right (listed by their agent once they allowed browsing), an arrow each
//! way, a question when the name is already taken (Replace, Keep both, Skip), and every move
//! with its progress. The customer allows or refuses each move on their own machine.

use std::path::PathBuf;

use deskside_i18n::{t, words};
use deskside_net::host::HostCommand;
use deskside_net::moves::{Direction, MoveInfo, MoveState};
use deskside_proto::words::bytes;
use deskside_proto::{
    Capability, FileProblem, FolderAt, FolderListing, OnConflict, ParticipantId, ParticipantInfo, Place,
};
use egui::{RichText, ScrollArea};

use crate::command::Commands;
use crate::files_ui::{Entry, list};
use crate::theme::{self, space};

/// A move waiting for the CSR's answer about a name already taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Sending `source` into the customer's `folder`.
    Push {
        /// The file or folder here.
        source: PathBuf,
        /// Their folder.
        folder: String,
    },
    /// Copying `name` of the customer's `folder` into `into` here.
    Pull {
        /// Their folder.
        folder: String,
        /// The name.
        name: String,
        /// The folder here.
        into: PathBuf,
    },
}

/// The window's state.
pub struct BrowseView {
    /// Whether the window shows.
    pub open: bool,
    /// Whose files.
    pub customer: Option<ParticipantId>,
    /// Browsing was asked of them and not answered yet.
    pub asked: bool,
    /// The folder shown on this computer.
    pub local_dir: Option<PathBuf>,
    /// Its entries, or why it cannot be read.
    pub local_entries: Result<Vec<Entry>, String>,
    /// The entry chosen on this computer.
    pub local_selected: Option<String>,
    /// The customer's folder shown.
    pub remote: Option<FolderListing>,
    /// Why it could not be listed.
    pub remote_error: Option<FileProblem>,
    /// The entry chosen on their computer.
    pub remote_selected: Option<String>,
    /// A listing was asked and has not arrived.
    pub loading: bool,
    /// A name taken: the CSR chooses.
    pub conflict: Option<Conflict>,
    /// The session's moves (from the host, every frame).
    pub moves: Vec<MoveInfo>,
    /// How many moves had ended when the listings were last read again.
    ended_seen: usize,
}

impl Default for BrowseView {
    fn default() -> BrowseView {
        BrowseView {
            open: false,
            customer: None,
            asked: false,
            local_dir: None,
            local_entries: Ok(Vec::new()),
            local_selected: None,
            remote: None,
            remote_error: None,
            remote_selected: None,
            loading: false,
            conflict: None,
            moves: Vec::new(),
            ended_seen: 0,
        }
    }
}

impl BrowseView {
    /// Opens the window on `customer`'s files.
    pub fn open_for(&mut self, customer: ParticipantId) {
        if self.customer != Some(customer) {
            *self = BrowseView { moves: std::mem::take(&mut self.moves), ..BrowseView::default() };
            self.customer = Some(customer);
        }
        self.open = true;
    }

    /// A listing of `participant`'s folder arrived.
    pub fn listed(&mut self, participant: ParticipantId, listing: Result<FolderListing, FileProblem>) {
        if self.customer != Some(participant) {
            return;
        }
        self.loading = false;
        match listing {
            Ok(l) => {
                if self.remote.as_ref().is_none_or(|r| r.path != l.path) {
                    self.remote_selected = None;
                }
                self.remote = Some(l);
                self.remote_error = None;
            }
            Err(why) => self.remote_error = Some(why),
        }
    }

    /// Shows folder `dir` of this computer.
    pub fn open_local(&mut self, dir: PathBuf) {
        self.local_entries = list(&dir);
        if self.local_dir.as_ref() != Some(&dir) {
            self.local_selected = None;
        }
        self.local_dir = Some(dir);
    }
}

/// The window, if open. `commands` collects what to send to the host.
pub fn browse_window(
    ctx: &egui::Context,
    view: &mut BrowseView,
    participants: &[ParticipantInfo],
    now_viewing_app: bool,
    commands: &mut Commands,
) {
    if !view.open {
        return;
    }
    let Some(who) = view.customer.and_then(|id| participants.iter().find(|p| p.id == id && p.present)).cloned() else {
        view.open = false;
        return;
    };
    if view.local_dir.is_none() {
        let home = directories::UserDirs::new().map_or_else(|| PathBuf::from("/"), |u| u.home_dir().to_owned());
        view.open_local(home);
    }
    let allowed = who.grants.files;
    if allowed {
        view.asked = false;
        if view.remote.is_none() && view.remote_error.is_none() && !view.loading {
            view.loading = true;
            commands.session(HostCommand::ListFolder { with: who.id, at: FolderAt::Place(Place::Home) });
        }
    } else {
        view.remote = None;
        view.remote_error = None;
        view.loading = false;
    }
    // A move ended: both sides are read again, so what arrived shows.
    let ended = view.moves.iter().filter(|m| m.state == MoveState::Done).count();
    if ended != view.ended_seen {
        view.ended_seen = ended;
        if let Some(dir) = view.local_dir.clone() {
            view.open_local(dir);
        }
        if let Some(r) = view.remote.as_ref().filter(|_| allowed && !view.loading) {
            view.loading = true;
            commands.session(HostCommand::ListFolder { with: who.id, at: FolderAt::Path(r.path.clone()) });
        }
    }

    let mut open = view.open;
    egui::Window::new(t!("browse-title", name = who.name.clone()))
        .id(egui::Id::unique("browse-window"))
        .open(&mut open)
        .default_size([860.0, 560.0])
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(egui::pos2(ctx.content_rect().center().x, ctx.content_rect().top() + 80.0))
        .vscroll(false)
        .show(ctx, |ui| {
            if allowed {
                if now_viewing_app {
                    ui.colored_label(theme::tokens(ui).danger, t!("files-app-sharing"));
                }
                ui.label(RichText::new(t!("browse-explain", name = who.name.clone())).weak());
                ui.add_space(space::XS);
                ui.columns(2, |cols| {
                    local_pane(&mut cols[0], view);
                    remote_pane(&mut cols[1], view, &who, commands);
                });
                ui.add_space(space::XS);
                arrows(ui, view, &who, now_viewing_app);
                ui.add_space(space::XS);
                // Every move with this customer ends with the grant.
                if ui.button(t!("browse-end")).on_hover_text(t!("browse-end-tip", name = who.name.clone())).clicked() {
                    commands.session(HostCommand::EndGrant { to: who.id, capability: Capability::Files });
                    view.asked = false;
                }
            } else {
                ui.label(t!("browse-not-allowed", name = who.name.clone()));
                ui.add_space(space::XS);
                if view.asked {
                    ui.weak(t!("browse-waiting", name = who.name.clone()));
                } else if ui.button(t!("browse-ask")).clicked() {
                    view.asked = true;
                    commands.session(HostCommand::Request { to: who.id, capability: Capability::Files });
                }
                ui.add_space(space::S);
            }
            ui.separator();
            moves_ui(ui, view, &who, commands);
        });
    view.open = open;

    if let Some(c) = view.conflict.clone() {
        conflict_dialog(ctx, view, &who, &c, commands);
    }
}

fn local_pane(ui: &mut egui::Ui, view: &mut BrowseView) {
    ui.strong(t!("browse-this-computer"));
    let mut go = crate::files_ui::places_row(ui, view.local_dir.as_deref(), true);
    let dir = view.local_dir.clone().unwrap_or_default();
    ui.label(RichText::new(dir.display().to_string()).small().monospace());
    ScrollArea::vertical().id_salt("browse-local").max_height(280.0).auto_shrink([false, true]).show(ui, |ui| {
        match &view.local_entries {
            Err(why) => {
                ui.colored_label(theme::tokens(ui).danger, t!("files-unreadable", why = why.clone()));
            }
            Ok(entries) if entries.is_empty() => {
                ui.weak(t!("files-empty-folder"));
            }
            Ok(entries) => {
                for e in entries {
                    let chosen = view.local_selected.as_deref() == Some(e.name.as_str());
                    let r = ui.selectable_label(chosen, entry_text(&e.name, e.dir, e.size));
                    if r.clicked() {
                        view.local_selected = Some(e.name.clone());
                    }
                    if e.dir && r.double_clicked() {
                        go = Some(dir.join(&e.name));
                    }
                }
            }
        }
    });
    if let Some(d) = go {
        view.open_local(d);
    }
}

fn remote_pane(ui: &mut egui::Ui, view: &mut BrowseView, who: &ParticipantInfo, commands: &mut Commands) {
    ui.strong(t!("browse-their-computer", name = who.name.clone()));
    let mut go: Option<FolderAt> = None;
    ui.horizontal_wrapped(|ui| {
        for (place, label) in [
            (Place::Home, t!("files-home")),
            (Place::Documents, t!("files-documents")),
            (Place::Desktop, t!("files-desktop")),
            (Place::Downloads, t!("browse-downloads")),
            (Place::Drives, t!("browse-drives")),
        ] {
            if ui.small_button(label).clicked() {
                go = Some(FolderAt::Place(place));
            }
        }
        let parent = view.remote.as_ref().and_then(|r| r.parent.clone());
        if ui.add_enabled(parent.is_some(), egui::Button::new(t!("files-up")).small()).clicked() {
            go = parent.map(FolderAt::Path);
        }
    });
    match &view.remote {
        Some(r) => {
            ui.label(RichText::new(&r.path).small().monospace());
        }
        None => {
            ui.label(RichText::new(" ").small().monospace());
        }
    }
    ScrollArea::vertical().id_salt("browse-remote").max_height(280.0).auto_shrink([false, true]).show(ui, |ui| {
        if let Some(why) = view.remote_error {
            ui.colored_label(theme::tokens(ui).danger, t!("files-unreadable", why = words::file_problem(why)));
        }
        match &view.remote {
            None => {
                ui.weak(t!("browse-loading"));
            }
            Some(r) if r.entries.is_empty() => {
                ui.weak(t!("files-empty-folder"));
            }
            Some(r) => {
                for e in &r.entries {
                    let chosen = view.remote_selected.as_deref() == Some(e.name.as_str());
                    let resp = ui.selectable_label(chosen, entry_text(&e.name, e.dir, e.size));
                    if resp.clicked() {
                        view.remote_selected = Some(e.name.clone());
                    }
                    if e.dir && resp.double_clicked() {
                        go = Some(FolderAt::Child { folder: r.path.clone(), name: e.name.clone() });
                    }
                }
                if r.truncated {
                    ui.weak(t!("browse-truncated", count = r.entries.len()));
                }
            }
        }
    });
    if let Some(at) = go {
        view.loading = true;
        commands.session(HostCommand::ListFolder { with: who.id, at });
    }
}

fn entry_text(name: &str, dir: bool, size: u64) -> String {
    if dir { format!("📁 {name}") } else { format!("{name}  ({})", bytes(size)) }
}

/// The two arrows, each naming what it moves and where.
fn arrows(ui: &mut egui::Ui, view: &mut BrowseView, who: &ParticipantInfo, app_shared: bool) {
    ui.label(RichText::new(t!("browse-hint")).small().weak());
    ui.horizontal_wrapped(|ui| {
        let push =
            view.local_selected.clone().zip(view.local_dir.clone()).zip(view.remote.as_ref().map(|r| r.path.clone()));
        let label = match &push {
            Some(((name, _), _)) => t!("browse-send", what = name.clone(), name = who.name.clone()),
            None => t!("browse-send-nothing", name = who.name.clone()),
        };
        let b = ui
            .add_enabled(push.is_some() && !app_shared, egui::Button::new(label))
            .on_disabled_hover_text(if app_shared { t!("files-app-sharing") } else { t!("browse-choose-here") });
        if b.clicked()
            && let Some(((name, dir), folder)) = push
        {
            view.conflict = Some(Conflict::Push { source: dir.join(name), folder });
        }
        let pull =
            view.remote_selected.clone().zip(view.remote.as_ref().map(|r| r.path.clone())).zip(view.local_dir.clone());
        let label = match &pull {
            Some(((name, _), _)) => t!("browse-copy", what = name.clone()),
            None => t!("browse-copy-nothing"),
        };
        let b = ui.add_enabled(pull.is_some() && !app_shared, egui::Button::new(label)).on_disabled_hover_text(
            if app_shared { t!("files-app-sharing") } else { t!("browse-choose-there", name = who.name.clone()) },
        );
        if b.clicked()
            && let Some(((name, folder), into)) = pull
        {
            view.conflict = Some(Conflict::Pull { folder, name, into });
        }
    });
}

/// Sends the move at once when its name is free where it goes; otherwise asks the CSR.
fn conflict_dialog(
    ctx: &egui::Context,
    view: &mut BrowseView,
    who: &ParticipantInfo,
    c: &Conflict,
    commands: &mut Commands,
) {
    let (name, taken) = match c {
        Conflict::Push { source, .. } => {
            let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let taken = view.remote.as_ref().is_some_and(|r| r.entries.iter().any(|e| e.name == name));
            (name, taken)
        }
        Conflict::Pull { name, into, .. } => (name.clone(), std::fs::symlink_metadata(into.join(name)).is_ok()),
    };
    let mut send = |on_conflict: OnConflict, view: &mut BrowseView| {
        commands.session(match c.clone() {
            Conflict::Push { source, folder } => HostCommand::Push { to: who.id, source, folder, on_conflict },
            Conflict::Pull { folder, name, into } => {
                HostCommand::Pull { from: who.id, folder, name, into, on_conflict }
            }
        });
        view.conflict = None;
    };
    if !taken {
        return send(OnConflict::KeepBoth, view);
    }
    egui::Modal::new(egui::Id::unique("browse-conflict")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(t!("browse-conflict-title"));
        let place = match c {
            Conflict::Push { .. } => t!("browse-conflict-there", name = who.name.clone()),
            Conflict::Pull { .. } => t!("browse-conflict-here"),
        };
        ui.label(t!("browse-conflict-body", what = name.clone(), place = place));
        ui.add_space(space::S);
        ui.horizontal(|ui| {
            if ui.button(t!("browse-replace")).on_hover_text(t!("browse-replace-tip")).clicked() {
                send(OnConflict::Replace, view);
            }
            if ui.button(t!("browse-keep-both")).on_hover_text(t!("browse-keep-both-tip")).clicked() {
                send(OnConflict::KeepBoth, view);
            }
            if ui.button(t!("browse-skip")).clicked() {
                view.conflict = None;
            }
        });
    });
}

/// Every move with this customer: which way, what, where it is, and Cancel while it runs.
fn moves_ui(ui: &mut egui::Ui, view: &BrowseView, who: &ParticipantInfo, commands: &mut Commands) {
    ui.strong(t!("browse-moves"));
    let mine: Vec<&MoveInfo> = view.moves.iter().filter(|m| m.with == who.id).collect();
    if mine.is_empty() {
        ui.weak(t!("browse-no-moves"));
    }
    let tokens = theme::tokens(ui);
    ScrollArea::vertical().id_salt("browse-moves").max_height(160.0).auto_shrink([false, true]).show(ui, |ui| {
        for m in mine.into_iter().rev() {
            ui.horizontal_wrapped(|ui| {
                let way = match m.direction {
                    Direction::Push => t!("browse-to", name = who.name.clone()),
                    Direction::Pull => t!("browse-from", name = who.name.clone()),
                };
                ui.label(RichText::new(way).weak());
                ui.label(RichText::new(&m.name).strong());
                let (text, colour) = match &m.state {
                    MoveState::Preparing { done, total } => {
                        (t!("browse-preparing", done = bytes(*done), total = bytes(*total)), tokens.off)
                    }
                    MoveState::Asking => (t!("browse-asking", name = who.name.clone()), tokens.off),
                    MoveState::Moving => {
                        let left = m.bytes.saturating_sub(m.done).checked_div(m.bytes_per_s.max(1)).unwrap_or(0);
                        let text = t!(
                            "browse-moving",
                            files = m.files,
                            done = bytes(m.done),
                            total = bytes(m.bytes),
                            speed = bytes(m.bytes_per_s),
                            left = left
                        );
                        (text, ui.visuals().text_color())
                    }
                    MoveState::Done if m.failed == 0 => (t!("browse-done", files = m.saved), tokens.ok),
                    MoveState::Done => (
                        t!(
                            "browse-done-some",
                            files = m.saved,
                            failed = m.failed,
                            why = m.first_failure.map(words::file_problem).unwrap_or_default()
                        ),
                        tokens.danger,
                    ),
                    MoveState::Refused(FileProblem::Refused) => {
                        (t!("browse-refused-by", name = who.name.clone()), tokens.danger)
                    }
                    MoveState::Refused(why) => (t!("browse-refused", why = words::file_problem(*why)), tokens.danger),
                    MoveState::Cancelled => (t!("browse-cancelled"), tokens.off),
                    MoveState::Stopped => (t!("browse-stopped", name = who.name.clone()), tokens.danger),
                };
                ui.label(RichText::new(text).color(colour));
                if !m.state.is_over()
                    && !matches!(m.state, MoveState::Preparing { .. })
                    && ui.small_button(t!("browse-cancel")).clicked()
                {
                    commands.session(HostCommand::CancelMove(m.id));
                }
            });
            if m.state == MoveState::Moving {
                let fraction = if m.bytes == 0 { 1.0 } else { m.done as f32 / m.bytes as f32 };
                ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
            }
        }
    });
}
