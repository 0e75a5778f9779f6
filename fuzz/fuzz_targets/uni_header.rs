//! Fuzz target `uni_header`: see `deskside_fuzz::uni_header`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::uni_header(data));
