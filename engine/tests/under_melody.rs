//! The chord and keys parts sound below the melody wherever a melody note plays: in loops from
//! rules and from the models, in songs, after regenerating the melody, and with a locked melody.

#[path = "native_backend.rs"]
mod native_backend;

use bandmate_engine::arrange::{self, locks, Settings, Source};
use bandmate_engine::clip::{Clip, PartKind};
use bandmate_engine::form;
use bandmate_engine::parts::keys;
use bandmate_engine::song::SongPlan;

/// Every chords/keys note overlapping a melody note is strictly lower than it; returns how many
/// overlapping pairs were checked.
fn assert_under(clip: &Clip, what: &str) -> usize {
    let Some(melody) = clip.part(PartKind::Melody) else {
        panic!("{what}: no melody");
    };
    let mut pairs = 0;
    for kind in [PartKind::Chords, PartKind::Keys] {
        let Some(part) = clip.part(kind) else {
            continue;
        };
        for n in &part.notes {
            for m in melody
                .notes
                .iter()
                .filter(|m| m.start < n.end() && n.start < m.end())
            {
                pairs += 1;
                assert!(
                    n.pitch < m.pitch,
                    "{what}: {kind:?} note {n:?} not below melody note {m:?}"
                );
            }
        }
    }
    pairs
}

fn settings(source: Source, seed: u64, keys_style: &str, spread: &str) -> Settings {
    let mut s = Settings {
        source,
        seed,
        bars: 8,
        ..Settings::default()
    };
    s.enable_only(&[
        PartKind::Chords,
        PartKind::Melody,
        PartKind::Keys,
        PartKind::Bass,
    ]);
    if let Some(p) = s.part_mut(PartKind::Keys) {
        p.style = keys_style.into();
    }
    if let Some(p) = s.part_mut(PartKind::Chords) {
        p.style = spread.into();
    }
    s
}

#[test]
fn loops_keep_chords_and_keys_under_the_melody() {
    let native = native_backend::native();
    let mut pairs = 0;
    let sources = if native {
        vec![Source::Rules, Source::Model]
    } else {
        vec![Source::Rules]
    };
    for source in sources {
        for (i, style) in keys::STYLES.iter().enumerate() {
            for (j, spread) in ["close", "open", "drop2"].iter().enumerate() {
                let seed = (i * 3 + j) as u64 + 1;
                let s = settings(source, seed, style.name, spread);
                let clip = arrange::generate(&s).expect("arrangement").clip;
                let what = format!("{source:?} keys={} chords={spread} seed={seed}", style.name);
                pairs += assert_under(&clip, &what);
                assert!(
                    clip.part(PartKind::Keys)
                        .is_some_and(|p| !p.notes.is_empty()),
                    "{what}: keys part emptied"
                );
            }
        }
    }
    assert!(pairs > 100, "only {pairs} overlapping pairs checked");
}

#[test]
fn regenerated_and_locked_melodies_keep_the_rule() {
    native_backend::native();
    let s = settings(Source::Rules, 3, "block", "close");
    let clip = arrange::generate(&s).expect("arrangement").clip;
    for seed in [10, 11, 12] {
        let again = arrange::regenerate(&s, &clip, PartKind::Melody, seed)
            .expect("new melody")
            .clip;
        assert_under(&again, &format!("regenerated melody seed {seed}"));
        assert_eq!(again.chords, clip.chords);
        assert_eq!(again.part(PartKind::Bass), clip.part(PartKind::Bass));
    }
    // A locked melody stays as it was and the new keys and chords go under it.
    let mut t = s.clone();
    t.seed = 77;
    let kept = locks::generate_with_locks(&t, Some(&clip), &[PartKind::Melody])
        .expect("locks")
        .clip;
    assert_eq!(kept.part(PartKind::Melody), clip.part(PartKind::Melody));
    assert_under(&kept, "locked melody");
}

#[test]
fn songs_keep_the_rule_in_every_section() {
    native_backend::native();
    let s = settings(Source::Rules, 5, "arp-up", "open");
    let song =
        form::generate_plan(&s, &SongPlan::new("verse:4 chorus:4 verse:4 chorus:4")).expect("song");
    assert!(assert_under(&song.clip, "song") > 0);
}
