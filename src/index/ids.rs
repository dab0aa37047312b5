//! Stable story and family ids across adds (docs/index.md, "Ids").
//!
//! An add regroups whole components of the verified graph, so every
//! member of a group it touches is in the region regrouped. Each old id
//! has one heir: the new group that holds the old group's earliest member
//! (the smallest article number: numbers follow insertion). A new group
//! keeps the smallest id it is heir to, so merged groups keep the
//! smallest of their ids and a split group's id stays with the piece that
//! holds its earliest member; a group heir to none gets the next id of
//! the index's counter, in the order of the groups' earliest members.

use rustc_hash::FxHashMap;

/// An article's number in the index: its place in insertion order.
pub type Number = u64;

/// A story's or family's id.
pub type GroupId = u64;

/// The ids of a region's new `groups` (each a list of article numbers, in
/// any order), given each old member's id (`old`; new articles have none),
/// taking fresh ids from `next`.
pub fn stable_ids(old: &FxHashMap<Number, GroupId>, groups: &[Vec<Number>], next: &mut GroupId) -> Vec<GroupId> {
    // Each old id's earliest member, and the new group that holds it.
    let mut earliest: FxHashMap<GroupId, Number> = FxHashMap::default();
    for (&member, &id) in old {
        let first = earliest.entry(id).or_insert(member);
        *first = (*first).min(member);
    }
    let group_of: FxHashMap<Number, usize> =
        groups.iter().enumerate().flat_map(|(g, members)| members.iter().map(move |&m| (m, g))).collect();
    let mut inherited: Vec<Option<GroupId>> = vec![None; groups.len()];
    for (&id, first) in &earliest {
        if let Some(&g) = group_of.get(first) {
            inherited[g] = Some(inherited[g].map_or(id, |kept| kept.min(id)));
        }
    }
    // Fresh ids in the order of the groups' earliest members.
    let mut heirless: Vec<(Number, usize)> = inherited
        .iter()
        .enumerate()
        .filter(|(_, id)| id.is_none())
        .map(|(g, _)| (groups[g].iter().copied().min().unwrap_or(Number::MAX), g))
        .collect();
    heirless.sort_unstable();
    for (_, g) in heirless {
        inherited[g] = Some(*next);
        *next += 1;
    }
    inherited.into_iter().map(|id| id.expect("every group has an id")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(pairs: &[(Number, GroupId)]) -> FxHashMap<Number, GroupId> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn merged_groups_keep_the_smallest_id_and_new_ones_count_on() {
        let before = old(&[(1, 7), (2, 7), (3, 4), (5, 9)]);
        let mut next = 10;
        // 1, 2, 3 merge; 5 gains a new article 8; 6 and 12 are new and alone together.
        let ids = stable_ids(&before, &[vec![3, 1, 2], vec![8, 5], vec![12, 6]], &mut next);
        assert_eq!(ids, vec![4, 9, 10]);
        assert_eq!(next, 11);
    }

    #[test]
    fn a_split_group_keeps_its_id_with_its_earliest_member() {
        let before = old(&[(4, 3), (6, 3), (9, 3)]);
        let mut next = 20;
        let ids = stable_ids(&before, &[vec![9], vec![6, 4], vec![11]], &mut next);
        assert_eq!(ids, vec![20, 3, 21], "fresh ids go by earliest member: 9 before 11");
    }

    #[test]
    fn the_order_of_the_groups_does_not_change_the_ids() {
        let before = old(&[(1, 2), (5, 6)]);
        let groups = [vec![1], vec![5], vec![7], vec![3]];
        let (mut a, mut b) = (100, 100);
        let forward = stable_ids(&before, &groups, &mut a);
        let mut reversed = groups.to_vec();
        reversed.reverse();
        let mut backward = stable_ids(&before, &reversed, &mut b);
        backward.reverse();
        assert_eq!(forward, backward);
        assert_eq!(forward, vec![2, 6, 101, 100]);
    }
}
