//! Zero allocations per yield: a counting `#[global_allocator]` checks that
//! * W1 pinned (`pin!(g).iter()`) allocates nothing for the whole million-item run;
//! * W2 (`start` + a million `resume`s on a pinned averager) allocates nothing;
//! * a boxed W3 chain (`yield_from!(Box::pin(..))`, trampoline) allocates only while it is
//!   set up (the boxed frames and the trampoline's stack, on the first step) and nothing
//!   for any later item, at every depth.
//!
//! Counting is per thread (the harness runs tests on several threads at once).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::pin::pin;

use cogen::{Generator, GeneratorState};
use cogen_bench::{W1_N, W2_N, W3_N, w1, w2, w2_input, w3, w4};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts (a const thread-local, which
// does not allocate).
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Allocations (including reallocations) made by this thread while `f` runs.
fn allocations_during<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = allocations();
    let result = f();
    (allocations() - before, result)
}

#[test]
fn w1_pinned_million_items_allocate_nothing() {
    let (allocs, sum) = allocations_during(|| {
        let g = pin!(w1::cogen_impl::upto(W1_N));
        let mut acc = 0u64;
        for x in g.iter() {
            acc = acc.wrapping_add(black_box(x));
        }
        acc
    });
    assert_eq!(sum, W1_N * (W1_N - 1) / 2);
    assert_eq!(allocs, 0, "W1 pinned: {allocs} allocations for {W1_N} items");

    // The issue-2 countdown, pinned, and the bench functions themselves.
    let (allocs, _) = allocations_during(|| w1::countdown_cogen_pinned(W1_N));
    assert_eq!(allocs, 0, "W1 countdown pinned");
    let (allocs, _) = allocations_during(|| w1::cogen_pinned(W1_N));
    assert_eq!(allocs, 0, "W1 bench fn cogen_pinned");
}

#[test]
fn w1_boxed_for_allocates_once_not_per_item() {
    let (allocs, _) = allocations_during(|| w1::cogen_boxed_for(W1_N));
    assert_eq!(allocs, 1, "`for x in g` boxes the generator once");
}

#[test]
fn w2_million_resumes_allocate_nothing() {
    let (allocs, acc) = allocations_during(|| {
        let mut g = pin!(w2::cogen_impl::averager());
        assert_eq!(g.as_mut().start(), GeneratorState::Yielded(0.0));
        let mut acc = 0u64;
        for i in 0..W2_N {
            match g.as_mut().resume(w2_input(i)) {
                GeneratorState::Yielded(avg) => acc ^= black_box(avg).to_bits(),
                GeneratorState::Complete(()) => unreachable!(),
            }
        }
        acc
    });
    assert_eq!(acc, w2::hand(W2_N));
    assert_eq!(allocs, 0, "W2: {allocs} allocations for {W2_N} resumes");
}

#[test]
fn w3_boxed_chain_allocates_at_setup_only() {
    for d in [1usize, 8, 64] {
        let before = allocations();
        let mut g = pin!(w3::cogen_impl::chain(d, W3_N));
        // The first step descends the chain: each boxed level is handed to the trampoline.
        assert_eq!(g.as_mut().start(), GeneratorState::Yielded(0));
        let setup = allocations() - before;
        // One box per boxed level, plus the trampoline's frame stack (its growth included).
        let frame_stack_growth = usize::BITS as usize - d.leading_zeros() as usize + 1;
        assert!(
            setup >= d && setup <= d + frame_stack_growth,
            "d={d}: {setup} allocations at setup"
        );

        let (per_item, sum) = allocations_during(|| {
            let mut acc = 0u64;
            while let GeneratorState::Yielded(x) = g.as_mut().resume(()) {
                acc = acc.wrapping_add(black_box(x));
            }
            acc
        });
        assert_eq!(sum, W3_N * (W3_N - 1) / 2);
        assert_eq!(per_item, 0, "d={d}: {per_item} allocations after setup for {} items", W3_N - 1);
    }
}

#[test]
fn w3_static_chain_allocates_nothing() {
    for d in [1usize, 8] {
        let (allocs, _) = allocations_during(|| w3::cogen_static(d, W3_N));
        assert_eq!(allocs, 0, "static chain d={d}");
    }
}

/// Not a target, recorded for BENCHMARKS.md: the recursive tree walk boxes one generator
/// per child (`yield_from!(Box::pin(walk(child)))`), so it allocates once per non-root
/// node (plus the trampoline's frame stack), never per yield.
#[test]
fn w4_recursive_walk_allocates_once_per_child_node() {
    let tree = cogen_bench::w4_tree();
    let nodes = cogen_bench::W4_NODES;
    let (allocs, _) = allocations_during(|| w4::cogen(tree));
    eprintln!("W4 cogen: {allocs} allocations for {nodes} nodes");
    assert!(allocs >= nodes - 1 && allocs <= nodes - 1 + 8, "W4: {allocs} allocations");
}
