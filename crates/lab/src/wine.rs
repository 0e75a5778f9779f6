//! Windows programs on this Linux machine, for tests: built with mingw-w64 (`cargo --target
//! x86_64-pc-windows-gnu`, profile `wine`) and run under Wine.
//!
//! - [`Wine`]: a Wine prefix of the tests' own (not the user's `~/.wine`), made on first use, and
//!   its `wineserver` stopped when dropped. [`Wine::command`] runs a program in it with
//!   `bcryptprimitives.dll` beside it: Debian 12's Wine 8.0 lacks that DLL, whose `ProcessPrng`
//!   Rust's standard library calls before `main`, so [`stub_dll`] builds a stand-in from
//!   `wine/bcryptprimitives.c` that forwards to `RtlGenRandom`. Nothing shipped contains it.
//! - [`windows_program`]: builds a package's program or example for Windows, into
//!   `target/windows` (its own directory, so a test can build while `cargo test` holds the
//!   workspace's).
//! - The `deskside-wine` program is cargo's runner for Windows test binaries (`cargo xtask
//!   windows` sets `CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER` to it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

/// The target Windows programs are built for.
pub const TARGET: &str = "x86_64-pc-windows-gnu";
/// The cargo profile they are built with (see the workspace's `Cargo.toml`).
pub const PROFILE: &str = "wine";

const STUB_SOURCE: &str = include_str!("../wine/bcryptprimitives.c");

/// The workspace's root directory.
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where Windows builds go: `target/windows`, or `$CARGO_TARGET_DIR/windows`.
#[must_use]
pub fn windows_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from).join("windows")
}

/// Builds `what` (`["--example", "windows_customer"]`, `["--bin", "deskside-agent"]`) of
/// `package` for Windows and returns the `.exe`. Needs `rustup target add x86_64-pc-windows-gnu`
/// and Debian's `gcc-mingw-w64-x86-64` and `g++-mingw-w64-x86-64` (`cargo xtask deps`).
pub fn windows_program(package: &str, what: &[&str]) -> anyhow::Result<PathBuf> {
    let dir = windows_target_dir();
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // What cargo tells a test about itself (CARGO_MANIFEST_DIR and the rest) would reach the
    // build scripts and make this build differ from `cargo xtask windows`'s, rebuilding it all.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CARGO_") && name != "CARGO_HOME" {
            cargo.env_remove(name);
        }
    }
    let status = cargo
        .args(["build", "--quiet", "--profile", PROFILE, "--target", TARGET, "-p", package])
        .args(what)
        .arg("--target-dir")
        .arg(&dir)
        .current_dir(workspace_root())
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!(
            "building {package} {what:?} for Windows failed ({status}); it needs `rustup target add {TARGET}` and \
             mingw-w64 (`cargo xtask deps`)"
        );
    }
    let name = what.last().copied().unwrap_or(package);
    let sub = if what.first() == Some(&"--example") { "examples" } else { "" };
    let exe = dir.join(TARGET).join(PROFILE).join(sub).join(format!("{name}.exe"));
    if !exe.is_file() {
        bail!("cargo built {package} {what:?} but {} is not there", exe.display());
    }
    Ok(exe)
}

/// Builds the stand-in `bcryptprimitives.dll` into `dir` (again only when its source changed)
/// and returns its path.
pub fn stub_dll(dir: &Path) -> anyhow::Result<PathBuf> {
    let dll = dir.join("bcryptprimitives.dll");
    let source = dir.join("bcryptprimitives.c");
    if dll.is_file() && std::fs::read_to_string(&source).is_ok_and(|s| s == STUB_SOURCE) {
        return Ok(dll);
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(&source, STUB_SOURCE)?;
    let building = dir.join("bcryptprimitives.dll.new");
    let status = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-O2", "-shared", "-Wl,--kill-at", "-o"])
        .arg(&building)
        .arg(&source)
        .arg("-ladvapi32")
        .status()
        .context("cannot run x86_64-w64-mingw32-gcc (Debian's gcc-mingw-w64-x86-64)")?;
    if !status.success() {
        bail!("x86_64-w64-mingw32-gcc could not build bcryptprimitives.dll ({status})");
    }
    std::fs::rename(&building, &dll)?;
    Ok(dll)
}

/// A Wine prefix of the tests' own, on an X display; its `wineserver` is stopped when dropped.
pub struct Wine {
    prefix: PathBuf,
    stub: PathBuf,
    display: String,
}

impl Wine {
    /// The prefix at `prefix`, made (`wineboot --init`, some seconds) if it is not there yet,
    /// whose programs show on the X display `display`. Every Wine program of a prefix shares one
    /// desktop, started by the first of them on its display, so every command here names it.
    pub fn new(prefix: &Path, display: &str) -> anyhow::Result<Wine> {
        std::fs::create_dir_all(prefix)?;
        let prefix = prefix.canonicalize()?;
        let stub = stub_dll(&prefix.join("deskside"))?;
        let wine = Wine { prefix, stub, display: display.to_owned() };
        // A desktop left running by an earlier run may be on a display that is gone.
        wine.stop();
        if !wine.prefix.join("system.reg").is_file() {
            let status = wine.tool("wineboot").arg("--init").status().context("cannot run wineboot")?;
            if !status.success() {
                bail!("wineboot could not make the prefix {} ({status})", wine.prefix.display());
            }
            // wineboot returns before the prefix is written out.
            wine.tool("wineserver").arg("-w").status().context("cannot run wineserver")?;
        }
        Ok(wine)
    }

    /// The tests' shared prefix, `target/windows/wine-prefix`, on the X display `display`.
    pub fn shared(display: &str) -> anyhow::Result<Wine> {
        Wine::new(&windows_target_dir().join("wine-prefix"), display)
    }

    /// `program` (one of Wine's) with this prefix.
    fn tool(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        // WINEDEBUG=-all unless asked otherwise (WINEDEBUG=err+all to see why something fails):
        // Wine's own diagnostics would drown the program's output. No .NET or browser engine
        // either: the prefix is made offline, and nothing here needs them.
        let debug = std::env::var("WINEDEBUG").unwrap_or_else(|_| "-all".into());
        c.env("WINEPREFIX", &self.prefix).env("WINEDEBUG", debug).env("WINEDLLOVERRIDES", "mscoree,mshtml=");
        c.env("DISPLAY", &self.display);
        c
    }

    /// Makes every program run in one virtual desktop window of `width` x `height` (Wine's
    /// "emulate a virtual desktop"), so a program's screen is that window, not the X display's.
    /// The desktop already started goes (and the next program starts the new one).
    pub fn virtual_desktop(&self, width: u32, height: u32) -> anyhow::Result<()> {
        for args in [
            vec!["add", r"HKCU\Software\Wine\Explorer", "/v", "Desktop", "/d", "Default", "/f"],
            vec![
                "add",
                r"HKCU\Software\Wine\Explorer\Desktops",
                "/v",
                "Default",
                "/d",
                &format!("{width}x{height}"),
                "/f",
            ],
        ] {
            let status = self.tool("wine").arg("reg").args(&args).stdout(Stdio::null()).status().context("wine reg")?;
            if !status.success() {
                bail!("wine reg {args:?} failed ({status})");
            }
        }
        self.stop();
        Ok(())
    }

    /// Stops the prefix's programs and its wineserver (a test's desktop goes with them).
    pub fn stop(&self) {
        let _ = self.tool("wineserver").arg("-k").status();
        let _ = self.tool("wineserver").arg("-w").status();
    }

    /// Runs the Windows program `exe` in this prefix, with the stand-in DLL beside it.
    pub fn command(&self, exe: &Path) -> anyhow::Result<Command> {
        let dir = exe.parent().context("the program has no folder")?;
        std::fs::copy(&self.stub, dir.join("bcryptprimitives.dll"))
            .with_context(|| format!("cannot put bcryptprimitives.dll beside {}", exe.display()))?;
        let mut c = self.tool("wine");
        c.arg(exe);
        Ok(c)
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        self.stop();
    }
}
