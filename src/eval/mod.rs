//! Evaluation: a run's `articles.jsonl` (or a fresh run) → scores against
//! labels (`{"id", "story", "role"?, "kind"?, "derived_from"?}` per line).
//!
//! Key names match `shared/eval/score.py` so figures line up with the
//! baselines. Ids missing from, or unknown to, the labels are errors, never
//! silently dropped.

pub mod metrics;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

pub use metrics::{cluster_scores, ClusterScores};

use crate::error::{Error, Result};

/// One label line.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Article id.
    pub id: String,
    /// The story (or another grouping field, e.g. `topic`).
    pub group: String,
    /// `canonical` | `syndicated` | `independent` | `unique`, when labelled.
    pub role: Option<String>,
    /// Copy kind, when labelled.
    pub kind: Option<String>,
    /// Source id, when labelled.
    pub derived_from: Option<String>,
    /// Other accepted sources.
    pub derived_from_also_ok: Vec<String>,
}

/// One prediction line (a line of `articles.jsonl`).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Article id.
    pub id: String,
    /// Predicted cluster, as JSON text (so `1` and `"1"` stay apart).
    pub cluster: String,
    /// Predicted role.
    pub role: Option<String>,
    /// Predicted kind.
    pub kind: Option<String>,
    /// Predicted canonical id, or `true`/`false`.
    pub canonical: Option<Value>,
    /// Predicted source.
    pub derived_from: Option<String>,
}

impl Prediction {
    /// The prediction read at the family level: the original of a family
    /// that is not its story's main one (`independent`) is its family's
    /// canonical. Clusters must already be families ([`read_predictions`]
    /// with `family`).
    pub fn at_family_level(self) -> Prediction {
        if self.role.as_deref() != Some("independent") {
            return self;
        }
        let own = Value::String(self.id.clone());
        Prediction { role: Some("canonical".into()), canonical: Some(own), ..self }
    }
}

/// All scores of one evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Clustering scores.
    #[serde(flatten)]
    pub clusters: ClusterScores,
    /// Share of true multi-member stories whose true canonical was predicted canonical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_accuracy: Option<f64>,
    /// Stories that count for `canonical_accuracy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_stories: Option<usize>,
    /// Articles predicted canonical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_canonicals: Option<usize>,
    /// Share of true syndicated items whose predicted source (else canonical) is right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from_accuracy: Option<f64>,
    /// Items that count for `derived_from_accuracy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syndicated_items: Option<usize>,
    /// Share of true syndicated items with a kind whose predicted kind matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind_accuracy: Option<f64>,
    /// Share of labelled syndicated/independent members whose predicted role matches
    /// (only when some label says `independent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_accuracy: Option<f64>,
    /// Items that count for `role_accuracy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_items: Option<usize>,
}

fn read_lines(path: &Path) -> Result<Vec<(u64, Value)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| Error::BadRecord {
            path: path.to_path_buf(),
            line: i as u64 + 1,
            reason: format!("malformed JSON: {e}"),
        })?;
        out.push((i as u64 + 1, v));
    }
    Ok(out)
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads labels; `field` names the grouping (`story`, or e.g. `topic`).
pub fn read_labels(path: &Path, field: &str) -> Result<Vec<Label>> {
    read_lines(path)?
        .into_iter()
        .map(|(line, v)| {
            let bad = |reason: String| Error::BadRecord { path: path.to_path_buf(), line, reason };
            let id = v.get("id").and_then(string_of).ok_or_else(|| bad("missing \"id\"".into()))?;
            let group = v.get(field).and_then(string_of).ok_or_else(|| bad(format!("missing {field:?}")))?;
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            let also = v
                .get("derived_from_also_ok")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(string_of).collect())
                .unwrap_or_default();
            Ok(Label {
                id,
                group,
                role: text("role"),
                kind: text("kind"),
                derived_from: text("derived_from"),
                derived_from_also_ok: also,
            })
        })
        .collect()
}

/// Reads predictions (`articles.jsonl`); `field` names the predicted
/// grouping scored (`cluster` for stories, `family` for families).
pub fn read_predictions(path: &Path, field: &str) -> Result<Vec<Prediction>> {
    read_lines(path)?
        .into_iter()
        .map(|(line, v)| {
            let bad = |reason: &str| Error::BadRecord { path: path.to_path_buf(), line, reason: reason.into() };
            let id = v.get("id").and_then(string_of).ok_or_else(|| bad("missing \"id\""))?;
            let cluster =
                v.get(field).filter(|c| !c.is_null()).ok_or_else(|| bad(&format!("missing {field:?}")))?.to_string();
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            Ok(Prediction {
                id,
                cluster,
                role: text("role"),
                kind: text("kind"),
                canonical: v.get("canonical").cloned(),
                derived_from: text("derived_from"),
            })
        })
        .collect()
}

/// Scores predictions against labels. Missing, unknown or repeated ids are errors.
pub fn score(labels: &[Label], predictions: &[Prediction]) -> Result<Report> {
    let mut by_id: HashMap<&str, &Prediction> = HashMap::new();
    for p in predictions {
        if by_id.insert(p.id.as_str(), p).is_some() {
            return Err(Error::Eval(format!("article {:?} is predicted twice", p.id)));
        }
    }
    let label_ids: HashMap<&str, &Label> = labels.iter().map(|l| (l.id.as_str(), l)).collect();
    let missing: Vec<&str> = labels.iter().map(|l| l.id.as_str()).filter(|i| !by_id.contains_key(i)).collect();
    let extra: Vec<&str> = predictions.iter().map(|p| p.id.as_str()).filter(|i| !label_ids.contains_key(i)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(Error::Eval(format!(
            "{} labelled ids have no prediction (e.g. {:?}) and {} predicted ids have no label (e.g. {:?})",
            missing.len(),
            &missing[..missing.len().min(3)],
            extra.len(),
            &extra[..extra.len().min(3)]
        )));
    }
    let truth: Vec<&str> = labels.iter().map(|l| l.group.as_str()).collect();
    let pred: Vec<&str> = labels.iter().map(|l| by_id[l.id.as_str()].cluster.as_str()).collect();
    let mut report = Report {
        clusters: cluster_scores(&truth, &pred),
        canonical_accuracy: None,
        canonical_stories: None,
        predicted_canonicals: None,
        derived_from_accuracy: None,
        syndicated_items: None,
        kind_accuracy: None,
        role_accuracy: None,
        role_items: None,
    };
    role_scores(labels, &by_id, &mut report);
    Ok(report)
}

fn is_predicted_canonical(p: &Prediction) -> bool {
    p.role.as_deref() == Some("canonical")
        || p.canonical == Some(Value::Bool(true))
        || p.canonical.as_ref().and_then(Value::as_str) == Some(p.id.as_str())
}

fn role_scores(labels: &[Label], preds: &HashMap<&str, &Prediction>, report: &mut Report) {
    let mut stories: BTreeMap<&str, Vec<&Label>> = BTreeMap::new();
    for l in labels {
        stories.entry(l.group.as_str()).or_default().push(l);
    }
    let canon_of: BTreeMap<&str, &str> = stories
        .iter()
        .filter(|(_, m)| m.len() > 1)
        .filter_map(|(s, m)| {
            let c: Vec<&&Label> = m.iter().filter(|l| l.role.as_deref() == Some("canonical")).collect();
            (c.len() == 1).then(|| (*s, c[0].id.as_str()))
        })
        .collect();
    if canon_of.is_empty() {
        return;
    }
    let hit = canon_of.values().filter(|c| is_predicted_canonical(preds[*c])).count();
    report.canonical_accuracy = Some(hit as f64 / canon_of.len() as f64);
    report.canonical_stories = Some(canon_of.len());
    report.predicted_canonicals = Some(labels.iter().filter(|l| is_predicted_canonical(preds[l.id.as_str()])).count());
    let syndicated: Vec<&Label> =
        labels.iter().filter(|l| l.role.as_deref() == Some("syndicated") && l.derived_from.is_some()).collect();
    if !syndicated.is_empty() {
        let right = syndicated
            .iter()
            .filter(|l| {
                let p = preds[l.id.as_str()];
                let src =
                    p.derived_from.clone().or_else(|| p.canonical.as_ref().and_then(Value::as_str).map(str::to_owned));
                src.is_some_and(|s| {
                    l.derived_from.as_deref() == Some(s.as_str()) || l.derived_from_also_ok.contains(&s)
                })
            })
            .count();
        report.derived_from_accuracy = Some(right as f64 / syndicated.len() as f64);
        report.syndicated_items = Some(syndicated.len());
    }
    let with_kind: Vec<&Label> =
        labels.iter().filter(|l| l.role.as_deref() == Some("syndicated") && l.kind.is_some()).collect();
    if !with_kind.is_empty() {
        let right = with_kind.iter().filter(|l| preds[l.id.as_str()].kind == l.kind).count();
        report.kind_accuracy = Some(right as f64 / with_kind.len() as f64);
    }
    let members: Vec<&Label> = labels
        .iter()
        .filter(|l| {
            matches!(l.role.as_deref(), Some("syndicated" | "independent")) && canon_of.contains_key(l.group.as_str())
        })
        .collect();
    if members.iter().any(|l| l.role.as_deref() == Some("independent")) {
        let right = members.iter().filter(|l| preds[l.id.as_str()].role == l.role).count();
        report.role_accuracy = Some(right as f64 / members.len() as f64);
        report.role_items = Some(members.len());
    }
}

/// An article a run misjudged, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misjudged {
    /// Article id.
    pub id: String,
    /// Its labelled group.
    pub story: String,
    /// Its predicted cluster, as JSON text.
    pub cluster: String,
    /// Articles of other labelled groups that the run put with it, by id.
    pub joined_with: Vec<String>,
    /// Articles of its labelled group that the run kept apart from it, by id.
    pub parted_from: Vec<String>,
    /// Where its predicted role, source or kind differs from the label's.
    pub roles: Vec<String>,
}

/// The articles a run misjudged, by labelled group then id: put with
/// articles of other groups, kept apart from their own, or given another
/// role, source or kind than the label's. Ids must match as for [`score`].
pub fn misjudged(labels: &[Label], predictions: &[Prediction]) -> Vec<Misjudged> {
    let by_id: HashMap<&str, &Prediction> = predictions.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut in_cluster: HashMap<&str, Vec<&Label>> = HashMap::new();
    for l in labels.iter().filter(|l| by_id.contains_key(l.id.as_str())) {
        in_cluster.entry(by_id[l.id.as_str()].cluster.as_str()).or_default().push(l);
        members.entry(l.group.as_str()).or_default().push(l.id.as_str());
    }
    let mut out: Vec<Misjudged> = labels
        .iter()
        .filter_map(|l| {
            let p = by_id.get(l.id.as_str())?;
            let together = &in_cluster[p.cluster.as_str()];
            let joined_with: Vec<String> =
                together.iter().filter(|o| o.group != l.group).map(|o| o.id.clone()).collect();
            let parted_from: Vec<String> = members[l.group.as_str()]
                .iter()
                .filter(|&&o| by_id[o].cluster != p.cluster)
                .map(|&o| o.to_string())
                .collect();
            let mut roles = Vec::new();
            if l.role.is_some() && p.role != l.role {
                roles.push(format!(
                    "role {}, labelled {}",
                    p.role.as_deref().unwrap_or("none"),
                    l.role.as_deref().unwrap_or("none")
                ));
            }
            if let Some(want) = l.derived_from.as_deref() {
                let got = p.derived_from.as_deref();
                if got != Some(want) && !got.is_some_and(|g| l.derived_from_also_ok.iter().any(|ok| ok == g)) {
                    roles.push(format!("derived from {}, labelled {want}", got.unwrap_or("nothing")));
                }
            }
            if l.kind.is_some() && l.role.as_deref() == Some("syndicated") && p.kind != l.kind {
                let (got, want) = (p.kind.as_deref().unwrap_or("none"), l.kind.as_deref().unwrap_or("none"));
                roles.push(format!("kind {got}, labelled {want}"));
            }
            let wrong = !joined_with.is_empty() || !parted_from.is_empty() || !roles.is_empty();
            wrong.then(|| Misjudged {
                id: l.id.clone(),
                story: l.group.clone(),
                cluster: p.cluster.clone(),
                joined_with,
                parted_from,
                roles,
            })
        })
        .collect();
    out.sort_by(|a, b| a.story.cmp(&b.story).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The misjudged articles as lines of text, at most `listed` ids of each list shown.
pub fn misjudged_table(misjudged: &[Misjudged], listed: usize) -> String {
    let ids = |list: &[String]| {
        let shown = list.iter().take(listed).cloned().collect::<Vec<_>>().join(", ");
        match list.len().saturating_sub(listed) {
            0 => shown,
            more => format!("{shown} and {more} more"),
        }
    };
    let mut out = format!("\nmisjudged articles: {}\n", misjudged.len());
    for m in misjudged {
        out.push_str(&format!("{}  story {}  cluster {}\n", m.id, m.story, m.cluster));
        if !m.joined_with.is_empty() {
            out.push_str(&format!(
                "    joined with {} of other stories: {}\n",
                m.joined_with.len(),
                ids(&m.joined_with)
            ));
        }
        if !m.parted_from.is_empty() {
            out.push_str(&format!("    parted from {} of its story: {}\n", m.parted_from.len(), ids(&m.parted_from)));
        }
        for r in &m.roles {
            out.push_str(&format!("    {r}\n"));
        }
    }
    out
}

/// The report as a human table.
pub fn table(report: &Report) -> String {
    let c = &report.clusters;
    let mut rows = vec![
        ("articles".to_string(), c.n.to_string()),
        (
            "BCubed precision / recall / F1".into(),
            format!("{:.3} / {:.3} / {:.3}", c.bcubed_precision, c.bcubed_recall, c.bcubed_f1),
        ),
        (
            "pairwise precision / recall / F1".into(),
            format!("{:.3} / {:.3} / {:.3}", c.pairwise_precision, c.pairwise_recall, c.pairwise_f1),
        ),
        ("adjusted Rand index".into(), format!("{:.3}", c.ari)),
        (
            "multi-member clusters predicted / true".into(),
            format!("{} / {}", c.multi_clusters_pred, c.multi_clusters_true),
        ),
        ("largest cluster predicted / true".into(), format!("{} / {}", c.largest_cluster_pred, c.largest_cluster_true)),
    ];
    let mut opt = |name: &str, v: Option<f64>| {
        if let Some(v) = v {
            rows.push((name.to_string(), format!("{v:.3}")));
        }
    };
    opt("canonical accuracy", report.canonical_accuracy);
    opt("derived_from accuracy", report.derived_from_accuracy);
    opt("copy-kind accuracy", report.kind_accuracy);
    opt("role accuracy (syndicated vs independent)", report.role_accuracy);
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    rows.iter().map(|(k, v)| format!("{k:<width$}  {v}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(id: &str, story: &str, role: &str, from: Option<&str>) -> Label {
        Label {
            id: id.into(),
            group: story.into(),
            role: Some(role.into()),
            kind: None,
            derived_from: from.map(Into::into),
            derived_from_also_ok: vec![],
        }
    }

    fn pred(id: &str, cluster: u32, role: &str, canonical: &str, from: Option<&str>) -> Prediction {
        Prediction {
            id: id.into(),
            cluster: cluster.to_string(),
            role: Some(role.into()),
            kind: None,
            canonical: Some(Value::String(canonical.into())),
            derived_from: from.map(Into::into),
        }
    }

    #[test]
    fn at_the_family_level_an_independent_original_is_its_familys_canonical() {
        // One story of two families: a <- b, and c (independent) <- d.
        let labels = vec![
            label("a", "f1", "canonical", None),
            label("b", "f1", "syndicated", Some("a")),
            label("c", "f2", "canonical", None),
            label("d", "f2", "syndicated", Some("c")),
        ];
        let story_level = vec![
            pred("a", 0, "canonical", "a", None),
            pred("b", 0, "syndicated", "a", Some("a")),
            pred("c", 1, "independent", "a", None),
            pred("d", 1, "syndicated", "a", Some("c")),
        ];
        assert_eq!(score(&labels, &story_level).unwrap().canonical_accuracy, Some(0.5));
        let family_level: Vec<Prediction> = story_level.into_iter().map(Prediction::at_family_level).collect();
        assert_eq!(family_level[2].role.as_deref(), Some("canonical"));
        assert_eq!(score(&labels, &family_level).unwrap().canonical_accuracy, Some(1.0));
    }

    #[test]
    fn missing_ids_are_an_error() {
        let labels = vec![label("a", "s", "unique", None), label("b", "t", "unique", None)];
        let preds = vec![pred("a", 0, "unique", "a", None)];
        let err = score(&labels, &preds).unwrap_err().to_string();
        assert!(err.contains("1 labelled ids have no prediction"), "{err}");
    }

    #[test]
    fn canonical_and_derived_from_accuracy() {
        let labels = vec![
            label("a", "1", "canonical", None),
            label("b", "1", "syndicated", Some("a")),
            label("c", "2", "canonical", None),
            label("d", "2", "syndicated", Some("c")),
        ];
        let preds = vec![
            pred("a", 0, "canonical", "a", None),
            pred("b", 0, "syndicated", "a", Some("a")),
            pred("c", 1, "syndicated", "d", Some("d")),
            pred("d", 1, "canonical", "d", None),
        ];
        let r = score(&labels, &preds).unwrap();
        assert_eq!(r.canonical_accuracy, Some(0.5));
        assert_eq!(r.derived_from_accuracy, Some(0.5));
        assert!(r.role_accuracy.is_none(), "no independent labels, no role accuracy");
    }

    #[test]
    fn role_accuracy_counts_syndicated_and_independent_members() {
        let labels = vec![
            label("a", "1", "canonical", None),
            label("b", "1", "syndicated", Some("a")),
            label("c", "1", "independent", None),
            label("d", "1", "independent", None),
            label("e", "2", "unique", None),
        ];
        let preds = vec![
            pred("a", 0, "canonical", "a", None),
            pred("b", 0, "syndicated", "a", Some("a")),
            pred("c", 0, "independent", "a", None),
            pred("d", 0, "syndicated", "a", Some("a")),
            pred("e", 1, "unique", "e", None),
        ];
        let r = score(&labels, &preds).unwrap();
        // b and c right, d a copy where the label says own reporting; a and e do not count.
        assert_eq!(r.role_accuracy, Some(2.0 / 3.0));
    }

    #[test]
    fn misjudged_articles_say_what_went_wrong() {
        let labels = [
            label("a", "s1", "canonical", None),
            label("b", "s1", "syndicated", Some("a")),
            label("c", "s2", "unique", None),
            label("d", "s3", "unique", None),
        ];
        // b is parted from a and joined with c; d is right.
        let preds = [
            pred("a", 0, "unique", "a", None),
            pred("b", 1, "syndicated", "c", Some("c")),
            pred("c", 1, "canonical", "c", None),
            pred("d", 2, "unique", "d", None),
        ];
        let wrong = misjudged(&labels, &preds);
        let ids: Vec<&str> = wrong.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let b = &wrong[1];
        assert_eq!((b.joined_with.clone(), b.parted_from.clone()), (vec!["c".to_string()], vec!["a".to_string()]));
        assert_eq!(b.roles, ["derived from c, labelled a"]);
        assert_eq!(wrong[0].roles, ["role unique, labelled canonical"]);
        assert_eq!(wrong[2].joined_with, ["b"]);
        let text = misjudged_table(&wrong, 5);
        assert!(
            text.starts_with("\nmisjudged articles: 3\n") && text.contains("parted from 1 of its story: a"),
            "{text}"
        );
    }
}
