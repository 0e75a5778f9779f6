//! The Deskside agent: the small app a customer runs to let a support representative help them.
//!
//! [`engine`] joins a session and enforces the customer's consent; [`app`] is the window;
//! [`cli`] reads the command line (and the agent's own file name, which may carry a code);
//! [`shared_log`] keeps "What was shared" on the customer's machine.
//! `main.rs` only wires these to eframe.

#[cfg(feature = "ui")]
pub mod app;
#[cfg(feature = "ui")]
pub mod cli;
pub mod engine;
pub mod moves;
#[cfg(feature = "ui")]
pub mod shared_log;
pub use deskside_net::transfer;

#[cfg(feature = "ui")]
pub use app::AgentApp;
