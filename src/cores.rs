//! Work shared out over every core, its results taken in order.
//!
//! Every stage that runs on several cores (reading pieces of files, scoring
//! batches of units, gathering the results' columns, formatting output)
//! needs the same thing: items worked on by whichever core is free, and
//! their results handed back in the items' order, so that the output never
//! depends on how the work was shared out. Results are handed over as soon
//! as every earlier one has been, so few wait at a time.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

/// How much work the items hold together, which decides whether starting
/// threads pays: on this machine a thread costs about 50–100 µs to start,
/// as much as permuting tens of thousands of figures.
#[derive(Debug, Clone, Copy)]
pub enum Work {
    /// Items each worth a thread of their own (batches of units, blocks of output rows).
    Batches,
    /// Columns of this many rows each.
    Columns(usize),
    /// Files of this many bytes together.
    Bytes(usize),
}

impl Work {
    /// Whether the work is worth sharing out over the cores.
    fn shared(self) -> bool {
        match self {
            Work::Batches => true,
            Work::Columns(rows) => rows > ONE_CORE_UP_TO,
            Work::Bytes(bytes) => bytes > ONE_CORE_BYTES_UP_TO,
        }
    }
}

/// Up to this many bytes, files are read on one core: reading them takes a
/// millisecond or two.
const ONE_CORE_BYTES_UP_TO: usize = 256 << 10;

/// How many cores this process may use (asked of the system once: each
/// asking reads the control group's files).
pub fn count() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// How many cores work of this size is shared out over: one when it is not
/// worth sharing (then the system is not asked how many there are).
pub fn for_work(size: Work) -> usize {
    if size.shared() { count() } else { 1 }
}

/// Runs `work` on each item on every core (when the work is worth
/// sharing), and `take` on each result on this thread, in the items' order.
pub fn in_order<T: Send, R: Send>(
    size: Work,
    items: impl Iterator<Item = T> + Send,
    work: impl Fn(T) -> R + Sync,
    mut take: impl FnMut(R),
) {
    let workers = match items.size_hint().1 {
        // One item or none: no need to ask how many cores there are.
        Some(most) if most <= 1 => most,
        most => {
            let cores = for_work(size);
            most.map_or(cores, |most| cores.min(most))
        }
    };
    if workers <= 1 {
        items.for_each(|item| take(work(item)));
        return;
    }
    let items = Mutex::new(items.enumerate());
    let (done, finished) = mpsc::channel();
    std::thread::scope(|threads| {
        for _ in 0..workers {
            let (done, items, work) = (done.clone(), &items, &work);
            threads.spawn(move || {
                // A poisoned lock means another worker panicked: stop, the scope passes the panic on.
                while let Some((index, item)) = items.lock().ok().and_then(|mut items| items.next()) {
                    // The receiver outlives the workers: a failed send means it is gone, so stop.
                    if done.send((index, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (index, result) in finished {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                take(result);
                next += 1;
            }
        }
    });
}

/// `work` applied to each item on every core (when the work is worth
/// sharing); the results in the items' order.
pub fn map<T: Send, R: Send>(size: Work, items: impl Iterator<Item = T> + Send, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let mut results = Vec::with_capacity(items.size_hint().0);
    in_order(size, items, work, |r| results.push(r));
    results
}

/// Whether `holds(i)` for every `i` of `items`, checked a part at a time on
/// every core (a part that fails does not stop the others).
pub fn all(items: std::ops::Range<usize>, holds: impl Fn(usize) -> bool + Sync) -> bool {
    if items.len() <= ONE_CORE_UP_TO {
        return items.into_iter().all(holds);
    }
    map(Work::Batches, parts(items), |part| part.into_iter().all(&holds)).into_iter().all(|held| held)
}

/// `items` cut into parts of [`PART`] items, in order: work on a long
/// column shared out with [`map`] a part at a time.
pub fn parts(items: std::ops::Range<usize>) -> impl Iterator<Item = std::ops::Range<usize>> + Send + Clone {
    let end = items.end;
    items.step_by(PART).map(move |start| start..end.min(start + PART))
}

/// How many items a part holds ([`parts`]; of `0..len`, the same parts
/// as `chunks(PART)` of a slice of that length).
pub const PART: usize = ONE_CORE_UP_TO;

/// Up to this many items, [`sort`], [`all`] and work on columns stay on one
/// core: starting threads costs more. A [`PART`] holds as many.
const ONE_CORE_UP_TO: usize = 1 << 16;

/// Sorts `items` by `order`, which must be a total order (no two items
/// equal) that agrees with `key` (of two items, the one with the smaller
/// key comes first), on every core, so that the result is exactly what
/// one sort gives. The items are dealt into 4,096 buckets (`BUCKETS`) by the
/// leading bits of their keys in one pass, and the buckets are sorted on
/// the cores: 8,000,000 staff numbers took 0.31 s sorted in two halves and
/// merged (the merge, on one core, 0.11 s of it), and 0.19–0.20 s so. Where one
/// bucket would hold most items (keys nearly all alike), a part for each
/// core is sorted apart and the parts merged instead. Either is sorted by the
/// standard library's merge sort, which finds runs already in order and
/// merges them: exported files often list their keys in a few long runs (a
/// national staff file by department, each province's numbers in order),
/// where it sorted 8,000,000 keys in half the time of the unstable sort.
/// Dealing keeps the items' order within a bucket, and so their runs.
pub fn sort<T: Copy + Send + Sync>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> u128 + Sync,
    order: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) {
    if items.len() <= ONE_CORE_UP_TO || count() < 2 {
        items.sort_by(order);
        return;
    }
    let Some((mut dealt, starts)) = deal_by_key(items, &key) else {
        sort_parts(items, order);
        return;
    };
    // Runs of whole buckets, a few for each core, each sorted bucket by bucket.
    let run_size = items.len().div_ceil(count() * 4);
    let mut runs = Vec::new();
    let (mut rest, mut first) = (dealt.as_mut_slice(), 0);
    while first < BUCKETS {
        let mut last = first + 1;
        while last < BUCKETS && starts[last] - starts[first] < run_size {
            last += 1;
        }
        let (run, after) = std::mem::take(&mut rest).split_at_mut(starts[last] - starts[first]);
        runs.push((run, &starts[first..=last]));
        (rest, first) = (after, last);
    }
    map(Work::Batches, runs.into_iter(), |(run, bounds)| {
        for pair in bounds.windows(2) {
            run[pair[0] - bounds[0]..pair[1] - bounds[0]].sort_by(&order);
        }
    });
    *items = dealt;
}

/// How many buckets [`sort`] deals items into.
const BUCKETS: usize = 1 << 12;

/// `items` dealt into [`BUCKETS`] buckets by the leading bits of their
/// keys' distance from the least key, in order within a bucket, and where
/// each bucket starts (and, last, where the last ends); `None` when one
/// bucket holds more than half of them.
fn deal_by_key<T: Copy + Send + Sync>(items: &[T], key: &(impl Fn(&T) -> u128 + Sync)) -> Option<(Vec<T>, Vec<usize>)> {
    let least_and_most = |part: &[T]| part.iter().map(key).fold((u128::MAX, 0), |(lo, hi), k| (lo.min(k), hi.max(k)));
    let (least, most) = map(Work::Columns(items.len()), items.chunks(PART), least_and_most)
        .into_iter()
        .fold((u128::MAX, 0), |(lo, hi), (l, h)| (lo.min(l), hi.max(h)));
    let bits = 128 - (most - least).leading_zeros();
    let shift = bits.saturating_sub(BUCKETS.trailing_zeros());
    // Below `BUCKETS`: the distance has `bits` bits, of which `shift` are dropped.
    let bucket = |i: usize| ((key(&items[i]) - least) >> shift) as usize;
    let (dealt, starts) = deal(items.len(), BUCKETS, bucket, |i| items[i]);
    starts.windows(2).all(|bucket| bucket[1] - bucket[0] <= items.len() / 2).then_some((dealt, starts))
}

/// The items `item(i)` of `0..len` dealt into `buckets` buckets, item `i`
/// into bucket `bucket(i)` (below `buckets`), in order within each; and
/// where each bucket starts, then where the last ends. A counting sort, on
/// one core: rows by unit, units by group, items by their keys' leading bits.
pub fn deal<T: Copy>(len: usize, buckets: usize, bucket: impl Fn(usize) -> usize, item: impl Fn(usize) -> T) -> (Vec<T>, Vec<usize>) {
    let mut starts = vec![0; buckets + 1];
    for i in 0..len {
        starts[bucket(i) + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let Some(fill) = (len > 0).then(|| item(0)) else { return (Vec::new(), starts) };
    let mut next = starts.clone();
    let mut dealt = vec![fill; len];
    for i in 0..len {
        let b = bucket(i);
        dealt[next[b]] = item(i);
        next[b] += 1;
    }
    (dealt, starts)
}

/// [`sort`] for items whose keys are nearly all alike: a part for each core sorted apart, then merged.
fn sort_parts<T: Copy + Send + Sync>(items: &mut [T], order: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) {
    let cores = count();
    let size = items.len().div_ceil(cores);
    map(Work::Batches, items.chunks_mut(size), |part| part.sort_by(&order));
    // Merged pairwise: runs of `size`, then of twice that, until one is left.
    let mut merged = Vec::with_capacity(items.len());
    let mut run = size;
    while run < items.len() {
        merged.clear();
        for pair in items.chunks(run * 2) {
            let (left, right) = pair.split_at(run.min(pair.len()));
            merge(left, right, &order, &mut merged);
        }
        items.copy_from_slice(&merged);
        run *= 2;
    }
}

/// Appends the sorted `left` and `right` to `out`, in order.
fn merge<T: Copy>(left: &[T], right: &[T], order: impl Fn(&T, &T) -> std::cmp::Ordering, out: &mut Vec<T>) {
    let (mut i, mut j) = (0, 0);
    while let (Some(a), Some(b)) = (left.get(i), right.get(j)) {
        if order(b, a).is_lt() {
            out.push(*b);
            j += 1;
        } else {
            out.push(*a);
            i += 1;
        }
    }
    out.extend_from_slice(left.get(i..).unwrap_or_default());
    out.extend_from_slice(right.get(j..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sort_on_every_core_is_one_sort() {
        // Few distinct values, ties broken by position: a total order, and many ties on the value.
        let mut state = 11u64;
        // Positions backwards: no bucket is in order as dealt.
        let items: Vec<(u64, usize)> = (0..300_001)
            .rev()
            .map(|i| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (state >> 60, i)
            })
            .collect();
        let mut one = items.clone();
        one.sort_unstable();
        let whole = |&(value, i): &(u64, usize)| u128::from(value) << 64 | i as u128;
        // Keys that order the items alone, keys that leave ties to the order,
        // and keys all alike (no bucket would do: the parts are merged).
        type Key<'k> = &'k (dyn Fn(&(u64, usize)) -> u128 + Sync);
        let keys: [Key<'_>; 3] = [&whole, &|&(value, _)| u128::from(value), &|_| 7];
        for key in keys {
            let mut sorted = items.clone();
            super::sort(&mut sorted, key, |a, b| a.cmp(b));
            assert_eq!(sorted, one);
        }
        // One value far from the rest: every other item falls into one bucket.
        let mut far = items.clone();
        far[0].0 = u64::MAX;
        let mut one = far.clone();
        one.sort_unstable();
        super::sort(&mut far, whole, |a, b| a.cmp(b));
        assert_eq!(far, one);
        let mut few = vec![(3u64, 0usize), (1, 1), (2, 2)];
        super::sort(&mut few, whole, |a, b| a.cmp(b));
        assert_eq!(few, [(1, 1), (2, 2), (3, 0)]);
    }

    #[test]
    fn all_finds_the_one_item_that_fails_in_any_part() {
        let n = 300_001;
        assert!(super::all(0..n, |i| i < n));
        assert!(super::all(5..5, |_| false));
        for failing in [0, 1, 65_535, 65_536, 200_000, n - 1] {
            assert!(!super::all(0..n, |i| i != failing), "{failing}");
            assert!(!super::all(failing..failing + 3, |i| i != failing), "{failing}");
        }
    }

    #[test]
    fn results_come_in_the_items_order() {
        let mut seen = Vec::new();
        // Early items take longest, so they finish last on several cores.
        super::in_order(
            super::Work::Batches,
            0..64u64,
            |i: u64| {
                let spin = (64 - i) * 20_000;
                let busy = |from: u64| (0..spin).fold(from, |a, b| a.wrapping_add(b % 3));
                busy(i).wrapping_sub(busy(0))
            },
            |r| seen.push(r),
        );
        assert_eq!(seen, (0..64).collect::<Vec<_>>());
    }
}
