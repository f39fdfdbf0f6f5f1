//! Loads the bundled plugin through CLAP, checks its descriptor and ports, plays the default clip
//! at 120 bpm 4/4 and checks every note event against the clip; stop releases every note.
//! Needs `cargo xtask bundle bandmate --features assert_process_allocs` first.

use bandmate_engine::arrange::{generate, Settings};
use bandmate_tests::*;

#[test]
fn descriptor_and_ports() {
    let entry = unsafe { clack_host::prelude::PluginEntry::load(bundle_path()) }.expect("load");
    let factory = entry.get_plugin_factory().expect("plugin factory");
    let descriptors: Vec<_> = factory.plugin_descriptors().collect();
    assert_eq!(descriptors.len(), 1);
    let d = descriptors[0];
    assert_eq!(d.id(), Some(PLUGIN_ID));
    assert_eq!(
        d.name()
            .map(|s| s.to_string_lossy().into_owned())
            .as_deref(),
        Some("Bandmate")
    );
    assert!(d.vendor().is_some_and(|v| !v.is_empty()));
    assert!(d.url().is_some_and(|v| !v.is_empty()));
    let features: Vec<String> = d
        .features()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    for f in ["instrument", "note-effect", "utility"] {
        assert!(
            features.iter().any(|x| x == f),
            "feature {f} missing from {features:?}"
        );
    }
    drop(descriptors);

    let s = Session::new(48_000.0, 512);
    let outs = s.note_ports(false);
    let ins = s.note_ports(true);
    assert_eq!(outs.len(), 1, "one note output port");
    assert_eq!(ins.len(), 1, "one note input port (key detection, thru)");
    // CLAP_NOTE_DIALECT_CLAP = 1, CLAP_NOTE_DIALECT_MIDI = 2
    assert!(outs[0].supported_dialects & 3 != 0);
}

#[test]
fn default_clip_follows_the_documented_rule() {
    let mut s = Session::new(48_000.0, 512);
    // Before the first block the host meter is unknown; the plugin generated with 4/4.
    let state = s.state();
    let saved = saved_field(&state, "clip");
    let settings: Settings = serde_json::from_value(saved["settings"].clone()).expect("settings");
    assert_eq!(
        settings,
        Settings::default(),
        "default parameters must map to Settings::default()"
    );
    let expected = generate(&Settings::default()).expect("engine").clip;
    let mut got = s.clip();
    assert_eq!(got.chords, expected.chords, "chord track");
    assert_eq!(got.parts, expected.parts, "parts");
    // The provenance names the model backend, which may differ between this process (tract, or
    // native ONNX Runtime when ORT_DYLIB_PATH is set) and the plugin (the runtime shipped beside
    // the bundle); both backends give the same notes.
    got.provenance.engine = expected.provenance.engine.clone();
    assert_eq!(
        got, expected,
        "the plugin's default clip must equal `bandmate generate` with default settings"
    );
    // A host reporting 4/4 does not change it.
    s.play(0.5, 512, 120.0, (4, 4), 0.0);
    let mut after = s.clip();
    after.provenance.engine = expected.provenance.engine.clone();
    assert_eq!(after, expected);
}

#[test]
fn plays_the_clip_sample_accurately_at_120_bpm_and_releases_on_stop() {
    let mut s = Session::new(48_000.0, 512);
    let clip = s.clip();
    assert!(clip.note_count() > 0);
    // 10 s = 5 bars at 120 bpm: more than one loop of the 4-bar default clip.
    let got = s.play(10.0, 512, 120.0, (4, 4), 0.0);
    let end = s.now;
    let want = expected(&clip, 120.0, 48_000.0, 0, end);
    assert_eq!(
        sorted(got.clone()),
        want,
        "note events differ from the clip at 120 bpm"
    );
    // 120 bpm at 48 kHz = 24000 samples per quarter: the first bar's chord starts at 0, the
    // second at 96000.
    assert!(got.iter().any(|e| e.on && e.time == 0));
    assert!(got.iter().any(|e| e.on && e.time == 96_000));
    let sounding = check_balance(&got);
    assert!(!sounding.is_empty(), "a chord is sounding at the end");

    // Stop: every sounding note ends in the first stopped block, at offset 0.
    let stop = s.block(512, Some(Tp::at(false, 120.0, 20.0, (4, 4))), &[]);
    assert_eq!(stop.len(), sounding.len());
    assert!(stop.iter().all(|e| !e.on && e.time == end));
    let mut all = got;
    all.extend(stop);
    assert!(check_balance(&all).is_empty());
    // Stopped: silence.
    for _ in 0..20 {
        assert!(s
            .block(512, Some(Tp::at(false, 120.0, 20.0, (4, 4))), &[])
            .is_empty());
    }
}
