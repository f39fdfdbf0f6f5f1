//! Arbitrary bytes as a .mid file through `engine::import::import`, then everything the plugin
//! and the CLI do with an imported clip: playback flattening, SMF writing and re-import.
#![no_main]

use bandmate_engine::{import, playback::PlaybackClip, smf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(clip) = import::import(data) else { return };
    let len = clip.length_ticks();
    assert!(clip.bars >= 1);
    for p in &clip.parts {
        for n in &p.notes {
            assert!(n.duration > 0 && n.end() <= len, "note {n:?} outside the clip ({len} ticks)");
        }
    }
    let pb = PlaybackClip::from_clip(&clip);
    assert_eq!(pb.events().len() % 2, 0, "every note-on has its note-off");
    let bytes = smf::write(&clip).expect("an imported clip can be written");
    let back = import::import(&bytes).expect("a written clip imports again");
    assert_eq!(back.note_count(), clip.note_count());
});
