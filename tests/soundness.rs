//! What the compile-time checks cannot see still cannot cause undefined behaviour: the
//! lowered yield points never reach a macro of the user's (one that shadows `yield_!` gets
//! only a marker), an `.await` produced by a user's macro is polled with the generator's
//! bridge context, and a future that is not ready makes the generator panic and close,
//! cleanly. (The runtime's own checks are tested in gen-core/src/raw/tests.rs; what must
//! not compile, in tests/ui/soundness/.)

use std::cell::Cell;
use std::pin::{Pin, pin};
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
    assert!(message.contains("suspends only at `yield_!`"), "{message}");
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

#[generator(yield = u32)]
fn leaf() -> String {
    yield_!(1);
    String::from("done")
}

#[generator(crate = support::stand_in_that_frees_the_body, yield = u32)]
fn parks_then_is_freed() {
    cogen::yield_from!(Box::pin(leaf()));
}

#[generator(crate = support::stand_in_that_frees_the_body, yield = u32)]
fn hands_off_then_is_freed() -> String {
    cogen::yield_from!(Box::pin(leaf()))
}

#[generator(yield = u32)]
fn runs_a_trampoline_over_a_freed_body() {
    cogen::yield_from!(Box::pin(hands_off_then_is_freed()));
}

#[test]
fn a_delegation_moved_out_of_its_body_by_a_crate_path_stand_in_panics() {
    let parks: Pin<Box<dyn Generator<Yield = u32, Return = ()>>> = Box::pin(parks_then_is_freed());
    let hands_off: Pin<Box<dyn Generator<Yield = u32, Return = ()>>> =
        Box::pin(runs_a_trampoline_over_a_freed_body());
    for mut g in [parks, hands_off] {
        let message = expect_panic(|| g.as_mut().start());
        assert!(
            message.contains("polled outside of its own generator"),
            "{message}"
        );
        assert_eq!(g.status(), Status::Closed);
    }
}

/// A user macro that moves its argument into an `async` block.
macro_rules! in_async {
    ($e:expr) => {
        async move { $e }
    };
}

#[generator(yield = String)]
fn host<F: std::future::Future<Output = ()>>(f: F) {
    smuggled_await!(f);
}

#[generator(yield = u64)]
fn smuggler(seen: Rc<Cell<bool>>) {
    // `yield_!` in another macro's arguments is handed the capability; the macro moves it
    // into a future that `host`, a generator with another yield type, polls.
    let f = in_async!(yield_!(0x4141_4141_4141_4141));
    let mut h = pin!(host(f));
    if let GeneratorState::Yielded(s) = h.as_mut().start() {
        seen.set(!s.is_empty());
    }
}

#[test]
fn a_yield_point_a_macro_moved_into_a_future_another_generator_polls_panics_instead_of_writing_the_wrong_type()
 {
    let seen = Rc::new(Cell::new(false));
    let mut g = pin!(smuggler(seen.clone()));
    let message = expect_panic(|| g.as_mut().start());
    assert!(
        message.contains("polled outside of its own generator"),
        "{message}"
    );
    assert!(!seen.get(), "host never saw a String");
    assert_eq!(g.status(), Status::Closed);
}

#[generator(yield = u32)]
fn yields_through_a_macro_in_the_same_body() -> u32 {
    // The same macro, its future awaited in the generator's own body: a real yield.
    smuggled_await!(in_async!(yield_!(5)));
    1
}

#[test]
fn a_yield_point_a_macro_moved_into_a_future_awaited_in_its_own_body_yields() {
    let mut g = pin!(yields_through_a_macro_in_the_same_body());
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(5));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Complete(1));
}
