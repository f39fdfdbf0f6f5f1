use super::profile::{StyleProfile, MAX_BYTES};
use super::*;
use crate::arrange::{self, Settings, Source};
use crate::clip::PartKind;
use crate::model::tokens;
use crate::smf;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// A fresh, empty folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bandmate-personal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn vlq(mut v: u32, out: &mut Vec<u8>) {
    let mut b = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        b.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
    }
    b.reverse();
    out.extend(b);
}

/// A track chunk body from (absolute tick, event bytes), sorted by tick.
fn track(mut evs: Vec<(u32, Vec<u8>)>) -> Vec<u8> {
    evs.sort_by_key(|e| e.0);
    let mut out = Vec::new();
    let mut now = 0;
    for (t, e) in evs {
        vlq(t - now, &mut out);
        out.extend(e);
        now = t;
    }
    out.extend([0x00, 0xFF, 0x2F, 0x00]);
    out
}

fn smf_bytes(format: u16, ppq: u16, tracks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"MThd".to_vec();
    out.extend(6u32.to_be_bytes());
    out.extend(format.to_be_bytes());
    out.extend((tracks.len() as u16).to_be_bytes());
    out.extend(ppq.to_be_bytes());
    for t in tracks {
        out.extend(b"MTrk");
        out.extend((t.len() as u32).to_be_bytes());
        out.extend(t);
    }
    out
}

fn note(evs: &mut Vec<(u32, Vec<u8>)>, ch: u8, at: u32, len: u32, pitch: u8) {
    evs.push((at, vec![0x90 | ch, pitch, 96]));
    evs.push((at + len, vec![0x80 | ch, pitch, 0]));
}

/// Type 0, `ppq` ticks per quarter: block chords per bar (given as MIDI pitch sets) on channel 1,
/// a tempo change after bar 2 and a meter change to 3/4 after bar 4 (then one chord per 3/4 bar).
fn type0_chords(ppq: u32, bars: &[&[u8]]) -> Vec<u8> {
    let mut evs = vec![
        (0, vec![0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20]), // 120 bpm
        (0, vec![0xFF, 0x58, 0x04, 4, 2, 24, 8]),
    ];
    let mut t = 0;
    for (i, chord) in bars.iter().enumerate() {
        if i == 2 {
            evs.push((t, vec![0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0])); // 100 bpm
        }
        if i == 4 {
            evs.push((t, vec![0xFF, 0x58, 0x04, 3, 2, 24, 8]));
        }
        let len = if i >= 4 { 3 * ppq } else { 4 * ppq };
        for &p in *chord {
            note(&mut evs, 0, t, len, p);
        }
        t += len;
    }
    smf_bytes(0, ppq as u16, &[track(evs)])
}

fn drums_only(ppq: u32, bars: u32) -> Vec<u8> {
    let mut evs = Vec::new();
    for b in 0..bars {
        for beat in 0..4 {
            let t = (b * 4 + beat) * ppq;
            note(&mut evs, 9, t, ppq / 8, if beat % 2 == 0 { 36 } else { 38 });
            note(&mut evs, 9, t, ppq / 8, 42);
            note(&mut evs, 9, t + ppq / 2 + ppq / 40, ppq / 8, 42);
        }
    }
    smf_bytes(1, ppq as u16, &[track(Vec::new()), track(evs)])
}

fn arranged(seed: u64, style: &str) -> Vec<u8> {
    let mut s = Settings {
        source: Source::Rules,
        bars: 8,
        seed,
        complexity: 0.6,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    if let Some(d) = s.part_mut(PartKind::Drums) {
        d.style = style.into();
    }
    let clip = arrange::generate(&s).expect("arrangement").clip;
    smf::write(&clip).expect("write")
}

const C: &[u8] = &[48, 52, 55, 60];
const AM: &[u8] = &[45, 52, 57, 60];
const F: &[u8] = &[41, 53, 57, 60];
const G7: &[u8] = &[43, 53, 59, 62];

/// A folder of usable and unusable files.
fn fixture_folder(name: &str) -> PathBuf {
    let d = temp_dir(name);
    let w = |p: &str, b: &[u8]| {
        let path = d.join(p);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(path, b).expect("write");
    };
    w("a_song.mid", &arranged(3, "rock"));
    w("nested/deeper/b_song.MIDI", &arranged(4, "funk"));
    w(
        "c_type0_odd_ppq.mid",
        &type0_chords(97, &[C, AM, F, G7, C, AM, F, G7]),
    );
    w("d_drums_only.mid", &drums_only(384, 4));
    w("e_broken.mid", b"MThd\x00\x00\x00\x06\x00\x01");
    w("f_empty.mid", b"");
    w("g_no_notes.mid", &smf_bytes(1, 480, &[track(Vec::new())]));
    w("notes.txt", b"not midi, not read");
    d
}

fn learn_fixture(name: &str) -> Learned {
    let d = fixture_folder(name);
    let cancel = AtomicBool::new(false);
    let mut calls = Vec::new();
    let l = learn(&d, "mine", &cancel, |done, total, _| {
        calls.push((done, total))
    })
    .expect("learn");
    assert_eq!(
        calls.first(),
        Some(&(0, 7)),
        "seven .mid/.midi files, .txt ignored"
    );
    assert_eq!(calls.last(), Some(&(7, 7)));
    l
}

#[test]
fn learns_a_fixture_folder_and_lists_unusable_files() {
    let l = learn_fixture("learn");
    assert_eq!(l.used, 4);
    let reasons: Vec<(String, &str)> = l
        .skipped
        .iter()
        .map(|s| {
            let f = s.path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            (f.to_string(), s.reason.as_str())
        })
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].0 == "e_broken.mid" && reasons[0].1.contains("not a readable MIDI"),
        "{reasons:?}"
    );
    assert!(reasons[1].0 == "f_empty.mid" && reasons[1].1.contains("empty"));
    assert!(reasons[2].0 == "g_no_notes.mid" && reasons[2].1.contains("no notes"));
    let p = &l.profile;
    assert_eq!((p.songs, p.files_skipped), (4, 3));
    assert!(p.chords.grams.iter().any(|g| g.0.len() == 3));
    assert!(
        p.melody.grams.iter().any(|g| g.0.len() == 3),
        "lead lines counted"
    );
    assert!(p.bass_notes > 0);
    // The drums-only file and the arranged songs give 4/4 straight grooves.
    let g = p.grooves.iter().find(|g| g.beats == 4).expect("4/4 groove");
    assert!(g.bars >= 4 + 16, "{} bars", g.bars);
    // Tempo change (120 -> 100) and meter change (4/4 -> 3/4) of the type-0 file.
    assert!(p.tempo.iter().any(|(k, _)| k[0] == 100));
    assert!(p.meters.iter().any(|(k, c)| k[..] == [3, 4] && *c == 4));
    assert!(p.to_bytes().len() < MAX_BYTES);
    // No stored run longer than the n-gram orders.
    assert!(p
        .chords
        .grams
        .iter()
        .all(|g| g.0.len() <= profile::MAX_ORDER));
    assert!(p
        .changes
        .grams
        .iter()
        .all(|g| g.0.len() <= profile::CHANGE_ORDER));
}

#[test]
fn recognizes_chords_of_a_type0_file_at_an_odd_ppq_across_meter_changes() {
    let bytes = type0_chords(97, &[C, AM, F, G7, C, AM, F, G7]);
    let song = learn::learn_bytes(&bytes).expect("song");
    assert_eq!(song.chord_source, analyze::ChordSource::Recognized);
    let names: Vec<String> = song.chords.iter().map(|c| c.2.to_string()).collect();
    assert_eq!(names, ["C", "Am", "F", "G7", "C", "Am", "F", "G7"]);
    // Bars 5..8 are 3/4: the fifth chord starts after four 4/4 bars and lasts a 3/4 bar.
    assert_eq!(
        (song.chords[4].0, song.chords[4].1),
        (4 * 1920, 4 * 1920 + 1440)
    );
    let v = tokens::vocab().expect("vocab");
    let toks: Vec<usize> = song.chord_tokens.iter().map(|t| t.token).collect();
    let want: Vec<usize> = [(0, "maj"), (9, "min"), (5, "maj"), (7, "dom7")]
        .iter()
        .map(|&(r, q)| v.encode_chord(r, v.quality_index(q).expect("q")))
        .collect();
    assert_eq!(toks[..4], want[..]);
    assert_eq!(toks[4..], want[..]);
    assert_eq!(song.chord_tokens[4].bar16, 12);
    assert_eq!(song.sections.len(), 2, "the meter change starts a section");
    assert_eq!(song.sections[0].keys[0].1.to_string(), "C major");
}

#[test]
fn a_chords_track_is_read_instead_of_recognized() {
    let mut s = Settings {
        source: Source::Rules,
        bars: 4,
        ..Settings::default()
    };
    s.enable_only(&[PartKind::Chords, PartKind::Melody]);
    let clip = arrange::generate(&s).expect("arrangement").clip;
    let song = learn::learn_bytes(&smf::write(&clip).expect("write")).expect("song");
    assert_eq!(
        song.chord_source,
        analyze::ChordSource::Track("chords".into())
    );
    // Pitch-class sets: a voicing with the seventh's third in the bass (Dm7 over F) reads as
    // its twin (F6), which sounds the same.
    let got: Vec<u16> = song.chords.iter().map(|c| c.2.mask()).collect();
    let mut want: Vec<u16> = clip.chords.iter().map(|c| c.chord.mask()).collect();
    want.dedup();
    assert_eq!(got, want);
    assert!(!song.melody.is_empty());
}

#[test]
fn empty_missing_and_cancelled_runs_are_errors() {
    let cancel = AtomicBool::new(false);
    let d = temp_dir("empty");
    assert!(matches!(
        learn(&d, "x", &cancel, |_, _, _| {}),
        Err(PersonalError::NothingLearned { files: 0, .. })
    ));
    assert!(matches!(
        learn(&d.join("missing"), "x", &cancel, |_, _, _| {}),
        Err(PersonalError::NotAFolder { .. })
    ));
    assert!(matches!(
        learn(&d, "../escape", &cancel, |_, _, _| {}),
        Err(PersonalError::BadName { .. })
    ));
    let f = fixture_folder("cancel");
    let stop = AtomicBool::new(false);
    let r = learn(&f, "x", &stop, |done, _, _| {
        if done == 2 {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    assert_eq!(r.err(), Some(PersonalError::Cancelled));
}

#[test]
fn profile_round_trips_and_rejects_damaged_or_newer_files() {
    let l = learn_fixture("roundtrip");
    let bytes = l.profile.to_bytes();
    let back = StyleProfile::from_bytes(&bytes).expect("round trip");
    assert_eq!(back, l.profile);
    let dir = temp_dir("store");
    let path = store::save(&dir, &l.profile).expect("save");
    assert_eq!(path, dir.join("mine").join("profile.json"));
    assert_eq!(store::list(&dir), ["mine"]);
    let style = store::load(&dir, "mine").expect("load");
    assert_eq!(style.profile(), &l.profile);
    assert_eq!(style.hash(), l.profile.checksum());
    assert!(matches!(
        store::load(&dir, "other"),
        Err(PersonalError::NotFound { .. })
    ));

    // One changed count: the checksum no longer matches.
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    let at = text.find("\"songs\":4").expect("songs field");
    let edited = format!("{}\"songs\":5{}", &text[..at], &text[at + 9..]);
    let e = StyleProfile::from_bytes(edited.as_bytes()).expect_err("edited");
    assert!(matches!(e, PersonalError::Damaged { .. }));
    assert!(e.to_string().contains("checksum"), "{e}");
    // Truncated.
    let e = StyleProfile::from_bytes(&bytes[..bytes.len() / 2]).expect_err("truncated");
    assert!(e.to_string().contains("damaged"), "{e}");
    // A newer version.
    let newer = text.replacen("\"version\":1", "\"version\":2", 1);
    let e = StyleProfile::from_bytes(newer.as_bytes()).expect_err("newer");
    assert_eq!(
        e,
        PersonalError::FutureVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(
        e.to_string().contains("newer than this Bandmate reads"),
        "{e}"
    );
    // Not a profile at all.
    let e = StyleProfile::from_bytes(br#"{"format":"something-else"}"#).expect_err("other");
    assert!(matches!(e, PersonalError::NotAProfile { .. }));
    // A damaged file on disk names the file.
    std::fs::write(&path, &bytes[..10]).expect("damage");
    let e = store::load(&dir, "mine").expect_err("damaged on disk");
    assert!(
        e.to_string().contains("profile.json") && e.to_string().contains("damaged"),
        "{e}"
    );
}

#[test]
fn summary_names_progressions_vocabulary_grooves_and_tempo() {
    let l = learn_fixture("summary");
    let style = PersonalStyle::new(l.profile).expect("style");
    let t = summary::text(&style);
    for want in [
        "top progressions",
        "chord vocabulary",
        "groove: 4 beats",
        "kick",
        "tempo:",
        "bass:",
    ] {
        assert!(t.contains(want), "{want:?} missing in\n{t}");
    }
    assert!(t.contains("V7") || t.contains("IV"), "{t}");
}

fn settings_all(source: Source) -> Settings {
    let mut s = Settings {
        source,
        bars: 8,
        seed: 11,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    s
}

#[test]
fn like_zero_is_the_base_output_and_personal_parts_are_seeded() {
    let l = learn_fixture("parts");
    let style = PersonalStyle::new(l.profile).expect("style");
    let s = settings_all(Source::Rules);
    let base = smf::write(&arrange::generate(&s).expect("base").clip).expect("write");
    let zero = Personal {
        style: &style,
        like: 0.0,
    };
    let same = arrange::generate_with(&s, Some(zero)).expect("like 0").clip;
    assert_eq!(smf::write(&same).expect("write"), base);
    // With locked parts too.
    let locked = [PartKind::Chords];
    let plain = arrange::locks::generate_with_locks(&s, Some(&same), &locked).expect("locks");
    let zero_locked =
        arrange::locks::generate_with_locks_personal(&s, Some(&same), &locked, Some(zero))
            .expect("locks 0");
    assert_eq!(plain.clip, zero_locked.clip);

    let mut ps = s.clone();
    for k in [PartKind::Bass, PartKind::Drums] {
        if let Some(p) = ps.part_mut(k) {
            p.style = STYLE.into();
        }
    }
    let p = Personal {
        style: &style,
        like: 0.8,
    };
    let a = arrange::generate_with(&ps, Some(p)).expect("personal").clip;
    let b = arrange::generate_with(&ps, Some(p)).expect("personal").clip;
    assert_eq!(smf::write(&a).expect("w"), smf::write(&b).expect("w"));
    assert!(a
        .provenance
        .parameters
        .contains(&format!("personal={}", p.label())));
    assert!(
        a.provenance.engine.contains("drums=personal(drums:mine@"),
        "{}",
        a.provenance.engine
    );
    assert!(a.provenance.engine.contains("bass=personal(bass:mine@"));
    let kept = arrange::locks::generate_with_locks_personal(&ps, Some(&a), &locked, Some(p))
        .expect("locked personal")
        .clip;
    assert_eq!(kept.chords, a.chords, "locked chords stay");
    assert!(kept.provenance.parameters.contains("personal=mine@"));
    // The learned drums hit kick and snare on the beats in every bar.
    let drums = a.part(PartKind::Drums).expect("drums");
    for bar in 0..8u32 {
        let kick = drums
            .notes
            .iter()
            .filter(|n| n.pitch.as_int() == 36 && n.start / 1920 == bar)
            .count();
        assert!(kick >= 1, "bar {bar} has no kick");
    }
    let bass = a.part(PartKind::Bass).expect("bass");
    assert!(bass.notes.len() >= 8);
    for n in &bass.notes {
        assert!((28..=55).contains(&n.pitch.as_int()), "{n:?}");
    }
}

#[test]
fn styles_dir_follows_xdg() {
    // Read-only check of the rule; the environment is not changed (tests share it).
    if let Some(d) = store::styles_dir() {
        assert!(d.ends_with(Path::new("bandmate").join("styles")));
    }
    assert!(store::check_name("My songs 2024").is_ok());
    for bad in ["", ".hidden", "a/b", " x", "x\\y"] {
        assert!(store::check_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_song_in_a_personal_style_is_the_base_song_at_like_zero_and_uses_its_patterns() {
    let l = learn_fixture("song");
    let style = PersonalStyle::new(l.profile).expect("style");
    let mut s = settings_all(Source::Rules);
    let plan = crate::song::SongPlan::new("verse:4 chorus:4 verse:4");
    let base = crate::form::generate_plan(&s, &plan).expect("base").clip;
    let zero = Personal {
        style: &style,
        like: 0.0,
    };
    let same = crate::form::generate_plan_with(&s, &plan, Some(zero))
        .expect("like 0")
        .clip;
    assert_eq!(smf::write(&same).expect("w"), smf::write(&base).expect("w"));
    if let Some(p) = s.part_mut(PartKind::Drums) {
        p.style = STYLE.into();
    }
    let p = Personal {
        style: &style,
        like: 0.8,
    };
    let a = crate::form::generate_plan_with(&s, &plan, Some(p))
        .expect("personal song")
        .clip;
    let b = crate::form::generate_plan_with(&s, &plan, Some(p))
        .expect("personal song")
        .clip;
    assert_eq!(smf::write(&a).expect("w"), smf::write(&b).expect("w"));
    assert_eq!(a.sections.len(), 3);
    assert!(a.provenance.parameters.contains("personal=mine@"));
    assert!(
        a.sections[0]
            .provenance
            .contains("drums=personal(drums:mine@"),
        "{}",
        a.sections[0].provenance
    );
}
