//! The holes an attacker reached through the lowering, each closed: these tests move yield
//! points where the expansion never puts them (as a macro that moved one would), or drive
//! the hidden protocol directly (as only code inside this crate can now).

use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::RefCell;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::Waker;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::string::String;

use super::delegate::{BoxedKind, Source};
use super::driver::generator;
use super::exchange::Io;
use super::trampoline::Frame;
use crate::generator::Sealed;
use crate::{Generator, GeneratorState, Status};

type Stolen = Rc<RefCell<Option<Pin<Box<dyn Future<Output = ()>>>>>>;

fn panic_message(payload: Box<dyn core::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => String::from(*payload.downcast::<&str>().unwrap()),
    }
}

#[test]
fn a_yield_point_moved_into_another_generator_panics_instead_of_writing_the_wrong_type() {
    let stolen: Stolen = Rc::new(RefCell::new(None));
    let slot = stolen.clone();
    // Generator A yields `u64`; it hands out a future holding one of its yield points.
    let a = generator::<u64, (), false, (), _, _>(move |co| async move {
        *slot.borrow_mut() = Some(Box::pin(async move {
            co.yield_(5, ()).await;
        }));
        co.yield_(1, ()).await;
    });
    // Generator B yields `Box<u64>` and awaits A's yield point inside its own body.
    let b = generator::<Box<u64>, (), false, (), _, _>(move |_co| async move {
        let smuggled = stolen.borrow_mut().take().unwrap();
        smuggled.await;
    });
    let mut a = pin!(a);
    assert_eq!(a.as_mut().start(), GeneratorState::Yielded(1));
    let mut b = pin!(b);
    let payload = catch_unwind(AssertUnwindSafe(|| b.as_mut().start())).unwrap_err();
    assert!(
        panic_message(payload).contains("polled outside of its own generator"),
        "the yield point refuses the foreign poll"
    );
    assert_eq!(b.status(), Status::Closed);
    assert_eq!(a.status(), Status::Suspended, "A itself is untouched");
}

#[test]
fn a_yield_point_polled_through_a_foreign_context_panics() {
    let g = generator::<u8, (), false, (), _, _>(move |co| async move {
        let mut point = pin!(co.yield_(1, ()));
        let _ = point
            .as_mut()
            .poll(&mut core::task::Context::from_waker(Waker::noop()));
    });
    let mut g = pin!(g);
    let payload = catch_unwind(AssertUnwindSafe(|| g.as_mut().start())).unwrap_err();
    assert!(panic_message(payload).contains("polled outside of its own generator"));
}

fn one_then(value: u32, ret: u32) -> impl Generator<(), Yield = u32, Return = u32> {
    generator::<u32, (), false, u32, _, _>(move |co| async move {
        co.yield_(value, ()).await;
        ret
    })
}

/// Delegates to a boxed generator (so it runs, and parks, a trampoline), then yields 99.
fn delegator() -> impl Generator<(), Yield = u32, Return = u32> {
    generator::<u32, (), true, u32, _, _>(move |co| async move {
        // SAFETY: awaited at once, in the body of `co`'s generator.
        let ret =
            unsafe { BoxedKind.delegate(Source::new(Box::pin(one_then(1, 7)), co, ())) }.await;
        co.yield_(99, ()).await;
        ret
    })
}

#[test]
fn polling_the_body_past_its_parked_trampoline_forgets_the_trampoline() {
    let mut g = pin!(delegator());
    // `start` runs the trampoline, which suspends: the generator parks it.
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
    // The body is polled directly, as a delegator would: the delegation completes and the
    // trampoline (inside the `yield_from!` the body moves past) is gone.
    let mut io = Io::new(Some(()));
    let poll = g
        .as_mut()
        .__cogen_poll(&mut io, Waker::noop(), Sealed::new());
    assert!(poll.is_pending());
    assert_eq!(io.take_yielded(), 99);
    // The next step must not resume the dropped trampoline (miri: use-after-free before).
    assert_eq!(g.as_mut().resume(()), GeneratorState::Complete(7));
}

#[test]
fn a_parked_trampoline_is_resumed_directly_and_let_go_when_it_ends() {
    let mut g = pin!(delegator());
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(99));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Complete(7));
}

#[test]
fn a_generator_dropped_while_its_trampoline_is_parked_drops_cleanly() {
    let mut g = Box::pin(delegator());
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
    drop(g);
    let mut g = Box::pin(delegator());
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn a_pending_await_that_is_not_a_yield_point_closes_the_generator() {
    // Safe code may build a generator from any future; a pending await that is not one of
    // its yield points closes it with a panic.
    let mut g = pin!(generator::<u8, (), false, (), _, _>(|_| {
        core::future::pending::<()>()
    }));
    let payload = catch_unwind(AssertUnwindSafe(|| g.as_mut().start())).unwrap_err();
    assert!(panic_message(payload).contains("suspends only at `yield_!`"));
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn a_borrowed_generator_cannot_adopt_a_delegate_handed_up_to_another_trampoline() {
    let mut ret: Option<u32> = None;
    let alive = core::cell::Cell::new(true);
    // SAFETY: `ret` and `alive` outlive the frame, which is dropped in this test.
    let frame = unsafe { Frame::new(Box::pin(one_then(1, 7)), &mut ret, &alive) };
    let mut io = Io::<u32, ()>::new(None);
    io.hand_off(frame);
    // What runs inside a borrowed generator sees no waiting hand-off ...
    io.without_trampoline(|io| assert!(io.take_hand_off().is_none()));
    // ... and the trampoline it was handed up to still gets it.
    let frame = io.take_hand_off().expect("the hand-off is back");
    frame.release();
    assert!(
        !alive.get(),
        "a released frame lets its waiting yield_from! know"
    );
}
