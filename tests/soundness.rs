//! What the compile-time checks cannot see still cannot cause undefined behaviour: an
//! `.await` produced by a user's macro is polled with the generator's bridge context, and
//! a future that is not ready makes the generator panic and close, cleanly.

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;

use cogen::{Generator, GeneratorState, Status, generator, yield_};

mod support;
use support::expect_panic;

/// A user macro that produces `.await`: invisible to `#[generator]`'s checker.
macro_rules! smuggled_await {
    ($future:expr) => {
        $future.await
    };
}

struct CountDrops(Rc<Cell<u32>>);

impl Drop for CountDrops {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[generator(yield = u32)]
fn awaits_pending(drops: Rc<Cell<u32>>) {
    let _guard = CountDrops(drops);
    yield_!(1);
    smuggled_await!(std::future::pending::<()>());
    yield_!(2);
}

#[generator(yield = u32)]
fn awaits_ready() {
    let value = smuggled_await!(std::future::ready(7));
    yield_!(value);
}

#[test]
fn an_await_on_a_pending_future_panics_and_closes_the_generator() {
    let drops = Rc::new(Cell::new(0));
    let mut g = pin!(awaits_pending(drops.clone()));
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
    let message = expect_panic(|| g.as_mut().resume(()));
    assert!(message.contains("`.await` is not supported"), "{message}");
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(drops.get(), 1, "the live local is dropped exactly once");
}

#[test]
fn an_await_on_a_ready_future_just_continues() {
    assert_eq!(pin!(awaits_ready()).iter().collect::<Vec<_>>(), [7]);
}
