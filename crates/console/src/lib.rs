//! The Deskside console: the app a support representative (CSR) runs a session from.
//!
//! [`app`] holds the window's state and drawing; [`viewer`] paints the customer's screen and
//! turns the CSR's mouse and keyboard into input events; [`record`] turns what happens in a
//! session into entries of the session history and [`history_ui`] shows that history; [`cli`]
//! reads the command line.
//! `main.rs` only wires these to eframe.

pub mod app;
pub mod cli;
pub mod history_ui;
pub mod record;
pub mod viewer;

pub use app::{ConsoleApp, ConsoleConfig};
