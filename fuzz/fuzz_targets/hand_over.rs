//! Fuzz target `hand_over`: see `deskside_fuzz::hand_over`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::hand_over(data));
