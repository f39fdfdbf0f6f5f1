//! The choice lists of the enum parameters and their engine values.

use bandmate_engine::theory::Meter;
use nice_plug::prelude::*;

/// Tonic of the key.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tonic {
    C,
    #[name = "C#/Db"]
    Cs,
    D,
    #[name = "D#/Eb"]
    Ds,
    E,
    F,
    #[name = "F#/Gb"]
    Fs,
    G,
    #[name = "G#/Ab"]
    Gs,
    A,
    #[name = "A#/Bb"]
    As,
    B,
}

/// Mode of the key; the same list, in the same order, as [`Mode::ALL`].
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    Major,
    Minor,
    #[name = "Harmonic minor"]
    HarmonicMinor,
    #[name = "Melodic minor"]
    MelodicMinor,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
}

/// Time signature of generated clips. `Host` follows the host's time signature when the host
/// reports one, else 4/4.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterChoice {
    #[name = "Host"]
    Host,
    #[name = "4/4"]
    M44,
    #[name = "3/4"]
    M34,
    #[name = "2/4"]
    M24,
    #[name = "5/4"]
    M54,
    #[name = "6/8"]
    M68,
    #[name = "7/8"]
    M78,
    #[name = "5/8"]
    M58,
    #[name = "9/8"]
    M98,
    #[name = "12/8"]
    M128,
}

impl MeterChoice {
    /// Every choice, in parameter order.
    pub const ALL: [MeterChoice; 10] = [
        MeterChoice::Host,
        MeterChoice::M44,
        MeterChoice::M34,
        MeterChoice::M24,
        MeterChoice::M54,
        MeterChoice::M68,
        MeterChoice::M78,
        MeterChoice::M58,
        MeterChoice::M98,
        MeterChoice::M128,
    ];

    /// The fixed meter, or `None` for `Host`.
    pub fn meter(self) -> Option<Meter> {
        let (n, d) = match self {
            MeterChoice::Host => return None,
            MeterChoice::M44 => (4, 4),
            MeterChoice::M34 => (3, 4),
            MeterChoice::M24 => (2, 4),
            MeterChoice::M54 => (5, 4),
            MeterChoice::M68 => (6, 8),
            MeterChoice::M78 => (7, 8),
            MeterChoice::M58 => (5, 8),
            MeterChoice::M98 => (9, 8),
            MeterChoice::M128 => (12, 8),
        };
        Some(Meter {
            numerator: n,
            denominator: d,
        })
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceChoice {
    Model,
    Rules,
}

/// Style tag for the chord model: the styles of `bandmate-chords@2`'s config
/// (`model::chords2::styles()`, checked by a test). The first three keep the indices and ids of
/// the v1 parameter, so saved projects and automation keep their style.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleChoice {
    #[id = "pop"]
    Pop,
    #[id = "chorale"]
    Chorale,
    #[id = "folk"]
    Folk,
    #[id = "rock"]
    Rock,
    #[id = "soul"]
    #[name = "Soul / R&B"]
    Soul,
    #[id = "funk"]
    #[name = "Funk / disco"]
    Funk,
    #[id = "country"]
    Country,
    #[id = "blues"]
    Blues,
    #[id = "jazz-swing"]
    #[name = "Jazz swing"]
    JazzSwing,
    #[id = "jazz-ballad"]
    #[name = "Jazz ballad"]
    JazzBallad,
    #[id = "bossa"]
    #[name = "Bossa / latin"]
    Bossa,
    #[id = "jazz-waltz"]
    #[name = "Jazz waltz"]
    JazzWaltz,
    #[id = "cpop-ballad"]
    #[name = "C-pop ballad"]
    CpopBallad,
}

impl StyleChoice {
    /// Every choice, in parameter order.
    pub const ALL: [StyleChoice; 13] = [
        StyleChoice::Pop,
        StyleChoice::Chorale,
        StyleChoice::Folk,
        StyleChoice::Rock,
        StyleChoice::Soul,
        StyleChoice::Funk,
        StyleChoice::Country,
        StyleChoice::Blues,
        StyleChoice::JazzSwing,
        StyleChoice::JazzBallad,
        StyleChoice::Bossa,
        StyleChoice::JazzWaltz,
        StyleChoice::CpopBallad,
    ];

    /// The chord model's style tag.
    pub fn tag(self) -> &'static str {
        match self {
            StyleChoice::Pop => "pop",
            StyleChoice::Chorale => "chorale",
            StyleChoice::Folk => "folk",
            StyleChoice::Rock => "rock",
            StyleChoice::Soul => "soul",
            StyleChoice::Funk => "funk",
            StyleChoice::Country => "country",
            StyleChoice::Blues => "blues",
            StyleChoice::JazzSwing => "jazz-swing",
            StyleChoice::JazzBallad => "jazz-ballad",
            StyleChoice::Bossa => "bossa",
            StyleChoice::JazzWaltz => "jazz-waltz",
            StyleChoice::CpopBallad => "cpop-ballad",
        }
    }
}

/// Same order as [`HarmonicRhythm::ALL`].
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RhythmChoice {
    #[name = "Two bars"]
    TwoBars,
    Bar,
    #[name = "Half bar"]
    HalfBar,
    Mixed,
}

/// Where the key of generated clips comes from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySourceChoice {
    /// The `tonic` and `mode` parameters.
    Manual,
    /// The key detected from the MIDI input, followed by the worker once it is confident enough
    /// (`bandmate_engine::input::FOLLOW_CONFIDENCE`); see docs/plugin.md.
    #[name = "Detected from input"]
    Detected,
}

/// Bass style; the same names, in the same order, as `bandmate_engine::parts::bass::styles()`,
/// then the chosen personal style's bass figures.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BassStyleChoice {
    #[name = "root"]
    Root,
    #[name = "root-fifth"]
    RootFifth,
    #[name = "octave"]
    Octave,
    #[name = "pulse"]
    Pulse,
    #[name = "pop"]
    Pop,
    #[name = "funk"]
    Funk,
    #[name = "walking"]
    Walking,
    /// The bass figures of the personal style chosen in the panel (rules without one).
    #[name = "my style"]
    Personal,
}

impl BassStyleChoice {
    /// The engine's style name (falls back to the default style if the tables diverge).
    pub fn name(self) -> &'static str {
        if self == BassStyleChoice::Personal {
            return bandmate_engine::personal::STYLE;
        }
        bandmate_engine::parts::bass::styles()
            .get(self as usize)
            .copied()
            .unwrap_or("root-fifth")
    }
}

/// Drum style; the same names, in the same order, as `bandmate_engine::drums::styles()`, then
/// the chosen personal style's grooves.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrumStyleChoice {
    #[name = "pop"]
    Pop,
    #[name = "rock"]
    Rock,
    #[name = "funk"]
    Funk,
    #[name = "disco"]
    Disco,
    #[name = "boom-bap"]
    BoomBap,
    #[name = "trap"]
    Trap,
    #[name = "lo-fi"]
    LoFi,
    #[name = "dnb"]
    Dnb,
    #[name = "reggaeton"]
    Reggaeton,
    #[name = "bossa"]
    Bossa,
    #[name = "jazz"]
    Jazz,
    #[name = "ballad-6/8"]
    Ballad68,
    #[name = "shuffle"]
    Shuffle,
    #[name = "afro-latin"]
    AfroLatin,
    /// The grooves of the personal style chosen in the panel (rules without one).
    #[name = "my style"]
    Personal,
}

impl DrumStyleChoice {
    /// The engine's style name (falls back to the default style if the tables diverge).
    pub fn name(self) -> &'static str {
        if self == DrumStyleChoice::Personal {
            return bandmate_engine::personal::STYLE;
        }
        bandmate_engine::drums::styles()
            .get(self as usize)
            .copied()
            .unwrap_or("pop")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_choices_are_the_chord_models_styles() {
        let styles = bandmate_engine::model::chords2::styles().expect("config");
        let mut tags: Vec<&str> = StyleChoice::ALL.iter().map(|c| c.tag()).collect();
        assert_eq!(tags.len(), StyleChoice::variants().len());
        for (i, c) in StyleChoice::ALL.iter().enumerate() {
            assert_eq!(StyleChoice::from_index(i), *c, "ALL is in parameter order");
        }
        tags.sort_unstable();
        let mut want: Vec<&str> = styles.iter().map(String::as_str).collect();
        want.sort_unstable();
        assert_eq!(tags, want);
        // The v1 choices keep their indices.
        assert_eq!(
            StyleChoice::ALL[..3]
                .iter()
                .map(|c| c.tag())
                .collect::<Vec<_>>(),
            ["pop", "chorale", "folk"]
        );
    }

    #[test]
    fn drum_choices_name_the_engine_styles_in_order_then_the_personal_one() {
        let styles = bandmate_engine::drums::styles();
        let choices: Vec<&str> = DrumStyleChoice::variants()
            .iter()
            .enumerate()
            .map(|(i, _)| DrumStyleChoice::from_index(i).name())
            .collect();
        assert_eq!(&choices[..styles.len()], styles);
        assert_eq!(choices[styles.len()..], [bandmate_engine::personal::STYLE]);
    }

    #[test]
    fn bass_choices_name_the_engine_styles_in_order_then_the_personal_one() {
        let styles = bandmate_engine::parts::bass::styles();
        let choices: Vec<&str> = (0..BassStyleChoice::variants().len())
            .map(|i| BassStyleChoice::from_index(i).name())
            .collect();
        assert_eq!(&choices[..styles.len()], styles);
        assert_eq!(choices[styles.len()..], [bandmate_engine::personal::STYLE]);
        assert_eq!(
            BassStyleChoice::RootFifth.name(),
            bandmate_engine::arrange::default_style(bandmate_engine::clip::PartKind::Bass)
        );
    }
}

/// Live mode: what the band does with what it hears (the engine's `LiveMode`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveModeChoice {
    Follow,
    Answer,
    Continue,
}

impl LiveModeChoice {
    pub fn to_engine(self) -> bandmate_engine::live::LiveMode {
        use bandmate_engine::live::LiveMode;
        match self {
            LiveModeChoice::Follow => LiveMode::Follow,
            LiveModeChoice::Answer => LiveMode::Answer,
            LiveModeChoice::Continue => LiveMode::Continue,
        }
    }
}

/// Live phrase length in bars.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhraseChoice {
    #[name = "1 bar"]
    One,
    #[name = "2 bars"]
    Two,
    #[name = "4 bars"]
    Four,
}

impl PhraseChoice {
    pub fn bars(self) -> u32 {
        match self {
            PhraseChoice::One => 1,
            PhraseChoice::Two => 2,
            PhraseChoice::Four => 4,
        }
    }
}

/// What live mode's harmony does after a bar of silence.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceChoice {
    #[name = "Hold last chord"]
    Hold,
    #[name = "Own progression"]
    Own,
}

impl SilenceChoice {
    pub fn to_engine(self) -> bandmate_engine::live::OnSilence {
        use bandmate_engine::live::OnSilence;
        match self {
            SilenceChoice::Hold => OnSilence::Hold,
            SilenceChoice::Own => OnSilence::Own,
        }
    }
}
