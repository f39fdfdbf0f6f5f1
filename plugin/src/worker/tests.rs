use super::*;
use crate::params::SourceChoice;
use bandmate_engine::input::InputEvent;
use bandmate_engine::theory::{Meter, Mode, PitchClass};
use nice_plug::prelude::Param;

/// Stands in for the host: applies requested changes at once (as a host does when it flushes
/// the plugin's output parameter events), or cannot be reached (no editor was ever opened).
struct TestHost {
    reachable: bool,
}

impl ParamHost for TestHost {
    fn request(&self, changes: &[ParamChange]) -> bool {
        if !self.reachable {
            return false;
        }
        for (ptr, v) in changes {
            // SAFETY: the pointers point into the rig's parameters, alive for the whole test.
            unsafe { ptr._internal_set_normalized_value(*v) };
        }
        true
    }
}

/// Sets a parameter the way a host does (automation, a loaded project).
fn set<P: Param>(p: &P, plain: P::Plain) {
    let v = p.preview_normalized(plain);
    // SAFETY: the parameter lives in the test's parameter object.
    unsafe { p.as_ptr()._internal_set_normalized_value(v) };
}

struct Rig {
    params: Arc<BandmateParams>,
    shared: Arc<Shared>,
    worker: Arc<Worker>,
    audio: AudioSide,
}

/// A worker with rule-based generation and no editor; `reachable`: whether the host's
/// parameter API can be reached.
fn rig(reachable: bool) -> Rig {
    let params = Arc::new(BandmateParams::default());
    set(&params.source, SourceChoice::Rules);
    let shared = Arc::new(Shared::default());
    let host = Arc::new(TestHost { reachable });
    let (worker, audio) = make(params.clone(), shared.clone(), host);
    Rig {
        params,
        shared,
        worker,
        audio,
    }
}

impl Rig {
    fn clip(&self) -> Clip {
        self.params
            .session
            .read()
            .session
            .clip
            .clone()
            .expect("a clip")
    }

    /// The newest clip queued for the audio thread.
    fn played(&mut self) -> Option<PlaybackClip> {
        let mut last = None;
        while let Ok(l) = self.audio.clips.pop() {
            last = Some(l.playback);
        }
        last
    }

    /// What the runner does each poll.
    fn poll(&self) {
        if self.shared.input_task_pending.load(Ordering::SeqCst) {
            self.worker.run(Task::DrainInput);
        }
        if self.worker.needs_generation() {
            self.worker.run(Task::Generate);
        }
    }

    fn labels(&self) -> (String, Option<String>, Option<String>) {
        let st = self.params.session.read();
        let h = &st.session.history;
        (
            st.session.label.clone(),
            h.undo_label().map(str::to_owned),
            h.redo_label().map(str::to_owned),
        )
    }
}

#[test]
fn default_parameters_map_to_the_engine_defaults() {
    let p = BandmateParams::default();
    assert_eq!(settings_from_params(&p, None, None), Settings::default());
    assert_eq!(
        settings_from_params(&p, Some(Meter::COMMON), None),
        Settings::default()
    );
    let m78 = Meter {
        numerator: 7,
        denominator: 8,
    };
    assert_eq!(settings_from_params(&p, Some(m78), None).meter, m78);
    assert_eq!(effective_meter(&p, None), Meter::COMMON);
    let g: Key = "G major".parse().expect("key");
    assert_eq!(
        settings_from_params(&p, None, Some(g)).key,
        Settings::default().key,
        "a followed key only counts with key source \"detected\""
    );
}

#[test]
fn parameters_set_from_settings_map_back_to_the_same_settings() {
    let p = BandmateParams::default();
    let mut s = Settings {
        key: "A harmonic minor".parse().expect("key"),
        bars: 8,
        seed: 42,
        source: bandmate_engine::arrange::Source::Rules,
        style: "folk".into(),
        complexity: 0.7,
        adventure: 0.2,
        density: 0.9,
        swing: 0.3,
        humanize: 0.1,
        fill_every: 2,
        harmonic_rhythm: bandmate_engine::progression::HarmonicRhythm::HalfBar,
        ..Settings::default()
    };
    s.enable_only(&[PartKind::Bass, PartKind::Drums]);
    if let Some(o) = s.part_mut(PartKind::Bass) {
        o.channel = 5;
        o.octave = -1;
    }
    if let Some(o) = s.part_mut(PartKind::Drums) {
        o.style = "funk".into();
    }
    let changes = changes_for(&p, &s, None);
    assert!(!changes.is_empty());
    for (ptr, v) in &changes {
        // SAFETY: the pointers point into `p`.
        unsafe { ptr._internal_set_normalized_value(*v) };
    }
    // Stepped float parameters snap to their step (0.2 becomes 0.19999999).
    let mut got = settings_from_params(&p, None, None);
    for (g, want) in [
        (&mut got.complexity, s.complexity),
        (&mut got.adventure, s.adventure),
        (&mut got.density, s.density),
        (&mut got.swing, s.swing),
        (&mut got.humanize, s.humanize),
    ] {
        assert!((*g - want).abs() < 1e-6, "{g} vs {want}");
        *g = want;
    }
    assert_eq!(got, s);
    let snapped = settings_from_params(&p, None, None);
    assert!(
        changes_for(&p, &snapped, None).is_empty(),
        "nothing left to change"
    );
}

#[test]
fn undo_and_redo_with_no_editor_restore_the_clip_and_the_parameters() {
    let mut r = rig(true);
    r.poll();
    let first = r.clip();
    assert_eq!(first.provenance.seed, 1);
    assert_eq!(r.played(), Some(PlaybackClip::from_clip(&first)));
    assert_eq!(r.labels(), ("generate (seed 1)".into(), None, None));

    // Automation changes the seed: the worker notices and makes the next step.
    set(&r.params.seed, 2);
    assert!(r.worker.needs_generation());
    r.poll();
    let second = r.clip();
    assert_ne!(second, first);
    assert_eq!(
        r.labels(),
        (
            "generate (seed 2)".into(),
            Some("generate (seed 1)".into()),
            None
        )
    );

    r.worker.run(Task::Undo);
    assert_eq!(r.clip(), first);
    assert_eq!(r.played(), Some(PlaybackClip::from_clip(&first)));
    assert_eq!(r.params.seed.value(), 1, "the parameters follow the clip");
    assert!(!r.worker.needs_generation(), "the restored clip is kept");
    r.poll();
    assert_eq!(r.clip(), first);
    assert_eq!(r.labels().2.as_deref(), Some("generate (seed 2)"));

    r.worker.run(Task::Undo);
    assert_eq!(r.clip(), first);
    assert_eq!(r.shared.status.lock().message, "nothing to undo");

    r.worker.run(Task::Redo);
    assert_eq!(r.clip(), second);
    assert_eq!(r.params.seed.value(), 2);
    assert!(!r.worker.needs_generation());

    // A new part is a step of its own, labelled by its task.
    set(&r.params.bass.enabled, true);
    r.poll();
    r.worker.run(Task::RegeneratePart {
        kind: PartKind::Bass,
        seed: 9,
    });
    assert_eq!(r.labels().0, "new bass (seed 9)");
    r.worker.run(Task::Undo);
    assert!(r.clip().part(PartKind::Bass).is_some());
    assert!(r.params.bass.enabled.value());
    r.worker.run(Task::Undo);
    assert_eq!(r.clip(), second);
    assert!(
        !r.params.bass.enabled.value(),
        "undo turned the bass off again"
    );
    assert!(!r.worker.needs_generation());
}

#[test]
fn undo_without_the_host_api_keeps_the_parameters_and_the_restored_clip() {
    let r = rig(false);
    r.poll();
    let first = r.clip();
    set(&r.params.seed, 2);
    r.poll();
    r.worker.run(Task::Undo);
    assert_eq!(r.clip(), first);
    assert_eq!(r.params.seed.value(), 2, "no host API: parameters stay");
    assert!(
        !r.worker.needs_generation(),
        "and the clip is not made again"
    );
}

/// Plays a tune in G major into the input queue, as the audio thread would.
fn play_g_major(r: &mut Rig) {
    let tune: [(u8, f64); 14] = [
        (67, 2.0),
        (71, 1.0),
        (74, 1.0),
        (79, 1.0),
        (69, 0.5),
        (72, 0.5),
        (78, 0.5),
        (67, 2.0),
        (74, 1.0),
        (71, 1.0),
        (76, 0.5),
        (62, 1.0),
        (66, 0.5),
        (67, 2.0),
    ];
    let mut q = 0.0;
    for (key, len) in tune {
        for (on, at) in [(true, q), (false, q + len)] {
            let e = InputEvent {
                on,
                channel: 0,
                key,
                velocity: 100,
                quarters: at,
            };
            assert!(r.audio.input.push(e).is_ok());
        }
        q += len;
    }
    r.shared.input_task_pending.store(true, Ordering::SeqCst);
}

#[test]
fn a_detected_key_is_followed_with_no_editor() {
    for reachable in [false, true] {
        let mut r = rig(reachable);
        set(&r.params.key_source, KeySourceChoice::Detected);
        r.poll();
        let before = r.clip();
        assert_eq!(before.key.tonic, PitchClass::new(0));

        play_g_major(&mut r);
        r.poll();
        let (key, _) = r.shared.detected_key.lock().expect("a detected key");
        assert_eq!((key.tonic, key.mode), (PitchClass::new(7), Mode::Major));
        assert_eq!(r.params.session.read().followed_key, Some(key));
        let after = r.clip();
        assert_eq!(after.key, key, "reachable host: {reachable}");
        assert_eq!(
            r.labels(),
            (
                format!("follow detected key ({key}, seed 1)"),
                Some("generate (seed 1)".into()),
                None
            )
        );
        if reachable {
            assert_eq!(r.params.tonic.value() as usize, 7, "the host got the key");
            assert_eq!(r.params.mode.value() as usize, 0);
        } else {
            assert_eq!(r.params.tonic.value() as usize, 0, "no host API");
        }
        assert!(!r.worker.needs_generation());
        r.poll();
        assert_eq!(r.clip(), after, "no second clip for the same key");
    }
}

#[test]
fn a_panic_in_background_generation_is_contained_and_the_old_clip_keeps_playing() {
    let mut r = rig(false);
    r.worker.run(Task::Generate);
    let first = r.played().expect("a first clip");
    let first_clip = r.clip();
    let first_id = r.shared.clip_id.load(Ordering::SeqCst);
    assert_eq!(r.shared.status.lock().kind, StatusKind::Ready);

    for task in [
        Task::RegeneratePart {
            kind: PartKind::Chords,
            seed: 99,
        },
        Task::Generate,
        Task::DrainInput,
    ] {
        r.worker.inject_panic.store(true, Ordering::SeqCst);
        r.worker.run(task.clone());
        let st = r.shared.status.lock().clone();
        assert_eq!(st.kind, StatusKind::Error, "{task:?}");
        assert!(st.message.contains("injected test panic"), "{}", st.message);
        assert!(
            r.played().is_none(),
            "{task:?}: nothing replaces the playing clip"
        );
        assert_eq!(r.shared.clip_id.load(Ordering::SeqCst), first_id);
        assert_eq!(r.clip(), first_clip);
    }

    // The worker still works afterwards.
    r.worker.run(Task::RegeneratePart {
        kind: PartKind::Chords,
        seed: 99,
    });
    let second = r.played().expect("a new clip after the panic");
    assert_ne!(second, first);
    assert_eq!(r.shared.status.lock().kind, StatusKind::Ready);

    // And a panic while activating gives no clip instead of unwinding into the host.
    r.worker.inject_panic.store(true, Ordering::SeqCst);
    assert!(r.worker.initial_clip(false).is_none());
    assert_eq!(r.shared.status.lock().kind, StatusKind::Error);
    assert_eq!(panic_message(&"x"), "x");
}

/// Chords of `clip` inside its section `i`, relative to the section start.
fn section_chords(clip: &Clip, i: usize) -> Vec<(u32, u32, String)> {
    let sec = clip.section_clip(i).expect("section");
    sec.chords
        .iter()
        .map(|c| (c.start, c.duration, c.chord.symbol(false)))
        .collect()
}

#[test]
fn song_form_sections_regenerate_lock_and_undo_with_no_editor() {
    let mut r = rig(true);
    set(&r.params.drums.enabled, true);
    r.poll();
    let loop_clip = r.clip();
    assert!(loop_clip.sections.is_empty());

    r.worker
        .run(Task::SetForm(Some("verse:4 chorus:4 verse:4".into())));
    let song = r.clip();
    assert_eq!(
        song.bars, 12,
        "the form, not the bars parameter, sets the length"
    );
    assert_eq!(
        song.sections
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>(),
        vec!["Verse 1", "Chorus 1", "Verse 2"]
    );
    assert_eq!(r.played(), Some(PlaybackClip::from_clip(&song)));
    assert!(
        r.labels().0.starts_with("song form verse:4"),
        "{:?}",
        r.labels()
    );
    assert!(
        !r.worker.needs_generation(),
        "the song is the parameters' clip"
    );

    // A new chorus: both verses stay byte-identical.
    r.worker.run(Task::RegenerateSection { index: 1, seed: 77 });
    let regen = r.clip();
    assert_eq!(section_chords(&regen, 0), section_chords(&song, 0));
    assert_eq!(
        regen.section_clip(2).expect("verse 2").parts,
        song.section_clip(2).expect("verse 2").parts
    );
    assert_ne!(section_chords(&regen, 1), section_chords(&song, 1));
    assert_eq!(regen.sections[1].seed, 77);

    // Lock the chorus; a new song seed makes new verses and keeps the chorus.
    r.worker.run(Task::LockSection {
        index: 1,
        locked: true,
    });
    assert_eq!(r.clip(), regen, "locking changes nothing audible");
    r.worker.run(Task::RegenerateSection { index: 1, seed: 5 });
    assert_eq!(r.clip(), regen, "a locked section is not regenerated");
    set(&r.params.seed, 4321);
    r.poll();
    let reseeded = r.clip();
    assert_eq!(section_chords(&reseeded, 1), section_chords(&regen, 1));
    assert_ne!(section_chords(&reseeded, 0), section_chords(&regen, 0));

    // A bad form changes nothing and says why.
    r.worker.run(Task::SetForm(Some("verse:0".into())));
    assert_eq!(r.clip(), reseeded);
    assert!(r.shared.status.lock().message.contains("verse:0"));

    // Song form off: one loop again; undo brings the song back.
    r.worker.run(Task::SetForm(None));
    let off = r.clip();
    assert!(off.sections.is_empty());
    assert_eq!(off.bars, r.params.bars.value() as u32);
    r.worker.run(Task::Undo);
    assert_eq!(r.clip(), reseeded);
    assert!(r.params.session.read().session.settings.song.is_some());
}

#[test]
fn learns_a_folder_on_the_worker_and_generates_with_the_style() {
    let r = rig(true);
    r.worker.run(Task::Generate);
    let root = std::env::temp_dir().join(format!("bandmate-worker-learn-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let songs = root.join("songs");
    std::fs::create_dir_all(&songs).expect("dir");
    for seed in 1..=3u64 {
        let mut s = Settings {
            source: bandmate_engine::arrange::Source::Rules,
            seed,
            ..Settings::default()
        };
        s.enable_only(&PartKind::ALL);
        let clip = arrange::generate(&s).expect("arrangement").clip;
        let bytes = bandmate_engine::smf::write(&clip).expect("write");
        std::fs::write(songs.join(format!("{seed}.mid")), bytes).expect("write");
    }
    std::fs::write(songs.join("bad.mid"), b"nope").expect("write");
    // No other test in this process reads XDG_DATA_HOME.
    std::env::set_var("XDG_DATA_HOME", root.join("data"));
    r.worker.run(Task::LearnStyle {
        dir: songs.display().to_string(),
        name: "mine".into(),
    });
    let msg = r.shared.learn.message.lock().clone();
    assert!(
        msg.contains("learned \"mine\" from 3 files (1 skipped"),
        "{msg}"
    );
    assert!(root
        .join("data/bandmate/styles/mine/profile.json")
        .is_file());
    assert_eq!(r.shared.learn.progress(), None, "not running any more");
    assert_eq!(
        r.shared.learn.chosen.lock().clone(),
        Some(("mine".to_string(), 0.8))
    );
    let clip = r.clip();
    assert!(
        clip.provenance.parameters.contains("personal=mine@"),
        "{}",
        clip.provenance.parameters
    );
    // The choice is saved with the project: a reopened project generates with it again.
    {
        use nice_plug::params::Params;
        let fields = r.params.serialize_fields();
        let reopened = rig(true);
        reopened.params.deserialize_fields(&fields);
        assert_eq!(
            reopened.params.session.read().personal,
            Some(crate::persist::PersonalChoice {
                name: "mine".into(),
                like: 0.8
            })
        );
        reopened.worker.run(Task::Generate);
        assert_eq!(
            reopened.shared.learn.chosen.lock().clone(),
            Some(("mine".to_string(), 0.8))
        );
        set(&reopened.params.seed, 99);
        reopened.worker.run(Task::Generate);
        assert!(
            reopened
                .clip()
                .provenance
                .parameters
                .contains("personal=mine@"),
            "the reopened project's next clip uses the style"
        );
    }
    r.worker.run(Task::SetPersonal {
        name: None,
        like_pct: 80,
    });
    assert!(!r.clip().provenance.parameters.contains("personal="));
    assert_eq!(r.params.session.read().personal, None);
    r.worker.run(Task::SetPersonal {
        name: Some("missing".into()),
        like_pct: 50,
    });
    assert!(r
        .shared
        .learn
        .message
        .lock()
        .contains("no personal style \"missing\""));
}

#[test]
fn live_mode_feeds_the_engine_and_hands_material_to_the_audio_thread() {
    use bandmate_engine::playback::EventKind;
    let mut r = rig(false);
    set(&r.params.live, true);
    // Playing from bar 2 (quarter 4); a C chord heard at quarter 4.1 (tick 1968).
    r.shared.live.set_position(Some(4.0));
    for key in [48u8, 52, 55] {
        let e = InputEvent {
            on: true,
            channel: 0,
            key,
            velocity: 100,
            quarters: 4.1,
        };
        assert!(r.audio.input.push(e).is_ok());
    }
    r.shared.input_task_pending.store(true, Ordering::SeqCst);
    r.worker.run(Task::LiveTick);
    // The worker sees the position at the decision tick (1992); no block played yet, so its
    // lead is the 10 ms handoff.
    r.shared.live.set_position(Some(4.15));
    r.worker.run(Task::LiveTick);
    let mut newest = None;
    while let Ok(m) = r.audio.live.pop() {
        newest = Some(m);
    }
    let m = newest.expect("live material");
    // Decided 24 ticks after the chord (1992), played from the next 16th: tick 2040.
    assert!(m.switch_at <= 2040, "switch at {}", m.switch_at);
    assert!(
        m.events().iter().any(|e| e.kind == EventKind::NoteOn
            && e.channel == 2
            && e.tick == 2040
            && e.key % 12 == 0),
        "the bass plays C from the next 16th"
    );
    let view = r.shared.live.view.lock().clone();
    assert_eq!(view.chord.map(|c| c.to_string()).as_deref(), Some("C"));
    assert!(!view.upcoming.is_empty());
    assert!(r.params.heard.read().is_empty(), "no note ended yet");
    // Stopped: urgent material without notes after the stop; off: the session closes.
    r.shared.live.set_position(None);
    r.worker.run(Task::LiveTick);
    let mut newest = None;
    while let Ok(m) = r.audio.live.pop() {
        newest = Some(m);
    }
    let m = newest.expect("material after the stop");
    assert!(m.urgent);
    assert!(m
        .events()
        .iter()
        .all(|e| e.kind == EventKind::NoteOff || e.tick <= 2160));
    set(&r.params.live, false);
    r.worker.run(Task::LiveTick);
    assert!(!r.worker.live_running());
}

#[test]
fn live_chord_switches_after_the_audio_block_the_worker_cannot_reach() {
    use bandmate_engine::playback::EventKind;
    let mut r = rig(false);
    set(&r.params.live, true);
    r.shared.live.set_position(Some(4.0));
    r.shared.live.set_block(0.25);
    for key in [48u8, 52, 55] {
        let e = InputEvent {
            on: true,
            channel: 0,
            key,
            velocity: 100,
            quarters: 4.1,
        };
        assert!(r.audio.input.push(e).is_ok());
    }
    r.shared.input_task_pending.store(true, Ordering::SeqCst);
    r.worker.run(Task::LiveTick);
    r.shared.live.set_position(Some(4.15));
    r.worker.run(Task::LiveTick);
    let mut newest = None;
    while let Ok(m) = r.audio.live.pop() {
        newest = Some(m);
    }
    let m = newest.expect("live material");
    // Decided at 1992 with a 120-tick block ahead: the first 16th past 1992 + 120 + 10 ms.
    let bass: Vec<u32> = m
        .events()
        .iter()
        .filter(|e| e.kind == EventKind::NoteOn && e.channel == 2 && e.key % 12 == 0)
        .map(|e| e.tick)
        .collect();
    assert_eq!(bass.first(), Some(&2160), "{bass:?}");
    assert!(m.switch_at <= 2160 && m.switch_at > 2040, "{}", m.switch_at);
}
