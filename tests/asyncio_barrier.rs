//! Behaviour of `cogen::asyncio::Barrier`, checked against CPython's test_locks.py
//! `BarrierTests` (Python 3.11+). Each test states the behaviour in its name, shows the
//! values in its body, and names the CPython test in a comment.
//!
//! The Rust mapping (as in tests/asyncio_sync.rs):
//! * `async def f()` is `#[asyncio::coroutine] fn f() -> Result<T, BarrierError>`, `await x` is
//!   `yield_from!(x)`; a test's own `async def test_...` is a coroutine run on a virtual clock;
//! * `async with barrier as i:` is `let i = yield_from!(barrier.wait())?;`;
//! * `except BrokenBarrierError:` is a match on `Err(BarrierError::Broken)`;
//! * `await barrier.reset()` / `abort()` are plain calls (Python's never suspend); where the
//!   test runs them in a task of their own (`create_task(barrier.reset())`), so does the port;
//! * `repr(barrier)`'s state is read through `Debug` (`phase: Draining`), `barrier._count`
//!   (the tasks still inside a wait) from the test's own count of those that left.
//!
//! Scenarios with no Rust meaning: `await barrier` without `wait()` (a type error) and the
//! exact `repr` format.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use cogen::asyncio::{self, Barrier, BarrierError, EventLoop, Task};
use cogen::yield_from;

mod support;
use support::expect_panic;

/// `self.N` of `BarrierTests`.
const N: usize = 5;

type Results = Rc<RefCell<Vec<bool>>>;

fn results() -> Results {
    Rc::default()
}

fn how_many(results: &Results, value: bool) -> usize {
    results.borrow().iter().filter(|&&v| v == value).count()
}

/// Run a test's main coroutine on a virtual clock.
#[track_caller]
fn run<G, T>(main: G) -> T
where
    G: cogen::Generator<
            asyncio::Resume,
            Yield = asyncio::Suspend,
            Return = Result<T, BarrierError>,
        > + 'static,
    T: Clone + 'static,
{
    EventLoop::with_virtual_clock().run(main).unwrap()
}

fn phase(barrier: &Barrier) -> String {
    let debug = format!("{barrier:?}");
    let start = debug.find("phase: ").expect("Debug shows the phase") + "phase: ".len();
    debug[start..]
        .split([',', ' '])
        .next()
        .unwrap()
        .to_lowercase()
}

/// `make_tasks(n, coro)`.
fn make_tasks<G>(n: usize, mut coro: impl FnMut() -> G) -> Vec<Task<(), BarrierError>>
where
    G: cogen::Generator<
            asyncio::Resume,
            Yield = asyncio::Suspend,
            Return = Result<(), BarrierError>,
        > + 'static,
{
    (0..n).map(|_| asyncio::create_task(coro())).collect()
}

// ---------------------------------------------------------------------------------------
// Construction and one round
// ---------------------------------------------------------------------------------------

// test_barrier_parties
#[test]
fn a_barrier_needs_at_least_one_party() {
    let message = expect_panic(|| Barrier::new(0));
    assert_eq!(message, "a Barrier needs at least one party");
    let barrier = Barrier::new(N);
    assert_eq!(barrier.parties(), N);
    assert_eq!(phase(&barrier), "filling");
}

#[asyncio::coroutine]
fn appends_its_place(
    barrier: Barrier,
    places: Rc<RefCell<Vec<usize>>>,
) -> Result<(), BarrierError> {
    let place = yield_from!(barrier.wait())?;
    places.borrow_mut().push(place);
    Ok(())
}

// test_context_manager
#[asyncio::coroutine]
fn three_pass_with_places_zero_to_two() -> Result<Vec<usize>, BarrierError> {
    let barrier = Barrier::new(3);
    let places = Rc::new(RefCell::new(Vec::new()));
    let tasks = make_tasks(3, || appends_its_place(barrier.clone(), places.clone()));
    yield_from!(asyncio::gather(&tasks))?;
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, false));
    Ok(places.take())
}

#[test]
fn each_task_of_a_round_gets_its_place_in_the_order_it_arrived() {
    // The last to arrive does not suspend, so it passes first.
    assert_eq!(run(three_pass_with_places_zero_to_two()), [2, 0, 1]);
}

// test_filling_one_task, test_filling_one_task_twice
#[asyncio::coroutine]
fn one_party_twice() -> Result<(), BarrierError> {
    let barrier = Barrier::new(1);
    let outcome = yield_from!(barrier.wait());
    assert_eq!(outcome, Ok(0));
    let t1 = asyncio::create_task(barrier.wait());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 0);
    let t2 = asyncio::create_task(barrier.wait());
    yield_from!(asyncio::yield_now())?;
    assert_eq!((t1.result(), t2.result()), (Some(Ok(0)), Some(Ok(0))));
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, false));
    Ok(())
}

#[test]
fn a_barrier_of_one_party_lets_every_wait_through_at_once() {
    run(one_party_twice());
}

// test_filling_task_by_task, test_repr
#[asyncio::coroutine]
fn task_by_task() -> Result<Vec<String>, BarrierError> {
    let barrier = Barrier::new(3);
    let mut phases = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        tasks.push(asyncio::create_task(barrier.wait()));
        yield_from!(asyncio::yield_now())?;
        phases.push(format!("{} {}", barrier.n_waiting(), phase(&barrier)));
    }
    let places = yield_from!(asyncio::gather(&tasks))?;
    assert_eq!(places, [0, 1, 2]);
    phases.push(format!("{} {}", barrier.n_waiting(), phase(&barrier)));
    Ok(phases)
}

#[test]
fn a_round_fills_one_task_at_a_time_then_drains_and_fills_again() {
    // After the third wait, the two woken waiters have not run yet: the round drains.
    assert_eq!(
        run(task_by_task()),
        ["1 filling", "2 filling", "0 draining", "0 filling"]
    );
}

// test_filling_tasks_wait_twice, test_filling_tasks_check_return_value
#[asyncio::coroutine]
fn passes_twice(
    barrier: Barrier,
    results: Results,
    places: Rc<RefCell<Vec<usize>>>,
) -> Result<(), BarrierError> {
    yield_from!(barrier.wait())?;
    results.borrow_mut().push(true);
    let place = yield_from!(barrier.wait())?;
    results.borrow_mut().push(false);
    places.borrow_mut().push(place);
    Ok(())
}

#[asyncio::coroutine]
fn two_rounds() -> Result<(), BarrierError> {
    let barrier = Barrier::new(N);
    let (results, places) = (results(), Rc::new(RefCell::new(Vec::new())));
    let tasks = make_tasks(N, || {
        passes_twice(barrier.clone(), results.clone(), places.clone())
    });
    yield_from!(asyncio::gather(&tasks))?;
    assert_eq!(
        (how_many(&results, true), how_many(&results, false)),
        (N, N)
    );
    // Every first pass comes before any second one.
    assert!(results.borrow()[..N].iter().all(|&first| first));
    let mut places = places.take();
    places.sort();
    assert_eq!(places, [0, 1, 2, 3, 4]);
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, false));
    Ok(())
}

#[test]
fn the_same_tasks_pass_a_barrier_round_after_round() {
    run(two_rounds());
}

// test_draining_state
#[asyncio::coroutine]
fn logs_whether_draining(barrier: Barrier, results: Results) -> Result<(), BarrierError> {
    yield_from!(barrier.wait())?;
    results.borrow_mut().push(phase(&barrier) == "draining");
    Ok(())
}

#[asyncio::coroutine]
fn draining_state() -> Result<Vec<bool>, BarrierError> {
    let barrier = Barrier::new(N);
    let results = results();
    let tasks = make_tasks(N, || {
        logs_whether_draining(barrier.clone(), results.clone())
    });
    yield_from!(asyncio::gather(&tasks))?;
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, false));
    Ok(results.take())
}

#[test]
fn a_round_drains_until_its_last_task_has_left() {
    assert_eq!(run(draining_state()), [true, true, true, true, false]);
}

// test_blocking_tasks_while_draining
#[asyncio::coroutine]
fn rewaits(
    barrier: Barrier,
    barrier_nowaiting: Barrier,
    rewait_n: Rc<Cell<usize>>,
) -> Result<(), BarrierError> {
    yield_from!(barrier.wait())?;
    if rewait_n.get() > 0 {
        rewait_n.set(rewait_n.get() - 1);
        yield_from!(barrier.wait())?;
    } else {
        yield_from!(barrier_nowaiting.wait())?;
        yield_from!(barrier.wait())?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn blocking_while_draining() -> Result<(), BarrierError> {
    let rewait = 2;
    let barrier = Barrier::new(N);
    let barrier_nowaiting = Barrier::new(N - rewait);
    let rewait_n = Rc::new(Cell::new(rewait));
    let tasks = make_tasks(N, || {
        rewaits(barrier.clone(), barrier_nowaiting.clone(), rewait_n.clone())
    });
    // Completes only if the two tasks that wait again at once are held until the round
    // has drained, and so join the three that pass `barrier_nowaiting` first.
    yield_from!(asyncio::gather(&tasks))?;
    assert_eq!((barrier.n_waiting(), barrier_nowaiting.n_waiting()), (0, 0));
    Ok(())
}

#[test]
fn a_task_that_waits_again_while_its_round_drains_waits_for_the_next_round() {
    run(blocking_while_draining());
}

// test_filling_tasks_cancel_one
#[asyncio::coroutine]
fn cancel_one() -> Result<(), BarrierError> {
    let barrier = Barrier::new(3);
    let results = results();
    let coro = || {
        let (barrier, results) = (barrier.clone(), results.clone());
        logs_whether_draining(barrier, results)
    };
    let t1 = asyncio::create_task(coro());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 1);
    let t2 = asyncio::create_task(coro());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 2);

    assert!(t1.cancel());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 1);
    let outcome = yield_from!(&t1);
    assert_eq!(outcome, Err(BarrierError::TaskCancelled));
    assert!(t1.cancelled());

    let t3 = asyncio::create_task(coro());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 2);
    let t4 = asyncio::create_task(coro());
    yield_from!(asyncio::gather([&t2, &t3, &t4]))?;
    assert_eq!(results.borrow().len(), 3);
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, false));
    Ok(())
}

#[test]
fn a_task_cancelled_while_it_waits_leaves_the_round_to_the_others() {
    run(cancel_one());
}

#[asyncio::coroutine]
fn wait_dropped() -> Result<(), BarrierError> {
    let barrier = Barrier::new(3);
    let first = asyncio::create_task(barrier.wait());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 1);
    // A wait inside a coroutine that is closed (as a task's is when its loop is dropped)
    // leaves the round as a cancelled one does.
    let mut wait = barrier.wait();
    let suspended = cogen::Generator::start(std::pin::Pin::new(&mut wait));
    assert!(matches!(suspended, cogen::GeneratorState::Yielded(_)));
    assert_eq!(barrier.n_waiting(), 2);
    drop(wait);
    assert_eq!(barrier.n_waiting(), 1);
    let second = asyncio::create_task(barrier.wait());
    yield_from!(asyncio::yield_now())?;
    assert_eq!(barrier.n_waiting(), 2);
    let last = yield_from!(barrier.wait());
    assert_eq!(last, Ok(2));
    let others = yield_from!(asyncio::gather([&first, &second]))?;
    assert_eq!(others, [0, 1]);
    Ok(())
}

#[test]
fn a_wait_dropped_while_suspended_leaves_the_round() {
    run(wait_dropped());
}

// ---------------------------------------------------------------------------------------
// reset
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn resets(barrier: Barrier) -> Result<(), BarrierError> {
    barrier.reset();
    Ok(())
}

#[asyncio::coroutine]
fn aborts(barrier: Barrier) -> Result<(), BarrierError> {
    barrier.abort();
    Ok(())
}

// test_reset_barrier, test_abort_barrier
#[asyncio::coroutine]
fn reset_and_abort_an_empty_barrier() -> Result<(), BarrierError> {
    let barrier = Barrier::new(1);
    let resetter = asyncio::create_task(resets(barrier.clone()));
    yield_from!(asyncio::yield_now())?;
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, false));
    let aborter = asyncio::create_task(aborts(barrier.clone()));
    yield_from!(asyncio::yield_now())?;
    assert_eq!((barrier.n_waiting(), barrier.broken()), (0, true));
    let outcome = yield_from!(barrier.wait());
    assert_eq!(outcome, Err(BarrierError::Broken));
    assert_eq!(
        (resetter.result(), aborter.result()),
        (Some(Ok(())), Some(Ok(())))
    );
    Ok(())
}

#[test]
fn reset_leaves_an_empty_barrier_filling_and_abort_breaks_it() {
    run(reset_and_abort_an_empty_barrier());
}

#[asyncio::coroutine]
fn catches_broken(barrier: Barrier, results: Results) -> Result<(), BarrierError> {
    yield_from!(wait_noting_broken(barrier, results))?;
    Ok(())
}

// test_reset_barrier_while_tasks_waiting
#[asyncio::coroutine]
fn reset_while_waiting() -> Result<(), BarrierError> {
    let barrier = Barrier::new(N);
    let results = results();
    let tasks = make_tasks(N - 1, || catches_broken(barrier.clone(), results.clone()));
    yield_from!(asyncio::yield_now())?;
    let resetter = asyncio::create_task(resets(barrier.clone()));
    yield_from!(asyncio::gather(&tasks))?;
    assert_eq!(how_many(&results, true), N - 1);
    assert_eq!(resetter.result(), Some(Ok(())));
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(phase(&barrier), "filling");
    assert!(!barrier.broken());
    Ok(())
}

#[test]
fn a_reset_sends_every_waiting_task_back_broken() {
    run(reset_while_waiting());
}

// test_reset_barrier_when_tasks_half_draining
#[asyncio::coroutine]
fn resets_when_half_drained(
    barrier: Barrier,
    results: Results,
    passed: Rc<Cell<usize>>,
) -> Result<(), BarrierError> {
    match yield_from!(barrier.wait()) {
        Err(BarrierError::Broken) => results.borrow_mut().push(true),
        Err(error) => return Err(error),
        Ok(_) => {
            passed.set(passed.get() + 1);
            // Python: `if rest_of_tasks == barrier._count`, the tasks still inside.
            if N / 2 == N - passed.get() {
                barrier.reset();
            }
        }
    }
    Ok(())
}

#[asyncio::coroutine]
fn reset_half_draining() -> Result<(), BarrierError> {
    let barrier = Barrier::new(N);
    let (results, passed) = (results(), Rc::new(Cell::new(0)));
    let tasks = make_tasks(N, || {
        resets_when_half_drained(barrier.clone(), results.clone(), passed.clone())
    });
    yield_from!(asyncio::gather(&tasks))?;
    // The two woken tasks that had not left yet find the barrier reset.
    assert_eq!(*results.borrow(), [true; N / 2]);
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(phase(&barrier), "filling");
    assert!(!barrier.broken());
    Ok(())
}

#[test]
fn a_reset_while_a_round_drains_breaks_the_waits_of_the_tasks_still_inside() {
    run(reset_half_draining());
}

// test_reset_barrier_when_tasks_half_draining_half_blocking
#[test]
fn a_reset_while_draining_leaves_the_tasks_blocked_for_the_next_round_waiting() {
    let (results1, results2, barrier) = run(half_draining_half_blocking(Then::Reset));
    assert_eq!(results1, [true; N / 2]);
    // The tasks that waited again while the round drained were blocked, not inside: the
    // reset does not break their waits.
    assert_eq!(results2, []);
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(phase(&barrier), "filling");
    assert!(!barrier.broken());
}

// test_reset_barrier_while_tasks_waiting_and_waiting_again
#[asyncio::coroutine]
fn broken_then_waits_again(
    barrier: Barrier,
    results1: Results,
    results2: Results,
) -> Result<(), BarrierError> {
    yield_from!(wait_noting_broken(barrier.clone(), results1))?;
    // Python's `finally:`.
    yield_from!(barrier.wait())?;
    results2.borrow_mut().push(true);
    Ok(())
}

#[asyncio::coroutine]
fn passes_once(barrier: Barrier, results2: Results) -> Result<(), BarrierError> {
    yield_from!(barrier.wait())?;
    results2.borrow_mut().push(true);
    Ok(())
}

#[asyncio::coroutine]
fn reset_then_wait_again() -> Result<(), BarrierError> {
    let barrier = Barrier::new(N);
    let (results1, results2) = (results(), results());
    let tasks = make_tasks(N - 1, || {
        broken_then_waits_again(barrier.clone(), results1.clone(), results2.clone())
    });
    let resetter = asyncio::create_task(resets(barrier.clone()));
    yield_from!(asyncio::yield_now())?;
    let passer = asyncio::create_task(passes_once(barrier.clone(), results2.clone()));
    yield_from!(asyncio::gather(&tasks))?;
    assert!(!barrier.broken());
    assert_eq!(how_many(&results1, true), N - 1);
    assert_eq!(how_many(&results2, true), N);
    assert_eq!(
        (resetter.result(), passer.result()),
        (Some(Ok(())), Some(Ok(())))
    );
    assert_eq!(barrier.n_waiting(), 0);
    Ok(())
}

#[test]
fn tasks_sent_back_by_a_reset_fill_the_next_round() {
    run(reset_then_wait_again());
}

// test_reset_barrier_while_tasks_draining
#[asyncio::coroutine]
fn last_one_out_resets(
    barrier: Barrier,
    count: Rc<Cell<usize>>,
    results: [Results; 3],
) -> Result<(), BarrierError> {
    let [results1, results2, results3] = results;
    yield_from!(barrier.wait())?;
    count.set(count.get() + 1);
    if count.get() == N {
        // The last task out of the round resets the barrier nobody waits in.
        barrier.reset();
        yield_from!(barrier.wait())?;
    } else {
        match yield_from!(barrier.wait()) {
            Ok(_) => results1.borrow_mut().push(true),
            Err(_) => results2.borrow_mut().push(true),
        }
    }
    yield_from!(barrier.wait())?;
    results3.borrow_mut().push(true);
    Ok(())
}

#[asyncio::coroutine]
fn reset_while_draining() -> Result<(), BarrierError> {
    let barrier = Barrier::new(N);
    let count = Rc::new(Cell::new(0));
    let all = [results(), results(), results()];
    let tasks = make_tasks(N, || {
        last_one_out_resets(barrier.clone(), count.clone(), all.clone())
    });
    yield_from!(asyncio::gather(&tasks))?;
    assert!(!barrier.broken());
    let [results1, results2, results3] = &all;
    assert_eq!(
        (
            how_many(results1, true),
            results2.borrow().len(),
            how_many(results3, true)
        ),
        (N - 1, 0, N)
    );
    assert_eq!(barrier.n_waiting(), 0);
    Ok(())
}

#[test]
fn a_reset_of_a_barrier_nobody_waits_in_breaks_no_wait() {
    run(reset_while_draining());
}

// ---------------------------------------------------------------------------------------
// abort
// ---------------------------------------------------------------------------------------

/// What the task that finds the round half drained does in
/// `test_{reset,abort}_barrier_when_tasks_half_draining_half_blocking`.
#[derive(Clone, Copy, PartialEq)]
enum Then {
    Reset,
    Abort,
}

/// `try: await barrier.wait() except BrokenBarrierError: results.append(True)`: whether
/// the wait passed.
#[asyncio::coroutine]
fn wait_noting_broken(barrier: Barrier, results: Results) -> Result<bool, BarrierError> {
    match yield_from!(barrier.wait()) {
        Ok(_) => Ok(true),
        Err(BarrierError::Broken) => {
            results.borrow_mut().push(true);
            Ok(false)
        }
        Err(error) => Err(error),
    }
}

#[asyncio::coroutine]
fn half_drained_then(
    barrier: Barrier,
    results: [Results; 2],
    count: Rc<Cell<usize>>,
    then: Then,
) -> Result<(), BarrierError> {
    let [results1, results2] = results;
    if !yield_from!(wait_noting_broken(barrier.clone(), results1))? {
        // Sent back by the reset: wait again, to fill the next round.
        if then == Then::Reset {
            yield_from!(barrier.wait())?;
        }
        return Ok(());
    }
    count.set(count.get() + 1);
    if count.get() <= N / 2 {
        yield_from!(wait_noting_broken(barrier, results2))?;
    } else if then == Then::Reset {
        barrier.reset();
        yield_from!(barrier.wait())?;
    } else {
        barrier.abort();
    }
    Ok(())
}

/// `results1`, `results2` and the barrier after N tasks ran `half_drained_then(then)`.
#[asyncio::coroutine]
fn half_draining_half_blocking(
    then: Then,
) -> Result<(Vec<bool>, Vec<bool>, Barrier), BarrierError> {
    let barrier = Barrier::new(N);
    let (results, count) = ([results(), results()], Rc::new(Cell::new(0)));
    let tasks = make_tasks(N, || {
        half_drained_then(barrier.clone(), results.clone(), count.clone(), then)
    });
    yield_from!(asyncio::gather(&tasks))?;
    let [results1, results2] = results;
    Ok((results1.take(), results2.take(), barrier))
}

// test_abort_barrier_when_tasks_half_draining_half_blocking
#[test]
fn an_abort_breaks_the_waits_inside_the_round_and_those_blocked_for_the_next() {
    let (results1, results2, barrier) = run(half_draining_half_blocking(Then::Abort));
    assert!(barrier.broken());
    assert_eq!(results1, [true; N / 2]);
    // Unlike a reset, an abort also breaks the waits blocked for the next round.
    assert_eq!(results2, [true; N - N / 2 - 1]);
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(phase(&barrier), "broken");
}

// test_abort_barrier_when_exception
#[asyncio::coroutine]
fn fails_in_the_middle(
    barrier: Barrier,
    results1: Results,
    results2: Results,
) -> Result<(), BarrierError> {
    let place = match yield_from!(barrier.wait()) {
        Ok(place) => place,
        Err(BarrierError::Broken) => {
            results2.borrow_mut().push(true);
            return Ok(());
        }
        Err(error) => return Err(error),
    };
    if place == N / 2 {
        // Python: `raise RuntimeError`, caught by `except RuntimeError: await barrier.abort()`.
        barrier.abort();
        return Ok(());
    }
    match yield_from!(barrier.wait()) {
        Ok(_) => results1.borrow_mut().push(true),
        Err(BarrierError::Broken) => results2.borrow_mut().push(true),
        Err(error) => return Err(error),
    }
    Ok(())
}

#[asyncio::coroutine]
fn abort_when_exception() -> Result<(), BarrierError> {
    let barrier = Barrier::new(N);
    let (results1, results2) = (results(), results());
    let tasks = make_tasks(N, || {
        fails_in_the_middle(barrier.clone(), results1.clone(), results2.clone())
    });
    yield_from!(asyncio::gather(&tasks))?;
    assert!(barrier.broken());
    assert_eq!(results1.borrow().len(), 0);
    assert_eq!(how_many(&results2, true), N - 1);
    assert_eq!(barrier.n_waiting(), 0);
    Ok(())
}

#[test]
fn a_task_that_fails_between_rounds_aborts_and_every_other_wait_breaks() {
    run(abort_when_exception());
}

// test_abort_barrier_when_exception_then_resetting
#[asyncio::coroutine]
fn aborts_then_resets(
    barrier1: Barrier,
    barrier2: Barrier,
    results: [Results; 3],
) -> Result<(), BarrierError> {
    let [results1, results2, results3] = results;
    match yield_from!(barrier1.wait()) {
        Ok(place) if place == N / 2 => barrier1.abort(),
        Ok(_) => match yield_from!(barrier1.wait()) {
            Ok(_) => results1.borrow_mut().push(true),
            Err(BarrierError::Broken) => results2.borrow_mut().push(true),
            Err(error) => return Err(error),
        },
        Err(BarrierError::Broken) => results2.borrow_mut().push(true),
        Err(error) => return Err(error),
    }
    // Everyone has left barrier1 before the reset, and nobody enters it before.
    if yield_from!(barrier2.wait())? == N / 2 {
        barrier1.reset();
    }
    yield_from!(barrier2.wait())?;
    yield_from!(barrier1.wait())?;
    results3.borrow_mut().push(true);
    Ok(())
}

#[asyncio::coroutine]
fn abort_then_reset() -> Result<(), BarrierError> {
    let (barrier1, barrier2) = (Barrier::new(N), Barrier::new(N));
    let all = [results(), results(), results()];
    let tasks = make_tasks(N, || {
        aborts_then_resets(barrier1.clone(), barrier2.clone(), all.clone())
    });
    yield_from!(asyncio::gather(&tasks))?;
    assert!(!barrier1.broken());
    let [results1, results2, results3] = &all;
    assert_eq!(
        (
            results1.borrow().len(),
            how_many(results2, true),
            how_many(results3, true)
        ),
        (0, N - 1, N)
    );
    assert_eq!(barrier1.n_waiting(), 0);
    Ok(())
}

#[test]
fn a_reset_mends_an_aborted_barrier() {
    run(abort_then_reset());
}

// ---------------------------------------------------------------------------------------
// Timing and errors
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn arrives_after(barrier: Barrier, secs: u64) -> Result<u64, BarrierError> {
    yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
    yield_from!(barrier.wait())?;
    Ok(asyncio::get_running_loop().unwrap().time().as_secs())
}

#[test]
fn every_task_of_a_round_goes_on_when_the_last_one_arrives() {
    let lp = EventLoop::with_virtual_clock();
    let barrier = Barrier::new(3);
    let arrivals = [4, 1, 2].map(|secs| lp.create_task(arrives_after(barrier.clone(), secs)));
    assert_eq!(
        lp.run_until_complete(asyncio::gather(&arrivals)),
        Ok(vec![4, 4, 4])
    );
}

#[test]
fn a_cancelled_wait_is_a_cancellation_of_the_task() {
    let lp = EventLoop::with_virtual_clock();
    let barrier = Barrier::new(2);
    let task = lp.create_task(barrier.wait());
    lp.run_briefly();
    assert!(task.cancel());
    assert_eq!(
        lp.run_until_complete(&task),
        Err(BarrierError::TaskCancelled)
    );
    // The task failed with a cancellation: it is cancelled, not failed.
    assert!(task.cancelled());
    assert_eq!(barrier.n_waiting(), 0);
}

#[asyncio::coroutine]
fn waits_with_a_timeout(barrier: Barrier) -> Result<Vec<usize>, BarrierError> {
    let first = asyncio::create_task(barrier.wait());
    let timed = yield_from!(asyncio::wait_for(
        barrier.wait(),
        Some(Duration::from_secs(1))
    ));
    assert_eq!(timed, Err(BarrierError::TimedOut));
    // The wait that timed out left the round; the first one still counts.
    assert_eq!(barrier.n_waiting(), 1);
    let second = asyncio::create_task(barrier.wait());
    let last = yield_from!(barrier.wait())?;
    let mut places = yield_from!(asyncio::gather([&first, &second]))?;
    places.push(last);
    Ok(places)
}

#[test]
fn a_wait_that_times_out_leaves_its_round() {
    let lp = EventLoop::with_virtual_clock();
    let barrier = Barrier::new(3);
    let places = lp.run_until_complete(waits_with_a_timeout(barrier.clone()));
    // `second` runs after the main coroutine has arrived: its place is the last.
    assert_eq!(places, Ok(vec![0, 2, 1]));
    assert_eq!(lp.time(), Duration::from_secs(1));
}

#[test]
fn a_wait_started_outside_a_loop_panics_before_it_counts() {
    let barrier = Barrier::new(2);
    let mut wait = barrier.wait();
    let message = expect_panic(|| cogen::Generator::start(std::pin::Pin::new(&mut wait)));
    assert!(message.contains("running event loop"), "{message}");
    drop(wait);
    assert_eq!(barrier.n_waiting(), 0);
}

#[asyncio::coroutine]
fn resumes_a_wait_too_early(barrier: Barrier) -> Result<usize, BarrierError> {
    use cogen::Generator;
    let mut wait = barrier.wait();
    assert!(matches!(
        std::pin::Pin::new(&mut wait).start(),
        cogen::GeneratorState::Yielded(_)
    ));
    assert_eq!(barrier.n_waiting(), 1);
    // Resumed by hand while its waiter is pending: a misuse, which panics; the wait then
    // leaves the round when it is dropped.
    let message = expect_panic(|| std::pin::Pin::new(&mut wait).resume(Ok(())));
    assert!(message.contains("still pending"), "{message}");
    drop(wait);
    assert_eq!(barrier.n_waiting(), 0);
    let other = asyncio::create_task(barrier.wait());
    let place = yield_from!(barrier.wait())?;
    let second = yield_from!(&other);
    assert_eq!(second, Ok(1)); // it ran after the main coroutine had arrived
    Ok(place)
}

#[test]
fn a_wait_that_panics_when_resumed_by_hand_leaves_its_round_when_dropped() {
    assert_eq!(run(resumes_a_wait_too_early(Barrier::new(2))), 0);
}
