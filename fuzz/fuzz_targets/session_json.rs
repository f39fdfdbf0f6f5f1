//! Arbitrary text as the editor's saved state (`engine::session::Session::from_json`), then what
//! the plugin does with a restored session: play its clip, export it, undo/redo, and generate
//! from its settings. None of it may panic.
#![no_main]

use bandmate_engine::arrange::{self, Source};
use bandmate_engine::{playback::PlaybackClip, session::Session, smf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (mut s, _warnings) = Session::from_json(&text);
    let (undo, redo) = s.history.len();
    assert!(undo <= s.history.cap() && redo <= s.history.cap());
    if let Some(clip) = &s.clip {
        let _ = PlaybackClip::from_clip(clip);
        let _ = smf::write(clip);
    }
    while s.undo().is_some() {}
    while s.redo().is_some() {}
    // What it saves must load again.
    let (again, _) = Session::from_json(&s.to_json());
    if let Some(clip) = &again.clip {
        let _ = PlaybackClip::from_clip(clip);
    }
    // Regenerating from restored settings: an error is fine, a panic is not. Rules only (the
    // model path has its own target and would make each run slow).
    let mut settings = s.settings.clone();
    settings.source = Source::Rules;
    if let Ok(a) = arrange::generate(&settings) {
        let _ = smf::write(&a.clip);
    }
});
