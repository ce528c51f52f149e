//! The `kaohe` command: parse arguments, run, exit with the command's code.

use clap::Parser;

#[global_allocator]
static ALLOCATOR: allocator::BySize = allocator::BySize;

fn main() {
    allocator::keep_small_blocks_in_heap();
    let cli = kaohe::cli::Cli::parse();
    std::process::exit(kaohe::cli::run(cli));
}

/// The process's allocator: small blocks from the system's, large ones from
/// mimalloc.
///
/// A municipal run's blocks are all small (its largest, pest's queue of
/// tokens, is 160 KB). The system allocator packs blocks of every size into
/// one heap, where mimalloc gives each size its own pages and sets up an
/// arena first: 155 fewer page faults, about 0.45 ms of a 5.5 ms run on this
/// VM. At national scale loading and scoring allocate and free column-sized
/// vectors; mimalloc reuses them where the system allocator hands them back
/// to the kernel and faults them in again page by page.
///
/// The only `unsafe` code of the package: the library forbids it.
#[allow(unsafe_code)]
mod allocator {
    use std::alloc::{GlobalAlloc, Layout, System};

    use mimalloc::MiMalloc;

    /// Blocks of this size or more come from mimalloc. Below it the system
    /// allocator keeps freed blocks in its heap (see [`keep_small_blocks_in_heap`]).
    pub const LARGE: usize = 256 << 10;

    /// Has the system allocator keep every block it is sent in its heap.
    ///
    /// glibc maps blocks of 128 KB and more on their own until it has seen
    /// one freed, and gives a mapped block back to the kernel when it is
    /// freed: each of its pages is then a fresh page fault, about 3 µs on
    /// this VM. In the heap, the next blocks reuse the pages a freed one
    /// had (pest's queue of tokens, 160 KB, is then reused by the data
    /// files): 40 fewer page faults on the municipal run. The heap is given
    /// back above twice that size free at its top, glibc's own rule once it
    /// has seen a mapped block freed.
    pub fn keep_small_blocks_in_heap() {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            use std::ffi::c_int;
            // From glibc's `malloc.h`.
            const M_TRIM_THRESHOLD: c_int = -1;
            const M_MMAP_THRESHOLD: c_int = -3;
            unsafe extern "C" {
                fn mallopt(param: c_int, value: c_int) -> c_int;
            }
            // SAFETY: `mallopt` only sets the allocator's parameters, under
            // glibc's own lock. A refused setting leaves glibc's default,
            // which is only slower.
            unsafe {
                mallopt(M_MMAP_THRESHOLD, LARGE as c_int);
                mallopt(M_TRIM_THRESHOLD, 2 * LARGE as c_int);
            }
        }
    }

    /// Which allocator a block of this size belongs to.
    fn is_large(size: usize) -> bool {
        size >= LARGE
    }

    /// Sends each block to mimalloc or to the system allocator by its size.
    ///
    /// A block is mimalloc's exactly when its current size is [`LARGE`] or
    /// more: Rust hands `dealloc` and `realloc` the layout the block has, so
    /// each call finds the allocator that made it, and a `realloc` across
    /// the line moves the block from one to the other.
    pub struct BySize;

    // SAFETY: each method forwards to `System` or `MiMalloc` (both sound
    // `GlobalAlloc`s) with the caller's arguments, and a block is always
    // returned to the allocator that made it (see `BySize`).
    unsafe impl GlobalAlloc for BySize {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees about `layout`, passed on.
            unsafe { if is_large(layout.size()) { MiMalloc.alloc(layout) } else { System.alloc(layout) } }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as `alloc`.
            unsafe { if is_large(layout.size()) { MiMalloc.alloc_zeroed(layout) } else { System.alloc_zeroed(layout) } }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was made with `layout`, so by the allocator its size picks.
            unsafe { if is_large(layout.size()) { MiMalloc.dealloc(ptr, layout) } else { System.dealloc(ptr, layout) } }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            match (is_large(layout.size()), is_large(new_size)) {
                // SAFETY: the block stays with the allocator that made it.
                (true, true) => unsafe { MiMalloc.realloc(ptr, layout, new_size) },
                // SAFETY: as above.
                (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
                // Across the line: a new block from the other allocator.
                _ => {
                    let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                        return std::ptr::null_mut();
                    };
                    // SAFETY: `new_size` is not zero (realloc's contract).
                    let new = unsafe { self.alloc(new_layout) };
                    if !new.is_null() {
                        // SAFETY: both blocks hold at least the bytes copied,
                        // and a fresh block does not overlap a live one.
                        unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
                        // SAFETY: `ptr` was made with `layout`, and is not used again.
                        unsafe { self.dealloc(ptr, layout) };
                    }
                    new
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::LARGE;

        /// Bytes that tell each position apart, so a shifted or cut copy shows.
        fn pattern(len: usize) -> Vec<u8> {
            (0..len).map(|i| (i % 251) as u8).collect()
        }

        #[test]
        fn a_block_keeps_its_bytes_when_it_grows_and_shrinks_across_the_line() {
            let small = LARGE / 4;
            let mut bytes = pattern(small);
            // Up: from the system allocator to mimalloc.
            bytes.reserve_exact(LARGE * 2 - small);
            assert!(bytes.capacity() >= LARGE);
            assert_eq!(bytes, pattern(small));
            bytes.extend(pattern(LARGE * 2).into_iter().skip(small));
            assert_eq!(bytes, pattern(LARGE * 2));
            // Down: from mimalloc to the system allocator, cut short.
            bytes.truncate(small / 2);
            bytes.shrink_to_fit();
            assert!(bytes.capacity() < LARGE);
            assert_eq!(bytes, pattern(small / 2));
        }

        /// How many blocks glibc has mapped on their own, now.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        fn mapped_blocks() -> usize {
            /// glibc's `struct mallinfo` (`malloc.h`; `mallinfo2`, with
            /// wider fields, needs glibc 2.33).
            #[repr(C)]
            struct MallInfo {
                arena: std::ffi::c_int,
                ordblks: std::ffi::c_int,
                smblks: std::ffi::c_int,
                hblks: std::ffi::c_int,
                rest: [std::ffi::c_int; 6],
            }
            unsafe extern "C" {
                fn mallinfo() -> MallInfo;
            }
            // SAFETY: `mallinfo` only reads the allocator's counts.
            usize::try_from(unsafe { mallinfo() }.hblks).unwrap_or(0)
        }

        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        #[test]
        fn a_block_just_under_the_line_stays_in_the_heap() {
            super::keep_small_blocks_in_heap();
            let before = mapped_blocks();
            let block = vec![7u8; LARGE - 4096];
            // Other tests may free mapped blocks meanwhile, never map new ones.
            assert!(mapped_blocks() <= before, "a block of {} bytes was mapped on its own", block.len());
        }

        #[test]
        fn blocks_on_either_side_of_the_line_are_zeroed_when_asked() {
            for len in [LARGE - 1, LARGE, LARGE + 1, 3 * LARGE] {
                let zeros = vec![0u8; len];
                assert!(zeros.iter().all(|&b| b == 0), "{len} bytes");
            }
        }

        #[test]
        fn blocks_just_under_and_at_the_line_are_freed_by_their_own_allocator() {
            // Many rounds, so that a block freed by the wrong allocator would
            // corrupt a heap and fail (or abort) within the test.
            for round in 0..200 {
                let blocks: Vec<Vec<u8>> = [LARGE - 1, LARGE, LARGE + 4096].iter().map(|&len| vec![round as u8; len]).collect();
                assert!(blocks.iter().all(|b| b.iter().all(|&x| x == round as u8)));
            }
        }
    }
}
