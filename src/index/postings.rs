//! Posting lists as the index stores them: one value per key, holding
//! each article's number (delta-coded, ascending), its place in the key's
//! list ([`crate::key_groups::Posting::order`]) and how many keys of the
//! index it has: what [`crate::key_groups::shared_keys`] reads of a
//! posting. Each number a varint (postcard's encoding): a few bytes a
//! posting where a row per posting would take about 20 (docs/index.md,
//! "What each article costs").

use serde::{Deserialize, Serialize};

use super::ids::Number;

/// One article in a key's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Posted {
    /// The article's number in the index.
    pub number: Number,
    /// Where it sits in the key's list.
    pub order: u32,
    /// How many keys of the index it has.
    pub keys: u32,
}

/// A list of `postings` (any order; an article once, the last given kept), packed.
pub fn pack(postings: impl IntoIterator<Item = Posted>) -> Vec<u8> {
    let mut postings: Vec<Posted> = postings.into_iter().collect();
    postings.reverse();
    postings.sort_by_key(|p| p.number);
    postings.dedup_by_key(|p| p.number);
    let mut last = 0;
    let deltas: Vec<(Number, u32, u32)> =
        postings.iter().map(|p| (p.number - std::mem::replace(&mut last, p.number), p.order, p.keys)).collect();
    postcard::to_stdvec(&deltas).expect("a list of numbers always encodes")
}

/// The postings of a packed list, by number; `None` when the bytes are not
/// one (cut short, or a number past `u64`).
pub fn unpack(bytes: &[u8]) -> Option<Vec<Posted>> {
    let deltas: Vec<(Number, u32, u32)> = postcard::from_bytes(bytes).ok()?;
    let mut number: Number = 0;
    deltas
        .iter()
        .map(|&(delta, order, keys)| {
            number = number.checked_add(delta)?;
            Some(Posted { number, order, keys })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn posted(number: Number) -> Posted {
        Posted { number, order: 3, keys: 12 }
    }

    #[test]
    fn a_posting_takes_a_few_bytes() {
        let postings: Vec<Posted> = (0..100).map(|i| posted(1_000_000 + 37 * i)).collect();
        let packed = pack(postings.iter().rev().copied());
        assert!(packed.len() <= 1 + 5 + 3 * 100, "{} bytes", packed.len());
        assert_eq!(unpack(&packed), Some(postings));
        assert_eq!(unpack(&packed[..packed.len() - 1]), None, "a list cut short is no list");
    }

    #[test]
    fn an_article_given_twice_keeps_its_last_posting() {
        let later = Posted { number: 5, order: 9, keys: 1 };
        assert_eq!(unpack(&pack([posted(5), posted(2), later])), Some(vec![posted(2), later]));
    }

    proptest! {
        #[test]
        fn packed_lists_unpack_to_their_postings_by_number(numbers in proptest::collection::vec(any::<u64>(), 0..200)) {
            let mut expected: Vec<Posted> = numbers.iter().map(|&n| posted(n)).collect();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(unpack(&pack(numbers.into_iter().map(posted))), Some(expected));
        }
    }
}
