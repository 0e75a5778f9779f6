//! `deskside-wine EXE [ARGS…]`: runs a Windows program under Wine in the tests' own prefix, with
//! the stand-in `bcryptprimitives.dll` beside it, on a private Xvfb of its own (Windows programs
//! expect a desktop, and the user's display is left alone), and exits as it did. Cargo's runner for Windows
//! test binaries: `cargo xtask windows` sets `CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER` to it.

use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let exe = args.next().context("usage: deskside-wine EXE [ARGS…]")?;
    let xvfb = deskside_platform::xvfb::Xvfb::start(1024, 768).context("cannot start Xvfb")?;
    let wine = deskside_lab::wine::Wine::shared(xvfb.display())?;
    let status = wine.command(std::path::Path::new(&exe))?.args(args).status().context("cannot run wine")?;
    drop(wine);
    drop(xvfb);
    std::process::exit(status.code().unwrap_or(1));
}
