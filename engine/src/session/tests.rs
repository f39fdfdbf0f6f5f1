use super::*;
use crate::arrange::{generate, Source};
use crate::clip::PartKind;

fn settings(seed: u64) -> Settings {
    let mut s = Settings {
        source: Source::Rules,
        seed,
        ..Settings::default()
    };
    s.enable_only(&[
        PartKind::Chords,
        PartKind::Melody,
        PartKind::Bass,
        PartKind::Drums,
    ]);
    s
}

fn snap(seed: u64) -> Snapshot {
    let s = settings(seed);
    let clip = generate(&s).expect("arrangement").clip;
    Snapshot {
        clip,
        settings: s,
        label: format!("generate (seed {seed})"),
    }
}

#[test]
fn generate_undo_redo_walks_the_history() {
    let mut sess = Session::default();
    sess.advance(snap(1));
    let first = sess.clip.clone();
    sess.advance(snap(2));
    let second = sess.clip.clone();
    assert_ne!(first, second, "a new seed changes the clip");
    assert_eq!(sess.history.undo_label(), Some("generate (seed 1)"));

    assert_eq!(sess.undo().cloned(), first);
    assert_eq!(sess.clip, first);
    assert_eq!(sess.settings.seed, 1);
    assert!(sess.undo().is_none(), "nothing before the first generation");
    assert_eq!(sess.clip, first);

    assert_eq!(sess.redo().cloned(), second);
    assert_eq!(sess.settings.seed, 2);
    assert!(sess.redo().is_none());
}

#[test]
fn a_new_generation_after_undo_clears_redo() {
    let mut sess = Session::default();
    sess.advance(snap(1));
    sess.advance(snap(2));
    sess.undo();
    assert!(sess.history.can_redo());
    sess.advance(snap(3));
    assert!(!sess.history.can_redo());
    assert_eq!(sess.history.len(), (1, 0));
}

#[test]
fn the_same_clip_again_is_not_a_new_step() {
    let mut sess = Session::default();
    sess.advance(snap(1));
    sess.advance(snap(1));
    assert!(sess.history.is_empty());
}

#[test]
fn history_is_capped_and_keeps_the_newest() {
    let mut h = History::new(20);
    let base = snap(1);
    for i in 0..45u64 {
        let mut s = base.clone();
        s.label = format!("step {i}");
        h.record(s);
    }
    assert_eq!(h.len(), (20, 0));
    assert_eq!(h.undo_label(), Some("step 44"));
    let mut cur = base.clone();
    let mut n = 0;
    while let Some(prev) = h.undo(cur.clone()) {
        cur = prev;
        n += 1;
    }
    assert_eq!(n, 20, "at least 20 generations can be undone");
    assert_eq!(cur.label, "step 25");
    assert_eq!(h.len(), (0, 20));
}

#[test]
fn default_cap_allows_more_than_twenty_undos() {
    let mut h = History::default();
    for i in 0..25u64 {
        let mut s = snap(1);
        s.label = format!("step {i}");
        h.record(s);
    }
    assert_eq!(h.len(), (25, 0));
    assert_eq!(h.cap(), HISTORY_CAP);
}

#[test]
fn session_round_trips_through_json() {
    let mut sess = Session::default();
    sess.advance(snap(1));
    sess.advance(snap(2));
    sess.advance(snap(3));
    sess.undo();
    sess.export_dir = Some("/tmp/bandmate out".into());
    let json = sess.to_json();
    let (back, warnings) = Session::from_json(&json);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(back, sess);
    assert_eq!(back.clip, sess.clip, "the identical clip comes back");
}

#[test]
fn corrupt_state_loads_as_defaults_with_a_warning() {
    for text in ["", "not json {", "[1,2,3]", "42", "null"] {
        let (s, warnings) = Session::from_json(text);
        assert_eq!(s, Session::default(), "{text:?}");
        assert_eq!(warnings.len(), 1, "{text:?}: {warnings:?}");
    }
}

#[test]
fn partly_corrupt_state_keeps_what_it_can() {
    let mut sess = Session::default();
    sess.advance(snap(1));
    sess.advance(snap(2));
    sess.export_dir = Some("/music".into());
    let mut v = sess.to_value();
    v["settings"] = serde_json::json!({"key": "garbage"});
    if let Some(undo) = v["history"]["undo"].as_array_mut() {
        undo.push(serde_json::json!({"clip": 1}));
    }
    let (back, warnings) = Session::from_value(&v);
    assert_eq!(back.clip, sess.clip);
    assert_eq!(back.export_dir.as_deref(), Some("/music"));
    assert_eq!(back.settings, Settings::default());
    assert_eq!(back.history.len(), (1, 0));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("settings")));
    assert!(warnings.iter().any(|w| w.contains("1 unreadable step")));
}

#[test]
fn other_versions_are_read_with_a_warning() {
    let mut sess = Session::default();
    sess.advance(snap(4));
    let mut v = sess.to_value();
    v["version"] = serde_json::json!(99);
    let (back, warnings) = Session::from_value(&v);
    assert_eq!(back.clip, sess.clip);
    assert!(warnings[0].contains("newer"), "{warnings:?}");
    v["version"] = serde_json::json!(0);
    let (_, warnings) = Session::from_value(&v);
    assert!(warnings[0].contains("old format"), "{warnings:?}");
    let (s, warnings) = Session::from_json("{}");
    assert_eq!(s, Session::default());
    assert_eq!(warnings.len(), 1);
}
