//! Fuzz target `to_guest`: see `deskside_fuzz::to_guest`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::to_guest(data));
