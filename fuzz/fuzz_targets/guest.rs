//! Fuzz target `guest`: see `deskside_fuzz::guest`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::guest(data));
