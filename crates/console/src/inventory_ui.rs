//! A customer's system information as the CSR reads it: a window with each section as a table,
//! a search over every cell, Save as JSON or HTML, and Print (the HTML report opened for
//! printing). Every cell came from the customer's machine: it is shown as plain text and escaped
//! in the report.

use std::fmt::Write as _;
use std::path::PathBuf;

use deskside_history::escape_html;
use deskside_i18n::t;
use deskside_i18n::words::section_name;
use deskside_proto::{Inventory, SectionKind};
use egui::{RichText, ScrollArea, TextEdit};

use crate::exports::{date_time, write_new};

/// One inventory being read.
pub struct ReportView {
    /// Whose machine.
    pub name: String,
    /// When it arrived, ms since the epoch.
    pub at_ms: u64,
    /// What they sent.
    pub inventory: Inventory,
    /// The search text.
    pub query: String,
    /// What the last Save or Print said.
    pub message: Option<String>,
    /// Whether the window is open.
    pub open: bool,
}

/// What the report asks the app to do.
#[derive(Debug, PartialEq, Eq)]
pub enum ReportAction {
    /// Nothing.
    None,
    /// Open this file with the system (Print).
    Open(PathBuf),
}

impl ReportView {
    /// A report of `inventory` from `name`, received at `at_ms`.
    #[must_use]
    pub fn new(name: &str, at_ms: u64, inventory: Inventory) -> ReportView {
        ReportView { name: name.to_owned(), at_ms, inventory, query: String::new(), message: None, open: true }
    }

    /// Draws the window. Saves go to `export_dir`; Print writes the report to `print_dir` (see
    /// [`print_dir`]) and
    /// asks for it to be opened.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        offset_s: i32,
        export_dir: &std::path::Path,
        print_dir: Result<&std::path::Path, String>,
    ) -> ReportAction {
        let mut action = ReportAction::None;
        let mut open = self.open;
        let title = t!("sysinfo-title", name = self.name.clone());
        egui::Window::new(title)
            .id(egui::Id::unique(("sysinfo-report", self.at_ms, self.name.as_str())))
            .open(&mut open)
            .default_size([640.0, 480.0])
            // Centred below the toolbar, never over it.
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(egui::pos2(ctx.content_rect().center().x, ctx.content_rect().top() + 90.0))
            .vscroll(false)
            .show(ctx, |ui| {
                ui.label(RichText::new(t!("sysinfo-received", time = date_time(self.at_ms, offset_s))).small().weak());
                ui.horizontal(|ui| {
                    let l = ui.label(t!("sysinfo-search"));
                    ui.add(
                        TextEdit::singleline(&mut self.query).desired_width(200.0).hint_text(t!("sysinfo-search-hint")),
                    )
                    .labelled_by(l.id);
                    if ui.button(t!("sysinfo-save-json")).clicked() {
                        self.save(export_dir, true, offset_s);
                    }
                    if ui.button(t!("sysinfo-save-html")).clicked() {
                        self.save(export_dir, false, offset_s);
                    }
                    if ui.button(t!("sysinfo-print")).on_hover_text(t!("sysinfo-print-tip")).clicked() {
                        let page = html(&self.inventory, &self.name, &date_time(self.at_ms, offset_s), true);
                        let written = print_dir.map_err(std::io::Error::other).and_then(|dir| {
                            let path = dir.join(self.file_name("html"));
                            write_new(&path, page.as_bytes()).map(|()| path)
                        });
                        match written {
                            Ok(path) => action = ReportAction::Open(path),
                            Err(e) => self.message = Some(t!("sysinfo-print-failed", why = e.to_string())),
                        }
                    }
                });
                if let Some(m) = &self.message {
                    ui.label(RichText::new(m).small());
                }
                ui.separator();
                let q = self.query.trim().to_lowercase();
                ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                    for section in &self.inventory.sections {
                        let rows: Vec<&Vec<String>> = section
                            .rows
                            .iter()
                            .filter(|r| q.is_empty() || r.iter().any(|c| c.to_lowercase().contains(&q)))
                            .collect();
                        if !q.is_empty() && rows.is_empty() {
                            continue;
                        }
                        let header = if q.is_empty() {
                            t!("sysinfo-section", name = section_name(section.kind), count = rows.len())
                        } else {
                            t!(
                                "sysinfo-section-found",
                                name = section_name(section.kind),
                                found = rows.len(),
                                count = section.rows.len()
                            )
                        };
                        egui::CollapsingHeader::new(header)
                            .id_salt(("sysinfo-section", section.kind))
                            .default_open(section.kind.is_key_value() || !q.is_empty())
                            .show(ui, |ui| {
                                egui::Grid::new(("sysinfo-grid", section.kind))
                                    .striped(true)
                                    .spacing([12.0, 4.0])
                                    .show(ui, |ui| {
                                        if !section.kind.is_key_value() {
                                            for c in columns(section.kind) {
                                                ui.label(RichText::new(c).strong());
                                            }
                                            ui.end_row();
                                        }
                                        for row in rows {
                                            for (i, cell) in row.iter().enumerate() {
                                                if i == 0 && section.kind.is_key_value() {
                                                    ui.label(RichText::new(field(cell)).strong());
                                                } else {
                                                    ui.label(cell.as_str());
                                                }
                                            }
                                            ui.end_row();
                                        }
                                    });
                            });
                    }
                });
            });
        self.open = open;
        action
    }

    fn file_name(&self, ext: &str) -> String {
        let who: String = self.name.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).take(40).collect();
        format!("deskside-system-information-{who}-{}.{ext}", self.at_ms)
    }

    fn save(&mut self, dir: &std::path::Path, json: bool, offset_s: i32) {
        let path = dir.join(self.file_name(if json { "json" } else { "html" }));
        let text = if json {
            serde_json::to_string_pretty(&self.inventory).unwrap_or_default()
        } else {
            html(&self.inventory, &self.name, &date_time(self.at_ms, offset_s), false)
        };
        self.message = Some(match write_new(&path, text.as_bytes()) {
            Ok(()) => t!("history-saved", path = path.display().to_string()),
            Err(e) => t!("history-save-failed", path = path.display().to_string(), why = e.to_string()),
        });
    }
}

/// A table section's column names.
#[must_use]
pub fn columns(kind: SectionKind) -> Vec<String> {
    match kind {
        SectionKind::Disks => vec![
            t!("sysinfo-col-name"),
            t!("sysinfo-col-mount"),
            t!("sysinfo-col-file-system"),
            t!("sysinfo-col-total"),
            t!("sysinfo-col-free"),
        ],
        SectionKind::Network => vec![t!("sysinfo-col-interface"), t!("sysinfo-col-addresses"), t!("sysinfo-col-mac")],
        SectionKind::Displays => vec![t!("sysinfo-col-name"), t!("sysinfo-col-resolution"), t!("sysinfo-col-position")],
        SectionKind::Gpu => vec![t!("sysinfo-col-device"), t!("sysinfo-col-driver")],
        SectionKind::Battery => vec![t!("sysinfo-col-name"), t!("sysinfo-col-charge"), t!("sysinfo-col-state")],
        SectionKind::Software => vec![t!("sysinfo-col-name"), t!("sysinfo-col-version")],
        SectionKind::Processes => {
            vec![t!("sysinfo-col-pid"), t!("sysinfo-col-name"), t!("sysinfo-col-cpu"), t!("sysinfo-col-memory")]
        }
        SectionKind::System | SectionKind::Cpu | SectionKind::Memory => vec![String::new(), String::new()],
    }
}

/// A key-value section's field name for people (an unknown key is shown as it came).
#[must_use]
pub fn field(key: &str) -> String {
    match key {
        "os" => t!("sysinfo-field-os"),
        "os-version" => t!("sysinfo-field-os-version"),
        "kernel" => t!("sysinfo-field-kernel"),
        "hostname" => t!("sysinfo-field-hostname"),
        "uptime" => t!("sysinfo-field-uptime"),
        "architecture" => t!("sysinfo-field-architecture"),
        "model" => t!("sysinfo-field-model"),
        "cores" => t!("sysinfo-field-cores"),
        "threads" => t!("sysinfo-field-threads"),
        "frequency" => t!("sysinfo-field-frequency"),
        "total" => t!("sysinfo-field-total"),
        "available" => t!("sysinfo-field-available"),
        "swap-total" => t!("sysinfo-field-swap-total"),
        "swap-used" => t!("sysinfo-field-swap-used"),
        other => other.to_owned(),
    }
}

/// The inventory as a self-contained HTML report in the window's language, every cell escaped.
/// With `print`, the page asks the browser to print itself when it opens (its only script).
#[must_use]
pub fn html(inv: &Inventory, name: &str, when: &str, print: bool) -> String {
    let title = t!("sysinfo-title", name = name);
    let csp = if print {
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    } else {
        "default-src 'none'; style-src 'unsafe-inline'"
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;width:100%;margin-bottom:1em}}td,th{{border-bottom:1px solid #ddd;padding:.25em;text-align:left;vertical-align:top}}</style>\
         </head><body>\n<h1>{}</h1>\n<p>{}</p>\n",
        deskside_i18n::lang().code(),
        escape_html(&title),
        escape_html(&title),
        escape_html(&t!("sysinfo-received", time = when))
    );
    for section in &inv.sections {
        let _ = write!(h, "<h2>{}</h2>\n<table>", escape_html(&section_name(section.kind)));
        if !section.kind.is_key_value() {
            h.push_str("<tr>");
            for c in columns(section.kind) {
                let _ = write!(h, "<th>{}</th>", escape_html(&c));
            }
            h.push_str("</tr>");
        }
        for row in &section.rows {
            h.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                if i == 0 && section.kind.is_key_value() {
                    let _ = write!(h, "<th>{}</th>", escape_html(&field(cell)));
                } else {
                    let _ = write!(h, "<td>{}</td>", escape_html(cell));
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>\n");
    }
    if print {
        h.push_str("<script>window.print()</script>\n");
    }
    h.push_str("</body></html>\n");
    h
}

/// The folder reports to print are written to, for a browser to open: made once per run, private
/// to this user (a customer's machine description never lands in a shared, predictable place
/// another user could read or plant a link in). Why it cannot be made, in words.
pub fn print_dir() -> Result<&'static std::path::Path, String> {
    static DIR: std::sync::OnceLock<Result<tempfile::TempDir, String>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let mut b = tempfile::Builder::new();
        b.prefix("deskside-print-");
        #[cfg(unix)]
        b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        b.tempdir().map_err(|e| e.to_string())
    })
    .as_ref()
    .map(tempfile::TempDir::path)
    .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use deskside_proto::Section;

    use super::*;

    #[test]
    #[cfg(unix)]
    fn reports_to_print_go_to_a_folder_only_this_user_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = print_dir().unwrap();
        assert!(!dir.starts_with(std::env::temp_dir().join("deskside-print")), "not the old shared folder");
        assert_eq!(std::fs::symlink_metadata(dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(print_dir().unwrap(), dir, "one folder for the whole run");
    }

    #[test]
    fn the_report_escapes_every_cell_and_prints_only_when_asked() {
        deskside_i18n::set_lang(deskside_i18n::Lang::En);
        let inv = Inventory {
            collected_unix_ms: 1,
            sections: vec![
                Section { kind: SectionKind::System, rows: vec![vec!["hostname".into(), "<b>box</b>".into()]] },
                Section { kind: SectionKind::Software, rows: vec![vec!["a&b".into(), "1\"2".into()]] },
            ],
        };
        let h = html(&inv, "Ana <i>", "2026-11-26 10:00", false);
        assert!(h.contains("&lt;b&gt;box&lt;/b&gt;") && h.contains("a&amp;b") && h.contains("1&quot;2"));
        assert!(h.contains("Ana &lt;i&gt;") && !h.contains("<i>"));
        assert!(h.contains("<th>Host name</th>") && h.contains("<th>Version</th>"));
        assert!(!h.contains("<script>"));
        assert!(html(&inv, "Ana", "now", true).contains("<script>window.print()</script>"));
    }
}
