//! Fuzz target `certificate`: see `deskside_fuzz::certificate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::certificate(data));
