use super::*;
use crate::arrange::Settings;

fn value(prompt: &str, field: Field) -> Option<String> {
    interpret(prompt).field_value(field)
}

fn table(field: Field, rows: &[(&str, Option<&str>)]) {
    for (prompt, want) in rows {
        assert_eq!(
            value(prompt, field).as_deref(),
            *want,
            "{field} of {prompt:?}: {:#?}",
            interpret(prompt).report()
        );
    }
}

#[test]
fn keys_and_modes() {
    table(
        Field::Key,
        &[
            ("F# minor", Some("F# minor")),
            ("something in Eb", Some("Eb major")),
            ("Am groove", Some("A minor")),
            ("D dorian jam", Some("D dorian")),
            ("in the key of G", Some("G major")),
            ("A flat major ballad", Some("Ab major")),
            ("c#m", Some("C# minor")),
            ("Bb min", Some("Bb minor")),
            ("E♭ major", Some("Eb major")),
            ("in C", Some("C major")),
            ("G mixolydian", Some("G mixolydian")),
            ("F harmonic minor", Some("F harmonic minor")),
            ("in a minor", Some("A minor")),
            ("in a minor key", Some("C minor")),
            ("something in minor", Some("C minor")),
            ("a dreamy song", None),
            ("in a dreamy mood", None),
            ("A tune for the beach", None),
            ("I am here", None),
            ("E phrygian, then later B lydian", Some("B lydian")),
        ],
    );
}

#[test]
fn tempos() {
    table(
        Field::Tempo,
        &[
            ("80 bpm", Some("80")),
            ("at 92", Some("92")),
            ("95bpm", Some("95")),
            ("tempo 100", Some("100")),
            ("120 beats per minute", Some("120")),
            ("slow", Some("70")),
            ("very slow", Some("60")),
            ("uptempo", Some("140")),
            ("up-tempo", Some("140")),
            ("fast", Some("150")),
            ("half-time at 140 bpm", Some("70")),
            ("half-time", Some("60")),
            ("not too fast", None),
            ("5000 bpm", None),
            ("adagio", Some("66")),
        ],
    );
    let i = interpret("5000 bpm");
    assert_eq!(i.ignored[0].reason, IgnoreReason::OutOfRange);
}

#[test]
fn meters() {
    table(
        Field::Meter,
        &[
            ("a waltz", Some("3/4")),
            ("in 3", Some("3/4")),
            ("6/8", Some("6/8")),
            ("7/8 time", Some("7/8")),
            ("in five", Some("5/4")),
            ("in 3 bars", None),
            ("4/3", None),
            ("12/8 shuffle", Some("12/8")),
        ],
    );
    assert_eq!(value("in 3 bars", Field::Bars).as_deref(), Some("3"));
}

#[test]
fn lengths_and_forms() {
    table(
        Field::Bars,
        &[
            ("8 bars", Some("8")),
            ("a 16-bar loop", Some("16")),
            ("eight bars", Some("8")),
            ("32 measures", Some("32")),
            ("100 bars", None),
        ],
    );
    table(
        Field::Form,
        &[
            ("verse and chorus", Some("verse:8 chorus:8")),
            (
                "intro, verse, chorus, outro",
                Some("intro:4 verse:8 chorus:8 outro:4"),
            ),
            ("12-bar blues", Some("verse:12 verse:12 verse:12")),
            ("an aaba tune", Some("a:8 a:8 b:8 a:8")),
            ("two verses and a chorus", Some("verse:8 verse:8 chorus:8")),
            ("8-bar intro then verse", Some("intro:8 verse:8")),
            (
                "edm structure",
                Some("intro:8 build:8 drop:8 breakdown:8 build:8 drop:8 outro:8"),
            ),
            ("a chorus", None),
        ],
    );
}

#[test]
fn parts_and_part_styles() {
    table(
        Field::Parts,
        &[
            ("no drums", Some("chords")),
            ("just bass and drums", Some("bass,drums")),
            ("add a melody", Some("chords,melody")),
            ("piano and bass", Some("chords,bass,keys")),
            ("without bass or drums", Some("chords")),
            ("full band", Some("chords,melody,bass,keys,drums")),
            ("drumless", Some("chords")),
            ("only piano", Some("keys")),
            ("bass and drums only", Some("bass,drums")),
            ("walking bass", Some("chords,bass")),
            ("no drums in the intro", Some("chords,drums")),
            ("dreamy", None),
        ],
    );
    table(
        Field::PartStyle,
        &[
            ("walking bass", Some("bass=walking")),
            ("arpeggiated keys", Some("keys=arp-up")),
            ("funk drums", Some("drums=funk")),
            ("boom bap beat", Some("drums=boom-bap")),
            ("warm pads", Some("keys=pad")),
            (
                "shuffle beat and walking bass",
                Some("bass=walking,drums=shuffle"),
            ),
            ("no walking bass", None),
        ],
    );
}

#[test]
fn a_silenced_section_makes_a_song_with_that_section_quiet() {
    let i = interpret("moody lo-fi in F minor, lazy swing, no drums in the intro");
    let mut s = Settings::default();
    let form = i.apply(&mut s, &[]).expect("a form");
    let intro = form
        .sections
        .iter()
        .find(|x| x.name == "intro")
        .expect("intro");
    assert!(intro.energy < 0.3, "{form}");
    assert!(form.sections.iter().any(|x| x.energy >= 0.3));
    assert_eq!(s.key.to_string(), "F minor");
    assert_eq!(s.style, "jazz-ballad"); // lo-fi uses the jazz-ballad chord tag
    assert_eq!(i.field_value(Field::Style).as_deref(), Some("lo-fi"));
    assert!(s.swing >= 0.45 && s.humanize >= 0.5, "{s:?}");
    assert!(s
        .part(crate::clip::PartKind::Drums)
        .is_some_and(|p| p.enabled));
}

#[test]
fn contradictions_follow_the_documented_rule() {
    let i = interpret("in C major, no wait, in G minor");
    assert_eq!(i.field_value(Field::Key).as_deref(), Some("G minor"));
    assert!(i
        .conflicts
        .iter()
        .any(|c| c.rule == "the later mention wins"));

    let i = interpret("a dark song in C major");
    assert_eq!(i.field_value(Field::Key).as_deref(), Some("C major"));
    let c = i
        .conflicts
        .iter()
        .find(|c| c.setting == "mode")
        .expect("mode conflict");
    assert_eq!(c.rule, "exact words beat descriptive ones");
    assert_eq!(i.taken[c.dropped].value, "dark");
    assert!(i.report().iter().any(|l| l.starts_with("conflict")));

    let i = interpret("sparse but energetic");
    let mut s = Settings::default();
    i.apply(&mut s, &[]);
    assert!((s.density - 0.2).abs() < 1e-6, "{}", s.density);

    let i = interpret("no drums, actually with drums");
    assert_eq!(i.field_value(Field::Parts).as_deref(), Some("chords,drums"));
}

#[test]
fn kept_targets_are_left_alone() {
    let i = interpret("jazz in D minor at 90 bpm, 16 bars");
    let mut s = Settings::default();
    i.apply(&mut s, &[Target::Tempo, Target::Tonic, Target::Mode]);
    assert_eq!(s.tempo_bpm, 120.0);
    assert_eq!(s.key, Settings::default().key);
    assert_eq!(s.bars, 16);
    assert_eq!(s.style, "jazz-swing"); // the jazz preset's chord tag
}

#[test]
fn unknown_words_match_the_nearest_descriptor() {
    let i = interpret("depressed");
    let t = i
        .taken
        .iter()
        .find(|t| t.field == Field::Mood)
        .expect("a mood");
    assert_eq!(t.value, "dark");
    assert!(matches!(t.how, How::Similar { .. }), "{:?}", t.how);
    let i = interpret("qwzxv flurble");
    assert!(i.taken.is_empty());
    assert!(i.notices.contains(&PromptNotice::NothingUnderstood));
}

#[test]
fn shipped_table_loads_and_is_verified() {
    let n = describe::Descriptors::get().anchor_count();
    let t = Table::shipped(n).as_ref().expect("table");
    assert!(t.word_count() > 20_000);
    let jazz = t.word("jazz").expect("jazz");
    assert!((jazz.cosine(&jazz) - 1.0).abs() < 0.02);
    assert!(t.word("zzzzqqq").is_none());
    assert!(embed::TABLE_BYTES.len() <= 8 * 1024 * 1024);
}

#[test]
fn a_damaged_table_degrades_to_exact_words_with_a_notice() {
    let n = describe::Descriptors::get().anchor_count();
    let mut bytes = embed::TABLE_BYTES.to_vec();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    let err = Table::from_bytes(&bytes, n).expect_err("damaged");
    assert!(matches!(err, TableError::Checksum { .. }));
    let i = interpret_with("dreamy jazz in Eb at 80 bpm, no drums", Err(&err));
    assert!(i
        .notices
        .iter()
        .any(|x| matches!(x, PromptNotice::ExplicitOnly(_))));
    assert_eq!(i.field_value(Field::Key).as_deref(), Some("Eb major"));
    assert_eq!(i.field_value(Field::Tempo).as_deref(), Some("80"));
    // Descriptor words are still taken exactly; only similarity needs the table.
    assert_eq!(i.field_value(Field::Style).as_deref(), Some("jazz"));
    let i = interpret_with("depressed", Err(&err));
    assert!(i.taken.is_empty());
    assert_eq!(i.ignored[0].reason, IgnoreReason::Unknown);
    assert!(matches!(
        Table::from_bytes(&bytes[..100], n),
        Err(TableError::Checksum { .. })
    ));
}

#[test]
fn odd_prompts_give_a_message_and_the_defaults() {
    for (prompt, notice) in [
        ("", PromptNotice::Empty),
        ("   \n\t ", PromptNotice::Empty),
        ("🎷🎶🔥", PromptNotice::NoWords),
        ("悲伤的爵士乐", PromptNotice::NothingUnderstood),
        (
            "what is the weather tomorrow",
            PromptNotice::NothingUnderstood,
        ),
    ] {
        let i = interpret(prompt);
        assert!(i.notices.contains(&notice), "{prompt:?}: {:?}", i.notices);
        let mut s = Settings::default();
        assert!(i.apply(&mut s, &[]).is_none());
        assert_eq!(s, Settings::default(), "{prompt:?}");
        assert!(!i.notices.iter().any(|n| n.to_string().is_empty()));
    }
    let long = "slow jazz with walking bass ".repeat(400);
    assert!(long.len() > 10_000);
    let i = interpret(&long);
    assert!(matches!(i.notices[0], PromptNotice::Truncated { .. }));
    let mut s = Settings::default();
    i.apply(&mut s, &[]);
    s.validate().expect("valid settings");
    assert_eq!(s.tempo_bpm, 70.0);
}

#[test]
fn reading_is_deterministic_and_recorded() {
    let p = "an \"epic\" build in 6/8";
    assert_eq!(interpret(p), interpret(p));
    assert_eq!(
        interpret(p).provenance(),
        "prompt=\"an \\\"epic\\\" build in 6/8\""
    );
}

#[test]
fn descriptors_and_lexicon_name_real_values() {
    let d = describe::Descriptors::get();
    assert!(d.concepts.len() >= 30);
    for c in &d.concepts {
        assert!(
            !c.effects.is_empty(),
            "{:?} {} has no effects",
            c.field,
            c.value
        );
        for (t, v) in &c.effects {
            if let (Target::PartStyle(k), resolve::Value::Name(n)) = (t, v) {
                assert!(style_exists(*k, n), "{k:?}={n}");
            }
        }
    }
    for (_, v) in words::Lexicon::get().of("partstyle") {
        let (part, style) = v.split_once('=').expect("part=style");
        let k = crate::clip::PartKind::parse(part).expect("part");
        assert!(style_exists(k, style), "{v}");
    }
}

fn style_exists(k: crate::clip::PartKind, name: &str) -> bool {
    use crate::clip::PartKind;
    match k {
        PartKind::Bass => crate::parts::bass::style(name).is_ok(),
        PartKind::Keys => crate::parts::keys::style(name).is_ok(),
        PartKind::Melody => crate::parts::melody::style(name).is_ok(),
        PartKind::Drums => crate::drums::styles::find(name).is_some(),
        PartKind::Chords => ["close", "open", "drop2"].contains(&name),
    }
}
