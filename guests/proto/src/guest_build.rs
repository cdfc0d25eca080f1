//! For the guests' build scripts: which codec a guest .wasm is built with. A guest holds exactly
//! one codec, so its code size is that codec's; the runner picks it with `WASMATRIX_CODEC`.

use crate::codec::CodecId;

/// The environment variable the runner sets when it builds a guest.
pub const CODEC_ENV: &str = "WASMATRIX_CODEC";

/// Writes `$OUT_DIR/selected_codec.rs`, defining `type Selected` as the chosen codec (`raw` when
/// the variable is unset, e.g. in a plain `cargo build`).
pub fn write_selected_codec() {
    println!("cargo:rerun-if-env-changed={CODEC_ENV}");
    let name = std::env::var(CODEC_ENV).unwrap_or_else(|_| "raw".to_owned());
    let Some(id) = CodecId::from_name(&name) else {
        let known: Vec<_> = CodecId::ALL.iter().map(|c| c.name()).collect();
        panic!("{CODEC_ENV}={name} is not a codec; known codecs: {}", known.join(", "));
    };
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("run from a build script")).join("selected_codec.rs");
    let src = format!("/// The codec this guest is built with.\npub type Selected = {};\n", id.rust_path());
    std::fs::write(&out, src).expect("write selected_codec.rs");
}
