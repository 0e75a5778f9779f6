//! Fuzz target `session`: see `deskside_fuzz::session`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::session(data));
