//! Fuzz target `to_host`: see `deskside_fuzz::to_host`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::to_host(data));
