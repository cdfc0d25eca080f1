//! For the guests' build scripts: which codec a guest .wasm is built with, and how many records
//! its messages carry. A guest holds exactly one codec, so its code size is that codec's; the
//! runner picks it with `WASMATRIX_CODEC`, and the records with `WASMATRIX_RECORDS`.

use crate::codec::CodecId;

/// The environment variable the runner sets when it builds a guest.
pub const CODEC_ENV: &str = "WASMATRIX_CODEC";

/// The environment variable the runner sets to the records a message carries (the `records` axis;
/// 1 when unset).
pub const RECORDS_ENV: &str = "WASMATRIX_RECORDS";

/// The codec that is no byte codec: the typed record crosses the component boundary as itself
/// and the canonical ABI is the codec. Only the guests' `component` builds carry it.
pub const WIT_CODEC: &str = "wit";

/// In a component guest built for codec `wit`: one of its byte-codec functions was called. The
/// host never calls them for a `wit` cell, so a call is a bug worth a trap.
pub fn not_for_wit(function: &str) -> ! {
    panic!("this component carries the typed record (codec wit): {function} is for byte codecs")
}

/// In a component guest built for a byte codec: one of its typed-record functions was called.
pub fn not_for_bytes(function: &str) -> ! {
    panic!("this component carries a byte codec: {function} is for the typed record (codec wit)")
}

/// Writes `$OUT_DIR/selected_codec.rs`, defining `type Selected` as the chosen codec (`raw` when
/// the variable is unset, e.g. in a plain `cargo build`) and `const RECORDS: u32`, the records a
/// message carries (1 when [`RECORDS_ENV`] is unset). For `wit` it writes no `Selected` and sets
/// the cfg `wasmatrix_wit` instead; the crate must then be built with its `component` feature.
pub fn write_selected_codec() {
    println!("cargo:rerun-if-env-changed={CODEC_ENV}");
    println!("cargo:rerun-if-env-changed={RECORDS_ENV}");
    let records = std::env::var(RECORDS_ENV).unwrap_or_else(|_| "1".to_owned());
    let records = match records.parse::<u32>() {
        Ok(k) if k > 0 => k,
        _ => panic!("{RECORDS_ENV}={records} is not a number of records per message (a whole number, 1 or more)"),
    };
    let records = format!("/// The records a message carries.\npub const RECORDS: u32 = {records};\n");
    println!("cargo::rustc-check-cfg=cfg(wasmatrix_wit)");
    let name = std::env::var(CODEC_ENV).unwrap_or_else(|_| "raw".to_owned());
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("run from a build script")).join("selected_codec.rs");
    if name == WIT_CODEC {
        if std::env::var_os("CARGO_FEATURE_COMPONENT").is_none() {
            panic!(
                "{CODEC_ENV}={WIT_CODEC} needs the crate's `component` feature: only a component carries the \
                 typed record (build with --features component)"
            );
        }
        println!("cargo::rustc-cfg=wasmatrix_wit");
        std::fs::write(&out, format!("// codec `wit`: no byte codec in this guest\n{records}"))
            .expect("write selected_codec.rs");
        return;
    }
    let Some(id) = CodecId::from_name(&name) else {
        let mut known: Vec<_> = CodecId::ALL.iter().map(|c| c.name()).collect();
        known.push(WIT_CODEC);
        panic!(
            "{CODEC_ENV}={name} is not a codec; known codecs: {} (`{WIT_CODEC}` with the `component` feature only)",
            known.join(", ")
        );
    };
    let src = format!("/// The codec this guest is built with.\npub type Selected = {};\n{records}", id.rust_path());
    std::fs::write(&out, src).expect("write selected_codec.rs");
}

/// The features of this crate that add codecs, as this build has them: none, or `test-codec`
/// (the test-only codec `probe`). A runner built with them builds every guest and worker with
/// them too (runner/src/guest_build/mod.rs), so that all know the codecs its axis lists.
pub const CODEC_FEATURES: &[&str] = &[
    #[cfg(feature = "test-codec")]
    "test-codec",
];
