//! Property tests over random keys, modes, meters, tempi, lengths, styles, densities and seeds:
//! rule-based arrangements are well-formed MIDI, stay in range and in key, and are reproducible.

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::{Clip, PartKind, TICKS_PER_QUARTER};
use bandmate_engine::parts::{bass, keys, melody};
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::scale::{self, Scale};
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use bandmate_engine::{drums, import, keydetect, smf};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    settings: Settings,
}

fn case() -> impl Strategy<Value = Case> {
    let styles = (
        0..bass::styles().len(),
        0..keys::styles().len(),
        0..drums::styles().len(),
        0..melody::styles().len(),
        0..3usize,
    );
    let controls = (
        0.0f32..=1.0,
        0.0f32..=1.0,
        0.0f32..=1.0,
        0.0f32..=1.0,
        0u32..=8,
        -2i8..=2,
    );
    (
        (
            0..12i32,
            0..8usize,
            1u8..=13,
            0..4usize,
            40.0f64..240.0,
            1u32..=32,
            any::<u64>(),
            0..4usize,
        ),
        styles,
        controls,
    )
        .prop_map(
            |(
                (tonic, mode, num, den, tempo, bars, seed, hr),
                (b, k, d, m, c),
                (density, complexity, swing, humanize, fill, octave),
            )| {
                let mut s = Settings {
                    key: Key::new(PitchClass::new(tonic), Mode::ALL[mode]),
                    meter: Meter::new(num, [2, 4, 8, 16][den]).expect("valid meter"),
                    tempo_bpm: tempo,
                    bars,
                    seed,
                    source: Source::Rules,
                    harmonic_rhythm: HarmonicRhythm::ALL[hr],
                    complexity,
                    density,
                    swing,
                    humanize,
                    fill_every: fill,
                    ..Settings::default()
                };
                s.enable_only(&PartKind::ALL);
                for p in &mut s.parts {
                    p.octave = octave;
                    p.style = match p.kind {
                        PartKind::Bass => bass::styles()[b],
                        PartKind::Keys => keys::styles()[k],
                        PartKind::Drums => drums::styles()[d],
                        PartKind::Melody => melody::styles()[m],
                        PartKind::Chords => ["close", "open", "drop2"][c],
                    }
                    .to_string();
                }
                Case { settings: s }
            },
        )
}

fn pc_mask_has(mask: u16, pitch: u8) -> bool {
    mask & (1 << (pitch % 12)) != 0
}

/// Semitone distance between pitch classes, 0..=6.
fn pc_distance(a: u8, b: u8) -> u8 {
    let d = (a as i32 - b as i32).rem_euclid(12) as u8;
    d.min(12 - d)
}

fn check_clip(clip: &Clip, s: &Settings) {
    let len = clip.length_ticks();
    assert_eq!(len, s.meter.bar_ticks(TICKS_PER_QUARTER) * s.bars);
    assert_eq!(clip.parts.len(), 5);
    // Chords and keys sound below the melody and are left out under G2 (arrange::clearance):
    // under a melody that reaches below G3 some pitch classes have no octave left.
    let melody_low = clip
        .part(PartKind::Melody)
        .and_then(|m| m.notes.iter().map(|n| n.pitch.as_int()).min());
    let no_room = melody_low.is_some_and(|p| p < 55);
    for part in &clip.parts {
        let may_be_empty = part.kind == PartKind::Melody
            || (no_room && matches!(part.kind, PartKind::Chords | PartKind::Keys));
        assert!(
            !part.notes.is_empty() || may_be_empty,
            "{:?} empty (melody's lowest note {melody_low:?})",
            part.kind
        );
        for n in &part.notes {
            assert!(n.pitch.as_int() <= 127 && n.velocity.as_int() >= 1);
            assert!(n.duration > 0, "{:?} {n:?}", part.kind);
            assert!(n.end() <= len, "{:?} {n:?} past {len}", part.kind);
        }
    }
    // No overlapping notes of one pitch on one channel (across parts sharing a channel too).
    for ch in 0..16u8 {
        let mut by_pitch: Vec<Vec<(u32, u32)>> = vec![Vec::new(); 128];
        for p in clip.parts.iter().filter(|p| p.channel.as_int() == ch) {
            for n in &p.notes {
                by_pitch[n.pitch.as_int() as usize].push((n.start, n.end()));
            }
        }
        for spans in &mut by_pitch {
            spans.sort_unstable();
            for w in spans.windows(2) {
                assert!(w[0].1 <= w[1].0, "channel {ch}: overlap {w:?}");
            }
        }
    }
    // Melody: in the key's scale (the blues style: in the blues scale on the tonic).
    let melody_style = s
        .part(PartKind::Melody)
        .map(|p| p.style.as_str())
        .unwrap_or("lead");
    let melody_mask = if melody_style == "blues" {
        Scale::Blues.mask(s.key)
    } else {
        s.key.scale_mask()
    };
    if let Some(m) = clip.part(PartKind::Melody) {
        for n in &m.notes {
            assert!(
                pc_mask_has(melody_mask, n.pitch.as_int()),
                "melody {n:?} outside {} ({melody_style})",
                s.key
            );
        }
    }
    // Bass: scale tones or tones of a chord sounding near the note; otherwise it must be an
    // approach note, within a whole step of the bass of a chord that starts within a bar. Both
    // windows allow the humanize shift (up to 12 ticks either way).
    let bar = clip.bar_ticks();
    if let Some(b) = clip.part(PartKind::Bass) {
        for n in &b.notes {
            let pitch = n.pitch.as_int();
            if s.key.contains(PitchClass::new(pitch as i32)) {
                continue;
            }
            let near = |t: u32| {
                clip.chords
                    .iter()
                    .filter(move |c| c.start <= t + 12 && t.saturating_sub(100) < c.end())
            };
            let chord_tone = near(n.start).any(|c| pc_mask_has(c.chord.mask(), pitch));
            let approach = clip
                .chords
                .iter()
                .filter(|c| c.start > n.start.saturating_sub(100) && c.start <= n.start + bar + 12)
                .any(|c| pc_distance(pitch % 12, c.chord.bass_pc().index()) <= 2);
            assert!(
                chord_tone || approach,
                "bass {n:?} is neither in {}, a chord tone nor an approach",
                s.key
            );
        }
    }
    // Drums on General MIDI channel 10.
    assert_eq!(
        clip.part(PartKind::Drums).map(|p| p.channel.as_int()),
        Some(9)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn rule_arrangements_are_well_formed_and_reproducible(c in case()) {
        let a = arrange::generate(&c.settings).expect("arrangement");
        check_clip(&a.clip, &c.settings);
        let bytes = smf::write(&a.clip).expect("write");
        let again = smf::write(&arrange::generate(&c.settings).expect("arrangement").clip).expect("write");
        prop_assert_eq!(&bytes, &again, "same seed, same bytes");

        // The written file imports back to the same notes, meter and channels.
        let back = import::import(&bytes).expect("import");
        prop_assert_eq!(back.meter, a.clip.meter);
        // A part left with no notes writes no track.
        let written: Vec<_> = a.clip.parts.iter().filter(|p| !p.notes.is_empty()).collect();
        prop_assert_eq!(back.parts.len(), written.len());
        for (x, y) in written.iter().zip(&back.parts) {
            prop_assert_eq!(&x.notes, &y.notes);
            prop_assert_eq!(x.channel, y.channel);
        }
        let est = keydetect::detect_clip(&a.clip).expect("an estimate for a clip with notes");
        prop_assert!((0.0..=1.0).contains(&est.confidence) && est.correlation.is_finite());
    }

    #[test]
    fn scale_helpers_stay_in_mask(tonic in 0..12i32, mode in 0..8usize, pitch in 0i32..128, steps in -12i32..=12) {
        let key = Key::new(PitchClass::new(tonic), Mode::ALL[mode]);
        for sc in Scale::ALL {
            let mask = sc.mask(key);
            prop_assert!(scale::in_mask(mask, scale::snap(mask, pitch)));
            let stepped = scale::step(mask, pitch, steps);
            prop_assert!(steps == 0 || scale::in_mask(mask, stepped));
            prop_assert!((stepped - pitch).abs() <= steps.abs() * 12);
        }
    }
}
