use super::*;
use crate::arrange::Source;
use crate::clip::Note;
use crate::theory::Meter;
use midly::{MetaMessage, Smf, TrackEventKind};

fn base() -> Settings {
    let mut s = Settings {
        source: Source::Rules,
        seed: 11,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    s
}

#[test]
fn parses_sections_energy_and_presets() {
    let f = Form::parse("intro:4 verse:8 pre:4 chorus:8@0.9").expect("form");
    assert_eq!(f.sections.len(), 4);
    assert_eq!(f.total_bars(), 24);
    assert_eq!(f.sections[2].kind, SectionKind::PreChorus);
    assert!((f.sections[3].energy - 0.9).abs() < 1e-6);
    assert_eq!(f.sections[1].energy, SectionKind::Verse.default_energy());
    let blues = Form::parse("blues").expect("preset");
    assert_eq!(blues.total_bars(), 36);
    assert_eq!(blues.progressions.len(), 1);
    assert_eq!(Form::parse("Jazz-AABA").expect("preset").total_bars(), 32);
    assert_eq!(Form::parse(&f.to_string()).expect("round trip"), f);
}

#[test]
fn bad_forms_name_the_token() {
    for (text, token) in [
        ("verse:8 chorsu:8", "chorsu:8"),
        ("verse:eight", "verse:eight"),
        ("verse:0", "verse:0"),
        ("verse:65", "verse:65"),
        ("verse:8@1.5", "verse:8@1.5"),
        ("verse", "verse"),
        ("verse:8@loud", "verse:8@loud"),
    ] {
        match Form::parse(text) {
            Err(FormError::Token { token: t, .. }) => assert_eq!(t, token, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert!(matches!(Form::parse("  "), Err(FormError::Empty(_))));
    assert!(matches!(
        Form::parse(&"chorus:64 ".repeat(9)),
        Err(FormError::TooLong(576))
    ));
}

#[test]
fn every_preset_generates_in_every_meter() {
    let meters = [
        "4/4", "3/4", "6/8", "2/4", "2/2", "5/4", "7/8", "12/8", "9/8",
    ];
    for p in PRESETS {
        let form = Form::parse(p.name).expect("preset");
        for m in meters {
            let mut s = base();
            s.meter = m.parse::<Meter>().expect("meter");
            let song = generate(&s, &form).unwrap_or_else(|e| panic!("{} {m}: {e}", p.name));
            let len = song.clip.length_ticks();
            assert_eq!(song.clip.bars, form.total_bars());
            for part in &song.clip.parts {
                for n in &part.notes {
                    assert!(
                        n.duration > 0 && n.end() <= len,
                        "{} {m} {:?}",
                        p.name,
                        part.kind
                    );
                }
            }
            let covered: u32 = song.clip.chords.iter().map(|c| c.duration).sum();
            assert_eq!(covered, len, "{} {m}: the chords cover the song", p.name);
            song.to_smf().expect("writes");
        }
    }
}

#[test]
fn markers_land_on_the_section_starts() {
    let s = base();
    let form = Form::parse("intro:4 verse:8 chorus:8 outro:2").expect("form");
    let song = generate(&s, &form).expect("song");
    let bytes = song.to_smf().expect("smf");
    let smf = Smf::parse(&bytes).expect("parses back");
    let mut now = 0u32;
    let mut markers = Vec::new();
    for e in &smf.tracks[0] {
        now += e.delta.as_int();
        if let TrackEventKind::Meta(MetaMessage::Marker(m)) = e.kind {
            markers.push((now, String::from_utf8_lossy(m).into_owned()));
        }
    }
    let bar = song.clip.bar_ticks();
    for (label, bar_no) in [
        ("Intro 1", 0),
        ("Verse 1", 4),
        ("Chorus 1", 12),
        ("Outro 1", 20),
    ] {
        assert!(
            markers.contains(&(bar_no * bar, label.to_string())),
            "{label} at bar {bar_no}: {markers:?}"
        );
    }
}

/// Chords of the song inside one section, relative to its start.
fn section_chords(song: &Song, i: usize) -> Vec<(u32, u32, String)> {
    let bar = song.clip.bar_ticks();
    let sec = &song.sections[i];
    let (from, to) = (sec.start_bar * bar, (sec.start_bar + sec.spec.bars) * bar);
    song.clip
        .chords
        .iter()
        .filter(|c| c.start >= from && c.start < to)
        .map(|c| (c.start - from, c.duration, c.chord.symbol(false)))
        .collect()
}

fn section_notes(song: &Song, i: usize, kind: PartKind) -> Vec<Note> {
    let bar = song.clip.bar_ticks();
    let sec = &song.sections[i];
    let (from, to) = (sec.start_bar * bar, (sec.start_bar + sec.spec.bars) * bar);
    song.clip
        .part(kind)
        .map(|p| {
            p.notes
                .iter()
                .filter(|n| n.start >= from && n.start < to)
                .map(|n| Note {
                    start: n.start - from,
                    ..*n
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn repeated_sections_repeat_their_chords_and_vary_the_melody_end() {
    let s = base();
    let form = Form::parse("pop").expect("preset");
    let song = generate(&s, &form).expect("song");
    // pop: intro verse pre chorus verse pre chorus bridge chorus outro
    assert_eq!(section_chords(&song, 1), section_chords(&song, 4), "verses");
    assert_eq!(
        section_chords(&song, 3),
        section_chords(&song, 6),
        "choruses"
    );
    assert_ne!(
        section_chords(&song, 1),
        section_chords(&song, 3),
        "verse differs from chorus"
    );
    let (m1, m2) = (
        section_notes(&song, 3, PartKind::Melody),
        section_notes(&song, 6, PartKind::Melody),
    );
    assert!(!m1.is_empty());
    let cut = song.clip.bar_ticks() * 6;
    let head = |m: &[Note]| {
        m.iter()
            .filter(|n| n.start < cut)
            .map(|n| (n.start, n.pitch))
            .collect::<Vec<_>>()
    };
    assert_eq!(head(&m1), head(&m2), "the chorus melody comes back");
    assert_ne!(m1, m2, "with a varied ending");
    assert_eq!(song.sections[6].label, "Chorus 2");
}

#[test]
fn sections_end_on_a_turnaround_and_the_song_on_the_tonic() {
    let s = base();
    let song = generate(&s, &Form::parse("verse:4 chorus:4 outro:4").expect("form")).expect("song");
    let bar = song.clip.bar_ticks();
    let at = |b: u32| song.clip.chord_at(b * bar + 1).map(|c| c.chord.root);
    let dominant = s.key.degree_pc(4);
    assert_eq!(at(3), Some(dominant));
    assert_eq!(at(7), Some(dominant));
    assert_eq!(at(11), Some(s.key.degree_pc(0)));
}

#[test]
fn energy_sets_density_and_parts() {
    let s = base();
    let song = generate(
        &s,
        &Form::parse("intro:8@0.1 verse:8@0.4 chorus:8@1").expect("form"),
    )
    .expect("song");
    assert!(
        section_notes(&song, 0, PartKind::Drums).is_empty(),
        "no drums at low energy"
    );
    assert!(
        section_notes(&song, 0, PartKind::Melody).is_empty(),
        "no melody in a quiet intro"
    );
    let drums = |i| section_notes(&song, i, PartKind::Drums).len();
    assert!(
        drums(2) > drums(1),
        "busier drums in the chorus: {} vs {}",
        drums(2),
        drums(1)
    );
}

#[test]
fn regenerating_one_section_leaves_the_others_byte_identical() {
    let s = base();
    let form = Form::parse("verse:8 chorus:8 verse:8 bridge:4 chorus:8").expect("form");
    let a = generate(&s, &form).expect("song");
    let b = generate_with(&s, &form, &[("bridge".into(), 4, 999)]).expect("song");
    let c = generate(&s, &form).expect("song");
    assert_eq!(
        a.to_smf().expect("smf"),
        c.to_smf().expect("smf"),
        "same seed, same bytes"
    );
    for i in [0, 1, 2, 4] {
        assert_eq!(section_chords(&a, i), section_chords(&b, i));
        for k in PartKind::ALL {
            assert_eq!(
                section_notes(&a, i, k),
                section_notes(&b, i, k),
                "section {i} {k:?}"
            );
        }
    }
    assert_ne!(
        (0..1)
            .flat_map(|_| PartKind::ALL.map(|k| section_notes(&a, 3, k)))
            .collect::<Vec<_>>(),
        (0..1)
            .flat_map(|_| PartKind::ALL.map(|k| section_notes(&b, 3, k)))
            .collect::<Vec<_>>(),
        "the bridge changed"
    );
}

#[test]
fn the_blues_preset_plays_a_twelve_bar_blues() {
    let s = base();
    let song = generate(&s, &Form::parse("blues").expect("preset")).expect("song");
    let bar = song.clip.bar_ticks();
    let root = |b: u32| song.clip.chord_at(b * bar + 1).map(|c| c.chord.root);
    let (i, iv, v) = (s.key.degree_pc(0), s.key.degree_pc(3), s.key.degree_pc(4));
    for chorus in 0..3 {
        let o = chorus * 12;
        assert_eq!(root(o), Some(i));
        assert_eq!(root(o + 1), Some(iv));
        assert_eq!(root(o + 4), Some(iv));
        assert_eq!(root(o + 8), Some(v));
    }
    assert_eq!(root(35), Some(i), "the last bar resolves to the tonic");
}

#[test]
fn a_bridge_leaves_the_tonic_area_and_leads_back_home() {
    let s = base();
    for seed in 1..6 {
        let s = Settings { seed, ..s.clone() };
        let song =
            generate(&s, &Form::parse("verse:4 bridge:8 verse:4").expect("form")).expect("song");
        let bridge = section_chords(&song, 1);
        let tonic = s.key.degree_pc(0);
        let bar = song.clip.bar_ticks();
        let at = |b: u32| song.clip.chord_at(b * bar + 1).map(|c| c.chord.root);
        // Centred on the subdominant (C major: F), not on the home tonic.
        let away = s.key.degree_pc(3);
        // Home-tonic chords that are not a dominant seventh (C7 in F is V of the subdominant).
        let tonic_function = |b: u32| {
            song.clip.chord_at(b * bar + 1).is_some_and(|c| {
                c.chord.root == tonic && c.chord.quality != crate::chord::Quality::Dominant7
            })
        };
        let on_tonic = (4..12).filter(|&b| tonic_function(b)).count();
        let on_away = (4..12).filter(|&b| at(b) == Some(away)).count();
        assert!(
            on_tonic <= on_away,
            "seed {seed}: the bridge has home-tonic function {on_tonic} of 8 bars, on {away:?} {on_away}: {bridge:?}"
        );
        assert_ne!(
            at(4),
            Some(tonic),
            "seed {seed}: the bridge starts away from home"
        );
        assert_eq!(
            at(11),
            Some(s.key.degree_pc(4)),
            "seed {seed}: home dominant"
        );
    }
}

#[test]
fn the_song_clip_carries_its_sections() {
    let song = generate(
        &base(),
        &Form::parse("intro:2 verse:4 chorus:4").expect("form"),
    )
    .expect("song");
    let secs = &song.clip.sections;
    assert_eq!(secs.len(), 3);
    assert_eq!(
        secs.iter()
            .map(|x| (x.label.as_str(), x.start_bar, x.bars))
            .collect::<Vec<_>>(),
        vec![("Intro 1", 0, 2), ("Verse 1", 2, 4), ("Chorus 1", 6, 4)]
    );
    assert_eq!(song.markers(), song.clip.section_markers());
    // A section as its own clip: its bars only, from tick 0, with its marker.
    let verse = song.clip.section_clip(1).expect("verse");
    assert_eq!(verse.bars, 4);
    assert_eq!(verse.sections[0].start_bar, 0);
    let bar = song.clip.bar_ticks();
    assert_eq!(
        verse
            .chords
            .iter()
            .map(|c| (c.start, c.duration, c.chord.symbol(false)))
            .collect::<Vec<_>>(),
        section_chords(&song, 1)
    );
    assert_eq!(
        verse.part(PartKind::Bass).map(|p| p.notes.clone()),
        Some(section_notes(&song, 1, PartKind::Bass)).map(|v| v
            .into_iter()
            .map(|n| Note {
                duration: n.duration.min(4 * bar - n.start),
                ..n
            })
            .collect())
    );
    assert!(song.clip.section_clip(3).is_none());
    // Its file has one marker, at 0.
    let bytes = crate::smf::write(&verse).expect("smf");
    let smf = Smf::parse(&bytes).expect("parse");
    let markers: Vec<u32> = smf.tracks[0]
        .iter()
        .scan(0u32, |t, e| {
            *t += e.delta.as_int();
            Some((*t, e.kind))
        })
        .filter(|(_, k)| matches!(k, TrackEventKind::Meta(MetaMessage::Marker(m)) if m.starts_with(b"Verse")))
        .map(|(t, _)| t)
        .collect();
    assert_eq!(markers, vec![0]);
}

#[test]
fn a_plan_regenerates_one_section_and_keeps_locked_ones_across_song_seeds() {
    let s = Settings {
        song: Some(SongPlan::new("verse:4 chorus:4 verse:4")),
        ..base()
    };
    let plan = s.song.clone().expect("plan");
    let a = generate_plan(&s, &plan).expect("song");
    // Regenerate the chorus: the verses stay byte-identical.
    let mut p2 = plan.clone();
    p2.choose("chorus", 4, 999, false);
    let b = generate_plan(&s, &p2).expect("song");
    assert_eq!(section_chords(&a, 0), section_chords(&b, 0));
    assert_eq!(
        section_notes(&a, 2, PartKind::Drums),
        section_notes(&b, 2, PartKind::Drums)
    );
    assert_ne!(section_chords(&a, 1), section_chords(&b, 1));
    assert_eq!(b.sections[1].seed, 999);
    // Lock the chorus, then a new song seed: only the chorus survives.
    let mut locked = plan.clone();
    locked.choose("chorus", 4, a.sections[1].seed, true);
    let s2 = Settings {
        seed: 12345,
        ..s.clone()
    };
    let c = generate_plan(&s2, &locked.reseeded()).expect("song");
    assert_eq!(
        section_chords(&a, 1),
        section_chords(&c, 1),
        "locked chorus kept"
    );
    assert_ne!(section_chords(&a, 0), section_chords(&c, 0), "new verse");
    assert!(c
        .clip
        .provenance
        .parameters
        .contains("form=verse:4_chorus:4_verse:4"));
}
