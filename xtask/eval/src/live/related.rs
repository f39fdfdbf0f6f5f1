//! The answers' relation to their calls offline, through `LiveEngine` itself (no host).

use bandmate_engine::live::sampled::relation;
use bandmate_engine::rng::Rng;

/// Mean (rhythm, contour).
pub type Pair = (f64, f64);

/// Mean relation of answers to their calls through the engine itself (offline, no host): the
/// model's and the rules' answers to the same random one-bar calls, and the model's answers
/// against the next call's (an unrelated pair: the level relation takes by chance).
/// Returns (model, rules, unrelated) as (rhythm, contour), and the rule fallbacks.
pub fn offline(n: usize, seed: u64) -> (Pair, Pair, Pair, usize) {
    use bandmate_engine::live::{LiveEngine, LiveEvent, LiveMode, LiveSettings};
    const BAR: u32 = 1920;
    let mut rng = Rng::derive(seed, "eval-live-relation");
    let scale = [0u8, 2, 4, 5, 7, 9, 11];
    let mut calls = Vec::new();
    for _ in 0..n {
        let mut call = Vec::new();
        let mut i = 0;
        while i < 6 {
            call.push((i * 240 + rng.below(40), 60 + scale[rng.below(7) as usize]));
            i += 1 + rng.below(2);
        }
        calls.push(call);
    }
    let answer = |call: &[(u32, u8)], model: bool, s: u64| {
        let st = LiveSettings {
            mode: LiveMode::Answer,
            phrase_bars: 1,
            model,
            seed: s,
            ..LiveSettings::default()
        };
        let Ok(mut e) = LiveEngine::new(st) else {
            return (Vec::new(), 0);
        };
        for &(t, k) in call {
            for (tick, on) in [(BAR + t, true), (BAR + t + 160, false)] {
                e.push(LiveEvent {
                    tick,
                    on,
                    key: k,
                    velocity: 90,
                });
            }
        }
        e.finish(3 * BAR);
        let notes = e
            .response_between(2 * BAR, 3 * BAR)
            .map(|n| (n.note.start - 2 * BAR, i32::from(n.note.pitch.as_int())))
            .collect::<Vec<_>>();
        (notes, e.notices().len())
    };
    let rel = |call: &[(u32, u8)], a: &[(u32, i32)]| {
        let c: Vec<(u32, i32)> = call.iter().map(|&(t, k)| (t, i32::from(k))).collect();
        relation(&c, a, BAR)
    };
    let (mut m, mut r, mut u, mut fallbacks) = ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0), 0);
    let mut model_answers = Vec::new();
    for (i, call) in calls.iter().enumerate() {
        let (a, f) = answer(call, true, i as u64 + 1);
        fallbacks += f;
        let (b, _) = answer(call, false, i as u64 + 1);
        let (x, y) = (rel(call, &a), rel(call, &b));
        m = (m.0 + f64::from(x.rhythm), m.1 + f64::from(x.contour));
        r = (r.0 + f64::from(y.rhythm), r.1 + f64::from(y.contour));
        model_answers.push(a);
    }
    for (i, call) in calls.iter().enumerate() {
        let other = &model_answers[(i + 1) % n.max(1)];
        let z = rel(call, other);
        u = (u.0 + f64::from(z.rhythm), u.1 + f64::from(z.contour));
    }
    let k = n.max(1) as f64;
    let avg = |p: (f64, f64)| (p.0 / k, p.1 / k);
    (avg(m), avg(r), avg(u), fallbacks)
}
