//! Posting lists as the index stores them: one value per key, the
//! articles' numbers ascending and delta-coded, each delta a varint
//! (postcard's encoding of a `u64`): 1–3 bytes a posting where a row per
//! posting would take about 20 (docs/index.md, "What each article costs").

use super::ids::Number;

/// The list of `numbers` (any order, repeats dropped), packed.
pub fn pack(numbers: impl IntoIterator<Item = Number>) -> Vec<u8> {
    let mut numbers: Vec<Number> = numbers.into_iter().collect();
    numbers.sort_unstable();
    numbers.dedup();
    let deltas: Vec<Number> = numbers.iter().scan(0, |last, &n| Some(n - std::mem::replace(last, n))).collect();
    postcard::to_stdvec(&deltas).expect("a list of numbers always encodes")
}

/// The numbers of a packed list, ascending; `None` when the bytes are not
/// one (cut short, or a number past `u64`).
pub fn unpack(bytes: &[u8]) -> Option<Vec<Number>> {
    let deltas: Vec<Number> = postcard::from_bytes(bytes).ok()?;
    deltas
        .iter()
        .try_fold((Vec::with_capacity(deltas.len()), 0 as Number), |(mut numbers, last), &d| {
            let n = last.checked_add(d)?;
            numbers.push(n);
            Some((numbers, n))
        })
        .map(|(numbers, _)| numbers)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_list_takes_a_byte_or_two_a_posting() {
        let numbers: Vec<Number> = (0..100).map(|i| 1_000_000 + 37 * i).collect();
        let packed = pack(numbers.iter().rev().copied());
        assert!(packed.len() <= 3 + 4 + 99, "{} bytes", packed.len());
        assert_eq!(unpack(&packed), Some(numbers));
        assert_eq!(unpack(&packed[..packed.len() - 1]), None, "a list cut short is no list");
    }

    proptest! {
        #[test]
        fn packed_lists_unpack_to_their_numbers_sorted_once(numbers in proptest::collection::vec(any::<u64>(), 0..200)) {
            let mut expected = numbers.clone();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(unpack(&pack(numbers)), Some(expected));
        }
    }
}
