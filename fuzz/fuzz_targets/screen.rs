//! Fuzz target `screen`: see `deskside_fuzz::screen`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::screen(data));
