//! Fuzz target `files`: see `deskside_fuzz::files`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::files(data));
