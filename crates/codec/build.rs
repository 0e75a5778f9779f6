//! For Windows (mingw-w64): OpenH264 is C++, and its build asks for the C++ runtime by name
//! (`-lstdc++`), which the linker would satisfy with `libstdc++-6.dll`, a file that would have to
//! travel beside the agent. The agent is one file, so this puts a folder holding only mingw's
//! static `libstdc++.a` first on the linker's search path: the same `-lstdc++` then links the
//! runtime in. (cc's `CXXSTDLIB_STATIC` would say so too, but OpenH264 makes four C++ libraries,
//! each asking once, and rustc refuses the repeated static request.)

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if !(target.contains("windows") && target.ends_with("-gnu")) {
        return;
    }
    let gxx = format!("{}-w64-mingw32-g++", target.split('-').next().unwrap_or("x86_64"));
    let Some(archive) = Command::new(&gxx)
        .arg("-print-file-name=libstdc++.a")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_absolute() && p.is_file())
    else {
        println!("cargo:warning={gxx} does not say where libstdc++.a is: the program will need libstdc++-6.dll");
        return;
    };
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("static-cxx");
    std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
    let copy = dir.join("libstdc++.a");
    std::fs::copy(&archive, &copy).expect("libstdc++.a can be copied");
    println!("cargo:rustc-link-search=native={}", dir.display());
}
