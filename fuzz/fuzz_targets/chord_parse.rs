//! Arbitrary text through every text parser the user can reach: chord symbols, Roman numerals,
//! keys, meters, pitch classes, modes, part, rhythm and drum-style names. Parsed values must
//! print and parse back to themselves.
#![no_main]

use bandmate_engine::chord::{Chord, RomanChord};
use bandmate_engine::clip::PartKind;
use bandmate_engine::progression::HarmonicRhythm;
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use bandmate_engine::{drums, TICKS_PER_QUARTER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = s.parse::<Chord>() {
        for flats in [false, true] {
            let back: Chord = c.symbol(flats).parse().expect("a printed chord parses");
            assert_eq!(back, c, "{s:?} -> {}", c.symbol(flats));
        }
        let _ = c.mask();
    }
    let key = s.parse::<Key>().ok();
    if let Some(k) = key {
        assert_eq!(k.to_string().parse::<Key>().ok(), Some(k), "{s:?}");
        let _ = (k.scale(), k.sharps());
    }
    if let Ok(r) = s.parse::<RomanChord>() {
        let k = key.unwrap_or_else(|| Key::new(PitchClass::C, Mode::Major));
        let chord = r.to_chord(k);
        let _ = (r.to_string(), chord.symbol_in(k), RomanChord::of_chord(chord, k));
    }
    if let Ok(m) = s.parse::<Meter>() {
        assert_eq!(m.to_string().parse::<Meter>().ok(), Some(m));
        assert!(m.bar_ticks(TICKS_PER_QUARTER) > 0);
        let _ = (m.group_starts(TICKS_PER_QUARTER), m.pulse_ticks(TICKS_PER_QUARTER));
    }
    if let Ok(pc) = s.parse::<PitchClass>() {
        assert_eq!(pc.name(false).parse::<PitchClass>().ok(), Some(pc));
    }
    let _ = s.parse::<Mode>();
    let _ = PartKind::parse(s);
    let _ = HarmonicRhythm::parse(s);
    let _ = drums::style(s);
});
