//! The offline twin of live mode: a recorded performance (a clip's notes) played into a
//! [`LiveEngine`] event by event, with the worker latency as a fixed delay, and the response
//! written as parts of its own beside the input.

use super::{LiveEngine, LiveError, LiveEvent, LiveMode, LiveSettings};
use crate::clip::{Clip, Part, PartKind, TICKS_PER_QUARTER};

/// The worker latency both live mode and its offline twin plan with, in milliseconds.
pub const DEFAULT_DELAY_MS: f64 = 20.0;

/// The performance's note events in time order (offs before ons at one tick), drums left out.
pub fn events(performance: &Clip) -> Vec<LiveEvent> {
    let mut out = Vec::new();
    for part in performance
        .parts
        .iter()
        .filter(|p| p.kind != PartKind::Drums)
    {
        for n in &part.notes {
            let (key, velocity) = (n.pitch.as_int(), n.velocity.as_int().max(1));
            out.push(LiveEvent {
                tick: n.start,
                on: true,
                key,
                velocity,
            });
            out.push(LiveEvent {
                tick: n.end(),
                on: false,
                key,
                velocity,
            });
        }
    }
    out.sort_by_key(|e| (e.tick, e.on, e.key));
    out
}

/// Ticks of `ms` milliseconds at `bpm` (rounded up).
pub fn delay_ticks(ms: f64, bpm: f64) -> u32 {
    let ticks = ms.max(0.0) * bpm.max(1.0) / 60_000.0 * f64::from(TICKS_PER_QUARTER);
    ticks.ceil().min(f64::from(u32::MAX)) as u32
}

/// Plays `performance` into a live engine and returns the input with the response parts
/// (named "live <part>") added, lengthened by one phrase so the last answer fits, and the
/// engine (for its heard chords and phrases).
pub fn respond(performance: &Clip, s: LiveSettings) -> Result<(Clip, LiveEngine), LiveError> {
    let mut engine = LiveEngine::new(s)?;
    for e in events(performance) {
        engine.push(e);
    }
    let bar = engine.settings().bar_ticks();
    let end_bars = performance.bars + engine.settings().phrase_bars;
    engine.finish(end_bars * bar);
    let mut out = performance.clone();
    out.bars = end_bars;
    for kind in PartKind::ALL {
        let notes: Vec<_> = engine
            .response()
            .iter()
            .filter(|n| n.part == kind)
            .map(|n| n.note)
            .collect();
        if notes.is_empty() {
            continue;
        }
        let mut part = Part::new(kind, notes);
        part.name = format!("live {}", kind.name());
        out.parts.push(part);
    }
    let st = engine.settings();
    let by_model = st.model && st.mode != LiveMode::Follow && engine.notices().is_empty();
    out.provenance.engine = if by_model {
        format!("live(model({}))", crate::model::backend_name())
    } else {
        "live(rules)".into()
    };
    out.provenance.seed = st.seed;
    out.provenance.parameters = format!(
        "mode={} phrase-bars={} delay-ticks={} on-silence={:?} model={}",
        st.mode.name(),
        st.phrase_bars,
        st.delay_ticks,
        st.on_silence,
        st.model
    );
    Ok((out, engine))
}
