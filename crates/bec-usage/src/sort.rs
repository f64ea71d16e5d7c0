//! A small stable sort, shared by every module that sorts (the signer included) and by the
//! dashboard.
//!
//! Written by hand for the WebAssembly module's size: each use of the standard library's
//! `sort_by_key` or `sort_unstable` compiles its own copy of a sophisticated algorithm
//! (several kilobytes per element type and key), and the crate sorts in five places. Every
//! one of those sorts is off the hot path (they run only on out-of-order data, or on a few
//! dozen days), so a plain bottom-up merge sort, O(n log n) with one buffer, is enough.

/// Sorts `items` by `key`, stably: items with equal keys keep their order. The key is a
/// function pointer, not a closure, so that sorts of one element and key type share code.
pub fn sort_by_key<T: Copy, K: Ord>(items: &mut [T], key: fn(&T) -> K) {
    let len = items.len();
    if len < 2 {
        return;
    }
    let mut buffer = items.to_vec();
    // Each pass merges pairs of sorted runs of `width` items from one slice into the other;
    // `in_items` says which one holds the data after the last pass.
    let mut in_items = true;
    let mut width = 1;
    while width < len {
        if in_items {
            merge_runs(items, &mut buffer, width, key);
        } else {
            merge_runs(&buffer, items, width, key);
        }
        in_items = !in_items;
        width = width.saturating_mul(2);
    }
    if !in_items {
        items.copy_from_slice(&buffer);
    }
}

/// Merges each pair of adjacent runs of `width` sorted items of `source` into `target`,
/// taking from the left run on equal keys (which keeps the sort stable).
fn merge_runs<T: Copy, K: Ord>(source: &[T], target: &mut [T], width: usize, key: fn(&T) -> K) {
    let len = source.len().min(target.len());
    let mut start = 0;
    while start < len {
        let middle = start.saturating_add(width).min(len);
        let end = middle.saturating_add(width).min(len);
        let (mut left, mut right) = (start, middle);
        for slot in &mut target[start..end] {
            let take_left =
                right >= end || (left < middle && key(&source[left]) <= key(&source[right]));
            if take_left {
                *slot = source[left];
                left += 1;
            } else {
                *slot = source[right];
                right += 1;
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::sort_by_key;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // Pairs (key, original position), in a scrambled order with many equal keys.
        let mut seed = 12_345u32;
        for len in [0usize, 1, 2, 3, 7, 8, 9, 100, 1000] {
            let items: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 17, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |item| item.0);
            let mut standard = items;
            standard.sort_by_key(|item| item.0);
            assert_eq!(ours, standard, "length {len}");
        }
    }
}
