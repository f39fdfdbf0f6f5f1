//! Rust/Python feature parity for chord model v2 on held-out songs: every input row the training
//! recipe fed the model (models/chords/v2/parity.json, written by models/train/parity_chords2.py
//! from test-split songs) is rebuilt from the song's bars and events with the engine's own
//! conditioning, step-input and token code, and must be equal number for number.

use bandmate_engine::model::chords2::sample::{start_prev, step_input, Cond};
use bandmate_engine::model::chords2::{self, verify};
use bandmate_engine::model::vocab2::vocab2;
use bandmate_engine::theory::{Key, Mode, PitchClass};
use serde_json::Value;

fn parity() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../models/chords/v2/parity.json"
    );
    let text = std::fs::read_to_string(path).expect("parity.json ships with the model");
    serde_json::from_str(&text).expect("parity.json")
}

fn num(v: &Value) -> i64 {
    v.as_i64().expect("integer")
}

#[test]
fn engine_inputs_equal_the_recipes_on_held_out_songs() {
    let (cfg_json, onnx) = chords2::embedded();
    let cfg = verify(cfg_json, onnx).expect("config");
    let p = parity();
    assert_eq!(p["model"].as_str(), Some(cfg.id.as_str()));
    let v = vocab2().expect("vocab v2");
    let songs = p["songs"].as_array().expect("songs");
    assert!(songs.len() >= 3, "a few songs from several sources");
    let mut steps_checked = 0;
    for song in songs {
        let id = song["id"].as_str().unwrap_or("?");
        let bars = song["bars"].as_array().expect("bars");
        let bar16 = bars[0]["len16"].as_u64().expect("len16") as u32;
        let (hr, cx) = (
            num(&song["harmonic_rhythm"]) as usize,
            num(&song["complexity"]) as usize,
        );
        let style = song["style"].as_str().expect("style");
        let mut prev = start_prev(&cfg);
        let mut t = 0u32;
        for (i, st) in song["steps"].as_array().expect("steps").iter().enumerate() {
            let bar = &bars[(t / bar16) as usize];
            let mode = bar["mode"].as_str().expect("mode");
            let c = Cond::of_names(
                &cfg,
                style,
                mode,
                bar["meter"].as_str().expect("meter"),
                bar["section"].as_str().expect("section"),
                hr,
                cx,
            );
            let x = step_input(&cfg, &c, prev, t, bar16, bars.len() as u32);
            let want: Vec<i64> = st["x"].as_array().expect("x").iter().map(num).collect();
            assert_eq!(x.to_vec(), want, "{id} step {i}");
            // The event's text goes to a chord and back to the same token index, as the engine
            // reads what it samples and names what it hears.
            let tok = st["token"].as_str().expect("token");
            let key = Key::new(
                PitchClass::new(0),
                if mode == "minor" {
                    Mode::NaturalMinor
                } else {
                    Mode::Major
                },
            );
            let name = match v.chord(tok, key).expect("a v2 token") {
                Some(chord) => v.token(chord, key),
                None => "NC".to_string(),
            };
            let a = num(&st["a"]);
            assert_eq!(
                cfg.tokens.iter().position(|t| *t == name),
                Some(a as usize),
                "{id} step {i}: {tok} -> {name}"
            );
            let b = num(&st["b"]);
            t += cfg.durations[b as usize];
            prev = (a, b);
            steps_checked += 1;
        }
    }
    assert!(steps_checked >= 100, "{steps_checked} steps");
}
