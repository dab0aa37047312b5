//! The pipeline: runs the stages in order and records what each did.
//!
//! ```text
//! ingest → clean → language → tokenize → vectorize → candidates → verify → cluster → roles
//! ```
//!
//! Only this module knows the order. Each stage is a plain function of the
//! previous stage's output, so an engine (Spark, a daily index) can run them
//! one at a time: per-article work (clean, language, tokenize, shingles) is
//! independent; document frequencies are summed over chunks in a fixed
//! order, and repeated lines counted over any parts of the batch merge in
//! any order; candidate pairs, verification, clustering and roles depend
//! only on their inputs. [`Pipeline::run_from_analyses`] starts after the
//! analysis, from per-article state made elsewhere ([`crate::exchange`]),
//! [`Pipeline::run_from_signatures`] after vectorize, and
//! [`Pipeline::run_from_candidates`] from candidate pairs proposed (or
//! verified) elsewhere ([`crate::key_groups`]). Every step is deterministic, whatever
//! the thread count or the input order. Here the candidate index is asked
//! one article at a time and each answer verified at once, so a batch's
//! candidate pairs are never held together; `candidates::candidate_pairs`
//! and `verify::verify_pairs` run the two stages apart.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::article::{Article, DocId, PackedArticles};
use crate::candidates::{
    exact_duplicates, CandidateIndex, CandidateStats, IndexKeys, KeyLists, ProposedPair, TermKeys,
};
use crate::clean::{BoilerplateModel, CleanText, LineStats};
use crate::cluster::{join_families, BlockStats, Clustering};
use crate::error::{Error, Result};
use crate::grouping::{group, grouping_of, ComponentCounts, GroupFacts, GroupedMember, Grouping};
use crate::key_groups::Candidates;
use crate::language;
use crate::memory;
use crate::pair_model::{PairFeatures, PairModel};
use crate::params::ValidParams;
use crate::progress::Progress;
use crate::roles::{roles_of_story, story_text, Assignment, Member, StoryRoles};
use crate::signature::{BatchStats, Signature, Signer};
use crate::sketch::{ShingleSet, ShingleSketch};
use crate::spill::{SpilledLists, SpilledPiece};
use crate::text::prefix_at_char_boundary;
use crate::tfidf::{FlatVectors, IdfModel, PairVectors, SharedTerms, SparseVec, StopWords, Weighting, PIECE};
use crate::tokenize::{Analyzer, PackedTerms, TermHash};
use crate::usage;
use crate::vectorize::{Frequencies, Joined, Tables, Vectorized};
use crate::verify::{Edge, Evidence, Judgement, PairFacts, StoryLink, Verifier};

pub use crate::text::MAX_ANALYZED_BYTES;

/// Articles per chunk when summing batch statistics; fixed (not per thread)
/// so that sums are merged in the same order on any machine.
const CHUNK: usize = 2048;

/// Articles whose candidates one task verifies.
const VERIFY_CHUNK: usize = 256;

/// What [`Pipeline::find_edges`] found.
#[derive(Debug, Default)]
struct FoundEdges {
    /// Candidate pairs proposed.
    candidates: usize,
    /// The pairs themselves, when recorded.
    pairs: Vec<(DocId, DocId)>,
    /// The pairs accepted as family edges, in pair order.
    edges: Vec<Edge>,
    /// The pairs kept as story links, in pair order.
    links: Vec<StoryLink>,
    /// Where the edges and links went when they were spilled, and how many of each.
    spilled: Option<(SpilledPiece, usize, usize)>,
}

/// An edge as 32-bit words, for spilling.
fn edge_words(e: &Edge) -> [u32; 5] {
    [e.a, e.b, e.cosine.to_bits(), e.a_in_b.to_bits(), e.b_in_a.to_bits()]
}

/// A story link as 32-bit words, for spilling.
fn link_words(l: &StoryLink) -> [u32; 3] {
    [l.a, l.b, l.p.to_bits()]
}

impl FoundEdges {
    /// Writes the edges and links to `store`, which holds two lists for
    /// each chunk of [`VERIFY_CHUNK`] articles, and lets them go: the
    /// verified pairs then wait on disk, not beside the sketches and the
    /// candidate index (at a million articles, 235 MiB at the run's peak).
    fn spill(mut self, store: &SpilledLists) -> Result<FoundEdges> {
        let edges: Vec<u32> = self.edges.iter().flat_map(edge_words).collect();
        let links: Vec<u32> = self.links.iter().flat_map(link_words).collect();
        let piece = store.write_piece(&[edges, links])?;
        self.spilled = Some((piece, self.edges.len(), self.links.len()));
        (self.edges, self.links) = (Vec::new(), Vec::new());
        Ok(self)
    }

    /// The pieces' finds in one (the spilled ones read back from `store`),
    /// with room for `more` edges. Sized at once: grown by doubling, the
    /// list would hold up to twice the room of the edges (4.5 million at
    /// a million articles).
    fn joined(mut pieces: Vec<FoundEdges>, more: usize, mut store: SpilledLists) -> Result<FoundEdges> {
        let counted = |f: &FoundEdges| f.spilled.as_ref().map_or((f.edges.len(), f.links.len()), |s| (s.1, s.2));
        let (edges, links) = pieces.iter().map(counted).fold((0, 0), |(e, l), (a, b)| (e + a, l + b));
        let mut all = FoundEdges {
            candidates: 0,
            pairs: Vec::with_capacity(pieces.iter().map(|f| f.pairs.len()).sum()),
            edges: Vec::with_capacity(edges + more),
            links: Vec::with_capacity(links + more),
            spilled: None,
        };
        let spilled: Vec<bool> = pieces.iter().map(|f| f.spilled.is_some()).collect();
        store.set_pieces(pieces.iter_mut().map(|f| f.spilled.take().map(|s| s.0).unwrap_or_default()).collect());
        for (chunk, (f, spilled)) in pieces.into_iter().zip(spilled).enumerate() {
            all.candidates += f.candidates;
            all.pairs.extend(f.pairs);
            if spilled {
                let words = store.get(2 * chunk)?;
                all.edges.extend(words.chunks_exact(5).map(|w| Edge {
                    a: w[0],
                    b: w[1],
                    cosine: f32::from_bits(w[2]),
                    a_in_b: f32::from_bits(w[3]),
                    b_in_a: f32::from_bits(w[4]),
                }));
                let words = store.get(2 * chunk + 1)?;
                all.links.extend(words.chunks_exact(3).map(|w| StoryLink {
                    a: w[0],
                    b: w[1],
                    p: f32::from_bits(w[2]),
                }));
            } else {
                all.edges.extend(f.edges);
                all.links.extend(f.links);
            }
        }
        Ok(all)
    }
}

/// The families (the credits' joined), stories and assignments once the
/// roles of every story of several articles are `decided`.
fn decided(grouping: Grouping, decided: Decided, stats: &mut Stats) -> (Clustering, Clustering, Vec<Assignment>) {
    let Grouping { families, stories, alone: mut assignments } = grouping;
    for (doc, assignment) in decided.assignments {
        assignments[doc as usize] = assignment;
    }
    stats.credited_copies = decided.credited.len();
    let credit_links: Vec<(DocId, DocId)> = decided.credited.iter().map(|&(copy, source, _)| (copy, source)).collect();
    let families = join_families(&families, &credit_links);
    stats.multi_member_families = families.multi_member().count();
    (families, stories, assignments)
}

/// What an engine that grouped a batch component by component
/// ([`crate::grouping`]) and decided the roles of its stories of several
/// articles where their members are ([`crate::story_groups`]) hands the
/// driver, which finishes the run ([`Pipeline::finish_apart`]).
#[derive(Debug, Default)]
pub struct GroupedApart {
    /// Every member of every component of several articles, once.
    pub members: Vec<GroupedMember>,
    /// The components' counts, merged.
    pub counts: ComponentCounts,
    /// The roles of the stories of several articles.
    pub decided: Decided,
    /// Keys indexed, posting lists pruned and candidate pairs verified.
    pub candidates: CandidateStats,
}

/// What the roles stage decided for the stories of several articles: their
/// members' roles, and the copies joined to a family by their credit
/// (copy, source, the credit in words).
#[derive(Debug, Default)]
pub struct Decided {
    /// Each member's role, by its place in the batch.
    pub assignments: Vec<(DocId, Assignment)>,
    /// The credits that joined families.
    pub credited: Vec<(DocId, DocId, String)>,
}

/// Articles and their analyses (`analyses[i]` is `articles[i]`'s), in id
/// order; an error when some article has none.
fn in_id_order<T>(articles: Vec<Article>, analyses: Vec<T>) -> Result<(Vec<Article>, Vec<T>)> {
    if articles.len() != analyses.len() {
        return Err(Error::Exchange(format!(
            "{} articles but {} analyses: each article needs its own",
            articles.len(),
            analyses.len()
        )));
    }
    let mut both: Vec<(Article, T)> = articles.into_iter().zip(analyses).collect();
    both.sort_by(|(a, _), (b, _)| a.id.cmp(&b.id));
    Ok(both.into_iter().unzip())
}

/// The edges and links with each exact duplicate linked to its first copy
/// (identical bodies need no measuring), each in pair order.
fn with_duplicates(
    mut edges: Vec<Edge>,
    mut links: Vec<StoryLink>,
    duplicate_of: &[Option<DocId>],
) -> (Vec<Edge>, Vec<StoryLink>) {
    let before = edges.len();
    edges.extend(
        duplicate_of
            .iter()
            .enumerate()
            .filter_map(|(doc, rep)| rep.map(|a| Edge { a, b: doc as DocId, cosine: 1.0, a_in_b: 1.0, b_in_a: 1.0 })),
    );
    links.extend(edges[before..].iter().map(|e| StoryLink { a: e.a, b: e.b, p: 1.0 }));
    links.sort_unstable_by_key(|l| (l.a, l.b));
    // Each pair once (exact duplicates are never candidates): an unstable
    // sort gives the same order, without a stable sort's buffer of half
    // the edges.
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    (edges, links)
}

/// A batch's articles set aside from vectorize to the end of verify, which
/// read only their [`PairFacts`]: packed ([`PackedArticles`]), their
/// records were an eighth of a million articles' peak.
struct SetAside {
    packed: PackedArticles,
    facts: Vec<PairFacts>,
}

impl SetAside {
    /// `articles` packed, with the facts of each (`analyzed[i]` being `articles[i]`'s).
    fn of(articles: Vec<Article>, analyzed: &[Analyzed]) -> SetAside {
        let facts = articles.iter().zip(analyzed).map(|(article, a)| a.pair_facts(article.published_day())).collect();
        SetAside { packed: PackedArticles::pack(articles), facts }
    }
}

/// One piece of analyzed articles, its term lists packed (about 1.5 bytes
/// a term) until the document frequencies are known.
struct AnalyzedPiece {
    docs: Vec<Analyzed>,
    terms: PackedTerms,
    anchors: PackedTerms,
}

impl AnalyzedPiece {
    fn pack(analyses: Vec<Analysis>) -> AnalyzedPiece {
        let mut docs = Vec::with_capacity(analyses.len());
        let mut term_lists = Vec::with_capacity(analyses.len());
        let mut anchor_lists = Vec::with_capacity(analyses.len());
        for Analysis { analyzed, terms, anchors } in analyses {
            docs.push(analyzed);
            term_lists.push(terms);
            anchor_lists.push(anchors);
        }
        AnalyzedPiece {
            docs,
            terms: PackedTerms::pack(term_lists.iter().map(Vec::as_slice)),
            anchors: PackedTerms::pack(anchor_lists.iter().map(Vec::as_slice)),
        }
    }
}

/// A batch's analysis, as the stages after it read it: a packed term list
/// and a packed anchor list per [`PIECE`] of articles.
struct AnalyzedBatch {
    analyzed: Vec<Analyzed>,
    packed_terms: Vec<PackedTerms>,
    packed_anchors: Vec<PackedTerms>,
}

impl AnalyzedBatch {
    fn join(pieces: Vec<AnalyzedPiece>) -> AnalyzedBatch {
        let n = pieces.iter().map(|p| p.docs.len()).sum();
        let mut batch = AnalyzedBatch {
            analyzed: Vec::with_capacity(n),
            packed_terms: Vec::with_capacity(pieces.len()),
            packed_anchors: Vec::with_capacity(pieces.len()),
        };
        for piece in pieces {
            batch.analyzed.extend(piece.docs);
            batch.packed_terms.push(piece.terms);
            batch.packed_anchors.push(piece.anchors);
        }
        batch
    }
}

/// What the stages after vectorize read of a batch, in article order.
struct Signed {
    vectors: PairVectors,
    candidates: CandidateSource,
    sketches: Vec<ShingleSketch>,
    /// Each article's shingle set ([`ShingleSet::to_words`]), for the roles stage.
    shingles: SpilledLists,
    anchor_vectors: FlatVectors,
    /// The first article with the same body, for an exact duplicate.
    duplicate_of: Vec<Option<DocId>>,
}

/// Where a run finds its candidate pairs.
enum CandidateSource {
    /// In indexes of these keys, built here.
    Keys(IndexKeys),
    /// Among pairs proposed elsewhere by grouping keys, with the counts of the keys indexed there.
    Proposed(Vec<ProposedPair>, CandidateStats),
    /// Nowhere: the pairs were verified elsewhere; their edges and links, and the counts.
    Verified(FoundEdges, CandidateStats),
}

/// Each article's body hash, none for a body without terms (never a duplicate).
fn body_hashes(analyzed: &[Analyzed]) -> Vec<Option<u64>> {
    analyzed.iter().map(|a| (a.body.term_count > 0).then_some(a.body.hash)).collect()
}

/// One article after the per-article stages.
#[derive(Debug, Clone)]
pub struct Analyzed {
    /// What later stages read of the cleaned body. The body itself is not
    /// kept (it is as large as the text); [`RunResult::clean_body`]
    /// rebuilds it.
    pub body: BodyFacts,
    /// Language code, one allocation shared by every article in the
    /// language (see [`language::resolve`]).
    pub lang: Arc<str>,
    /// Years the body mentions, ascending.
    pub years: Box<[u16]>,
}

impl Analyzed {
    /// What the pair features read of the article besides its vectors,
    /// published on `published_day` ([`Article::published_day`]).
    pub fn pair_facts(&self, published_day: Option<f32>) -> PairFacts {
        PairFacts { chars: self.body.chars, years: self.years.clone(), published_day }
    }
}

/// What [`Pipeline::analyze`] makes of one article.
#[derive(Debug)]
pub struct Analysis {
    /// What later stages read of it.
    pub analyzed: Analyzed,
    /// Its term hashes, in text order.
    pub terms: Vec<TermHash>,
    /// Its anchors (numbers and names), in text order.
    pub anchors: Vec<TermHash>,
}

/// The facts about a cleaned body that the stages after analysis need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyFacts {
    /// Hash of the body's bytes, for finding exact duplicates.
    pub hash: u64,
    /// Characters in the body (at most [`MAX_ANALYZED_BYTES`]).
    pub chars: u32,
    /// Share of the text's characters removed as boilerplate (0..=1).
    pub boilerplate_share: f32,
    /// Lines removed as boilerplate.
    pub removed_lines: u32,
    /// Hash of the body's lines wide enough to carry the story, taken as
    /// one ([`story_text`]); `None` without any.
    pub story_text: Option<u64>,
    /// Terms in the body (none: nothing left to compare).
    pub term_count: u32,
}

impl BodyFacts {
    /// The facts about `clean`, which the analyzer split into `term_count` terms.
    pub fn of(clean: &CleanText, term_count: usize) -> BodyFacts {
        // A body is cut to MAX_ANALYZED_BYTES, far below u32::MAX.
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        BodyFacts {
            hash: xxhash_rust::xxh3::xxh3_64(clean.body.as_bytes()),
            chars: narrow(clean.body.chars().count()),
            boilerplate_share: clean.boilerplate_share(),
            removed_lines: clean.removed_lines,
            story_text: story_text(&clean.body),
            term_count: narrow(term_count),
        }
    }
}

/// Wall time and counts per stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Articles in the batch.
    pub articles: usize,
    /// Repeated lines recognised as boilerplate.
    pub boilerplate_lines: usize,
    /// Lines removed by cleaning, over all articles.
    pub removed_lines: u64,
    /// Distinct terms in the batch.
    pub vocabulary: usize,
    /// Candidate generation counts.
    pub candidates: CandidateStats,
    /// Articles whose cleaned body repeats an earlier one exactly.
    pub exact_duplicates: usize,
    /// Verified edges.
    pub edges: usize,
    /// Story links: pairs judged to report one event.
    pub story_links: usize,
    /// Families with two or more members.
    pub multi_member_families: usize,
    /// Articles joined to the family of a member whose outlet they credit.
    pub credited_copies: usize,
    /// Stories with two or more members.
    pub multi_member_clusters: usize,
    /// The chain guard's counts.
    pub blocks: BlockStats,
    /// Seconds per stage, in pipeline order.
    pub seconds: Vec<(String, f64)>,
    /// The process's peak resident memory (MiB) at the end of each stage,
    /// where the system reports it (Linux); empty elsewhere.
    pub peak_memory_mib: Vec<(String, u64)>,
    /// CPU seconds per stage over all threads, where the system reports
    /// them (Linux, to 10 ms); empty elsewhere.
    pub cpu_seconds: Vec<(String, f64)>,
}

/// Everything a run produces, ready for the output writers.
#[derive(Debug)]
pub struct RunResult {
    /// The articles, sorted by id; a [`DocId`] indexes this.
    pub articles: Vec<Article>,
    /// Per-article analysis (language, facts about the cleaned body).
    pub analyzed: Vec<Analyzed>,
    /// The repeated lines removed from every text.
    pub boilerplate: BoilerplateModel,
    /// TF-IDF vectors, without the terms no other article has (they add
    /// nothing to a cosine between two; [`PairVectors::vector`] rebuilds one).
    pub vectors: PairVectors,
    /// Shingle sketches (kept only with [`Pipeline::with_pair_records`],
    /// for [`RunResult::pair_records`]: nothing after verification reads them).
    pub sketches: Vec<ShingleSketch>,
    /// Each article's shingle set for the roles stage ([`ShingleSet::to_words`]),
    /// spilled to a temporary file.
    pub shingles: SpilledLists,
    /// All candidate pairs, verified or not, when the pipeline was asked
    /// to record them ([`Pipeline::with_pair_records`]).
    pub pairs: Option<Vec<(DocId, DocId)>>,
    /// Anchor vectors (numbers and names), kept only with
    /// [`Pipeline::with_pair_records`], as the sketches are.
    pub anchor_vectors: FlatVectors,
    /// What the pair features read of each article besides its vectors,
    /// kept only with [`Pipeline::with_pair_records`].
    pub facts: Vec<PairFacts>,
    /// The model that judged the pairs.
    pub pair_model: Arc<PairModel>,
    /// Family edges: pairs judged derived, one text made from the other
    /// (none from [`Pipeline::finish_apart`]: the workers kept them).
    pub edges: Vec<Edge>,
    /// Story links: pairs judged to report the same event, with P(same
    /// event). From [`Pipeline::finish_apart`], only the closest links
    /// between two stories (what the report shows; their count is
    /// [`Stats::story_links`]).
    pub links: Vec<StoryLink>,
    /// The families: an original and every article made from it.
    pub families: Clustering,
    /// The stories: one or more families that report one event.
    pub clustering: Clustering,
    /// Role of each article, by [`DocId`].
    pub assignments: Vec<Assignment>,
    /// What each stage did.
    pub stats: Stats,
}

/// The configured pipeline.
#[derive(Debug)]
pub struct Pipeline {
    params: ValidParams,
    pair_model: Arc<PairModel>,
    idf: IdfModel,
    analyzer: Analyzer,
    progress: Progress,
    cancel: Arc<AtomicBool>,
    record_pairs: bool,
    after_stage: Option<StageHook>,
}

/// A function called with each stage's name as the stage ends, on the
/// thread that runs the pipeline (the binary hands the allocator's freed
/// room back to the system there).
#[derive(Clone)]
pub struct StageHook(Arc<dyn Fn(&str) + Send + Sync>);

impl StageHook {
    /// Wraps `hook`.
    pub fn new(hook: impl Fn(&str) + Send + Sync + 'static) -> StageHook {
        StageHook(Arc::new(hook))
    }
}

impl std::fmt::Debug for StageHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StageHook")
    }
}

impl Pipeline {
    /// A pipeline with the shipped IDF tables (unless the params turn them off).
    pub fn new(params: ValidParams) -> Pipeline {
        let idf = if params.use_idf_tables() { IdfModel::embedded() } else { IdfModel::none() };
        Pipeline {
            params,
            pair_model: Arc::new(PairModel::embedded().clone()),
            idf,
            analyzer: Analyzer::new(),
            progress: Progress::hidden(),
            cancel: Arc::default(),
            record_pairs: false,
            after_stage: None,
        }
    }

    /// Judges pairs with `model` instead of the shipped `models/pair_model.json`
    /// (the training example scores a freshly fitted model this way).
    pub fn with_pair_model(mut self, model: PairModel) -> Pipeline {
        self.pair_model = Arc::new(model);
        self
    }

    /// Stops the run with [`Error::Interrupted`] soon after `flag` becomes true.
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Pipeline {
        self.cancel = flag;
        self
    }

    fn check_cancelled(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Keeps every candidate pair in [`RunResult::pairs`] (for
    /// [`RunResult::pair_records`]); by default only their number is kept.
    pub fn with_pair_records(mut self, record: bool) -> Pipeline {
        self.record_pairs = record;
        self
    }

    /// Calls `hook` at the end of each stage.
    pub fn with_stage_hook(mut self, hook: StageHook) -> Pipeline {
        self.after_stage = Some(hook);
        self
    }

    /// Shows progress bars while running.
    pub fn with_progress(mut self, progress: Progress) -> Pipeline {
        self.progress = progress;
        self
    }

    /// The validated parameters.
    pub fn params(&self) -> &ValidParams {
        &self.params
    }

    /// The fitted pair model that verification judges pairs with.
    pub fn pair_model(&self) -> &PairModel {
        &self.pair_model
    }

    /// The analyzer (tokenizer) in use.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Runs every stage on a batch. Articles are sorted by id first, so the
    /// result does not depend on their order. The input files held open to
    /// read texts again are closed as it ends ([`crate::article::close_input_files`]).
    pub fn run(&self, articles: Vec<Article>) -> Result<RunResult> {
        let result = self.run_stages(articles);
        crate::article::close_input_files();
        result
    }

    fn run_stages(&self, mut articles: Vec<Article>) -> Result<RunResult> {
        articles.sort_by(|a, b| a.id.cmp(&b.id));
        let mut stats = Stats { articles: articles.len(), ..Default::default() };
        let mut clock = Clock::new(self.after_stage.as_ref());

        let boilerplate = fit_boilerplate(&articles)?;
        stats.boilerplate_lines = boilerplate.repeated_lines();
        clock.lap("boilerplate", &mut stats);
        self.check_cancelled()?;

        let bar = self.progress.stage("analyze", articles.len() as u64);
        let pieces: Vec<AnalyzedPiece> = articles
            .par_chunks(PIECE)
            .map(|chunk| {
                let analyses: Vec<Analysis> = chunk
                    .par_iter()
                    .map(|a| {
                        self.check_cancelled()?;
                        let r = self.analyze(a, &boilerplate);
                        bar.inc(1);
                        r
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(AnalyzedPiece::pack(analyses))
            })
            .collect::<Result<_>>()?;
        bar.finish_and_clear();
        clock.lap("analyze", &mut stats);
        self.check_cancelled()?;
        self.run_analyzed(articles, boilerplate, AnalyzedBatch::join(pieces), stats, clock)
    }

    /// Runs the stages after analysis on articles analyzed elsewhere (by
    /// an engine's workers, each article with [`Pipeline::analyze`] and the
    /// boilerplate model fitted over the whole batch), `analyses[i]` being
    /// `articles[i]`'s. Gives what [`Pipeline::run`] gives on the same articles.
    pub fn run_from_analyses(
        &self,
        articles: Vec<Article>,
        boilerplate: BoilerplateModel,
        analyses: Vec<Analysis>,
    ) -> Result<RunResult> {
        let (articles, analyses) = in_id_order(articles, analyses)?;
        let stats = Stats { articles: articles.len(), ..Default::default() };
        let clock = Clock::new(self.after_stage.as_ref());
        let mut analyses = analyses.into_iter();
        let chunks: Vec<Vec<Analysis>> =
            (0..articles.len().div_ceil(PIECE)).map(|_| analyses.by_ref().take(PIECE).collect()).collect();
        let pieces = chunks.into_par_iter().map(AnalyzedPiece::pack).collect();
        let result = self.run_analyzed(articles, boilerplate, AnalyzedBatch::join(pieces), stats, clock);
        crate::article::close_input_files();
        result
    }

    /// The stages after analysis: vectorize, candidates, verify, cluster, roles.
    fn run_analyzed(
        &self,
        articles: Vec<Article>,
        boilerplate: BoilerplateModel,
        batch: AnalyzedBatch,
        mut stats: Stats,
        mut clock: Clock,
    ) -> Result<RunResult> {
        let AnalyzedBatch { analyzed, packed_terms, packed_anchors } = batch;
        let articles = SetAside::of(articles, &analyzed);
        stats.removed_lines = analyzed.iter().map(|a| a.body.removed_lines as u64).sum();
        // The batch's frequencies and weighting are freed as it returns.
        let signed = self.vectorize(&analyzed, packed_terms, packed_anchors, &mut stats)?;
        clock.lap("vectorize", &mut stats);
        self.check_cancelled()?;
        self.run_signed(articles, boilerplate, analyzed, signed, stats, clock)
    }

    /// The vectorize stage ([`crate::vectorize`]): each article's vector,
    /// keys, sketch and anchor vector, from the batch's frequencies; its
    /// shingles for the roles stage written to a temporary file.
    fn vectorize(
        &self,
        analyzed: &[Analyzed],
        packed_terms: Vec<PackedTerms>,
        packed_anchors: Vec<PackedTerms>,
        stats: &mut Stats,
    ) -> Result<Signed> {
        let langs: Vec<&str> = analyzed.iter().map(|a| &*a.lang).collect();
        let frequencies = Frequencies::of(&langs, &packed_terms, &packed_anchors);
        let Frequencies { terms: df, anchors: anchor_df, anchor_pairs } = frequencies;
        stats.vocabulary = df.vocabulary();
        let stop_words = self.stop_words(langs.iter().copied());
        let weighting = Weighting::new(&df, &self.idf, self.params.idf_prior_docs()).with_stop_words(&stop_words);
        // Anchors are weighted by the batch's frequencies alone.
        let no_tables = IdfModel::none();
        let anchor_weighting = Weighting::new(&anchor_df, &no_tables, 0.0).with_stop_words(&stop_words);
        // Exact duplicates are linked to their first copy and stay out of the index.
        let duplicate_of = exact_duplicates(&body_hashes(analyzed));
        let active: Vec<bool> = duplicate_of.iter().map(Option::is_none).collect();
        let shared = SharedTerms::new(&df);
        // The word pairs that the vectors of some languages add tell, with
        // the anchors' frequencies, which anchors two vectors or more can have.
        let anchor_shared = SharedTerms::of_any(&[&anchor_df, &anchor_pairs]);
        drop(anchor_pairs);
        let tables = Tables {
            weighting: &weighting,
            shared: &shared,
            anchor_weighting: &anchor_weighting,
            anchor_shared: &anchor_shared,
            anchor_df: &anchor_df,
            params: &self.params,
        };
        let mut shingles = SpilledLists::new(PIECE)?;
        let pieces: Vec<Vectorized> = langs
            .par_chunks(PIECE)
            .zip(active.par_chunks(PIECE))
            .zip(packed_terms.into_par_iter().zip(packed_anchors.into_par_iter()))
            .map(|((langs, active), (terms, anchors))| {
                Vectorized::piece(&tables, langs, active, terms, anchors, &shingles)
            })
            .collect::<Result<_>>()?;
        let joined = Vectorized::join(pieces, shared, &mut shingles, self.params.cross_language());
        let Joined { vectors, keys, sketches, anchor_vectors } = joined;
        let candidates = CandidateSource::Keys(keys);
        Ok(Signed { vectors, candidates, sketches, shingles, anchor_vectors, duplicate_of })
    }

    /// Runs the stages after vectorize on articles signed elsewhere (by an
    /// engine's workers, each article's [`Signature`] made by
    /// [`Pipeline::signer`] with the [`BatchStats`] of the whole batch):
    /// `analyzed[i]` is `articles[i]`'s, `signatures` are given with their
    /// articles' ids, in any order. Gives what [`Pipeline::run`] gives on
    /// the same articles.
    pub fn run_from_signatures(
        &self,
        articles: Vec<Article>,
        boilerplate: BoilerplateModel,
        analyzed: Vec<Analyzed>,
        signatures: Vec<(String, Signature)>,
        batch: &BatchStats,
    ) -> Result<RunResult> {
        self.run_signatures(articles, boilerplate, analyzed, signatures, batch, None)
    }

    /// Finishes the run of a batch an engine grouped component by component
    /// and whose stories' roles it decided (`apart`; `analyzed[i]` is
    /// `articles[i]`'s, in any order; `batch` the statistics they were
    /// signed with). The result holds no vectors, sketches or shingles (the
    /// workers kept them), and of the story links only the closest between
    /// two stories ([`ComponentCounts::near_misses`]); its rows are
    /// [`Pipeline::run`]'s.
    pub fn finish_apart(
        &self,
        articles: Vec<Article>,
        boilerplate: BoilerplateModel,
        analyzed: Vec<Analyzed>,
        batch: &BatchStats,
        apart: GroupedApart,
    ) -> Result<RunResult> {
        let (articles, analyzed) = in_id_order(articles, analyzed)?;
        let GroupedApart { members, counts, decided: roles, candidates } = apart;
        let mut stats = Stats { articles: articles.len(), candidates, ..Default::default() };
        stats.removed_lines = analyzed.iter().map(|a| a.body.removed_lines as u64).sum();
        stats.vocabulary = batch.terms.vocabulary();
        stats.exact_duplicates = exact_duplicates(&body_hashes(&analyzed)).iter().flatten().count();
        (stats.edges, stats.story_links, stats.blocks) = (counts.edges, counts.links, counts.blocks);
        let grouping = grouping_of(&group_facts(&articles, &analyzed), members, &self.params)?;
        stats.multi_member_clusters = grouping.stories.multi_member().count();
        let mut expected: Vec<DocId> = grouping.stories.multi_member().flat_map(|(_, m)| m.iter().copied()).collect();
        let mut got: Vec<DocId> = roles.assignments.iter().map(|&(doc, _)| doc).collect();
        expected.sort_unstable();
        got.sort_unstable();
        if got != expected {
            return Err(Error::Exchange(format!(
                "{} roles decided for the {} articles of stories of several: each needs its own, once",
                got.len(),
                expected.len()
            )));
        }
        let facts = articles.iter().zip(&analyzed).map(|(article, a)| a.pair_facts(article.published_day())).collect();
        let (families, clustering, assignments) = decided(grouping, roles, &mut stats);
        Ok(RunResult {
            articles,
            analyzed,
            boilerplate,
            vectors: PairVectors::default(),
            sketches: Vec::new(),
            shingles: SpilledLists::new(PIECE)?,
            pairs: None,
            anchor_vectors: FlatVectors::default(),
            facts,
            pair_model: Arc::clone(&self.pair_model),
            edges: Vec::new(),
            links: counts.near_misses,
            families,
            clustering,
            assignments,
            stats,
        })
    }

    /// [`Pipeline::run_from_signatures`] with the candidate pairs that an
    /// engine proposed by grouping the signatures' keys
    /// ([`crate::key_groups`]): the run verifies them (those of the wording
    /// index only where one text could lie inside the other) and goes on,
    /// or, when the engine verified them too, goes on from their edges and
    /// links. Gives what [`Pipeline::run`] gives on the same articles.
    pub fn run_from_candidates(
        &self,
        articles: Vec<Article>,
        boilerplate: BoilerplateModel,
        analyzed: Vec<Analyzed>,
        signatures: Vec<(String, Signature)>,
        batch: &BatchStats,
        candidates: Candidates,
    ) -> Result<RunResult> {
        self.run_signatures(articles, boilerplate, analyzed, signatures, batch, Some(candidates))
    }

    fn run_signatures(
        &self,
        articles: Vec<Article>,
        boilerplate: BoilerplateModel,
        analyzed: Vec<Analyzed>,
        mut signatures: Vec<(String, Signature)>,
        batch: &BatchStats,
        handed: Option<Candidates>,
    ) -> Result<RunResult> {
        if articles.len() != analyzed.len() || articles.len() != signatures.len() {
            return Err(Error::Exchange(format!(
                "{} articles, {} analyses and {} signatures: each article needs its own",
                articles.len(),
                analyzed.len(),
                signatures.len()
            )));
        }
        let mut both: Vec<(Article, Analyzed)> = articles.into_iter().zip(analyzed).collect();
        both.sort_by(|(a, _), (b, _)| a.id.cmp(&b.id));
        signatures.sort_by(|(a, _), (b, _)| a.cmp(b));
        if let Some(((article, _), (id, _))) = both.iter().zip(&signatures).find(|((a, _), (id, _))| a.id != *id) {
            return Err(Error::Exchange(format!(
                "the signatures are not the articles': article {:?} meets the signature of {id:?}",
                article.id
            )));
        }
        let signatures = signatures.into_iter().map(|(_, signature)| signature);
        let (articles, analyzed): (Vec<Article>, Vec<Analyzed>) = both.into_iter().unzip();
        let mut stats = Stats { articles: articles.len(), ..Default::default() };
        let mut clock = Clock::new(self.after_stage.as_ref());
        stats.removed_lines = analyzed.iter().map(|a| a.body.removed_lines as u64).sum();
        stats.vocabulary = batch.terms.vocabulary();
        let duplicate_of = exact_duplicates(&body_hashes(&analyzed));
        let cross_language = self.params.cross_language();
        let (mut term_keys, mut anchor_keys) = (KeyLists::default(), KeyLists::default());
        let (mut vectors, mut anchor_vectors) = (Vec::with_capacity(articles.len()), Vec::new());
        let (mut sketches, mut role_shingles) = (Vec::with_capacity(articles.len()), Vec::new());
        for (signature, duplicate) in signatures.into_iter().zip(&duplicate_of) {
            // An exact duplicate stays out of the index: no keys.
            let on = duplicate.is_none();
            term_keys.push(if on { signature.keys } else { Vec::new() });
            if cross_language {
                anchor_keys.push(if on { signature.anchor_keys } else { Vec::new() });
            }
            vectors.push(signature.vector);
            anchor_vectors.push(signature.anchor_vector);
            sketches.push(signature.sketch);
            role_shingles.push(ShingleSet::of(&signature.shingles).to_words());
        }
        let mut shingles = SpilledLists::new(PIECE)?;
        let spilled = role_shingles.chunks(PIECE).map(|piece| shingles.write_piece(piece)).collect::<Result<_>>()?;
        shingles.set_pieces(spilled);
        drop(role_shingles);
        let vectors = PairVectors::new(&vectors, &batch.terms);
        let anchor_vectors = FlatVectors::from_vectors(&anchor_vectors);
        clock.lap("vectorize", &mut stats);
        let candidates = match handed {
            None => {
                let terms = TermKeys::Hashes(term_keys);
                CandidateSource::Keys(IndexKeys { terms, anchors: cross_language.then_some(anchor_keys) })
            }
            Some(Candidates::Proposed(proposed)) => {
                let (pairs, key_stats) = proposed.numbered_by_place(articles.len())?;
                CandidateSource::Proposed(pairs, key_stats)
            }
            Some(Candidates::Verified(verified)) => {
                let (edges, links, key_stats) = verified.numbered_by_place(articles.len())?;
                let found = FoundEdges { candidates: key_stats.pairs, edges, links, ..FoundEdges::default() };
                CandidateSource::Verified(found, key_stats)
            }
        };
        let signed = Signed { vectors, candidates, sketches, shingles, anchor_vectors, duplicate_of };
        let articles = SetAside::of(articles, &analyzed);
        let result = self.run_signed(articles, boilerplate, analyzed, signed, stats, clock);
        crate::article::close_input_files();
        result
    }

    /// A signer of articles with the statistics of their whole batch
    /// ([`BatchStats`]), for [`Pipeline::run_from_signatures`]; `stop_words`
    /// are [`Pipeline::stop_words`] of (at least) the articles' languages.
    pub fn signer<'a>(&'a self, batch: &'a BatchStats, stop_words: &'a StopWords) -> Signer<'a> {
        static NO_TABLES: std::sync::OnceLock<IdfModel> = std::sync::OnceLock::new();
        Signer::new(&self.params, batch, &self.idf, NO_TABLES.get_or_init(IdfModel::none), stop_words)
    }

    /// The stop words the weighting gives no weight, of the languages `langs`
    /// (none when the parameters turn them off).
    pub fn stop_words<'l>(&self, langs: impl IntoIterator<Item = &'l str>) -> StopWords {
        if self.params.stop_words() {
            StopWords::for_languages(langs, &self.analyzer)
        } else {
            StopWords::default()
        }
    }

    /// The stages after vectorize: candidates, verify, cluster, roles.
    fn run_signed(
        &self,
        articles: SetAside,
        boilerplate: BoilerplateModel,
        analyzed: Vec<Analyzed>,
        signed: Signed,
        mut stats: Stats,
        mut clock: Clock,
    ) -> Result<RunResult> {
        let Signed { vectors, candidates, mut sketches, shingles, mut anchor_vectors, duplicate_of } = signed;
        let SetAside { packed, mut facts } = articles;
        let active: Vec<bool> = duplicate_of.iter().map(Option::is_none).collect();
        let mut verified = None;
        let index = match candidates {
            CandidateSource::Keys(keys) => Some(CandidateIndex::from_keys(keys, &sketches, &active, &self.params)),
            CandidateSource::Proposed(pairs, key_stats) => {
                Some(CandidateIndex::from_proposed(&pairs, &sketches, key_stats)?)
            }
            CandidateSource::Verified(found, key_stats) => {
                stats.candidates = key_stats;
                verified = Some(found);
                None
            }
        };
        if let Some(index) = &index {
            stats.candidates = index.stats().clone();
        }
        stats.exact_duplicates = duplicate_of.iter().flatten().count();
        clock.lap("candidates", &mut stats);
        self.check_cancelled()?;

        // Codes are shared (`language::resolve`): comparing two is comparing pointers.
        let langs: Vec<&str> = analyzed.iter().map(|a| &*a.lang).collect();
        let evidence = Evidence {
            vectors: &vectors,
            sketches: &sketches,
            langs: &langs,
            anchors: &anchor_vectors,
            facts: &facts,
            model: &self.pair_model,
        };
        let store = SpilledLists::new(2)?;
        let found = match index {
            Some(index) => self.find_edges(&index, evidence, &store)?,
            None => verified.into_iter().collect(),
        };
        if !self.record_pairs {
            // Nothing after verify reads them but the pair records.
            (sketches, anchor_vectors, facts) = (Vec::new(), FlatVectors::default(), Vec::new());
        }
        // With the index, sketches and anchors gone (their room handed
        // back), the spilled finds come back.
        memory::release_freed();
        let found = FoundEdges::joined(found, stats.exact_duplicates, store)?;
        stats.candidates.pairs = found.candidates;
        let pairs = self.record_pairs.then_some(found.pairs);
        let (edges, links) = with_duplicates(found.edges, found.links, &duplicate_of);
        (stats.edges, stats.story_links) = (edges.len(), links.len());
        let articles = packed.unpack();
        clock.lap("verify", &mut stats);
        self.check_cancelled()?;

        let grouping = self.group(&articles, &analyzed, &edges, &links, &mut stats);
        clock.lap("cluster", &mut stats);
        self.check_cancelled()?;

        let roles = self.roles(&articles, &analyzed, &vectors, &shingles, &grouping)?;
        let (families, clustering, assignments) = decided(grouping, roles, &mut stats);
        clock.lap("roles", &mut stats);

        Ok(RunResult {
            articles,
            analyzed,
            boilerplate,
            vectors,
            sketches,
            shingles,
            pairs,
            anchor_vectors,
            facts,
            pair_model: Arc::clone(&self.pair_model),
            edges,
            links,
            families,
            clustering,
            assignments,
            stats,
        })
    }

    /// Asks the index for each article's candidates and verifies them as
    /// they come, so a batch's candidate pairs are never all held at once
    /// (they are kept only when [`Pipeline::with_pair_records`] asks); what
    /// each task found, in article order.
    fn find_edges(&self, index: &CandidateIndex, evidence: Evidence, store: &SpilledLists) -> Result<Vec<FoundEdges>> {
        let n = index.len();
        let bar = self.progress.stage("verify", n as u64);
        let record = self.record_pairs;
        let found: Vec<FoundEdges> = (0..n.div_ceil(VERIFY_CHUNK))
            .into_par_iter()
            .map_init(
                || (index.scratch(), Verifier::new(evidence, &self.params)),
                |(scratch, verifier), chunk| {
                    self.check_cancelled()?;
                    let docs = chunk * VERIFY_CHUNK..n.min((chunk + 1) * VERIFY_CHUNK);
                    let mut found = FoundEdges::default();
                    for a in docs.clone().map(|a| a as DocId) {
                        let candidates = index.candidates_of(a, scratch);
                        found.candidates += candidates.len();
                        if record {
                            found.pairs.extend(candidates.iter().map(|&b| (a, b)));
                        }
                        verifier.gather(candidates);
                        for &b in candidates {
                            let (edge, link) = verifier.verify(a, b);
                            found.edges.extend(edge);
                            found.links.extend(link);
                        }
                    }
                    bar.inc(docs.len() as u64);
                    found.spill(store)
                },
            )
            .collect::<Result<_>>()?;
        bar.finish_and_clear();
        Ok(found)
    }

    /// Clean, detect the language and tokenize one article: what later
    /// stages read of it, its term hashes in order (the largest
    /// per-article state: [`Pipeline::run`] packs each piece's lists into
    /// [`PackedTerms`], about 1.5 bytes a term, and only the vectors and
    /// shingles are made from them) and its anchors.
    pub fn analyze(&self, article: &Article, boilerplate: &BoilerplateModel) -> Result<Analysis> {
        let clean = clean_article(article, boilerplate)?;
        let lang = language::resolve(article.lang.as_deref(), &clean.body);
        let mut terms = self.analyzer.term_hashes(&clean.body)?;
        // Grown by doubling, the lists would hold a third more room than
        // terms until the vectorize stage frees them.
        terms.shrink_to_fit();
        let (mut anchors, years) = crate::anchors::anchors_and_years(&clean.body);
        anchors.shrink_to_fit();
        let analyzed = Analyzed { body: BodyFacts::of(&clean, terms.len()), lang, years: years.into() };
        Ok(Analysis { analyzed, terms, anchors })
    }

    /// Families from the edges, stories from the links, and each
    /// article's assignment alone ([`crate::grouping::group`]).
    fn group(
        &self,
        articles: &[Article],
        analyzed: &[Analyzed],
        edges: &[Edge],
        links: &[StoryLink],
        stats: &mut Stats,
    ) -> Grouping {
        let (grouping, blocks) = group(&group_facts(articles, analyzed), edges, links, &self.params);
        stats.blocks = blocks;
        stats.multi_member_clusters = grouping.stories.multi_member().count();
        grouping
    }

    /// Roles at both levels, story by story ([`roles_of_story`]: the
    /// credits that join families, each family's original and copies, the
    /// story's canonical and independent reports). Texts are read again
    /// only for the stories of several articles.
    fn roles(
        &self,
        articles: &[Article],
        analyzed: &[Analyzed],
        vectors: &PairVectors,
        shingles: &SpilledLists,
        grouping: &Grouping,
    ) -> Result<Decided> {
        let multi: Vec<&[DocId]> = grouping.stories.multi_member().map(|(_, m)| m).collect();
        let decided: Vec<(&[DocId], StoryRoles)> = multi
            .par_iter()
            .map(|&members| {
                self.check_cancelled()?;
                let member_vectors: Vec<SparseVec> = members.iter().map(|&doc| vectors.vector(doc as usize)).collect();
                let texts =
                    members.iter().map(|&doc| articles[doc as usize].text.read()).collect::<Result<Vec<_>>>()?;
                let member_shingles =
                    members.iter().map(|&doc| spilled_set(shingles, doc)).collect::<Result<Vec<_>>>()?;
                let story: Vec<Member> = members
                    .iter()
                    .zip(&member_vectors)
                    .zip(texts.iter().zip(member_shingles))
                    .map(|((&doc, vector), (text, shingles))| {
                        member(doc, &articles[doc as usize], text, &analyzed[doc as usize], vector, shingles)
                    })
                    .collect();
                Ok((members, roles_of_story(story, grouping.story_start(members))))
            })
            .collect::<Result<_>>()?;
        let mut all = Decided::default();
        for (members, roles) in decided {
            all.assignments.extend(members.iter().copied().zip(roles.assignments));
            all.credited.extend(roles.credited);
        }
        Ok(all)
    }
}

/// Article `doc`'s shingle set, as the vectorize stage spilled it.
fn spilled_set(shingles: &SpilledLists, doc: DocId) -> Result<ShingleSet> {
    let words = shingles.get(doc as usize)?;
    ShingleSet::from_words(&words).ok_or(Error::Stage {
        stage: "roles",
        reason: format!("the temporary file's shingles of article {doc} are not a shingle set"),
    })
}

/// What the roles stage reads of one article.
pub fn member<'a>(
    doc: DocId,
    article: &'a Article,
    text: &'a str,
    analyzed: &'a Analyzed,
    vector: &'a SparseVec,
    shingles: ShingleSet,
) -> Member<'a> {
    Member {
        doc,
        article,
        text,
        lang: &analyzed.lang,
        vector,
        shingles,
        body_chars: analyzed.body.chars as usize,
        boilerplate_share: analyzed.body.boilerplate_share,
        story_text: analyzed.body.story_text,
    }
}

/// One candidate pair as the verify stage judged it.
#[derive(Debug, Serialize)]
pub struct PairRecord<'a> {
    /// First article id.
    pub a: &'a str,
    /// Second article id.
    pub b: &'a str,
    /// What was measured (all zero but the cosine for a pair not judged).
    #[serde(flatten)]
    pub features: PairFeatures,
    /// Share of `a`'s shingles in `b`.
    pub a_in_b: f32,
    /// Share of `b`'s shingles in `a`.
    pub b_in_a: f32,
    /// P(derived).
    pub derived: f32,
    /// P(same event), after the publication-gap prior.
    pub same_event: f32,
    /// Whether the pair was judged at all (same language, or
    /// `--cross-lingual`; cosine at least `min_pair_cosine`).
    pub judged: bool,
    /// Whether the pair is a family edge.
    pub family_edge: bool,
    /// Whether the pair was kept as a story link.
    pub story_link: bool,
    /// The two bodies are identical after cleaning: linked without being a candidate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exact_duplicate: bool,
}

impl RunResult {
    /// Article `doc`'s cleaned body, rebuilt as the analyze stage made it
    /// (its text read again when it was left in its file).
    pub fn clean_body(&self, doc: DocId) -> Result<String> {
        Ok(clean_article(&self.articles[doc as usize], &self.boilerplate)?.body)
    }

    /// Every candidate pair with its measurements and verdicts, in pair
    /// order, then each exact duplicate's link to its first copy (never a
    /// candidate: identical bodies are linked without measuring); none
    /// unless the pipeline was asked to record them
    /// ([`Pipeline::with_pair_records`]). `params` must be the run's.
    pub fn pair_records(&self, params: &ValidParams) -> Vec<PairRecord<'_>> {
        let Some(pairs) = &self.pairs else { return Vec::new() };
        let family_edges: rustc_hash::FxHashSet<(DocId, DocId)> = self.edges.iter().map(|e| (e.a, e.b)).collect();
        let story_links: rustc_hash::FxHashSet<(DocId, DocId)> = self.links.iter().map(|l| (l.a, l.b)).collect();
        let candidates: rustc_hash::FxHashSet<(DocId, DocId)> = pairs.iter().copied().collect();
        let duplicates = self.edges.iter().map(|e| (e.a, e.b)).filter(|pair| !candidates.contains(pair));
        let records = pairs.iter().copied().map(|pair| (pair, false)).chain(duplicates.map(|pair| (pair, true)));
        let langs: Vec<&str> = self.analyzed.iter().map(|a| &*a.lang).collect();
        let evidence = Evidence {
            vectors: &self.vectors,
            sketches: &self.sketches,
            langs: &langs,
            anchors: &self.anchor_vectors,
            facts: &self.facts,
            model: &self.pair_model,
        };
        let mut verifier = Verifier::new(evidence, params);
        records
            .map(|((a, b), exact_duplicate)| {
                let judged = if exact_duplicate { None } else { verifier.judge(a, b) };
                let unjudged = || {
                    let cosine = self.vectors.vector(a as usize).cosine(&self.vectors.vector(b as usize));
                    let p = f32::from(u8::from(exact_duplicate));
                    let features = PairFeatures { cosine, ..PairFeatures::default() };
                    Judgement { a, b, features, a_in_b: p, b_in_a: p, derived: p, same_event: p, translation: false }
                };
                let judgement = judged.unwrap_or_else(unjudged);
                PairRecord {
                    a: &self.articles[a as usize].id,
                    b: &self.articles[b as usize].id,
                    features: judgement.features,
                    a_in_b: judgement.a_in_b,
                    b_in_a: judgement.b_in_a,
                    derived: judgement.derived,
                    same_event: judgement.same_event,
                    judged: judged.is_some(),
                    family_edge: family_edges.contains(&(a, b)),
                    story_link: story_links.contains(&(a, b)),
                    exact_duplicate,
                }
            })
            .collect()
    }
}

/// What grouping reads of each article (`analyzed[i]` is `articles[i]`'s).
fn group_facts<'a>(articles: &'a [Article], analyzed: &'a [Analyzed]) -> Vec<GroupFacts<'a>> {
    articles
        .iter()
        .zip(analyzed)
        .map(|(article, a)| GroupFacts {
            id: &article.id,
            lang: &a.lang,
            term_count: a.body.term_count,
            text_bytes: article.text.len(),
        })
        .collect()
}

/// The analyzed part of an article without its boilerplate, with the
/// headline on top when the text does not carry it.
pub fn clean_article(article: &Article, boilerplate: &BoilerplateModel) -> Result<CleanText> {
    let text = article.text.read()?;
    let mut clean = boilerplate.clean(prefix_at_char_boundary(&text, MAX_ANALYZED_BYTES));
    if let Some(title) = &article.title {
        if !clean.body.contains(title.as_str()) && !text.contains(title.as_str()) {
            clean.body = format!("{title}\n{}", clean.body);
        }
    }
    Ok(clean)
}

/// Fits the boilerplate model: lines counted over chunks in parallel and
/// the counts merged (in any order: [`LineStats`] does not depend on it).
pub fn fit_boilerplate(articles: &[Article]) -> Result<BoilerplateModel> {
    let partial: Vec<LineStats> = articles.par_chunks(CHUNK).map(line_stats).collect::<Result<_>>()?;
    Ok(boilerplate_of(partial))
}

/// The line counts of some articles of a batch (any of them, in any order).
pub fn line_stats(articles: &[Article]) -> Result<LineStats> {
    let mut stats = LineStats::default();
    for a in articles {
        stats.add(xxhash_rust::xxh3::xxh3_64(a.id.as_bytes()), &a.text.read()?);
    }
    Ok(stats)
}

/// The boilerplate model of the line counts of a batch's parts (in any order).
pub fn boilerplate_of(parts: impl IntoIterator<Item = LineStats>) -> BoilerplateModel {
    LineStats::merged(parts.into_iter().collect()).into_model()
}

/// Times the stages and calls the hook as each ends (its time counts to the stage).
struct Clock<'a> {
    hook: Option<&'a StageHook>,
    /// When the stage at hand began.
    started: Instant,
    /// The process's CPU seconds then, where the system reports them.
    cpu_started: Option<f64>,
}

impl<'a> Clock<'a> {
    fn new(hook: Option<&'a StageHook>) -> Clock<'a> {
        Clock { hook, started: Instant::now(), cpu_started: usage::cpu_seconds() }
    }

    fn lap(&mut self, stage: &str, stats: &mut Stats) {
        if let Some(StageHook(hook)) = self.hook {
            hook(stage);
        }
        stats.seconds.push((stage.to_string(), self.started.elapsed().as_secs_f64()));
        if let Some(mib) = usage::peak_resident_mib() {
            stats.peak_memory_mib.push((stage.to_string(), mib));
        }
        let cpu = usage::cpu_seconds();
        if let (Some(now), Some(then)) = (cpu, self.cpu_started) {
            stats.cpu_seconds.push((stage.to_string(), now - then));
        }
        (self.started, self.cpu_started) = (Instant::now(), cpu);
    }
}
