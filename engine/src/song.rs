//! A song as data: the plan a song is generated from (the form text plus the seed chosen for
//! some sections, regenerated or locked) and where each section of a generated song lies in its
//! clip. Pure data; [`crate::form`] makes songs from a plan.

use serde::{Deserialize, Serialize};

/// What to generate instead of one loop: a form (`form::Form::parse` text: a preset name or
/// `name:bars[@energy]` sections) and per-section seed choices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SongPlan {
    pub form: String,
    /// Seeds chosen for distinct sections (by name and length); all repeats follow.
    #[serde(default)]
    pub choices: Vec<SectionChoice>,
}

/// The seed of one distinct section (every section with this name and length).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionChoice {
    pub name: String,
    pub bars: u32,
    pub seed: u64,
    /// Kept when the song seed changes; unlocked choices (regenerated sections) are not.
    #[serde(default)]
    pub locked: bool,
}

impl SongPlan {
    pub fn new(form: impl Into<String>) -> SongPlan {
        SongPlan {
            form: form.into(),
            choices: Vec::new(),
        }
    }

    /// `(name, bars, seed)` overrides for `form::generate_with`.
    pub fn overrides(&self) -> Vec<(String, u32, u64)> {
        self.choices
            .iter()
            .map(|c| (c.name.clone(), c.bars, c.seed))
            .collect()
    }

    /// The same plan for a new song seed: only the locked sections keep their seeds.
    pub fn reseeded(&self) -> SongPlan {
        SongPlan {
            form: self.form.clone(),
            choices: self.choices.iter().filter(|c| c.locked).cloned().collect(),
        }
    }

    /// Sets the seed (and lock) of the distinct section `name`/`bars`.
    pub fn choose(&mut self, name: &str, bars: u32, seed: u64, locked: bool) {
        self.choices.retain(|c| !(c.name == name && c.bars == bars));
        self.choices.push(SectionChoice {
            name: name.to_string(),
            bars,
            seed,
            locked,
        });
        self.choices
            .sort_by(|a, b| (&a.name, a.bars).cmp(&(&b.name, b.bars)));
    }

    pub fn is_locked(&self, name: &str, bars: u32) -> bool {
        self.choices
            .iter()
            .any(|c| c.locked && c.name == name && c.bars == bars)
    }

    /// The plan for another form text: choices for sections the new form still has are kept.
    pub fn with_form(&self, form: impl Into<String>, names: &[(String, u32)]) -> SongPlan {
        SongPlan {
            form: form.into(),
            choices: self
                .choices
                .iter()
                .filter(|c| names.iter().any(|(n, b)| *n == c.name && *b == c.bars))
                .cloned()
                .collect(),
        }
    }
}

/// One section as placed in a song clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The name as written in the form, lower case ("verse", "pre").
    pub name: String,
    /// "Verse 2": the label with the occurrence number; also the marker text.
    pub label: String,
    /// 0-based first bar.
    pub start_bar: u32,
    pub bars: u32,
    /// 0..=1.
    pub energy: f32,
    /// The seed its material was made from (shared by its repeats).
    pub seed: u64,
    /// How the section was made (engines, seed, settings).
    pub provenance: String,
}

impl Section {
    /// The bar after the section (0-based).
    pub fn end_bar(&self) -> u32 {
        self.start_bar.saturating_add(self.bars)
    }

    pub fn contains_bar(&self, bar: u32) -> bool {
        self.start_bar <= bar && bar < self.end_bar()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reseeding_keeps_only_locked_sections() {
        let mut p = SongPlan::new("pop");
        p.choose("verse", 8, 11, false);
        p.choose("chorus", 8, 22, true);
        p.choose("verse", 8, 33, false);
        assert_eq!(p.choices.len(), 2, "one choice per distinct section");
        assert_eq!(
            p.overrides(),
            vec![("chorus".into(), 8, 22), ("verse".into(), 8, 33)]
        );
        let r = p.reseeded();
        assert_eq!(r.overrides(), vec![("chorus".into(), 8, 22)]);
        assert!(r.is_locked("chorus", 8));
        assert!(!r.is_locked("verse", 8));
    }

    #[test]
    fn a_new_form_keeps_choices_of_sections_it_still_has() {
        let mut p = SongPlan::new("verse:8 chorus:8");
        p.choose("verse", 8, 1, true);
        p.choose("chorus", 8, 2, true);
        let q = p.with_form(
            "verse:8 chorus:4",
            &[("verse".into(), 8), ("chorus".into(), 4)],
        );
        assert_eq!(q.overrides(), vec![("verse".into(), 8, 1)]);
        assert_eq!(q.form, "verse:8 chorus:4");
    }

    #[test]
    fn old_plans_without_choices_load() {
        let p: SongPlan = serde_json::from_str(r#"{"form":"rock"}"#).expect("plan");
        assert_eq!(p, SongPlan::new("rock"));
    }
}
