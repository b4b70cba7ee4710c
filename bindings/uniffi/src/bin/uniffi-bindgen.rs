//! UniFFI's bindings generator (the Ruby module in bindings/ruby/lib/stigg/stigg_uniffi.rb comes from it).

fn main() {
    uniffi::uniffi_bindgen_main()
}
