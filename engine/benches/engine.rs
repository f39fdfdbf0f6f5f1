//! Criterion benchmarks of the engine: whole arrangements (model and rules), each part alone (chords
//! from models v1 and v2), and one model step. Results are written up in docs/BENCHMARKS.md.
//!
//! The ONNX backend is chosen once per process, so run twice to compare backends:
//!   BANDMATE_MODEL_BACKEND=tract  cargo bench -p bandmate-engine --bench engine
//!   BANDMATE_MODEL_BACKEND=native ORT_DYLIB_PATH=.../libonnxruntime.so.1.32.0 cargo bench -p bandmate-engine --bench engine
//! Benchmark ids carry the backend ("tract" or "native") so both runs are kept side by side.
//! Pin to one core with `taskset -c 0` for the "one core" targets.

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::model::chords2::sample as chords2;
use bandmate_engine::model::tokens;
use bandmate_engine::model::{self, ModelKind};
use bandmate_engine::parts::{self, PartContext};
use bandmate_engine::progression::{self, HarmonicRhythm, ProgressionSettings};
use bandmate_engine::theory::{Key, Meter, Mode, PitchClass};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use midly::num::u7;
use std::time::Duration;

fn backend_tag() -> &'static str {
    if model::backend_name().contains("native") {
        "native"
    } else {
        "tract"
    }
}

fn settings(bars: u32, source: Source) -> Settings {
    let mut s = Settings {
        key: Key::new(PitchClass::new(2), Mode::Major),
        bars,
        source,
        seed: 7,
        ..Settings::default()
    };
    s.enable_only(&PartKind::ALL);
    s
}

fn arrangements(c: &mut Criterion) {
    let tag = backend_tag();
    let mut g = c.benchmark_group("arrange");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    for bars in [8u32, 32] {
        for source in [Source::Rules, Source::Model] {
            let s = settings(bars, source);
            let a = arrange::generate(&s).expect("arrangement");
            assert!(
                source == Source::Rules || a.notices.is_empty(),
                "model fell back: {:?}",
                a.notices
            );
            let id = match source {
                Source::Rules => "rules".to_string(),
                Source::Model => format!("model-{tag}"),
            };
            let mut seed = 0u64;
            g.bench_function(BenchmarkId::new(id, format!("{bars}bars")), |b| {
                b.iter(|| {
                    seed += 1;
                    let s = Settings { seed, ..s.clone() };
                    black_box(arrange::generate(&s).expect("arrangement"))
                })
            });
        }
    }
    g.finish();
}

fn chord_request(key: Key, meter: Meter, bars: u32, seed: u64) -> model::ChordRequest {
    model::ChordRequest {
        key,
        meter,
        bars,
        style: "pop".into(),
        complexity: 0.3,
        temperature: arrange::temperature(0.5),
        top_p: 0.95,
        seed,
    }
}

fn single_parts(c: &mut Criterion) {
    let tag = backend_tag();
    let key = Key::new(PitchClass::new(2), Mode::Major);
    let meter = Meter::COMMON;
    let mut g = c.benchmark_group("part");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    for bars in [8u32, 32] {
        let ps = ProgressionSettings {
            key,
            meter,
            bars,
            rhythm: HarmonicRhythm::Bar,
            complexity: 0.3,
            adventure: 0.5,
            phrase_bars: 4,
        };
        let chords = progression::generate(&ps, 7);
        g.bench_function(
            BenchmarkId::new("chords-rules", format!("{bars}bars")),
            |b| {
                let mut seed = 0;
                b.iter(|| {
                    seed += 1;
                    black_box(progression::generate(&ps, seed))
                })
            },
        );
        g.bench_function(
            BenchmarkId::new(format!("chords-v1-model-{tag}"), format!("{bars}bars")),
            |b| {
                let mut seed = 0;
                b.iter(|| {
                    seed += 1;
                    let req = chord_request(key, meter, bars, seed);
                    black_box(model::generate_chords(&req).expect("chords"))
                })
            },
        );
        g.bench_function(
            BenchmarkId::new(format!("chords2-model-{tag}"), format!("{bars}bars")),
            |b| {
                let mut seed = 0;
                b.iter(|| {
                    seed += 1;
                    let req = chord_request(key, meter, bars, seed);
                    let req2 = chords2::Chords2Request {
                        base: &req,
                        section: chords2::LOOP_SECTION,
                        harmonic_rhythm: HarmonicRhythm::Bar,
                    };
                    black_box(chords2::generate(&req2).expect("chords v2"))
                })
            },
        );
        g.bench_function(
            BenchmarkId::new(format!("melody-model-{tag}"), format!("{bars}bars")),
            |b| {
                let mut seed = 0;
                b.iter(|| {
                    seed += 1;
                    let req = model::MelodyRequest {
                        key,
                        meter,
                        bars,
                        chords: &chords,
                        low: u7::new(60),
                        high: u7::new(79),
                        temperature: arrange::temperature(0.5),
                        top_p: 0.95,
                        seed,
                        prime: &[],
                    };
                    black_box(model::generate_melody(&req).expect("melody"))
                })
            },
        );
        let ctx = |style: &'static str, seed: u64| PartContext {
            key,
            meter,
            bars,
            chords: &chords,
            style,
            density: 0.5,
            complexity: 0.3,
            octave: 0,
            seed,
        };
        let mut seed = 0;
        g.bench_function(
            BenchmarkId::new("melody-rules", format!("{bars}bars")),
            |b| {
                b.iter(|| {
                    seed += 1;
                    black_box(
                        parts::melody::generate(
                            &ctx(arrange::default_style(PartKind::Melody), seed),
                            60,
                            79,
                        )
                        .expect("melody"),
                    )
                })
            },
        );
        g.bench_function(BenchmarkId::new("voicing", format!("{bars}bars")), |b| {
            b.iter(|| {
                seed += 1;
                black_box(
                    parts::chords::generate(&ctx(arrange::default_style(PartKind::Chords), seed))
                        .expect("voicing"),
                )
            })
        });
        g.bench_function(BenchmarkId::new("bass", format!("{bars}bars")), |b| {
            b.iter(|| {
                seed += 1;
                black_box(
                    parts::bass::generate(&ctx(arrange::default_style(PartKind::Bass), seed))
                        .expect("bass"),
                )
            })
        });
        g.bench_function(BenchmarkId::new("keys", format!("{bars}bars")), |b| {
            b.iter(|| {
                seed += 1;
                black_box(
                    parts::keys::generate(&ctx(arrange::default_style(PartKind::Keys), seed))
                        .expect("keys"),
                )
            })
        });
        g.bench_function(BenchmarkId::new("drums", format!("{bars}bars")), |b| {
            b.iter(|| {
                seed += 1;
                black_box(
                    bandmate_engine::drums::generate(
                        &ctx(arrange::default_style(PartKind::Drums), seed),
                        4,
                    )
                    .expect("drums"),
                )
            })
        });
        g.bench_function(
            BenchmarkId::new(format!("drums-model-{tag}"), format!("{bars}bars")),
            |b| {
                b.iter(|| {
                    seed += 1;
                    let mu = bandmate_engine::drums::catalog::ModelUse {
                        tempo_bpm: 100.0,
                        temperature: 1.0,
                        top_p: 0.95,
                    };
                    let p = bandmate_engine::drums::catalog::part(&ctx("funk", seed), 4, Some(mu))
                        .expect("drums");
                    assert!(p.notice.is_none(), "the drum model fell back");
                    black_box(p)
                })
            },
        );
    }
    g.finish();
}

fn model_step(c: &mut Criterion) {
    let tag = backend_tag();
    let v = tokens::vocab().expect("vocab");
    let key = Key::new(PitchClass::new(0), Mode::Major);
    let cond = tokens::ChordCond {
        mode: v.mode_index(key),
        meter: v.meter_index(Meter::COMMON),
        style: v.style_index("pop"),
        len: v.len_bucket(8),
    };
    let chord_x = v.chord_features(None, 0, 16, 8, cond).to_vec();
    let melody_x = v
        .melody_features(None, 0, 16, 8, v.encode_chord(0, 0), 0, 0)
        .to_vec();
    model::preload(ModelKind::Chords).expect("chord model");
    model::preload(ModelKind::Melody).expect("melody model");
    let mut g = c.benchmark_group("model-step");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function(BenchmarkId::new("chords", tag), |b| {
        b.iter(|| {
            black_box(
                model::run_steps(ModelKind::Chords, std::slice::from_ref(&chord_x)).expect("step"),
            )
        })
    });
    g.bench_function(BenchmarkId::new("melody", tag), |b| {
        b.iter(|| {
            black_box(
                model::run_steps(ModelKind::Melody, std::slice::from_ref(&melody_x)).expect("step"),
            )
        })
    });
    g.finish();
}

/// A 128-bar song (pop form stretched: verse, pre, chorus and bridge sections of 8 bars), all
/// five parts; target < 50 ms with native ONNX Runtime on one core.
fn songs(c: &mut Criterion) {
    let tag = backend_tag();
    let form = bandmate_engine::form::Form::parse(
        "intro:8 verse:8 pre:8 chorus:8 verse:8 pre:8 chorus:8 bridge:8 chorus:8 verse:8 pre:8 chorus:8 bridge:8 chorus:8 chorus:8 outro:8",
    )
    .expect("form");
    assert_eq!(form.total_bars(), 128);
    let mut g = c.benchmark_group("song");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    for source in [Source::Rules, Source::Model] {
        let s = settings(8, source);
        let id = match source {
            Source::Rules => "rules".to_string(),
            Source::Model => format!("model-{tag}"),
        };
        let mut seed = 0u64;
        g.bench_function(BenchmarkId::new(id, "128bars"), |b| {
            b.iter(|| {
                seed += 1;
                let s = Settings { seed, ..s.clone() };
                black_box(bandmate_engine::form::generate(&s, &form).expect("song"))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, model_step, single_parts, arrangements, songs);
criterion_main!(benches);
