//! Named song forms, as data: each is a form string in the `name:bars[@energy]` syntax, and
//! optionally a fixed Roman-numeral progression per section name (one numeral per bar).

/// A named form preset.
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub form: &'static str,
    /// Fixed progressions, `(section name, numerals per bar)`; other sections are generated.
    pub progressions: &'static [(&'static str, &'static str)],
}

/// Every preset `bandmate forms` lists.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "pop",
        description: "verse / pre-chorus / chorus twice, bridge, last chorus",
        form: "intro:4 verse:8 pre:4 chorus:8 verse:8 pre:4 chorus:8 bridge:8 chorus:8@0.95 outro:4",
        progressions: &[],
    },
    Preset {
        name: "rock",
        description: "verse / chorus twice, solo, double chorus",
        form: "intro:4 verse:8 chorus:8 verse:8 chorus:8 solo:8 chorus:8@0.95 chorus:8@1 outro:4",
        progressions: &[],
    },
    Preset {
        name: "blues",
        description: "12-bar blues, three choruses",
        form: "verse:12@0.5 verse:12@0.7 verse:12@0.85",
        progressions: &[("verse", "I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7")],
    },
    Preset {
        name: "jazz-aaba",
        description: "32-bar AABA standard form",
        form: "a:8 a:8 b:8 a:8",
        progressions: &[
            ("a", "Imaj7 vi7 ii7 V7 Imaj7 vi7 ii7 V7"),
            ("b", "iii7 VI7 ii7 V7 iii7 VI7 ii7 V7"),
        ],
    },
    Preset {
        name: "edm",
        description: "build-up and drop, twice, with a breakdown",
        form: "intro:8@0.3 build:8@0.6 drop:8@1 breakdown:8@0.25 build:8@0.7 drop:8@1 outro:8@0.3",
        progressions: &[],
    },
    Preset {
        name: "ballad",
        description: "slow verses, a chorus that opens up, bridge",
        form: "intro:4@0.2 verse:8@0.3 verse:8@0.35 chorus:8@0.6 verse:8@0.4 chorus:8@0.7 bridge:8@0.5 chorus:8@0.8 outro:4@0.2",
        progressions: &[],
    },
];

/// The preset called `name` (case-insensitive).
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}
