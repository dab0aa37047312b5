//! Shingle sketches: a bounded summary of an article's word shingles from
//! which containment in either direction can be estimated.
//!
//! ## The algorithm
//!
//! A bottom-k sketch keeps the `k` smallest shingle hashes and the number of
//! distinct shingles. It keeps the high 32 bits of each hash: they sort as
//! the whole hashes do, so the sample is the same (but for the rare two
//! shingles of an article whose hashes share a high half, counted once),
//! in half the room; after the vectors, the sketches are the largest thing
//! a batch holds. For two sketches, the `k` smallest hashes of their union
//! are a uniform sample of the union; the share of that sample found in both
//! estimates the Jaccard index J, and with the exact set sizes
//! `|A ∩ B| = J (|A| + |B|) / (1 + J)`. Below `k` shingles the sketch is the
//! whole set and the estimate is exact.
//!
//! A sketch also keeps the article's opening: its first
//! [`OPENING_SHINGLES`] shingles, for telling a copy (which keeps the top of
//! its story) from a text that reuses a passage out of the middle of
//! another.

/// Shingles, from the start of an article, that make its opening (about
/// the first 35 words).
pub const OPENING_SHINGLES: usize = 32;

/// The `k` smallest distinct shingle hashes of an article, its shingle
/// count, and its opening: 24 bytes and one allocation (a batch holds one
/// per article through verification).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShingleSketch {
    /// The smallest hashes, then the opening ([`ShingleSketch::mins`],
    /// [`ShingleSketch::opening`]).
    hashes: Box<[u32]>,
    /// How many of `hashes` are smallest hashes.
    kept: u32,
    /// Distinct shingles in the article.
    distinct: u32,
}

impl ShingleSketch {
    /// Sketches a list of shingle hashes in text order (duplicates allowed).
    pub fn new(shingles: &[u64], k: usize) -> ShingleSketch {
        ShingleSketch::of_distinct(shingles, &distinct_high_halves(shingles), k)
    }

    /// The sketch and the roles stage's [`ShingleSet`] of a list of
    /// shingle hashes in text order, from one sort.
    pub fn with_set(shingles: &[u64], k: usize) -> (ShingleSketch, ShingleSet) {
        let high: Vec<u32> = shingles.iter().map(|&h| (h >> 32) as u32).collect();
        let closing = ShingleSet::closing_of(&high);
        let set = ShingleSet { distinct: distinct(high), closing };
        (ShingleSketch::of_distinct(shingles, &set.distinct, k), set)
    }

    /// The sketch of `shingles` (in text order), whose distinct high
    /// halves, ascending, are `distinct`.
    fn of_distinct(shingles: &[u64], distinct: &[u32], k: usize) -> ShingleSketch {
        let mut opening: Vec<u32> = shingles.iter().take(OPENING_SHINGLES).map(|&h| h as u32).collect();
        opening.sort_unstable();
        opening.dedup();
        let kept = distinct.len().min(k);
        // A new list of exactly the kept hashes: a truncated list would keep
        // the whole article's room (three times the sketch) for the whole run.
        let hashes = distinct[..kept].iter().chain(&opening).copied().collect();
        ShingleSketch { hashes, kept: kept as u32, distinct: distinct.len() as u32 }
    }

    /// The smallest hashes (their high 32 bits), ascending.
    pub fn mins(&self) -> &[u32] {
        &self.hashes[..self.kept as usize]
    }

    /// The low 32 bits of the first [`OPENING_SHINGLES`] shingles, ascending.
    pub fn opening(&self) -> &[u32] {
        &self.hashes[self.kept as usize..]
    }

    /// Distinct shingles in the article.
    pub fn distinct(&self) -> u32 {
        self.distinct
    }

    /// Do the two articles' openings share a shingle? A copy, an excerpt or
    /// a trimmed version keeps the top of its story, so its opening and its
    /// source's overlap even after a changed first sentence or dateline.
    pub fn shares_opening(&self, other: &ShingleSketch) -> bool {
        let (mut i, mut j) = (0, 0);
        let (mine, theirs) = (self.opening(), other.opening());
        while i < mine.len() && j < theirs.len() {
            match mine[i].cmp(&theirs[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Estimated number of shingles the two articles share.
    pub fn intersection(&self, other: &ShingleSketch) -> f32 {
        if self.distinct == 0 || other.distinct == 0 {
            return 0.0;
        }
        let whole = |s: &ShingleSketch| s.kept == s.distinct;
        if whole(self) && whole(other) {
            return common_count(self.mins(), other.mins()) as f32;
        }
        // The k smallest hashes of the union all lie in the two sketches, and
        // one of them is in both sets exactly when it is in both sketches.
        let k = self.kept.max(other.kept) as usize;
        let (both, taken) = count_common(self.mins(), other.mins(), k);
        if taken == 0 {
            return 0.0;
        }
        let jaccard = both as f32 / taken as f32;
        jaccard * (self.distinct + other.distinct) as f32 / (1.0 + jaccard)
    }

    /// Estimated share of this article's shingles found in `other`.
    pub fn containment_in(&self, other: &ShingleSketch) -> f32 {
        self.share(self.intersection(other))
    }

    /// The share of this article's shingles that `shared` (an estimated
    /// intersection with another article) is.
    pub fn share(&self, shared: f32) -> f32 {
        if self.distinct == 0 {
            return 0.0;
        }
        (shared / self.distinct as f32).min(1.0)
    }
}

/// An article's shingles as the roles stage compares them (the high 32
/// bits of each hash): the distinct ones, ascending, for counting what
/// two articles share, and the closing tenth in text order, which an
/// excerpt lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShingleSet {
    /// Distinct shingles, ascending.
    pub distinct: Vec<u32>,
    /// The last tenth of the shingles in text order (one at least, of an
    /// article that has any).
    pub closing: Vec<u32>,
}

/// The distinct high halves of shingle hashes, ascending.
fn distinct_high_halves(shingles: &[u64]) -> Vec<u32> {
    distinct(shingles.iter().map(|&h| (h >> 32) as u32).collect())
}

/// `values` sorted, without repeats.
fn distinct(mut values: Vec<u32>) -> Vec<u32> {
    values.sort_unstable();
    values.dedup();
    values
}

impl ShingleSet {
    /// The set of shingles given in text order (duplicates allowed).
    pub fn of(in_order: &[u32]) -> ShingleSet {
        ShingleSet { distinct: distinct(in_order.to_vec()), closing: ShingleSet::closing_of(in_order) }
    }

    fn closing_of(in_order: &[u32]) -> Vec<u32> {
        let closing_len = (in_order.len() / 10).max(1);
        in_order[in_order.len().saturating_sub(closing_len)..].to_vec()
    }

    /// The set as one list (for a spill file): the number of distinct
    /// shingles, the distinct ones, then the closing ones.
    pub fn to_words(&self) -> Vec<u32> {
        let mut words = Vec::with_capacity(1 + self.distinct.len() + self.closing.len());
        words.push(self.distinct.len() as u32);
        words.extend(&self.distinct);
        words.extend(&self.closing);
        words
    }

    /// The set [`ShingleSet::to_words`] gave `words`; `None` when they are no such list.
    pub fn from_words(words: &[u32]) -> Option<ShingleSet> {
        let (&count, rest) = words.split_first()?;
        let count = usize::try_from(count).ok().filter(|&c| c <= rest.len())?;
        Some(ShingleSet { distinct: rest[..count].to_vec(), closing: rest[count..].to_vec() })
    }
}

/// Number of values two ascending, duplicate-free lists share.
pub fn common_count<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // A few values against a long list: search for each (narrowing the
    // range as they ascend) rather than walk the long list.
    if short.len() * SEARCH_RATIO < long.len() {
        let mut rest = long;
        let mut both = 0;
        for v in short {
            match rest.binary_search(v) {
                Ok(at) => {
                    both += 1;
                    rest = &rest[at + 1..];
                }
                Err(at) => rest = &rest[at..],
            }
        }
        return both;
    }
    count_common(a, b, usize::MAX).0
}

/// How many times longer one list must be than the other for
/// [`common_count`] to search it instead of walking both.
const SEARCH_RATIO: usize = 16;

/// Walks the union of two ascending lists up to `limit` distinct values;
/// returns (values in both, values taken). Each step advances past the
/// smaller head (both, when equal) without a branch on the values: the
/// lists are random hashes, so a branch would be mispredicted half the time.
fn count_common<T: Ord + Copy>(a: &[T], b: &[T], limit: usize) -> (usize, usize) {
    let (mut i, mut j, mut both, mut taken) = (0, 0, 0, 0);
    while taken < limit && i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        both += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        taken += 1;
    }
    // One list is used up (or the limit reached): the rest are in one only.
    let rest = (a.len() - i) + (b.len() - j);
    (both, taken + rest.min(limit - taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sets_are_exact() {
        let a = crate::testing::sketch(vec![1, 2, 3, 4], 16);
        let b = crate::testing::sketch(vec![3, 4, 5, 6, 7, 8, 9, 10], 16);
        assert_eq!(a.intersection(&b), 2.0);
        assert_eq!(a.containment_in(&b), 0.5);
        assert_eq!(b.containment_in(&a), 0.25);
    }

    #[test]
    fn excerpt_is_contained_in_its_source() {
        // Pseudo-random hashes; the excerpt is the first 40% of the source.
        let source: Vec<u64> = (0..2000u64).map(|i| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes())).collect();
        let excerpt = source[..800].to_vec();
        let (s, e) = (ShingleSketch::new(&source, 128), ShingleSketch::new(&excerpt, 128));
        let c = e.containment_in(&s);
        assert!(c > 0.85, "excerpt in source: {c}");
        let back = s.containment_in(&e);
        assert!((back - 0.4).abs() < 0.1, "source in excerpt: {back}");
    }

    #[test]
    fn counting_common_values_agrees_with_a_plain_walk() {
        // The plain walk, one branch per step.
        fn plain(a: &[u64], b: &[u64], limit: usize) -> (usize, usize) {
            let (mut i, mut j, mut both, mut taken) = (0, 0, 0, 0);
            while taken < limit && (i < a.len() || j < b.len()) {
                match (a.get(i), b.get(j)) {
                    (Some(x), Some(y)) if x == y => (both, i, j) = (both + 1, i + 1, j + 1),
                    (Some(x), Some(y)) if x < y => i += 1,
                    (Some(_), None) => i += 1,
                    _ => j += 1,
                }
                taken += 1;
            }
            (both, taken)
        }
        let mut next = crate::testing::xorshift(11);
        for round in 0..500 {
            let mut list = |len: u64| {
                let mut v: Vec<u64> = (0..len).map(|_| next() % 200).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (a, b) = (list(round % 40), list(round % 23 + 1));
            for limit in [0, 1, 5, 16, 40, usize::MAX] {
                assert_eq!(count_common(&a, &b, limit), plain(&a, &b, limit), "{a:?} {b:?} {limit}");
            }
        }
    }

    #[test]
    fn searching_a_long_list_counts_what_walking_it_does() {
        let mut next = crate::testing::xorshift(7);
        for round in 0..300u64 {
            let mut list = |len: u64| {
                let mut v: Vec<u64> = (0..len).map(|_| next() % 3000).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            // From even lengths to one list 100 times the other, both ways round.
            let (short, long) = (list(round % 30), list(round * 10 + 5));
            let walked = count_common(&short, &long, usize::MAX).0;
            assert_eq!(common_count(&short, &long), walked, "{short:?}");
            assert_eq!(common_count(&long, &short), walked, "{short:?}");
        }
    }

    #[test]
    fn a_sketch_holds_no_more_room_than_its_hashes() {
        let s = crate::testing::sketch((0..2000).rev().collect(), 128);
        assert_eq!((s.mins().len(), s.opening().len(), s.distinct()), (128, OPENING_SHINGLES, 2000));
        assert_eq!(s.hashes.len(), 128 + OPENING_SHINGLES);
    }

    #[test]
    fn the_sample_is_the_smallest_whole_hashes() {
        let hashes: Vec<u64> = (0..1000u64).map(|i| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes())).collect();
        let mut smallest = hashes.clone();
        smallest.sort_unstable();
        let expected: Vec<u32> = smallest[..64].iter().map(|&h| (h >> 32) as u32).collect();
        let sketch = ShingleSketch::new(&hashes, 64);
        assert_eq!((sketch.mins(), sketch.distinct()), (expected.as_slice(), 1000));
    }

    #[test]
    fn the_opening_is_the_start_of_the_text() {
        let story = crate::testing::sketch((0..300).collect(), 64);
        // A trimmed copy whose first sentence was rewritten still overlaps the opening.
        let trimmed = crate::testing::sketch((1000..1010).chain(10..200).collect(), 64);
        assert!(story.shares_opening(&trimmed) && trimmed.shares_opening(&story));
        // A text that reuses a passage from the middle does not.
        let reuse = crate::testing::sketch((5000..5040).chain(150..250).collect(), 64);
        assert!(!story.shares_opening(&reuse));
        assert!(crate::testing::sketch(vec![], 64).opening().is_empty());
    }

    #[test]
    fn the_set_is_what_the_sketch_sorted_and_survives_a_spill() {
        let mut next = crate::testing::xorshift(11);
        let hashes: Vec<u64> = (0..95).map(|_| ((next() % 40) << 32) | (next() % 1000)).collect();
        let (sketch, set) = ShingleSketch::with_set(&hashes, 16);
        assert_eq!(sketch, ShingleSketch::new(&hashes, 16));
        let high: Vec<u32> = hashes.iter().map(|&h| (h >> 32) as u32).collect();
        assert_eq!(set, ShingleSet::of(&high));
        let mut distinct = high.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(set.distinct, distinct);
        assert_eq!(sketch.distinct() as usize, distinct.len());
        // The closing tenth, in text order: 95 shingles end with 9.
        assert_eq!(set.closing, high[86..]);
        assert_eq!(ShingleSet::from_words(&set.to_words()), Some(set));
        assert_eq!(ShingleSet::of(&[]).closing, Vec::<u32>::new());
        assert_eq!(ShingleSet::of(&[7, 3]).closing, vec![3]);
        assert_eq!(ShingleSet::from_words(&[5, 1, 2]), None);
        assert_eq!(ShingleSet::from_words(&[]), None);
    }

    #[test]
    fn disjoint_sets_share_nothing() {
        let a = crate::testing::sketch((0..500).collect(), 64);
        let b = crate::testing::sketch((1000..1500).collect(), 64);
        assert_eq!(a.intersection(&b), 0.0);
    }

    #[test]
    fn empty_sketch_is_contained_nowhere() {
        let a = crate::testing::sketch(vec![], 64);
        let b = crate::testing::sketch(vec![1], 64);
        assert_eq!(a.containment_in(&b), 0.0);
    }
}
