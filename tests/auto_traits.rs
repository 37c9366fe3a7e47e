//! A generator is `Send` when what it captures and holds across yields is `Send` — also
//! when it delegates, boxed or not — and it is never `Unpin` (it must be pinned to run).
//! The `!Send` case (an `Rc` held across a yield) is `tests/ui/body/rc_across_yield_not_send.rs`.

use std::sync::Arc;

use cogen::{Generator, generator, yield_, yield_from};

mod support;
use support::{NotUnpinFallback, assert_send, assert_sync, probe};

#[generator(yield = u32)]
fn leaf(shared: Arc<Vec<u32>>) {
    for x in shared.iter() {
        yield_!(*x);
    }
}

#[generator(yield = u32)]
fn tree(depth: u32, shared: Arc<Vec<u32>>) {
    if depth == 0 {
        yield_from!(leaf(shared));
    } else {
        yield_from!(Box::pin(tree(depth - 1, shared)));
    }
}

#[test]
fn a_generator_holding_only_send_values_is_send_and_sync() {
    let g = leaf(Arc::new(vec![1, 2]));
    assert_send(&g);
    assert_sync(&g);
}

#[test]
fn a_generator_delegating_to_boxed_and_unboxed_generators_is_send() {
    let mut g = Box::pin(tree(3, Arc::new(vec![1, 2])));
    assert_send(&g);
    // Also once it is suspended inside the delegation, with frames on its trampoline.
    assert_eq!(g.as_mut().start().yielded(), Some(1));
    let moved = std::thread::spawn(move || g.as_mut().iter().collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(moved, [2]);
}

#[test]
fn a_generator_is_not_unpin_but_pointers_to_it_are() {
    let g = leaf(Arc::new(vec![]));
    assert!(!probe(&g).is_unpin());
    assert!(probe(&Box::pin(leaf(Arc::new(vec![])))).is_unpin());
    assert!(probe(&0_u8).is_unpin(), "the probe itself works");
}

#[generator(yield = u32)]
fn numbers() {
    yield_!(1);
    yield_!(2);
}

#[test]
fn the_iterator_of_a_send_generator_is_send_and_can_move_mid_iteration() {
    let mut it = numbers().into_iter();
    assert_send(&it);
    assert_eq!(it.next(), Some(1));
    let rest = std::thread::spawn(move || it.collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(rest, [2]);
}

/// The `Rc` is a temporary of the `yield_!`'s operand: it is dropped before the yield, so
/// the generator holds nothing that is not `Send` while it is suspended.
#[generator(yield = u32)]
fn yields_through_a_temporary_rc() {
    yield_!(*std::rc::Rc::new(7));
}

#[test]
fn a_temporary_of_a_yields_operand_does_not_make_the_generator_non_send() {
    let g = yields_through_a_temporary_rc();
    assert_send(&g);
    assert_eq!(std::pin::pin!(g).iter().collect::<Vec<_>>(), [7]);
}
