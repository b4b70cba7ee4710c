//! Gives libstigg_uniffi.so a SONAME, so that the Ruby gem can load it from an absolute path first and
//! the generated module's `ffi_lib 'stigg_uniffi'` then finds the already-loaded library.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libstigg_uniffi.so");
    }
}
