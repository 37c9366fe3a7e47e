//! Behaviour of `yield_from!`: PEP 380 delegation, checked against the traces of CPython's
//! `Lib/test/test_yield_from.py` (class `TestPEP380Operation`), plus Rust-specific forms
//! (pinned / boxed / trait-object delegates, the trampoline, drop accounting, misuse).
//!
//! Conventions:
//! * every generator body appends to a shared [`Trace`]; a Python `finally:` is a [`Fin`]
//!   drop guard declared where the `try:` starts;
//! * Python exceptions are values of the test enum [`E`] returned as `Err`; a thrown
//!   exception is `throw(e)` on a generator whose send type is `Result<_, E>`;
//! * Python's `close()` is `close()`/drop: cleanup is destructors, so "generator ignored
//!   GeneratorExit" (Y14b, Y19) and close() return values (Y18, 3.13) cannot be expressed;
//! * misuse (resuming something finished, delegating to something started) panics.
//!
//! Not covered here because the type system rules them out at compile time:
//! * Y12b/Y13 (`throw`/`send(42)` into a plain iterator): `yield_from!(iterable)` needs
//!   `send = ()`, so nothing can be sent or thrown into an iterator;
//! * Y14 (throwing `GeneratorExit`): closing is dropping, there is no exception to catch;
//! * Y15 (a delegation loop, "generator already executing"): resuming takes
//!   `Pin<&mut Self>`, so a generator cannot be delegated to while it runs.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;

use cogen::GeneratorState::{Complete, Yielded};
use cogen::{Generator, GeneratorState, Status, generator, yield_, yield_from};

// ---------------------------------------------------------------------------------------
// Harness (the trace and panic helpers are in `support`)
// ---------------------------------------------------------------------------------------

mod support;
use support::{
    PanicOnDrop, PushOnDrop, Trace, entries, expect_panic, expect_panic_at, new_trace, panic_text,
    push,
};

/// The Python exceptions of the test suite.
#[derive(Debug, Clone, PartialEq)]
enum E {
    Value(&'static str),
    Lunch(&'static str),
    ZeroDivision,
}

/// A Python value whose `repr` the traces show: `2`, `(2,)`, `StopIteration(3)`.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Int(i32),
    Tuple(Vec<Val>),
    StopIteration(Box<Val>),
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Int(i) => write!(f, "{i}"),
            Val::Tuple(items) if items.len() == 1 => write!(f, "({},)", items[0]),
            Val::Tuple(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "({})", items.join(", "))
            }
            Val::StopIteration(v) => write!(f, "StopIteration({v})"),
        }
    }
}

/// Python's `%r` of an optional value: `None` or the value's repr.
fn repr(v: &Option<Val>) -> String {
    match v {
        None => "None".to_string(),
        Some(v) => v.to_string(),
    }
}

/// Drive a `send = ()` generator to completion: every yielded value, then the return value.
fn drain<G: Generator<()> + ?Sized>(mut g: Pin<&mut G>) -> (Vec<G::Yield>, G::Return) {
    let mut yielded = Vec::new();
    let mut step = g.as_mut().start();
    loop {
        match step {
            Yielded(y) => yielded.push(y),
            Complete(r) => return (yielded, r),
        }
        step = g.as_mut().resume(());
    }
}

/// Python's `for x in g: trace.append("Yielded %s" % (x,))`, keeping the return value.
fn drain_traced<G>(trace: &Trace, mut g: Pin<&mut G>) -> G::Return
where
    G: Generator<()> + ?Sized,
    G::Yield: fmt::Display,
{
    let mut step = g.as_mut().start();
    loop {
        match step {
            Yielded(y) => push(trace, format!("Yielded {y}")),
            Complete(r) => return r,
        }
        step = g.as_mut().resume(());
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------
// Y01: delegation of the initial next and of next
// ---------------------------------------------------------------------------------------

mod y01 {
    use super::*;

    #[generator(yield = i32)]
    pub fn g1(t: Trace) {
        push(&t, "Starting g1");
        yield_from!(g2(t.clone()));
        push(&t, "Finishing g1");
    }

    #[generator(yield = i32)]
    fn g2(t: Trace) {
        push(&t, "Starting g2");
        yield_!(42);
        push(&t, "Finishing g2");
    }

    #[generator(yield = &'static str)]
    pub fn h1(t: Trace) {
        push(&t, "Starting g1");
        yield_!("g1 ham");
        yield_from!(h2(t.clone()));
        yield_!("g1 eggs");
        push(&t, "Finishing g1");
    }

    #[generator(yield = &'static str)]
    fn h2(t: Trace) {
        push(&t, "Starting g2");
        yield_!("g2 spam");
        yield_!("g2 more spam");
        push(&t, "Finishing g2");
    }
}

#[test]
fn delegation_of_initial_next_runs_both_prologues_in_one_start() {
    let t = new_trace();
    let mut g = pin!(y01::g1(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(42));
    // One `start` ran g1's prologue, made g2 and ran it to its first yield.
    assert_eq!(entries(&t), strings(&["Starting g1", "Starting g2"]));
    assert_eq!(g.status(), Status::Suspended);
    push(&t, "Yielded 42");
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "Starting g2",
            "Yielded 42",
            "Finishing g2",
            "Finishing g1",
        ])
    );
}

#[test]
fn delegation_of_initial_next_with_for_loop_matches_cpython_trace() {
    let t = new_trace();
    for x in y01::g1(t.clone()) {
        push(&t, format!("Yielded {x}"));
    }
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "Starting g2",
            "Yielded 42",
            "Finishing g2",
            "Finishing g1",
        ])
    );
}

#[test]
fn delegation_of_next_call_interleaves_outer_and_inner_yields() {
    let t = new_trace();
    for x in y01::h1(t.clone()) {
        push(&t, format!("Yielded {x}"));
    }
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "Yielded g1 ham",
            "Starting g2",
            "Yielded g2 spam",
            "Yielded g2 more spam",
            "Finishing g2",
            "Yielded g1 eggs",
            "Finishing g1",
        ])
    );
}

// ---------------------------------------------------------------------------------------
// Y02: exceptions in the subgenerator during next
// ---------------------------------------------------------------------------------------

mod y02 {
    use super::*;

    #[generator(yield = i32)]
    pub fn initial_g1(t: Trace) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_from!(initial_g2(t.clone()))?;
        Ok(())
    }

    #[generator(yield = i32)]
    fn initial_g2(t: Trace) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g2");
        push(&t, "Starting g2");
        Err(E::Value("spanish inquisition occurred"))
    }

    #[generator(yield = &'static str)]
    pub fn delegated_g1(t: Trace) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_!("g1 ham");
        yield_from!(delegated_g2(t.clone()))?;
        yield_!("g1 eggs");
        Ok(())
    }

    #[generator(yield = &'static str)]
    fn delegated_g2(t: Trace) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g2");
        push(&t, "Starting g2");
        yield_!("g2 spam");
        // `raise ValueError(..)` followed by an unreachable `yield "g2 more spam"`.
        let fail = true;
        if fail {
            return Err(E::Value("hovercraft is full of eels"));
        }
        yield_!("g2 more spam");
        Ok(())
    }

    fn divide(a: i32, b: i32) -> Result<i32, E> {
        a.checked_div(b).ok_or(E::ZeroDivision)
    }

    #[generator(yield = i32)]
    pub fn zero_g1(t: Trace) -> Result<(), E> {
        push(&t, "g1 about to yield from g2");
        yield_from!(zero_g2())?;
        push(&t, "g1 should not be here");
        Ok(())
    }

    #[generator(yield = i32)]
    fn zero_g2() -> Result<(), E> {
        // `yield 1/0`: the division fails before anything is yielded.
        yield_!(divide(1, 0)?);
        Ok(())
    }
}

#[test]
fn error_in_initial_next_of_subgenerator_propagates_and_finalizes_innermost_first() {
    let t = new_trace();
    let mut g = pin!(y02::initial_g1(t.clone()));
    let outcome = drain_traced(&t, g.as_mut());
    assert_eq!(outcome, Err(E::Value("spanish inquisition occurred")));
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&t),
        strings(&["Starting g1", "Starting g2", "Finishing g2", "Finishing g1"])
    );
}

#[test]
fn error_in_delegated_next_call_propagates_and_finalizes_innermost_first() {
    let t = new_trace();
    let mut g = pin!(y02::delegated_g1(t.clone()));
    let outcome = drain_traced(&t, g.as_mut());
    assert_eq!(outcome, Err(E::Value("hovercraft is full of eels")));
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "Yielded g1 ham",
            "Starting g2",
            "Yielded g2 spam",
            "Finishing g2",
            "Finishing g1",
        ])
    );
}

#[test]
fn error_computing_the_first_yield_of_subgenerator_stops_the_delegator_at_yield_from() {
    let t = new_trace();
    let mut g = pin!(y02::zero_g1(t.clone()));
    assert_eq!(g.as_mut().start(), Complete(Err(E::ZeroDivision)));
    assert_eq!(entries(&t), strings(&["g1 about to yield from g2"]));
}

// ---------------------------------------------------------------------------------------
// Y03 / Y04: delegation of send
// ---------------------------------------------------------------------------------------

mod y03 {
    use super::*;

    #[generator(yield = &'static str, send = i32)]
    pub fn g1(t: Trace) {
        push(&t, "Starting g1");
        let x = yield_!("g1 ham");
        push(&t, format!("g1 received {x}"));
        yield_from!(g2(t.clone()));
        let x = yield_!("g1 eggs");
        push(&t, format!("g1 received {x}"));
        push(&t, "Finishing g1");
    }

    #[generator(yield = &'static str, send = i32)]
    fn g2(t: Trace) {
        push(&t, "Starting g2");
        let x = yield_!("g2 spam");
        push(&t, format!("g2 received {x}"));
        let x = yield_!("g2 more spam");
        push(&t, format!("g2 received {x}"));
        push(&t, "Finishing g2");
    }

    #[generator(yield = &'static str, send = i32)]
    pub fn failing_g1(t: Trace) -> Result<(), E> {
        push(&t, "Starting g1");
        let x = yield_!("g1 ham");
        push(&t, format!("g1 received {x}"));
        yield_from!(failing_g2(t.clone()))?;
        let x = yield_!("g1 eggs");
        push(&t, format!("g1 received {x}"));
        push(&t, "Finishing g1");
        Ok(())
    }

    #[generator(yield = &'static str, send = i32)]
    fn failing_g2(t: Trace) -> Result<(), E> {
        push(&t, "Starting g2");
        let x = yield_!("g2 spam");
        push(&t, format!("g2 received {x}"));
        let fail = true;
        if fail {
            return Err(E::Value("hovercraft is full of eels"));
        }
        let x = yield_!("g2 more spam");
        push(&t, format!("g2 received {x}"));
        push(&t, "Finishing g2");
        Ok(())
    }
}

#[test]
fn delegation_of_send_routes_each_value_to_the_innermost_active_generator() {
    let t = new_trace();
    let mut g = pin!(y03::g1(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded("g1 ham"));
    let mut x = 1;
    while let Yielded(y) = g.as_mut().resume(x) {
        push(&t, format!("Yielded {y}"));
        x += 1;
    }
    assert_eq!(x, 4, "the fourth send completes the generator");
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "g1 received 1",
            "Starting g2",
            "Yielded g2 spam",
            "g2 received 2",
            "Yielded g2 more spam",
            "g2 received 3",
            "Finishing g2",
            "Yielded g1 eggs",
            "g1 received 4",
            "Finishing g1",
        ])
    );
}

#[test]
fn error_while_delegating_send_comes_out_of_that_send_and_closes_the_delegator() {
    let t = new_trace();
    let mut g = pin!(y03::failing_g1(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded("g1 ham"));
    assert_eq!(g.as_mut().resume(1), Yielded("g2 spam"));
    push(&t, "Yielded g2 spam");
    assert_eq!(
        g.as_mut().resume(2),
        Complete(Err(E::Value("hovercraft is full of eels")))
    );
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "g1 received 1",
            "Starting g2",
            "Yielded g2 spam",
            "g2 received 2",
        ])
    );
}

// ---------------------------------------------------------------------------------------
// Y05 / Y06: delegating close
// ---------------------------------------------------------------------------------------

mod y05 {
    use super::*;

    #[generator(yield = &'static str)]
    pub fn g1(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_!("g1 ham");
        yield_from!(g2(t.clone()));
        yield_!("g1 eggs");
    }

    #[generator(yield = &'static str)]
    fn g2(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "Finishing g2");
        push(&t, "Starting g2");
        yield_!("g2 spam");
        yield_!("g2 more spam");
    }

    #[generator(yield = &'static str)]
    pub fn boxed_g1(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_!("g1 ham");
        yield_from!(Box::pin(g2(t.clone())));
        yield_!("g1 eggs");
    }

    /// g2's `finally` raises ValueError("nybbles have exploded with delight").
    #[generator(yield = &'static str)]
    pub fn exploding_g1(t: Trace, boxed: bool) {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_!("g1 ham");
        if boxed {
            yield_from!(Box::pin(exploding_g2(t.clone())));
        } else {
            yield_from!(exploding_g2(t.clone()));
        }
        yield_!("g1 eggs");
    }

    #[generator(yield = &'static str)]
    fn exploding_g2(t: Trace) {
        let _finally = PanicOnDrop(
            t.clone(),
            "Finishing g2",
            "nybbles have exploded with delight",
        );
        push(&t, "Starting g2");
        yield_!("g2 spam");
        yield_!("g2 more spam");
    }

    /// A chain g1 -> g2 -> g3 -> g4 (all inline or all boxed) whose innermost `finally`
    /// raises.
    #[generator(yield = &'static str)]
    pub fn deep_exploding_g1(t: Trace, boxed: bool) {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        if boxed {
            yield_from!(Box::pin(deep_g2(t.clone(), boxed)));
        } else {
            yield_from!(deep_g2(t.clone(), boxed));
        }
    }

    #[generator(yield = &'static str)]
    fn deep_g2(t: Trace, boxed: bool) {
        let _finally = PushOnDrop(t.clone(), "Finishing g2");
        if boxed {
            yield_from!(Box::pin(deep_g3(t.clone())));
        } else {
            yield_from!(deep_g3(t.clone()));
        }
    }

    #[generator(yield = &'static str)]
    fn deep_g3(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "Finishing g3");
        yield_from!(Box::pin(deep_g4(t.clone())));
    }

    #[generator(yield = &'static str)]
    fn deep_g4(t: Trace) {
        let _finally = PanicOnDrop(
            t.clone(),
            "Finishing g4",
            "nybbles have exploded with delight",
        );
        yield_!("g4 spam");
    }
}

#[test]
fn close_while_delegating_finalizes_subgenerator_then_delegator() {
    let t = new_trace();
    let mut g = pin!(y05::g1(t.clone()));
    for step in 0..2 {
        let x = if step == 0 {
            g.as_mut().start()
        } else {
            g.as_mut().resume(())
        };
        push(&t, format!("Yielded {}", x.yielded().unwrap()));
    }
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "Yielded g1 ham",
            "Starting g2",
            "Yielded g2 spam",
            "Finishing g2",
            "Finishing g1",
        ])
    );
    // Closing again is a no-op: nothing is finalized twice.
    g.as_mut().close();
    assert_eq!(entries(&t).len(), 6);
}

#[test]
fn drop_while_delegating_finalizes_subgenerator_then_delegator() {
    fn suspend_in_g2_then_drop<G: Generator<Yield = &'static str, Return = ()>>(
        mut g: Pin<Box<G>>,
    ) {
        assert_eq!(g.as_mut().start(), Yielded("g1 ham"));
        assert_eq!(g.as_mut().resume(()), Yielded("g2 spam"));
        drop(g);
    }
    for boxed in [false, true] {
        let t = new_trace();
        if boxed {
            suspend_in_g2_then_drop(Box::pin(y05::boxed_g1(t.clone())));
        } else {
            suspend_in_g2_then_drop(Box::pin(y05::g1(t.clone())));
        }
        assert_eq!(
            entries(&t),
            strings(&["Starting g1", "Starting g2", "Finishing g2", "Finishing g1"]),
            "boxed delegate: {boxed}"
        );
    }
}

#[test]
fn close_while_delegating_to_boxed_subgenerator_finalizes_innermost_first() {
    let t = new_trace();
    let mut g = pin!(y05::boxed_g1(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded("g1 ham"));
    assert_eq!(g.as_mut().resume(()), Yielded("g2 spam"));
    g.as_mut().close();
    assert_eq!(
        entries(&t),
        strings(&["Starting g1", "Starting g2", "Finishing g2", "Finishing g1"])
    );
}

/// Y06. Python: g2's `finally` raises during `close()`; `close()` raises that error, g1's
/// `finally` still runs and g1 ends CLOSED. Here the error is a panic in g2's drop guard:
/// it propagates out of `close()`, g1's guard still runs (unwinding drops the rest of the
/// state), and the generator is Closed, never finalized a second time.
#[test]
fn panic_in_subgenerator_cleanup_during_close_propagates_and_outer_cleanup_still_runs() {
    for boxed in [false, true] {
        let t = new_trace();
        let mut g = pin!(y05::exploding_g1(t.clone(), boxed));
        assert_eq!(g.as_mut().start(), Yielded("g1 ham"));
        push(&t, "Yielded g1 ham");
        assert_eq!(g.as_mut().resume(()), Yielded("g2 spam"));
        push(&t, "Yielded g2 spam");
        let message = expect_panic(|| g.as_mut().close());
        assert_eq!(message, "nybbles have exploded with delight");
        assert_eq!(g.status(), Status::Closed, "boxed delegate: {boxed}");
        assert_eq!(
            entries(&t),
            strings(&[
                "Starting g1",
                "Yielded g1 ham",
                "Starting g2",
                "Yielded g2 spam",
                "Finishing g2",
                "Finishing g1",
            ]),
            "boxed delegate: {boxed}"
        );
        // Closed: close is a no-op, resume panics, and the guards do not run again.
        g.as_mut().close();
        let message = expect_panic(|| g.as_mut().resume(()));
        assert!(message.contains("is closed"), "{message}");
        assert_eq!(entries(&t).len(), 6, "boxed delegate: {boxed}");
    }
}

/// Y06 through four levels: the innermost cleanup panics; the remaining levels must still
/// be finalized innermost-first (PEP 380 closes the subiterator before the delegator).
#[test]
fn panic_in_innermost_cleanup_of_deep_chain_still_finalizes_the_rest_innermost_first() {
    for boxed in [false, true] {
        let t = new_trace();
        let mut g = pin!(y05::deep_exploding_g1(t.clone(), boxed));
        assert_eq!(g.as_mut().start(), Yielded("g4 spam"));
        let message = expect_panic(|| g.as_mut().close());
        assert_eq!(message, "nybbles have exploded with delight");
        assert_eq!(g.status(), Status::Closed);
        assert_eq!(
            entries(&t),
            strings(&[
                "Finishing g4",
                "Finishing g3",
                "Finishing g2",
                "Finishing g1"
            ]),
            "boxed chain: {boxed}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Y07 / Y08 / Y09: delegating throw
// ---------------------------------------------------------------------------------------

mod y07 {
    use super::*;

    #[generator(yield = &'static str, send = Result<(), E>)]
    pub fn g1(t: Trace, boxed: bool) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_!("g1 ham")?;
        if boxed {
            yield_from!(Box::pin(g2(t.clone())))?;
        } else {
            yield_from!(g2(t.clone()))?;
        }
        yield_!("g1 eggs")?;
        Ok(())
    }

    #[generator(yield = &'static str, send = Result<(), E>)]
    fn g2(t: Trace) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g2");
        push(&t, "Starting g2");
        yield_!("g2 spam")?;
        yield_!("g2 more spam")?;
        Ok(())
    }

    #[generator(yield = &'static str, send = Result<(), E>)]
    pub fn lunch_g1(t: Trace) -> Result<(), E> {
        let _finally = PushOnDrop(t.clone(), "Finishing g1");
        push(&t, "Starting g1");
        yield_!("g1 ham")?;
        yield_from!(lunch_g2(t.clone()))?;
        yield_!("g1 eggs")?;
        Ok(())
    }

    /// `try: yield spam; yield more spam  except LunchError: ...; yield; yield`.
    #[generator(yield = &'static str, send = Result<(), E>)]
    fn lunch_g2(t: Trace) -> Result<(), E> {
        push(&t, "Starting g2");
        let caught = match yield_!("g2 spam") {
            Ok(()) => yield_!("g2 more spam").err(),
            Err(e) => Some(e),
        };
        match caught {
            None => {}
            Some(E::Lunch(_)) => {
                push(&t, "Caught LunchError in g2");
                yield_!("g2 lunch saved")?;
                yield_!("g2 yet more spam")?;
            }
            Some(other) => return Err(other),
        }
        Ok(())
    }

    /// `try: yield 1 except ValueError: trace; return value`.
    #[generator(yield = Val, send = Result<(), E>)]
    fn inner(t: Trace, value: Val) -> Result<Val, E> {
        match yield_!(Val::Int(1)) {
            Ok(()) => {}
            Err(E::Value(_)) => push(&t, "inner caught ValueError"),
            Err(other) => return Err(other),
        }
        Ok(value)
    }

    /// `v = yield from inner(); trace; yield v`.
    #[generator(yield = Val, send = Result<(), E>)]
    pub fn outer(t: Trace, value: Val, boxed: bool) -> Result<(), E> {
        let v = if boxed {
            yield_from!(Box::pin(inner(t.clone(), value)))?
        } else {
            yield_from!(inner(t.clone(), value))?
        };
        push(&t, format!("inner returned {v} to outer"));
        yield_!(v)?;
        Ok(())
    }
}

#[test]
fn throw_while_delegating_reaches_innermost_first_and_comes_back_as_the_same_error() {
    for boxed in [false, true] {
        let t = new_trace();
        let mut g = pin!(y07::g1(t.clone(), boxed));
        let x = g.as_mut().start();
        push(&t, format!("Yielded {}", x.yielded().unwrap()));
        let x = g.as_mut().resume(Ok(()));
        push(&t, format!("Yielded {}", x.yielded().unwrap()));
        let outcome = g.as_mut().throw(E::Value("tomato ejected"));
        assert_eq!(outcome, Complete(Err(E::Value("tomato ejected"))));
        assert_eq!(g.status(), Status::Closed);
        assert_eq!(
            entries(&t),
            strings(&[
                "Starting g1",
                "Yielded g1 ham",
                "Starting g2",
                "Yielded g2 spam",
                "Finishing g2",
                "Finishing g1",
            ]),
            "boxed delegate: {boxed}"
        );
    }
}

#[test]
fn throw_caught_by_subgenerator_that_keeps_yielding_returns_its_next_yield() {
    let t = new_trace();
    let mut g = pin!(y07::lunch_g1(t.clone()));
    let x = g.as_mut().start();
    push(&t, format!("Yielded {}", x.yielded().unwrap()));
    let x = g.as_mut().resume(Ok(()));
    push(&t, format!("Yielded {}", x.yielded().unwrap()));
    assert_eq!(
        g.as_mut().throw(E::Lunch("tomato ejected")),
        Yielded("g2 lunch saved")
    );
    assert_eq!(g.status(), Status::Suspended);
    let outcome = loop {
        match g.as_mut().resume(Ok(())) {
            Yielded(x) => push(&t, format!("Yielded {x}")),
            Complete(r) => break r,
        }
    };
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        entries(&t),
        strings(&[
            "Starting g1",
            "Yielded g1 ham",
            "Starting g2",
            "Yielded g2 spam",
            "Caught LunchError in g2",
            "Yielded g2 yet more spam",
            "Yielded g1 eggs",
            "Finishing g1",
        ])
    );
}

#[test]
fn throw_caught_by_subgenerator_that_returns_gives_its_value_to_the_delegator() {
    let values = [
        Val::Int(2),
        Val::Tuple(vec![Val::Int(2)]),
        Val::StopIteration(Box::new(Val::Int(2))),
    ];
    for boxed in [false, true] {
        for value in values.clone() {
            let t = new_trace();
            let mut g = pin!(y07::outer(t.clone(), value.clone(), boxed));
            push(&t, g.as_mut().start().yielded().unwrap().to_string());
            let thrown = g.as_mut().throw(E::Value("ValueError"));
            push(&t, thrown.yielded().unwrap().to_string());
            assert_eq!(
                entries(&t),
                vec![
                    "1".to_string(),
                    "inner caught ValueError".to_string(),
                    format!("inner returned {value} to outer"),
                    value.to_string(),
                ],
                "boxed delegate: {boxed}"
            );
            assert_eq!(g.as_mut().resume(Ok(())), Complete(Ok(())));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Y10: return values through yield_from!
// ---------------------------------------------------------------------------------------

mod y10 {
    use super::*;

    #[generator(yield = &'static str)]
    pub fn g1(t: Trace) {
        push(&t, "Starting g1");
        yield_!("g1 ham");
        let ret = yield_from!(g2(t.clone(), None));
        push(&t, format!("g2 returned {}", repr(&ret)));
        let values = [
            Val::Int(1),
            Val::Tuple(vec![Val::Int(2)]),
            Val::StopIteration(Box::new(Val::Int(3))),
        ];
        for v in values {
            let ret = yield_from!(g2(t.clone(), Some(v)));
            push(&t, format!("g2 returned {}", repr(&ret)));
        }
        yield_!("g1 eggs");
        push(&t, "Finishing g1");
    }

    #[generator(yield = &'static str)]
    fn g2(t: Trace, v: Option<Val>) -> Option<Val> {
        push(&t, "Starting g2");
        yield_!("g2 spam");
        yield_!("g2 more spam");
        push(&t, "Finishing g2");
        v
    }

    #[generator(yield = &'static str)]
    pub fn crash_g1() -> Vec<i32> {
        yield_from!(crash_g2())
    }

    #[generator(yield = &'static str)]
    fn crash_g2() -> Vec<i32> {
        yield_!("g2");
        vec![42]
    }

    #[generator(send = &'static str)]
    pub fn g(t: Trace, r: Option<Val>) -> Option<Val> {
        push(&t, "g starting");
        let x = yield_!();
        push(&t, format!("g received {x:?}"));
        push(&t, format!("g returning {}", repr(&r)));
        r
    }

    /// A delegator that passes g's return value through unchanged.
    #[generator(send = &'static str)]
    pub fn through(t: Trace, r: Option<Val>) -> Option<Val> {
        yield_from!(g(t, r))
    }
}

#[test]
fn yield_from_evaluates_to_the_subgenerator_return_value_verbatim() {
    let t = new_trace();
    for x in y10::g1(t.clone()) {
        push(&t, format!("Yielded {x}"));
    }
    let mut expected = strings(&["Starting g1", "Yielded g1 ham"]);
    for ret in ["None", "1", "(2,)", "StopIteration(3)"] {
        expected.extend(strings(&[
            "Starting g2",
            "Yielded g2 spam",
            "Yielded g2 more spam",
            "Finishing g2",
        ]));
        expected.push(format!("g2 returned {ret}"));
    }
    expected.extend(strings(&["Yielded g1 eggs", "Finishing g1"]));
    assert_eq!(entries(&t), expected);
}

#[test]
fn subgenerator_returning_a_heap_value_hands_it_through_once() {
    assert_eq!(
        cogen::IntoIter::new(y10::crash_g1()).collect::<Vec<_>>(),
        ["g2"]
    );
    let mut g = pin!(y10::crash_g1());
    assert_eq!(drain(g.as_mut()), (vec!["g2"], vec![42]));
}

#[test]
fn send_that_completes_a_delegation_returns_the_value_to_the_driver_once() {
    let values = [
        None,
        Some(Val::Int(1)),
        Some(Val::Tuple(vec![Val::Int(2)])),
        Some(Val::StopIteration(Box::new(Val::Int(3)))),
    ];
    for r in values {
        let t = new_trace();
        let mut g = pin!(y10::through(t.clone(), r.clone()));
        assert_eq!(g.as_mut().start(), Yielded(()));
        push(&t, "f sending spam to g");
        match g.as_mut().resume("spam") {
            Complete(v) => push(&t, format!("f caught StopIteration({})", repr(&v))),
            Yielded(()) => push(&t, "f SHOULD NOT BE HERE"),
        }
        assert_eq!(
            entries(&t),
            vec![
                "g starting".to_string(),
                "f sending spam to g".to_string(),
                "g received \"spam\"".to_string(),
                format!("g returning {}", repr(&r)),
                format!("f caught StopIteration({})", repr(&r)),
            ]
        );
        let message = expect_panic(|| g.as_mut().resume("again"));
        assert!(message.contains("is closed"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------
// Y11 / Y12: delegation to iterables
// ---------------------------------------------------------------------------------------

mod y11 {
    use super::*;

    #[generator(yield = i32)]
    pub fn range3() {
        yield_from!(0..3);
    }

    #[generator(yield = char)]
    pub fn chars() -> &'static str {
        yield_!('<');
        yield_from!("AB".chars());
        yield_from!(vec!['c', 'd']);
        yield_!('>');
        "done"
    }

    #[generator(yield = i32)]
    pub fn empty() -> &'static str {
        yield_from!(Vec::<i32>::new());
        yield_from!(std::iter::empty());
        "empty"
    }

    /// An iterator over 0..n that records being dropped.
    pub struct Counting {
        pub next: i32,
        pub end: i32,
        pub t: Trace,
    }

    impl Iterator for Counting {
        type Item = i32;
        fn next(&mut self) -> Option<i32> {
            (self.next < self.end).then(|| {
                self.next += 1;
                self.next - 1
            })
        }
    }

    impl Drop for Counting {
        fn drop(&mut self) {
            push(&self.t, format!("iterator dropped at {}", self.next));
        }
    }

    #[generator(yield = i32)]
    pub fn over_iterator(t: Trace, n: i32) {
        let _finally = PushOnDrop(t.clone(), "finishing g");
        push(&t, "starting g");
        yield_from!(Counting {
            next: 0,
            end: n,
            t: t.clone(),
        });
        push(&t, "g should not be here");
    }
}

#[test]
fn delegation_to_range_yields_each_item() {
    let t = new_trace();
    for x in y11::range3() {
        push(&t, format!("Yielded {x}"));
    }
    assert_eq!(
        entries(&t),
        strings(&["Yielded 0", "Yielded 1", "Yielded 2"])
    );
}

#[test]
fn resume_with_unit_drives_an_iterable_delegate_like_next() {
    // Python: `gi.send(None)` three times gives 0, 1, 2 (send(None) is next()).
    let mut g = pin!(y11::range3());
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(()), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Yielded(2));
    assert_eq!(g.as_mut().resume(()), Complete(()));
}

#[test]
fn delegation_to_chars_and_vec_yields_in_order_and_evaluates_to_unit() {
    let mut g = pin!(y11::chars());
    let (yielded, ret) = drain(g.as_mut());
    assert_eq!(yielded.into_iter().collect::<String>(), "<ABcd>");
    assert_eq!(ret, "done");
}

#[test]
fn delegation_to_empty_iterable_completes_at_once() {
    let mut g = pin!(y11::empty());
    assert_eq!(g.as_mut().start(), Complete("empty"));
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn close_while_delegating_to_iterator_drops_it_then_runs_delegator_cleanup() {
    let t = new_trace();
    let mut g = pin!(y11::over_iterator(t.clone(), 3));
    assert_eq!(g.as_mut().start(), Yielded(0));
    g.as_mut().close();
    assert_eq!(
        entries(&t),
        strings(&["starting g", "iterator dropped at 1", "finishing g"])
    );
}

#[test]
fn drop_while_delegating_to_iterator_drops_it_then_runs_delegator_cleanup() {
    let t = new_trace();
    {
        let mut g = Box::pin(y11::over_iterator(t.clone(), 10));
        for expected in 0..5 {
            let step = if expected == 0 {
                g.as_mut().start()
            } else {
                g.as_mut().resume(())
            };
            assert_eq!(step, Yielded(expected));
        }
    }
    assert_eq!(
        entries(&t),
        strings(&["starting g", "iterator dropped at 5", "finishing g"])
    );
}

// ---------------------------------------------------------------------------------------
// Y16: hand-written generators
// ---------------------------------------------------------------------------------------

mod y16 {
    use super::*;

    pub type Four = (i32, i32, i32, i32);

    /// Python's `MyGen`: `next` gives 42, `send(what)` records `what`. Here the send also
    /// completes it with a return value.
    pub struct MyGen {
        pub status: Status,
        pub got: Rc<RefCell<Option<Four>>>,
        pub t: Trace,
    }

    impl Generator<Four> for MyGen {
        type Yield = i32;
        type Return = &'static str;

        fn start(self: Pin<&mut Self>) -> GeneratorState<i32, &'static str> {
            let this = self.get_mut();
            assert_eq!(this.status, Status::Created, "MyGen started twice");
            this.status = Status::Suspended;
            push(&this.t, "MyGen started");
            Yielded(42)
        }

        fn resume(self: Pin<&mut Self>, what: Four) -> GeneratorState<i32, &'static str> {
            let this = self.get_mut();
            assert_eq!(this.status, Status::Suspended, "MyGen resumed out of turn");
            *this.got.borrow_mut() = Some(what);
            this.status = Status::Closed;
            push(&this.t, "MyGen received");
            Complete("MyGen returned")
        }

        fn close(self: Pin<&mut Self>) {
            self.get_mut().status = Status::Closed;
        }

        fn status(&self) -> Status {
            self.status
        }
    }

    impl Drop for MyGen {
        fn drop(&mut self) {
            push(&self.t, "MyGen dropped");
        }
    }

    /// Python's `MyIter`: the first `next` raises `StopIteration(42)`.
    pub struct MyIter {
        pub status: Status,
    }

    impl Generator for MyIter {
        type Yield = i32;
        type Return = i32;

        fn start(self: Pin<&mut Self>) -> GeneratorState<i32, i32> {
            let this = self.get_mut();
            assert_eq!(this.status, Status::Created);
            this.status = Status::Closed;
            Complete(42)
        }

        fn resume(self: Pin<&mut Self>, (): ()) -> GeneratorState<i32, i32> {
            panic!("MyIter resumed after it completed")
        }

        fn close(self: Pin<&mut Self>) {
            self.get_mut().status = Status::Closed;
        }

        fn status(&self) -> Status {
            self.status
        }
    }

    #[generator(yield = i32, send = Four)]
    pub fn outer(t: Trace, got: Rc<RefCell<Option<Four>>>, boxed: bool) -> &'static str {
        let _finally = PushOnDrop(t.clone(), "outer finishing");
        let sub = MyGen {
            status: Status::Created,
            got,
            t: t.clone(),
        };
        let v = if boxed {
            yield_from!(Box::pin(sub))
        } else {
            yield_from!(sub)
        };
        push(&t, format!("outer got {v}"));
        v
    }

    #[generator(yield = i32)]
    pub fn gen_my_iter(boxed: bool) -> i32 {
        if boxed {
            yield_from!(Box::pin(MyIter {
                status: Status::Created
            }))
        } else {
            yield_from!(MyIter {
                status: Status::Created
            })
        }
    }
}

#[test]
fn hand_written_generator_receives_sent_tuple_intact_and_its_return_is_the_value() {
    for boxed in [false, true] {
        let t = new_trace();
        let got = Rc::new(RefCell::new(None));
        let mut g = pin!(y16::outer(t.clone(), got.clone(), boxed));
        assert_eq!(g.as_mut().start(), Yielded(42));
        assert_eq!(*got.borrow(), None);
        assert_eq!(g.as_mut().resume((1, 2, 3, 4)), Complete("MyGen returned"));
        assert_eq!(*got.borrow(), Some((1, 2, 3, 4)));
        assert_eq!(
            entries(&t),
            strings(&[
                "MyGen started",
                "MyGen received",
                "MyGen dropped",
                "outer got MyGen returned",
                "outer finishing",
            ]),
            "boxed delegate: {boxed}"
        );
    }
}

#[test]
fn hand_written_generator_that_completes_at_once_gives_its_return_value() {
    for boxed in [false, true] {
        let mut g = pin!(y16::gen_my_iter(boxed));
        assert_eq!(drain(g.as_mut()), (vec![], 42), "boxed delegate: {boxed}");
    }
}

#[test]
fn closing_delegator_drops_hand_written_delegate_before_its_own_cleanup() {
    for boxed in [false, true] {
        let t = new_trace();
        let got = Rc::new(RefCell::new(None));
        let mut g = pin!(y16::outer(t.clone(), got.clone(), boxed));
        assert_eq!(g.as_mut().start(), Yielded(42));
        g.as_mut().close();
        assert_eq!(*got.borrow(), None);
        assert_eq!(
            entries(&t),
            strings(&["MyGen started", "MyGen dropped", "outer finishing"]),
            "boxed delegate: {boxed}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Y18-style: after any terminal outcome, resuming panics
// ---------------------------------------------------------------------------------------

fn assert_resume_panics_closed<G: Generator<Result<(), E>> + ?Sized>(mut g: Pin<&mut G>) {
    assert_eq!(g.status(), Status::Closed);
    let message = expect_panic(|| g.as_mut().resume(Ok(())));
    assert!(message.contains("is closed"), "{message}");
    let message = expect_panic(|| g.as_mut().start());
    assert!(message.contains("is closed"), "{message}");
    let message = expect_panic(|| g.as_mut().throw(E::Value("late")));
    assert!(message.contains("is closed"), "{message}");
}

mod y18 {
    use super::*;

    #[generator(yield = &'static str, send = Result<(), E>)]
    pub fn outer(t: Trace, panic_inside: bool) -> Result<&'static str, E> {
        let _finally = PushOnDrop(t.clone(), "outer finishing");
        yield_from!(inner(t.clone(), panic_inside))
    }

    #[generator(yield = &'static str, send = Result<(), E>)]
    fn inner(t: Trace, panic_inside: bool) -> Result<&'static str, E> {
        let _finally = PushOnDrop(t.clone(), "inner finishing");
        yield_!("first")?;
        if panic_inside {
            panic!("inner body panicked");
        }
        Ok("returned")
    }
}

#[test]
fn resume_after_any_terminal_outcome_of_a_delegating_generator_panics() {
    // Completed normally.
    let t = new_trace();
    let mut g = pin!(y18::outer(t.clone(), false));
    assert_eq!(g.as_mut().start(), Yielded("first"));
    assert_eq!(g.as_mut().resume(Ok(())), Complete(Ok("returned")));
    assert_resume_panics_closed(g.as_mut());

    // Completed by a thrown error coming back out.
    let t = new_trace();
    let mut g = pin!(y18::outer(t.clone(), false));
    assert_eq!(g.as_mut().start(), Yielded("first"));
    assert_eq!(
        g.as_mut().throw(E::Value("boom")),
        Complete(Err(E::Value("boom")))
    );
    assert_resume_panics_closed(g.as_mut());

    // Closed while delegating.
    let t = new_trace();
    let mut g = pin!(y18::outer(t.clone(), false));
    assert_eq!(g.as_mut().start(), Yielded("first"));
    g.as_mut().close();
    assert_resume_panics_closed(g.as_mut());
    assert_eq!(
        entries(&t),
        strings(&["inner finishing", "outer finishing"])
    );

    // Closed before it started: no body code runs.
    let t = new_trace();
    let mut g = pin!(y18::outer(t.clone(), false));
    g.as_mut().close();
    assert_resume_panics_closed(g.as_mut());
    assert_eq!(entries(&t), Vec::<String>::new());

    // Ended by a panic in the subgenerator's body.
    let t = new_trace();
    let mut g = pin!(y18::outer(t.clone(), true));
    assert_eq!(g.as_mut().start(), Yielded("first"));
    let message = expect_panic(|| g.as_mut().resume(Ok(())));
    assert_eq!(message, "inner body panicked");
    assert_eq!(
        entries(&t),
        strings(&["inner finishing", "outer finishing"])
    );
    assert_resume_panics_closed(g.as_mut());
    assert_eq!(entries(&t).len(), 2, "nothing finalized twice");
}

// ---------------------------------------------------------------------------------------
// Delegating to Pin<&mut G>, Pin<Box<G>>, Pin<Box<dyn Generator>>
// ---------------------------------------------------------------------------------------

mod pinned {
    use super::*;

    #[generator(yield = i32, send = i32)]
    pub fn echo(t: Trace, name: &'static str, n: i32) -> String {
        let _finally = PushOnDrop(t.clone(), name);
        let mut got = Vec::new();
        for i in 0..n {
            got.push(yield_!(i));
        }
        format!("{name} got {got:?}")
    }

    #[generator(yield = i32, send = i32)]
    pub fn via_pin_mut(t: Trace) -> (String, Status) {
        let mut sub = pin!(echo(t.clone(), "pinned sub", 2));
        let r = yield_from!(sub.as_mut());
        // The delegate ran to completion in place: it is closed, and still here.
        (r, sub.status())
    }

    #[generator(yield = i32, send = i32)]
    pub fn via_pin_box(t: Trace) -> String {
        let sub: Pin<Box<_>> = Box::pin(echo(t.clone(), "boxed sub", 2));
        yield_from!(sub)
    }

    #[generator(yield = i32, send = i32)]
    pub fn via_dyn(t: Trace) -> String {
        let sub: Pin<Box<DynEcho>> = Box::pin(echo(t.clone(), "dyn sub", 2));
        yield_from!(sub)
    }

    #[generator(yield = i32, send = i32)]
    pub fn via_dyn_traced(t: Trace) -> String {
        let _finally = PushOnDrop(t.clone(), "via_dyn finishing");
        let sub: Pin<Box<DynEcho>> = Box::pin(echo(t.clone(), "dyn sub", 2));
        yield_from!(sub)
    }

    #[generator(yield = i32)]
    fn one_two() {
        yield_!(1);
        yield_!(2);
    }

    /// Delegates, in turn, to a boxed generator (a trampoline delegation).
    #[generator(yield = i32)]
    pub fn boxing(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "boxing finishing");
        yield_from!(Box::pin(one_two()));
    }

    #[generator(yield = i32)]
    fn borrowing<'a, G: Generator<Yield = i32, Return = ()>>(sub: Pin<&'a mut G>) {
        yield_from!(sub);
    }

    /// Delegates to `borrowing(sub)`, inline or boxed.
    #[generator(yield = i32)]
    pub fn over_borrowing<'a, G: Generator<Yield = i32, Return = ()>>(
        sub: Pin<&'a mut G>,
        boxed: bool,
    ) {
        if boxed {
            yield_from!(Box::pin(borrowing(sub)));
        } else {
            yield_from!(borrowing(sub));
        }
    }

    /// Delegates to a generator the caller pinned and passed in.
    #[generator(yield = i32, send = i32)]
    pub fn via_borrowed<'a, G: Generator<i32, Yield = i32, Return = String> + ?Sized>(
        sub: Pin<&'a mut G>,
    ) -> String {
        let r = yield_from!(sub);
        format!("borrowed: {r}")
    }
}

#[test]
fn delegation_to_pin_mut_of_generator_pinned_in_the_body() {
    let t = new_trace();
    let mut g = pin!(pinned::via_pin_mut(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(10), Yielded(1));
    assert_eq!(
        g.as_mut().resume(11),
        Complete(("pinned sub got [10, 11]".to_string(), Status::Closed))
    );
    assert_eq!(entries(&t), strings(&["pinned sub"]));
}

#[test]
fn delegation_to_pin_box_of_generator() {
    let t = new_trace();
    let mut g = pin!(pinned::via_pin_box(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(7), Yielded(1));
    assert_eq!(
        g.as_mut().resume(8),
        Complete("boxed sub got [7, 8]".to_string())
    );
    assert_eq!(entries(&t), strings(&["boxed sub"]));
}

/// The trait object the brief promises: `Pin<Box<dyn Generator<S, Yield = Y, Return = R>>>`.
type DynEcho = dyn Generator<i32, Yield = i32, Return = String>;

#[test]
fn delegation_to_pin_box_dyn_generator() {
    let t = new_trace();
    let mut g = pin!(pinned::via_dyn(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(5), Yielded(1));
    assert_eq!(
        g.as_mut().resume(6),
        Complete("dyn sub got [5, 6]".to_string())
    );
    assert_eq!(entries(&t), strings(&["dyn sub"]));
}

#[test]
fn dyn_delegator_closed_while_delegating_to_dyn_delegate_finalizes_innermost_first() {
    let t = new_trace();
    let mut g: Pin<Box<DynEcho>> = Box::pin(pinned::via_dyn_traced(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(1), Yielded(1));
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&t), strings(&["dyn sub", "via_dyn finishing"]));
}

#[test]
fn delegation_to_pin_mut_dyn_generator_borrowed_from_the_caller() {
    let t = new_trace();
    let mut sub = pin!(pinned::echo(t.clone(), "caller's dyn sub", 1));
    {
        let sub: Pin<&mut DynEcho> = sub.as_mut();
        let mut g = pin!(pinned::via_borrowed(sub));
        assert_eq!(g.as_mut().start(), Yielded(0));
        assert_eq!(
            g.as_mut().resume(3),
            Complete("borrowed: caller's dyn sub got [3]".to_string())
        );
    }
    assert_eq!(sub.status(), Status::Closed);
    assert_eq!(entries(&t), strings(&["caller's dyn sub"]));
}

#[test]
fn delegation_to_a_generator_borrowed_from_the_caller_leaves_it_closed() {
    let t = new_trace();
    let mut sub = pin!(pinned::echo(t.clone(), "caller's sub", 1));
    {
        let mut g = pin!(pinned::via_borrowed(sub.as_mut()));
        assert_eq!(g.as_mut().start(), Yielded(0));
        assert_eq!(
            g.as_mut().resume(3),
            Complete("borrowed: caller's sub got [3]".to_string())
        );
    }
    assert_eq!(sub.status(), Status::Closed);
    assert_eq!(entries(&t), strings(&["caller's sub"]));
}

/// A delegator only borrows a `Pin<&mut G>` delegate: dropping the delegator leaves the
/// caller's generator suspended where it was, resumable. That holds when nothing is boxed;
/// it must not depend on whether the delegator runs the delegate on a trampoline.
#[test]
fn dropping_a_delegator_leaves_a_borrowed_delegate_resumable_boxed_or_not() {
    for boxed in [false, true] {
        let t = new_trace();
        let mut sub = pin!(pinned::boxing(t.clone()));
        {
            let mut g = pin!(pinned::over_borrowing(sub.as_mut(), boxed));
            assert_eq!(g.as_mut().start(), Yielded(1));
        }
        assert_eq!(sub.status(), Status::Suspended, "boxed delegator: {boxed}");
        let next = catch_unwind(AssertUnwindSafe(|| sub.as_mut().resume(()))).map_err(panic_text);
        assert_eq!(next, Ok(Yielded(2)), "boxed delegator: {boxed}");
        assert_eq!(sub.as_mut().resume(()), Complete(()));
        assert_eq!(entries(&t), strings(&["boxing finishing"]));
    }
}

#[test]
fn closing_delegator_of_pinned_forms_finalizes_the_delegate() {
    let t = new_trace();
    let mut g = pin!(pinned::via_pin_mut(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    g.as_mut().close();
    assert_eq!(entries(&t), strings(&["pinned sub"]));

    let t = new_trace();
    let mut g = pin!(pinned::via_pin_box(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    g.as_mut().close();
    assert_eq!(entries(&t), strings(&["boxed sub"]));

    let t = new_trace();
    let mut g = pin!(pinned::via_dyn(t.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    g.as_mut().close();
    assert_eq!(entries(&t), strings(&["dyn sub"]));
}

// ---------------------------------------------------------------------------------------
// Shapes: empty subgenerators, nesting, chaining, yield_from! as a subexpression
// ---------------------------------------------------------------------------------------

mod shapes {
    use super::*;

    #[generator(yield = &'static str)]
    fn nothing(t: Trace, value: i32) -> i32 {
        push(&t, format!("nothing ran, returning {value}"));
        value
    }

    #[generator(yield = &'static str)]
    pub fn around_nothing(t: Trace) -> i32 {
        let a = yield_from!(nothing(t.clone(), 1));
        let b = yield_from!(Box::pin(nothing(t.clone(), 2)));
        push(&t, format!("got {a} and {b}"));
        yield_!("after");
        a + b
    }

    #[generator(yield = &'static str)]
    fn a(t: Trace) -> i32 {
        push(&t, "a starts");
        yield_!("a1");
        yield_!("a2");
        push(&t, "a returns 10");
        10
    }

    #[generator(yield = &'static str)]
    fn b(t: Trace) -> i32 {
        push(&t, "b starts");
        yield_!("b1");
        push(&t, "b returns 32");
        32
    }

    #[generator(yield = &'static str)]
    pub fn sum_of_two(t: Trace) -> i32 {
        let x = yield_from!(a(t.clone())) + yield_from!(b(t.clone()));
        x
    }

    #[generator(yield = &'static str)]
    pub fn sum_of_two_boxed(t: Trace) -> i32 {
        let x = yield_from!(Box::pin(a(t.clone()))) * 100 + yield_from!(Box::pin(b(t.clone())));
        x
    }

    #[generator(yield = String, send = i32)]
    fn leaf(t: Trace, name: &'static str) -> i32 {
        push(&t, format!("{name} start"));
        let x = yield_!(format!("{name} y1"));
        let y = yield_!(format!("{name} y2"));
        push(&t, format!("{name} got {x},{y}"));
        x + y
    }

    /// Two leaves in a row: one inline, one boxed.
    #[generator(yield = String, send = i32)]
    fn mid(t: Trace, name: &'static str) -> i32 {
        let l = yield_from!(leaf(t.clone(), if name == "m1" { "L1" } else { "L3" }));
        let r = yield_from!(Box::pin(leaf(
            t.clone(),
            if name == "m1" { "L2" } else { "L4" }
        )));
        push(&t, format!("{name} returns {}", l * 1000 + r));
        l * 1000 + r
    }

    /// Boxed `mid` inside an inline frame.
    #[generator(yield = String, send = i32)]
    fn upper(t: Trace, name: &'static str) -> i32 {
        let m = yield_from!(Box::pin(mid(t.clone(), name)));
        m + 1
    }

    /// top -> upper (inline) -> mid (boxed) -> leaf (inline, then boxed); then again with
    /// the middle levels swapped: top -> mid (boxed) -> ... .
    #[generator(yield = String, send = i32)]
    pub fn top(t: Trace) -> (i32, i32) {
        let first = yield_from!(upper(t.clone(), "m1"));
        let second = yield_from!(Box::pin(upper(t.clone(), "m2")));
        let mark = yield_!("top y".to_string());
        push(&t, format!("top got {mark}"));
        (first, second)
    }
}

#[test]
fn subgenerator_that_completes_at_once_yields_nothing_and_gives_its_value() {
    let t = new_trace();
    let mut g = pin!(shapes::around_nothing(t.clone()));
    // The first start runs through both empty delegations to the first real yield.
    assert_eq!(g.as_mut().start(), Yielded("after"));
    assert_eq!(
        entries(&t),
        strings(&[
            "nothing ran, returning 1",
            "nothing ran, returning 2",
            "got 1 and 2"
        ])
    );
    assert_eq!(g.as_mut().resume(()), Complete(3));
}

#[test]
fn yield_from_as_subexpression_evaluates_left_to_right() {
    let t = new_trace();
    let mut g = pin!(shapes::sum_of_two(t.clone()));
    let (yielded, ret) = drain(g.as_mut());
    assert_eq!(yielded, ["a1", "a2", "b1"]);
    assert_eq!(ret, 42);
    assert_eq!(
        entries(&t),
        strings(&["a starts", "a returns 10", "b starts", "b returns 32"])
    );

    let t = new_trace();
    let mut g = pin!(shapes::sum_of_two_boxed(t.clone()));
    let (yielded, ret) = drain(g.as_mut());
    assert_eq!(yielded, ["a1", "a2", "b1"]);
    assert_eq!(ret, 1032);
    assert_eq!(
        entries(&t),
        strings(&["a starts", "a returns 10", "b starts", "b returns 32"])
    );
}

/// `yield_from!(a) * 100 + ..` and `yield_!(v) + 1` written at the start of a statement or
/// of a block's tail expression, where a Rust macro call with parentheses is an operand
/// like any other expression. Compiled as its own program: if the lowering turns the call
/// into a statement, this is a type error, which must not hide the rest of this file.
#[test]
fn yield_points_at_the_start_of_a_tail_expression_are_operands() {
    let mut g = pin!(tail::tail());
    assert_eq!(g.as_mut().start(), Yielded("a1"));
    assert_eq!(g.as_mut().resume(()), Yielded("b1"));
    assert_eq!(g.as_mut().resume(()), Complete(1032));
    let mut g = pin!(tail::plus_one());
    assert_eq!(g.as_mut().start(), Yielded("x"));
    assert_eq!(g.as_mut().resume(41), Complete(42));
}

mod tail {
    use super::*;

    #[generator(yield = &'static str)]
    fn a() -> i32 {
        yield_!("a1");
        10
    }

    #[generator(yield = &'static str)]
    fn b() -> i32 {
        yield_!("b1");
        32
    }

    #[generator(yield = &'static str)]
    pub fn tail() -> i32 {
        yield_from!(a()) * 100 + yield_from!(b())
    }

    #[generator(yield = &'static str, send = i32)]
    pub fn plus_one() -> i32 {
        yield_!("x") + 1
    }
}

#[test]
fn nested_and_chained_delegation_mixing_boxed_and_inline_routes_values_and_returns() {
    let t = new_trace();
    let mut g = pin!(shapes::top(t.clone()));
    let mut yielded = Vec::new();
    let mut step = g.as_mut().start();
    let mut send = 1;
    let ret = loop {
        match step {
            Yielded(y) => yielded.push(y),
            Complete(r) => break r,
        }
        step = g.as_mut().resume(send);
        send += 1;
    };
    assert_eq!(
        yielded,
        [
            "L1 y1", "L1 y2", "L2 y1", "L2 y2", "L3 y1", "L3 y2", "L4 y1", "L4 y2", "top y"
        ]
    );
    // Sends 1..=9 in order: L1 gets 1,2; L2 3,4; L3 5,6; L4 7,8; top 9.
    assert_eq!(ret, (3 * 1000 + 7 + 1, 11 * 1000 + 15 + 1));
    assert_eq!(
        entries(&t),
        strings(&[
            "L1 start",
            "L1 got 1,2",
            "L2 start",
            "L2 got 3,4",
            "m1 returns 3007",
            "L3 start",
            "L3 got 5,6",
            "L4 start",
            "L4 got 7,8",
            "m2 returns 11015",
            "top got 9",
        ])
    );
}

// ---------------------------------------------------------------------------------------
// The notes' coroutines: accumulate / sum_coroutine, and throw(RuntimeError)
// ---------------------------------------------------------------------------------------

mod notes {
    use super::*;

    /// `x = (yield total); if x is None: return total`.
    #[generator(yield = i32, send = Option<i32>)]
    fn accumulate() -> i32 {
        let mut total = 0;
        loop {
            match yield_!(total) {
                None => return total,
                Some(x) => total += x,
            }
        }
    }

    /// `while True: total = yield from accumulate(); print(total)`.
    #[generator(yield = i32, send = Option<i32>)]
    pub fn sum_coroutine(t: Trace, boxed: bool) {
        loop {
            let total = if boxed {
                yield_from!(Box::pin(accumulate()))
            } else {
                yield_from!(accumulate())
            };
            push(&t, total.to_string());
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct RuntimeError(pub &'static str);

    /// `try: while True: x = (yield); total += x  except RuntimeError as e: print(e);
    /// yield total`.
    #[generator(yield = Option<i32>, send = Result<i32, RuntimeError>)]
    pub fn summing(t: Trace) {
        let mut total = 0;
        loop {
            match yield_!(None) {
                Ok(x) => total += x,
                Err(e) => {
                    push(&t, e.0);
                    // Whatever is sent next only ends the coroutine.
                    let _ = yield_!(Some(total));
                    return;
                }
            }
        }
    }

    #[generator(yield = Option<i32>, send = Result<i32, RuntimeError>)]
    pub fn delegating_summing(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "delegator finishing");
        yield_from!(summing(t.clone()));
        push(&t, "delegator resumed after summing");
    }
}

#[test]
fn accumulate_running_totals_then_none_ends_it_and_delegator_receives_the_total() {
    for boxed in [false, true] {
        let t = new_trace();
        let mut co = pin!(notes::sum_coroutine(t.clone(), boxed));
        assert_eq!(co.as_mut().start(), Yielded(0));
        let totals: Vec<i32> = (1..=10)
            .map(|i| co.as_mut().resume(Some(i)).yielded().unwrap())
            .collect();
        assert_eq!(totals, [1, 3, 6, 10, 15, 21, 28, 36, 45, 55]);
        assert_eq!(entries(&t), Vec::<String>::new());
        // send(None): accumulate returns 55 to `yield from`, sum_coroutine prints it and
        // starts a new accumulate, whose first yield (0) is what send(None) returns.
        assert_eq!(co.as_mut().resume(None), Yielded(0));
        assert_eq!(entries(&t), strings(&["55"]));
        assert_eq!(co.as_mut().resume(Some(5)), Yielded(5));
        assert_eq!(co.as_mut().resume(None), Yielded(0));
        assert_eq!(
            entries(&t),
            strings(&["55", "5"]),
            "boxed delegate: {boxed}"
        );
    }
}

#[test]
fn thrown_runtime_error_is_caught_by_the_coroutine_which_yields_its_total() {
    // Directly, as in the notes.
    let t = new_trace();
    let mut co = pin!(notes::summing(t.clone()));
    assert_eq!(co.as_mut().start(), Yielded(None));
    for i in 0..5 {
        assert_eq!(co.as_mut().resume(Ok(i)), Yielded(None));
    }
    assert_eq!(
        co.as_mut().throw(notes::RuntimeError("코루틴 종료")),
        Yielded(Some(10))
    );
    assert_eq!(entries(&t), strings(&["코루틴 종료"]));

    // Through a delegator: the error reaches the subgenerator, which catches it.
    let t = new_trace();
    let mut co = pin!(notes::delegating_summing(t.clone()));
    assert_eq!(co.as_mut().start(), Yielded(None));
    for i in 0..5 {
        assert_eq!(co.as_mut().resume(Ok(i)), Yielded(None));
    }
    assert_eq!(
        co.as_mut().throw(notes::RuntimeError("코루틴 종료")),
        Yielded(Some(10))
    );
    assert_eq!(co.status(), Status::Suspended);
    assert_eq!(entries(&t), strings(&["코루틴 종료"]));
    assert_eq!(co.as_mut().resume(Ok(0)), Complete(()));
    assert_eq!(
        entries(&t),
        strings(&[
            "코루틴 종료",
            "delegator resumed after summing",
            "delegator finishing"
        ])
    );
}

// ---------------------------------------------------------------------------------------
// Recursion: G15 binary tree, and a 10,000-deep chain on the trampoline
// ---------------------------------------------------------------------------------------

mod tree {
    use super::*;

    pub struct Tree {
        label: char,
        left: Option<Box<Tree>>,
        right: Option<Box<Tree>>,
    }

    /// Guido's `tree(list)`: the middle element at the root.
    pub fn tree(list: &[char]) -> Option<Box<Tree>> {
        if list.is_empty() {
            return None;
        }
        let i = list.len() / 2;
        Some(Box::new(Tree {
            label: list[i],
            left: tree(&list[..i]),
            right: tree(&list[i + 1..]),
        }))
    }

    #[generator(yield = char)]
    pub fn inorder<'a>(t: Option<&'a Tree>) {
        if let Some(t) = t {
            yield_from!(Box::pin(inorder(t.left.as_deref())));
            yield_!(t.label);
            yield_from!(Box::pin(inorder(t.right.as_deref())));
        }
    }

    /// An arena tree, so that a 10,000-deep tree is not dropped recursively by the test.
    pub struct Node {
        pub label: u32,
        pub left: Option<usize>,
        pub right: Option<usize>,
    }

    #[generator(yield = u32)]
    pub fn inorder_arena<'a>(nodes: &'a [Node], at: Option<usize>, depth: Rc<Cell<usize>>) {
        if let Some(i) = at {
            let node = &nodes[i];
            // The deepest live frame count, to show the chain really is this deep.
            depth.set(depth.get().max(i + 1));
            yield_from!(Box::pin(inorder_arena(nodes, node.left, depth.clone())));
            yield_!(node.label);
            yield_from!(Box::pin(inorder_arena(nodes, node.right, depth.clone())));
        }
    }

    /// Node `i` has node `i + 1` as its only (left or right) child; in-order labels 0..n.
    pub fn degenerate(n: usize, left: bool) -> Vec<Node> {
        (0..n)
            .map(|i| {
                let child = (i + 1 < n).then_some(i + 1);
                Node {
                    label: if left { (n - 1 - i) as u32 } else { i as u32 },
                    left: if left { child } else { None },
                    right: if left { None } else { child },
                }
            })
            .collect()
    }
}

#[test]
fn recursive_inorder_walk_of_binary_tree_yields_a_to_z() {
    let letters: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars().collect();
    let root = tree::tree(&letters);
    let walked: String = tree::inorder(root.as_deref()).into_iter().collect();
    assert_eq!(walked, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

#[test]
fn recursive_walk_of_10000_deep_degenerate_tree_does_not_overflow_the_stack() {
    // See `DEPTH` in tests/protocol.rs: shallower under miri, which is slow.
    const N: usize = if cfg!(miri) { 200 } else { 10_000 };
    for left in [true, false] {
        let nodes = tree::degenerate(N, left);
        let depth = Rc::new(Cell::new(0));
        let mut g = pin!(tree::inorder_arena(&nodes, Some(0), depth.clone()));
        let mut expected = 0;
        for label in g.as_mut().iter() {
            assert_eq!(label, expected, "left-deep: {left}");
            expected += 1;
        }
        assert_eq!(expected, N as u32, "left-deep: {left}");
        assert_eq!(depth.get(), N, "left-deep: {left}");
    }
}

#[test]
fn dropping_a_10000_deep_suspended_recursive_chain_does_not_overflow_the_stack() {
    // See `DEPTH` in tests/protocol.rs: shallower under miri, which is slow.
    const N: usize = if cfg!(miri) { 200 } else { 10_000 };
    let nodes = tree::degenerate(N, true);
    let depth = Rc::new(Cell::new(0));
    let mut g = Box::pin(tree::inorder_arena(&nodes, Some(0), depth.clone()));
    // Left-deep: the first item comes from the deepest frame; all N frames are live.
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(()), Yielded(1));
    assert_eq!(depth.get(), N);
    drop(g);
}

// ---------------------------------------------------------------------------------------
// Misuse
// ---------------------------------------------------------------------------------------

mod misuse {
    use super::*;

    #[generator(yield = i32)]
    pub fn two(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "sub finishing");
        yield_!(1);
        yield_!(2);
    }

    pub const OVER_STARTED_BOXED_LINE: u32 = line!() + 6;
    #[generator(yield = i32)]
    pub fn over_started_boxed(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "delegator finishing");
        let mut sub = Box::pin(two(t.clone()));
        assert_eq!(sub.as_mut().start(), Yielded(1));
        yield_from!(sub);
        push(&t, "delegator should not be here");
    }

    #[generator(yield = i32, send = i32)]
    pub fn echo(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "sub finishing");
        let mut x = yield_!(1);
        while x != 0 {
            x = yield_!(x);
        }
    }

    pub const OVER_STARTED_ECHO_LINE: u32 = line!() + 6;
    #[generator(yield = i32, send = i32)]
    pub fn over_started_echo(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "delegator finishing");
        let mut sub = pin!(echo(t.clone()));
        assert_eq!(sub.as_mut().start(), Yielded(1));
        yield_from!(sub.as_mut());
        push(&t, "delegator should not be here");
    }

    #[generator(yield = i32)]
    pub fn over_closed(t: Trace, boxed: bool) {
        let _finally = PushOnDrop(t.clone(), "delegator finishing");
        if boxed {
            let mut sub = Box::pin(two(t.clone()));
            sub.as_mut().close();
            yield_from!(sub);
        } else {
            let mut sub = pin!(two(t.clone()));
            assert_eq!(drain(sub.as_mut()), (vec![1, 2], ()));
            yield_from!(sub.as_mut());
        }
        push(&t, "delegator should not be here");
    }

    #[generator(yield = i32)]
    pub fn over_borrowed<'a, G: Generator<Yield = i32, Return = ()>>(sub: Pin<&'a mut G>) {
        yield_from!(sub);
    }
}

#[test]
fn yield_from_over_a_started_boxed_generator_panics_at_the_yield_from_line() {
    let t = new_trace();
    let mut g = pin!(misuse::over_started_boxed(t.clone()));
    let (message, line) = expect_panic_at(|| g.as_mut().start());
    assert!(
        message.contains("yield_from!")
            && message.contains("already started")
            && message.contains("yield_from!(boxed.as_mut())"),
        "{message}"
    );
    assert_eq!(line, misuse::OVER_STARTED_BOXED_LINE);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&t),
        strings(&["sub finishing", "delegator finishing"])
    );
}

#[test]
fn yield_from_over_a_started_generator_with_a_send_type_panics_at_the_yield_from_line() {
    let t = new_trace();
    let mut g = pin!(misuse::over_started_echo(t.clone()));
    let (message, line) = expect_panic_at(|| g.as_mut().start());
    assert!(
        message.contains("already started")
            && message.contains("send = ()")
            && message.contains("before its first step")
            && message.contains("by hand"),
        "{message}"
    );
    assert_eq!(line, misuse::OVER_STARTED_ECHO_LINE);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&t),
        strings(&["sub finishing", "delegator finishing"])
    );
}

#[test]
fn yield_from_over_a_closed_generator_panics_with_a_clear_message() {
    for boxed in [false, true] {
        let t = new_trace();
        let mut g = pin!(misuse::over_closed(t.clone(), boxed));
        let message = expect_panic(|| g.as_mut().start());
        assert!(
            message.contains("yield_from!") && message.contains("closed"),
            "boxed: {boxed}: {message}"
        );
        assert_eq!(g.status(), Status::Closed);
        let trace = entries(&t);
        assert_eq!(
            trace.last().map(String::as_str),
            Some("delegator finishing"),
            "boxed: {boxed}"
        );
        assert!(
            !trace.contains(&"delegator should not be here".to_string()),
            "boxed: {boxed}"
        );
    }
}

#[test]
fn yield_from_misuse_panics_before_touching_the_delegate() {
    #[generator(yield = i32, send = i32)]
    fn over_borrowed_echo<'a, G: Generator<i32, Yield = i32, Return = ()>>(sub: Pin<&'a mut G>) {
        yield_from!(sub);
    }
    let t = new_trace();
    let mut sub = pin!(misuse::echo(t.clone()));
    assert_eq!(sub.as_mut().start(), Yielded(1));
    {
        let mut g = pin!(over_borrowed_echo(sub.as_mut()));
        let message = expect_panic(|| g.as_mut().start());
        assert!(message.contains("already started"), "{message}");
    }
    // The started delegate was neither resumed nor closed by the failed delegation.
    assert_eq!(sub.status(), Status::Suspended);
    assert_eq!(entries(&t), Vec::<String>::new());
    assert_eq!(sub.as_mut().resume(7), Yielded(7));
}

#[test]
fn yield_from_resumes_a_started_unit_generator_where_it_is_suspended() {
    // PEP 380: `_y = next(_i)`; a generator that already started continues from its yield.
    let t = new_trace();
    let mut sub = pin!(misuse::two(t.clone()));
    assert_eq!(sub.as_mut().start(), Yielded(1));
    let mut g = pin!(misuse::over_borrowed(sub.as_mut()));
    assert_eq!(g.as_mut().start(), Yielded(2));
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(entries(&t), strings(&["sub finishing"]));
}

#[test]
fn yield_from_over_a_started_unit_generator_that_completes_at_once_returns_its_value() {
    #[generator(yield = i32)]
    fn one_then(t: Trace) -> &'static str {
        yield_!(1);
        push(&t, "sub resumed");
        "sub's return"
    }
    #[generator(yield = i32)]
    fn relay<'a, G: Generator<Yield = i32, Return = &'static str>>(
        t: Trace,
        sub: Pin<&'a mut G>,
    ) -> &'static str {
        push(&t, "delegating");
        let value = yield_from!(sub);
        push(&t, format!("got {value:?}"));
        value
    }
    let t = new_trace();
    let mut sub = pin!(one_then(t.clone()));
    assert_eq!(sub.as_mut().start(), Yielded(1));
    let mut g = pin!(relay(t.clone(), sub.as_mut()));
    assert_eq!(g.as_mut().start(), Complete("sub's return"));
    assert_eq!(
        entries(&t),
        strings(&["delegating", "sub resumed", "got \"sub's return\""])
    );
}

#[test]
fn pep380_finalization_a_subiterator_shared_by_two_delegators_outlives_the_first() {
    // PEP 380, "Finalization": closing a delegator must not finalize a subiterator that is
    // referenced elsewhere. The first delegator takes two items and is dropped; the second
    // goes on with the same, already started, subgenerator.
    #[generator(yield = i32)]
    fn numbers(t: Trace) {
        let _finally = PushOnDrop(t.clone(), "numbers finishing");
        for i in 1..=4 {
            yield_!(i);
        }
    }
    #[generator(yield = i32)]
    fn delegator<'a, G: Generator<Yield = i32, Return = ()>>(
        t: Trace,
        name: &'static str,
        sub: Pin<&'a mut G>,
    ) {
        let finishing = if name == "first" {
            "first finishing"
        } else {
            "second finishing"
        };
        let _finally = PushOnDrop(t.clone(), finishing);
        yield_from!(sub);
        push(&t, format!("{name} done"));
    }
    let t = new_trace();
    let mut shared = pin!(numbers(t.clone()));
    {
        let mut first = pin!(delegator(t.clone(), "first", shared.as_mut()));
        assert_eq!(first.as_mut().start(), Yielded(1));
        assert_eq!(first.as_mut().resume(()), Yielded(2));
    }
    assert_eq!(shared.status(), Status::Suspended);
    let mut second = pin!(delegator(t.clone(), "second", shared.as_mut()));
    assert_eq!(second.as_mut().start(), Yielded(3));
    assert_eq!(second.as_mut().resume(()), Yielded(4));
    assert_eq!(second.as_mut().resume(()), Complete(()));
    assert_eq!(
        entries(&t),
        strings(&[
            "first finishing",
            "numbers finishing",
            "second done",
            "second finishing"
        ])
    );
}

// ---------------------------------------------------------------------------------------
// Drop accounting: every live local dropped exactly once, innermost first
// ---------------------------------------------------------------------------------------

mod ledger {
    use super::*;

    #[derive(Default)]
    pub struct Ledger {
        pub made: Cell<usize>,
        pub dropped: Cell<usize>,
        pub log: RefCell<Vec<&'static str>>,
    }

    pub type L = Rc<Ledger>;

    pub struct Counted {
        ledger: L,
        name: &'static str,
    }

    impl Counted {
        pub fn new(ledger: &L, name: &'static str) -> Self {
            ledger.made.set(ledger.made.get() + 1);
            Counted {
                ledger: ledger.clone(),
                name,
            }
        }
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            self.ledger.dropped.set(self.ledger.dropped.get() + 1);
            self.ledger.log.borrow_mut().push(self.name);
        }
    }

    #[derive(Clone, Copy, Debug)]
    pub struct Shape {
        /// l1 delegates to `Box::pin(l2(..))` instead of `l2(..)`.
        pub outer_boxed: bool,
        /// l2 delegates to `Box::pin(l3(..))` instead of `l3(..)`.
        pub inner_boxed: bool,
        /// l3 panics after making its second local instead of yielding 31.
        pub panic: bool,
        /// l3 panics after making its first local, before its first yield (while it is
        /// being started by the delegation).
        pub panic_first: bool,
    }

    pub const SHAPES: [(bool, bool); 4] =
        [(false, false), (false, true), (true, false), (true, true)];

    #[generator(yield = u32)]
    pub fn l1(l: L, shape: Shape) -> u32 {
        let _a = Counted::new(&l, "l1.a");
        yield_!(10);
        let _b = Counted::new(&l, "l1.b");
        let r = if shape.outer_boxed {
            yield_from!(Box::pin(l2(l.clone(), shape)))
        } else {
            yield_from!(l2(l.clone(), shape))
        };
        yield_!(11);
        r + 100
    }

    #[generator(yield = u32)]
    fn l2(l: L, shape: Shape) -> u32 {
        let _a = Counted::new(&l, "l2.a");
        yield_!(20);
        let _b = Counted::new(&l, "l2.b");
        let r = if shape.inner_boxed {
            yield_from!(Box::pin(l3(l.clone(), shape)))
        } else {
            yield_from!(l3(l.clone(), shape))
        };
        yield_!(21);
        r + 20
    }

    #[generator(yield = u32)]
    fn l3(l: L, shape: Shape) -> u32 {
        let _a = Counted::new(&l, "l3.a");
        if shape.panic_first {
            panic!("innermost body panicked while starting");
        }
        yield_!(30);
        let _b = Counted::new(&l, "l3.b");
        if shape.panic {
            panic!("innermost body panicked");
        }
        yield_!(31);
        3
    }

    /// Start `g` and resume it until it has yielded `until` (inclusive).
    pub fn advance<G: Generator<(), Yield = u32> + ?Sized>(mut g: Pin<&mut G>, until: u32) {
        let mut step = g.as_mut().start();
        loop {
            match step {
                Yielded(y) if y == until => return,
                Yielded(_) => step = g.as_mut().resume(()),
                Complete(_) => panic!("completed before yielding {until}"),
            }
        }
    }

    pub const ALL_INNERMOST_FIRST: [&str; 6] = ["l3.b", "l3.a", "l2.b", "l2.a", "l1.b", "l1.a"];
}

use ledger::{ALL_INNERMOST_FIRST, Ledger, SHAPES, Shape};

fn check_ledger(ledger: &Ledger, made: usize, order: &[&str], shape: Shape) {
    assert_eq!(ledger.made.get(), made, "{shape:?}: locals made");
    assert_eq!(
        ledger.dropped.get(),
        made,
        "{shape:?}: every local dropped exactly once"
    );
    assert_eq!(*ledger.log.borrow(), order, "{shape:?}: drop order");
}

#[test]
fn normal_completion_of_three_level_chain_drops_every_local_once_innermost_first() {
    for (outer_boxed, inner_boxed) in SHAPES {
        let shape = Shape {
            outer_boxed,
            inner_boxed,
            panic: false,
            panic_first: false,
        };
        let l = Rc::new(Ledger::default());
        let mut g = pin!(ledger::l1(l.clone(), shape));
        let (yielded, ret) = drain(g.as_mut());
        assert_eq!(yielded, [10, 20, 30, 31, 21, 11], "{shape:?}");
        assert_eq!(ret, 123, "{shape:?}");
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
    }
}

#[test]
fn close_while_delegating_three_levels_deep_drops_every_local_once_innermost_first() {
    for (outer_boxed, inner_boxed) in SHAPES {
        let shape = Shape {
            outer_boxed,
            inner_boxed,
            panic: false,
            panic_first: false,
        };
        let l = Rc::new(Ledger::default());
        let mut g = Box::pin(ledger::l1(l.clone(), shape));
        ledger::advance(g.as_mut(), 31);
        assert_eq!(l.dropped.get(), 0, "{shape:?}");
        g.as_mut().close();
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
        // Closing again and dropping the closed generator drop nothing more.
        g.as_mut().close();
        drop(g);
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
    }
}

#[test]
fn close_before_innermost_exists_drops_only_the_live_locals() {
    for (outer_boxed, inner_boxed) in SHAPES {
        let shape = Shape {
            outer_boxed,
            inner_boxed,
            panic: false,
            panic_first: false,
        };
        let l = Rc::new(Ledger::default());
        let mut g = pin!(ledger::l1(l.clone(), shape));
        ledger::advance(g.as_mut(), 20);
        g.as_mut().close();
        check_ledger(&l, 3, &["l2.a", "l1.b", "l1.a"], shape);
    }
}

#[test]
fn drop_while_delegating_three_levels_deep_drops_every_local_once_innermost_first() {
    for (outer_boxed, inner_boxed) in SHAPES {
        let shape = Shape {
            outer_boxed,
            inner_boxed,
            panic: false,
            panic_first: false,
        };
        let l = Rc::new(Ledger::default());
        let mut g = Box::pin(ledger::l1(l.clone(), shape));
        ledger::advance(g.as_mut(), 31);
        drop(g);
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
        // The same, pinned on the stack and dropped at the end of a scope.
        let l = Rc::new(Ledger::default());
        {
            let mut g = pin!(ledger::l1(l.clone(), shape));
            ledger::advance(g.as_mut(), 31);
        }
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
    }
}

#[test]
fn panic_in_innermost_body_drops_every_local_once_innermost_first() {
    for (outer_boxed, inner_boxed) in SHAPES {
        let shape = Shape {
            outer_boxed,
            inner_boxed,
            panic: true,
            panic_first: false,
        };
        let l = Rc::new(Ledger::default());
        let mut g = Box::pin(ledger::l1(l.clone(), shape));
        ledger::advance(g.as_mut(), 30);
        let message = expect_panic(|| g.as_mut().resume(()));
        assert_eq!(message, "innermost body panicked");
        assert_eq!(g.status(), Status::Closed, "{shape:?}");
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
        g.as_mut().close();
        drop(g);
        check_ledger(&l, 6, &ALL_INNERMOST_FIRST, shape);
    }
}

#[test]
fn panic_while_starting_innermost_drops_every_live_local_once_innermost_first() {
    for (outer_boxed, inner_boxed) in SHAPES {
        let shape = Shape {
            outer_boxed,
            inner_boxed,
            panic: false,
            panic_first: true,
        };
        let l = Rc::new(Ledger::default());
        let mut g = Box::pin(ledger::l1(l.clone(), shape));
        ledger::advance(g.as_mut(), 20);
        let message = expect_panic(|| g.as_mut().resume(()));
        assert_eq!(message, "innermost body panicked while starting");
        assert_eq!(g.status(), Status::Closed, "{shape:?}");
        let order = ["l3.a", "l2.b", "l2.a", "l1.b", "l1.a"];
        check_ledger(&l, 5, &order, shape);
        drop(g);
        check_ledger(&l, 5, &order, shape);
    }
}

// ---------------------------------------------------------------------------------------
// Operand temporaries, `dyn` recursion, nested generator fns
// ---------------------------------------------------------------------------------------

mod operands {
    use super::*;

    /// The operand's temporaries (the `String` here) live through the whole delegation, as
    /// they would in `for c in String::from("xy").chars()`.
    #[generator(yield = char)]
    pub fn from_a_temporary() {
        yield_from!(String::from("xy").chars());
    }

    /// Recursion through `Pin<Box<dyn Generator>>` runs on the trampoline too.
    #[generator(yield = u32)]
    pub fn countdown_dyn(n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        yield_!(n);
        let rest: Pin<Box<dyn Generator<Yield = u32, Return = u32>>> =
            Box::pin(countdown_dyn(n - 1));
        yield_from!(rest) + 1
    }

    /// A `#[generator]` fn nested in a generator body is its own generator.
    #[generator(yield = u32)]
    pub fn outer() {
        #[generator(yield = u32)]
        fn inner() {
            yield_!(1);
            yield_!(2);
        }
        yield_from!(inner());
        yield_!(3);
    }
}

#[test]
fn temporaries_in_the_operand_live_through_the_delegation() {
    assert_eq!(
        pin!(operands::from_a_temporary())
            .iter()
            .collect::<String>(),
        "xy"
    );
}

#[test]
fn recursion_through_boxed_dyn_generators_is_trampolined_and_returns_its_depth() {
    // Deep enough to overflow the native stack if each level nested a poll.
    const DEPTH: u32 = if cfg!(miri) { 200 } else { 10_000 };
    let mut g = pin!(operands::countdown_dyn(DEPTH));
    let mut iter = g.as_mut().iter();
    assert_eq!(iter.by_ref().count(), DEPTH as usize);
    assert_eq!(iter.take_return(), Some(DEPTH));
}

#[test]
fn a_generator_fn_nested_in_a_generator_body_is_its_own_generator() {
    assert_eq!(
        pin!(operands::outer()).iter().collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn yield_from_resumes_a_started_generator_that_is_itself_inside_a_boxed_delegation() {
    // The shared generator was started by hand and is suspended inside its own boxed
    // `yield_from!` (its trampoline parked): the delegator resumes it there.
    #[generator(yield = i32)]
    fn inner() {
        yield_!(1);
        yield_!(2);
    }
    #[generator(yield = i32)]
    fn outer() {
        yield_from!(Box::pin(inner()));
        yield_!(3);
    }
    #[generator(yield = i32)]
    fn relay<'a, G: Generator<Yield = i32, Return = ()>>(sub: Pin<&'a mut G>) {
        yield_from!(sub);
        yield_!(4);
    }
    let mut shared = pin!(outer());
    assert_eq!(shared.as_mut().start(), Yielded(1));
    let mut g = pin!(relay(shared.as_mut()));
    assert_eq!(drain(g.as_mut()), (vec![2, 3, 4], ()));
}
