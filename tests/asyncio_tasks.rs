//! Behaviour of `cogen::asyncio`'s task utilities, checked against CPython's
//! test_timeouts.py (`asyncio.timeout`, `timeout_at`), test_tasks.py (`wait`,
//! `as_completed`, `shield`, `current_task`, `all_tasks`), test_taskgroups.py
//! (`TaskGroup`) and test_runners.py (`asyncio.run` cancelling what is left). Each test
//! states the behaviour in its name, shows the trace or values in its body, and names the
//! CPython test in a comment.
//!
//! The Rust mapping (as in tests/asyncio.rs and tests/asyncio_sync.rs):
//! * `async def f()` is `#[asyncio::coroutine] fn f() -> Result<T, Error>`, `await x` is
//!   `yield_from!(x)`; a test's own `async def test_...` is a coroutine run on a virtual
//!   clock, so `loop.time()` is exact;
//! * `async with asyncio.timeout(d) as cm: <body>` is `cm.run(body)` with
//!   `let cm = asyncio::timeout(d)`; `async with TaskGroup() as tg: <body>` is
//!   `TaskGroup::run(|tg| body(tg))`;
//! * Python's `ExceptionGroup` of a task group is its first error (all of them in
//!   `tg.errors()`); RuntimeError is a panic.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use cogen::Generator;
use cogen::asyncio::{
    self, AsyncError, Cancelled, EventLoop, Future, ReturnWhen, Task, TaskGroup, Timeout,
    TimeoutError,
};
use cogen::yield_from;

mod support;
use support::{Trace, entries, expect_panic, new_trace, push};

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn now() -> Duration {
    asyncio::get_running_loop().unwrap().time()
}

/// The errors of these tests: a cancellation, a timeout, or a named failure.
#[derive(Debug, Clone, PartialEq)]
enum Error {
    Cancelled,
    Timeout,
    Failed(&'static str),
}

impl From<Cancelled> for Error {
    fn from(_: Cancelled) -> Self {
        Error::Cancelled
    }
}

impl From<TimeoutError> for Error {
    fn from(_: TimeoutError) -> Self {
        Error::Timeout
    }
}

impl AsyncError for Error {
    fn is_cancelled(&self) -> bool {
        *self == Error::Cancelled
    }
}

/// What a task of these tests ends with.
type Got = Result<u32, Error>;

/// Run a test's main coroutine on a virtual clock: its result, and the loop's time.
#[track_caller]
fn run<G, T>(main: G) -> (Result<T, Error>, Duration)
where
    G: cogen::Generator<asyncio::Resume, Yield = asyncio::Suspend, Return = Result<T, Error>>
        + 'static,
    T: 'static,
{
    let lp = EventLoop::with_virtual_clock();
    let result = lp.run(main);
    (result, lp.time())
}

#[asyncio::coroutine]
fn sleep_then(delay: Duration, value: u32) -> Result<u32, Error> {
    yield_from!(asyncio::sleep(delay))?;
    Ok(value)
}

#[asyncio::coroutine]
fn sleep_then_fail(delay: Duration, why: &'static str) -> Result<u32, Error> {
    yield_from!(asyncio::sleep(delay))?;
    Err(Error::Failed(why))
}

/// Sleeps, logging how it ends: "<name> done" or "<name> cancelled".
#[asyncio::coroutine]
fn traced_sleep(trace: Trace, name: &'static str, delay: Duration) -> Result<u32, Error> {
    match yield_from!(asyncio::sleep(delay)) {
        Ok(()) => {
            push(&trace, format!("{name} done at {:?}", now()));
            Ok(1)
        }
        Err(Cancelled) => {
            push(&trace, format!("{name} cancelled at {:?}", now()));
            Err(Error::Cancelled)
        }
    }
}

// ---------------------------------------------------------------------------------------
// timeout, timeout_at (test_timeouts.py)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn times_out_a_long_sleep() -> Result<(Result<u32, Error>, bool), Error> {
    let cm = asyncio::timeout(Some(ms(10)));
    let result = yield_from!(cm.run(sleep_then(ms(10_000), 1)));
    Ok((result, cm.expired()))
}

#[test]
fn a_timeout_cancels_its_body_at_the_deadline_and_returns_a_timeout_error() {
    // test_timeout_basic
    assert_eq!(
        run(times_out_a_long_sleep()),
        (Ok((Err(Error::Timeout), true)), ms(10))
    );
}

#[asyncio::coroutine]
fn timeout_at_a_deadline() -> Result<(Got, Option<Duration>, bool), Error> {
    let deadline = now() + ms(10);
    let cm = asyncio::timeout_at(Some(deadline));
    let result = yield_from!(cm.run(sleep_then(ms(10_000), 1)));
    Ok((result, cm.when(), cm.expired()))
}

#[test]
fn timeout_at_expires_at_its_deadline_on_the_loop_clock() {
    // test_timeout_at_basic
    assert_eq!(
        run(timeout_at_a_deadline()),
        (Ok((Err(Error::Timeout), Some(ms(10)), true)), ms(10))
    );
}

#[asyncio::coroutine]
fn quick_body_under_timeout(
    delay: Option<Duration>,
) -> Result<(u32, bool, Option<Duration>), Error> {
    let cm = asyncio::timeout(delay);
    let value = yield_from!(cm.run(sleep_then(ms(10), 7)))?;
    Ok((value, cm.expired(), cm.when()))
}

#[test]
fn a_body_that_finishes_in_time_returns_its_value_and_the_timeout_is_not_expired() {
    // test_timeout_not_called
    assert_eq!(
        run(quick_body_under_timeout(Some(ms(10_000)))),
        (Ok((7, false, Some(ms(10_000)))), ms(10))
    );
}

#[test]
fn a_timeout_of_none_never_expires() {
    // test_timeout_disabled, test_timeout_at_disabled
    assert_eq!(
        run(quick_body_under_timeout(None)),
        (Ok((7, false, None)), ms(10))
    );
}

#[asyncio::coroutine]
fn zero_timeout() -> Result<(Result<u32, Error>, bool), Error> {
    let cm = asyncio::timeout(Some(Duration::ZERO));
    let result = yield_from!(cm.run(sleep_then(ms(10_000), 1)));
    Ok((result, cm.expired()))
}

#[test]
fn a_zero_timeout_cancels_the_body_at_its_first_suspension() {
    // test_timeout_zero
    assert_eq!(
        run(zero_timeout()),
        (Ok((Err(Error::Timeout), true)), ms(0))
    );
}

#[asyncio::coroutine]
fn deadline_in_the_past() -> Result<Result<u32, Error>, Error> {
    yield_from!(asyncio::sleep(ms(1000)))?;
    let cm = asyncio::timeout_at(Some(ms(500)));
    Ok(yield_from!(cm.run(sleep_then(ms(10), 1))))
}

#[test]
fn a_deadline_already_past_expires_at_once() {
    // test_timeout_in_the_past_sleep
    assert_eq!(
        run(deadline_in_the_past()),
        (Ok(Err(Error::Timeout)), ms(1000))
    );
}

#[asyncio::coroutine]
fn catches_its_cancellation(trace: Trace) -> Result<u32, Error> {
    if yield_from!(asyncio::sleep(ms(10_000))).is_err() {
        push(
            &trace,
            format!("body caught the cancellation at {:?}", now()),
        );
    }
    Ok(5)
}

#[asyncio::coroutine]
fn body_swallows_timeout(trace: Trace) -> Result<(u32, bool), Error> {
    let cm = asyncio::timeout(Some(ms(10)));
    let value = yield_from!(cm.run(catches_its_cancellation(trace)))?;
    Ok((value, cm.expired()))
}

#[test]
fn a_body_that_catches_the_cancellation_returns_its_value_though_expired() {
    // test_timeout_exception (exc_type is None in __aexit__: nothing raised)
    let trace = new_trace();
    assert_eq!(
        run(body_swallows_timeout(trace.clone())),
        (Ok((5, true)), ms(10))
    );
    assert_eq!(entries(&trace), ["body caught the cancellation at 10ms"]);
}

#[asyncio::coroutine]
fn under_a_long_timeout(cm: Timeout) -> Result<u32, Error> {
    yield_from!(cm.run(sleep_then(ms(10_000), 1)))
}

#[test]
fn a_cancellation_from_outside_passes_through_a_timeout_that_has_not_expired() {
    // test_foreign_cancel_doesnt_timeout_if_not_expired
    let lp = EventLoop::with_virtual_clock();
    let cm = asyncio::timeout_at(Some(ms(10_000)));
    let task = lp.create_task(under_a_long_timeout(cm.clone()));
    lp.run_briefly();
    task.cancel();
    assert_eq!(lp.run_until_complete(&task), Err(Error::Cancelled));
    assert!(task.cancelled());
    assert!(!cm.expired());
    assert_eq!(lp.time(), ms(0));
}

#[asyncio::coroutine]
fn nested_outer_expires(trace: Trace) -> Result<(Result<u32, Error>, bool, bool), Error> {
    let outer = asyncio::timeout(Some(ms(100)));
    let inner = asyncio::timeout(Some(ms(10_000)));
    let (inner2, trace2) = (inner.clone(), trace.clone());
    let result = yield_from!(outer.run(cogen_inner(inner2, trace2)));
    Ok((result, outer.expired(), inner.expired()))
}

#[asyncio::coroutine]
fn cogen_inner(inner: Timeout, trace: Trace) -> Result<u32, Error> {
    let got = yield_from!(inner.run(sleep_then(ms(1000), 1)));
    push(&trace, format!("inner returned {got:?} at {:?}", now()));
    got
}

#[test]
fn when_the_outer_of_nested_timeouts_expires_the_inner_passes_the_cancellation_on() {
    // test_nested_timeouts_are_cancelled / test_nested_timeouts_concurrent
    let trace = new_trace();
    assert_eq!(
        run(nested_outer_expires(trace.clone())),
        (Ok((Err(Error::Timeout), true, false)), ms(100))
    );
    assert_eq!(entries(&trace), ["inner returned Err(Cancelled) at 100ms"]);
}

#[asyncio::coroutine]
fn nested_inner_expires(trace: Trace) -> Result<(Result<u32, Error>, bool, bool), Error> {
    let outer = asyncio::timeout(Some(ms(10_000)));
    let inner = asyncio::timeout(Some(ms(10)));
    let result = yield_from!(outer.run(inner_then_more(inner.clone(), trace)));
    Ok((result, outer.expired(), inner.expired()))
}

#[asyncio::coroutine]
fn inner_then_more(inner: Timeout, trace: Trace) -> Result<u32, Error> {
    let got = yield_from!(inner.run(sleep_then(ms(1000), 1)));
    push(&trace, format!("inner returned {got:?} at {:?}", now()));
    // The inner timeout handled its cancellation: the task is not cancelled any more.
    yield_from!(sleep_then(ms(20), 2))
}

#[test]
fn when_the_inner_of_nested_timeouts_expires_only_it_raises_and_the_outer_body_goes_on() {
    // test_nested_timeouts (inner expiring first)
    let trace = new_trace();
    assert_eq!(
        run(nested_inner_expires(trace.clone())),
        (Ok((Ok(2), false, true)), ms(30))
    );
    assert_eq!(entries(&trace), ["inner returned Err(Timeout) at 10ms"]);
}

#[asyncio::coroutine]
fn nested_both_expire(trace: Trace) -> Result<(Result<u32, Error>, bool, bool, u32), Error> {
    let outer = asyncio::timeout(Some(ms(10)));
    let inner = asyncio::timeout(Some(ms(10)));
    let result = yield_from!(outer.run(cogen_inner(inner.clone(), trace)));
    // Both cancellations were taken back: the task runs on.
    let after = yield_from!(sleep_then(ms(5), 3))?;
    Ok((result, outer.expired(), inner.expired(), after))
}

#[test]
fn nested_timeouts_expiring_together_raise_only_in_the_outer_and_leave_the_task_uncancelled() {
    // test_nested_timeouts_loop_busy: the inner sees the outer's request and passes it on.
    let trace = new_trace();
    assert_eq!(
        run(nested_both_expire(trace.clone())),
        (Ok((Err(Error::Timeout), true, true, 3)), ms(15))
    );
    assert_eq!(entries(&trace), ["inner returned Err(Cancelled) at 10ms"]);
}

#[asyncio::coroutine]
fn reschedules(cm: Timeout, to: Option<Duration>) -> Result<u32, Error> {
    cm.reschedule(to);
    yield_from!(sleep_then(ms(10_000), 9))
}

#[asyncio::coroutine]
fn rescheduled(to: Option<Duration>) -> Result<(Result<u32, Error>, Option<Duration>), Error> {
    let cm = asyncio::timeout(Some(ms(10)));
    let result = yield_from!(cm.run(reschedules(cm.clone(), to)));
    Ok((result, cm.when()))
}

#[test]
fn reschedule_moves_the_deadline_of_a_running_timeout() {
    // test_reschedule
    assert_eq!(
        run(rescheduled(Some(ms(100)))),
        (Ok((Err(Error::Timeout), Some(ms(100)))), ms(100))
    );
    assert_eq!(run(rescheduled(None)), (Ok((Ok(9), None)), ms(10_000)));
}

#[asyncio::coroutine]
fn runs_a_timeout_twice() -> Result<(), Error> {
    let cm = asyncio::timeout(Some(ms(10)));
    yield_from!(cm.run(sleep_then(ms(1), 1)))?;
    yield_from!(cm.run(sleep_then(ms(1), 1)))?;
    Ok(())
}

#[test]
fn a_timeout_runs_once() {
    // test_repr / "Timeout has already been entered"
    let message = expect_panic(|| run(runs_a_timeout_twice()));
    assert!(message.contains("a Timeout is run once"), "{message}");
}

#[asyncio::coroutine]
fn reschedules_after_expiry() -> Result<(), Error> {
    let cm = asyncio::timeout(Some(ms(10)));
    let _ = yield_from!(cm.run(sleep_then(ms(100), 1)));
    cm.reschedule(Some(ms(500)));
    Ok(())
}

#[test]
fn rescheduling_an_expired_timeout_panics() {
    // test_reschedule (RuntimeError after expiry)
    let message = expect_panic(|| run(reschedules_after_expiry()));
    assert!(message.contains("has expired or is over"), "{message}");
}

// ---------------------------------------------------------------------------------------
// wait (test_tasks.py)
// ---------------------------------------------------------------------------------------

type Tasks = Vec<Task<u32, Error>>;

fn values(tasks: &Tasks) -> Vec<Option<Result<u32, Error>>> {
    tasks.iter().map(|task| task.result()).collect()
}

#[asyncio::coroutine]
fn waits(
    delays: Vec<(u64, Option<&'static str>)>,
    timeout: Option<Duration>,
    return_when: ReturnWhen,
) -> Result<(Vec<Option<Got>>, usize), Error> {
    let tasks: Tasks = delays
        .into_iter()
        .enumerate()
        .map(|(n, (delay, fails))| match fails {
            None => asyncio::create_task(sleep_then(ms(delay), n as u32)),
            Some(why) => asyncio::create_task(sleep_then_fail(ms(delay), why)),
        })
        .collect();
    let (done, pending) = yield_from!(asyncio::wait(tasks, timeout, return_when))?;
    Ok((values(&done), pending.len()))
}

#[test]
fn wait_all_completed_returns_every_task_done() {
    // test_wait
    assert_eq!(
        run(waits(
            vec![(150, None), (100, None)],
            None,
            ReturnWhen::AllCompleted
        )),
        (Ok((vec![Some(Ok(0)), Some(Ok(1))], 0)), ms(150))
    );
}

#[test]
fn wait_first_completed_returns_when_one_task_is_done() {
    // test_wait_first_completed
    assert_eq!(
        run(waits(
            vec![(10_000, None), (100, None)],
            None,
            ReturnWhen::FirstCompleted
        )),
        (Ok((vec![Some(Ok(1))], 1)), ms(100))
    );
}

#[test]
fn wait_first_exception_returns_at_the_first_failure() {
    // test_wait_first_exception_in_wait
    assert_eq!(
        run(waits(
            vec![(10_000, None), (10, Some("boom"))],
            None,
            ReturnWhen::FirstException
        )),
        (Ok((vec![Some(Err(Error::Failed("boom")))], 1)), ms(10))
    );
}

#[test]
fn wait_first_exception_without_a_failure_waits_for_all() {
    // test_wait_first_exception (no exception: all completed)
    assert_eq!(
        run(waits(
            vec![(20, None), (10, None)],
            None,
            ReturnWhen::FirstException
        )),
        (Ok((vec![Some(Ok(0)), Some(Ok(1))], 0)), ms(20))
    );
}

#[test]
fn wait_all_completed_waits_past_a_failure() {
    // test_wait_with_exception
    assert_eq!(
        run(waits(
            vec![(150, None), (100, Some("boom"))],
            None,
            ReturnWhen::AllCompleted
        )),
        (
            Ok((vec![Some(Ok(0)), Some(Err(Error::Failed("boom")))], 0)),
            ms(150)
        )
    );
}

#[test]
fn wait_with_a_timeout_returns_what_is_done_by_then() {
    // test_wait_with_timeout
    assert_eq!(
        run(waits(
            vec![(100, None), (150, None)],
            Some(ms(110)),
            ReturnWhen::AllCompleted
        )),
        (Ok((vec![Some(Ok(0))], 1)), ms(110))
    );
}

#[asyncio::coroutine]
fn yields_n(n: u32) -> Result<u32, Error> {
    for _ in 0..n {
        yield_from!(asyncio::yield_now())?;
    }
    Ok(n)
}

#[asyncio::coroutine]
fn waits_really_done() -> Result<Vec<Option<Result<u32, Error>>>, Error> {
    let a = asyncio::create_task(yields_n(1));
    let b = asyncio::create_task(yields_n(2));
    let (done, pending) = yield_from!(asyncio::wait([b, a], None, ReturnWhen::FirstCompleted))?;
    assert!(pending.is_empty());
    Ok(values(&done))
}

#[test]
fn wait_counts_as_done_a_task_that_finished_before_its_callback_ran() {
    // test_wait_really_done
    assert_eq!(
        run(waits_really_done()),
        (Ok(vec![Some(Ok(2)), Some(Ok(1))]), ms(0))
    );
}

#[asyncio::coroutine]
fn waits_on_futures(fut: Future<u32, Error>) -> Result<(usize, usize), Error> {
    let (done, pending) =
        yield_from!(asyncio::wait([fut], Some(ms(50)), ReturnWhen::AllCompleted))?;
    Ok((done.len(), pending.len()))
}

#[test]
fn wait_takes_futures_and_a_cancelled_waiter_leaves_them_alone() {
    // test_wait_cancelled / wait of futures
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32, Error> = lp.create_future();
    let waiter = lp.create_task(waits_on_futures(fut.clone()));
    lp.run_briefly();
    waiter.cancel();
    assert_eq!(lp.run_until_complete(&waiter), Err(Error::Cancelled));
    assert!(!fut.done());
    let timed = lp.create_task(waits_on_futures(fut.clone()));
    assert_eq!(lp.run_until_complete(&timed), Ok((0, 1)));
    assert_eq!(lp.time(), ms(50));
}

#[asyncio::coroutine]
fn waits_for_nothing() -> Result<(), Error> {
    let none: Tasks = Vec::new();
    yield_from!(asyncio::wait(none, None, ReturnWhen::AllCompleted))?;
    Ok(())
}

#[test]
fn wait_of_no_futures_panics() {
    // test_wait_errors (ValueError)
    let message = expect_panic(|| run(waits_for_nothing()));
    assert!(message.contains("wait of no futures"), "{message}");
}

// ---------------------------------------------------------------------------------------
// as_completed (test_tasks.py)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn completes_in_order(timeout: Option<Duration>) -> Result<Vec<(Got, Duration)>, Error> {
    let tasks = [(150, 0), (100, 1), (120, 2)]
        .map(|(delay, value)| asyncio::create_task(sleep_then(ms(delay), value)));
    let mut order = Vec::new();
    for next in asyncio::as_completed(tasks, timeout) {
        let got = yield_from!(next);
        order.push((got, now()));
    }
    Ok(order)
}

#[test]
fn as_completed_gives_the_results_in_the_order_they_complete() {
    // test_as_completed
    assert_eq!(
        run(completes_in_order(None)),
        (
            Ok(vec![(Ok(1), ms(100)), (Ok(2), ms(120)), (Ok(0), ms(150))]),
            ms(150)
        )
    );
}

#[test]
fn as_completed_with_a_timeout_gives_timeout_errors_for_the_rest() {
    // test_as_completed_with_timeout
    assert_eq!(
        run(completes_in_order(Some(ms(110)))),
        (
            Ok(vec![
                (Ok(1), ms(100)),
                (Err(Error::Timeout), ms(110)),
                (Err(Error::Timeout), ms(110))
            ]),
            // Returned at the timeout; the tasks are not cancelled (the test loop drops them).
            ms(110)
        )
    );
}

// ---------------------------------------------------------------------------------------
// shield (test_tasks.py)
// ---------------------------------------------------------------------------------------

#[test]
fn shield_passes_on_the_inner_result_error_and_cancellation() {
    // test_shield_result, test_shield_exception, test_shield_cancel_inner
    let lp = EventLoop::with_virtual_clock();
    let inner: Future<u32, Error> = lp.create_future();
    let outer = asyncio::shield(&inner);
    lp.run_briefly();
    inner.set_result(42).unwrap();
    assert_eq!(lp.run_until_complete(&outer), Ok(42));

    let inner: Future<u32, Error> = lp.create_future();
    let outer = asyncio::shield(&inner);
    inner.set_exception(Error::Failed("boom")).unwrap();
    assert_eq!(lp.run_until_complete(&outer), Err(Error::Failed("boom")));

    let inner: Future<u32, Error> = lp.create_future();
    let outer = asyncio::shield(&inner);
    inner.cancel();
    assert_eq!(lp.run_until_complete(&outer), Err(Error::Cancelled));
    assert!(outer.cancelled());
}

#[test]
fn cancelling_a_shield_leaves_the_inner_future_running() {
    // test_shield_cancel_outer
    let lp = EventLoop::with_virtual_clock();
    let inner: Future<u32, Error> = lp.create_future();
    let outer = asyncio::shield(&inner);
    assert!(outer.cancel());
    lp.run_briefly();
    assert!(!inner.cancelled());
    inner.set_result(1).unwrap();
    lp.run_briefly();
    assert!(outer.cancelled());
}

#[test]
fn shield_of_a_done_future_is_that_future() {
    // test_shield_shortcut
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_result(42).unwrap();
    let shielded = asyncio::shield(&fut);
    shielded.set_result(0).unwrap_err(); // the same, done, future
    assert_eq!(shielded.result(), Some(Ok(42)));
}

#[asyncio::coroutine]
fn awaits_shielded(inner: Task<u32, Error>, trace: Trace) -> Result<u32, Error> {
    let got = yield_from!(&asyncio::shield(&inner));
    push(&trace, format!("outer got {got:?} at {:?}", now()));
    got
}

#[test]
fn a_task_awaiting_a_shield_is_cancelled_while_the_inner_task_finishes() {
    // test_shield_effect
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let inner = lp.create_task(traced_sleep(trace.clone(), "inner", ms(100)));
    let outer = lp.create_task(awaits_shielded(inner.clone(), trace.clone()));
    lp.run_briefly();
    outer.cancel();
    assert_eq!(lp.run_until_complete(&outer), Err(Error::Cancelled));
    assert_eq!(lp.run_until_complete(&inner), Ok(1));
    assert_eq!(
        entries(&trace),
        ["outer got Err(Cancelled) at 0ns", "inner done at 100ms"]
    );
}

// ---------------------------------------------------------------------------------------
// current_task, all_tasks (test_tasks.py)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn reports_current(
    trace: Trace,
    name: &'static str,
    me: Rc<RefCell<Option<Task<u32, Error>>>>,
) -> Result<u32, Error> {
    for _ in 0..2 {
        let current = asyncio::current_task().unwrap();
        let is_me = me.borrow().as_ref().is_some_and(|task| current.is(task));
        push(&trace, format!("{name}: current is me: {is_me}"));
        yield_from!(asyncio::yield_now())?;
    }
    Ok(0)
}

#[test]
fn current_task_is_the_task_whose_coroutine_runs() {
    // test_current_task, test_current_task_with_interleaving_tasks
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert!(asyncio::current_task().is_none());
    let (slot_a, slot_b) = (Rc::new(RefCell::new(None)), Rc::new(RefCell::new(None)));
    let a = lp.create_task(reports_current(trace.clone(), "a", slot_a.clone()));
    let b = lp.create_task(reports_current(trace.clone(), "b", slot_b.clone()));
    *slot_a.borrow_mut() = Some(a.clone());
    *slot_b.borrow_mut() = Some(b.clone());
    lp.run_until_complete(&b).unwrap();
    assert_eq!(
        entries(&trace),
        [
            "a: current is me: true",
            "b: current is me: true",
            "a: current is me: true",
            "b: current is me: true",
        ]
    );
    assert!(asyncio::current_task().is_none());
}

#[asyncio::coroutine]
fn probes_from_a_callback(trace: Trace) -> Result<u32, Error> {
    let probe = trace.clone();
    asyncio::get_running_loop().unwrap().call_soon(move || {
        let in_a_task = asyncio::current_task().is_some();
        push(&probe, format!("callback: in a task: {in_a_task}"));
    });
    for step in ["first", "second"] {
        let in_a_task = asyncio::current_task().is_some();
        push(&trace, format!("{step} step: in a task: {in_a_task}"));
        yield_from!(asyncio::yield_now())?;
    }
    Ok(0)
}

#[test]
fn current_task_is_none_in_a_callback_the_loop_runs_between_task_steps() {
    // test_current_task (a callback is not a task), with the loop running throughout
    let trace = new_trace();
    assert_eq!(run(probes_from_a_callback(trace.clone())), (Ok(0), ms(0)));
    assert_eq!(
        entries(&trace),
        [
            "first step: in a task: true",
            "callback: in a task: false",
            "second step: in a task: true",
        ]
    );
}

#[asyncio::coroutine]
fn delegates_to_a_started_yield_now() -> Result<u32, Error> {
    let mut pause = asyncio::yield_now();
    let _ = std::pin::Pin::new(&mut pause).start();
    yield_from!(pause)?;
    Ok(0)
}

#[asyncio::coroutine]
fn delegates_to_a_started_sleep_zero() -> Result<u32, Error> {
    let mut pause = asyncio::sleep(Duration::ZERO);
    let _ = std::pin::Pin::new(&mut pause).start();
    yield_from!(pause)?;
    Ok(0)
}

#[test]
fn yield_from_a_yield_now_or_sleep_zero_that_already_yielded_panics() {
    // Each has yielded its one `Reschedule` already: `yield_from!` refuses it as it refuses
    // any generator that started, rather than yield again for it.
    let message = expect_panic(|| run(delegates_to_a_started_yield_now()));
    assert!(message.contains("has already started"), "{message}");
    let message = expect_panic(|| run(delegates_to_a_started_sleep_zero()));
    assert!(message.contains("has already started"), "{message}");
}

#[asyncio::coroutine]
fn counts_tasks() -> Result<(usize, usize, bool), Error> {
    let quick = asyncio::create_task(sleep_then(ms(1), 0));
    let slow = asyncio::create_task(sleep_then(ms(100), 0));
    let before = asyncio::all_tasks().len();
    yield_from!(&quick)?;
    let after = asyncio::all_tasks();
    let me = asyncio::current_task().unwrap();
    Ok((before, after.len(), after[0] == me && after[1] == slow))
}

#[test]
fn all_tasks_lists_the_pending_tasks_of_the_running_loop() {
    // test_all_tasks
    assert!(asyncio::all_tasks().is_empty());
    assert_eq!(run(counts_tasks()), (Ok((3, 2, true)), ms(1)));
}

#[asyncio::coroutine]
fn cancels_itself() -> Result<(usize, usize, usize), Error> {
    let me = asyncio::current_task().unwrap();
    me.cancel();
    me.cancel();
    let requested = me.cancelling();
    let caught = yield_from!(asyncio::yield_now()).is_err();
    assert!(caught);
    let one_left = me.uncancel();
    let none_left = me.uncancel();
    Ok((requested, one_left, none_left))
}

#[test]
fn cancelling_counts_the_requests_and_uncancel_takes_them_back() {
    // test_uncancel_basic, test_cancelling
    assert_eq!(run(cancels_itself()), (Ok((2, 1, 0)), ms(0)));
}

#[asyncio::coroutine]
fn answer_when(ready: Future<(), Error>, trace: Trace) -> Result<u32, Error> {
    let woke = yield_from!(&ready);
    push(&trace, format!("woke with {woke:?}"));
    woke?;
    Ok(42)
}

#[test]
fn a_tasks_handle_counts_the_requests_and_keeps_the_count_once_done() {
    // test_cancelling, from the handle: each cancel of the pending task is a request, the
    // count outlives the task's runner.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let ready = lp.create_future();
    let task = lp.create_task(answer_when(ready.clone(), trace.clone()));
    lp.run_briefly();
    assert_eq!(task.cancelling(), 0);
    assert!(task.cancel());
    assert!(task.cancel());
    assert_eq!(task.cancelling(), 2);
    assert_eq!(task.uncancel(), 1);
    assert_eq!(lp.run_until_complete(&task), Err(Error::Cancelled));
    assert_eq!(entries(&trace), ["woke with Err(Cancelled)"]);
    assert_eq!(task.cancelling(), 1);
    assert!(!task.cancel(), "a done task takes no request");
    assert_eq!(task.cancelling(), 1);
    assert_eq!(task.uncancel(), 0);
    assert_eq!(task.uncancel(), 0, "never below zero");
}

#[test]
fn uncancelling_a_request_not_yet_delivered_lets_the_task_finish() {
    // test_uncancel_resets_must_cancel: the task is runnable (what it waited for is done),
    // so the request waits for its next step; withdrawn before it, the task never sees it.
    let lp = EventLoop::with_virtual_clock();
    let trace = new_trace();
    let ready = lp.create_future();
    let task = lp.create_task(answer_when(ready.clone(), trace.clone()));
    lp.run_briefly();
    ready.set_result(()).unwrap();
    assert!(task.cancel());
    assert_eq!(task.cancelling(), 1);
    assert_eq!(task.uncancel(), 0);
    assert_eq!(lp.run_until_complete(&task), Ok(42));
    assert_eq!(entries(&trace), ["woke with Ok(())"]);
}

#[asyncio::coroutine]
fn panics_at_once() -> Result<u32, Error> {
    yield_from!(asyncio::yield_now())?;
    panic!("the task blew up");
}

#[test]
fn a_task_whose_coroutine_panicked_counts_the_request_that_cancels_it() {
    // Its runner is gone (the coroutine dropped as the panic unwound), so `cancel`
    // cancels its future directly: the request is counted all the same.
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(panics_at_once());
    assert_eq!(expect_panic(|| lp.run_until_idle()), "the task blew up");
    assert!(!task.done());
    assert!(task.cancel());
    assert_eq!(task.cancelling(), 1);
    assert!(task.cancelled());
    assert!(!task.cancel());
    assert_eq!(task.cancelling(), 1);
}

#[asyncio::coroutine]
fn counts_of(other: Task<u32, Error>) -> Result<(usize, usize, usize), Error> {
    let any = asyncio::all_tasks()
        .into_iter()
        .find(|t| t.is(&other))
        .unwrap();
    let seen_by_any = any.cancelling();
    let left = any.uncancel();
    Ok((seen_by_any, left, other.cancelling()))
}

#[test]
fn a_tasks_handle_and_its_any_task_share_one_count() {
    // `Task` from `create_task` and `AnyTask` from `all_tasks` are one task.
    let lp = EventLoop::with_virtual_clock();
    let waiting = lp.create_task(answer_when(lp.create_future(), new_trace()));
    lp.run_briefly();
    let counter = lp.create_task(counts_of(waiting.clone())); // runs before `waiting` wakes
    assert!(waiting.cancel());
    assert!(waiting.cancel());
    assert_eq!(lp.run_until_complete(&counter), Ok((2, 1, 1)));
    assert_eq!(lp.run_until_complete(&waiting), Err(Error::Cancelled));
    assert_eq!(waiting.cancelling(), 1);
}

// ---------------------------------------------------------------------------------------
// TaskGroup (test_taskgroups.py)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn two_children(tg: TaskGroup<Error>) -> Result<(Tasks, Tasks), Error> {
    let t1 = tg.create_task(sleep_then(ms(100), 42));
    let t2 = tg.create_task(sleep_then(ms(200), 11));
    Ok((vec![t1], vec![t2]))
}

/// Fire and forget, as Python's `tg.create_task(coro)`: a group's task handle is not
/// `#[must_use]` (this fn would not compile if it were).
#[deny(unused_must_use)]
#[asyncio::coroutine]
fn children_without_handles(tg: TaskGroup<Error>, trace: Trace) -> Result<(), Error> {
    tg.create_task(traced_after(ms(20), trace.clone(), "second"));
    tg.create_task(traced_after(ms(10), trace, "first"));
    Ok(())
}

#[asyncio::coroutine]
fn traced_after(delay: Duration, trace: Trace, name: &'static str) -> Result<(), Error> {
    yield_from!(asyncio::sleep(delay))?;
    push(&trace, name);
    Ok(())
}

#[test]
fn a_task_group_waits_for_children_whose_handles_were_dropped() {
    let trace = new_trace();
    let t = trace.clone();
    assert_eq!(
        run(TaskGroup::run(move |tg| children_without_handles(tg, t))),
        (Ok(()), ms(20))
    );
    assert_eq!(entries(&trace), ["first", "second"]);
}

#[asyncio::coroutine]
fn group_waits_for_children() -> Result<(u32, u32, Duration), Error> {
    let (t1, t2) = yield_from!(TaskGroup::run(two_children))?;
    let at = now();
    Ok((t1[0].result().unwrap()?, t2[0].result().unwrap()?, at))
}

#[test]
fn a_task_group_returns_once_every_child_is_done() {
    // test_taskgroup_01
    assert_eq!(
        run(group_waits_for_children()),
        (Ok((42, 11, ms(200))), ms(200))
    );
}

#[asyncio::coroutine]
fn body_sleeps_between(tg: TaskGroup<Error>, trace: Trace) -> Result<u32, Error> {
    let _ = tg.create_task(traced_sleep(trace.clone(), "t1", ms(100)));
    yield_from!(asyncio::sleep(ms(150)))?;
    push(&trace, format!("body woke at {:?}", now()));
    let _ = tg.create_task(traced_sleep(trace.clone(), "t2", ms(100)));
    Ok(3)
}

#[test]
fn a_task_group_body_can_start_tasks_after_awaiting() {
    // test_taskgroup_02
    let trace = new_trace();
    let t = trace.clone();
    let group = asyncio::TaskGroup::run(move |tg| body_sleeps_between(tg, t));
    assert_eq!(run(group), (Ok(3), ms(250)));
    assert_eq!(
        entries(&trace),
        ["t1 done at 100ms", "body woke at 150ms", "t2 done at 250ms"]
    );
}

#[asyncio::coroutine]
fn failing_child_body(tg: TaskGroup<Error>, trace: Trace) -> Result<u32, Error> {
    let _ = tg.create_task(traced_sleep(trace.clone(), "sleeper", ms(10_000)));
    let _ = tg.create_task(sleep_then_fail(ms(100), "boom"));
    match yield_from!(asyncio::sleep(ms(10_000))) {
        Ok(()) => push(&trace, "body slept"),
        Err(Cancelled) => push(&trace, format!("body cancelled at {:?}", now())),
    }
    Err(Error::Cancelled)
}

#[asyncio::coroutine]
fn group_with_a_failing_child(trace: Trace) -> Result<(Result<u32, Error>, u32), Error> {
    let t = trace.clone();
    let result = yield_from!(TaskGroup::run(move |tg| failing_child_body(tg, t)));
    // The group's cancellation of this task was taken back: it runs on.
    let after = yield_from!(sleep_then(ms(5), 8))?;
    Ok((result, after))
}

#[test]
fn a_failing_child_cancels_its_siblings_and_the_body_and_the_group_returns_its_error() {
    // test_taskgroup_05, test_taskgroup_07
    let trace = new_trace();
    assert_eq!(
        run(group_with_a_failing_child(trace.clone())),
        (Ok((Err(Error::Failed("boom")), 8)), ms(105))
    );
    assert_eq!(
        entries(&trace),
        ["sleeper cancelled at 100ms", "body cancelled at 100ms"]
    );
}

#[asyncio::coroutine]
fn failing_body(tg: TaskGroup<Error>, trace: Trace) -> Result<u32, Error> {
    let _ = tg.create_task(traced_sleep(trace.clone(), "child", ms(10_000)));
    yield_from!(asyncio::sleep(ms(10)))?;
    Err(Error::Failed("body"))
}

#[test]
fn a_failing_body_cancels_the_children_and_the_group_returns_its_error() {
    // test_taskgroup_08
    let trace = new_trace();
    let t = trace.clone();
    assert_eq!(
        run(TaskGroup::run(move |tg| failing_body(tg, t))),
        (Err(Error::Failed("body")), ms(10))
    );
    assert_eq!(entries(&trace), ["child cancelled at 10ms"]);
}

#[asyncio::coroutine]
fn children_fail_together(tg: TaskGroup<Error>) -> Result<TaskGroup<Error>, Error> {
    let _ = tg.create_task(sleep_then_fail(ms(10), "first"));
    let _ = tg.create_task(sleep_then_fail(ms(10), "second"));
    Ok(tg)
}

#[asyncio::coroutine]
fn group_two_failures(slot: Rc<RefCell<Option<TaskGroup<Error>>>>) -> Result<u32, Error> {
    let s = slot.clone();
    yield_from!(TaskGroup::run(move |tg: TaskGroup<Error>| {
        *s.borrow_mut() = Some(tg.clone());
        children_fail_together(tg)
    }))?;
    Ok(0)
}

#[test]
fn a_group_whose_children_fail_together_returns_the_first_error_and_keeps_all() {
    // test_taskgroup_03 (ExceptionGroup of both)
    let slot = Rc::new(RefCell::new(None));
    assert_eq!(
        run(group_two_failures(slot.clone())),
        (Err(Error::Failed("first")), ms(10))
    );
    let tg = slot.borrow().clone().unwrap();
    assert_eq!(
        tg.errors(),
        [Error::Failed("first"), Error::Failed("second")]
    );
}

#[asyncio::coroutine]
fn group_cancelled_from_outside(trace: Trace) -> Result<u32, Error> {
    let t = trace.clone();
    let result = yield_from!(TaskGroup::run(move |tg: TaskGroup<Error>| {
        let _ = tg.create_task(traced_sleep(t.clone(), "child", ms(10_000)));
        sleep_then(ms(10_000), 1)
    }));
    push(&trace, format!("group returned {result:?}"));
    result
}

#[test]
fn cancelling_the_task_running_a_group_cancels_the_children_and_returns_cancelled() {
    // test_taskgroup_11
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(group_cancelled_from_outside(trace.clone()));
    lp.advance(ms(10));
    lp.run_briefly();
    task.cancel();
    assert_eq!(lp.run_until_complete(&task), Err(Error::Cancelled));
    assert!(task.cancelled());
    assert_eq!(
        entries(&trace),
        ["child cancelled at 10ms", "group returned Err(Cancelled)"]
    );
}

#[test]
fn a_group_without_tasks_returns_the_body_value() {
    // test_taskgroup_14 (empty group)
    assert_eq!(
        run(TaskGroup::run(|_tg| sleep_then(ms(1), 4))),
        (Ok(4), ms(1))
    );
}

#[asyncio::coroutine]
fn uses_a_finished_group() -> Result<u32, Error> {
    let tg = yield_from!(TaskGroup::run(|tg: TaskGroup<Error>| async_identity(tg)))?;
    let _ = tg.create_task(sleep_then(ms(1), 0));
    Ok(0)
}

#[asyncio::coroutine]
fn async_identity(tg: TaskGroup<Error>) -> Result<TaskGroup<Error>, Error> {
    Ok(tg)
}

#[test]
fn create_task_on_a_finished_group_panics() {
    // test_taskgroup_13 (RuntimeError "is finished")
    let message = expect_panic(|| run(uses_a_finished_group()));
    assert!(message.contains("is finished"), "{message}");
}

// ---------------------------------------------------------------------------------------
// asyncio.run (test_runners.py)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn cleans_up_when_cancelled(trace: Trace) -> Result<(), Error> {
    match yield_from!(asyncio::sleep(Duration::from_secs(3600))) {
        Ok(()) => push(&trace, "slept an hour"),
        Err(Cancelled) => {
            push(&trace, "cancelled");
            // The cancellation path may await.
            yield_from!(asyncio::yield_now())?;
            push(&trace, "cleaned up");
        }
    }
    Err(Error::Cancelled)
}

#[asyncio::coroutine]
fn leaves_a_task(trace: Trace) -> Result<u32, Error> {
    let _left = asyncio::create_task(cleans_up_when_cancelled(trace.clone()));
    yield_from!(asyncio::yield_now())?;
    push(&trace, "main returns");
    Ok(1)
}

#[test]
fn run_cancels_the_tasks_left_and_lets_them_handle_it() {
    // test_asyncio_run_cancel_hang / _cancel_all_tasks
    let trace = new_trace();
    assert_eq!(asyncio::run(leaves_a_task(trace.clone())), Ok(1));
    assert_eq!(entries(&trace), ["main returns", "cancelled", "cleaned up"]);
}

// ---------------------------------------------------------------------------------------
// gather of different types (test_tasks.py GatherTests, with a tuple)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn word_after(delay: Duration, word: &'static str) -> Result<&'static str, Error> {
    yield_from!(asyncio::sleep(delay))?;
    Ok(word)
}

#[asyncio::coroutine]
fn gathers_a_tuple() -> Result<(u32, &'static str, u32), Error> {
    yield_from!(&asyncio::gather_tuple((
        sleep_then(ms(30), 1),
        word_after(ms(10), "two"),
        sleep_then(ms(20), 3)
    )))
}

#[test]
fn gather_tuple_returns_results_of_different_types_in_argument_order() {
    // test_one_exception's success path, with coroutines of different return types
    assert_eq!(run(gathers_a_tuple()), (Ok((1, "two", 3)), ms(30)));
}

#[asyncio::coroutine]
fn gathers_a_failure(trace: Trace) -> Result<(u32, &'static str), Error> {
    yield_from!(&asyncio::gather_tuple((
        sleep_then_fail(ms(10), "boom"),
        word_after(ms(20), "late")
    )))
    .inspect_err(|error| {
        push(
            &trace,
            format!("gather failed with {error:?} at {:?}", now()),
        )
    })
}

#[test]
fn gather_tuple_fails_with_the_first_error_at_once() {
    // test_one_exception
    let trace = new_trace();
    assert_eq!(
        run(gathers_a_failure(trace.clone())),
        (Err(Error::Failed("boom")), ms(10))
    );
    assert_eq!(
        entries(&trace),
        ["gather failed with Failed(\"boom\") at 10ms"]
    );
}

#[test]
fn cancelling_a_gather_tuple_cancels_its_children_and_fails_it_with_cancelled() {
    // test_cancel_gather_1 (a gather is not cancelled itself: it fails with Cancelled)
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let a = lp.create_task(traced_sleep(trace.clone(), "a", ms(100)));
    let b = lp.create_task(word_after(ms(100), "b"));
    // Outside a coroutine: gather tasks of a given loop.
    let both = asyncio::GatherTuple::gather_on((&a, &b), &lp);
    lp.run_briefly();
    assert!(both.cancel());
    assert_eq!(lp.run_until_complete(&both), Err(Error::Cancelled));
    assert!(!both.cancelled());
    assert!(a.cancelled() && b.cancelled());
    assert_eq!(entries(&trace), ["a cancelled at 0ns"]);
}

// ---------------------------------------------------------------------------------------
// Timeouts and task groups together (test_timeouts.py)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn group_of_sleepers(tg: TaskGroup<Error>, trace: Trace) -> Result<u32, Error> {
    let _ = tg.create_task(traced_sleep(trace.clone(), "a", ms(2000)));
    let _ = tg.create_task(traced_sleep(trace.clone(), "b", ms(3000)));
    Ok(0)
}

#[asyncio::coroutine]
fn timeout_around_a_group(trace: Trace) -> Result<(Result<u32, Error>, bool), Error> {
    let cm = asyncio::timeout(Some(ms(10)));
    let t = trace.clone();
    let result = yield_from!(cm.run(TaskGroup::run(move |tg| group_of_sleepers(tg, t))));
    Ok((result, cm.expired()))
}

#[test]
fn a_timeout_around_a_task_group_cancels_its_tasks_and_returns_a_timeout_error() {
    // test_timeout_taskgroup (without the crash in cleanup)
    let trace = new_trace();
    assert_eq!(
        run(timeout_around_a_group(trace.clone())),
        (Ok((Err(Error::Timeout), true)), ms(10))
    );
    assert_eq!(
        entries(&trace),
        ["a cancelled at 10ms", "b cancelled at 10ms"]
    );
}

// ---------------------------------------------------------------------------------------
// Errors nobody retrieved (Python's "Task exception was never retrieved")
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn fails_after(delay: Duration, why: &'static str) -> Result<u32, Error> {
    yield_from!(asyncio::sleep(delay))?;
    Err(Error::Failed(why))
}

/// A loop whose exception handler records each report.
fn reporting_loop() -> (EventLoop, Rc<RefCell<Vec<String>>>) {
    let lp = EventLoop::with_virtual_clock();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    lp.set_exception_handler(move |_, message| sink.borrow_mut().push(message.to_string()));
    (lp, reports)
}

#[test]
fn a_failed_task_that_nothing_awaits_is_reported_when_it_is_dropped() {
    // base_futures / Future.__del__: "Task exception was never retrieved", logged through
    // the loop's exception handler.
    let (lp, reports) = reporting_loop();
    drop(lp.create_task(fails_after(ms(10), "fire and forget")));
    lp.run_until_idle();
    let reports = reports.borrow();
    assert_eq!(reports.len(), 1);
    assert!(
        reports[0].starts_with("cogen::asyncio: Task exception was never retrieved"),
        "{}",
        reports[0]
    );
    assert!(
        reports[0].contains("asyncio_tasks::Error"),
        "{}",
        reports[0]
    );
}

#[test]
fn a_failed_task_is_reported_when_its_last_handle_goes_not_before() {
    let (lp, reports) = reporting_loop();
    let task = lp.create_task(fails_after(ms(10), "kept"));
    lp.run_until_idle();
    assert!(task.done());
    assert!(reports.borrow().is_empty()); // the handle could still read it
    drop(task);
    assert_eq!(reports.borrow().len(), 1);
}

#[asyncio::coroutine]
fn awaits_and_catches(task: Task<u32, Error>) -> Result<u32, Error> {
    match yield_from!(&task) {
        Err(Error::Failed(_)) => Ok(0),
        other => other,
    }
}

#[test]
fn errors_that_are_awaited_read_gathered_or_cancelled_are_not_reported() {
    let (lp, reports) = reporting_loop();
    // Awaited by another task.
    let awaited = lp.create_task(fails_after(ms(1), "awaited"));
    assert_eq!(lp.run_until_complete(awaits_and_catches(awaited)), Ok(0));
    // Read through `result()`.
    let read = lp.create_task(fails_after(ms(1), "read"));
    lp.run_until_idle();
    assert_eq!(read.result(), Some(Err(Error::Failed("read"))));
    drop(read);
    // Gathered: the gather fails with the first error; the second child's is the
    // gather's to handle too (Python marks it retrieved).
    let children = [
        lp.create_task(fails_after(ms(1), "first")),
        lp.create_task(fails_after(ms(2), "second")),
    ];
    let gathered = asyncio::gather(&children);
    drop(children);
    assert_eq!(lp.run_until_complete(gathered), Err(Error::Failed("first")));
    lp.run_until_idle();
    // Cancelled: a cancellation is not an error.
    let cancelled = lp.create_task(fails_after(ms(1), "never"));
    assert!(cancelled.cancel());
    drop(cancelled);
    lp.run_until_idle();
    // A future failed by hand and awaited.
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_exception(Error::Failed("by hand")).unwrap();
    assert_eq!(lp.run_until_complete(&fut), Err(Error::Failed("by hand")));
    drop(fut);
    assert_eq!(*reports.borrow(), Vec::<String>::new());
}

#[test]
fn a_future_failed_by_hand_and_dropped_unread_is_reported() {
    let (lp, reports) = reporting_loop();
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_exception(Error::Failed("nobody looks")).unwrap();
    drop(fut);
    assert_eq!(reports.borrow().len(), 1);
}

#[asyncio::coroutine]
fn one_failing_child(tg: TaskGroup<Error>) -> Result<(), Error> {
    tg.create_task(fails_after(ms(1), "child"));
    yield_from!(asyncio::sleep(ms(5)))?;
    Ok(())
}

#[test]
fn a_task_group_handles_its_childrens_errors() {
    let (lp, reports) = reporting_loop();
    let outcome = lp.run_until_complete(TaskGroup::run(one_failing_child));
    assert_eq!(outcome, Err(Error::Failed("child")));
    lp.run_until_idle();
    assert_eq!(*reports.borrow(), Vec::<String>::new());
}

#[test]
fn a_panicking_exception_handler_does_not_propagate_out_of_a_destructor() {
    let lp = EventLoop::with_virtual_clock();
    lp.set_exception_handler(|_, message| panic!("the handler fails on: {message}"));
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_exception(Error::Failed("nobody looks")).unwrap();
    drop(fut); // reported to stderr instead; no panic here
    reports_while_a_panic_unwinds(&lp);
}

/// A failed future dropped while a panic unwinds: the report must not panic again (which
/// would abort the process).
fn reports_while_a_panic_unwinds(lp: &EventLoop) {
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_exception(Error::Failed("during a panic")).unwrap();
    let message = expect_panic(move || {
        let _held = fut;
        panic!("the first panic");
    });
    assert_eq!(message, "the first panic");
}

#[test]
fn a_pending_tasks_result_read_early_or_a_wait_that_timed_out_does_not_retrieve_its_error() {
    // Python clears `__log_traceback` only when a done future's outcome is read: `result()`
    // on a pending one raises, and `wait` / `as_completed` do not read.
    let (lp, reports) = reporting_loop();
    let read_early = lp.create_task(fails_after(ms(10), "read early"));
    assert_eq!(read_early.result(), None);
    let waited = lp.create_task(fails_after(ms(10), "waited for"));
    let (done, pending) = lp
        .run_until_complete(asyncio::wait(
            [waited.clone()],
            Some(ms(5)),
            ReturnWhen::AllCompleted,
        ))
        .unwrap();
    assert_eq!((done.len(), pending.len()), (0, 1));
    drop((done, pending, waited, read_early));
    lp.run_until_idle();
    assert_eq!(reports.borrow().len(), 2, "{:?}", reports.borrow());
}

#[test]
fn a_plain_future_is_reported_as_a_future_and_a_task_as_a_task() {
    let (lp, reports) = reporting_loop();
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_exception(Error::Failed("by hand")).unwrap();
    drop(fut);
    drop(lp.create_task(fails_after(ms(1), "task")));
    lp.run_until_idle();
    let reports = reports.borrow();
    assert!(reports[0].starts_with("cogen::asyncio: Future exception was never retrieved"));
    assert!(reports[1].starts_with("cogen::asyncio: Task exception was never retrieved"));
}

#[test]
fn the_exception_handler_is_given_the_loop_and_can_be_removed() {
    let lp = EventLoop::with_virtual_clock();
    let times = Rc::new(RefCell::new(Vec::new()));
    let sink = times.clone();
    lp.set_exception_handler(move |lp, _| sink.borrow_mut().push(lp.time()));
    drop(lp.create_task(fails_after(ms(7), "late")));
    lp.run_until_idle();
    assert_eq!(*times.borrow(), [ms(7)]);
    assert!(lp.remove_exception_handler());
    drop(lp.create_task(fails_after(ms(1), "to stderr")));
    lp.run_until_idle();
    assert_eq!(times.borrow().len(), 1);
}

#[test]
fn a_handler_holding_a_handle_of_its_loop_is_dropped_when_the_loop_closes() {
    // An owning handle in the handler would keep the loop open forever; a non-owning one
    // (what a coroutine gets from `get_running_loop`) would keep its memory. The loop drops
    // the handler when it closes, and the handler runs for the tasks it closes.
    struct Dropped(Rc<Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let lp = EventLoop::with_virtual_clock();
    let dropped = Rc::new(Cell::new(false));
    let guard = Dropped(dropped.clone());
    let weak_handle = lp.run_until_complete(get_loop()).unwrap();
    lp.set_exception_handler(move |_, _| {
        let _ = (&guard, &weak_handle);
    });
    drop(lp);
    assert!(dropped.get());
}

#[asyncio::coroutine]
fn get_loop() -> Result<EventLoop, Error> {
    Ok(asyncio::get_running_loop().unwrap())
}

// ---------------------------------------------------------------------------------------
// Task names (test_tasks.py test_task_set_name / test_task_repr: `Task-N`, `set_name`)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn my_name() -> Result<String, Error> {
    Ok(asyncio::current_task().unwrap().get_name())
}

#[asyncio::coroutine]
fn names_of_the_main_task_and_two_children() -> Result<Vec<String>, Error> {
    let first = asyncio::create_task(my_name());
    let second = asyncio::create_task(my_name());
    second.set_name("second child");
    let main = yield_from!(my_name())?;
    let mut names = vec![main];
    names.push(yield_from!(&first)?);
    names.push(yield_from!(&second)?);
    Ok(names)
}

#[test]
fn tasks_are_named_task_n_in_the_order_they_were_made_until_renamed() {
    // As in Python, `asyncio.run`'s main task is `Task-1`.
    let (names, _) = run(names_of_the_main_task_and_two_children());
    assert_eq!(names.unwrap(), ["Task-1", "Task-2", "second child"]);
    // Each loop counts its own tasks.
    let (names, _) = run(names_of_the_main_task_and_two_children());
    assert_eq!(names.unwrap(), ["Task-1", "Task-2", "second child"]);
}

#[test]
fn the_report_of_an_error_nobody_retrieved_names_the_task() {
    let (lp, reports) = reporting_loop();
    let task = lp.create_task(fails_after(ms(1), "named"));
    task.set_name("uploader");
    drop(task);
    lp.run_until_idle();
    assert!(
        reports.borrow()[0].contains("task `uploader` failed"),
        "{:?}",
        reports.borrow()
    );
}

#[test]
fn replacing_a_handler_whose_captures_report_sends_their_reports_to_the_new_one() {
    // The old handler is dropped after the loop has let go of it: what its captures'
    // destructors report (or set) reaches the new handler, without a RefCell panic.
    struct SetsAHandlerWhenDropped(EventLoop);
    impl Drop for SetsAHandlerWhenDropped {
        fn drop(&mut self) {
            self.0.remove_exception_handler();
        }
    }
    let (lp, reports) = reporting_loop();
    let fut: Future<u32, Error> = lp.create_future();
    fut.set_exception(Error::Failed("held by the old handler"))
        .unwrap();
    let weak = lp.run_until_complete(get_loop()).unwrap();
    let old_reports = reports.clone();
    lp.set_exception_handler(move |_, message| {
        let _ = (&fut, &old_reports);
        panic!("the old handler is not called: {message}")
    });
    let sink = reports.clone();
    lp.set_exception_handler(move |_, message| sink.borrow_mut().push(message.to_string()));
    assert_eq!(reports.borrow().len(), 1, "{:?}", reports.borrow());
    // A handler whose capture removes the handler when dropped.
    lp.set_exception_handler({
        let guard = SetsAHandlerWhenDropped(weak);
        move |_, _| {
            let _ = &guard;
        }
    });
    lp.set_exception_handler(|_, _| ());
    assert!(!lp.remove_exception_handler()); // the old one's drop removed the new one
}

#[test]
fn a_handler_panicking_with_a_payload_whose_drop_panics_does_not_abort() {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("the payload's destructor panics");
        }
    }
    let lp = EventLoop::with_virtual_clock();
    lp.set_exception_handler(|_, _| std::panic::panic_any(Bomb));
    reports_while_a_panic_unwinds(&lp);
}

#[test]
fn a_closed_loop_does_not_run_again() {
    // Python: RuntimeError "Event loop is closed". A non-owning handle outlives the owners.
    let lp = EventLoop::with_virtual_clock();
    let weak = lp.run_until_complete(get_loop()).unwrap();
    drop(lp);
    let message = expect_panic(|| weak.run_until_idle());
    assert!(message.contains("closed"), "{message}");
}
