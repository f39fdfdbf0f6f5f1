//! Parameter extremes through `arrange::generate` with both sources: every result is either a
//! valid clip or a clear error, never a panic.
//!
//! A valid clip: the requested length, meter and tempo; a chord track that tiles the clip; every
//! note of every part with duration > 0, velocity 1..=127, inside the clip, on a channel 0..=15;
//! `smf::write` succeeds and the bytes parse back with midly with exactly one note-off for every
//! note-on (no stuck notes) and the same notes per track; the same settings give the same clip.
//!
//! Model runs go through whatever backend the process gets (native ONNX Runtime in CI via
//! `ORT_DYLIB_PATH`, tract otherwise) and fall back to rules with a notice where a model cannot
//! serve the request; both outcomes must be valid clips.

use bandmate_engine::arrange::{self, default_parts, ArrangeError, Settings, Source};
use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::playback::PlaybackClip;
use bandmate_engine::theory::Meter;
use bandmate_engine::{drums, parts, smf, TICKS_PER_QUARTER};
use midly::{MidiMessage, Smf, TrackEventKind};

const SOURCES: [Source; 2] = [Source::Rules, Source::Model];

fn settings(source: Source, meter: Meter, bars: u32) -> Settings {
    let mut s = Settings {
        source,
        meter,
        bars,
        seed: 7,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    s
}

/// Checks everything the module docs promise about a clip made from `s`.
fn check_clip(s: &Settings, clip: &Clip) {
    let ctx = format!(
        "{} {} bars {} bpm {:?}",
        s.meter, s.bars, s.tempo_bpm, s.source
    );
    assert_eq!(
        (clip.bars, clip.meter, clip.tempo_bpm),
        (s.bars, s.meter, s.tempo_bpm),
        "{ctx}"
    );
    let len = clip.length_ticks();
    assert_eq!(len, s.meter.bar_ticks(TICKS_PER_QUARTER) * s.bars, "{ctx}");

    // The chord track tiles the clip.
    assert!(!clip.chords.is_empty(), "{ctx}: no chords");
    assert_eq!(clip.chords[0].start, 0, "{ctx}");
    for w in clip.chords.windows(2) {
        assert_eq!(
            w[0].end(),
            w[1].start,
            "{ctx}: chord track has a gap or overlap"
        );
    }
    assert!(
        clip.chords.iter().all(|c| c.duration > 0),
        "{ctx}: empty chord"
    );
    assert_eq!(
        clip.chords.last().map(|c| c.end()),
        Some(len),
        "{ctx}: chords do not reach the end"
    );

    let enabled: Vec<PartKind> = s
        .parts
        .iter()
        .filter(|p| p.enabled)
        .map(|p| p.kind)
        .collect();
    for p in &clip.parts {
        assert!(
            enabled.contains(&p.kind),
            "{ctx}: {:?} not asked for",
            p.kind
        );
        assert!(p.channel.as_int() <= 15);
        for n in &p.notes {
            assert!(
                n.duration > 0,
                "{ctx}: {:?} has an empty note {n:?}",
                p.kind
            );
            assert!(
                n.end() <= len,
                "{ctx}: {:?} note {n:?} ends after the clip ({len})",
                p.kind
            );
            assert!(
                (1..=127).contains(&n.velocity.as_int()),
                "{ctx}: {:?} velocity {n:?}",
                p.kind
            );
            assert!(n.pitch.as_int() <= 127);
        }
        for w in p.notes.windows(2) {
            assert!(
                w[0].start <= w[1].start,
                "{ctx}: {:?} notes out of order",
                p.kind
            );
        }
    }

    let pb = PlaybackClip::from_clip(clip);
    assert_eq!(
        pb.events().len(),
        clip.note_count() * 2,
        "{ctx}: playback events"
    );

    let bytes = smf::write(clip).unwrap_or_else(|e| panic!("{ctx}: smf::write: {e}"));
    let smf =
        Smf::parse(&bytes).unwrap_or_else(|e| panic!("{ctx}: midly cannot parse our file: {e}"));
    assert_eq!(
        smf.tracks.len(),
        clip.parts.len() + 1,
        "{ctx}: conductor + one track per part"
    );
    for (track, part) in smf.tracks.iter().skip(1).zip(&clip.parts) {
        let mut sounding = [[0i32; 128]; 16];
        let mut ons = 0usize;
        let mut now = 0u64;
        for ev in track {
            now += u64::from(ev.delta.as_int());
            if let TrackEventKind::Midi { channel, message } = ev.kind {
                let ch = channel.as_int() as usize;
                match message {
                    MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                        sounding[ch][key.as_int() as usize] += 1;
                        ons += 1;
                    }
                    MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                        sounding[ch][key.as_int() as usize] -= 1;
                        assert!(
                            sounding[ch][key.as_int() as usize] >= 0,
                            "{ctx}: note-off without note-on"
                        );
                    }
                    _ => {}
                }
            }
        }
        assert!(
            now <= u64::from(len),
            "{ctx}: {:?} track runs past the clip",
            part.kind
        );
        assert!(
            sounding.iter().flatten().all(|&c| c == 0),
            "{ctx}: {:?} leaves a note sounding",
            part.kind
        );
        assert_eq!(
            ons,
            part.notes.len(),
            "{ctx}: {:?} note count in the file",
            part.kind
        );
    }
}

/// Generates twice (determinism) and checks the clip; returns the notices.
fn generate_ok(s: &Settings) -> Vec<arrange::Notice> {
    let a = arrange::generate(s)
        .unwrap_or_else(|e| panic!("{} {} bars {:?}: {e}", s.meter, s.bars, s.source));
    check_clip(s, &a.clip);
    let b = arrange::generate(s).expect("second run");
    assert_eq!(
        a.clip, b.clip,
        "{} {:?}: same settings, same clip",
        s.meter, s.source
    );
    a.notices
}

#[test]
fn tempo_extremes_are_valid_or_clear_errors() {
    for source in SOURCES {
        for bpm in [20.0, 20.000_001, 33.3, 120.0, 998.999, 999.0] {
            let s = Settings {
                tempo_bpm: bpm,
                ..settings(source, Meter::COMMON, 2)
            };
            generate_ok(&s);
        }
        for bpm in [
            0.0,
            19.999,
            999.001,
            -120.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
        ] {
            let s = Settings {
                tempo_bpm: bpm,
                ..settings(source, Meter::COMMON, 2)
            };
            assert!(
                matches!(arrange::generate(&s), Err(ArrangeError::Tempo(_))),
                "{bpm} bpm"
            );
        }
    }
}

#[test]
fn thirty_two_bars_of_13_16_at_both_ends_of_the_tempo_range() {
    let m = Meter::new(13, 16).expect("13/16");
    for source in SOURCES {
        for bpm in [20.0, 999.0] {
            let s = Settings {
                tempo_bpm: bpm,
                ..settings(source, m, 32)
            };
            generate_ok(&s);
        }
    }
}

#[test]
fn bar_count_limits() {
    for source in SOURCES {
        for bars in [0, 65, u32::MAX] {
            assert_eq!(
                arrange::generate(&settings(source, Meter::COMMON, bars)).err(),
                Some(ArrangeError::Bars(bars))
            );
        }
        generate_ok(&settings(source, Meter::COMMON, 1));
    }
    // The longest clip: 64 bars of the longest meter.
    generate_ok(&settings(
        Source::Rules,
        Meter::new(32, 1).expect("32/1"),
        64,
    ));
}

#[test]
fn every_meter_with_rules() {
    for d in [1, 2, 4, 8, 16, 32] {
        for n in 1..=32 {
            let m = Meter::new(n, d).expect("meter");
            generate_ok(&settings(Source::Rules, m, 2));
        }
    }
}

#[test]
fn every_meter_with_the_models() {
    // One bar each; a meter the models cannot represent (not a whole number of 16ths) falls back
    // to rules with a notice. Every meter on native ONNX Runtime (CI, ~4 s); every third
    // numerator on tract, which is ~20x slower per step (~70 s for the full sweep).
    let stride = if bandmate_engine::model::backend_name().contains("tract") {
        3
    } else {
        1
    };
    for d in [1, 2, 4, 8, 16, 32] {
        for n in (1..=32).step_by(stride) {
            let m = Meter::new(n, d).expect("meter");
            let mut s = settings(Source::Model, m, 1);
            s.enable_only(&[PartKind::Chords, PartKind::Melody, PartKind::Bass]);
            generate_ok(&s);
        }
    }
}

#[test]
fn every_drum_style_at_density_0_and_1() {
    let meters = ["4/4", "3/4", "6/8", "7/8", "13/16", "1/1", "32/32", "5/2"]
        .map(|m| m.parse::<Meter>().expect("meter"));
    for &style in drums::styles() {
        for density in [0.0, 1.0] {
            for (i, &m) in meters.iter().enumerate() {
                let mut s = settings(Source::Rules, m, 4);
                s.enable_only(&[PartKind::Drums]);
                s.density = density;
                s.fill_every = [0, 1, 2, 4][i % 4];
                if let Some(d) = s.part_mut(PartKind::Drums) {
                    d.style = style.to_string();
                }
                generate_ok(&s);
                let clip = arrange::generate(&s).expect("drums").clip;
                let drums = clip.part(PartKind::Drums).expect("a drum part");
                assert!(
                    !drums.notes.is_empty(),
                    "{style} density {density} in {m}: silent"
                );
            }
        }
    }
}

#[test]
fn every_part_style_at_the_extremes_of_every_control() {
    let styles: [(PartKind, &[&str]); 3] = [
        (PartKind::Bass, parts::bass::styles()),
        (PartKind::Keys, parts::keys::styles()),
        (PartKind::Melody, parts::melody::styles()),
    ];
    for (kind, names) in styles {
        for &style in names {
            for v in [0.0f32, 1.0] {
                for (m, octave) in [("4/4", -3i8), ("13/16", 3), ("1/32", 0)] {
                    let mut s = settings(Source::Rules, m.parse().expect("meter"), 3);
                    s.enable_only(&[PartKind::Chords, kind]);
                    (s.density, s.complexity, s.adventure, s.swing, s.humanize) = (v, v, v, v, v);
                    if let Some(p) = s.part_mut(kind) {
                        p.style = style.to_string();
                        p.octave = octave;
                    }
                    generate_ok(&s);
                }
            }
        }
    }
}

#[test]
fn every_part_disabled_gives_a_chord_track_and_no_parts() {
    for source in SOURCES {
        let mut s = settings(source, Meter::COMMON, 4);
        s.enable_only(&[]);
        generate_ok(&s);
        assert!(arrange::generate(&s).expect("clip").clip.parts.is_empty());
        // No part options at all.
        s.parts.clear();
        generate_ok(&s);
    }
}

#[test]
fn odd_settings_are_clamped_or_clear_errors() {
    let mut s = settings(Source::Rules, Meter::COMMON, 2);
    // Out-of-range and non-finite controls are clamped by the generators.
    for v in [-1.0f32, 2.0, f32::NAN, f32::INFINITY] {
        (s.density, s.complexity, s.adventure, s.swing, s.humanize) = (v, v, v, v, v);
        s.fill_every = u32::MAX;
        generate_ok(&s);
    }
    // Octaves and channels outside their ranges.
    let mut s = settings(Source::Rules, Meter::COMMON, 2);
    for p in &mut s.parts {
        p.octave = i8::MAX;
        p.channel = u8::MAX;
    }
    generate_ok(&s);
    // Unknown styles are errors naming the known ones.
    let mut s = settings(Source::Rules, Meter::COMMON, 2);
    if let Some(d) = s.part_mut(PartKind::Drums) {
        d.style = "polka-from-mars".into();
    }
    match arrange::generate(&s) {
        Err(ArrangeError::PartStyle(e)) => assert!(e.to_string().contains("polka-from-mars")),
        other => panic!("expected an unknown-style error, got {other:?}"),
    }
    // Duplicate part options: the first wins, the clip is still valid.
    let mut s = settings(Source::Rules, Meter::COMMON, 2);
    s.parts.extend(default_parts(&PartKind::ALL));
    generate_ok(&s);
}
