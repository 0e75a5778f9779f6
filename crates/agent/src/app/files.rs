//! What the customer sees of files and of their system information: the preview before it is
//! sent, files on offer and downloads, the moves a CSR asks for and their progress.

use deskside_i18n::t;
use deskside_i18n::words::section_name;
use deskside_proto::Capability;
use egui::{RichText, ScrollArea, TextEdit};

use super::{InventoryState, PREVIEW_ROWS, SessionState};

/// The preview of the system information: every section with its own tick, Send and Don't send.
pub(super) fn inventory_ui(ctx: &egui::Context, s: &mut SessionState, csr: &str) {
    match &mut s.inventory {
        InventoryState::Gathering(_) => {
            egui::Modal::new(egui::Id::unique("inventory-gathering")).show(ctx, |ui| {
                ui.set_width(400.0);
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(t!("agent-inventory-gathering"));
                });
                if ui.button(t!("agent-inventory-cancel")).clicked() {
                    s.handle.stop(Capability::SystemInfo);
                }
            });
        }
        InventoryState::Preview { inventory, keep } => {
            let mut action = None;
            egui::Modal::new(egui::Id::unique("inventory-preview")).show(ctx, |ui| {
                ui.set_width(420.0);
                ui.heading(t!("agent-inventory-title", csr = csr));
                ui.label(t!("agent-inventory-explain"));
                ui.add_space(6.0);
                ScrollArea::vertical().auto_shrink([false, true]).max_height(ctx.content_rect().height() * 0.55).show(
                    ui,
                    |ui| {
                        for section in &inventory.sections {
                            let mut on = keep.contains(&section.kind);
                            ui.horizontal(|ui| {
                                ui.checkbox(
                                    &mut on,
                                    t!(
                                        "agent-inventory-section",
                                        name = section_name(section.kind),
                                        count = section.rows.len()
                                    ),
                                );
                            });
                            if on {
                                keep.insert(section.kind);
                            } else {
                                keep.remove(&section.kind);
                            }
                            egui::CollapsingHeader::new(t!("agent-inventory-show"))
                                .id_salt(("inventory-section", section.kind))
                                .show(ui, |ui| {
                                    for row in section.rows.iter().take(PREVIEW_ROWS) {
                                        ui.label(RichText::new(row.join("  ·  ")).small().monospace());
                                    }
                                    if section.rows.len() > PREVIEW_ROWS {
                                        ui.weak(t!("agent-inventory-more", count = section.rows.len() - PREVIEW_ROWS));
                                    }
                                });
                        }
                    },
                );
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let any = !keep.is_empty();
                    if ui
                        .add_enabled(
                            any,
                            egui::Button::new(RichText::new(t!("agent-inventory-send", csr = csr)).strong()),
                        )
                        .clicked()
                    {
                        action = Some(true);
                    }
                    if ui.button(t!("agent-inventory-dont-send")).clicked() {
                        action = Some(false);
                    }
                });
            });
            match action {
                Some(true) => {
                    let chosen = inventory.only(|k| keep.contains(&k));
                    if s.handle.send_inventory(chosen) {
                        s.inventory = InventoryState::Sending;
                    } else {
                        s.handle.stop(Capability::SystemInfo);
                        s.inventory = InventoryState::Idle;
                        s.notice = Some(t!("agent-inventory-failed"));
                    }
                }
                Some(false) => {
                    s.handle.stop(Capability::SystemInfo);
                    s.inventory = InventoryState::Idle;
                }
                None => {}
            }
        }
        InventoryState::Idle | InventoryState::Sending => {}
    }
}

/// The files the CSR offers: each with its size and a Download, then its progress (speed, time
/// left, Cancel), where it was saved, or why it stopped (with Try again or Resume).
pub(super) fn files_ui(
    ui: &mut egui::Ui,
    s: &mut SessionState,
    files: &[deskside_proto::OfferedFile],
    csr: &str,
    dir: &mut String,
) {
    use crate::transfer::Status;
    use deskside_proto::words::bytes;
    ui.strong(t!("agent-files-title", csr = csr.to_owned()));
    ui.horizontal(|ui| {
        let l = ui.label(t!("agent-files-folder"));
        ui.add(TextEdit::singleline(dir).desired_width(ui.available_width())).labelled_by(l.id);
    });
    let downloads = s.handle.transfers().downloads();
    for f in files {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&f.name).strong());
            ui.label(RichText::new(bytes(f.size)).weak());
            let status = downloads.get(&f.id).map(|d| d.status.clone());
            let mut start = false;
            match status {
                None | Some(Status::Cancelled) => start = ui.button(t!("agent-files-download")).clicked(),
                Some(Status::Requested | Status::Queued) => {
                    ui.label(t!("agent-files-starting"));
                    if ui.button(t!("agent-files-cancel")).clicked() {
                        s.handle.cancel_download(f.id);
                    }
                }
                Some(Status::Receiving { done, bytes_per_s }) => {
                    let left = (f.size.saturating_sub(done)).checked_div(bytes_per_s.max(1)).unwrap_or(0);
                    let text = t!(
                        "agent-files-progress",
                        done = bytes(done),
                        total = bytes(f.size),
                        speed = bytes(bytes_per_s),
                        left = left
                    );
                    let fraction = if f.size == 0 { 1.0 } else { done as f32 / f.size as f32 };
                    ui.add(egui::ProgressBar::new(fraction).desired_width(120.0).desired_height(8.0));
                    ui.label(RichText::new(text).small());
                    if ui.button(t!("agent-files-cancel")).clicked() {
                        s.handle.cancel_download(f.id);
                    }
                }
                Some(Status::Done(path)) => {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    ui.label(t!("agent-files-saved", path = name)).on_hover_text(path.display().to_string());
                }
                Some(Status::Failed(why)) => {
                    ui.colored_label(ui.visuals().warn_fg_color, failure_words(&why));
                    let again = if why.resumable() { t!("agent-files-resume") } else { t!("agent-files-retry") };
                    start = ui.button(again).clicked();
                }
            }
            if start && let Err(why) = s.handle.download(f.id, std::path::Path::new(dir.trim())) {
                s.notice = Some(failure_words(&why));
            }
        });
    }
}

/// A move the CSR asks for: what, from or to where, how big, and Allow / Refuse.
pub(super) fn move_ask_ui(ctx: &egui::Context, s: &mut SessionState, ask: &crate::moves::MoveAsk) {
    use crate::moves::Ask;
    use deskside_proto::words::bytes;
    egui::Modal::new(egui::Id::unique("move-ask")).show(ctx, |ui| {
        ui.set_width(420.0);
        let csr = ask.from_name.clone();
        let (heading, what, summary) = match &ask.ask {
            Ask::Push { summary, folder, .. } => {
                (t!("agent-push-ask", csr = csr.clone()), t!("agent-push-into", folder = folder.clone()), summary)
            }
            Ask::Pull { summary, path } => {
                (t!("agent-pull-ask", csr = csr.clone()), t!("agent-pull-from", path = path.clone()), summary)
            }
        };
        ui.heading(heading);
        ui.add_space(6.0);
        let size = if summary.dir {
            t!("agent-move-folder-size", files = summary.files, size = bytes(summary.bytes))
        } else {
            bytes(summary.bytes)
        };
        ui.label(RichText::new(format!("{} ({size})", summary.name)).strong());
        ui.label(what);
        if matches!(&ask.ask, Ask::Push { on_conflict: deskside_proto::OnConflict::Replace, .. }) {
            ui.colored_label(ui.visuals().warn_fg_color, t!("agent-push-replaces"));
        }
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            if ui.button(RichText::new(t!("agent-allow")).strong()).clicked() {
                s.handle.answer_move(ask.id, true);
            }
            if ui.button(t!("agent-move-refuse")).clicked() {
                s.handle.answer_move(ask.id, false);
            }
        });
    });
}

/// The moves the customer allowed or refused, with their progress and how they ended.
pub(super) fn moves_ui(ui: &mut egui::Ui, s: &SessionState, moves: &[crate::moves::MoveEntry], csr: &str) {
    use crate::moves::MoveStatus;
    use deskside_proto::words::bytes;
    ui.strong(t!("agent-moves-title", csr = csr.to_owned()));
    for m in moves {
        ui.horizontal_wrapped(|ui| {
            let arrow = if m.incoming { t!("agent-move-incoming") } else { t!("agent-move-outgoing") };
            ui.label(RichText::new(arrow).weak());
            ui.label(RichText::new(&m.summary.name).strong());
            let (done, total) = match &m.status {
                MoveStatus::Receiving => {
                    let p = s.handle.moves().progress(m.id);
                    if p.finished() && p.files > 0 {
                        let text = if p.failed == 0 {
                            t!("agent-move-received", files = p.saved)
                        } else {
                            let why = p.first_failure.as_ref().map(failure_words).unwrap_or_default();
                            t!("agent-move-received-some", files = p.saved, failed = p.failed, why = why)
                        };
                        ui.label(text);
                        (None, 0)
                    } else {
                        (Some(p.done), m.summary.bytes)
                    }
                }
                MoveStatus::Preparing(done) => {
                    ui.label(t!("agent-move-preparing"));
                    (Some(*done), m.summary.bytes)
                }
                MoveStatus::Sending { done, files } => {
                    if *files >= m.summary.files as usize {
                        ui.label(t!("agent-move-sent", files = *files));
                        (None, 0)
                    } else {
                        (Some(*done), m.summary.bytes)
                    }
                }
                MoveStatus::Refused => {
                    ui.label(t!("agent-move-refused"));
                    (None, 0)
                }
                MoveStatus::CancelledByCsr => {
                    ui.label(t!("agent-move-cancelled-by-csr", csr = csr.to_owned()));
                    (None, 0)
                }
                MoveStatus::Stopped => {
                    ui.label(t!("agent-move-stopped"));
                    (None, 0)
                }
                MoveStatus::Failed(why) => {
                    let why = deskside_i18n::words::file_problem(*why);
                    ui.colored_label(ui.visuals().warn_fg_color, t!("agent-move-failed", why = why));
                    (None, 0)
                }
            };
            if let Some(done) = done {
                let fraction = if total == 0 { 1.0 } else { done as f32 / total as f32 };
                ui.add(egui::ProgressBar::new(fraction).desired_width(120.0).desired_height(8.0));
                ui.label(RichText::new(t!("agent-move-progress", done = bytes(done), total = bytes(total))).small());
            }
        });
    }
}

/// Why a download stopped, in the customer's language.
pub(super) fn failure_words(f: &crate::transfer::Failure) -> String {
    use crate::transfer::Failure;
    match f {
        Failure::DiskFull => t!("agent-files-disk-full"),
        Failure::ReadOnly => t!("agent-files-read-only"),
        Failure::NoFolder => t!("agent-files-no-folder"),
        Failure::HashMismatch => t!("agent-files-damaged"),
        Failure::Interrupted => t!("agent-files-interrupted"),
        Failure::SourceGone => t!("agent-files-source-gone"),
        Failure::BadName(_) => t!("agent-files-bad-name"),
        Failure::FolderInTheWay => t!("agent-files-folder-in-the-way"),
        Failure::AppSharing => t!("agent-files-app-sharing"),
        Failure::NotApproved => t!("agent-files-not-approved"),
        Failure::Other(why) => t!("agent-files-other", why = why.clone()),
    }
}
