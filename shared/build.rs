//! `cfg(armv8m_main)` for ARMv8-M Mainline targets (Cortex-M33 and kin):
//! the `SMLAD` kernels' naked functions must name the CPU there (see
//! `src/kernels/optimized/smlad.rs`), and no `target_feature` tells this
//! architecture from ARMv7E-M.
fn main() {
    println!("cargo:rustc-check-cfg=cfg(armv8m_main)");
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("thumbv8m.main")) {
        println!("cargo:rustc-cfg=armv8m_main");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
