//! Fuzz target `report`: see `deskside_fuzz::report`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::report(data));
