//! Puts the memory map of the machine QEMU runs this build on where the
//! linker finds it: `mps2-an386` (Cortex-M4) for ARMv7E-M and ARMv6-M code,
//! `mps2-an505` (Cortex-M33) for ARMv8-M Mainline code, whose memory sits at
//! other addresses. The an505 build also gets `cfg(an505)` (its SysTick
//! runs at another rate).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let an505 = env::var("TARGET").is_ok_and(|t| t.starts_with("thumbv8m.main"));
    let map = if an505 { "memory-an505.x" } else { "memory.x" };
    fs::copy(map, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-check-cfg=cfg(an505)");
    if an505 {
        println!("cargo:rustc-cfg=an505");
    }
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=memory-an505.x");
}
