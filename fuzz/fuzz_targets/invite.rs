//! Fuzz target `invite`: see `deskside_fuzz::invite`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| deskside_fuzz::invite(data));
