//! Shared checks for the chord model v2 tests (included by chords2_native.rs and
//! chords2_tract.rs with `#[path]`; compiled alone it has no tests).
#![allow(dead_code)]

use bandmate_engine::model::chords2;

fn golden() -> serde_json::Value {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/chords/v2/golden.json");
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).expect("golden.json parses")
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Rust logits (active backend) match Python onnxruntime's golden logits within 1e-4, step by
/// step through the recurrent state.
pub fn parity() {
    let g = golden();
    let steps = g["steps"].as_array().expect("steps");
    assert!(steps.len() >= 3);
    let xs: Vec<Vec<i64>> = steps
        .iter()
        .map(|s| {
            s["x"]
                .as_array()
                .expect("x")
                .iter()
                .map(|v| v.as_i64().expect("int"))
                .collect()
        })
        .collect();
    let outs = chords2::run_steps(&xs).expect("run_steps");
    let nb = chords2::shared()
        .expect("model")
        .lock()
        .expect("lock")
        .config
        .durations
        .len();
    let mut worst = 0.0f64;
    for (s, o) in steps.iter().zip(&outs) {
        let want_a = floats(&s["logits_a"]);
        assert_eq!(want_a.len(), o.logits_a.len());
        for (a, b) in want_a.iter().zip(&o.logits_a) {
            worst = worst.max((a - *b as f64).abs());
        }
        let row = s["row"].as_u64().expect("row") as usize;
        let want_b = floats(&s["logits_b_row"]);
        for (a, b) in want_b.iter().zip(&o.logits_b[row * nb..(row + 1) * nb]) {
            worst = worst.max((a - *b as f64).abs());
        }
        let sum: f64 = o.logits_b.iter().map(|&v| v as f64).sum();
        let want = s["logits_b_sum"].as_f64().expect("sum");
        assert!(
            (sum - want).abs() < 0.05 + want.abs() * 1e-5,
            "{sum} vs {want}"
        );
    }
    assert!(worst < 1e-4, "max |diff| {worst}");
}
