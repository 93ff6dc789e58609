//! The configurations `pocketgan compare` puts side by side: each objective
//! with its paper's settings and nothing else, each technique alone on the
//! default objective, and each objective with the recommended recipe.

use crate::training::image_config::Preset;
use crate::training::objectives::Objective;
use crate::training::techniques::{Augmentation, Techniques};

/// Which rows a comparison has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RowSet {
    /// Each objective with its paper's settings, no technique.
    Paper,
    /// Each technique alone, on the non-saturating objective.
    Techniques,
    /// Each objective with the recommended recipe ([`Techniques::recommended`]).
    Recommended,
}

/// One row: an objective and the techniques it trains with.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    /// The row's label in the table.
    pub label: String,
    /// The objective (its paper's optimizer settings).
    pub objective: Objective,
    /// The techniques.
    pub techniques: Techniques,
    /// Batch norm in an image discriminator (`None`: the objective's);
    /// R1 needs it off.
    pub batch_norm: Option<bool>,
    /// An image run takes everything from the recommended preset
    /// ([`Preset::Recommended`]) instead of the objective's paper and `techniques`.
    pub recommended: bool,
}

impl Recipe {
    /// A file-name form of the label.
    pub fn slug(&self) -> String {
        let mut s: String = self.label.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        while s.contains("--") {
            s = s.replace("--", "-");
        }
        s.trim_matches('-').to_string()
    }
}

/// The rows of `sets` for `objectives`; `images` adds the image-only
/// technique (augmentation).
pub fn recipes(sets: &[RowSet], objectives: &[Objective], images: bool) -> Vec<Recipe> {
    let plain = |objective: Objective, label: String, techniques: Techniques| Recipe { label, objective, techniques, batch_norm: None, recommended: false };
    let mut rows = Vec::new();
    if sets.contains(&RowSet::Paper) {
        rows.extend(objectives.iter().map(|&o| plain(o, o.to_string(), Techniques::default())));
    }
    if sets.contains(&RowSet::Techniques) {
        let ns = Objective::NonSaturating;
        let none = Techniques::default();
        rows.push(plain(ns, "non-saturating + EMA 0.999".into(), Techniques { ema: Some(0.999), ..none.clone() }));
        rows.push(plain(ns, "non-saturating + pack 2".into(), Techniques { pack: 2, ..none.clone() }));
        rows.push(plain(ns, "non-saturating + minibatch std".into(), Techniques { minibatch_std: true, ..none.clone() }));
        rows.push(Recipe {
            label: "non-saturating + R1 γ 10 (no D batch norm)".into(),
            objective: ns,
            techniques: Techniques { r1_gamma: Some(10.0), ..none.clone() },
            batch_norm: Some(false),
            recommended: false,
        });
        if images {
            let all = vec![Augmentation::Translation, Augmentation::Cutout, Augmentation::Brightness];
            rows.push(plain(ns, "non-saturating + DiffAugment".into(), Techniques { augment: all, ..none.clone() }));
        }
    }
    if sets.contains(&RowSet::Recommended) {
        let r = Techniques::recommended();
        rows.extend(objectives.iter().map(|&o| {
            if images {
                let techniques = Preset::Recommended.techniques(o, false);
                let optimizer = if o == Objective::NonSaturating { ", Adam 1e-3 β 0/0.99, no D batch norm" } else { "" };
                let label = format!("{o} + recommended ({}{optimizer})", techniques.summary());
                Recipe { label, objective: o, techniques, batch_norm: None, recommended: true }
            } else {
                plain(o, format!("{o} + {}", r.summary()), r.clone())
            }
        }));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_slugs() {
        let all = [RowSet::Paper, RowSet::Techniques, RowSet::Recommended];
        let toy = recipes(&all, &Objective::ALL, false);
        let images = recipes(&all, &Objective::ALL, true);
        assert_eq!(toy.len() + 1, images.len());
        assert_eq!(toy.len(), 6 + 4 + 6);
        let slugs: std::collections::HashSet<String> = images.iter().map(Recipe::slug).collect();
        assert_eq!(slugs.len(), images.len(), "slugs must name distinct files");
        assert_eq!(toy[7].slug(), "non-saturating-pack-2");
        assert_eq!(toy[9].slug(), "non-saturating-r1-10-no-d-batch-norm");
    }
}
