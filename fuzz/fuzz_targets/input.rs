//! Fuzz target `input`: see `deskside_fuzz::input`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::input(data));
