//! The Deskside console: the app a support representative (CSR) runs a session from.
//!
//! [`app`] holds the window's state; [`start_ui`] draws the start and summary screens;
//! [`hosting`] starts a session and carries what the hub says into [`session_view`], the session
//! as the CSR sees it (apart from egui); [`session_ui`] draws a running session (toolbar,
//! panels, banner, viewer) and [`remote_ui`] its Remote control and System info panels; [`viewer`] paints the customer's screen
//! and turns the CSR's mouse and keyboard into input events; [`record`] turns what happens in a
//! session into entries of the session history and [`history_ui`] shows that history;
//! [`reports`] sends the ended sessions' reports to the team's site;
//! [`inventory_ui`] shows a customer's system information;
//! [`settings`] keeps the CSR's settings and [`settings_ui`] edits them; [`theme`] holds every
//! colour and spacing; [`cli`] reads the command line. Every word shown comes from
//! `deskside-i18n`. `main.rs` only wires these to eframe.

pub mod app;
pub mod browse_ui;
pub mod cli;
pub mod command;
pub mod exports;
pub mod files_ui;
pub mod history_ui;
mod hosting;
pub mod inventory_ui;
pub mod link;
pub mod record;
mod remote_ui;
pub mod reports;
pub mod session_ui;
pub mod session_view;
pub mod settings;
pub mod settings_ui;
pub mod site;
mod start_ui;
pub use deskside_ui::theme;
pub mod tools;
pub mod viewer;

pub use app::{ConsoleApp, ConsoleConfig};
