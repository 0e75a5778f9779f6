//! Fuzz target `inventory`: see `deskside_fuzz::inventory`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::inventory(data));
