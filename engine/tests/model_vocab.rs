//! The Python recipe and the Rust tokenizer agree: same vocabulary file and hash, same feature
//! order, and the Python tokenization of a held-out piece (stored in golden.json) is reproduced
//! exactly by engine::tokens.

use bandmate_engine::model::tokens::{self, ChordCond, CHORD_FEATURES};
use bandmate_engine::model::{self, ModelKind};
use sha2::{Digest, Sha256};

fn models() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("models")
}

fn json(p: std::path::PathBuf) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .expect("json")
}

fn ints(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("int"))
        .collect()
}

#[test]
fn vocab_file_hash_and_features_agree() {
    let bytes = std::fs::read(models().join("vocab.json")).expect("vocab.json");
    assert_eq!(
        bytes,
        tokens::VOCAB_JSON.as_bytes(),
        "embedded vocab is the file on disk"
    );
    let hash: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hash, tokens::vocab_hash());
    let v = tokens::vocab().expect("vocab valid");
    // Chord model v1 is the one model on this vocabulary.
    let (dir, feats, id) = (
        "chords",
        &CHORD_FEATURES[..],
        model::model_id(ModelKind::Chords),
    );
    let cfg = json(models().join(dir).join("config.json"));
    assert_eq!(
        cfg["vocab_hash"].as_str(),
        Some(hash.as_str()),
        "{dir} trained on this vocabulary"
    );
    assert_eq!(cfg["id"].as_str(), Some(id));
    let names: Vec<&str> = cfg["inputs"][0]["features"]
        .as_array()
        .expect("f")
        .iter()
        .map(|x| x.as_str().expect("s"))
        .collect();
    assert_eq!(names, feats);
    assert_eq!(v.chords.len(), 2 + 12 * v.qualities.len());
}

#[test]
fn rust_tokenizer_reproduces_python_tokens() {
    let v = tokens::vocab().expect("vocab");
    let chord_tok = |label: &str| {
        v.chords
            .iter()
            .position(|c| c == label)
            .expect("label in vocab")
    };
    // Chords.
    let g = json(models().join("chords").join("golden.json"));
    let p = &g["piece"];
    let bar16 = p["bar16"].as_u64().expect("bar16") as u32;
    let bars = p["bars"].as_u64().expect("bars") as u32;
    let cond = ChordCond {
        mode: v
            .modes
            .iter()
            .position(|m| p["mode"] == m.as_str())
            .expect("mode"),
        meter: v
            .meters
            .iter()
            .position(|m| p["meter"] == m.as_str())
            .expect("meter"),
        style: v
            .styles
            .iter()
            .position(|m| p["style"] == m.as_str())
            .expect("style"),
        len: v.len_bucket(bars),
    };
    let chords = p["chords"].as_array().expect("chords");
    let (mut prev, mut t) = (None, 0u32);
    for (i, s) in g["steps"].as_array().expect("steps").iter().enumerate() {
        let x = v.chord_features(prev, t, bar16, bars, cond);
        assert_eq!(x.to_vec(), ints(&s["x"]), "chord step {i}");
        let label = chords[i][0].as_str().expect("label");
        let dur = chords[i][2].as_u64().expect("dur") as usize;
        assert_eq!(
            s["a"].as_u64(),
            Some(chord_tok(label) as u64),
            "token of {label}"
        );
        assert_eq!(s["b"].as_u64(), Some(dur as u64 - 1));
        prev = Some((chord_tok(label), dur - 1));
        t += dur as u32;
    }
    // The melody model (v2) has its own tokens: see model_melody.rs.
}
