//! The generator protocol, specified by behaviour.
//!
//! Each test is named after the behaviour it states, and its body shows the trace: a shared
//! `Rc<RefCell<Vec<String>>>` that the generator bodies (and drop guards, Python's `finally`)
//! push to, asserted as an exact `Vec`.
//!
//! Tests named `gNN_*` port the scenarios of section "G — basic generator protocol" of the
//! CPython acceptance catalogue (test_generators.py, test_inspect.py, PEP 255/342). The Rust
//! mapping: `next(g)` on a fresh generator is `start()`, `g.send(v)` is `resume(v)`,
//! `g.throw(e)` is `throw(e)` (= `resume(Err(e))` with `send = Result<T, E>`), `g.close()` is
//! `close()` (= dropping the live state), StopIteration(v) is `Complete(v)` delivered once,
//! and every misuse (sending to a just-started generator, next/send on a finished one)
//! panics with a message saying what to do, leaving the generator as it was.
//!
//! G-section cases with no Rust meaning, and why they have no test here:
//! * G07 "RUNNING inside the body": the body has no handle on its own generator, and
//!   `start`/`resume` take `Pin<&mut Self>`, so nobody can look at it (or resume it) while it
//!   runs; there is no `Running` status to observe.
//! * G08 "generator already executing": a re-entrant resume needs a second `&mut` to the
//!   generator, which the borrow checker rejects (a compile-fail test, not a run-time one).
//! * G11 "generator ignored GeneratorExit": closing is dropping, and a destructor cannot
//!   yield, so a generator cannot refuse to close.
//! * G14 "close() return value": `close()` drops the body without resuming it, so no user
//!   code can produce a value for it; `close()` returns `()`.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::marker::PhantomPinned;
use std::pin::{Pin, pin};
use std::rc::Rc;

use cogen::GeneratorState::{self, Complete, Yielded};
use cogen::{Generator, IntoIter, Status, generator, yield_, yield_from};

// ---------------------------------------------------------------------------------------
// Harness (the trace and panic helpers are in `support`)
// ---------------------------------------------------------------------------------------

mod support;
use support::{
    AddOnDrop, NotUnpinFallback, PanicOnDrop, PushOnDrop, Trace, UnpinProbe, assert_send, entries,
    expect_panic, expect_panic_at, new_trace, probe, push,
};

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            message.contains(part),
            "panic message {message:?} should mention {part:?}"
        );
    }
}

/// Compile-time check that `G` is a generator with these send/yield/return types.
fn assert_generator<G: Generator<i32, Yield = i32, Return = ()>>(_: &G) {}

const NOT_STARTED: &[&str] = &["has not started", "call `start()` first"];
const ALREADY_STARTED: &[&str] = &["already started", "resume(value)"];
const CLOSED: &[&str] = &["is closed", "make a new one"];

/// The error type of the Python exception scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
enum E {
    ZeroDiv,
    Value(String),
    Type(String),
}

fn divide(a: i32, b: i32) -> Result<i32, E> {
    if b == 0 { Err(E::ZeroDiv) } else { Ok(a / b) }
}

// ---------------------------------------------------------------------------------------
// Generators shared by several tests
// ---------------------------------------------------------------------------------------

#[generator(yield = u32)]
fn countdown(n: u32) {
    for i in (1..=n).rev() {
        yield_!(i);
    }
}

#[generator(yield = u32)]
fn traced_countdown(trace: Trace, n: u32) -> &'static str {
    push(&trace, "begin");
    for i in (1..=n).rev() {
        push(&trace, format!("yield {i}"));
        yield_!(i);
    }
    push(&trace, "end");
    "liftoff"
}

/// Yields 1, then echoes every sent value back, logging what it received.
#[generator(yield = i32, send = i32)]
fn echo(trace: Trace) {
    push(&trace, "body starts");
    let mut sent = yield_!(1);
    loop {
        push(&trace, format!("got {sent}"));
        if sent < 0 {
            push(&trace, "body ends");
            return;
        }
        sent = yield_!(sent);
    }
}

/// Two guards live across the first yield, a third across the second.
#[generator(yield = u32)]
fn three_guards(trace: Trace) {
    let _a = PushOnDrop(trace.clone(), "drop a");
    let _b = PushOnDrop(trace.clone(), "drop b");
    push(&trace, "yield 1");
    yield_!(1);
    let _c = PushOnDrop(trace.clone(), "drop c");
    push(&trace, "yield 2");
    yield_!(2);
    push(&trace, "end");
}

// ---------------------------------------------------------------------------------------
// 1. Calling the fn runs nothing; start runs to the first yield
// ---------------------------------------------------------------------------------------

#[test]
fn calling_a_generator_fn_runs_no_body_code() {
    let trace = new_trace();
    let g = traced_countdown(trace.clone(), 3);
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.status(), Status::Created);
}

#[test]
fn start_runs_the_body_up_to_the_first_yield_and_no_further() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 3));
    assert_eq!(g.as_mut().start(), Yielded(3));
    assert_eq!(entries(&trace), ["begin", "yield 3"]);
    assert_eq!(g.status(), Status::Suspended);
}

#[test]
fn each_resume_runs_the_body_from_one_yield_to_the_next() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 2));
    assert_eq!(g.as_mut().start(), Yielded(2));
    assert_eq!(entries(&trace), ["begin", "yield 2"]);
    assert_eq!(g.as_mut().resume(()), Yielded(1));
    assert_eq!(entries(&trace), ["begin", "yield 2", "yield 1"]);
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(g.as_mut().resume(()), Complete("liftoff"));
    assert_eq!(entries(&trace), ["begin", "yield 2", "yield 1", "end"]);
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn a_boxed_generator_runs_the_same_way_as_a_stack_pinned_one() {
    let trace = new_trace();
    let mut g = Box::pin(traced_countdown(trace.clone(), 1));
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Complete("liftoff"));
    assert_eq!(entries(&trace), ["begin", "yield 1", "end"]);
    assert_eq!(g.status(), Status::Closed);
}

/// `Pin<Box<G>>` and `Pin<&mut G>` are generators themselves (driven through a pinned pointer).
#[test]
fn a_pinned_pointer_to_a_generator_is_a_generator_too() {
    let trace = new_trace();
    let mut g = Box::pin(Box::pin(echo(trace.clone())));
    assert_generator(&g);
    assert_eq!(g.status(), Status::Created);
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(7), Yielded(7));
    assert_eq!(g.as_mut().resume(-1), Complete(()));
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&trace),
        ["body starts", "got 7", "got -1", "body ends"]
    );

    let trace = new_trace();
    let mut inner = pin!(echo(trace.clone()));
    let mut by_ref: Pin<&mut _> = inner.as_mut();
    assert_generator(&by_ref);
    assert_eq!(Pin::new(&mut by_ref).start(), Yielded(1));
    assert_eq!(Pin::new(&mut by_ref).resume(8), Yielded(8));
    assert_eq!(by_ref.status(), Status::Suspended);
    Pin::new(&mut by_ref).close();
    assert_eq!(inner.status(), Status::Closed);
    assert_eq!(entries(&trace), ["body starts", "got 8"]);
}

#[test]
fn a_boxed_dyn_generator_runs_the_same_way() {
    let trace = new_trace();
    let mut g: Pin<Box<dyn Generator<i32, Yield = i32, Return = ()>>> =
        Box::pin(echo(trace.clone()));
    assert_eq!(g.status(), Status::Created);
    assert_mentions(&expect_panic(|| g.as_mut().resume(1)), NOT_STARTED);
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_mentions(&expect_panic(|| g.as_mut().start()), ALREADY_STARTED);
    assert_eq!(g.as_mut().resume(7), Yielded(7));
    assert_eq!(g.as_mut().resume(-1), Complete(()));
    assert_mentions(&expect_panic(|| g.as_mut().resume(1)), CLOSED);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&trace),
        ["body starts", "got 7", "got -1", "body ends"]
    );

    let mut g: Pin<Box<dyn Generator<Yield = u32, Return = ()>>> = Box::pin(countdown(3));
    assert_eq!(cogen::Iter::new(g.as_mut()).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(g.status(), Status::Closed);
}

// ---------------------------------------------------------------------------------------
// 2. resume(arg): the suspended yield_! evaluates to arg
// ---------------------------------------------------------------------------------------

#[test]
fn resume_makes_the_suspended_yield_evaluate_to_the_sent_value() {
    let trace = new_trace();
    let mut g = pin!(echo(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(42), Yielded(42));
    assert_eq!(entries(&trace), ["body starts", "got 42"]);
}

#[test]
fn every_sent_value_is_seen_by_the_body_in_order() {
    let trace = new_trace();
    let mut g = pin!(echo(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    let mut yielded = Vec::new();
    for sent in [10, 20, 30, 0, 5] {
        yielded.push(g.as_mut().resume(sent));
    }
    assert_eq!(
        yielded,
        [
            Yielded(10),
            Yielded(20),
            Yielded(30),
            Yielded(0),
            Yielded(5)
        ]
    );
    assert_eq!(g.as_mut().resume(-1), Complete(()));
    assert_eq!(
        entries(&trace),
        [
            "body starts",
            "got 10",
            "got 20",
            "got 30",
            "got 0",
            "got 5",
            "got -1",
            "body ends"
        ]
    );
}

#[generator(yield = usize, send = String)]
fn collect_sent(trace: Trace) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        let sent = yield_!(got.len());
        push(&trace, format!("received {sent:?}"));
        if sent.is_empty() {
            return got;
        }
        got.push(sent);
    }
}

#[test]
fn sent_values_are_moved_into_the_body_and_can_be_returned() {
    let trace = new_trace();
    let mut g = pin!(collect_sent(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume("spam".to_string()), Yielded(1));
    assert_eq!(g.as_mut().resume("eggs".to_string()), Yielded(2));
    assert_eq!(
        g.as_mut().resume(String::new()),
        Complete(vec!["spam".to_string(), "eggs".to_string()])
    );
    assert_eq!(
        entries(&trace),
        [r#"received "spam""#, r#"received "eggs""#, r#"received """#]
    );
}

#[generator(yield = (), send = ())]
fn unit_yields(trace: Trace) {
    push(&trace, "a");
    yield_!();
    push(&trace, "b");
    yield_!(());
    push(&trace, "c");
}

#[test]
fn empty_yield_yields_unit_and_send_defaults_to_unit() {
    let trace = new_trace();
    let mut g = pin!(unit_yields(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    assert_eq!(g.as_mut().resume(()), Yielded(()));
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(entries(&trace), ["a", "b", "c"]);
}

// ---------------------------------------------------------------------------------------
// 3. Misuse panics, says what to do, and leaves the generator as it was
// ---------------------------------------------------------------------------------------

/// G04: Python's `f().send("foo")` raises TypeError "can't send non-None value to a
/// just-started generator"; the state stays CREATED; a following `next()` and `send(5)`
/// work normally. The value of the failed send is never seen by the body.
#[test]
fn resume_before_start_panics_and_leaves_generator_created() {
    let trace = new_trace();
    let mut g = pin!(echo(trace.clone()));
    let message = expect_panic(|| g.as_mut().resume(99));
    assert_mentions(&message, NOT_STARTED);
    assert_mentions(&message, &["resume"]);
    assert_eq!(g.status(), Status::Created);
    assert_eq!(entries(&trace), Vec::<String>::new());

    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(5), Yielded(5));
    assert_eq!(entries(&trace), ["body starts", "got 5"]);
}

#[test]
fn start_twice_panics_and_leaves_generator_suspended_and_resumable() {
    let trace = new_trace();
    let mut g = pin!(echo(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    let message = expect_panic(|| g.as_mut().start());
    assert_mentions(&message, ALREADY_STARTED);
    assert_mentions(&message, &["start"]);
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(entries(&trace), ["body starts"]);

    assert_eq!(g.as_mut().resume(3), Yielded(3));
    assert_eq!(entries(&trace), ["body starts", "got 3"]);
}

#[test]
fn start_after_completion_panics_saying_it_is_closed() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 1));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Complete("liftoff"));
    let before = entries(&trace);
    let message = expect_panic(|| g.as_mut().start());
    assert_mentions(&message, CLOSED);
    assert_mentions(&message, &["start"]);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), before);
}

#[test]
fn resume_after_completion_panics_saying_it_is_closed() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 1));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Complete("liftoff"));
    let before = entries(&trace);
    let message = expect_panic(|| g.as_mut().resume(()));
    assert_mentions(&message, CLOSED);
    assert_mentions(&message, &["resume"]);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), before);
    // Still closed and still panicking: the failed call changed nothing.
    let again = expect_panic(|| g.as_mut().resume(()));
    assert_mentions(&again, CLOSED);
    assert_eq!(entries(&trace), before);
}

#[test]
fn start_after_close_panics_saying_it_is_closed() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 3));
    g.as_mut().close();
    let message = expect_panic(|| g.as_mut().start());
    assert_mentions(&message, CLOSED);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), Vec::<String>::new());
}

#[test]
fn resume_after_close_panics_saying_it_is_closed() {
    let trace = new_trace();
    let mut g = pin!(echo(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    g.as_mut().close();
    let message = expect_panic(|| g.as_mut().resume(1));
    assert_mentions(&message, CLOSED);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), ["body starts"]);
}

#[derive(Debug, PartialEq)]
struct Item(u32);

/// The yield type means what it means in the signature, whatever the body declares or
/// imports under the same names.
#[generator(yield = Item)]
fn yields_the_outer_item() {
    #[allow(dead_code)]
    struct Item(&'static str);
    yield_!(crate::Item(1));
}

#[generator(yield = Result<u32, String>)]
fn yields_the_prelude_result() {
    #[allow(unused_imports)]
    use std::fmt::Result;
    yield_!(Ok(2));
}

#[test]
fn items_of_the_body_do_not_change_the_declared_yield_type() {
    assert_eq!(
        pin!(yields_the_outer_item()).iter().collect::<Vec<_>>(),
        [Item(1)]
    );
    assert_eq!(
        pin!(yields_the_prelude_result()).iter().collect::<Vec<_>>(),
        [Ok(2)]
    );
}

/// Reads the cell through a `Ref` that is a temporary of the `yield_!`'s operand.
#[generator(yield = i32)]
fn read_through_a_guard(cell: &RefCell<i32>) {
    yield_!(*cell.borrow());
    yield_!(*cell.borrow());
}

#[test]
fn a_yields_operand_temporaries_are_dropped_before_it_suspends() {
    let cell = RefCell::new(1);
    let mut g = pin!(read_through_a_guard(&cell));
    assert_eq!(g.as_mut().start(), Yielded(1));
    // The `Ref` of the first yield is gone: the caller can borrow the cell mutably while
    // the generator is suspended (a guard held across the yield would make this panic).
    *cell.borrow_mut() = 2;
    assert_eq!(g.as_mut().resume(()), Yielded(2));
}

#[test]
fn misuse_panics_at_the_callers_line() {
    let trace = new_trace();
    let mut g = pin!(echo(trace.clone()));
    let (message, line) = expect_panic_at(|| g.as_mut().resume(1));
    assert_mentions(&message, NOT_STARTED);
    assert_eq!(line, line!() - 2);
    assert_eq!(g.as_mut().start(), Yielded(1));
    let (message, line) = expect_panic_at(|| g.as_mut().start());
    assert_mentions(&message, ALREADY_STARTED);
    assert_eq!(line, line!() - 2);
    assert_eq!(g.as_mut().resume(-1), Complete(()));
    let (message, line) = expect_panic_at(|| g.as_mut().resume(1));
    assert_mentions(&message, CLOSED);
    assert_eq!(line, line!() - 2);
    // Through a pinned box, too.
    let mut boxed = Box::pin(echo(trace.clone()));
    let (message, line) = expect_panic_at(|| boxed.as_mut().resume(1));
    assert_mentions(&message, NOT_STARTED);
    assert_eq!(line, line!() - 2);
}

#[test]
fn misuse_through_a_pinned_box_panics_the_same_way() {
    let trace = new_trace();
    let mut g = Box::pin(Box::pin(echo(trace.clone())));
    assert_mentions(&expect_panic(|| g.as_mut().resume(1)), NOT_STARTED);
    assert_eq!(g.status(), Status::Created);
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_mentions(&expect_panic(|| g.as_mut().start()), ALREADY_STARTED);
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(g.as_mut().resume(-1), Complete(()));
    assert_mentions(&expect_panic(|| g.as_mut().resume(1)), CLOSED);
    assert_eq!(entries(&trace), ["body starts", "got -1", "body ends"]);
}

// ---------------------------------------------------------------------------------------
// 4. A panic in the body propagates, closes the generator, drops live locals once
// ---------------------------------------------------------------------------------------

#[generator(yield = u32, send = bool)]
fn panics_when_told(trace: Trace, arg: AddOnDrop, a: Rc<Cell<u32>>, b: Rc<Cell<u32>>) {
    let _arg = arg;
    let _a = AddOnDrop(a, 1);
    push(&trace, "before first yield");
    if yield_!(1) {
        panic!("body panicked at yield 1");
    }
    let _b = AddOnDrop(b, 1);
    if yield_!(2) {
        panic!("body panicked at yield 2");
    }
    push(&trace, "end");
}

#[generator(yield = u32)]
fn panics_immediately(trace: Trace) {
    let _early = PushOnDrop(trace.clone(), "drop early");
    push(&trace, "about to panic");
    panic!("boom before the first yield");
    #[allow(unreachable_code)]
    {
        yield_!(1);
    }
}

#[test]
fn a_panic_in_the_body_propagates_out_of_start_and_closes_the_generator() {
    let trace = new_trace();
    let mut g = pin!(panics_immediately(trace.clone()));
    let message = expect_panic(|| g.as_mut().start());
    assert_eq!(message, "boom before the first yield");
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), ["about to panic", "drop early"]);
    assert_mentions(&expect_panic(|| g.as_mut().start()), CLOSED);
    g.as_mut().close();
    assert_eq!(entries(&trace), ["about to panic", "drop early"]);
}

#[test]
fn a_panic_in_the_body_propagates_out_of_resume_and_drops_live_locals_exactly_once() {
    let trace = new_trace();
    let (arg, a, b) = (Rc::default(), Rc::default(), Rc::default());
    {
        let mut g = pin!(panics_when_told(
            trace.clone(),
            AddOnDrop(Rc::clone(&arg), 1),
            Rc::clone(&a),
            Rc::clone(&b)
        ));
        assert_eq!(g.as_mut().start(), Yielded(1));
        assert_eq!(g.as_mut().resume(false), Yielded(2));
        assert_eq!((arg.get(), a.get(), b.get()), (0, 0, 0));

        let message = expect_panic(|| g.as_mut().resume(true));
        assert_eq!(message, "body panicked at yield 2");
        assert_eq!(g.status(), Status::Closed);
        assert_eq!((arg.get(), a.get(), b.get()), (1, 1, 1));

        assert_mentions(&expect_panic(|| g.as_mut().resume(false)), CLOSED);
        g.as_mut().close();
        assert_eq!((arg.get(), a.get(), b.get()), (1, 1, 1));
    }
    // Dropping the closed generator drops nothing again.
    assert_eq!((arg.get(), a.get(), b.get()), (1, 1, 1));
    assert_eq!(entries(&trace), ["before first yield"]);
}

#[test]
fn a_panic_in_the_body_drops_only_the_locals_that_were_live() {
    let trace = new_trace();
    let (arg, a, b) = (Rc::default(), Rc::default(), Rc::default());
    {
        let mut g = pin!(panics_when_told(
            trace.clone(),
            AddOnDrop(Rc::clone(&arg), 1),
            Rc::clone(&a),
            Rc::clone(&b)
        ));
        assert_eq!(g.as_mut().start(), Yielded(1));
        let message = expect_panic(|| g.as_mut().resume(true));
        assert_eq!(message, "body panicked at yield 1");
        assert_eq!(g.status(), Status::Closed);
        // `_b` was never created; `b`, the argument, was still captured, and is dropped.
        assert_eq!((arg.get(), a.get()), (1, 1));
    }
    assert_eq!((arg.get(), a.get(), Rc::strong_count(&b)), (1, 1, 1));
}

// ---------------------------------------------------------------------------------------
// 5. close(): drop the live state in place
// ---------------------------------------------------------------------------------------

#[generator(yield = u32)]
fn holds_argument(trace: Trace, guard: PushOnDrop) {
    push(&trace, "body runs");
    let _guard = guard;
    yield_!(1);
    push(&trace, "after yield");
}

#[test]
fn close_on_created_drops_captured_arguments_and_runs_no_body_code() {
    let trace = new_trace();
    let mut g = pin!(holds_argument(
        trace.clone(),
        PushOnDrop(trace.clone(), "drop argument")
    ));
    assert_eq!(entries(&trace), Vec::<String>::new());
    g.as_mut().close();
    assert_eq!(entries(&trace), ["drop argument"]);
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn dropping_a_created_generator_drops_captured_arguments_and_runs_no_body_code() {
    let trace = new_trace();
    let g = holds_argument(trace.clone(), PushOnDrop(trace.clone(), "drop argument"));
    assert_eq!(g.status(), Status::Created);
    drop(g);
    assert_eq!(entries(&trace), ["drop argument"]);
}

#[test]
fn close_on_suspended_drops_live_locals_in_reverse_declaration_order() {
    let trace = new_trace();
    let mut g = pin!(three_guards(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Yielded(2));
    assert_eq!(entries(&trace), ["yield 1", "yield 2"]);
    g.as_mut().close();
    assert_eq!(
        entries(&trace),
        ["yield 1", "yield 2", "drop c", "drop b", "drop a"]
    );
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn close_drops_only_locals_that_are_live_at_the_suspended_yield() {
    let trace = new_trace();
    let mut g = pin!(three_guards(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    g.as_mut().close();
    // `_c` is declared after the first yield: it never existed, so it is not dropped.
    assert_eq!(entries(&trace), ["yield 1", "drop b", "drop a"]);
}

#[test]
fn dropping_a_suspended_generator_drops_live_locals_in_reverse_declaration_order() {
    let trace = new_trace();
    {
        let mut g = pin!(three_guards(trace.clone()));
        assert_eq!(g.as_mut().start(), Yielded(1));
        assert_eq!(g.as_mut().resume(()), Yielded(2));
        assert_eq!(entries(&trace), ["yield 1", "yield 2"]);
    }
    assert_eq!(
        entries(&trace),
        ["yield 1", "yield 2", "drop c", "drop b", "drop a"]
    );
}

#[test]
fn dropping_a_boxed_suspended_generator_drops_its_live_locals() {
    let trace = new_trace();
    let mut g = Box::pin(three_guards(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    drop(g);
    assert_eq!(entries(&trace), ["yield 1", "drop b", "drop a"]);
}

#[generator(yield = u32)]
fn local_and_argument(trace: Trace, arg: PushOnDrop) {
    let _local = PushOnDrop(trace.clone(), "drop local");
    yield_!(1);
    let held: &PushOnDrop = &arg;
    push(
        &trace,
        format!("still holding {}", held.1.trim_start_matches("drop ")),
    );
}

/// As when a plain fn returns early: its locals go first, then its arguments.
#[test]
fn close_on_suspended_drops_locals_before_the_captured_argument() {
    let trace = new_trace();
    let mut g = pin!(local_and_argument(
        trace.clone(),
        PushOnDrop(trace.clone(), "drop argument")
    ));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(entries(&trace), Vec::<String>::new());
    g.as_mut().close();
    assert_eq!(entries(&trace), ["drop local", "drop argument"]);
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn completion_drops_locals_then_the_captured_argument() {
    let trace = new_trace();
    let mut g = pin!(local_and_argument(
        trace.clone(),
        PushOnDrop(trace.clone(), "drop argument")
    ));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(
        entries(&trace),
        ["still holding argument", "drop local", "drop argument"]
    );
}

#[test]
fn close_on_closed_is_a_no_op_and_close_twice_is_fine() {
    let trace = new_trace();
    let mut g = pin!(three_guards(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    let after_first = entries(&trace);
    assert_eq!(after_first, ["yield 1", "drop b", "drop a"]);
    g.as_mut().close();
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), after_first);
}

#[test]
fn close_after_completion_runs_and_drops_nothing() {
    let trace = new_trace();
    let mut g = pin!(three_guards(trace.clone()));
    let yielded: Vec<u32> = g.as_mut().iter().collect();
    assert_eq!(yielded, [1, 2]);
    let done = entries(&trace);
    assert_eq!(
        done,
        ["yield 1", "yield 2", "end", "drop c", "drop b", "drop a"]
    );
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), done);
}

#[generator(yield = u32)]
fn unused_argument(trace: Trace, _keep_alive: PushOnDrop) {
    push(&trace, "body runs");
    yield_!(1);
    push(&trace, "body ends");
}

#[generator(yield = u32)]
fn reads_a_field_of_its_argument(trace: Trace, arg: PushOnDrop) {
    yield_!(1);
    push(
        &trace,
        format!("argument is named {}", arg.1.trim_start_matches("drop ")),
    );
}

/// The body only reads a `Copy` field of the argument; the argument itself (a drop guard)
/// must still live until the generator ends, as it would in a plain fn.
#[test]
fn an_argument_whose_field_the_body_reads_lives_as_long_as_the_generator() {
    let trace = new_trace();
    let mut g = pin!(reads_a_field_of_its_argument(
        trace.clone(),
        PushOnDrop(trace.clone(), "drop argument")
    ));
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(
        entries(&trace),
        ["argument is named argument", "drop argument"]
    );
}

/// A Python argument is a local of the generator's frame: it lives until the frame ends,
/// whether or not the body mentions it (as for a plain `fn`, or an `async fn`).
#[test]
fn an_argument_the_body_never_mentions_lives_as_long_as_the_generator() {
    let trace = new_trace();
    let mut g = pin!(unused_argument(
        trace.clone(),
        PushOnDrop(trace.clone(), "drop argument")
    ));
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(entries(&trace), ["body runs"]);
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(entries(&trace), ["body runs", "body ends", "drop argument"]);
}

// ---------------------------------------------------------------------------------------
// 6. Complete(r) exactly once, then Closed; return values verbatim
// ---------------------------------------------------------------------------------------

#[test]
fn complete_is_delivered_exactly_once_then_status_is_closed() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 1));
    let mut steps = vec![g.as_mut().start()];
    while g.status() == Status::Suspended {
        steps.push(g.as_mut().resume(()));
    }
    assert_eq!(steps, [Yielded(1), Complete("liftoff")]);
    assert_eq!(g.status(), Status::Closed);
    assert_mentions(&expect_panic(|| g.as_mut().resume(())), CLOSED);
    assert_eq!(entries(&trace), ["begin", "yield 1", "end"]);
}

#[generator(yield = u8)]
fn returns_tuple() -> (i32, &'static str, Vec<u8>) {
    yield_!(0);
    (7, "seven", vec![7, 7])
}

#[generator(yield = u8, send = Option<i32>)]
fn returns_option() -> Option<i32> {
    let first = yield_!(0)?;
    let second = yield_!(1)?;
    Some(first * second)
}

#[test]
fn return_values_are_delivered_verbatim_tuple() {
    let mut g = pin!(returns_tuple());
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(()), Complete((7, "seven", vec![7, 7])));
}

#[test]
fn return_values_are_delivered_verbatim_option_some_and_none() {
    let mut g = pin!(returns_option());
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(Some(6)), Yielded(1));
    assert_eq!(g.as_mut().resume(Some(7)), Complete(Some(42)));

    // `?` on a sent None completes the generator with None at once.
    let mut g = pin!(returns_option());
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(None), Complete(None));
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn generator_state_helpers_split_yielded_from_complete() {
    let mut g = pin!(returns_tuple());
    let first = g.as_mut().start();
    assert_eq!(first.clone().yielded(), Some(0));
    assert_eq!(first.complete(), None);
    let last = g.as_mut().resume(());
    assert_eq!(last.clone().yielded(), None);
    assert_eq!(last.complete(), Some((7, "seven", vec![7, 7])));
}

// ---------------------------------------------------------------------------------------
// 7. Locals borrowed across yields
// ---------------------------------------------------------------------------------------

#[generator(yield = i32)]
fn borrows_its_own_locals() -> usize {
    let v = vec![10, 20, 30];
    for x in &v {
        yield_!(*x);
    }
    let text = String::from("alpha beta");
    for word in text.split(' ') {
        yield_!(word.len() as i32);
    }
    let mut counter = 0;
    let r = &mut counter;
    *r += 1;
    yield_!(-1);
    *r += 1;
    counter + v.len()
}

#[test]
fn locals_borrowed_across_yields_work_when_pinned_on_the_stack() {
    let mut g = pin!(borrows_its_own_locals());
    let mut steps = vec![g.as_mut().start()];
    while g.status() == Status::Suspended {
        steps.push(g.as_mut().resume(()));
    }
    assert_eq!(
        steps,
        [
            Yielded(10),
            Yielded(20),
            Yielded(30),
            Yielded(5),
            Yielded(4),
            Yielded(-1),
            Complete(5)
        ]
    );
}

#[test]
fn locals_borrowed_across_yields_work_when_pinned_in_a_box_that_moves() {
    let mut g = Box::pin(borrows_its_own_locals());
    assert_eq!(g.as_mut().start(), Yielded(10));
    // Moving the box moves the pointer, not the pinned generator.
    let mut moved = vec![g];
    let mut g = moved.pop().unwrap();
    assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [20, 30, 5, 4, -1]);
}

// ---------------------------------------------------------------------------------------
// 8. Iteration: for loops, in-place iter(), fused
// ---------------------------------------------------------------------------------------

#[test]
fn for_loop_over_a_generator_call_iterates_its_yields() {
    let mut seen = Vec::new();
    for x in countdown(3) {
        seen.push(x);
    }
    assert_eq!(seen, [3, 2, 1]);
}

#[test]
fn pinned_iter_sums_in_place() {
    assert_eq!(pin!(countdown(3)).iter().sum::<u32>(), 6);
    assert_eq!(pin!(countdown(0)).iter().sum::<u32>(), 0);
}

#[test]
fn iter_starts_a_created_generator_and_resumes_a_suspended_one() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 3));
    assert_eq!(g.as_mut().start(), Yielded(3));
    // iter() continues where start left off, it does not start again.
    assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [2, 1]);
    assert_eq!(
        entries(&trace),
        ["begin", "yield 3", "yield 2", "yield 1", "end"]
    );
}

#[test]
fn in_place_iteration_is_fused_and_runs_no_body_code_after_completion() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 2));
    let mut it = g.as_mut().iter();
    assert_eq!(it.next(), Some(2));
    assert_eq!(it.next(), Some(1));
    assert_eq!(it.next(), None);
    let done = entries(&trace);
    assert_eq!(done, ["begin", "yield 2", "yield 1", "end"]);
    for _ in 0..5 {
        assert_eq!(it.next(), None);
    }
    assert_eq!(entries(&trace), done);
    assert_eq!(g.status(), Status::Closed);
    // A fresh in-place iterator over the finished generator is empty too.
    assert_eq!(g.as_mut().iter().next(), None);
    assert_eq!(entries(&trace), done);
}

#[test]
fn owning_iteration_is_fused_and_runs_no_body_code_after_completion() {
    let trace = new_trace();
    let mut it = cogen::IntoIter::new(traced_countdown(trace.clone(), 1));
    assert_eq!(it.next(), Some(1));
    assert_eq!(it.next(), None);
    let done = entries(&trace);
    assert_eq!(done, ["begin", "yield 1", "end"]);
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    assert_eq!(entries(&trace), done);
}

#[test]
fn into_iter_exposes_the_generator_status_after_iteration() {
    let mut it = IntoIter::new(countdown(2));
    assert_eq!(it.generator().status(), Status::Created);
    assert_eq!(it.next(), Some(2));
    assert_eq!(it.generator().status(), Status::Suspended);
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [1]);
    assert_eq!(it.generator().status(), Status::Closed);
}

#[test]
fn dropping_a_partly_consumed_for_loop_iterator_drops_the_live_locals() {
    let trace = new_trace();
    for x in three_guards(trace.clone()).into_iter().take(1) {
        assert_eq!(x, 1);
    }
    assert_eq!(entries(&trace), ["yield 1", "drop b", "drop a"]);
}

// ---------------------------------------------------------------------------------------
// 9. Send and !Unpin
// ---------------------------------------------------------------------------------------

#[generator(yield = String)]
fn send_things(names: Vec<String>, shared: std::sync::Arc<std::sync::Mutex<u32>>) -> u32 {
    let prefix = String::from("hello ");
    for name in &names {
        *shared.lock().unwrap() += 1;
        yield_!(format!("{prefix}{name}"));
    }
    *shared.lock().unwrap()
}

#[test]
fn a_generator_holding_only_send_things_is_send() {
    let shared = std::sync::Arc::new(std::sync::Mutex::new(0));
    let g = send_things(vec!["ann".into(), "bob".into()], shared.clone());
    assert_send(&g);
    let mut g = Box::pin(g);
    assert_send(&g);
    assert_eq!(g.as_mut().start(), Yielded("hello ann".to_string()));
    // Suspended with borrows of its own locals, it still moves to another thread.
    let finished = std::thread::spawn(move || {
        let next = g.as_mut().resume(());
        let last = g.as_mut().resume(());
        (next, last, g.status())
    })
    .join()
    .unwrap();
    assert_eq!(
        finished,
        (
            Yielded("hello bob".to_string()),
            Complete(2),
            Status::Closed
        )
    );
    assert_eq!(*shared.lock().unwrap(), 2);
}

#[test]
fn the_unpin_probe_tells_unpin_from_not_unpin() {
    // The probe itself, on known types: so the assertions below can fail.
    assert!(probe(&0u8).is_unpin());
    assert!(!probe(&PhantomPinned).is_unpin());
    const { assert!(<UnpinProbe<String>>::IS_UNPIN) };
    const { assert!(!<UnpinProbe<PhantomPinned> as NotUnpinFallback>::IS_UNPIN) };
}

#[test]
fn a_generator_is_not_unpin_but_its_pinned_box_is() {
    let g = countdown(3);
    assert!(!probe(&g).is_unpin());
    let g = send_things(Vec::new(), Default::default());
    assert!(!probe(&g).is_unpin());
    let boxed = Box::pin(g);
    assert!(probe(&boxed).is_unpin());
}

// ---------------------------------------------------------------------------------------
// 10. Methods, generics, borrowed arguments
// ---------------------------------------------------------------------------------------

struct Shelf {
    books: Vec<String>,
}

impl Shelf {
    #[generator(yield = &String)]
    fn each(&self) -> usize {
        for book in &self.books {
            yield_!(book);
        }
        self.books.len()
    }

    #[generator(yield = usize, send = String)]
    fn add_books(&mut self, count: usize) -> usize {
        for _ in 0..count {
            let title = yield_!(self.books.len());
            self.books.push(title);
        }
        self.books.len()
    }

    #[generator(yield = String)]
    fn into_books(self) {
        for book in self.books {
            yield_!(book);
        }
    }
}

#[test]
fn a_ref_self_method_generator_yields_references_into_self() {
    let shelf = Shelf {
        books: vec!["Dune".into(), "Emma".into()],
    };
    let mut g = pin!(shelf.each());
    let Yielded(first) = g.as_mut().start() else {
        panic!("expected a yield")
    };
    assert!(std::ptr::eq(first, &shelf.books[0]));
    let Yielded(second) = g.as_mut().resume(()) else {
        panic!("expected a yield")
    };
    assert!(std::ptr::eq(second, &shelf.books[1]));
    assert_eq!(g.as_mut().resume(()), Complete(2));
    // The yielded references borrow the shelf, not the generator.
    let all: Vec<&String> = cogen::IntoIter::new(shelf.each()).collect();
    assert_eq!(all, ["Dune", "Emma"]);
}

#[test]
fn a_mut_self_method_generator_mutates_self_between_yields() {
    let mut shelf = Shelf {
        books: vec!["Dune".into()],
    };
    {
        let mut g = pin!(shelf.add_books(2));
        assert_eq!(g.as_mut().start(), Yielded(1));
        assert_eq!(g.as_mut().resume("Emma".into()), Yielded(2));
        assert_eq!(g.as_mut().resume("Ulysses".into()), Complete(3));
    }
    assert_eq!(shelf.books, ["Dune", "Emma", "Ulysses"]);

    // Closed half-way: the mutations made so far stay.
    {
        let mut g = pin!(shelf.add_books(5));
        assert_eq!(g.as_mut().start(), Yielded(3));
        assert_eq!(g.as_mut().resume("Walden".into()), Yielded(4));
        g.as_mut().close();
    }
    assert_eq!(shelf.books, ["Dune", "Emma", "Ulysses", "Walden"]);
}

#[test]
fn a_self_method_generator_consumes_self() {
    let shelf = Shelf {
        books: vec!["Dune".into(), "Emma".into()],
    };
    let books: Vec<String> = shelf.into_books().into_iter().collect();
    assert_eq!(books, ["Dune", "Emma"]);
}

struct Crate {
    _guard: PushOnDrop,
    items: Vec<u8>,
}

impl Crate {
    #[generator(yield = u8)]
    fn unpack(self) {
        for item in self.items {
            yield_!(item);
        }
    }
}

/// A plain `fn unpack(self)` holds all of `self` until it returns, so the generator must
/// too: the unused `_guard` field lives until the generator completes or is closed.
#[test]
fn a_self_method_generator_keeps_all_of_self_alive_until_it_ends() {
    let trace = new_trace();
    let packed = Crate {
        _guard: PushOnDrop(trace.clone(), "drop crate"),
        items: vec![1, 2],
    };
    let mut g = pin!(packed.unpack());
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Yielded(2));
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().resume(()), Complete(()));
    assert_eq!(entries(&trace), ["drop crate"]);
}

#[test]
fn closing_an_unstarted_self_method_generator_drops_self() {
    let trace = new_trace();
    let packed = Crate {
        _guard: PushOnDrop(trace.clone(), "drop crate"),
        items: vec![1, 2],
    };
    let mut g = pin!(packed.unpack());
    assert_eq!(entries(&trace), Vec::<String>::new());
    g.as_mut().close();
    assert_eq!(entries(&trace), ["drop crate"]);
}

#[generator(yield = T)]
fn running_total<T: Copy + std::ops::Add<Output = T>, I>(start: T, items: I) -> T
where
    I: IntoIterator<Item = T>,
{
    let mut total = start;
    for item in items {
        total = total + item;
        yield_!(total);
    }
    total
}

#[test]
fn a_generic_generator_with_bounds_and_a_where_clause_works_per_instantiation() {
    let mut g = pin!(running_total(100, vec![1, 2, 3]));
    assert_eq!(g.as_mut().start(), Yielded(101));
    assert_eq!(g.as_mut().resume(()), Yielded(103));
    assert_eq!(g.as_mut().resume(()), Yielded(106));
    assert_eq!(g.as_mut().resume(()), Complete(106));

    let floats: Vec<f64> = cogen::IntoIter::new(running_total(0.5, [0.25, 0.25])).collect();
    assert_eq!(floats, [0.75, 1.0]);
}

/// A generic send type: the sent value comes back verbatim as the return value.
#[generator(yield = i32, send = S)]
fn return_sent<S>() -> S {
    yield_!(1)
}

#[generator(yield = &'a str)]
fn words<'a>(s: &'a str) {
    for word in s.split_whitespace() {
        yield_!(word);
    }
}

#[generator(yield = &str)]
fn fields(line: &str, separator: char) -> usize {
    let mut count = 0;
    for field in line.split(separator) {
        count += 1;
        yield_!(field);
    }
    count
}

#[generator(yield = usize)]
fn lengths(items: &[&str]) -> usize {
    let mut total = 0;
    for item in items {
        total += item.len();
        yield_!(item.len());
    }
    total
}

#[test]
fn a_generator_with_a_named_lifetime_yields_borrows_of_its_argument() {
    let text = String::from("the quick  brown fox");
    let collected: Vec<&str> = words(&text).into_iter().collect();
    // The generator is gone; the words still borrow `text`.
    assert_eq!(collected, ["the", "quick", "brown", "fox"]);
    assert!(std::ptr::eq(collected[0].as_ptr(), text.as_ptr()));
}

#[test]
fn a_generator_with_elided_lifetimes_yields_borrows_of_its_argument() {
    let line = String::from("a,bb,,ccc");
    let mut g = pin!(fields(&line, ','));
    let mut got = Vec::new();
    let mut step = g.as_mut().start();
    while let Yielded(field) = step {
        got.push(field);
        step = g.as_mut().resume(());
    }
    assert_eq!(step, Complete(4));
    assert_eq!(got, ["a", "bb", "", "ccc"]);

    let items = ["ab", "cde", ""];
    let mut g = pin!(lengths(&items));
    assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [2, 3, 0]);
    assert_eq!(g.status(), Status::Closed);
    let mut g = pin!(lengths(&items[..2]));
    assert_eq!(g.as_mut().start(), Yielded(2));
    assert_eq!(g.as_mut().resume(()), Yielded(3));
    assert_eq!(g.as_mut().resume(()), Complete(5));
}

// ---------------------------------------------------------------------------------------
// 11. CPython section G
// ---------------------------------------------------------------------------------------

#[generator(yield = i32)]
fn g01_two(trace: Trace) {
    push(&trace, "yield 1");
    yield_!(1);
    push(&trace, "yield 2");
    yield_!(2);
    push(&trace, "end");
}

#[generator(yield = i32)]
fn g01_return_five(trace: Trace) -> i32 {
    push(&trace, "yield 1");
    yield_!(1);
    push(&trace, "return 5");
    5
}

/// G01: `def f(): yield 1; yield 2` iterates as 1, 2, then StopIteration.
#[test]
fn g01_a_generator_iterates_its_yields_then_is_exhausted() {
    let trace = new_trace();
    assert_eq!(
        g01_two(trace.clone()).into_iter().collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(entries(&trace), ["yield 1", "yield 2", "end"]);

    let trace = new_trace();
    let mut g = pin!(g01_two(trace.clone()));
    let mut it = g.as_mut().iter();
    assert_eq!((it.next(), it.next(), it.next()), (Some(1), Some(2), None));
    assert_eq!((it.next(), it.next()), (None, None));
    assert_eq!(entries(&trace), ["yield 1", "yield 2", "end"]);
}

/// G01: `def f(): yield 1; return 5` gives 1, then StopIteration(5) once; afterwards (Python:
/// StopIteration(None) forever) resume panics, never re-entering the body.
#[test]
fn g01_return_completes_once_then_resume_panics_without_running_the_body() {
    let trace = new_trace();
    let mut g = pin!(g01_return_five(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Complete(5));
    assert_eq!(g.status(), Status::Closed);
    for _ in 0..3 {
        assert_mentions(&expect_panic(|| g.as_mut().resume(())), CLOSED);
    }
    assert_eq!(g.as_mut().iter().next(), None);
    assert_eq!(entries(&trace), ["yield 1", "return 5"]);
}

fn g02_f() -> Result<i32, E> {
    divide(1, 0)
}

#[generator(yield = i32)]
fn g02(trace: Trace) -> Result<(), E> {
    push(&trace, "calling f");
    yield_!(g02_f()?);
    push(&trace, "yield 42");
    yield_!(42);
    Ok(())
}

/// G02: `def g(): yield f(); yield 42` with `f` doing `1//0`: the first next raises
/// ZeroDivisionError, the generator is CLOSED, 42 is never yielded.
#[test]
fn g02_an_error_in_the_body_completes_with_err_and_closes() {
    let trace = new_trace();
    let mut g = pin!(g02(trace.clone()));
    assert_eq!(g.as_mut().start(), Complete(Err(E::ZeroDiv)));
    assert_eq!(g.status(), Status::Closed);
    assert_mentions(&expect_panic(|| g.as_mut().resume(())), CLOSED);
    assert_eq!(entries(&trace), ["calling f"]);

    let trace = new_trace();
    assert_eq!(
        cogen::IntoIter::new(g02(trace.clone())).collect::<Vec<_>>(),
        Vec::<i32>::new()
    );
    assert_eq!(entries(&trace), ["calling f"]);
}

/// G03, the Python original (pep_tests "Try/Except/Finally"):
///
/// ```python
/// def f():
///     try:
///         yield 1
///         try:
///             yield 2
///             1//0
///             yield 3  # never get here
///         except ZeroDivisionError:
///             yield 4
///             yield 5
///             raise
///         except:
///             yield 6
///         yield 7     # the "raise" above stops this
///     except:
///         yield 8
///     yield 9
///     try:
///         x = 12
///     finally:
///         yield 10
///     yield 11
/// ```
///
/// The Rust twin: each `try` is a labelled block that evaluates to a `Result` (an error
/// "raises" by breaking out of it with `Err`), each `except` is an arm of a `match` on that
/// `Result`, and `raise` re-breaks to the enclosing block. The `finally` that yields is
/// written as plain code on the one path that reaches it: a drop guard cannot yield.
#[generator(yield = i32)]
fn g03() {
    let outer: Result<(), E> = 'outer_try: {
        yield_!(1);
        let inner: Result<(), E> = 'inner_try: {
            yield_!(2);
            if let Err(e) = divide(1, 0) {
                break 'inner_try Err(e);
            }
            yield_!(3); // never get here
            Ok(())
        };
        match inner {
            Ok(()) => {}
            Err(E::ZeroDiv) => {
                yield_!(4);
                yield_!(5);
                break 'outer_try Err(E::ZeroDiv); // raise
            }
            Err(_) => yield_!(6),
        }
        yield_!(7); // the "raise" above stops this
        Ok(())
    };
    match outer {
        Ok(()) => {}
        Err(_) => yield_!(8),
    }
    yield_!(9);
    let _x = 12; // try: x = 12
    yield_!(10); // finally: yield 10
    yield_!(11);
}

#[test]
fn g03_try_except_finally_interleaved_with_yields() {
    assert_eq!(
        g03().into_iter().collect::<Vec<_>>(),
        [1, 2, 4, 5, 8, 9, 10, 11]
    );
}

/// G03 with the error arriving as a sent value: the driver throws ZeroDiv in at `yield 2`
/// (where Python's body computes `1//0`). Every `yield_!` inside a `try` matches on the sent
/// `Result`, so a throw at any of them would take the same `except` route.
#[generator(yield = i32, send = Result<(), E>)]
fn g03_thrown(trace: Trace) {
    let outer: Result<(), E> = 'outer_try: {
        if let Err(e) = yield_!(1) {
            break 'outer_try Err(e);
        }
        let inner: Result<(), E> = 'inner_try: {
            if let Err(e) = yield_!(2) {
                break 'inner_try Err(e);
            }
            if let Err(e) = yield_!(3) {
                break 'inner_try Err(e);
            }
            Ok(())
        };
        match inner {
            Ok(()) => {}
            Err(E::ZeroDiv) => {
                push(&trace, "except ZeroDivisionError");
                if let Err(e) = yield_!(4) {
                    break 'outer_try Err(e);
                }
                if let Err(e) = yield_!(5) {
                    break 'outer_try Err(e);
                }
                break 'outer_try Err(E::ZeroDiv); // raise
            }
            Err(_) => {
                push(&trace, "bare except");
                if let Err(e) = yield_!(6) {
                    break 'outer_try Err(e);
                }
            }
        }
        if let Err(e) = yield_!(7) {
            break 'outer_try Err(e);
        }
        Ok(())
    };
    match outer {
        Ok(()) => {}
        Err(e) => {
            push(&trace, format!("outer except {e:?}"));
            let _ = yield_!(8);
        }
    }
    let _ = yield_!(9);
    let _ = yield_!(10);
    let _ = yield_!(11);
}

#[test]
fn g03_try_except_with_errors_thrown_in_at_the_yields_gives_the_same_list() {
    let trace = new_trace();
    let mut g = pin!(g03_thrown(trace.clone()));
    let mut yielded = Vec::new();
    let mut step = g.as_mut().start();
    while let Yielded(value) = step {
        yielded.push(value);
        step = if value == 2 {
            g.as_mut().throw(E::ZeroDiv)
        } else {
            g.as_mut().resume(Ok(()))
        };
    }
    assert_eq!(step, Complete(()));
    assert_eq!(yielded, [1, 2, 4, 5, 8, 9, 10, 11]);
    assert_eq!(
        entries(&trace),
        ["except ZeroDivisionError", "outer except ZeroDiv"]
    );
}

#[test]
fn g03_an_error_other_than_zero_div_takes_the_bare_except_arm() {
    let trace = new_trace();
    let mut g = pin!(g03_thrown(trace.clone()));
    let mut yielded = Vec::new();
    let mut step = g.as_mut().start();
    while let Yielded(value) = step {
        yielded.push(value);
        step = if value == 3 {
            g.as_mut().throw(E::Value("v".into()))
        } else {
            g.as_mut().resume(Ok(()))
        };
    }
    assert_eq!(yielded, [1, 2, 3, 6, 7, 9, 10, 11]);
    assert_eq!(entries(&trace), ["bare except"]);
}

/// G04: covered by `resume_before_start_panics_and_leaves_generator_created`; this is the
/// Python scenario verbatim: `send("foo")` on a fresh generator fails, then `next()` → 1 and
/// `send(5)` → 5.
#[test]
fn g04_sending_to_a_just_started_generator_panics_then_it_starts_normally() {
    let trace = new_trace();
    let mut g = pin!(return_sent::<&str>());
    assert_mentions(&expect_panic(|| g.as_mut().resume("foo")), NOT_STARTED);
    assert_eq!(g.status(), Status::Created);
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume("five"), Complete("five"));

    let mut g = pin!(echo(trace.clone()));
    assert_mentions(&expect_panic(|| g.as_mut().resume(-1)), NOT_STARTED);
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(5), Yielded(5));
    // The failed resume's value (-1) was never seen by the body.
    assert_eq!(entries(&trace), ["body starts", "got 5"]);
}

#[generator(yield = i32, send = i32)]
fn g05a(trace: Trace) {
    let x = yield_!(1);
    push(&trace, x.to_string());
    yield_!(2);
}

/// G05 (a): `def f(): print((yield 1)); yield 2`: next → 1, send(42) prints 42, returns 2.
#[test]
fn g05a_the_sent_value_is_the_value_of_the_yield_expression() {
    let trace = new_trace();
    let mut g = pin!(g05a(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().resume(42), Yielded(2));
    assert_eq!(entries(&trace), ["42"]);
}

#[generator(send = i32)]
fn g05b(seq: Rc<RefCell<Vec<i32>>>) {
    let mut count = 0;
    while count < 200 {
        count += yield_!();
        seq.borrow_mut().push(count);
    }
}

/// G05 (b): `count += yield; seq.append(count)` while `count < 200`.
#[test]
fn g05b_sent_values_accumulate_until_the_loop_ends() {
    let seq = Rc::new(RefCell::new(Vec::new()));
    let mut g = pin!(g05b(seq.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    for _ in 0..3 {
        assert_eq!(g.as_mut().resume(10), Yielded(()));
    }
    assert_eq!(*seq.borrow(), [10, 20, 30]);
    for _ in 3..19 {
        assert_eq!(g.as_mut().resume(10), Yielded(()));
    }
    assert_eq!(g.as_mut().resume(10), Complete(()));
    assert_eq!(seq.borrow().len(), 20);
    assert_eq!(seq.borrow().last(), Some(&200));
    assert_eq!(g.status(), Status::Closed);
}

#[generator(yield = i32)]
fn g06_parse_all(inputs: Vec<&'static str>) -> Result<i32, E> {
    let mut sum = 0;
    for input in inputs {
        let n: i32 = input.parse().map_err(|_| E::Value(input.to_string()))?;
        sum += n;
        yield_!(sum);
    }
    Ok(sum)
}

#[generator(yield = i32, send = i32)]
fn g06_checked() -> Result<i32, E> {
    let x = yield_!(1);
    if x < 0 {
        return Err(E::Value(format!("negative: {x}")));
    }
    Ok(x)
}

/// G06: `def g(): return (yield 1)`; send(2) → StopIteration.value == 2; send((2,)) → (2,)
/// (not unpacked); send(StopIteration(2)) → a StopIteration instance (here: a sent value that
/// looks like a completion is still just data).
#[test]
fn g06_the_return_value_is_delivered_verbatim() {
    let mut g = pin!(return_sent::<i32>());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(2), Complete(2));

    let mut g = pin!(return_sent::<(i32,)>());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume((2,)), Complete((2,)));

    let mut g = pin!(return_sent::<GeneratorState<i32, i32>>());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(Complete(2)), Complete(Complete(2)));
}

/// G06: a generator whose Return is `Result<i32, E>` returning `Err(e)` gives
/// `Complete(Err(e))`: a value, distinct from a failure (a panic).
#[test]
fn g06_a_returned_err_is_delivered_as_complete_err() {
    let mut g = pin!(g06_checked());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(
        g.as_mut().resume(-3),
        Complete(Err(E::Value("negative: -3".into())))
    );
    assert_eq!(g.status(), Status::Closed);

    let mut g = pin!(g06_checked());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(3), Complete(Ok(3)));

    let mut g = pin!(g06_parse_all(vec!["1", "2", "x", "4"]));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(()), Yielded(3));
    assert_eq!(g.as_mut().resume(()), Complete(Err(E::Value("x".into()))));
    assert_eq!(g.status(), Status::Closed);
}

/// G07: CREATED, then SUSPENDED after next, then CLOSED after exhaustion; close() on
/// CREATED gives CLOSED. (RUNNING: see the module docs.)
#[test]
fn g07_status_goes_created_suspended_closed() {
    let mut g = pin!(countdown(2));
    let mut states = vec![g.status()];
    let _ = g.as_mut().start();
    states.push(g.status());
    let _ = g.as_mut().resume(());
    states.push(g.status());
    let _ = g.as_mut().resume(());
    states.push(g.status());
    assert_eq!(
        states,
        [
            Status::Created,
            Status::Suspended,
            Status::Suspended,
            Status::Closed
        ]
    );

    let mut g = pin!(countdown(2));
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
}

#[generator(send = Result<i32, E>)]
fn g09(trace: Trace) -> Result<(), E> {
    push(&trace, "body starts");
    loop {
        match yield_!() {
            Err(E::Value(v)) => push(&trace, format!("caught ValueError ({v})")),
            other => push(&trace, other?.to_string()),
        }
    }
}

/// G09, Python: `throw(ValueError("xyz"))` is caught and returns the next yielded value;
/// `send(1)` prints 1; an uncaught `throw(TypeError)` propagates and closes the generator;
/// `send(2)` then raises StopIteration; `throw(ValueError(6))` on the closed generator runs
/// no code. In Rust, throwing in at a closed generator is misuse: it panics.
#[test]
fn g09_throw_is_caught_by_a_match_or_completes_with_the_error() {
    let trace = new_trace();
    let mut g = pin!(g09(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    assert_eq!(g.as_mut().throw(E::Value("xyz".into())), Yielded(()));
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(g.as_mut().resume(Ok(1)), Yielded(()));
    assert_eq!(
        entries(&trace),
        ["body starts", "caught ValueError (xyz)", "1"]
    );

    assert_eq!(
        g.as_mut().throw(E::Type("t".into())),
        Complete(Err(E::Type("t".into())))
    );
    assert_eq!(g.status(), Status::Closed);
    assert_mentions(&expect_panic(|| g.as_mut().resume(Ok(2))), CLOSED);
    assert_mentions(
        &expect_panic(|| g.as_mut().throw(E::Value("6".into()))),
        CLOSED,
    );
    assert_eq!(
        entries(&trace),
        ["body starts", "caught ValueError (xyz)", "1"]
    );
}

/// G09 / G07: Python's `f().throw(ValueError(7))` raises without running the body and leaves
/// the generator CLOSED. In Rust, throw on a Created generator is `resume` before `start`:
/// misuse, which panics before touching anything, so the generator stays Created.
#[test]
fn g09_throw_before_start_panics_runs_no_body_code_and_leaves_generator_created() {
    let trace = new_trace();
    let mut g = pin!(g09(trace.clone()));
    let message = expect_panic(|| g.as_mut().throw(E::Value("7".into())));
    assert_mentions(&message, NOT_STARTED);
    assert_eq!(g.status(), Status::Created);
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.as_mut().start(), Yielded(()));
    assert_eq!(entries(&trace), ["body starts"]);
}

#[generator]
fn g10(trace: Trace) {
    let _finally = PushOnDrop(trace.clone(), "drop exiting");
    yield_!();
    push(&trace, "after yield");
}

/// G10: `try: yield except GeneratorExit: print("exiting")`: after next, close() prints
/// "exiting"; a second close() is a no-op; close() on a fresh generator prints nothing, the
/// state is CLOSED and a later next fails.
#[test]
fn g10_close_runs_cleanup_once_and_is_idempotent() {
    let trace = new_trace();
    let mut g = pin!(g10(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    g.as_mut().close();
    assert_eq!(entries(&trace), ["drop exiting"]);
    g.as_mut().close();
    assert_eq!(entries(&trace), ["drop exiting"]);
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn g10_close_on_a_fresh_generator_runs_nothing_and_closes_it() {
    let trace = new_trace();
    let mut g = pin!(g10(trace.clone()));
    g.as_mut().close();
    // The guard is created by the body, which never ran: nothing to drop.
    assert_eq!(entries(&trace), Vec::<String>::new());
    assert_eq!(g.status(), Status::Closed);
    assert_mentions(&expect_panic(|| g.as_mut().start()), CLOSED);
    assert_eq!(entries(&trace), Vec::<String>::new());
}

#[generator]
fn g12(trace: Trace) {
    let _outer = PushOnDrop(trace.clone(), "drop outer");
    let _fie = PanicOnDrop(trace.clone(), "drop panicking guard", "fie!");
    let _inner = PushOnDrop(trace.clone(), "drop inner");
    yield_!();
}

/// G12: an error raised during close propagates out of close(), and the generator is
/// CLOSED. In Rust the "error" is a panicking destructor: the panic leaves `close()`, the
/// remaining locals are still dropped (once), and the generator is Closed.
#[test]
fn g12_a_panic_in_cleanup_propagates_out_of_close_and_leaves_it_closed() {
    let trace = new_trace();
    let mut g = pin!(g12(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    let message = expect_panic(|| g.as_mut().close());
    assert_eq!(message, "fie!");
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&trace),
        ["drop inner", "drop panicking guard", "drop outer"]
    );
    g.as_mut().close();
    assert_eq!(
        entries(&trace),
        ["drop inner", "drop panicking guard", "drop outer"]
    );
}

#[generator]
fn g13_finally(trace: Trace) {
    let _finally = PushOnDrop(trace.clone(), "drop exiting");
    yield_!();
}

/// G13: `try: yield finally: print("exiting")`: after next, `del g` prints "exiting".
#[test]
fn g13_dropping_a_suspended_generator_runs_its_cleanup() {
    let trace = new_trace();
    let mut g = Box::pin(g13_finally(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    assert_eq!(entries(&trace), Vec::<String>::new());
    drop(g);
    assert_eq!(entries(&trace), ["drop exiting"]);
}

#[generator(send = Result<(), E>)]
fn g13_catch_all(trace: Trace) {
    let _finally = PushOnDrop(trace.clone(), "drop finally");
    match yield_!() {
        Ok(()) => push(&trace, "ok"),
        Err(_) => push(&trace, "except"),
    }
}

/// G13: with `except Exception: print('except') finally: print('finally')`, closing prints
/// only "finally": the close signal is not a user error, so an `Err(_)` arm never sees it.
#[test]
fn g13_close_bypasses_user_err_arms_only_drop_guards_run() {
    let trace = new_trace();
    let mut g = pin!(g13_catch_all(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    g.as_mut().close();
    assert_eq!(entries(&trace), ["drop finally"]);

    // Control: a thrown error does reach the arm.
    let trace = new_trace();
    let mut g = pin!(g13_catch_all(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(()));
    assert_eq!(g.as_mut().throw(E::ZeroDiv), Complete(()));
    assert_eq!(entries(&trace), ["except", "drop finally"]);
}

struct Tree {
    label: char,
    left: Option<Box<Tree>>,
    right: Option<Box<Tree>>,
}

/// Guido's `tree(list)`: the middle element is the root.
fn tree(labels: &[char]) -> Option<Box<Tree>> {
    if labels.is_empty() {
        return None;
    }
    let i = labels.len() / 2;
    Some(Box::new(Tree {
        label: labels[i],
        left: tree(&labels[..i]),
        right: tree(&labels[i + 1..]),
    }))
}

#[generator(yield = char)]
fn inorder(t: &Option<Box<Tree>>) {
    if let Some(t) = t {
        yield_from!(Box::pin(inorder(&t.left)));
        yield_!(t.label);
        yield_from!(Box::pin(inorder(&t.right)));
    }
}

/// G15: Guido's binary tree example: the recursive in-order generator over a tree built from
/// "A".."Z" yields the alphabet.
#[test]
fn g15_recursive_inorder_tree_walk_yields_the_alphabet() {
    let alphabet: Vec<char> = ('A'..='Z').collect();
    let root = tree(&alphabet);
    assert_eq!(root.as_ref().map(|t| t.label), Some('N'));
    let walked: String = inorder(&root).into_iter().collect();
    assert_eq!(walked, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    assert_eq!(pin!(inorder(&root)).iter().count(), 26);
}

/// G15, optional part: a degenerate 10 000-deep tree walks without overflowing the stack
/// (boxed `yield_from!` runs on a trampoline).
#[test]
fn g15_a_ten_thousand_deep_degenerate_tree_walks_without_stack_overflow() {
    // Deep enough to overflow a native stack if frames nested natively; shallower under
    // miri, which is slow (the native-stack claim is checked by the normal run).
    const DEPTH: u32 = if cfg!(miri) { 200 } else { 10_000 };
    let mut root: Option<Box<Tree>> = None;
    for i in (0..DEPTH).rev() {
        root = Some(Box::new(Tree {
            label: char::from_u32(0x4E00 + i).unwrap(),
            left: None,
            right: root,
        }));
    }
    let mut g = Box::pin(inorder(&root));
    let mut count = 0;
    let mut last = None;
    for label in g.as_mut().iter() {
        count += 1;
        last = Some(label);
    }
    assert_eq!(count, DEPTH);
    assert_eq!(last, char::from_u32(0x4E00 + DEPTH - 1));
    drop(g);
    // Take the tree apart iteratively: its own recursive drop is not what is tested.
    let mut node = root;
    while let Some(mut t) = node {
        node = t.right.take();
    }
}

// ---------------------------------------------------------------------------------------
// 12. Yield points and other macros
// ---------------------------------------------------------------------------------------
//
// A yield point written inside another macro's arguments (`println!("{}", yield_!(x))`,
// `assert_eq!(yield_!(1), 5)`) is a compile error (the macro could move it out of the
// generator; see the `yield_!` docs and tests/ui). The supported spelling binds the sent
// value first and hands it to the macro.

#[generator(yield = i32, send = i32)]
fn yields_then_macros(trace: Trace) {
    let first = yield_!(1);
    println!("received {first}");
    let second = yield_!(2);
    push(&trace, format!("format got {second}"));
    let (a, b) = (yield_!(3), yield_!(4));
    let v = vec![a, b];
    push(&trace, format!("vec {v:?}"));
    let fifth = yield_!(5);
    assert_eq!(fifth, 5, "the body wants 5");
    push(&trace, "assert passed");
}

#[test]
fn a_sent_value_bound_first_can_be_used_in_other_macros() {
    let trace = new_trace();
    let mut g = pin!(yields_then_macros(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume(100), Yielded(2));
    assert_eq!(g.as_mut().resume(200), Yielded(3));
    assert_eq!(entries(&trace), ["format got 200"]);
    assert_eq!(g.as_mut().resume(30), Yielded(4));
    assert_eq!(g.as_mut().resume(40), Yielded(5));
    assert_eq!(entries(&trace), ["format got 200", "vec [30, 40]"]);
    assert_eq!(g.as_mut().resume(5), Complete(()));
    assert_eq!(
        entries(&trace),
        ["format got 200", "vec [30, 40]", "assert passed"]
    );
}

#[test]
fn assert_eq_on_a_sent_value_panics_out_of_resume_when_it_fails() {
    let trace = new_trace();
    let mut g = pin!(yields_then_macros(trace.clone()));
    assert_eq!(g.as_mut().start(), Yielded(1));
    for sent in [0, 0, 0, 0] {
        assert!(g.as_mut().resume(sent).yielded().is_some());
    }
    let message = expect_panic(|| g.as_mut().resume(6));
    assert_mentions(&message, &["the body wants 5", "left: 6", "right: 5"]);
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), ["format got 0", "vec [0, 0]"]);
}

// ---------------------------------------------------------------------------------------
// One step from outside: `send` (Python's `g.send(v)`) and `advance` (Python's `next(g)`)
// ---------------------------------------------------------------------------------------

#[generator(yield = u32, send = u32)]
fn doubler(trace: Trace) -> &'static str {
    push(&trace, "started");
    let mut x = yield_!(0);
    while x != 0 {
        push(&trace, format!("got {x}"));
        x = yield_!(2 * x);
    }
    "done"
}

#[test]
fn send_none_starts_a_fresh_generator_and_send_some_resumes_it() {
    let trace = new_trace();
    let mut g = pin!(doubler(trace.clone()));
    assert_eq!(g.as_mut().send(None), Some(Yielded(0)));
    assert_eq!(g.as_mut().send(Some(21)), Some(Yielded(42)));
    assert_eq!(g.as_mut().send(Some(0)), Some(Complete("done")));
    assert_eq!(entries(&trace), ["started", "got 21"]);
}

#[test]
fn send_to_a_closed_generator_answers_none_instead_of_panicking() {
    let mut g = pin!(doubler(new_trace()));
    assert_eq!(g.as_mut().send(None), Some(Yielded(0)));
    assert_eq!(g.as_mut().send(Some(0)), Some(Complete("done")));
    assert_eq!(g.as_mut().send(Some(1)), None);
    assert_eq!(g.as_mut().send(None), None);
    let mut closed = pin!(doubler(new_trace()));
    closed.as_mut().close();
    assert_eq!(closed.as_mut().send(None), None);
}

#[test]
fn send_of_a_value_into_a_fresh_generator_panics_and_leaves_it_fresh() {
    #[generator(yield = u32, send = AddOnDrop)]
    fn receiver() {
        let _kept = yield_!(1);
    }
    let dropped = Rc::new(Cell::new(0));
    let mut g = pin!(receiver());
    let message = expect_panic(|| g.as_mut().send(Some(AddOnDrop(dropped.clone(), 1))));
    assert_mentions(
        &message,
        &[
            "has not started",
            "can't send non-None value to a just-started generator",
            "send(None)",
            "not delivered",
        ],
    );
    // The value was refused (dropped by the panic), never delivered; nothing ran.
    assert_eq!(dropped.get(), 1);
    assert_eq!(g.status(), Status::Created);
    assert_eq!(g.as_mut().send(None), Some(Yielded(1)));
}

#[test]
fn send_none_into_a_suspended_generator_panics_and_leaves_it_suspended() {
    let mut g = pin!(doubler(new_trace()));
    assert_eq!(g.as_mut().send(None), Some(Yielded(0)));
    let message = expect_panic(|| g.as_mut().send(None));
    assert_mentions(&message, &["suspended", "Some(value)", "advance()"]);
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(g.as_mut().send(Some(2)), Some(Yielded(4)));
}

#[test]
fn advance_starts_resumes_with_the_default_and_answers_none_when_closed() {
    let trace = new_trace();
    let mut g = pin!(traced_countdown(trace.clone(), 2));
    assert_eq!(g.as_mut().advance(), Some(Yielded(2)));
    assert_eq!(g.as_mut().advance(), Some(Yielded(1)));
    assert_eq!(g.as_mut().advance(), Some(Complete("liftoff")));
    assert_eq!(g.as_mut().advance(), None);

    #[generator(yield = u32, send = Option<u32>)]
    fn maybe() {
        let first = yield_!(0);
        yield_!(first.unwrap_or(7));
    }
    let mut m = pin!(maybe());
    assert_eq!(m.as_mut().advance(), Some(Yielded(0)));
    // Python's `next(g)` sends `None`: so does `advance` with `send = Option<T>`.
    assert_eq!(m.as_mut().advance(), Some(Yielded(7)));
}

/// pyos (David Beazley, "A Curious Course on Coroutines and Concurrency"): tasks are
/// generators that yield system calls to the scheduler and are sent the result.
#[derive(Debug, PartialEq)]
enum SysCall {
    GetTid,
    Pass,
}

#[derive(Debug)]
enum Reply {
    Tid(u32),
    Nothing,
}

#[generator(yield = SysCall, send = Reply)]
fn pyos_task(trace: Trace, name: &'static str, turns: u32) -> &'static str {
    let Reply::Tid(tid) = yield_!(SysCall::GetTid) else {
        panic!("GetTid answers a Tid")
    };
    for turn in 0..turns {
        push(&trace, format!("{name} (tid {tid}) turn {turn}"));
        let _ = yield_!(SysCall::Pass);
    }
    name
}

type PyosTask = Pin<Box<dyn Generator<Reply, Yield = SysCall, Return = &'static str>>>;

fn pyos_tasks(trace: &Trace) -> std::collections::VecDeque<(u32, PyosTask, Option<Reply>)> {
    [("foo", 2), ("bar", 1)]
        .into_iter()
        .zip(1..)
        .map(|((name, turns), tid)| {
            let task: PyosTask = Box::pin(pyos_task(trace.clone(), name, turns));
            (tid, task, None)
        })
        .collect()
}

fn pyos_reply(tid: u32, call: SysCall) -> Reply {
    match call {
        SysCall::GetTid => Reply::Tid(tid),
        SysCall::Pass => Reply::Nothing,
    }
}

const PYOS_TRACE: [&str; 5] = [
    "foo (tid 1) turn 0",
    "bar (tid 2) turn 0",
    "foo (tid 1) turn 1",
    "bar exited",
    "foo exited",
];

#[test]
fn a_pyos_scheduler_loop_without_send_must_look_at_each_task_before_stepping_it() {
    let trace = new_trace();
    let mut ready = pyos_tasks(&trace);
    while let Some((tid, mut task, sendval)) = ready.pop_front() {
        // Before `send`: the loop picks `start` or `resume` from the status, and must keep
        // closed tasks out of the queue itself (stepping one panics).
        let step = match (task.status(), sendval) {
            (Status::Created, None) => task.as_mut().start(),
            (Status::Suspended, Some(reply)) => task.as_mut().resume(reply),
            (status, _) => unreachable!("{status:?}"),
        };
        match step {
            Yielded(call) => ready.push_back((tid, task, Some(pyos_reply(tid, call)))),
            Complete(name) => push(&trace, format!("{name} exited")),
        }
    }
    assert_eq!(entries(&trace), PYOS_TRACE);
}

#[test]
fn a_pyos_scheduler_loop_sends_each_task_its_pending_value_in_one_step() {
    let trace = new_trace();
    let mut ready = pyos_tasks(&trace);
    while let Some((tid, mut task, mut sendval)) = ready.pop_front() {
        // Python's `task.target.send(task.sendval)`: `None` the first time.
        match task.as_mut().send(sendval.take()) {
            Some(Yielded(call)) => ready.push_back((tid, task, Some(pyos_reply(tid, call)))),
            Some(Complete(name)) => push(&trace, format!("{name} exited")),
            None => unreachable!("an exited task leaves the queue"),
        }
    }
    assert_eq!(entries(&trace), PYOS_TRACE);
}

#[test]
fn a_pyos_scheduler_may_keep_exited_tasks_and_send_finds_them_closed() {
    let trace = new_trace();
    let mut tasks: Vec<_> = pyos_tasks(&trace).into_iter().collect();
    let mut exited = 0;
    // Round-robin over every task, finished or not: a closed task answers `None`.
    while exited < tasks.len() {
        exited = 0;
        for (tid, task, sendval) in &mut tasks {
            match task.as_mut().send(sendval.take()) {
                Some(Yielded(call)) => *sendval = Some(pyos_reply(*tid, call)),
                Some(Complete(name)) => push(&trace, format!("{name} exited")),
                None => exited += 1,
            }
        }
    }
    assert_eq!(entries(&trace), PYOS_TRACE);
}

// ---- close_gracefully: Python's close() raises GeneratorExit at the yield ----

#[derive(Debug, Clone, PartialEq)]
enum Stop {
    Exit,
    Failed(String),
}

impl From<cogen::GeneratorExit> for Stop {
    fn from(_: cogen::GeneratorExit) -> Stop {
        Stop::Exit
    }
}

/// A downstream pipeline stage, boxed.
type Stage = Pin<Box<dyn Generator<Result<String, Stop>, Yield = (), Return = usize>>>;

/// Beazley's `grep` coroutine with a goodbye on close, feeding a downstream stage: on
/// `GeneratorExit` it says goodbye and passes the close on, with its own logic and locals.
#[generator(yield = (), send = Result<String, Stop>)]
fn grep_stage(pattern: &'static str, trace: Trace, downstream: Stage) -> Result<usize, Stop> {
    let mut downstream = downstream;
    let _ = downstream.as_mut().start();
    let mut matched = 0;
    loop {
        match yield_!(()) {
            Ok(line) if line.contains(pattern) => {
                matched += 1;
                let _ = downstream.as_mut().resume(Ok(line));
            }
            Ok(_) => {}
            Err(Stop::Exit) => {
                push(&trace, "grep: goodbye");
                let printed = downstream.as_mut().close_gracefully().unwrap_or(0);
                push(
                    &trace,
                    format!("grep: {matched} matched, {printed} printed"),
                );
                return Ok(matched);
            }
            Err(other) => return Err(other),
        }
    }
}

#[generator(yield = (), send = Result<String, Stop>)]
fn printer(trace: Trace) -> usize {
    let mut printed = 0;
    while let Ok(line) = yield_!(()) {
        push(&trace, format!("print: {line}"));
        printed += 1;
    }
    push(&trace, "print: flushed");
    printed
}

#[test]
fn close_gracefully_delivers_generator_exit_and_the_stage_cleans_up_with_its_own_logic() {
    let trace = new_trace();
    let mut g = pin!(grep_stage(
        "python",
        trace.clone(),
        Box::pin(printer(trace.clone()))
    ));
    let _ = g.as_mut().start();
    for line in ["python generators", "rust", "python coroutines"] {
        let _ = g.as_mut().resume(Ok(line.to_string()));
    }
    assert_eq!(g.as_mut().close_gracefully(), Some(Ok(2)));
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&trace),
        [
            "print: python generators",
            "print: python coroutines",
            "grep: goodbye",
            "print: flushed",
            "grep: 2 matched, 2 printed"
        ]
    );
    assert_eq!(
        g.as_mut().close_gracefully(),
        None,
        "a closed generator is left as it is"
    );
}

#[test]
fn close_gracefully_of_a_fresh_generator_runs_no_body_code() {
    let trace = new_trace();
    let mut g = pin!(printer(trace.clone()));
    assert_eq!(g.as_mut().close_gracefully(), None);
    assert_eq!(g.status(), Status::Closed);
    assert!(entries(&trace).is_empty());
}

#[test]
fn close_gracefully_reaches_the_innermost_delegate_first() {
    #[generator(yield = (), send = Result<String, Stop>)]
    fn outer(trace: Trace) -> usize {
        let printed = yield_from!(printer(trace.clone()));
        push(&trace, "outer: after the delegate");
        printed
    }
    let trace = new_trace();
    let mut g = pin!(outer(trace.clone()));
    let _ = g.as_mut().start();
    let _ = g.as_mut().resume(Ok("one".to_string()));
    assert_eq!(g.as_mut().close_gracefully(), Some(1));
    assert_eq!(
        entries(&trace),
        ["print: one", "print: flushed", "outer: after the delegate"]
    );
}

/// A delegate that passes `GeneratorExit` on as its error, after its own cleanup.
#[generator(yield = (), send = Result<String, Stop>)]
fn flushing_printer(trace: Trace) -> Result<usize, Stop> {
    let mut printed = 0;
    loop {
        match yield_!(()) {
            Ok(line) => {
                push(&trace, format!("print: {line}"));
                printed += 1;
            }
            Err(error) => {
                push(&trace, format!("print: flushed {printed}"));
                return Err(error);
            }
        }
    }
}

#[test]
fn close_gracefully_closes_a_chain_whose_delegate_passes_the_exit_on() {
    #[generator(yield = (), send = Result<String, Stop>)]
    fn outer(trace: Trace) -> Result<usize, Stop> {
        let printed = yield_from!(flushing_printer(trace.clone()))?;
        push(&trace, "outer: not reached on close");
        let _ = yield_!(());
        Ok(printed)
    }
    let trace = new_trace();
    let mut g = pin!(outer(trace.clone()));
    let _ = g.as_mut().start();
    let _ = g.as_mut().resume(Ok("one".to_string()));
    assert_eq!(g.as_mut().close_gracefully(), Some(Err(Stop::Exit)));
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), ["print: one", "print: flushed 1"]);
}

#[test]
fn a_delegator_that_yields_after_its_delegate_returned_on_close_panics_saying_why() {
    #[generator(yield = (), send = Result<String, Stop>)]
    fn outer(trace: Trace) -> usize {
        let printed = yield_from!(printer(trace.clone()));
        push(&trace, "outer: after the delegate");
        let _ = yield_!(());
        printed
    }
    let trace = new_trace();
    let mut g = pin!(outer(trace.clone()));
    let _ = g.as_mut().start();
    let message = expect_panic(|| g.as_mut().close_gracefully());
    assert!(
        message.contains("generator ignored GeneratorExit")
            && message.contains("pass it on with `?`"),
        "{message}"
    );
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&trace),
        ["print: flushed", "outer: after the delegate"]
    );
}

#[test]
fn a_generator_that_yields_instead_of_finishing_on_close_panics_and_is_dropped() {
    #[generator(yield = u8, send = Result<(), Stop>)]
    fn stubborn(drops: Rc<Cell<u32>>) {
        let _local = AddOnDrop(drops, 1);
        loop {
            let _ = yield_!(1); // ignores GeneratorExit
        }
    }
    let drops = Rc::new(Cell::new(0));
    let mut g = pin!(stubborn(drops.clone()));
    let _ = g.as_mut().start();
    let message = expect_panic(|| g.as_mut().close_gracefully());
    assert!(
        message.contains("generator ignored GeneratorExit"),
        "{message}"
    );
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(drops.get(), 1);
}

#[test]
fn an_error_other_than_generator_exit_still_fails_the_stage() {
    let trace = new_trace();
    let mut g = pin!(grep_stage(
        "x",
        trace.clone(),
        Box::pin(printer(trace.clone()))
    ));
    let _ = g.as_mut().start();
    assert_eq!(
        g.as_mut().throw(Stop::Failed("disk full".into())),
        Complete(Err(Stop::Failed("disk full".into())))
    );
    assert!(
        entries(&trace).is_empty(),
        "no goodbye: it failed, it was not closed"
    );
}
