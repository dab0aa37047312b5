//! The pair model: what a measured pair of articles is, as two
//! probabilities fitted on labelled data.
//!
//! - P(derived): one text was made from the other (a copy, an edit, an
//!   excerpt, a rewrite of the same original). Families are built from these
//!   links.
//! - P(same event): the two report one real-world event, in their own words
//!   or not. Stories are built from these links, by a linkage that a path of
//!   weak links cannot satisfy ([`crate::cluster`]).
//!
//! Each is a logistic regression over the [`PairFeatures`] the verify stage
//! measures. The weights live in `models/pair_model.json`, written by
//! `cargo run --release --example train_pair_model` (which fits them with
//! `linfa-logistic` on `../shared/eval` and the seeds, split by story, and
//! records the figures on the split it did not see); this module only
//! loads and applies them. Time is not fitted (no labelled set with times
//! has story labels): it is a documented prior, a decay over the
//! publication gap applied to P(same event) ([`time_prior`]).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The shipped model, as written by the training example.
const EMBEDDED: &str = include_str!("../models/pair_model.json");

/// Version of the model file's layout this code reads.
pub const FORMAT_VERSION: u32 = 1;

/// What the verify stage measures of one pair of articles in one language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PairFeatures {
    /// TF-IDF cosine of the two texts.
    pub cosine: f32,
    /// Share of the more contained text's 5-term shingles found in the other.
    pub containment_max: f32,
    /// Share of the less contained text's shingles found in the other.
    pub containment_min: f32,
    /// The openings (first shingles) share a shingle: copies keep the top of a story.
    pub shares_opening: bool,
    /// Cosine of the two texts' anchors: numbers and names.
    pub anchor_cosine: f32,
    /// The shorter text's length over the longer's (characters).
    pub length_ratio: f32,
    /// Both texts mention years and share none of them.
    pub year_conflict: bool,
    /// Years between the latest year each text mentions (0 when either
    /// mentions none), at most [`MAX_YEAR_GAP`]: a report's latest year is
    /// mostly the year it was written in.
    pub latest_year_gap: f32,
}

/// The largest [`PairFeatures::latest_year_gap`] counted.
pub const MAX_YEAR_GAP: f32 = 5.0;

/// Names of the model's inputs, in order ([`PairFeatures::inputs`]).
pub const INPUT_NAMES: [&str; 12] = [
    "cosine",
    "containment_max",
    "containment_min",
    "shares_opening",
    "anchor_cosine",
    "length_ratio",
    "year_conflict",
    "latest_year_gap",
    "cosine_x_containment_max",
    "cosine_squared",
    "cosine_x_anchor_cosine",
    "anchor_cosine_squared",
];

/// The inputs P(same event) is fitted without: shared wording says one
/// text was made from another (that is P(derived), and a family's members
/// join its story with it), not that two reports tell one event. Fitted on
/// them, the model read a reused background paragraph (containment 0.2 at
/// cosine 0.15) as the same event: in the 10k benchmark, 970 links between
/// different stories at P ≥ 0.75.
pub const WORDING_INPUTS: [&str; 4] =
    ["containment_max", "containment_min", "shares_opening", "cosine_x_containment_max"];

impl PairFeatures {
    /// The model's inputs: the features, with products that let a linear
    /// model bend where the wording, the shared passages and the anchors meet.
    pub fn inputs(&self) -> [f64; INPUT_NAMES.len()] {
        let (c, m, n) = (f64::from(self.cosine), f64::from(self.containment_max), f64::from(self.anchor_cosine));
        [
            c,
            m,
            f64::from(self.containment_min),
            f64::from(u8::from(self.shares_opening)),
            n,
            f64::from(self.length_ratio),
            f64::from(u8::from(self.year_conflict)),
            f64::from(self.latest_year_gap),
            c * m,
            c * c,
            c * n,
            n * n,
        ]
    }
}

/// One logistic regression: P = 1 / (1 + e^-(intercept + w · x)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// The intercept.
    pub intercept: f64,
    /// One weight per input, in [`INPUT_NAMES`] order.
    pub weights: Vec<f64>,
}

impl Logistic {
    /// The probability of the positive class for `inputs`.
    pub fn probability(&self, inputs: &[f64]) -> f32 {
        let z = self.intercept + self.weights.iter().zip(inputs).map(|(w, x)| w * x).sum::<f64>();
        (1.0 / (1.0 + (-z).exp())) as f32
    }
}

/// How a model file was made, kept beside its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The command that wrote the file.
    pub command: String,
    /// The labelled data it was fitted on, and how the split was made.
    pub data: String,
    /// Figures on the split the model did not see, and in-sample.
    pub figures: serde_json::Value,
}

/// The two pair probabilities' weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairModel {
    /// [`FORMAT_VERSION`] of the file.
    pub version: u32,
    /// The inputs' names, which must be [`INPUT_NAMES`].
    pub inputs: Vec<String>,
    /// P(derived): one text was made from the other.
    pub derived: Logistic,
    /// P(same event): both report one event.
    pub same_event: Logistic,
    /// How the weights were obtained.
    pub provenance: Provenance,
}

/// A model file that does not fit this code.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Not JSON of the expected shape.
    #[error("the pair model is not valid JSON of the expected shape: {0}")]
    Parse(#[from] serde_json::Error),
    /// Written for another layout.
    #[error("the pair model has format version {found}, this build reads version {FORMAT_VERSION}")]
    Version {
        /// The file's version.
        found: u32,
    },
    /// P(same event) weighs shared wording ([`WORDING_INPUTS`]).
    #[error("the pair model's P(same event) weighs shared wording, which it must not (WORDING_INPUTS)")]
    SameEventWording,
    /// Its inputs are not this code's.
    #[error("the pair model's inputs {found:?} are not this build's {INPUT_NAMES:?}")]
    Inputs {
        /// The file's input names.
        found: Vec<String>,
    },
}

impl PairModel {
    /// Reads and checks a model file's text.
    pub fn from_json(text: &str) -> Result<PairModel, ModelError> {
        let model: PairModel = serde_json::from_str(text)?;
        if model.version != FORMAT_VERSION {
            return Err(ModelError::Version { found: model.version });
        }
        let lengths_fit = [&model.derived, &model.same_event].iter().all(|l| l.weights.len() == INPUT_NAMES.len());
        if model.inputs != INPUT_NAMES || !lengths_fit {
            return Err(ModelError::Inputs { found: model.inputs });
        }
        let uses_wording =
            INPUT_NAMES.iter().zip(&model.same_event.weights).any(|(n, &w)| WORDING_INPUTS.contains(n) && w != 0.0);
        if uses_wording {
            return Err(ModelError::SameEventWording);
        }
        Ok(model)
    }

    /// The model shipped in `models/pair_model.json`, read once.
    pub fn embedded() -> &'static PairModel {
        static MODEL: OnceLock<PairModel> = OnceLock::new();
        MODEL.get_or_init(|| PairModel::from_json(EMBEDDED).expect("models/pair_model.json is checked by its tests"))
    }

    /// P(derived) and P(same event) of a pair with these features.
    pub fn judge(&self, features: &PairFeatures) -> (f32, f32) {
        let inputs = features.inputs();
        (self.derived.probability(&inputs), self.same_event.probability(&inputs))
    }
}

/// The prior on P(same event) from the publication gap: `exp(-days / scale)`
/// for a gap of `days`, 1 when either time is unknown. Reports of one
/// event cluster within days; two like events weeks apart are two stories.
pub fn time_prior(gap_days: Option<f32>, scale_days: f32) -> f32 {
    gap_days.map_or(1.0, |days| (-days.abs() / scale_days).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_loads_and_tells_a_copy_from_a_stranger() {
        let model = PairModel::embedded();
        let copy = PairFeatures {
            cosine: 0.95,
            containment_max: 0.97,
            containment_min: 0.9,
            shares_opening: true,
            anchor_cosine: 0.9,
            length_ratio: 0.93,
            year_conflict: false,
            latest_year_gap: 0.0,
        };
        let stranger = PairFeatures { cosine: 0.12, anchor_cosine: 0.05, length_ratio: 0.6, ..Default::default() };
        let (copy_derived, copy_event) = model.judge(&copy);
        let (stranger_derived, stranger_event) = model.judge(&stranger);
        assert!(copy_derived > 0.9 && copy_event > 0.9, "{copy_derived} {copy_event}");
        assert!(stranger_derived < 0.1 && stranger_event < 0.1, "{stranger_derived} {stranger_event}");
    }

    #[test]
    fn a_file_of_another_version_or_other_inputs_is_refused() {
        let mut value: serde_json::Value = serde_json::from_str(EMBEDDED).unwrap();
        value["version"] = 99.into();
        let err = PairModel::from_json(&value.to_string()).unwrap_err();
        assert!(err.to_string().contains("format version 99"), "{err}");
        let mut value: serde_json::Value = serde_json::from_str(EMBEDDED).unwrap();
        value["inputs"][0] = "tf".into();
        assert!(matches!(PairModel::from_json(&value.to_string()), Err(ModelError::Inputs { .. })));
    }

    #[test]
    fn the_time_prior_decays_with_the_gap() {
        assert_eq!(time_prior(None, 3.0), 1.0);
        assert_eq!(time_prior(Some(0.0), 3.0), 1.0);
        assert!((time_prior(Some(-3.0), 3.0) - (-1.0f32).exp()).abs() < 1e-6);
    }
}
