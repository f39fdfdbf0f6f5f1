//! Saved editor state is untrusted input (issue 8): truncated, garbled, hand-edited, old- and
//! newer-version JSON must load as defaults plus whatever could be recovered, with warnings, and
//! whatever loads must be safe to use: played, exported, undone/redone and generated from.
//! (The session format's own unit tests are in `src/session/tests.rs`.)

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::playback::PlaybackClip;
use bandmate_engine::session::{Session, Snapshot, VERSION};
use bandmate_engine::smf;
use serde_json::{json, Value};

fn snap(seed: u64) -> Snapshot {
    let mut settings = Settings {
        source: Source::Rules,
        bars: 2,
        seed,
        ..Settings::default()
    };
    settings.enable_only(&[PartKind::Chords, PartKind::Bass, PartKind::Drums]);
    let clip = arrange::generate(&settings).expect("clip").clip;
    Snapshot {
        clip,
        settings,
        label: format!("generate (seed {seed})"),
    }
}

fn saved_session() -> Session {
    let mut s = Session::default();
    for seed in 1..=3 {
        s.advance(snap(seed));
    }
    s.undo();
    s.export_dir = Some("/home/me/Music/Bandmate".into());
    s
}

/// Everything the plugin does with a restored session; none of it may panic.
fn use_session(mut s: Session) {
    if let Some(clip) = &s.clip {
        let pb = PlaybackClip::from_clip(clip);
        assert_eq!(pb.events().len() % 2, 0);
        let _ = smf::write(clip);
    }
    let mut settings = s.settings.clone();
    settings.source = Source::Rules;
    if let Ok(a) = arrange::generate(&settings) {
        smf::write(&a.clip).expect("a generated clip can be written");
    }
    while s.undo().is_some() {}
    while s.redo().is_some() {}
    let (again, _) = Session::from_json(&s.to_json());
    assert_eq!(again.clip.is_some(), s.clip.is_some());
}

#[test]
fn truncated_state_loads_with_a_warning_at_every_length() {
    let json = saved_session().to_json();
    let step = (json.len() / 1500).max(1);
    for cut in (0..json.len()).step_by(step) {
        let Some(text) = json.get(..cut) else {
            continue;
        };
        let (s, warnings) = Session::from_json(text);
        assert!(!warnings.is_empty(), "cut at {cut} loaded silently");
        use_session(s);
    }
    let (whole, warnings) = Session::from_json(&json);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(whole, saved_session());
}

#[test]
fn garbled_state_never_panics() {
    let json = saved_session().to_json().into_bytes();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..600 {
        let mut b = json.clone();
        for _ in 0..1 + round % 8 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x % b.len() as u64) as usize;
            match round % 3 {
                0 => b[i] = (x >> 32) as u8,
                1 => b[i] = b"0123456789-.e,:{}[]\"nul"[(x >> 40) as usize % 23],
                _ => {
                    b.remove(i);
                }
            }
        }
        let (s, _) = Session::from_json(&String::from_utf8_lossy(&b));
        use_session(s);
    }
}

/// A named hand edit of a saved session's JSON.
type Edit = (&'static str, fn(&mut Value));

/// Hand-edited values outside their types' ranges are dropped with a warning, not carried into
/// code that indexes or divides by them.
#[test]
fn out_of_range_values_are_rejected_with_a_warning() {
    let base = saved_session().to_value();
    let edits: Vec<Edit> = vec![
        ("pitch class 200", |v| {
            v["settings"]["key"]["tonic"] = json!(200)
        }),
        ("clip key 12", |v| v["clip"]["key"]["tonic"] = json!(12)),
        ("meter 0/0", |v| {
            v["settings"]["meter"] = json!({"numerator": 0, "denominator": 0})
        }),
        ("clip meter 4/0", |v| {
            v["clip"]["meter"] = json!({"numerator": 4, "denominator": 0})
        }),
        ("clip meter 7/3", |v| {
            v["clip"]["meter"] = json!({"numerator": 7, "denominator": 3})
        }),
        ("chord root 99", |v| {
            v["clip"]["chords"][0]["chord"]["root"] = json!(99)
        }),
        ("note pitch 128", |v| {
            v["clip"]["parts"][0]["notes"][0]["pitch"] = json!(128)
        }),
        ("channel 16", |v| {
            v["clip"]["parts"][0]["channel"] = json!(16)
        }),
        ("negative bars", |v| v["settings"]["bars"] = json!(-4)),
    ];
    for (what, edit) in edits {
        let mut v = base.clone();
        edit(&mut v);
        let (s, warnings) = Session::from_value(&v);
        assert!(!warnings.is_empty(), "{what}: accepted silently");
        use_session(s);
    }
}

/// Values that are in range for their types but absurd for a clip still load and stay safe.
#[test]
fn absurd_but_typed_values_are_safe_to_use() {
    let base = saved_session().to_value();
    let edits: Vec<Edit> = vec![
        ("bars u32::MAX", |v| v["clip"]["bars"] = json!(u32::MAX)),
        ("bars 0", |v| v["clip"]["bars"] = json!(0)),
        ("note at the end of time", |v| {
            v["clip"]["parts"][0]["notes"][0]["start"] = json!(u32::MAX);
            v["clip"]["parts"][0]["notes"][0]["duration"] = json!(u32::MAX);
        }),
        ("zero-length note", |v| {
            v["clip"]["parts"][0]["notes"][0]["duration"] = json!(0)
        }),
        ("tempo 1e300", |v| v["clip"]["tempo_bpm"] = json!(1e300)),
        ("tempo -5", |v| v["clip"]["tempo_bpm"] = json!(-5.0)),
        ("settings tempo 0", |v| {
            v["settings"]["tempo_bpm"] = json!(0.0)
        }),
        ("settings bars 4000000000", |v| {
            v["settings"]["bars"] = json!(4_000_000_000u32)
        }),
        ("density 1e38", |v| v["settings"]["density"] = json!(1e38)),
        ("chord at the end of time", |v| {
            v["clip"]["chords"][0]["start"] = json!(u32::MAX);
            v["clip"]["chords"][0]["duration"] = json!(u32::MAX);
        }),
        ("roman degree 200", |v| {
            v["clip"]["chords"][0]["roman"]["degree"] = json!(200)
        }),
        ("roman inversion 200", |v| {
            v["clip"]["chords"][0]["roman"]["inversion"] = json!(200)
        }),
        ("octave 127, channel 255", |v| {
            v["settings"]["parts"][0]["octave"] = json!(127);
            v["settings"]["parts"][0]["channel"] = json!(255);
        }),
        ("history cap 0", |v| v["history"]["cap"] = json!(0)),
        ("history cap huge", |v| {
            v["history"]["cap"] = json!(u64::MAX)
        }),
        ("history is a string", |v| v["history"] = json!("undo")),
    ];
    for (_what, edit) in edits {
        let mut v = base.clone();
        edit(&mut v);
        let (s, _) = Session::from_value(&v);
        use_session(s);
    }
}

#[test]
fn old_and_future_versions_keep_what_they_can() {
    let sess = saved_session();
    // A state from before the format had a version, a history or an export folder.
    let mut v = sess.to_value();
    let obj = v.as_object_mut().expect("object");
    obj.remove("version");
    obj.remove("history");
    obj.remove("export_dir");
    let (s, warnings) = Session::from_value(&v);
    assert_eq!(s.clip, sess.clip);
    assert_eq!(s.settings, sess.settings);
    assert!(s.history.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    use_session(s);

    // Version 0 and a future version with fields this build does not know.
    for version in [0, u64::from(VERSION) + 1, u64::MAX] {
        let mut v = sess.to_value();
        v["version"] = json!(version);
        v["a_future_field"] = json!({"anything": [1, 2, 3]});
        v["settings"]["a_future_setting"] = json!(true);
        let (s, warnings) = Session::from_value(&v);
        assert_eq!(s.clip, sess.clip, "version {version}");
        assert!(!warnings.is_empty(), "version {version}");
        use_session(s);
    }

    // Settings saved before a field existed: the missing fields take their defaults, the rest
    // is kept.
    let mut v = sess.to_value();
    let settings = v["settings"].as_object_mut().expect("settings object");
    settings.remove("fill_every");
    settings.remove("humanize");
    let (s, warnings) = Session::from_value(&v);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(s.settings.seed, sess.settings.seed);
    assert_eq!(s.settings.parts, sess.settings.parts);
    assert_eq!(s.settings.fill_every, Settings::default().fill_every);

    // A version that is not a number.
    let mut v = sess.to_value();
    v["version"] = json!("1");
    let (s, warnings) = Session::from_value(&v);
    assert_eq!(s.clip, sess.clip);
    assert!(!warnings.is_empty());
}

/// Writes the `session_json` fuzz seeds when `BANDMATE_WRITE_FUZZ_SEEDS` names a folder
/// (`fuzz/corpus/session_json`); does nothing otherwise.
#[test]
fn write_fuzz_seeds() {
    let Some(dir) = std::env::var_os("BANDMATE_WRITE_FUZZ_SEEDS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let full = saved_session();
    let mut one = Session::default();
    one.advance(snap(9));
    let mut v = one.to_value();
    v["version"] = json!(0);
    v.as_object_mut().expect("object").remove("history");
    for (name, text) in [
        ("default.json", Session::default().to_json()),
        ("one-generation.json", one.to_json()),
        ("history.json", full.to_json()),
        ("old-version.json", v.to_string()),
    ] {
        std::fs::write(dir.join(name), text).expect("write seed");
    }
}
