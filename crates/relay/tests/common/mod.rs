//! Shared by the relay's tests: a console hosting a session through given relays.
#![allow(clippy::unwrap_used, missing_docs, dead_code)]

use std::sync::Arc;

use deskside_net::host::{HostConfig, start_host};
use deskside_net::transport::Relays;
use deskside_net::{HostHandle, Identity};
use deskside_proto::SessionId;

/// The team's token in these tests.
pub const TOKEN: &str = "acme-support-7Gf2kQ9xLm4Rt8Wz";

/// Sam's console hosting a session through `relays`.
pub fn host_via(relays: Relays) -> HostHandle {
    start_host(
        HostConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            identity: Identity::generate().unwrap(),
            relays,
            session: deskside_session::SessionConfig {
                id: SessionId([5; 16]),
                csr_name: "Sam Rivera".into(),
                organisation: "Acme Support".into(),
                session_type: "General support".into(),
                tracking_code: String::new(),
            },
        },
        Arc::new(|| {}),
    )
    .unwrap()
}
