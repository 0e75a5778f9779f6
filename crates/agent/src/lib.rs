//! The Deskside agent: the small app a customer runs to let a support representative help them.
//!
//! [`engine`] joins a session and enforces the customer's consent; [`app`] is the window.
//! `main.rs` only parses the command line and starts the window.

pub mod engine;
