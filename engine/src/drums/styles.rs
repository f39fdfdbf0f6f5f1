//! Drum styles as data. A pattern is a cycle of cells, one per beat group of the bar
//! (4/4 → four quarter-note groups, 6/8 → two dotted quarters, 7/8 → 2+2+3 eighths); a cell is
//! lanes of step strings spread evenly over the group.
//!
//! Step characters: `X` accent, `x` hit, `o` soft (density ≥ 0.2), `+` extra (≥ 0.4),
//! `~` busy extra (≥ 0.6), `g` ghost (≥ 0.8), anything else rests. Duple strings (length 2, 4, 8)
//! on three-unit groups keep their step length: time-keeping lanes repeat, others rest.

/// General MIDI percussion keys (channel 10).
pub mod gm {
    pub const KICK: u8 = 36;
    pub const SIDE_STICK: u8 = 37;
    pub const SNARE: u8 = 38;
    pub const CLAP: u8 = 39;
    pub const FLOOR_TOM: u8 = 41;
    pub const CLOSED_HAT: u8 = 42;
    pub const LOW_TOM: u8 = 45;
    pub const PEDAL_HAT: u8 = 44;
    pub const OPEN_HAT: u8 = 46;
    pub const MID_TOM: u8 = 47;
    pub const HIGH_TOM: u8 = 50;
    pub const CRASH: u8 = 49;
    pub const RIDE: u8 = 51;
    pub const RIDE_BELL: u8 = 53;
    pub const TAMBOURINE: u8 = 54;
    pub const COWBELL: u8 = 56;
    pub const HIGH_BONGO: u8 = 60;
    pub const LOW_CONGA: u8 = 64;
    pub const SHAKER: u8 = 70;
    pub const CLAVES: u8 = 75;
}

use gm::*;

/// One instrument's steps over a beat group.
#[derive(Debug, Clone, Copy)]
pub struct Lane {
    pub drum: u8,
    pub steps: &'static str,
}

/// The lanes of one beat group.
pub type Cell = &'static [Lane];

/// A drum style: main patterns (bar variations), fills and feel.
#[derive(Debug)]
pub struct DrumStyle {
    pub name: &'static str,
    pub description: &'static str,
    /// Bar patterns; the first is the groove, the others vary it (each a cycle of cells).
    pub patterns: &'static [&'static [Cell]],
    /// Fills, each a sequence of cells laid over the last groups of a phrase's final bar.
    pub fills: &'static [&'static [Cell]],
    /// Built-in swing of off-beat eighths (0 = straight), applied by the generator; the user's
    /// swing then moves only off-beats still straight.
    pub swing: f32,
    /// Cymbal struck on section starts.
    pub crash: u8,
}

/// Lanes that keep time and repeat to fill three-unit groups.
pub const TIMEKEEPERS: [u8; 8] = [
    CLOSED_HAT, PEDAL_HAT, OPEN_HAT, RIDE, RIDE_BELL, SHAKER, TAMBOURINE, COWBELL,
];

macro_rules! l {
    ($d:expr, $s:expr) => {
        Lane {
            drum: $d,
            steps: $s,
        }
    };
}

// ---- shared fills ----
const FILL_TOMS: &[Cell] = &[
    &[l!(SNARE, "x.xx"), l!(KICK, "x...")],
    &[l!(HIGH_TOM, "xx"), l!(MID_TOM, "..xx"), l!(KICK, "x...")],
    &[l!(LOW_TOM, "xx.."), l!(FLOOR_TOM, "..xX"), l!(KICK, "x..x")],
];
const FILL_SNARE_ROLL: &[Cell] = &[
    &[l!(SNARE, "oxox"), l!(KICK, "x...")],
    &[l!(SNARE, "xxxX"), l!(KICK, "x.x.")],
];
const FILL_TRIPLET: &[Cell] = &[
    &[l!(SNARE, "xxx"), l!(KICK, "x..")],
    &[l!(HIGH_TOM, "xx."), l!(FLOOR_TOM, "..X"), l!(KICK, "x..")],
];
const FILL_HAT_ROLL: &[Cell] = &[
    &[l!(CLOSED_HAT, "xxxxxx"), l!(KICK, "x...")],
    &[l!(CLOSED_HAT, "xxxxxxxxxxxx"), l!(SNARE, "...X")],
];
const FILL_JAZZ: &[Cell] = &[
    &[l!(SNARE, "x.o"), l!(RIDE, "x..")],
    &[l!(SNARE, "..x"), l!(HIGH_TOM, "x.."), l!(KICK, "..X")],
];
const FILL_BREAK: &[Cell] = &[
    &[l!(SNARE, "x.gx"), l!(KICK, "..x.")],
    &[l!(SNARE, "gxgx"), l!(HIGH_TOM, "...X")],
];

/// The style table. Order is the order shown to users.
pub const STYLES: &[DrumStyle] = &[
    DrumStyle {
        name: "pop",
        description: "straight eighths, backbeat on 2 and 4, four-on-the-floor at high density",
        patterns: &[
            &[
                &[l!(KICK, "x.+."), l!(CLOSED_HAT, "x~x~"), l!(SNARE, "...g")],
                &[l!(SNARE, "x..."), l!(CLAP, "~..."), l!(CLOSED_HAT, "x~x~"), l!(KICK, "..g.")],
                &[l!(KICK, "x.o."), l!(CLOSED_HAT, "x~x~")],
                &[l!(SNARE, "x..."), l!(CLOSED_HAT, "x~o~"), l!(KICK, "+.g."), l!(OPEN_HAT, "..~.")],
            ],
            &[
                &[l!(KICK, "x..o"), l!(CLOSED_HAT, "x~x~")],
                &[l!(SNARE, "x..g"), l!(CLOSED_HAT, "x~x~")],
                &[l!(KICK, "x.x."), l!(CLOSED_HAT, "x~x~")],
                &[l!(SNARE, "x.g."), l!(CLOSED_HAT, "x~x."), l!(OPEN_HAT, "...o")],
            ],
        ],
        fills: &[FILL_TOMS, FILL_SNARE_ROLL],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "rock",
        description: "driving eighth hats, kick on 1 and 3 with pushes, loud backbeat",
        patterns: &[
            &[
                &[l!(KICK, "X..."), l!(CLOSED_HAT, "xoxo")],
                &[l!(SNARE, "X..g"), l!(CLOSED_HAT, "xoxo")],
                &[l!(KICK, "x.x."), l!(CLOSED_HAT, "xoxo")],
                &[l!(SNARE, "X.g."), l!(CLOSED_HAT, "xoxo"), l!(KICK, "...+")],
            ],
            &[
                &[l!(KICK, "X.+."), l!(CLOSED_HAT, "xoxo")],
                &[l!(SNARE, "X..."), l!(CLOSED_HAT, "xoxo"), l!(KICK, "..o.")],
                &[l!(KICK, "x..."), l!(CLOSED_HAT, "xoxo")],
                &[l!(SNARE, "X..."), l!(OPEN_HAT, "..x."), l!(CLOSED_HAT, "x..."), l!(KICK, "..o.")],
            ],
        ],
        fills: &[FILL_TOMS, FILL_SNARE_ROLL, FILL_TRIPLET],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "funk",
        description: "sixteenth hats, syncopated kick, ghost-note snare",
        patterns: &[
            &[
                &[l!(KICK, "x..o"), l!(CLOSED_HAT, "xoxo"), l!(SNARE, ".g.g")],
                &[l!(SNARE, "X..g"), l!(CLOSED_HAT, "xoxo"), l!(KICK, "..+.")],
                &[l!(KICK, ".x.o"), l!(CLOSED_HAT, "xoxo"), l!(SNARE, "g.g.")],
                &[l!(SNARE, "X.g."), l!(CLOSED_HAT, "xo.o"), l!(OPEN_HAT, "..x."), l!(KICK, "...+")],
            ],
            &[
                &[l!(KICK, "x.x."), l!(CLOSED_HAT, "xoxo"), l!(SNARE, ".g.g")],
                &[l!(SNARE, "X.g."), l!(CLOSED_HAT, "xoxo"), l!(KICK, "...o")],
                &[l!(KICK, "..x."), l!(CLOSED_HAT, "xoxo"), l!(SNARE, "g..g")],
                &[l!(SNARE, "X..g"), l!(CLOSED_HAT, "xoxo"), l!(KICK, ".+..")],
            ],
        ],
        fills: &[FILL_BREAK, FILL_SNARE_ROLL],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "disco",
        description: "four-on-the-floor house/disco: kick every beat, open hat off-beats, clap backbeat",
        patterns: &[
            &[
                &[l!(KICK, "X..."), l!(OPEN_HAT, "..x."), l!(CLOSED_HAT, "~.~g")],
                &[l!(KICK, "X..."), l!(CLAP, "x..."), l!(SNARE, "o..."), l!(OPEN_HAT, "..x."), l!(CLOSED_HAT, "~.~g")],
            ],
            &[
                &[l!(KICK, "X..."), l!(OPEN_HAT, "..x."), l!(CLOSED_HAT, "x~.~"), l!(SHAKER, "g+g+")],
                &[l!(KICK, "X..."), l!(CLAP, "x..."), l!(OPEN_HAT, "..x."), l!(CLOSED_HAT, "x~.~"), l!(SHAKER, "g+g+")],
            ],
        ],
        fills: &[FILL_SNARE_ROLL, FILL_HAT_ROLL],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "boom-bap",
        description: "hip-hop: heavy kick, snare on 2 and 4, lazy swung hats",
        patterns: &[
            &[
                &[l!(KICK, "X..."), l!(CLOSED_HAT, "x.o."), l!(SNARE, "...g")],
                &[l!(SNARE, "X..."), l!(CLOSED_HAT, "x.o."), l!(KICK, "..+.")],
                &[l!(KICK, "..x."), l!(CLOSED_HAT, "x.o."), l!(SNARE, ".g..")],
                &[l!(SNARE, "X..."), l!(CLOSED_HAT, "x.o."), l!(KICK, ".~..")],
            ],
            &[
                &[l!(KICK, "X..x"), l!(CLOSED_HAT, "x.o.")],
                &[l!(SNARE, "X..."), l!(CLOSED_HAT, "x.o.")],
                &[l!(KICK, "..x."), l!(CLOSED_HAT, "x.o."), l!(OPEN_HAT, "....")],
                &[l!(SNARE, "X.g."), l!(CLOSED_HAT, "x..."), l!(OPEN_HAT, "..o.")],
            ],
        ],
        fills: &[FILL_BREAK],
        swing: 0.3,
        crash: CRASH,
    },
    DrumStyle {
        name: "trap",
        description: "half-time snare on 3, sparse 808 kicks, rolling hi-hats (rolls with density)",
        patterns: &[
            &[
                &[l!(KICK, "X..."), l!(CLOSED_HAT, "x+x+")],
                &[l!(CLOSED_HAT, "x+x+"), l!(KICK, "..o.")],
                &[l!(SNARE, "X..."), l!(CLAP, "x..."), l!(CLOSED_HAT, "x+x+")],
                &[l!(CLOSED_HAT, "x~~~~~"), l!(KICK, ".+..")],
            ],
            &[
                &[l!(KICK, "X..x"), l!(CLOSED_HAT, "x+x+")],
                &[l!(CLOSED_HAT, "x~~~~~"), l!(KICK, "....")],
                &[l!(SNARE, "X..."), l!(CLAP, "x..."), l!(CLOSED_HAT, "x+x+")],
                &[l!(CLOSED_HAT, "x+x+"), l!(OPEN_HAT, "..~."), l!(KICK, "..x.")],
            ],
        ],
        fills: &[FILL_HAT_ROLL],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "lo-fi",
        description: "dusty laid-back hip-hop: soft kick, side-stick backbeat, swung hats",
        patterns: &[
            &[
                &[l!(KICK, "x..."), l!(CLOSED_HAT, "o.o."), l!(SHAKER, "g.g.")],
                &[l!(SIDE_STICK, "x..."), l!(SNARE, "o..."), l!(CLOSED_HAT, "o.o.")],
                &[l!(KICK, "..x."), l!(CLOSED_HAT, "o.o."), l!(SHAKER, "g.g.")],
                &[l!(SIDE_STICK, "x..."), l!(SNARE, "o..."), l!(CLOSED_HAT, "o.+."), l!(KICK, "...~")],
            ],
            &[
                &[l!(KICK, "x.+."), l!(CLOSED_HAT, "o.o.")],
                &[l!(SIDE_STICK, "x..."), l!(SNARE, "o..."), l!(CLOSED_HAT, "o.o.")],
                &[l!(KICK, ".x.."), l!(CLOSED_HAT, "o.o.")],
                &[l!(SIDE_STICK, "x..."), l!(SNARE, "o..."), l!(CLOSED_HAT, "o..."), l!(OPEN_HAT, "..o.")],
            ],
        ],
        fills: &[FILL_BREAK],
        swing: 0.45,
        crash: RIDE_BELL,
    },
    DrumStyle {
        name: "dnb",
        description: "drum & bass two-step: kick on 1 and the and of 3, snare on 2 and 4, fast hats",
        patterns: &[
            &[
                &[l!(KICK, "X..."), l!(CLOSED_HAT, "x+x+"), l!(RIDE, "~...")],
                &[l!(SNARE, "X..g"), l!(CLOSED_HAT, "x+x+")],
                &[l!(KICK, "..x."), l!(CLOSED_HAT, "x+x+"), l!(SNARE, ".g..")],
                &[l!(SNARE, "X..."), l!(CLOSED_HAT, "x+x+"), l!(KICK, ".~..")],
            ],
            &[
                &[l!(KICK, "X.x."), l!(CLOSED_HAT, "x+x+")],
                &[l!(SNARE, "X..."), l!(CLOSED_HAT, "x+x+"), l!(KICK, "...+")],
                &[l!(KICK, "..x."), l!(CLOSED_HAT, "x+x+")],
                &[l!(SNARE, "X.g."), l!(CLOSED_HAT, "x+.+"), l!(OPEN_HAT, "..x.")],
            ],
        ],
        fills: &[FILL_SNARE_ROLL, FILL_BREAK],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "reggaeton",
        description: "dembow: kick on every beat, snare on the 3-3-2 off-beats",
        patterns: &[
            &[
                &[l!(KICK, "X..."), l!(SNARE, "...x"), l!(CLOSED_HAT, "x+x+")],
                &[l!(KICK, "X..."), l!(SNARE, "..x."), l!(CLOSED_HAT, "x+x+")],
            ],
            &[
                &[l!(KICK, "X..."), l!(SNARE, "...x"), l!(CLOSED_HAT, "x+x+"), l!(CLAP, "...~")],
                &[l!(KICK, "X..."), l!(SNARE, "x.x."), l!(CLOSED_HAT, "x+x+"), l!(TAMBOURINE, "g.g.")],
            ],
        ],
        fills: &[FILL_SNARE_ROLL],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "bossa",
        description: "bossa nova: side-stick clave, kick on 1 and 2-and, steady eighth hats or shaker",
        patterns: &[
            &[
                &[l!(KICK, "x.+x"), l!(SIDE_STICK, "x..."), l!(CLOSED_HAT, "xoxo"), l!(SHAKER, "g~g~")],
                &[l!(KICK, "x.+x"), l!(SIDE_STICK, "..x."), l!(CLOSED_HAT, "xoxo")],
                &[l!(KICK, "x.+x"), l!(SIDE_STICK, "...x"), l!(CLOSED_HAT, "xoxo"), l!(SHAKER, "g~g~")],
                &[l!(KICK, "x.+x"), l!(SIDE_STICK, "..x."), l!(CLOSED_HAT, "xoxo")],
            ],
            &[
                &[l!(KICK, "x..x"), l!(SIDE_STICK, "..x."), l!(CLOSED_HAT, "xoxo")],
                &[l!(KICK, "x..x"), l!(SIDE_STICK, "..x."), l!(CLOSED_HAT, "xoxo")],
                &[l!(KICK, "x..x"), l!(SIDE_STICK, "x..."), l!(CLOSED_HAT, "xoxo")],
                &[l!(KICK, "x..x"), l!(SIDE_STICK, "...x"), l!(CLOSED_HAT, "xoxo")],
            ],
        ],
        fills: &[FILL_JAZZ],
        swing: 0.0,
        crash: RIDE,
    },
    DrumStyle {
        name: "jazz",
        description: "swing: spang-a-lang ride in triplets, hi-hat foot on 2 and 4, feathered kick, comping snare",
        patterns: &[
            &[
                &[l!(RIDE, "x.."), l!(KICK, "o.."), l!(SNARE, "..g")],
                &[l!(RIDE, "x.x"), l!(PEDAL_HAT, "x.."), l!(KICK, "o.."), l!(SNARE, ".~.")],
                &[l!(RIDE, "x.."), l!(KICK, "o.."), l!(SNARE, "..~")],
                &[l!(RIDE, "x.x"), l!(PEDAL_HAT, "x.."), l!(KICK, "o.."), l!(SNARE, "g..")],
            ],
            &[
                &[l!(RIDE, "x.."), l!(KICK, "o.."), l!(SNARE, "..+")],
                &[l!(RIDE, "x.x"), l!(PEDAL_HAT, "x.."), l!(KICK, "o..")],
                &[l!(RIDE, "x.."), l!(KICK, "o.+"), l!(SNARE, ".g.")],
                &[l!(RIDE, "x.x"), l!(PEDAL_HAT, "x.."), l!(KICK, "o.."), l!(SNARE, "..x")],
            ],
        ],
        fills: &[FILL_JAZZ, FILL_TRIPLET],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "ballad-6/8",
        description: "6/8 ballad: kick on 1, cross-stick or snare on 4, eighth-note hats in threes",
        patterns: &[
            &[
                &[l!(KICK, "X.."), l!(CLOSED_HAT, "xoo"), l!(KICK, "..~")],
                &[l!(SNARE, "x.."), l!(SIDE_STICK, "..."), l!(CLOSED_HAT, "xoo"), l!(SNARE, "..g")],
            ],
            &[
                &[l!(KICK, "X.+"), l!(CLOSED_HAT, "xoo")],
                &[l!(SNARE, "x.."), l!(CLOSED_HAT, "xox"), l!(KICK, ".~.")],
            ],
        ],
        fills: &[FILL_TRIPLET],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "shuffle",
        description: "blues shuffle: triplet hats long-short, backbeat snare, kick on 1 and 3",
        patterns: &[
            &[
                &[l!(KICK, "x.."), l!(CLOSED_HAT, "x.o")],
                &[l!(SNARE, "x.g"), l!(CLOSED_HAT, "x.o")],
                &[l!(KICK, "x.+"), l!(CLOSED_HAT, "x.o")],
                &[l!(SNARE, "x.."), l!(CLOSED_HAT, "x.o"), l!(KICK, "..~")],
            ],
            &[
                &[l!(KICK, "x.."), l!(RIDE, "x.o")],
                &[l!(SNARE, "x.."), l!(RIDE, "x.o")],
                &[l!(KICK, "x.o"), l!(RIDE, "x.o")],
                &[l!(SNARE, "x.g"), l!(RIDE, "x.o")],
            ],
        ],
        fills: &[FILL_TRIPLET, FILL_SNARE_ROLL],
        swing: 0.0,
        crash: CRASH,
    },
    DrumStyle {
        name: "afro-latin",
        description: "son clave on claves over tumbao-style kick, conga and cowbell",
        patterns: &[
            &[
                &[l!(CLAVES, "x..x"), l!(KICK, "...x"), l!(COWBELL, "x+x+"), l!(LOW_CONGA, "..~g")],
                &[l!(CLAVES, "..x."), l!(KICK, "...."), l!(COWBELL, "x+x+"), l!(HIGH_BONGO, "+.~.")],
                &[l!(CLAVES, "..x."), l!(KICK, "...x"), l!(COWBELL, "x+x+"), l!(LOW_CONGA, "..~g")],
                &[l!(CLAVES, "x..."), l!(KICK, "...."), l!(COWBELL, "x+x+"), l!(HIGH_BONGO, "+.~.")],
            ],
            &[
                &[l!(CLAVES, "x..x"), l!(KICK, "x..x"), l!(COWBELL, "x.x.")],
                &[l!(CLAVES, "..x."), l!(COWBELL, "x.x."), l!(LOW_CONGA, "..x.")],
                &[l!(CLAVES, "..x."), l!(KICK, "...x"), l!(COWBELL, "x.x.")],
                &[l!(CLAVES, "x..."), l!(COWBELL, "x.x."), l!(LOW_CONGA, "..xx")],
            ],
        ],
        fills: &[FILL_BREAK, FILL_TOMS],
        swing: 0.0,
        crash: CRASH,
    },
];

/// The style named `name` (case-insensitive; "house" and "disco/house" alias "disco",
/// "drum & bass"/"drum-and-bass" alias "dnb", "6/8-ballad"/"ballad" alias "ballad-6/8").
pub fn find(name: &str) -> Option<&'static DrumStyle> {
    let n = name.trim().to_ascii_lowercase();
    let canonical = ALIASES
        .iter()
        .find(|(a, _)| *a == n)
        .map_or(n.as_str(), |(_, c)| *c);
    STYLES.iter().find(|s| s.name == canonical)
}

/// Alternative names accepted by [`find`].
const ALIASES: [(&str, &str); 10] = [
    ("house", "disco"),
    ("disco/house", "disco"),
    ("boombap", "boom-bap"),
    ("lofi", "lo-fi"),
    ("drum & bass", "dnb"),
    ("drum-and-bass", "dnb"),
    ("ballad", "ballad-6/8"),
    ("6/8-ballad", "ballad-6/8"),
    ("bossa-nova", "bossa"),
    ("swing", "jazz"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_well_formed() {
        assert!(STYLES.len() >= 12);
        let valid = |s: &str| matches!(s.len(), 1 | 2 | 3 | 4 | 6 | 8 | 12);
        for st in STYLES {
            assert!(st.patterns.len() >= 2, "{} needs variations", st.name);
            assert!(!st.fills.is_empty(), "{} needs fills", st.name);
            for cells in st.patterns.iter().chain(st.fills) {
                assert!(!cells.is_empty(), "{}", st.name);
                for cell in cells.iter() {
                    for lane in cell.iter() {
                        assert!(valid(lane.steps), "{} {:?}", st.name, lane.steps);
                        assert!((35..=81).contains(&lane.drum), "{} {}", st.name, lane.drum);
                    }
                }
            }
            // Every groove's first cell starts with a core hit so sparse bars are never silent.
            let first = st.patterns[0][0];
            assert!(
                first.iter().any(|l| l.steps.starts_with(['x', 'X'])),
                "{}",
                st.name
            );
        }
        assert_eq!(find("House").map(|s| s.name), Some("disco"));
        assert_eq!(find("drum & bass").map(|s| s.name), Some("dnb"));
        assert!(find("polka").is_none());
        for (_, c) in ALIASES {
            assert!(find(c).is_some(), "{c}");
        }
    }
}
