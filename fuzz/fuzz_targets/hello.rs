//! Fuzz target `hello`: see `deskside_fuzz::hello`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::hello(data));
