//! Behaviour of `cogen::asyncio`, checked against CPython's asyncio tests: the scenarios of
//! sections C (coroutines and `await`, test_coroutines.py), F (`Future`, test_futures.py),
//! T (`Task` and `sleep`, test_tasks.py), GA (`gather`) and S (`Semaphore`, test_locks.py)
//! of the acceptance catalogue, and the loop's robustness (timers cancelled in their own tick,
//! closing, futures of other loops, deep cancellation chains, callback ids). Each test states
//! the behaviour in its name, shows the trace or values in its body, and names the scenario in
//! a comment (`// T06`). The locks and queues are in tests/asyncio_sync.rs.
//!
//! The Rust mapping:
//! * `async def f() -> T` is `#[asyncio::coroutine] fn f() -> Result<T, E>`; `await x` is
//!   `yield_from!(x)`, whose value is the awaited `Result`, and `?` re-raises;
//! * Python's exceptions are `Err` values: [`Cancelled`] (`CancelledError`), or the test enum
//!   [`Error`]; an error whose identity matters is an `Rc` compared with `Rc::ptr_eq`;
//! * `run_async(coro)` of test_coroutines.py is [`run_async`] here: it drives a coroutine by
//!   hand, resuming with `Ok(())`, and gives the `Suspend`s it yielded and what it returned;
//! * anything timed runs on a virtual clock (`EventLoop::with_virtual_clock`), so times are
//!   exact: `lp.time()` is the Python test loop's `loop.time()`;
//! * asyncio's `test_utils.run_briefly(loop)` is `lp.run_briefly()`.
//!
//! Compile-time cases (the type system rules them out) are trybuild tests in `tests/ui/`:
//! * C06/C07 awaiting a coroutine twice: `coroutine_awaited_twice.rs`;
//! * C07 a coroutine is not iterable: `coroutine_is_not_iterable.rs`;
//! * C07 `yield from` a coroutine in a plain generator:
//!   `yield_from_coroutine_in_plain_generator.rs`;
//! * C07 `await []` (a list is an iterator, not an awaitable): `await_non_awaitable.rs`;
//! * C07 "coroutine was never awaited" (RuntimeWarning): `unused_coroutine.rs` (`#[must_use]`);
//! * T10 "Task got bad yield": `coroutine_yields_a_value.rs`, and fixing the yield type
//!   with `#[asyncio::coroutine(yield = ..)]`: `coroutine_with_yield_key.rs`;
//! * S2 `Semaphore(-1)`: `semaphore_negative_value.rs`;
//! * awaiting a future whose result is not `Clone`: `await_future_of_non_clone.rs`;
//! * running a coroutine that does not return a `Result`: `coroutine_returning_a_non_result.rs`.
//!
//! Scenarios with no Rust meaning:
//! * C04 "coroutine already executing": resuming takes `Pin<&mut Self>`, so a coroutine
//!   cannot be resumed while it runs (its run-time analogue, running a loop inside the running
//!   loop, is tested);
//! * C05 "coroutine ignored GeneratorExit": closing is dropping, a destructor cannot await;
//! * C07 the async-with ordering test: there is no async cleanup (`Drop` cannot await);
//! * T09 `asyncio.wait(FIRST_COMPLETED)` has no counterpart; its analogue runs the loop until
//!   the short task is done and looks at the long one.

use std::cell::{Cell, RefCell};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::time::Duration;

use cogen::GeneratorState::{Complete, Yielded};
use cogen::asyncio::{
    self, AsyncError, Cancelled, EventLoop, Future, InvalidState, Resume, Semaphore, Suspend, Task,
    TimerHandle,
};
use cogen::{Generator, IntoGenerator, Status, generator, yield_from};

// ---------------------------------------------------------------------------------------
// Harness (the trace and panic helpers are in `support`)
// ---------------------------------------------------------------------------------------

mod support;
use support::{AddOnDrop, PanicOnDrop, PushOnDrop, Trace, entries, expect_panic, new_trace, push};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// test_coroutines.py's `run_async(coro)`: resume with `Ok(())` until it completes; the
/// `Suspend`s it yielded (as `Debug` text) and what it returned.
fn run_async<G: Generator<Resume, Yield = Suspend>>(coro: G) -> (Vec<String>, G::Return) {
    let mut coro = pin!(coro);
    let mut yielded = Vec::new();
    let mut step = coro.as_mut().start();
    loop {
        match step {
            Yielded(suspend) => {
                yielded.push(format!("{suspend:?}"));
                step = coro.as_mut().resume(Ok(()));
            }
            Complete(returned) => return (yielded, returned),
        }
    }
}

/// The Python exceptions of the tests: `CancelledError`, and errors raised by the code.
/// `Failed` carries an `Rc` so that a test can check it got the *same* error object.
#[derive(Debug, Clone, PartialEq)]
enum Error {
    Cancelled,
    Runtime(&'static str),
    Value(&'static str),
    ZeroDivision,
    Marker,
    Failed(Rc<str>),
}

impl From<Cancelled> for Error {
    fn from(_: Cancelled) -> Self {
        Error::Cancelled
    }
}

impl AsyncError for Error {
    fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled)
    }
}

/// Whether `got` is `Err(Error::Failed(x))` with `x` the very `Rc` of `expected`.
fn same_error<T>(got: Option<Result<T, Error>>, expected: &Rc<str>) -> bool {
    matches!(got, Some(Err(Error::Failed(x))) if Rc::ptr_eq(&x, expected))
}

/// A slot through which a test hands a coroutine its own task (Python code reaches it as a
/// global or `asyncio.current_task()`); the coroutine takes it out, so no cycle is left.
type Slot<T> = Rc<RefCell<Option<T>>>;

fn slot<T>() -> Slot<T> {
    Rc::new(RefCell::new(None))
}

// ---------------------------------------------------------------------------------------
// C: coroutines and await
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn returns_10() -> Result<u32, Cancelled> {
    Ok(10)
}

#[test]
fn a_coroutine_that_awaits_nothing_completes_on_its_first_step() {
    // C01 (test_func_1): `async def foo(): return 10` gives ([], 10).
    assert_eq!(run_async(returns_10()), (vec![], Ok(10)));
    let mut coro = pin!(returns_10());
    assert_eq!(coro.as_mut().start().complete(), Some(Ok(10)));
    assert_eq!(coro.status(), Status::Closed);
}

#[asyncio::coroutine]
fn bar_yields_twice(trace: Trace) -> Result<&'static str, Cancelled> {
    push(&trace, "bar: before the 1st yield");
    yield_from!(asyncio::yield_now())?;
    push(&trace, "bar: before the 2nd yield");
    yield_from!(asyncio::yield_now())?;
    push(&trace, "bar: returns");
    Ok("bar done")
}

#[asyncio::coroutine]
fn awaits_bar(trace: Trace) -> Result<&'static str, Cancelled> {
    push(&trace, "foo: awaits bar");
    let value = yield_from!(bar_yields_twice(trace.clone()))?;
    push(&trace, format!("foo: bar gave {value:?}"));
    Ok(value)
}

#[test]
fn leaf_yields_pass_through_an_await_to_the_driver_in_order() {
    // C01 (test_func_6): awaiting `bar(): yield 1; yield 2` gives send -> 1, send -> 2, then
    // StopIteration. A coroutine's leaves yield `Suspend`s, here two reschedules.
    let trace = new_trace();
    let mut coro = pin!(awaits_bar(trace.clone()));
    assert_eq!(
        format!("{:?}", coro.as_mut().start()),
        "Yielded(Suspend(Reschedule))"
    );
    assert_eq!(
        entries(&trace),
        ["foo: awaits bar", "bar: before the 1st yield"]
    );
    assert_eq!(
        format!("{:?}", coro.as_mut().resume(Ok(()))),
        "Yielded(Suspend(Reschedule))"
    );
    assert_eq!(
        coro.as_mut().resume(Ok(())).complete(),
        Some(Ok("bar done"))
    );
    assert_eq!(
        entries(&trace),
        [
            "foo: awaits bar",
            "bar: before the 1st yield",
            "bar: before the 2nd yield",
            "bar: returns",
            "foo: bar gave \"bar done\"",
        ]
    );
    let (yielded, returned) = run_async(awaits_bar(new_trace()));
    assert_eq!(yielded, ["Suspend(Reschedule)", "Suspend(Reschedule)"]);
    assert_eq!(returned, Ok("bar done"));
}

/// Python's class with `__await__`: not a generator, but it makes one.
struct Awaitable42;

/// The `__await__` body: yields once to the loop, returns 100 (a plain generator with the
/// coroutine's yield and send types: it does not even return a `Result`).
#[generator(yield = Suspend, send = Resume)]
fn await_42_body() -> u32 {
    let _ = yield_from!(asyncio::yield_now());
    100
}

impl IntoGenerator<Resume> for Awaitable42 {
    type Yield = Suspend;
    type Return = u32;
    type IntoGen = Pin<Box<dyn Generator<Resume, Yield = Suspend, Return = u32>>>;
    fn into_generator(self) -> Self::IntoGen {
        Box::pin(await_42_body())
    }
}

#[asyncio::coroutine]
fn awaits_dunder_await() -> Result<u32, Cancelled> {
    Ok(yield_from!(Awaitable42))
}

#[asyncio::coroutine]
fn returns_42() -> Result<u32, Cancelled> {
    Ok(42)
}

#[asyncio::coroutine]
fn returns_await_42() -> Result<u32, Cancelled> {
    yield_from!(returns_42())
}

/// A generator-based coroutine (Python's `@types.coroutine` generator): `#[generator]` with
/// the coroutine's types is the same thing as `#[asyncio::coroutine]`.
#[generator(yield = Suspend, send = Resume)]
fn generator_based_spam() -> Result<&'static str, Cancelled> {
    Ok("spam")
}

#[asyncio::coroutine]
fn returns_yield_from_spam() -> Result<&'static str, Cancelled> {
    yield_from!(generator_based_spam())
}

#[test]
fn an_await_gives_the_awaited_return_value() {
    // C01 (test_await_4/7, test_func_8): `__await__` yielding once and returning 100 gives
    // ([<the yield>], 100); `return await bar()` gives ([], 42); a generator-based
    // `return (yield from foo())` gives ([], 'spam').
    assert_eq!(
        run_async(awaits_dunder_await()),
        (vec!["Suspend(Reschedule)".to_string()], Ok(100))
    );
    assert_eq!(run_async(returns_await_42()), (vec![], Ok(42)));
    assert_eq!(run_async(returns_yield_from_spam()), (vec![], Ok("spam")));
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(awaits_dunder_await()), Ok(100));
}

#[asyncio::coroutine]
fn traced_42(trace: Trace, name: &'static str) -> Result<i64, Cancelled> {
    push(&trace, name);
    Ok(42)
}

#[asyncio::coroutine]
fn awaits_in_an_expression(trace: Trace) -> Result<i64, Cancelled> {
    // Python: `await bar() + await wrap()() + await db['b']()()() + await bar() * 1000
    //          + await DB.b()()`.
    let bar = |name| traced_42(trace.clone(), name);
    let wrap = || bar;
    let db_b = || wrap;
    Ok(yield_from!(bar("bar()"))?
        + yield_from!(wrap()("wrap()()"))?
        + yield_from!(db_b()()("db['b']()()()"))?
        + yield_from!(bar("bar() * 1000"))? * 1000
        + yield_from!(wrap()("DB.b()()"))?)
}

#[asyncio::coroutine]
fn negated_await(trace: Trace) -> Result<i64, Cancelled> {
    Ok(-yield_from!(traced_42(trace, "-bar()"))?)
}

#[asyncio::coroutine]
fn returns_a_coroutine()
-> Result<impl Generator<Resume, Yield = Suspend, Return = Result<i64, Cancelled>>, Cancelled> {
    Ok(traced_42(new_trace(), "inner"))
}

#[asyncio::coroutine]
fn awaits_an_awaited_coroutine() -> Result<i64, Cancelled> {
    // Python: `await (await bar())`, where `bar` returns a coroutine.
    yield_from!(yield_from!(returns_a_coroutine())?)
}

#[asyncio::coroutine]
fn returns_an_await_in_a_tuple() -> Result<(&'static str, &'static str), Cancelled> {
    // Python: `return await bar(), 'ham'`.
    Ok((yield_from!(generator_based_spam())?, "ham"))
}

#[test]
fn awaits_inside_expressions_evaluate_left_to_right() {
    // C02 (test_await_9/10/11): 42168, -42, `await (await bar())` == 42, ('spam', 'ham').
    let trace = new_trace();
    assert_eq!(
        run_async(awaits_in_an_expression(trace.clone())),
        (vec![], Ok(42168))
    );
    assert_eq!(
        entries(&trace),
        [
            "bar()",
            "wrap()()",
            "db['b']()()()",
            "bar() * 1000",
            "DB.b()()"
        ]
    );
    assert_eq!(run_async(negated_await(new_trace())), (vec![], Ok(-42)));
    assert_eq!(run_async(awaits_an_awaited_coroutine()), (vec![], Ok(42)));
    assert_eq!(
        run_async(returns_an_await_in_a_tuple()),
        (vec![], Ok(("spam", "ham")))
    );
}

/// Python's leaf: `try: a = yield; yield a**2 except ZeroDivisionError: N += 100; raise
/// finally: N += 1`. A coroutine's leaf can only be thrown `Cancelled`, which stands in for
/// the ZeroDivisionError.
#[asyncio::coroutine]
fn leaf_counting(n: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    let _finally = AddOnDrop(n.clone(), 1);
    for _ in 0..2 {
        if let Err(error) = yield_from!(asyncio::yield_now()) {
            n.set(n.get() + 100);
            return Err(error);
        }
    }
    Ok(())
}

#[asyncio::coroutine]
fn awaits_leaf_counting(n: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    yield_from!(leaf_counting(n))
}

#[test]
fn close_and_throw_reach_the_leaf_through_an_await() {
    // C03 (test_func_10): `next(aw)`, `aw.send(10)`, `aw.close()` leaves N == 1; with a
    // fresh coroutine, `aw.throw(ZeroDivisionError)` raises and N == 102.
    let n = Rc::new(Cell::new(0));
    let mut aw = pin!(awaits_leaf_counting(n.clone()));
    assert!(aw.as_mut().start().yielded().is_some());
    assert!(aw.as_mut().resume(Ok(())).yielded().is_some());
    aw.as_mut().close();
    assert_eq!(n.get(), 1);

    // N is not reset: the except arm adds 100 and the finally 1 more.
    let mut aw = pin!(awaits_leaf_counting(n.clone()));
    assert!(aw.as_mut().start().yielded().is_some());
    assert_eq!(
        aw.as_mut().throw(Cancelled).complete(),
        Some(Err(Cancelled))
    );
    assert_eq!(n.get(), 102);
    assert_eq!(aw.status(), Status::Closed);
}

/// Python: `coro1` awaits `FutureLike` (`__await__: return (yield)`) and turns a thrown
/// ZeroDivisionError into `Marker`.
#[asyncio::coroutine]
fn coro1(fut: Future<&'static str, Error>) -> Result<&'static str, Error> {
    match yield_from!(&fut) {
        Err(Error::Cancelled) => Err(Error::Marker),
        other => other,
    }
}

#[asyncio::coroutine]
fn coro2(fut: Future<&'static str, Error>) -> Result<&'static str, Error> {
    yield_from!(coro1(fut))
}

#[test]
fn a_value_and_an_error_cross_two_await_levels() {
    // C03 (test_await_14): `send('spam')` through two wrappers raises StopIteration('spam');
    // a thrown error is converted by coro1 to Marker, which propagates.
    let lp = EventLoop::with_virtual_clock();
    let fut = lp.create_future();
    let mut coro = pin!(coro2(fut.clone()));
    assert_eq!(
        format!("{:?}", coro.as_mut().start()),
        "Yielded(Suspend(Wait))"
    );
    fut.set_result("spam").unwrap();
    assert_eq!(coro.as_mut().resume(Ok(())).complete(), Some(Ok("spam")));

    let mut coro = pin!(coro2(lp.create_future()));
    assert!(coro.as_mut().start().yielded().is_some());
    assert_eq!(
        coro.as_mut().throw(Cancelled).complete(),
        Some(Err(Error::Marker))
    );
}

#[test]
fn resuming_a_coroutine_that_has_not_started_panics() {
    // C04 (test_func_13): `g().send('spam')` raises "can't send non-None value to a
    // just-started coroutine"; here resuming before `start` panics, the coroutine untouched.
    let mut coro = pin!(returns_42());
    let message = expect_panic(|| coro.as_mut().resume(Ok(())));
    assert!(
        message.contains("cannot resume a generator that has not started"),
        "{message}"
    );
    assert!(message.contains("call `start()` first"), "{message}");
    assert_eq!(coro.status(), Status::Created);
    assert_eq!(coro.as_mut().start().complete(), Some(Ok(42)));
}

#[asyncio::coroutine]
fn sets_chk_on_close(chk: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    let _on_close = AddOnDrop(chk, 1);
    yield_from!(asyncio::yield_now())?;
    Ok(())
}

#[asyncio::coroutine]
fn awaits_sets_chk_on_close(chk: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    yield_from!(sets_chk_on_close(chk))
}

#[asyncio::coroutine]
fn sleeps_100_s() -> Result<(), Cancelled> {
    yield_from!(asyncio::sleep(secs(100)))
}

#[test]
fn closing_a_coroutine_runs_its_cleanup_once_and_later_closes_do_nothing() {
    // C05 (test_func_19): a leaf catching GeneratorExit sets CHK to 1; three further
    // `close()` calls are no-ops.
    let chk = Rc::new(Cell::new(0));
    let mut coro = pin!(awaits_sets_chk_on_close(chk.clone()));
    assert!(coro.as_mut().start().yielded().is_some());
    coro.as_mut().close();
    assert_eq!(chk.get(), 1);
    for _ in 0..3 {
        coro.as_mut().close();
    }
    assert_eq!(chk.get(), 1);
    assert_eq!(coro.status(), Status::Closed);
}

#[test]
fn closing_a_coroutine_suspended_in_a_sleep_cancels_its_timer() {
    // C05 (adapted): the sleep's cleanup is its timer's.
    let lp = EventLoop::with_virtual_clock();
    let timers = Rc::new(RefCell::new(Vec::new()));
    let (seen, lp2) = (timers.clone(), lp.clone());
    lp.call_soon(move || {
        let mut coro = Box::pin(sleeps_100_s());
        assert!(coro.as_mut().start().yielded().is_some());
        seen.borrow_mut().push(lp2.scheduled_timers());
        coro.as_mut().close();
        seen.borrow_mut().push(lp2.scheduled_timers());
    });
    lp.run_until_idle();
    assert_eq!(*timers.borrow(), [1, 0]);
    assert_eq!(lp.time(), Duration::ZERO);
}

#[asyncio::coroutine]
fn reads_spam<'a, G>(coro: Pin<&'a mut G>) -> Result<&'static str, Cancelled>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<&'static str, Cancelled>> + 'a,
{
    yield_from!(coro)
}

#[test]
fn a_finished_coroutine_cannot_be_resumed_or_awaited_again() {
    // C06 (test_func_15/16/17/18): after completing, send / throw / a second await raise
    // "cannot reuse already awaited coroutine"; close() twice is fine.
    let mut coro = pin!(generator_based_spam());
    assert_eq!(coro.as_mut().start().complete(), Some(Ok("spam")));
    let message = expect_panic(|| coro.as_mut().resume(Ok(())));
    assert!(
        message.contains("cannot resume a generator that is closed"),
        "{message}"
    );
    let message = expect_panic(|| coro.as_mut().throw(Cancelled));
    assert!(
        message.contains("cannot throw into a generator that is closed"),
        "{message}"
    );
    coro.as_mut().close();
    coro.as_mut().close();

    // A second reader awaiting a coroutine that the first reader finished.
    let mut spam = pin!(generator_based_spam());
    assert_eq!(run_async(reads_spam(spam.as_mut())), (vec![], Ok("spam")));
    let message = expect_panic(|| run_async(reads_spam(spam.as_mut())));
    assert!(
        message.contains("yield_from! over a generator that is closed"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------
// F: Future
// ---------------------------------------------------------------------------------------

#[test]
fn a_new_future_is_pending_and_cancel_makes_it_cancelled_and_done_once() {
    // F01 (test_initial_state, test_cancel).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    assert!(!fut.cancelled());
    assert!(!fut.done());
    assert!(fut.cancel());
    assert!(fut.cancelled());
    assert!(fut.done());
    assert_eq!(fut.result(), Some(Err(Cancelled)));
    assert_eq!(fut.set_result(1), Err(InvalidState));
    assert_eq!(fut.set_exception(Cancelled), Err(InvalidState));
    assert!(!fut.cancel());
}

#[test]
fn a_result_is_set_once_and_then_the_future_cannot_change() {
    // F02 (test_result).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32, Error> = lp.create_future();
    assert_eq!(fut.result(), None); // Python: InvalidStateError "Result is not set."
    assert_eq!(fut.set_result(42), Ok(()));
    assert!(fut.done());
    assert!(!fut.cancelled());
    assert_eq!(fut.result(), Some(Ok(42)));
    assert_eq!(fut.set_result(43), Err(InvalidState));
    assert_eq!(fut.set_exception(Error::Runtime("late")), Err(InvalidState));
    assert!(!fut.cancel());
    assert_eq!(fut.result(), Some(Ok(42)));
}

#[test]
fn an_exception_is_the_result_and_is_the_same_error_each_time() {
    // F03 (test_exception, test_exception_class): `result()` raises the error set, and
    // `exception()` is that same object.
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32, Error> = lp.create_future();
    assert_eq!(fut.result(), None);
    let error: Rc<str> = Rc::from("RuntimeError");
    fut.set_exception(Error::Failed(error.clone())).unwrap();
    assert!(fut.done());
    assert!(!fut.cancelled());
    assert!(same_error(fut.result(), &error));
    assert!(same_error(fut.result(), &error));
    assert_eq!(fut.set_result(1), Err(InvalidState));
    assert_eq!(fut.set_exception(Error::Marker), Err(InvalidState));
    assert!(!fut.cancel());
}

#[asyncio::coroutine]
fn awaits_the_future_twice(fut: Future<u32>, trace: Trace) -> Result<(u32, u32), Cancelled> {
    push(&trace, "A");
    let x = yield_from!(&fut)?;
    push(&trace, format!("B {x}"));
    let y = yield_from!(&fut)?;
    push(&trace, format!("C {y}"));
    Ok((x, y))
}

#[test]
fn awaiting_a_pending_future_suspends_once_and_a_done_one_not_at_all() {
    // F04 (test_yield_from_twice): the fixture yields 'A'; `x = yield from f` yields f;
    // after `f.set_result(42)` the next step gives ('B', 42), and a second `yield from f`
    // does not suspend: ('C', 42).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let trace = new_trace();
    let mut coro = pin!(awaits_the_future_twice(fut.clone(), trace.clone()));
    assert_eq!(
        format!("{:?}", coro.as_mut().start()),
        "Yielded(Suspend(Wait))"
    );
    assert_eq!(entries(&trace), ["A"]);
    fut.set_result(42).unwrap();
    assert_eq!(coro.as_mut().resume(Ok(())).complete(), Some(Ok((42, 42))));
    assert_eq!(entries(&trace), ["A", "B 42", "C 42"]);

    // The same on a loop: the task is resumed once the future is done.
    let fut: Future<u32> = lp.create_future();
    let trace = new_trace();
    let task = lp.create_task(awaits_the_future_twice(fut.clone(), trace.clone()));
    lp.run_briefly();
    assert_eq!(entries(&trace), ["A"]);
    let setter = fut.clone();
    lp.call_later(secs(1), move || setter.set_result(42).unwrap());
    assert_eq!(lp.run_until_complete(&task), Ok((42, 42)));
    assert_eq!(entries(&trace), ["A", "B 42", "C 42"]);
    assert_eq!(lp.time(), secs(1));
}

#[test]
fn resuming_an_await_of_a_pending_future_by_hand_panics() {
    // F04 (test_future_iter_send, "await wasn't used with future").
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let mut wait = pin!((&fut).into_generator());
    assert!(wait.as_mut().start().yielded().is_some());
    let message = expect_panic(|| wait.as_mut().resume(Ok(())));
    assert!(message.contains("still pending"), "{message}");
    assert!(
        message.contains("await wasn't used with future"),
        "{message}"
    );
}

#[test]
fn an_await_that_was_thrown_into_is_finished() {
    // F04 (test_futureiter_send_after_throw_no_crash): after `it.throw(..)` raises,
    // `send(None)` raises StopIteration; here the await completed with the error, and
    // resuming it again is misuse.
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let mut wait = pin!((&fut).into_generator());
    assert!(wait.as_mut().start().yielded().is_some());
    assert_eq!(
        wait.as_mut().throw(Cancelled).complete(),
        Some(Err(Cancelled))
    );
    assert_eq!(wait.status(), Status::Closed);
    let message = expect_panic(|| wait.as_mut().resume(Ok(())));
    assert!(message.contains("closed"), "{message}");
    assert!(!fut.done()); // throwing into the await does not touch the future
}

#[test]
fn a_tuple_result_arrives_whole() {
    // F04 (test_future_stop_iteration_args): a result (1, 2) is the value (1, 2).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<(u32, u32)> = lp.create_future();
    fut.set_result((1, 2)).unwrap();
    let mut wait = pin!(fut.into_generator());
    assert_eq!(wait.as_mut().start().complete(), Some(Ok((1, 2))));
}

fn push_on_done<T: 'static, E: 'static>(
    fut: &Future<T, E>,
    bag: &Bag,
    n: u32,
) -> asyncio::CallbackId {
    let bag = bag.clone();
    fut.add_done_callback(move |_| bag.borrow_mut().push(n))
}

#[test]
fn done_callbacks_run_in_order_on_the_next_tick_never_inside_set_result() {
    // F05 (test_callbacks_invoked_on_set_result / _on_set_exception).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<&str, Error> = lp.create_future();
    let bag = Rc::new(RefCell::new(Vec::new()));
    push_on_done(&fut, &bag, 42);
    push_on_done(&fut, &bag, 17);
    fut.set_result("foo").unwrap();
    assert!(bag.borrow().is_empty());
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [42, 17]);
    assert_eq!(fut.result(), Some(Ok("foo")));

    let fut: Future<&str, Error> = lp.create_future();
    let bag = Rc::new(RefCell::new(Vec::new()));
    push_on_done(&fut, &bag, 100);
    fut.set_exception(Error::Runtime("boom")).unwrap();
    assert!(bag.borrow().is_empty());
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [100]);

    // A callback added to a future already done also waits for the next tick.
    push_on_done(&fut, &bag, 7);
    assert_eq!(*bag.borrow(), [100]);
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [100, 7]);
}

/// What the done callbacks of a test push to (Python's `bag`).
type Bag = Rc<RefCell<Vec<u32>>>;

/// Python's fixture of the remove tests: callbacks adding 42, 17 and 100.
fn three_callbacks(lp: &EventLoop) -> (Future<&'static str>, Bag, [asyncio::CallbackId; 3]) {
    let fut = lp.create_future();
    let bag = Rc::new(RefCell::new(Vec::new()));
    let ids = [42, 17, 100].map(|n| push_on_done(&fut, &bag, n));
    (fut, bag, ids)
}

#[test]
fn a_callback_added_after_the_first_was_removed_runs_after_the_others() {
    // The order of addition holds whatever was removed in between (the first callback is
    // kept apart from the others: see `Callbacks` in future.rs).
    let lp = EventLoop::with_virtual_clock();
    let (fut, bag, [cb1, _, _]) = three_callbacks(&lp);
    assert_eq!(fut.remove_done_callback(cb1), 1);
    push_on_done(&fut, &bag, 5);
    fut.set_result("foo").unwrap();
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [17, 100, 5]);

    let fut: Future<&str> = lp.create_future();
    let bag = Rc::new(RefCell::new(Vec::new()));
    let only = push_on_done(&fut, &bag, 1);
    assert_eq!(fut.remove_done_callback(only), 1);
    push_on_done(&fut, &bag, 2);
    push_on_done(&fut, &bag, 3);
    fut.set_result("foo").unwrap();
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [2, 3]);
}

#[test]
fn remove_done_callback_removes_by_id_and_counts_what_it_removed() {
    // F06 (test_callbacks_remove_first_callback / _first_and_second_callback /
    // _third_callback, test_remove_done_callback).
    let lp = EventLoop::with_virtual_clock();

    let (fut, bag, [cb1, _, _]) = three_callbacks(&lp);
    assert_eq!(fut.remove_done_callback(cb1), 1);
    assert_eq!(fut.remove_done_callback(cb1), 0); // a second removal is a no-op
    fut.set_result("foo").unwrap();
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [17, 100]);

    let (fut, bag, [cb1, cb2, _]) = three_callbacks(&lp);
    assert_eq!(fut.remove_done_callback(cb1), 1);
    assert_eq!(fut.remove_done_callback(cb2), 1);
    fut.set_result("foo").unwrap();
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [100]);

    let (fut, bag, [_, _, cb3]) = three_callbacks(&lp);
    assert_eq!(fut.remove_done_callback(cb3), 1);
    fut.set_result("foo").unwrap();
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [42, 17]);

    // A callback never added to this future (its id comes from another one) is not found.
    let (fut, _, _) = three_callbacks(&lp);
    let (other, _, [other_cb1, _, _]) = three_callbacks(&lp);
    assert_eq!(fut.remove_done_callback(other_cb1), 0);
    assert_eq!(other.remove_done_callback(other_cb1), 1);

    // Python removes every registration of a function at once (6 here); ids name one
    // registration each, so removing the six ids removes six, and cb2 alone runs.
    let fut: Future<&str> = lp.create_future();
    let bag = Rc::new(RefCell::new(Vec::new()));
    let mut cb1s = vec![push_on_done(&fut, &bag, 1)];
    push_on_done(&fut, &bag, 2);
    cb1s.extend((0..5).map(|_| push_on_done(&fut, &bag, 1)));
    let removed: usize = cb1s
        .into_iter()
        .map(|id| fut.remove_done_callback(id))
        .sum();
    assert_eq!(removed, 6);
    fut.set_result("foo").unwrap();
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [2]);

    // Once the future is done its callbacks are scheduled: too late to remove them.
    let (fut, bag, [cb1, _, _]) = three_callbacks(&lp);
    fut.set_result("foo").unwrap();
    assert_eq!(fut.remove_done_callback(cb1), 0);
    lp.run_briefly();
    assert_eq!(*bag.borrow(), [42, 17, 100]);
}

// ---------------------------------------------------------------------------------------
// T: Task and sleep
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn notmuch() -> Result<&'static str, Cancelled> {
    Ok("ok")
}

#[asyncio::coroutine]
fn inner1() -> Result<u32, Cancelled> {
    Ok(42)
}

#[asyncio::coroutine]
fn inner2() -> Result<u32, Cancelled> {
    Ok(1000)
}

#[asyncio::coroutine]
fn outer_sum() -> Result<u32, Cancelled> {
    let a = yield_from!(inner1())?;
    let b = yield_from!(inner2())?;
    Ok(a + b)
}

#[test]
fn a_task_runs_its_coroutine_and_is_the_future_of_its_result() {
    // T01 (test_task_class, test_task_basics).
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(notmuch());
    assert!(!task.done());
    assert_eq!(lp.run_until_complete(&task), Ok("ok"));
    assert!(task.done());
    assert_eq!(task.result(), Some(Ok("ok")));
    let fut: Future<&str> = task.into(); // a Task is a Future
    assert_eq!(fut.result(), Some(Ok("ok")));

    assert_eq!(lp.run_until_complete(outer_sum()), Ok(1042));
    assert_eq!(asyncio::run(outer_sum()), Ok(1042));
}

#[asyncio::coroutine]
fn sleeps_10_s_returns_12(trace: Trace) -> Result<u32, Cancelled> {
    push(&trace, "sleeping");
    yield_from!(asyncio::sleep(secs(10)))?;
    push(&trace, "woke up");
    Ok(12)
}

#[test]
fn cancelling_a_sleeping_task_cancels_it_without_waiting_and_removes_its_timer() {
    // T02 (test_cancel): `yield from sleep(10); return 12` with `loop.call_soon(t.cancel)`.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let task = lp.create_task(sleeps_10_s_returns_12(trace.clone()));
    let handle = task.clone();
    lp.call_soon(move || assert!(handle.cancel()));
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(task.done());
    assert!(task.cancelled());
    assert!(!task.cancel());
    assert_eq!(entries(&trace), ["sleeping"]);
    assert_eq!(lp.scheduled_timers(), 0);
    assert!(lp.time() < secs(10));
    lp.run_until_idle();
    assert_eq!(lp.time(), Duration::ZERO);
}

#[asyncio::coroutine]
fn two_bare_yields(trace: Trace) -> Result<u32, Cancelled> {
    push(&trace, "1st yield");
    yield_from!(asyncio::yield_now())?;
    push(&trace, "2nd yield");
    yield_from!(asyncio::yield_now())?;
    Ok(12)
}

#[test]
fn a_task_cancelled_at_a_bare_yield_stops_there() {
    // T02 (test_cancel_yield): two bare `yield`s, cancelled after the task started.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let task = lp.create_task(two_bare_yields(trace.clone()));
    lp.run_briefly(); // two ticks, as asyncio's helper: both yields are reached
    assert!(task.cancel());
    assert!(!task.done()); // delivered at the next resume
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(task.cancelled());
    assert_eq!(entries(&trace), ["1st yield", "2nd yield"]);
}

#[test]
fn a_task_cancelled_before_it_starts_never_runs_its_body() {
    // T02 (Task.cancel before the first step).
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let task = lp.create_task(two_bare_yields(trace.clone()));
    assert!(task.cancel());
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(entries(&trace).is_empty());
}

#[asyncio::coroutine]
fn cancels_itself_then_sleeps(me: Slot<Task<u32>>, trace: Trace) -> Result<u32, Cancelled> {
    let task = me
        .borrow_mut()
        .take()
        .expect("the test put the task in the slot");
    push(&trace, format!("cancel() -> {}", task.cancel()));
    drop(task);
    let slept = yield_from!(asyncio::sleep(secs(100)));
    push(&trace, format!("sleep -> {slept:?}"));
    slept?;
    Ok(12)
}

#[test]
fn a_task_that_cancels_itself_is_cancelled_at_its_next_await_without_waiting() {
    // T02 (test_cancel_current_task): `t.cancel()` on itself, then `await sleep(100)`.
    let lp = EventLoop::with_virtual_clock();
    let me = slot();
    let trace = new_trace();
    let task = lp.create_task(cancels_itself_then_sleeps(me.clone(), trace.clone()));
    *me.borrow_mut() = Some(task.clone());
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(task.cancelled());
    assert_eq!(
        entries(&trace),
        ["cancel() -> true", "sleep -> Err(Cancelled)"]
    );
    assert_eq!(lp.time(), Duration::ZERO);
    assert_eq!(lp.scheduled_timers(), 0);
}

#[asyncio::coroutine]
fn awaits_fut_returns_12(fut: Future<u32>) -> Result<u32, Cancelled> {
    yield_from!(&fut)?;
    Ok(12)
}

#[test]
fn cancelling_the_future_a_task_awaits_cancels_the_task() {
    // T03 (test_cancel_inner_future): `f.cancel()` throws CancelledError into the task at
    // the await; uncaught, the task ends cancelled (not failed).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let task = lp.create_task(awaits_fut_returns_12(fut.clone()));
    lp.run_briefly();
    assert!(fut.cancel());
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(task.done());
    assert!(task.cancelled());
}

#[test]
fn cancelling_both_a_task_and_the_future_it_awaits_cancels_the_task() {
    // T03 (test_cancel_both_task_and_inner_future).
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let task = lp.create_task(awaits_fut_returns_12(fut.clone()));
    lp.run_briefly();
    assert!(fut.cancel());
    assert!(task.cancel());
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(task.done());
    assert!(fut.cancelled());
    assert!(task.cancelled());
}

#[asyncio::coroutine]
fn catches_the_cancel(fut1: Future<()>, fut2: Future<()>) -> Result<u32, Cancelled> {
    yield_from!(&fut1)?;
    match yield_from!(&fut2) {
        Err(Cancelled) => Ok(42),
        Ok(()) => Ok(0),
    }
}

#[test]
fn a_task_that_catches_its_cancellation_completes_normally() {
    // T04 (test_cancel_task_catching): after fut1 is done, `t.cancel()` cancels fut2 at
    // once; `except CancelledError: return 42` gives 42 and the task is not cancelled.
    let lp = EventLoop::with_virtual_clock();
    let (fut1, fut2): (Future<()>, Future<()>) = (lp.create_future(), lp.create_future());
    let task = lp.create_task(catches_the_cancel(fut1.clone(), fut2.clone()));
    lp.run_briefly();
    fut1.set_result(()).unwrap();
    lp.run_briefly();
    assert!(task.cancel());
    assert!(fut2.cancelled()); // immediately
    assert_eq!(lp.run_until_complete(&task), Ok(42));
    assert!(!task.cancelled());
}

#[asyncio::coroutine]
fn ignores_the_cancel(
    fut1: Future<()>,
    fut2: Future<()>,
    fut3: Future<u32>,
) -> Result<u32, Cancelled> {
    yield_from!(&fut1)?;
    match yield_from!(&fut2) {
        Err(Cancelled) => yield_from!(&fut3), // a later await is not cancelled: one shot
        Ok(()) => Ok(0),
    }
}

#[test]
fn a_task_that_ignores_its_cancellation_goes_on_awaiting() {
    // T04 (test_cancel_task_ignoring): the task then awaits fut3; `fut3.set_result(42)`
    // gives 42 and neither the task nor fut3 is cancelled.
    let lp = EventLoop::with_virtual_clock();
    let (fut1, fut2, fut3) = (lp.create_future(), lp.create_future(), lp.create_future());
    let task = lp.create_task(ignores_the_cancel(fut1.clone(), fut2.clone(), fut3.clone()));
    lp.run_briefly();
    fut1.set_result(()).unwrap();
    lp.run_briefly();
    assert!(task.cancel());
    assert!(fut2.cancelled());
    lp.run_briefly();
    assert!(!task.done());
    fut3.set_result(42).unwrap();
    assert_eq!(lp.run_until_complete(&task), Ok(42));
    assert!(!task.cancelled());
    assert!(!fut3.cancelled());
}

#[asyncio::coroutine]
fn inner_adds_1(waiter: Future<()>, proof: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    match yield_from!(&waiter) {
        Err(Cancelled) => {
            proof.set(proof.get() + 1);
            Err(Cancelled) // re-raise
        }
        Ok(()) => panic!("got past the await in inner()"),
    }
}

#[asyncio::coroutine]
fn outer_adds_100(waiter: Future<()>, proof: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    match yield_from!(inner_adds_1(waiter, proof.clone())) {
        Err(Cancelled) => proof.set(proof.get() + 100), // expect this path
        Ok(()) => proof.set(proof.get() + 10),
    }
    Ok(())
}

#[test]
fn a_cancellation_is_thrown_at_the_innermost_await_and_handled_at_each_level() {
    // T05 (test_yield_future_passes_cancel): proof == 101, the waiter is cancelled, and the
    // task completes normally.
    let lp = EventLoop::with_virtual_clock();
    let waiter: Future<()> = lp.create_future();
    let proof = Rc::new(Cell::new(0));
    let task = lp.create_task(outer_adds_100(waiter.clone(), proof.clone()));
    lp.run_briefly();
    assert!(task.cancel());
    assert_eq!(lp.run_until_complete(&task), Ok(()));
    assert_eq!(proof.get(), 101);
    assert!(waiter.cancelled());
    assert!(!task.cancelled());
}

#[asyncio::coroutine]
fn awaits_the_sleeper(sleeper: Task<()>) -> Result<&'static str, Cancelled> {
    match yield_from!(&sleeper) {
        Err(Cancelled) => Ok("cancelled"),
        Ok(()) => Ok("slept"),
    }
}

#[test]
fn cancelling_a_sleeping_task_removes_its_timer() {
    // T06 (test_task_cancel_sleeping_task): `sleeper = Task(sleep(5000))`,
    // `call_later(0.1, sleeper.cancel)`; the task awaiting it gets CancelledError and returns
    // 'cancelled' at t = 0.1. The sleep's 5000 s timer leaves the heap.
    let lp = EventLoop::with_virtual_clock();
    let sleeper = lp.create_task(asyncio::sleep(secs(5000))); // `sleep` is a coroutine
    let handle = sleeper.clone();
    lp.call_later(ms(100), move || assert!(handle.cancel()));
    assert_eq!(lp.scheduled_timers(), 1);
    assert_eq!(
        lp.run_until_complete(awaits_the_sleeper(sleeper.clone())),
        Ok("cancelled")
    );
    assert_eq!(lp.time(), ms(100));
    assert!(sleeper.cancelled());
    assert_eq!(lp.scheduled_timers(), 0);
    lp.run_until_idle();
    assert_eq!(lp.time(), ms(100)); // nothing left to wait 5000 s for
}

#[test]
fn cancelling_a_task_cancels_the_future_it_awaits() {
    // T06 (test_task_cancel_waiter_future): the waiter future is cancelled too.
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let task = lp.create_task(awaits_fut_returns_12(fut.clone()));
    lp.run_briefly();
    assert!(task.cancel());
    assert!(fut.cancelled());
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
}

#[asyncio::coroutine]
fn sleeps_twice_returns_yeah() -> Result<&'static str, Cancelled> {
    yield_from!(asyncio::sleep(ms(50)))?;
    yield_from!(asyncio::sleep(ms(50)))?;
    Ok("yeah") // Python: `res = yield from sleep(0.05, 'yeah')`: here sleep has no result
}

#[test]
fn sleeps_advance_the_virtual_clock_exactly() {
    // T07 (test_sleep): 'yeah' at loop.time() == 0.1.
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(sleeps_twice_returns_yeah()),
        Ok("yeah")
    );
    assert_eq!(lp.time(), ms(100));
}

#[asyncio::coroutine]
fn sleep_zero_lets_call_soon_run(result: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    let inc = result.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_soon(move || inc.set(inc.get() + 1));
    assert_eq!(result.get(), 0);
    yield_from!(asyncio::sleep(Duration::ZERO))?;
    let num = 10; // Python: `num = yield from sleep(0, result=10)`
    assert_eq!(result.get(), 1); // incremented by call_soon
    result.set(result.get() + num);
    Ok(())
}

#[test]
fn sleep_zero_yields_once_so_earlier_callbacks_run_first() {
    // T08 (SleepTests.test_sleep_zero): the final result is 11.
    let lp = EventLoop::with_virtual_clock();
    let result = Rc::new(Cell::new(0));
    lp.run_until_complete(sleep_zero_lets_call_soon_run(result.clone()))
        .unwrap();
    assert_eq!(result.get(), 11);
    assert_eq!(lp.time(), Duration::ZERO);

    // Exactly one yield, no timer (so it needs no running loop).
    let (yielded, returned) = run_async(asyncio::sleep(Duration::ZERO));
    assert_eq!(
        (yielded, returned),
        (vec!["Suspend(Reschedule)".to_string()], Ok(()))
    );
    let (yielded, returned) = run_async(asyncio::yield_now());
    assert_eq!(
        (yielded, returned),
        (vec!["Suspend(Reschedule)".to_string()], Ok(()))
    );
}

#[asyncio::coroutine]
fn wakes_after(
    delay: Duration,
    name: &'static str,
    trace: Trace,
) -> Result<&'static str, Cancelled> {
    yield_from!(asyncio::sleep(delay))?;
    push(&trace, name);
    Ok(name)
}

#[asyncio::coroutine]
fn gathers_c_a_b(trace: Trace) -> Result<Vec<&'static str>, Cancelled> {
    yield_from!(asyncio::gather([
        wakes_after(ms(30), "c", trace.clone()),
        wakes_after(ms(10), "a", trace.clone()),
        wakes_after(ms(20), "b", trace.clone()),
    ]))
}

#[test]
fn sleepers_wake_by_deadline_and_gather_keeps_argument_order() {
    // T09 (adapted from test_as_completed): 0.03 'c', 0.01 'a', 0.02 'b' wake in order
    // ['a', 'b', 'c']; gather still returns ['c', 'a', 'b'].
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    assert_eq!(
        lp.run_until_complete(gathers_c_a_b(trace.clone())),
        Ok(vec!["c", "a", "b"])
    );
    assert_eq!(entries(&trace), ["a", "b", "c"]);
    assert_eq!(lp.time(), ms(30));
}

#[test]
fn sleepers_with_equal_deadlines_wake_in_the_order_they_slept() {
    // T09: FIFO for equal deadlines, for tasks and for call_later.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let tasks: Vec<Task<&str>> = ["1st", "2nd", "3rd", "4th"]
        .into_iter()
        .map(|name| lp.create_task(wakes_after(ms(10), name, trace.clone())))
        .collect();
    lp.run_until_complete(asyncio::gather(&tasks)).unwrap();
    assert_eq!(entries(&trace), ["1st", "2nd", "3rd", "4th"]);

    let trace = new_trace();
    for name in ["x", "y", "z"] {
        let trace = trace.clone();
        let _ = lp.call_later(ms(5), move || push(&trace, name));
    }
    lp.run_until_idle();
    assert_eq!(entries(&trace), ["x", "y", "z"]);
    assert_eq!(lp.time(), ms(15));
}

#[test]
fn call_at_runs_at_its_deadline_and_a_past_deadline_in_the_next_tick() {
    // test_base_events.py test_call_at / BaseEventLoop.call_at: a deadline on the loop's
    // clock; one that has passed is due at once, after the callbacks already ready.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    lp.advance(secs(10));
    let at = |when: Duration, name: &'static str| {
        let trace = trace.clone();
        lp.call_at(when, move || {
            push(&trace, format!("{name} at {:?}", lp_time()))
        })
    };
    let late = at(secs(12), "late");
    let past = at(secs(3), "past");
    let soon = trace.clone();
    lp.call_soon(move || push(&soon, "soon"));
    assert_eq!((late.when(), past.when()), (secs(12), secs(3)));
    lp.run_briefly();
    assert_eq!(entries(&trace), ["soon", "past at 10s"]);
    lp.run_until_idle();
    assert_eq!(entries(&trace), ["soon", "past at 10s", "late at 12s"]);
}

#[asyncio::coroutine]
fn stops_the_loop_after(delay: Duration, trace: Trace) -> Result<(), Cancelled> {
    yield_from!(asyncio::sleep(delay))?;
    push(&trace, format!("stop at {:?}", lp_time()));
    asyncio::get_running_loop().unwrap().stop();
    let after = trace.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_soon(move || push(&after, "next tick"));
    push(&trace, "the stopping step goes on");
    Ok(())
}

#[test]
fn run_forever_returns_after_the_tick_in_which_stop_is_called() {
    // test_base_events.py test_run_forever_keyboard_interrupt / BaseEventLoop.stop: the
    // tick finishes, what it scheduled waits for the next run.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let stopper = lp.create_task(stops_the_loop_after(secs(2), trace.clone()));
    let sleeper = lp.create_task(asyncio::sleep(secs(60)));
    lp.run_forever();
    assert_eq!(entries(&trace), ["stop at 2s", "the stopping step goes on"]);
    assert!(stopper.done() && !sleeper.done());
    // The flag is cleared: the next run goes on where this one stopped.
    lp.run_until_complete(&sleeper).unwrap();
    assert_eq!(
        entries(&trace),
        ["stop at 2s", "the stopping step goes on", "next tick"]
    );
    assert_eq!(lp.time(), secs(60));
}

#[test]
fn stop_before_run_forever_runs_one_tick_without_waiting() {
    // asyncio docs of loop.stop(): called before run_forever, the loop polls once with a
    // timeout of zero, runs what is ready, and returns.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let (ready, late) = (trace.clone(), trace.clone());
    lp.call_soon(move || push(&ready, "ready"));
    let _timer = lp.call_later(secs(10), move || push(&late, "timer"));
    lp.stop();
    lp.run_forever();
    assert_eq!(entries(&trace), ["ready"]);
    assert_eq!(lp.time(), Duration::ZERO);
}

#[test]
fn stopping_the_loop_before_run_until_completes_future_is_done_panics() {
    // BaseEventLoop.run_until_complete: "Event loop stopped before Future completed."
    let lp = EventLoop::with_virtual_clock();
    let message = expect_panic(|| lp.run_until_complete(stops_then_sleeps()));
    assert!(
        message.starts_with("the event loop was stopped"),
        "{message}"
    );
    assert_eq!(lp.time(), secs(1));
}

#[asyncio::coroutine]
fn stops_then_sleeps() -> Result<(), Cancelled> {
    yield_from!(asyncio::sleep(secs(1)))?;
    asyncio::get_running_loop().unwrap().stop();
    yield_from!(asyncio::sleep(secs(1)))
}

#[test]
fn a_stop_is_cleared_by_the_run_it_ends_or_that_ends_without_it() {
    // Python resets `_stopping` when `run_forever` returns: a stop does not leak into a
    // later run.
    let lp = EventLoop::with_virtual_clock();
    let done: Future<u32> = lp.create_future();
    done.set_result(5).unwrap();
    lp.stop();
    assert_eq!(lp.run_until_complete(&done), Ok(5)); // consumes the stop
    let trace = new_trace();
    let task = lp.create_task(stops_the_loop_after(secs(2), trace.clone()));
    lp.run_forever(); // runs until the task's stop, not at once
    assert!(task.done());
    assert_eq!(lp.time(), secs(2));

    // A stop inside `run_until_idle` ends it, and is not left for the next run.
    let stopper = lp.create_task(stops_the_loop_after(secs(1), trace.clone()));
    let _late = lp.call_later(secs(10), || ());
    lp.run_until_idle();
    assert!(stopper.done());
    assert_eq!(lp.time(), secs(3));
    lp.run_until_idle();
    assert_eq!(lp.time(), secs(12));

    // Nor is one called in `run_briefly`.
    lp.call_soon(|| asyncio::get_running_loop().unwrap().stop());
    lp.run_briefly();
    assert_eq!(lp.run_until_complete(asyncio::sleep(secs(1))), Ok(()));
}

#[test]
fn sleeping_for_duration_max_is_sleeping_forever() {
    // Python's `await asyncio.sleep(math.inf)`; the deadline used to overflow.
    let lp = EventLoop::with_virtual_clock();
    let sleeper = lp.create_task(asyncio::sleep(Duration::MAX));
    lp.run_briefly();
    assert!(!sleeper.done());
    assert!(sleeper.cancel());
    assert_eq!(lp.run_until_complete(&sleeper), Err(Cancelled));
    let timer = lp.call_later(Duration::MAX, || ());
    assert_eq!(timer.when(), Duration::MAX);
    // The end of the clock never comes: a virtual clock does not jump to it, and timers
    // after it keep their order.
    let trace = new_trace();
    let (late, early) = (trace.clone(), trace.clone());
    let never = trace.clone();
    let _never = lp.call_later(Duration::MAX, move || push(&never, "never"));
    let _late = lp.call_later(secs(5), move || push(&late, "5s"));
    let _early = lp.call_later(secs(1), move || push(&early, "1s"));
    lp.run_until_idle();
    assert_eq!(entries(&trace), ["1s", "5s"]);
    assert_eq!(lp.time(), secs(5));
    let message = expect_panic(|| lp.run_until_complete(asyncio::sleep(Duration::MAX)));
    assert!(message.starts_with("deadlock:"), "{message}"); // Python waits forever
}

#[test]
fn run_forever_with_nothing_that_could_stop_it_panics_as_a_deadlock() {
    let lp = EventLoop::with_virtual_clock();
    let message = expect_panic(|| lp.run_forever());
    assert!(message.starts_with("deadlock: `run_forever`"), "{message}");
}

fn lp_time() -> Duration {
    asyncio::get_running_loop().unwrap().time()
}

#[test]
fn running_until_the_short_sleeper_is_done_leaves_the_long_one_pending() {
    // T09 (adapted from test_wait_first_completed): with sleeps of 10 s and 0.1 s, the
    // 0.1 s one completes at t = 0.1 and the other is still pending.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let long = lp.create_task(wakes_after(secs(10), "long", trace.clone()));
    let short = lp.create_task(wakes_after(ms(100), "short", trace.clone()));
    assert_eq!(lp.run_until_complete(&short), Ok("short"));
    assert_eq!(lp.time(), ms(100));
    assert!(!long.done());
    assert_eq!(lp.scheduled_timers(), 1);
    assert!(long.cancel());
    assert_eq!(lp.run_until_complete(&long), Err(Cancelled));
    assert_eq!(entries(&trace), ["short"]);
}

#[asyncio::coroutine]
fn bare_yield_then_42() -> Result<u32, Cancelled> {
    yield_from!(asyncio::yield_now())?; // Python's bare `yield` in a task: sleep(0)
    Ok(42)
}

#[test]
fn a_bare_yield_in_a_task_means_sleep_zero() {
    // T10 (test_yield_vs_yield_from): a bare `yield` is accepted. The bad yields (`yield 1`,
    // `yield fut`) do not compile: tests/ui/coroutine_yields_a_value.rs.
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(bare_yield_then_42()), Ok(42));
}

#[asyncio::coroutine]
fn raises_after_an_await(fut: Future<(), Error>, message: &'static str) -> Result<u32, Error> {
    yield_from!(&fut)?;
    Err(Error::Runtime(message))
}

#[asyncio::coroutine]
fn gathers_two_raisers(a: Future<(), Error>, b: Future<(), Error>) -> Result<Vec<u32>, Error> {
    yield_from!(asyncio::gather([
        raises_after_an_await(a, "should not be ignored"),
        raises_after_an_await(b, "should not be ignored"),
    ]))
}

#[test]
fn an_error_raised_under_gather_is_the_awaiting_tasks_error() {
    // T11 (CoroutineGatherTests.test_exception_marking).
    let lp = EventLoop::with_virtual_clock();
    let (a, b) = (lp.create_future(), lp.create_future());
    let outer = lp.create_task(gathers_two_raisers(a.clone(), b.clone()));
    lp.run_briefly();
    a.set_result(()).unwrap();
    b.set_result(()).unwrap();
    assert_eq!(
        lp.run_until_complete(&outer),
        Err(Error::Runtime("should not be ignored"))
    );
    assert!(outer.done());
    assert!(!outer.cancelled());
}

#[asyncio::coroutine]
fn raises_value_error() -> Result<u32, Error> {
    yield_from!(asyncio::yield_now())?;
    Err(Error::Value("x"))
}

#[asyncio::coroutine]
fn catches_the_tasks_error(task: Task<u32, Error>) -> Result<&'static str, Error> {
    match yield_from!(&task) {
        Err(Error::Value(message)) => Ok(message),
        other => panic!("expected the ValueError, got {other:?}"),
    }
}

#[test]
fn a_task_awaiting_a_failed_task_gets_its_error() {
    // T11: a task awaiting another task that raised ValueError('x') catches 'x'.
    let lp = EventLoop::with_virtual_clock();
    let failing = lp.create_task(raises_value_error());
    assert_eq!(
        lp.run_until_complete(catches_the_tasks_error(failing.clone())),
        Ok("x")
    );
    assert_eq!(failing.result(), Some(Err(Error::Value("x"))));
    assert!(!failing.cancelled());
}

#[asyncio::coroutine]
fn panics_after_a_sleep(trace: Trace) -> Result<u32, Cancelled> {
    let _finally = PushOnDrop(trace.clone(), "finally");
    yield_from!(asyncio::sleep(ms(5)))?;
    panic!("the task blew up");
}

#[asyncio::coroutine]
fn awaits_the_panicking_task(task: Task<u32>) -> Result<u32, Cancelled> {
    yield_from!(&task)
}

#[test]
fn a_panic_in_a_task_propagates_out_of_run_until_complete() {
    // T11 (the BaseException analogue: test_baseexception_during_cancel): a panic is not an
    // error value; it leaves the loop through the `run*` call that ran the task, and the
    // task never completes.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let task = lp.create_task(panics_after_a_sleep(trace.clone()));
    let waiter = lp.create_task(awaits_the_panicking_task(task.clone()));
    let message = expect_panic(|| lp.run_until_complete(&waiter));
    assert_eq!(message, "the task blew up");
    assert!(!task.done());
    assert!(!waiter.done());
    assert_eq!(lp.time(), ms(5));
    // The loop is not left running: it (and another loop) can run again.
    assert!(asyncio::get_running_loop().is_none());
    assert!(waiter.cancel());
    assert_eq!(lp.run_until_complete(&waiter), Err(Cancelled));
    assert_eq!(asyncio::run(outer_sum()), Ok(1042));
    drop(task);
    assert_eq!(entries(&trace), ["finally"]);
}

#[test]
fn a_panic_in_asyncio_run_propagates() {
    // T11: the same through `asyncio::run`.
    let trace = new_trace();
    let message = expect_panic(|| asyncio::run(panics_after_a_sleep(trace.clone())));
    assert_eq!(message, "the task blew up");
    assert_eq!(entries(&trace), ["finally"]);
    assert!(asyncio::get_running_loop().is_none());
}

#[test]
fn a_callback_that_panics_leaves_the_rest_of_its_tick_scheduled_in_order() {
    // A tick takes its entries out of the ready queue at once: those after the one that
    // panicked go back in front of what the tick scheduled, and run at the next tick.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let (a, c) = (trace.clone(), trace.clone());
    let handle = lp.clone();
    lp.call_soon(move || {
        push(&a, "a");
        let follow_up = a.clone();
        handle.call_soon(move || push(&follow_up, "scheduled by a"));
    });
    lp.call_soon(|| panic!("b blew up"));
    lp.call_soon(move || push(&c, "c"));
    assert_eq!(expect_panic(|| lp.run_briefly()), "b blew up");
    assert_eq!(entries(&trace), ["a"]);
    lp.run_briefly();
    assert_eq!(entries(&trace), ["a", "c", "scheduled by a"]);
}

#[asyncio::coroutine]
fn runs_a_loop_inside(trace: Trace) -> Result<u32, Cancelled> {
    push(&trace, "running a nested loop");
    let nested = EventLoop::with_virtual_clock();
    let value = nested.run_until_complete(returns_42())?;
    push(&trace, "unreachable");
    Ok(value)
}

#[asyncio::coroutine]
fn calls_asyncio_run_inside() -> Result<u32, Cancelled> {
    asyncio::run(returns_42())
}

#[test]
fn running_a_loop_inside_a_running_loop_panics() {
    // C04 (the run-time analogue of "coroutine already executing"): Python raises
    // RuntimeError "Cannot run the event loop while another loop is running".
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let message = expect_panic(|| lp.run_until_complete(runs_a_loop_inside(trace.clone())));
    assert!(
        message.contains("cannot run an event loop while another one is running"),
        "{message}"
    );
    assert!(message.contains("yield_from!"), "{message}");
    assert_eq!(entries(&trace), ["running a nested loop"]);

    let message = expect_panic(|| lp.run_until_complete(calls_asyncio_run_inside()));
    assert!(message.contains("another one is running"), "{message}");

    // run_briefly from a callback too.
    let lp2 = lp.clone();
    lp.call_soon(move || {
        lp2.run_briefly();
    });
    let message = expect_panic(|| lp.run_until_idle());
    assert!(message.contains("another one is running"), "{message}");
    assert!(asyncio::get_running_loop().is_none());
}

#[test]
fn waiting_for_what_nothing_will_complete_panics_as_a_deadlock() {
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let task = lp.create_task(awaits_fut_returns_12(fut.clone()));
    let message = expect_panic(|| lp.run_until_complete(&task));
    assert!(message.starts_with("deadlock:"), "{message}");
    assert!(message.contains("nothing left to run"), "{message}");
    assert!(message.contains("still pending"), "{message}");
    // Nothing is lost: complete the future, and the task finishes.
    fut.set_result(0).unwrap();
    assert_eq!(lp.run_until_complete(&task), Ok(12));

    // A future nobody will ever set, run directly.
    let never: Future<u32> = lp.create_future();
    let message = expect_panic(|| lp.run_until_complete(&never));
    assert!(message.starts_with("deadlock:"), "{message}");
}

#[asyncio::coroutine]
fn awaits_the_task_in(slot: Slot<Task<u32>>) -> Result<u32, Cancelled> {
    let task = slot
        .borrow_mut()
        .take()
        .expect("the test put a task in the slot");
    yield_from!(&task)
}

#[test]
fn a_task_that_awaits_itself_panics_at_the_await() {
    // test_tasks.py test_task_await_itself... / `Task.__step`: RuntimeError "Task cannot
    // await on itself". It used to wait for its own end until the loop reported a deadlock.
    let lp = EventLoop::with_virtual_clock();
    let me = slot();
    let task = lp.create_task(awaits_the_task_in(me.clone()));
    *me.borrow_mut() = Some(task.clone());
    let message = expect_panic(|| lp.run_until_complete(&task));
    assert!(message.starts_with("a task awaited itself"), "{message}");
    assert!(message.contains("Task cannot await on itself"), "{message}");
}

#[test]
fn tasks_awaiting_each_other_deadlock_and_cancelling_them_does_not_overflow_the_stack() {
    // Cancelling one of a cycle of tasks awaiting each other used to recurse through the
    // cycle until the stack overflowed. Python does not detect the cycle either.
    let lp = EventLoop::with_virtual_clock();
    let (slot_a, slot_b) = (slot(), slot());
    let a = lp.create_task(awaits_the_task_in(slot_a.clone()));
    let b = lp.create_task(awaits_the_task_in(slot_b.clone()));
    *slot_a.borrow_mut() = Some(b.clone());
    *slot_b.borrow_mut() = Some(a.clone());
    let message = expect_panic(|| lp.run_until_complete(&a));
    assert!(message.starts_with("deadlock:"), "{message}");
    assert!(a.cancel());
    assert!(b.cancel());
    assert!(!a.done() && !b.done());
    drop(lp); // closes the two tasks: no `Rc` cycle is left behind
}

#[asyncio::coroutine]
fn waits_with_cleanup(
    fut: Option<Future<u32>>,
    name: &'static str,
    trace: Trace,
    _argument: PushOnDrop,
) -> Result<u32, Cancelled> {
    let _finally = PushOnDrop(trace.clone(), name);
    match fut {
        Some(fut) => yield_from!(&fut),
        None => {
            yield_from!(asyncio::sleep(secs(3600)))?;
            Ok(0)
        }
    }
}

#[test]
fn dropping_a_loop_closes_its_pending_tasks() {
    // Python closes a pending coroutine when its task is collected (its `finally` runs);
    // here dropping the loop drops the coroutines of the tasks still pending, in the order
    // the tasks were made.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let fut: Future<u32> = lp.create_future();
    let task = |fut, name, argument| {
        let argument = PushOnDrop(trace.clone(), argument);
        lp.create_task(waits_with_cleanup(fut, name, trace.clone(), argument))
    };
    let sleeping = task(None, "sleeping: finally", "sleeping: argument");
    let waiting = task(Some(fut.clone()), "waiting: finally", "waiting: argument");
    lp.run_briefly();
    let fresh = task(None, "fresh: finally", "fresh: argument");
    assert!(entries(&trace).is_empty());
    drop(lp);
    assert_eq!(
        entries(&trace),
        [
            "sleeping: finally",
            "sleeping: argument",
            "waiting: finally",
            "waiting: argument",
            "fresh: argument", // never started: only its arguments
        ]
    );
    assert!(!sleeping.done() && !waiting.done() && !fresh.done()); // nothing can run them
    assert_eq!(fut.set_result(1), Ok(())); // completing what they awaited is harmless
}

#[asyncio::coroutine]
fn background_with_cleanup(trace: Trace) -> Result<(), Cancelled> {
    let _finally = PushOnDrop(trace.clone(), "background: finally");
    let lp = asyncio::get_running_loop().unwrap(); // a loop handle held across the await
    yield_from!(asyncio::sleep(secs(3600)))?;
    push(&trace, format!("background: woke at {:?}", lp.time()));
    Ok(())
}

#[asyncio::coroutine]
fn leaves_background_work(trace: Trace) -> Result<u32, Cancelled> {
    let _background = asyncio::create_task(background_with_cleanup(trace.clone()));
    yield_from!(asyncio::yield_now())?; // the background task starts and sleeps
    push(&trace, "main: returns");
    Ok(7)
}

#[test]
fn tasks_still_pending_when_asyncio_run_returns_are_closed() {
    // Python's asyncio.run cancels the tasks left when main returns; here they are closed
    // (dropped), even one that holds a handle on the loop.
    let trace = new_trace();
    assert_eq!(asyncio::run(leaves_background_work(trace.clone())), Ok(7));
    assert_eq!(entries(&trace), ["main: returns", "background: finally"]);
}

#[asyncio::coroutine]
fn naps(n: u64) -> Result<u64, Cancelled> {
    yield_from!(asyncio::sleep(ms(n)))?;
    Ok(n)
}

#[asyncio::coroutine]
fn naps_concurrently() -> Result<Vec<u64>, Cancelled> {
    let first = asyncio::create_task(naps(3));
    let both = asyncio::gather([naps(2), naps(1)]);
    let first = yield_from!(&first)?;
    let mut all = vec![first];
    all.extend(yield_from!(&both)?);
    Ok(all)
}

#[test]
fn on_the_real_clock_small_sleeps_run_concurrently() {
    let started = std::time::Instant::now();
    assert_eq!(asyncio::run(naps_concurrently()), Ok(vec![3, 2, 1]));
    let elapsed = started.elapsed();
    assert!(elapsed >= ms(3), "{elapsed:?}");
    assert!(elapsed < secs(2), "{elapsed:?}"); // concurrently, and without a busy hang

    let lp = EventLoop::new();
    assert_eq!(lp.run_until_complete(naps(2)), Ok(2));
    assert!(lp.time() >= ms(2));
}

// ---------------------------------------------------------------------------------------
// GA: gather
// ---------------------------------------------------------------------------------------

fn count_done<T: 'static, E: 'static>(fut: &Future<T, E>) -> Rc<Cell<u32>> {
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    fut.add_done_callback(move |_| counter.set(counter.get() + 1));
    calls
}

#[test]
fn gather_results_are_in_argument_order_whatever_the_completion_order() {
    // GA1 (_check_success): b = 1, a = 2; after the loop runs gather is not done and its
    // callback has not run; after c = 3 the callback runs once, and the result is [2, 1, 3].
    let lp = EventLoop::with_virtual_clock();
    let [a, b, c]: [Future<u32>; 3] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather([&a, &b, &c]);
    let calls = count_done(&all);
    b.set_result(1).unwrap();
    a.set_result(2).unwrap();
    lp.run_until_idle();
    assert!(!all.done());
    assert_eq!(calls.get(), 0);
    c.set_result(3).unwrap();
    lp.run_until_idle();
    assert_eq!(calls.get(), 1);
    assert_eq!(all.result(), Some(Ok(vec![2, 1, 3])));

    // The same with return_exceptions=True.
    let [a, b, c]: [Future<u32>; 3] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather_results([&a, &b, &c]);
    b.set_result(1).unwrap();
    a.set_result(2).unwrap();
    lp.run_until_idle();
    assert!(!all.done());
    c.set_result(3).unwrap();
    lp.run_until_idle();
    assert_eq!(all.result(), Some(Ok(vec![Ok(2), Ok(1), Ok(3)])));
}

#[asyncio::coroutine]
fn wraps(fut: Future<u32>) -> Result<u32, Cancelled> {
    yield_from!(&fut)
}

#[asyncio::coroutine]
fn gathers_wrapped(a: Future<u32>, b: Future<u32>, c: Future<u32>) -> Result<Vec<u32>, Cancelled> {
    yield_from!(asyncio::gather([wraps(a), wraps(b), wraps(c)]))
}

#[asyncio::coroutine]
fn gathers_nothing(trace: Trace) -> Result<Vec<u32>, Cancelled> {
    let all = asyncio::gather(Vec::<Future<u32>>::new());
    push(&trace, format!("done at once: {}", all.done()));
    yield_from!(&all)
}

#[test]
fn gather_of_coroutines_and_of_nothing() {
    // GA1 (coroutine wrappers; test_constructor_empty_sequence: `gather()` is done with []).
    let lp = EventLoop::with_virtual_clock();
    let [a, b, c]: [Future<u32>; 3] = std::array::from_fn(|_| lp.create_future());
    let task = lp.create_task(gathers_wrapped(a.clone(), b.clone(), c.clone()));
    lp.run_briefly();
    b.set_result(1).unwrap();
    a.set_result(2).unwrap();
    lp.run_until_idle();
    assert!(!task.done());
    c.set_result(3).unwrap();
    assert_eq!(lp.run_until_complete(&task), Ok(vec![2, 1, 3]));

    let trace = new_trace();
    let (yielded, returned) = {
        let trace = trace.clone();
        let fut = lp.create_future::<(Vec<String>, Result<Vec<u32>, Cancelled>), Cancelled>();
        let setter = fut.clone();
        // `gather` needs the running loop, so drive the coroutine from a callback.
        lp.call_soon(move || {
            setter
                .set_result(run_async(gathers_nothing(trace)))
                .unwrap()
        });
        lp.run_until_complete(&fut).unwrap()
    };
    assert_eq!((yielded, returned), (vec![], Ok(vec![])));
    assert_eq!(entries(&trace), ["done at once: true"]);
}

#[test]
fn the_first_child_error_fails_gather_at_once_and_later_outcomes_are_ignored() {
    // GA2 (test_one_exception): a = 1, b raises: gather is done with that same exception
    // and its callback runs once; later c result, d cancel, e exception change nothing, and
    // the other children are not cancelled.
    let lp = EventLoop::with_virtual_clock();
    let [a, b, c, d, e]: [Future<u32, Error>; 5] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather([&a, &b, &c, &d, &e]);
    let calls = count_done(&all);
    let exc: Rc<str> = Rc::from("ZeroDivisionError");
    a.set_result(1).unwrap();
    b.set_exception(Error::Failed(exc.clone())).unwrap();
    lp.run_until_idle();
    assert!(all.done());
    assert_eq!(calls.get(), 1);
    assert!(same_error(all.result(), &exc));
    assert!(!c.done() && !d.done() && !e.done()); // not cancelled
    c.set_result(3).unwrap();
    d.cancel();
    e.set_exception(Error::Runtime("ignored")).unwrap();
    lp.run_until_idle();
    assert_eq!(calls.get(), 1);
    assert!(same_error(all.result(), &exc));
}

#[test]
fn a_gather_that_failed_early_lets_go_of_its_pending_children() {
    // GA2: the children left pending are not cancelled, but the failed gather no longer
    // holds them (a child's done callback holds the gather, so the two would otherwise keep
    // each other alive).
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let [a, b]: [Future<u32, Error>; 2] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather([&a, &b]);
    let guard = PushOnDrop(trace.clone(), "b's callback dropped");
    b.add_done_callback(move |_| drop(guard));
    a.set_exception(Error::ZeroDivision).unwrap();
    lp.run_until_idle();
    assert_eq!(all.result(), Some(Err(Error::ZeroDivision)));
    assert!(!b.done());
    drop((all, b));
    assert_eq!(entries(&trace), ["b's callback dropped"]);
}

#[test]
fn gather_results_keeps_every_outcome_in_argument_order() {
    // GA3 (test_return_exceptions): b = 1, c = exc, a = 3: not done; d = exc2 gives
    // [3, 1, exc, exc2].
    let lp = EventLoop::with_virtual_clock();
    let [a, b, c, d]: [Future<u32, Error>; 4] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather_results([&a, &b, &c, &d]);
    b.set_result(1).unwrap();
    c.set_exception(Error::ZeroDivision).unwrap();
    a.set_result(3).unwrap();
    lp.run_until_idle();
    assert!(!all.done());
    d.set_exception(Error::Runtime("exc2")).unwrap();
    lp.run_until_idle();
    assert_eq!(
        all.result(),
        Some(Ok(vec![
            Ok(3),
            Ok(1),
            Err(Error::ZeroDivision),
            Err(Error::Runtime("exc2"))
        ]))
    );

    // test_result_exception_one_cancellation: cancelled children are Cancelled entries:
    // [1, zde, Cancelled, 3, Cancelled, rte].
    let [a, b, c, d, e, f]: [Future<u32, Error>; 6] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather_results([&a, &b, &c, &d, &e, &f]);
    let calls = count_done(&all);
    a.set_result(1).unwrap();
    b.set_exception(Error::ZeroDivision).unwrap();
    c.cancel();
    lp.run_until_idle();
    assert!(!all.done());
    d.set_result(3).unwrap();
    e.cancel();
    f.set_exception(Error::Runtime("rte")).unwrap();
    assert_eq!(
        lp.run_until_complete(&all),
        Ok(vec![
            Ok(1),
            Err(Error::ZeroDivision),
            Err(Error::Cancelled),
            Ok(3),
            Err(Error::Cancelled),
            Err(Error::Runtime("rte")),
        ])
    );
    lp.run_until_idle();
    assert_eq!(calls.get(), 1);
}

#[test]
fn a_cancelled_child_fails_gather_with_cancelled_but_gather_itself_is_not_cancelled() {
    // GA4 (test_one_cancellation): a = 1, b cancelled: gather is done, `cancelled()` is
    // False, and its exception is a CancelledError.
    let lp = EventLoop::with_virtual_clock();
    let [a, b, c]: [Future<u32, Error>; 3] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather([&a, &b, &c]);
    a.set_result(1).unwrap();
    b.cancel();
    lp.run_until_idle();
    assert!(all.done());
    assert!(!all.cancelled());
    assert_eq!(all.result(), Some(Err(Error::Cancelled)));
    assert!(!c.done());

    // Cancelling the gather itself cancels the children; it then fails with Cancelled, and
    // is not `cancelled()` either (as CPython's _GatheringFuture).
    let [a, b]: [Future<u32>; 2] = std::array::from_fn(|_| lp.create_future());
    let all = asyncio::gather([&a, &b]);
    assert!(all.cancel());
    assert!(a.cancelled() && b.cancelled());
    assert!(!all.done()); // it learns of its children on the next tick
    lp.run_until_idle();
    assert_eq!(all.result(), Some(Err(Cancelled)));
    assert!(!all.cancelled());
    assert!(!all.cancel());
}

#[asyncio::coroutine]
fn inner_awaits_waiter(waiter: Future<()>, proof: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    yield_from!(&waiter)?;
    proof.set(proof.get() + 1);
    Ok(())
}

#[asyncio::coroutine]
fn outer_gathers_children(
    children: [Task<()>; 2],
    gatherer: Slot<Future<Vec<()>>>,
    proof: Rc<Cell<u32>>,
) -> Result<(), Cancelled> {
    let all = asyncio::gather(&children);
    *gatherer.borrow_mut() = Some(all.clone());
    yield_from!(&all)?;
    proof.set(proof.get() + 100);
    Ok(())
}

#[test]
fn cancelling_the_task_awaiting_gather_cancels_every_child_and_what_they_await() {
    // GA5 (test_cancellation_broadcast): `f.cancel()` is True and f raises CancelledError;
    // `gatherer.cancel()` is then False; the waiter and both children are cancelled, and
    // proof == 0.
    let lp = EventLoop::with_virtual_clock();
    let waiter: Future<()> = lp.create_future();
    let proof = Rc::new(Cell::new(0));
    let children =
        [(); 2].map(|()| lp.create_task(inner_awaits_waiter(waiter.clone(), proof.clone())));
    let gatherer = slot();
    let f = lp.create_task(outer_gathers_children(
        children.clone(),
        gatherer.clone(),
        proof.clone(),
    ));
    lp.run_briefly();
    assert!(f.cancel());
    assert_eq!(lp.run_until_complete(&f), Err(Cancelled));
    assert!(f.cancelled());
    let gatherer = gatherer.borrow_mut().take().unwrap();
    assert!(!gatherer.cancel());
    assert!(waiter.cancelled());
    assert!(children[0].cancelled());
    assert!(children[1].cancelled());
    lp.run_briefly();
    assert_eq!(proof.get(), 0);
}

#[asyncio::coroutine]
fn counted_coro(text: &'static str, runs: Rc<Cell<u32>>) -> Result<&'static str, Cancelled> {
    runs.set(runs.get() + 1);
    yield_from!(asyncio::yield_now())?;
    Ok(text)
}

#[asyncio::coroutine]
fn gathers_duplicates(runs: Rc<Cell<u32>>) -> Result<Vec<&'static str>, Cancelled> {
    let c = asyncio::create_task(counted_coro("abc", runs.clone()));
    let def = asyncio::create_task(counted_coro("def", runs));
    yield_from!(asyncio::gather([&c, &c, &def, &c]))
}

#[test]
fn gathering_the_same_task_several_times_repeats_its_result_and_runs_it_once() {
    // GA6 (test_duplicate_coroutines): `gather(c, c, coro('def'), c)` gives
    // ['abc', 'abc', 'def', 'abc']. Coroutines are moved, so the repeated one is a Task.
    let runs = Rc::new(Cell::new(0));
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(gathers_duplicates(runs.clone())),
        Ok(vec!["abc", "abc", "def", "abc"])
    );
    assert_eq!(runs.get(), 2); // 'abc' once, 'def' once
}

// ---------------------------------------------------------------------------------------
// S: Semaphore
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn acquires_twice(sem: Semaphore, tag: &'static str, result: Trace) -> Result<(), Cancelled> {
    yield_from!(sem.acquire())?;
    push(&result, format!("{tag}_1"));
    yield_from!(asyncio::sleep(ms(10)))?;
    sem.release();
    yield_from!(sem.acquire())?;
    push(&result, format!("{tag}_2"));
    yield_from!(asyncio::sleep(ms(10)))?;
    sem.release();
    Ok(())
}

#[asyncio::coroutine]
fn three_acquirers(sem: Semaphore, result: Trace) -> Result<Vec<()>, Cancelled> {
    yield_from!(asyncio::gather(
        ["c1", "c2", "c3"].map(|tag| acquires_twice(sem.clone(), tag, result.clone()))
    ))
}

#[test]
fn a_released_permit_goes_to_the_longest_waiter_without_barging() {
    // S1 (test_acquire_fifo_order): Semaphore(1) and c1..c3 each acquiring twice give
    // ['c1_1', 'c2_1', 'c3_1', 'c1_2', 'c2_2', 'c3_2'].
    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(1);
    let result = new_trace();
    lp.run_until_complete(three_acquirers(sem.clone(), result.clone()))
        .unwrap();
    assert_eq!(
        entries(&result),
        ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]
    );
    assert_eq!(lp.time(), ms(60));
    assert_eq!(sem.value(), 1);
}

#[test]
fn semaphore_counts_its_permits_and_a_bounded_one_refuses_extra_releases() {
    // S2 (test_initial_value_zero, test_release_not_acquired, test_release_no_waiters).
    assert!(Semaphore::new(0).locked());
    // Semaphore(-1) does not compile: tests/ui/semaphore_negative_value.rs.

    let bounded = Semaphore::bounded(1);
    let message = expect_panic(|| bounded.release());
    assert!(
        message.contains("released more times than it was acquired"),
        "{message}"
    );
    assert_eq!(bounded.value(), 1);

    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(1);
    assert_eq!(lp.run_until_complete(sem.acquire()), Ok(()));
    assert!(sem.locked());
    sem.release();
    assert!(!sem.locked());
}

#[asyncio::coroutine]
fn acquires_and_records(
    sem: Semaphore,
    n: u32,
    result: Rc<RefCell<Vec<u32>>>,
) -> Result<bool, Cancelled> {
    yield_from!(sem.acquire())?;
    result.borrow_mut().push(n);
    Ok(true)
}

#[test]
fn only_as_many_waiters_as_there_are_permits_acquire() {
    // S2 (test_acquire): Semaphore(3) with two acquires is not locked; of three waiting
    // tasks, only the first acquires; two releases let the next two in, and the fourth
    // waits.
    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(3);
    let result = Rc::new(RefCell::new(Vec::new()));
    assert_eq!(lp.run_until_complete(sem.acquire()), Ok(()));
    assert_eq!(lp.run_until_complete(sem.acquire()), Ok(()));
    assert!(!sem.locked());

    let [t1, t2, t3] =
        [1, 2, 3].map(|n| lp.create_task(acquires_and_records(sem.clone(), n, result.clone())));
    lp.run_briefly();
    assert_eq!(*result.borrow(), [1]);
    assert!(sem.locked());
    assert_eq!(sem.value(), 0);

    let t4 = lp.create_task(acquires_and_records(sem.clone(), 4, result.clone()));
    sem.release();
    sem.release();
    assert_eq!(sem.value(), 0); // both permits went straight to waiters
    lp.run_briefly();
    assert_eq!(sem.value(), 0);
    assert_eq!(*result.borrow(), [1, 2, 3]);
    assert!(sem.locked());
    assert!(t1.done() && t2.done() && t3.done());
    assert!(!t4.done());

    sem.release();
    assert_eq!(lp.run_until_complete(&t4), Ok(true));
    assert_eq!(*result.borrow(), [1, 2, 3, 4]);
}

#[asyncio::coroutine]
fn cancels_the_first_waiter(
    sem: Semaphore,
    result: Rc<RefCell<Vec<u32>>>,
) -> Result<(), Cancelled> {
    let [t1, t2, t3] = [1, 2, 3]
        .map(|n| asyncio::create_task(acquires_and_records(sem.clone(), n, result.clone())));
    yield_from!(asyncio::sleep(Duration::ZERO))?;
    t1.cancel();
    sem.release();
    sem.release();
    let outcomes = yield_from!(asyncio::gather_results([&t1, &t2, &t3]))?;
    assert_eq!(outcomes, [Err(Cancelled), Ok(true), Ok(true)]);
    Ok(())
}

#[test]
fn a_cancelled_waiter_never_consumes_a_permit() {
    // S2 (test_acquire_fifo_order_3): Semaphore(0), waiters t1..t3, t1 cancelled, then two
    // releases: the result is [2, 3].
    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(0);
    let result = Rc::new(RefCell::new(Vec::new()));
    lp.run_until_complete(cancels_the_first_waiter(sem.clone(), result.clone()))
        .unwrap();
    assert_eq!(*result.borrow(), [2, 3]);
    assert_eq!(sem.value(), 0);
}

#[test]
fn a_waiter_cancelled_after_being_granted_a_permit_passes_it_on() {
    // S2 (test_acquire_cancel_before_awoken): t1 is woken with a permit but cancelled before
    // it runs; the permit goes to t2.
    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(0);
    let result = Rc::new(RefCell::new(Vec::new()));
    let [t1, t2] =
        [1, 2].map(|n| lp.create_task(acquires_and_records(sem.clone(), n, result.clone())));
    lp.run_briefly();
    sem.release();
    assert!(t1.cancel());
    assert_eq!(lp.run_until_complete(&t1), Err(Cancelled));
    assert_eq!(lp.run_until_complete(&t2), Ok(true));
    assert_eq!(*result.borrow(), [2]);
    assert_eq!(sem.value(), 0);
}

#[asyncio::coroutine]
fn acquires_and_logs(sem: Semaphore, name: &'static str, trace: Trace) -> Result<(), Cancelled> {
    yield_from!(sem.acquire())?;
    push(&trace, format!("{name} acquired"));
    Ok(())
}

#[test]
fn a_granted_waiter_wakes_as_many_queued_waiters_as_there_are_permits() {
    // S1 (Python 3.13's `acquire`: "wake up as many as are allowed"): three releases while
    // `first` is granted but has not resumed; `second` and `third` queue behind it, and when
    // it resumes it wakes both at once (not one per tick).
    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(0);
    let trace = new_trace();
    let first = lp.create_task(acquires_and_logs(sem.clone(), "first", trace.clone()));
    lp.run_briefly(); // first waits
    let later = ["second", "third"]
        .map(|name| lp.create_task(acquires_and_logs(sem.clone(), name, trace.clone())));
    sem.release(); // granted to first
    sem.release();
    sem.release();
    assert_eq!(sem.value(), 2);
    assert!(sem.locked()); // first still holds its place in the queue: no overtaking
    lp.run_briefly(); // second and third queue, first resumes; then both resume
    assert_eq!(
        entries(&trace),
        ["first acquired", "second acquired", "third acquired"]
    );
    assert!(first.done() && later.iter().all(|task| task.done()));
    assert_eq!(sem.value(), 0);
}

#[asyncio::coroutine]
fn acquires_then_releases(sem: Semaphore) -> Result<(), Cancelled> {
    yield_from!(sem.acquire())?;
    sem.release();
    Ok(())
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a scale test (tens of thousands of tasks): too slow under miri"
)]
fn a_hundred_thousand_waiters_on_a_semaphore_take_linear_time() {
    // Each grant and each departure is O(1): 100,000 waiters passing one permit along took
    // ~10 s (optimised) when every grant scanned the whole queue.
    let lp = EventLoop::with_virtual_clock();
    let sem = Semaphore::new(0);
    let tasks: Vec<Task<()>> = (0..100_000)
        .map(|_| lp.create_task(acquires_then_releases(sem.clone())))
        .collect();
    lp.run_briefly(); // all wait
    let start = std::time::Instant::now();
    sem.release();
    lp.run_until_complete(asyncio::gather(&tasks)).unwrap();
    assert!(start.elapsed() < secs(20), "took {:?}", start.elapsed());
    assert_eq!(sem.value(), 1);
    assert!(!sem.locked());
}

// ---------------------------------------------------------------------------------------
// The loop: timers, closing, foreign futures, deep cancellation, callback ids
// ---------------------------------------------------------------------------------------

#[test]
fn a_timer_cancelled_by_an_earlier_callback_of_the_same_tick_does_not_run() {
    // Python skips a cancelled handle when it pops the ready queue, even when both timers
    // fell due in the same tick.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let second: Slot<TimerHandle> = slot();
    let (t, s) = (trace.clone(), second.clone());
    lp.call_later(secs(1), move || {
        push(&t, "first cancels second");
        s.borrow_mut().take().unwrap().cancel();
    });
    let t = trace.clone();
    *second.borrow_mut() = Some(lp.call_later(secs(1), move || push(&t, "second")));
    lp.run_until_idle();
    assert_eq!(entries(&trace), ["first cancels second"]);
    assert_eq!(lp.time(), secs(1));
    assert_eq!(lp.scheduled_timers(), 0);
}

#[test]
fn run_briefly_runs_two_ticks_as_asyncios_helper_does() {
    // test_utils.run_briefly runs the loop until a task that yields once is done: two ticks.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let t = trace.clone();
    lp.call_soon(move || {
        push(&t, "tick 1");
        let lp = asyncio::get_running_loop().unwrap();
        lp.clone().call_soon(move || {
            push(&t, "tick 2");
            lp.call_soon(move || push(&t, "tick 3"));
        });
    });
    assert!(lp.run_briefly());
    assert_eq!(entries(&trace), ["tick 1", "tick 2"]);
    assert!(lp.run_briefly());
    assert_eq!(entries(&trace), ["tick 1", "tick 2", "tick 3"]);
    assert!(!lp.run_briefly());
}

#[asyncio::coroutine]
fn holds_the_loop(held: AddOnDrop) -> Result<(), Cancelled> {
    let _held = held;
    let lp = asyncio::get_running_loop().unwrap(); // the docs' pattern
    yield_from!(asyncio::sleep(secs(3600)))?;
    assert!(lp.time() >= secs(3600));
    Ok(())
}

#[test]
fn dropping_a_loop_frees_a_pending_task_that_holds_a_loop_handle() {
    // The cycle loop -> timer -> future -> task -> coroutine -> loop is broken when the last
    // handle made by `EventLoop::new` goes: the coroutine and what it holds are dropped.
    let dropped = Rc::new(Cell::new(0));
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(holds_the_loop(AddOnDrop(dropped.clone(), 1)));
    lp.run_briefly(); // the task sleeps, holding a loop handle
    let clone = lp.clone();
    drop(lp);
    assert_eq!(dropped.get(), 0); // a clone still owns the loop
    drop(clone);
    assert_eq!(dropped.get(), 1);
    assert!(!task.done()); // closed, not run
}

#[test]
fn a_panicking_destructor_while_closing_tasks_does_not_stop_the_closing() {
    // A `finally:` that raises while pending tasks are closed: the later tasks are still
    // closed, and the panic comes out of the drop.
    let trace = new_trace();
    let dropped = Rc::new(Cell::new(0));
    let lp = EventLoop::with_virtual_clock();
    let _a = lp.create_task(waits_with_cleanup(
        None,
        "a: finally",
        trace.clone(),
        PushOnDrop(trace.clone(), "a: argument"),
    ));
    let _b = lp.create_task(holds_panic_on_drop(PanicOnDrop(
        trace.clone(),
        "b: finally",
        "b's destructor panics",
    )));
    let _c = lp.create_task(holds_the_loop(AddOnDrop(dropped.clone(), 1)));
    lp.run_briefly();
    let message = expect_panic(move || drop(lp));
    assert_eq!(message, "b's destructor panics");
    assert_eq!(entries(&trace), ["a: finally", "a: argument", "b: finally"]);
    assert_eq!(dropped.get(), 1);
}

#[asyncio::coroutine]
fn holds_panic_on_drop(guard: PanicOnDrop) -> Result<(), Cancelled> {
    let _guard = guard;
    yield_from!(asyncio::sleep(secs(3600)))
}

#[asyncio::coroutine]
fn awaits_u32(fut: Future<u32>) -> Result<u32, Cancelled> {
    yield_from!(&fut)
}

#[test]
fn awaiting_a_future_of_another_or_a_dropped_loop_panics_at_the_await() {
    // Python: RuntimeError "... attached to a different loop" raised at the await; the
    // task used to be lost silently (its wakeup went to the other loop).
    let lp = EventLoop::with_virtual_clock();
    let other = EventLoop::with_virtual_clock();
    let foreign: Future<u32> = other.create_future();
    let message = expect_panic(|| lp.run_until_complete(awaits_u32(foreign.clone())));
    assert!(
        message.contains("attached to a different event loop"),
        "{message}"
    );
    let orphan: Future<u32> = EventLoop::new().create_future();
    let message = expect_panic(|| lp.run_until_complete(awaits_u32(orphan)));
    assert!(
        message.contains("attached to a different event loop"),
        "{message}"
    );
    foreign.set_result(1).unwrap(); // a done future of another loop is just a value
    assert_eq!(lp.run_until_complete(awaits_u32(foreign)), Ok(1));
}

#[asyncio::coroutine]
fn awaits_unit_task(inner: Task<()>) -> Result<(), Cancelled> {
    yield_from!(&inner)
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a scale test (tens of thousands of tasks): too slow under miri"
)]
fn cancelling_the_top_of_a_10000_deep_await_chain_does_not_overflow_the_stack() {
    // Each task awaits the next; the cancellation walks the chain with a loop, not one
    // stack frame per task, and the innermost sleep is cancelled.
    let lp = EventLoop::with_virtual_clock();
    let bottom = lp.create_task(sleeps_100_s());
    let mut top = bottom.clone();
    for _ in 0..10_000 {
        top = lp.create_task(awaits_unit_task(top));
    }
    lp.run_briefly(); // every task waits
    assert!(top.cancel());
    assert_eq!(lp.run_until_complete(&top), Err(Cancelled));
    assert!(bottom.cancelled());
    assert_eq!(lp.time(), Duration::ZERO);
    assert_eq!(lp.scheduled_timers(), 0);
}

#[test]
fn a_callback_id_from_another_thread_removes_nothing() {
    // Ids are `Send`: one made on another thread must not name a callback of this one.
    let on_a_fresh_thread = || {
        std::thread::spawn(|| {
            let lp = EventLoop::new();
            let fut: Future<u32> = lp.create_future();
            fut.add_done_callback(|_| {})
        })
        .join()
        .unwrap()
    };
    let foreign = on_a_fresh_thread();
    let mine = std::thread::spawn(move || {
        let lp = EventLoop::new();
        let fut: Future<u32> = lp.create_future();
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        let id = fut.add_done_callback(move |_| r.set(true));
        let removed = fut.remove_done_callback(foreign);
        fut.set_result(1).unwrap();
        lp.run_briefly();
        (removed, ran.get(), id != foreign)
    })
    .join()
    .unwrap();
    assert_eq!(mine, (0, true, true));
}

#[asyncio::coroutine]
fn the_running_loop() -> Result<EventLoop, Cancelled> {
    Ok(asyncio::get_running_loop().unwrap())
}

#[test]
fn a_loop_whose_last_owner_goes_while_it_runs_is_closed_when_the_run_ends() {
    // A handle from `get_running_loop` does not own the loop: the owner dropped by a
    // callback closes it once the tick is over, not in the middle of it.
    let owner = EventLoop::with_virtual_clock();
    let borrowed = owner.run_until_complete(the_running_loop()).unwrap();
    let dropped = Rc::new(Cell::new(0));
    let task = owner.create_task(holds_the_loop(AddOnDrop(dropped.clone(), 1)));
    borrowed.run_briefly(); // the task sleeps
    let seen = dropped.clone();
    borrowed.call_soon(move || {
        drop(owner);
        assert_eq!(seen.get(), 0); // still running: not closed yet
    });
    borrowed.run_briefly();
    assert_eq!(dropped.get(), 1);
    assert!(!task.done());
    assert_eq!(borrowed.scheduled_timers(), 0); // the sleep's timer went with it
}
