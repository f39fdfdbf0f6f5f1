//! A file's conductor data over time: tempo, meter and key-signature changes and section markers,
//! in clip ticks (480 per quarter), plus the bar grid those meters make.

use crate::clip::TICKS_PER_QUARTER;
use crate::import::key_from_signature;
use crate::theory::{Key, Meter};
use midly::{MetaMessage, Smf, Timing, TrackEventKind};

/// Changes over time, each list sorted by tick; the first entry of each is at tick 0 when the file
/// sets it later or never (then from the defaults: 120 bpm, 4/4, no key).
#[derive(Debug, Clone, PartialEq)]
pub struct Conductor {
    /// (tick, bpm)
    pub tempos: Vec<(u32, f64)>,
    pub meters: Vec<(u32, Meter)>,
    pub keys: Vec<(u32, Key)>,
    /// (tick, text) of marker and cue-point events.
    pub markers: Vec<(u32, String)>,
}

/// One bar of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub start: u32,
    pub meter: Meter,
}

impl Bar {
    pub fn ticks(&self) -> u32 {
        self.meter.bar_ticks(TICKS_PER_QUARTER).max(1)
    }

    pub fn end(&self) -> u32 {
        self.start + self.ticks()
    }
}

impl Conductor {
    /// Reads the conductor events of a file that [`crate::import::import`] accepted. Timecode
    /// files keep only their first values (ticks there do not map to beats without a tempo map).
    pub fn read(bytes: &[u8], first_bpm: f64, first_meter: Meter) -> Conductor {
        let mut c = Conductor {
            tempos: Vec::new(),
            meters: Vec::new(),
            keys: Vec::new(),
            markers: Vec::new(),
        };
        let smf = std::panic::catch_unwind(|| Smf::parse(bytes))
            .ok()
            .and_then(Result::ok);
        let tpq = match smf.as_ref().map(|s| s.header.timing) {
            Some(Timing::Metrical(t)) if t.as_int() > 0 => Some(u64::from(t.as_int())),
            _ => None,
        };
        if let (Some(smf), Some(tpq)) = (smf.as_ref(), tpq) {
            let conv = |t: u64| -> u32 {
                ((t as u128 * TICKS_PER_QUARTER as u128 + tpq as u128 / 2) / tpq as u128)
                    .min(crate::import::MAX_TICKS as u128) as u32
            };
            for track in &smf.tracks {
                let mut now = 0u64;
                for ev in track {
                    now = now.saturating_add(u64::from(ev.delta.as_int()));
                    let TrackEventKind::Meta(m) = ev.kind else {
                        continue;
                    };
                    let at = conv(now);
                    match m {
                        MetaMessage::Tempo(us) if us.as_int() > 0 => {
                            let bpm = (60_000_000.0 / f64::from(us.as_int())).clamp(20.0, 999.0);
                            c.tempos.push((at, bpm));
                        }
                        MetaMessage::TimeSignature(n, d, _, _) => {
                            if let Some(m) = (d <= 5).then(|| Meter::new(n, 1 << d).ok()).flatten()
                            {
                                c.meters.push((at, m));
                            }
                        }
                        MetaMessage::KeySignature(sharps, minor) => {
                            if let Some(k) = key_from_signature(sharps, minor) {
                                c.keys.push((at, k));
                            }
                        }
                        MetaMessage::Marker(t) | MetaMessage::CuePoint(t) => {
                            let s = String::from_utf8_lossy(t).trim().to_string();
                            if !s.is_empty() {
                                c.markers.push((at, s));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        c.tempos.sort_by_key(|t| t.0);
        c.meters.sort_by_key(|t| t.0);
        c.keys.sort_by_key(|t| t.0);
        c.markers.sort_by_key(|t| t.0);
        // Keep the last change at each tick.
        dedup_last(&mut c.tempos);
        dedup_last(&mut c.meters);
        dedup_last(&mut c.keys);
        if c.tempos.first().is_none_or(|t| t.0 > 0) {
            c.tempos.insert(0, (0, first_bpm));
        }
        if c.meters.first().is_none_or(|t| t.0 > 0) {
            c.meters.insert(0, (0, first_meter));
        }
        c
    }

    /// The bars covering `0..end` ticks. A meter change off a barline starts a new bar there.
    pub fn bars(&self, end: u32) -> Vec<Bar> {
        let mut out = Vec::new();
        for (i, &(at, meter)) in self.meters.iter().enumerate() {
            let until = self.meters.get(i + 1).map_or(end, |m| m.0.min(end));
            let mut t = at;
            let len = meter.bar_ticks(TICKS_PER_QUARTER).max(1);
            while t < until {
                out.push(Bar { start: t, meter });
                t += len;
            }
        }
        if out.is_empty() {
            out.push(Bar {
                start: 0,
                meter: self.meters.first().map_or(Meter::COMMON, |m| m.1),
            });
        }
        out
    }

    /// (bpm, ticks) for each tempo span within `0..end`.
    pub fn tempo_spans(&self, end: u32) -> Vec<(f64, u32)> {
        self.tempos
            .iter()
            .enumerate()
            .filter(|(_, t)| t.0 < end)
            .map(|(i, &(at, bpm))| {
                let until = self.tempos.get(i + 1).map_or(end, |n| n.0.min(end));
                (bpm, until - at)
            })
            .filter(|s| s.1 > 0)
            .collect()
    }

    /// The key signature in force at `tick`, if any was set at or before it.
    pub fn key_at(&self, tick: u32) -> Option<Key> {
        self.keys.iter().rev().find(|k| k.0 <= tick).map(|k| k.1)
    }
}

fn dedup_last<T>(v: &mut Vec<(u32, T)>) {
    let mut i = 0;
    while i + 1 < v.len() {
        if v[i].0 == v[i + 1].0 {
            v.remove(i);
        } else {
            i += 1;
        }
    }
}
