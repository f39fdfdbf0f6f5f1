//! Generating with locked parts: a new arrangement in which the locked parts keep their notes.

use crate::arrange::{self, clearance, ArrangeError, Arrangement, Notice, Settings};
use crate::clip::{Clip, PartKind};
use crate::personal::Personal;

/// Generates the clip for `settings`, keeping the locked parts of `previous`.
///
/// - Nothing locked, no previous clip, or a previous clip of another length or meter: the plain
///   arrangement (`arrange::generate`); locks that cannot apply are reported in the notices.
/// - Chords locked: the previous chord track and chord part stay; every other enabled, unlocked
///   part is made again over them (`arrange::regenerate` with `settings.seed`).
/// - Chords unlocked: a new arrangement, then the locked parts of `previous` are put back.
///
/// Kept parts move to the MIDI channel their options ask for. Parts that are neither enabled nor
/// locked are left out. The provenance records the kept parts.
pub fn generate_with_locks(
    settings: &Settings,
    previous: Option<&Clip>,
    locked: &[PartKind],
) -> Result<Arrangement, ArrangeError> {
    generate_with_locks_personal(settings, previous, locked, None)
}

/// [`generate_with_locks`] in a personal style (see [`arrange::generate_with`]).
pub fn generate_with_locks_personal(
    settings: &Settings,
    previous: Option<&Clip>,
    locked: &[PartKind],
    personal: Option<Personal<'_>>,
) -> Result<Arrangement, ArrangeError> {
    let personal = personal.filter(Personal::active);
    let Some(prev) = previous.filter(|_| !locked.is_empty()) else {
        return arrange::generate_with(settings, personal);
    };
    if prev.bars != settings.bars || prev.meter != settings.meter {
        let mut a = arrange::generate_with(settings, personal)?;
        a.notices.push(Notice::LocksRemade);
        return Ok(a);
    }
    let is_locked = |k: PartKind| locked.contains(&k);
    let mut a = if is_locked(PartKind::Chords) {
        settings.validate()?;
        let mut clip = prev.clone();
        clip.tempo_bpm = settings.tempo_bpm;
        clip.parts
            .retain(|p| is_locked(p.kind) || settings.part(p.kind).is_some_and(|o| o.enabled));
        let mut notices = Vec::new();
        for opts in settings
            .parts
            .iter()
            .filter(|o| o.enabled && !is_locked(o.kind))
        {
            let step =
                arrange::regenerate_with(settings, &clip, opts.kind, settings.seed, personal)?;
            notices.extend(step.notices);
            clip = step.clip;
        }
        restore_locked(&mut clip, prev, locked, settings);
        clip.provenance.seed = settings.seed;
        clip.provenance.parameters = settings.describe();
        if let Some(p) = personal {
            let extra = format!(" personal={} like={:.2}", p.label(), p.amount());
            clip.provenance.parameters.push_str(&extra);
        }
        Arrangement { clip, notices }
    } else {
        let mut a = arrange::generate_with(settings, personal)?;
        restore_locked(&mut a.clip, prev, locked, settings);
        a
    };
    let kept: Vec<&str> = locked
        .iter()
        .filter(|k| a.clip.part(**k).is_some())
        .map(|k| k.name())
        .collect();
    if !kept.is_empty() {
        a.clip.provenance.engine =
            format!("{} locked={}", a.clip.provenance.engine, kept.join(","));
    }
    Ok(a)
}

/// Puts the `locked` parts of `prev` back into `clip`, on the MIDI channel their options in
/// `settings` ask for, and voices the unlocked chord and keys parts below the (possibly kept)
/// melody again.
pub fn restore_locked(clip: &mut Clip, prev: &Clip, locked: &[PartKind], settings: &Settings) {
    for part in prev.parts.iter().filter(|p| locked.contains(&p.kind)) {
        let mut part = part.clone();
        if let Some(o) = settings.part(part.kind) {
            part.channel = midly::num::u4::new(o.channel.min(15));
        }
        clip.set_part(part);
    }
    let unlocked: Vec<PartKind> = clearance::UNDER_MELODY
        .into_iter()
        .filter(|k| !locked.contains(k))
        .collect();
    clearance::apply(clip, &unlocked);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrange::{generate, Notice, Source};

    fn settings(seed: u64) -> Settings {
        let mut s = Settings {
            source: Source::Rules,
            seed,
            ..Settings::default()
        };
        s.enable_only(&[
            PartKind::Chords,
            PartKind::Melody,
            PartKind::Bass,
            PartKind::Drums,
        ]);
        s
    }

    #[test]
    fn locked_parts_keep_their_notes() {
        let a = generate(&settings(1)).expect("arrangement").clip;
        let s = settings(2);
        let b = generate_with_locks(&s, Some(&a), &[PartKind::Bass])
            .expect("locks")
            .clip;
        assert_eq!(a.part(PartKind::Bass), b.part(PartKind::Bass));
        assert_ne!(a.chords, b.chords, "unlocked chords are new");
        assert_ne!(a.part(PartKind::Drums), b.part(PartKind::Drums));
        assert!(b.provenance.engine.contains("locked=bass"));
    }

    #[test]
    fn locked_chords_keep_the_progression_and_remake_the_rest() {
        let a = generate(&settings(1)).expect("arrangement").clip;
        let s = settings(7);
        let b = generate_with_locks(&s, Some(&a), &[PartKind::Chords])
            .expect("locks")
            .clip;
        assert_eq!(a.chords, b.chords);
        assert_eq!(a.part(PartKind::Chords), b.part(PartKind::Chords));
        assert_ne!(
            a.part(PartKind::Melody),
            b.part(PartKind::Melody),
            "new melody over the same chords"
        );
        assert_eq!(b.provenance.seed, 7);
        for k in [PartKind::Melody, PartKind::Bass, PartKind::Drums] {
            assert!(b.part(k).is_some_and(|p| !p.notes.is_empty()), "{k:?}");
        }
    }

    #[test]
    fn no_locks_is_the_plain_arrangement_and_length_change_drops_locks() {
        let a = generate(&settings(1)).expect("arrangement").clip;
        let s = settings(3);
        let plain = generate(&s).expect("plain").clip;
        assert_eq!(
            generate_with_locks(&s, Some(&a), &[])
                .expect("no locks")
                .clip,
            plain
        );
        let longer = Settings { bars: 8, ..s };
        let r = generate_with_locks(&longer, Some(&a), &[PartKind::Bass]).expect("longer");
        assert_eq!(r.clip.bars, 8);
        assert_eq!(r.notices, vec![Notice::LocksRemade]);
    }
}
