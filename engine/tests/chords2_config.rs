//! Chord model v2's config is checked before any session opens: a damaged file, another
//! vocabulary, other styles or another feature order are refused with the field named. The
//! style list users see is the config's.

use bandmate_engine::model::chords2::{self, verify, CHORDS2_MODEL_ID};
use bandmate_engine::model::vocab2::vocab2;
use bandmate_engine::model::ModelError;

fn field_of(e: ModelError) -> String {
    match e {
        ModelError::Incompatible { field, .. } => field.to_string(),
        ModelError::Checksum { .. } => "sha256".into(),
        other => format!("{other}"),
    }
}

fn edited(f: impl Fn(&mut serde_json::Value)) -> String {
    let (cfg, _) = chords2::embedded();
    let mut v: serde_json::Value = serde_json::from_str(cfg).expect("config");
    f(&mut v);
    v.to_string()
}

#[test]
fn embedded_model_verifies() {
    let (cfg, onnx) = chords2::embedded();
    let c = verify(cfg, onnx).expect("embedded v2 model is consistent");
    assert_eq!(c.id, CHORDS2_MODEL_ID);
    assert!(
        c.tokens.len() > 2 + 12 * 27,
        "root-position chords plus slash chords"
    );
    assert!(onnx.len() <= 8 * 1024 * 1024, "{} bytes", onnx.len());
}

#[test]
fn damaged_or_mismatched_models_name_what_is_wrong() {
    let (cfg, onnx) = chords2::embedded();
    let mut bad = onnx.to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x55;
    assert_eq!(field_of(verify(cfg, &bad).expect_err("damaged")), "sha256");
    let c = edited(|v| v["vocab_hash"] = "00".into());
    assert_eq!(
        field_of(verify(&c, onnx).expect_err("vocab")),
        "vocab_hash (vocab-v2.json)"
    );
    let c = edited(|v| v["styles"][0] = "polka".into());
    assert_eq!(field_of(verify(&c, onnx).expect_err("styles")), "styles");
    let c = edited(|v| {
        v["inputs"][0]["features"]
            .as_array_mut()
            .expect("f")
            .swap(6, 7)
    });
    assert_eq!(
        field_of(verify(&c, onnx).expect_err("features")),
        "features"
    );
    let c = edited(|v| v["tokens"][5] = "3:wobble".into());
    assert_eq!(field_of(verify(&c, onnx).expect_err("tokens")), "tokens");
    let c = edited(|v| v["id"] = "bandmate-chords@1".into());
    assert_eq!(field_of(verify(&c, onnx).expect_err("id")), "id");
    assert!(matches!(verify("{", onnx), Err(ModelError::Config { .. })));
}

#[test]
fn style_list_comes_from_the_model_config() {
    let styles = chords2::styles().expect("styles");
    assert_eq!(styles, vocab2().expect("vocab").styles);
    for s in [
        "pop",
        "rock",
        "soul",
        "funk",
        "country",
        "blues",
        "jazz-swing",
        "jazz-ballad",
        "bossa",
        "jazz-waltz",
        "cpop-ballad",
        "folk",
        "chorale",
    ] {
        assert!(styles.iter().any(|x| x == s), "{s}");
    }
}
