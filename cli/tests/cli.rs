//! Runs the real `bandmate` binary: files it writes parse back, carry provenance, and repeat byte for byte.

use midly::{MetaMessage, MidiMessage, Smf, TrackEventKind};
use std::path::PathBuf;
use std::process::{Command, Output};

fn bandmate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bandmate"))
        .args(args)
        .output()
        .expect("run bandmate")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bandmate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

#[test]
fn generate_writes_the_documented_clip_deterministically() {
    let out_a = tmp("a.mid");
    let out_b = tmp("b.mid");
    let base = [
        "generate",
        "--key",
        "A minor",
        "--tempo",
        "93",
        "--time-sig",
        "4/4",
        "--bars",
        "8",
        "--parts",
        "chords",
        "--seed",
        "7",
        "--engine",
        "rules",
        "--out",
    ];
    let a = bandmate(&[&base[..], &[out_a.to_str().expect("utf8")]].concat());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = bandmate(&[&base[..], &[out_b.to_str().expect("utf8")]].concat());
    assert!(b.status.success());
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(stdout.contains("chords: "), "{stdout}");
    let bytes = std::fs::read(&out_a).expect("read a");
    assert_eq!(
        bytes,
        std::fs::read(&out_b).expect("read b"),
        "same arguments, same bytes"
    );

    let smf = Smf::parse(&bytes).expect("parse");
    assert_eq!(smf.tracks.len(), 2, "conductor + chords");
    let mut provenance = String::new();
    let mut tempo = 0;
    for e in &smf.tracks[0] {
        match e.kind {
            TrackEventKind::Meta(MetaMessage::Text(t)) => {
                provenance = String::from_utf8_lossy(t).into_owned()
            }
            TrackEventKind::Meta(MetaMessage::Tempo(t)) => tempo = t.as_int(),
            _ => {}
        }
    }
    assert!(
        provenance.contains("seed: 7")
            && provenance.contains("bars=8")
            && provenance.contains("bandmate "),
        "{provenance}"
    );
    assert_eq!(tempo, (60_000_000f64 / 93.0).round() as u32);
    let ons = smf.tracks[1]
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TrackEventKind::Midi {
                    message: MidiMessage::NoteOn { .. },
                    ..
                }
            )
        })
        .count();
    assert!(ons >= 8 * 3, "at least a triad per bar, got {ons}");
    // The chord names printed match the chord markers written.
    let names: Vec<String> = smf.tracks[0]
        .iter()
        .filter_map(|e| match e.kind {
            TrackEventKind::Meta(MetaMessage::Marker(m)) => {
                Some(String::from_utf8_lossy(m).into_owned())
            }
            _ => None,
        })
        .collect();
    assert!(stdout.contains(&names.join(" | ")), "{stdout} vs {names:?}");

    let other = tmp("c.mid");
    let c = bandmate(&[
        "generate",
        "--key",
        "A minor",
        "--bars",
        "8",
        "--seed",
        "8",
        "--engine",
        "rules",
        "--out",
        other.to_str().expect("utf8"),
    ]);
    assert!(c.status.success());
    assert_ne!(
        bytes,
        std::fs::read(&other).expect("read c"),
        "another seed, another clip"
    );
}

#[test]
fn bad_arguments_fail_with_a_message() {
    for args in [
        &["generate", "--key", "H major"][..],
        &["generate", "--time-sig", "4/0"],
        &["generate", "--parts", "tuba"],
        &["generate", "--bars", "1000"],
        &["analyze", "/nonexistent/file.mid"],
    ] {
        let o = bandmate(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
    }
}

#[test]
fn analyze_reads_back_a_generated_file_and_rejects_garbage() {
    let out = tmp("an.mid");
    let g = bandmate(&[
        "generate",
        "--key",
        "E minor",
        "--tempo",
        "100",
        "--time-sig",
        "3/4",
        "--bars",
        "8",
        "--parts",
        "chords,melody,bass",
        "--engine",
        "rules",
        "--seed",
        "3",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    let a = bandmate(&["analyze", out.to_str().expect("utf8")]);
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(
        text.contains("3/4") && text.contains("100.00 bpm"),
        "{text}"
    );
    assert!(text.contains("key:"), "{text}");
    let junk = tmp("junk.mid");
    std::fs::write(&junk, b"MThd\x00\x00\x00\x06\x00\x01").expect("write");
    let a = bandmate(&["analyze", junk.to_str().expect("utf8")]);
    assert!(!a.status.success());
    assert!(String::from_utf8_lossy(&a.stderr).contains("not a usable MIDI file"));
}

#[test]
fn generate_form_writes_a_song_with_section_markers() {
    let out = tmp("song.mid");
    let o = bandmate(&[
        "generate",
        "--form",
        "verse:4 chorus:4@0.9 outro:2",
        "--time-sig",
        "3/4",
        "--parts",
        "chords,melody,bass,drums",
        "--engine",
        "rules",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("10 bars in 3 sections"), "{stdout}");
    let bytes = std::fs::read(&out).expect("read back");
    let smf = Smf::parse(&bytes).expect("valid SMF");
    let mut now = 0u32;
    let mut markers = Vec::new();
    for e in &smf.tracks[0] {
        now += e.delta.as_int();
        if let TrackEventKind::Meta(MetaMessage::Marker(m)) = e.kind {
            markers.push((now, String::from_utf8_lossy(m).into_owned()));
        }
    }
    let bar = 3 * 480;
    for (tick, label) in [(0, "Verse 1"), (4 * bar, "Chorus 1"), (8 * bar, "Outro 1")] {
        assert!(
            markers.contains(&(tick, label.to_string())),
            "{label}: {markers:?}"
        );
    }

    let bad = bandmate(&["generate", "--form", "verse:4 chorsu:4", "--out", "x.mid"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("chorsu:4") && err.contains("unknown section"),
        "{err}"
    );

    let forms = bandmate(&["forms"]);
    let list = String::from_utf8_lossy(&forms.stdout);
    for name in ["pop", "rock", "blues", "jazz-aaba", "edm", "ballad"] {
        assert!(list.contains(name), "{list}");
    }
}
