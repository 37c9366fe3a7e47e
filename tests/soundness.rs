//! What the compile-time checks cannot see still cannot cause undefined behaviour: the
//! lowered yield points never reach a macro of the user's (one that shadows `yield_!` gets
//! only a marker), an `.await` produced by a user's macro is polled with the generator's
//! bridge context, and a future that is not ready makes the generator panic and close,
//! cleanly. (The runtime's own checks are tested in gen-core/src/raw/tests.rs; what must
//! not compile, in tests/ui/soundness/.)

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;

use cogen::{Generator, GeneratorState, Status, generator, yield_};

mod support;
use support::{AddOnDrop, expect_panic};

/// A user macro that produces `.await`: invisible to `#[generator]`'s checker.
macro_rules! smuggled_await {
    ($future:expr) => {
        $future.await
    };
}

#[generator(yield = u32)]
fn awaits_pending(drops: Rc<Cell<u32>>) {
    let _guard = AddOnDrop(drops, 1);
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

/// A crate-local `yield_` that shadows cogen's, as an attacker's would: handed the lowered
/// yield point, it could move it into an `async` block and have another generator poll it.
/// It panics if it is ever handed anything but the marker.
mod shadowed_by_a_local_macro {
    macro_rules! yield_ {
        (@__cogen_lowered) => {
            ()
        };
        ($($tokens:tt)*) => {
            panic!("the shadowing yield_ was handed {}", stringify!($($tokens)*))
        };
    }

    macro_rules! yield_from {
        (@__cogen_lowered) => {
            ()
        };
        ($first:tt $($rest:tt)*) => {
            unreachable!(concat!(
                "the shadowing yield_from was handed ",
                stringify!($first)
            ))
        };
    }

    #[cogen::generator(yield = u32)]
    pub fn counts() {
        yield_!(1);
        yield_from!(2..4);
    }
}

/// The same attack through a local module named `cogen`.
mod shadowed_by_a_local_cogen_module {
    mod cogen {
        macro_rules! yield_ {
            (@__cogen_lowered) => {
                ()
            };
            ($($tokens:tt)*) => {
                panic!("the shadowing cogen::yield_ was handed {}", stringify!($($tokens)*))
            };
        }
        pub(crate) use yield_;
    }

    #[::cogen::generator(yield = u32)]
    pub fn counts() {
        cogen::yield_!(1);
        cogen::yield_!(2);
    }
}

#[test]
fn a_macro_that_shadows_yield_or_a_local_cogen_module_is_handed_none_of_the_bodys_tokens() {
    let local_macro = pin!(shadowed_by_a_local_macro::counts())
        .iter()
        .collect::<Vec<_>>();
    let local_module = pin!(shadowed_by_a_local_cogen_module::counts())
        .iter()
        .collect::<Vec<_>>();
    assert_eq!((local_macro, local_module), (vec![1, 2, 3], vec![1, 2]));
}
