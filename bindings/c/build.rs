//! Generates `include/stigg.h` from this crate with cbindgen.
//!
//! The header is committed. With `STIGG_FFI_CHECK_HEADER=1` the build fails instead of rewriting a
//! header that differs (CI also runs `git diff --exit-code include/`).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=STIGG_FFI_CHECK_HEADER");
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = crate_dir.join("../../include/stigg.h");
    let config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => {
            println!("cargo:warning=cbindgen.toml: {e}");
            std::process::exit(1);
        }
    };
    let bindings = match cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
    {
        Ok(b) => b,
        Err(e) => {
            println!("cargo:warning=cbindgen: {e}");
            std::process::exit(1);
        }
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    let old = std::fs::read(&out).unwrap_or_default();
    if old == text {
        return;
    }
    if std::env::var("STIGG_FFI_CHECK_HEADER").as_deref() == Ok("1") {
        println!("cargo:warning=include/stigg.h is stale: build without STIGG_FFI_CHECK_HEADER and commit it");
        std::process::exit(1);
    }
    if let Err(e) = std::fs::write(&out, text) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
