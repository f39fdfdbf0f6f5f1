//! "Continue my idea": a new melody over the current chords from the melody model, primed with
//! notes the user played. Same register and sampling as the arranger's own melody.

use super::{default_parts, melody_range, temperature, Arrangement, Settings};
use crate::clip::{Clip, Note, Part, PartKind};
use crate::model::{self, MelodyRequest, ModelError};
use midly::num::{u4, u7};

/// Why no melody could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IdeaError {
    #[error("play a few notes first: nothing heard on the MIDI input")]
    NothingHeard,
    #[error("the melody model could not continue the idea: {0}")]
    Model(#[from] ModelError),
}

/// Replaces the melody of `clip` with one the melody model continues from `prime` (ticks from
/// the quarter note holding the first heard note, see `input::prime_notes`). Register and
/// channel follow the melody options of `settings`, sampling follows `settings.adventure`;
/// the chords and the other parts are kept. Deterministic for the same inputs and `seed`.
pub fn continue_idea(
    settings: &Settings,
    clip: &Clip,
    prime: &[Note],
    seed: u64,
) -> Result<Arrangement, IdeaError> {
    if prime.is_empty() {
        return Err(IdeaError::NothingHeard);
    }
    let opts = settings.part(PartKind::Melody).cloned().or_else(|| {
        default_parts(&[PartKind::Melody])
            .into_iter()
            .find(|p| p.kind == PartKind::Melody)
    });
    let (octave, channel) = opts.map_or((0, 1), |o| (o.octave, o.channel));
    let (low, high) = melody_range(octave);
    let req = MelodyRequest {
        key: clip.key,
        meter: clip.meter,
        bars: clip.bars,
        chords: &clip.chords,
        low: u7::new(low),
        high: u7::new(high),
        temperature: temperature(settings.adventure),
        top_p: 0.95,
        seed,
        prime,
    };
    let notes = model::generate_melody(&req)?;
    let mut part = Part::new(PartKind::Melody, notes);
    part.channel = u4::new(channel.min(15));
    part.normalize(clip.length_ticks());
    let mut out = clip.clone();
    out.set_part(part);
    super::clearance::apply(&mut out, &super::clearance::UNDER_MELODY);
    out.provenance.engine = format!(
        "{} melody=idea-seed{seed}:model({})",
        out.provenance.engine,
        model::backend_name()
    );
    Ok(Arrangement {
        clip: out,
        notices: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrange::{generate, Source};

    fn clip() -> (Settings, Clip) {
        let mut s = Settings {
            source: Source::Rules,
            ..Settings::default()
        };
        s.enable_only(&[PartKind::Chords, PartKind::Bass, PartKind::Melody]);
        let c = generate(&s).expect("arrangement").clip;
        (s, c)
    }

    #[test]
    fn nothing_heard_is_an_error_and_the_clip_is_untouched() {
        let (s, c) = clip();
        assert_eq!(
            continue_idea(&s, &c, &[], 1).err(),
            Some(IdeaError::NothingHeard)
        );
    }

    #[test]
    fn a_primed_melody_keeps_chords_and_other_parts_in_the_register() {
        let (s, c) = clip();
        let prime: Vec<Note> = [67, 69, 71, 72]
            .iter()
            .enumerate()
            .map(|(i, &p)| Note::new(i as u32 * 240, 240, p, 90))
            .collect();
        match continue_idea(&s, &c, &prime, 5) {
            Ok(a) => {
                assert_eq!(a.clip.chords, c.chords);
                assert_eq!(a.clip.part(PartKind::Bass), c.part(PartKind::Bass));
                let m = a.clip.part(PartKind::Melody).expect("melody");
                assert!(!m.notes.is_empty());
                assert!(m
                    .notes
                    .iter()
                    .all(|n| (60..=79).contains(&n.pitch.as_int())));
                let again = continue_idea(&s, &c, &prime, 5).expect("same again");
                assert_eq!(again.clip, a.clip, "same inputs and seed, same clip");
            }
            // Without a model backend in this build the reason is the model's.
            Err(e) => assert!(matches!(e, IdeaError::Model(_)), "{e}"),
        }
    }
}
