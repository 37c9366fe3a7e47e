//! Behaviour of `cogen::asyncio`'s synchronization primitives and queues, checked against
//! CPython's test_locks.py (`LockTests`, `EventTests`, `ConditionTests`) and test_queues.py
//! (`QueueBasicTests`, `QueueGetTests`, `QueuePutTests`, the LIFO and priority orders, and
//! `_QueueJoinTestMixin`), and `wait_for` against test_waitfor.py. Each test states the behaviour in its name, shows the trace or
//! values in its body, and names the CPython test in a comment.
//!
//! The Rust mapping (as in tests/asyncio.rs):
//! * `async def f()` is `#[asyncio::coroutine] fn f() -> Result<T, Cancelled>`, `await x` is
//!   `yield_from!(x)`; a test's own `async def test_...` is a coroutine run by [`run`] on a
//!   virtual clock, so `loop.time()` is exact;
//! * `async with lock:` is `acquire` ... `release` written out (released on every path);
//! * Python's RuntimeError and ValueError are panics, `QueueFull`/`QueueEmpty` are errors;
//! * the private lists `lock._waiters`, `q._getters`, ... are read through `Debug`
//!   (`waiters: n`, `getters: n`).
//!
//! Scenarios with no Rust meaning: `repr`/`str` formats, the `loop=` parameter, `await lock`
//! without `acquire` (a type error), `with` statements, float `maxsize`, and the private
//! lists written to by the test.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use cogen::asyncio::{
    self, AsyncError, Cancelled, Condition, Event, EventLoop, LifoQueue, Lock, PriorityQueue,
    Queue, QueueEmpty, QueueFull, Task, TimeoutError,
};
use cogen::yield_from;

mod support;
use support::expect_panic;

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The `result` list the CPython tests append to.
type Log = Rc<RefCell<Vec<u32>>>;

fn new_log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn logged(log: &Log) -> Vec<u32> {
    log.borrow().clone()
}

/// Run a test's main coroutine on a virtual clock; the loop's time when it is done.
#[track_caller]
fn run<G>(main: G) -> Duration
where
    G: cogen::Generator<asyncio::Resume, Yield = asyncio::Suspend, Return = Result<(), Cancelled>>
        + 'static,
{
    let lp = EventLoop::with_virtual_clock();
    lp.run(main).unwrap();
    lp.time()
}

fn now() -> Duration {
    asyncio::get_running_loop().unwrap().time()
}

fn sleep0() -> asyncio::YieldNow {
    asyncio::yield_now()
}

// ---------------------------------------------------------------------------------------
// Lock (test_locks.py LockTests)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn acquires_and_logs(lock: Lock, n: u32, log: Log) -> Result<bool, Cancelled> {
    yield_from!(lock.acquire())?;
    log.borrow_mut().push(n);
    Ok(true)
}

#[asyncio::coroutine]
fn lock_handoff() -> Result<(), Cancelled> {
    let lock = Lock::new();
    let log = new_log();
    yield_from!(lock.acquire())?;
    let t1 = asyncio::create_task(acquires_and_logs(lock.clone(), 1, log.clone()));
    let t2 = asyncio::create_task(acquires_and_logs(lock.clone(), 2, log.clone()));
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    lock.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1]);
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1]);
    let t3 = asyncio::create_task(acquires_and_logs(lock.clone(), 3, log.clone()));
    lock.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1, 2]);
    lock.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1, 2, 3]);
    for task in [&t1, &t2, &t3] {
        assert_eq!(task.result(), Some(Ok(true)));
    }
    Ok(())
}

#[test]
fn a_released_lock_goes_to_the_waiters_in_the_order_they_came() {
    // test_acquire: c1 and c2 wait; each release lets the next one in, and c3, which
    // arrives later, comes after c2.
    run(lock_handoff());
}

#[asyncio::coroutine]
fn cancels_a_lock_waiter() -> Result<(), Cancelled> {
    let lock = Lock::new();
    yield_from!(lock.acquire())?;
    let task = asyncio::create_task(lock.acquire());
    let cancel = task.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_soon(move || assert!(cancel.cancel()));
    let got = yield_from!(&task);
    assert_eq!(got, Err(Cancelled));
    assert_eq!(format!("{lock:?}"), "Lock { locked: true, waiters: 0 }");
    Ok(())
}

#[test]
fn a_cancelled_lock_waiter_leaves_the_queue() {
    // test_acquire_cancel
    run(cancels_a_lock_waiter());
}

#[asyncio::coroutine]
fn lockit(lock: Lock, blocker: Option<asyncio::Future<()>>) -> Result<(), Cancelled> {
    yield_from!(lock.acquire())?;
    let blocked = match blocker {
        Some(blocker) => yield_from!(&blocker),
        None => Ok(()),
    };
    lock.release(); // `finally:`
    blocked
}

#[asyncio::coroutine]
fn cancel_race() -> Result<(), Cancelled> {
    let lock = Lock::new();
    let fa: asyncio::Future<()> = asyncio::Future::new();
    let ta = asyncio::create_task(lockit(lock.clone(), Some(fa.clone())));
    yield_from!(sleep0())?;
    assert!(lock.locked());
    let tb = asyncio::create_task(lockit(lock.clone(), None));
    yield_from!(sleep0())?;
    assert_eq!(format!("{lock:?}"), "Lock { locked: true, waiters: 1 }");
    let tc = asyncio::create_task(lockit(lock.clone(), None));
    yield_from!(sleep0())?;
    assert_eq!(format!("{lock:?}"), "Lock { locked: true, waiters: 2 }");
    // The race: B is cancelled while A releases.
    fa.set_result(()).unwrap();
    assert!(tb.cancel());
    yield_from!(sleep0())?;
    assert!(!lock.locked());
    assert!(ta.done());
    assert!(tb.cancelled());
    yield_from!(&tc)?; // C gets the lock
    assert!(!lock.locked());
    Ok(())
}

#[test]
fn a_waiter_cancelled_as_the_lock_is_released_lets_the_next_one_take_it() {
    // test_cancel_race: A holds the lock, B and C wait; B is cancelled while A releases.
    run(cancel_race());
}

#[asyncio::coroutine]
fn counts_acquires(
    lock: Lock,
    calls: Rc<Cell<u32>>,
    locks: Rc<Cell<u32>>,
) -> Result<(), Cancelled> {
    calls.set(calls.get() + 1);
    yield_from!(lock.acquire())?;
    locks.set(locks.get() + 1);
    Ok(())
}

#[asyncio::coroutine]
fn cancel_release_race() -> Result<(), Cancelled> {
    let lock = Lock::new();
    let (calls, locks) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    yield_from!(lock.acquire())?;
    let [t1, t2, t3]: [Task<()>; 3] = std::array::from_fn(|_| {
        asyncio::create_task(counts_acquires(lock.clone(), calls.clone(), locks.clone()))
    });
    yield_from!(sleep0())?;
    let (cancel, release) = (t1.clone(), lock.clone());
    asyncio::get_running_loop().unwrap().call_soon(move || {
        cancel.cancel();
        release.release();
    });
    let got = yield_from!(&t1);
    assert_eq!(got, Err(Cancelled));
    assert_eq!(locks.get(), 1); // only one task took the lock
    assert_eq!(calls.get(), 3);
    assert!(t1.cancelled() && t2.done());
    assert!(t3.cancel()); // still stuck on the lock
    yield_from!(sleep0())?;
    assert!(t3.cancelled());
    Ok(())
}

#[test]
fn cancelling_the_first_waiter_as_the_lock_is_released_lets_exactly_one_other_in() {
    // test_cancel_release_race (bpo-32734)
    run(cancel_release_race());
}

#[asyncio::coroutine]
fn finished_waiter_cancelled() -> Result<(), Cancelled> {
    let lock = Lock::new();
    yield_from!(lock.acquire())?;
    let tb = asyncio::create_task(lock.acquire());
    yield_from!(sleep0())?;
    assert_eq!(format!("{lock:?}"), "Lock { locked: true, waiters: 1 }");
    // A second waiter; the first is woken and cancelled.
    let tc = asyncio::create_task(lock.acquire());
    assert!(tb.cancel());
    lock.release();
    yield_from!(sleep0())?;
    assert!(lock.locked());
    assert!(tb.cancelled());
    yield_from!(&tc)?;
    Ok(())
}

#[test]
fn a_waiter_cancelled_when_woken_does_not_keep_the_next_one_out() {
    // test_finished_waiter_cancelled
    run(finished_waiter_cancelled());
}

#[test]
fn releasing_a_lock_that_is_not_held_panics() {
    // test_release_not_acquired (RuntimeError), test_release_no_waiters
    let lp = EventLoop::with_virtual_clock();
    let lock = Lock::new();
    assert_eq!(expect_panic(|| lock.release()), "Lock is not acquired");
    lp.run_until_complete(lp.create_task(lock.acquire()))
        .unwrap();
    assert!(lock.locked());
    lock.release();
    assert!(!lock.locked());
}

#[asyncio::coroutine]
fn holds_the_lock_for(
    lock: Lock,
    name: &'static str,
    log: Rc<RefCell<Vec<String>>>,
) -> Result<(), Cancelled> {
    yield_from!(lock.acquire())?;
    log.borrow_mut().push(format!("{name} {:?}", now()));
    yield_from!(asyncio::sleep(ms(10)))?;
    lock.release();
    Ok(())
}

#[test]
fn lock_holders_follow_each_other_on_the_clock() {
    // The fairness the docs promise, as a timed trace.
    let log = Rc::new(RefCell::new(Vec::new()));
    let lp = EventLoop::with_virtual_clock();
    let lock = Lock::new();
    let tasks: Vec<Task<()>> = ["a", "b", "c"]
        .map(|name| lp.create_task(holds_the_lock_for(lock.clone(), name, log.clone())))
        .into();
    lp.run_until_complete(asyncio::gather(&tasks)).unwrap();
    assert_eq!(*log.borrow(), ["a 0ns", "b 10ms", "c 20ms"]);
}

// ---------------------------------------------------------------------------------------
// Event (test_locks.py EventTests)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn waits_and_logs(event: Event, n: u32, log: Log) -> Result<bool, Cancelled> {
    yield_from!(event.wait())?;
    log.borrow_mut().push(n);
    Ok(true)
}

#[asyncio::coroutine]
fn event_wait() -> Result<(), Cancelled> {
    let event = Event::new();
    assert!(!event.is_set());
    let log = new_log();
    let t1 = asyncio::create_task(waits_and_logs(event.clone(), 1, log.clone()));
    let t2 = asyncio::create_task(waits_and_logs(event.clone(), 2, log.clone()));
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    let t3 = asyncio::create_task(waits_and_logs(event.clone(), 3, log.clone()));
    event.set();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [3, 1, 2]);
    for task in [&t1, &t2, &t3] {
        assert_eq!(task.result(), Some(Ok(true)));
    }
    Ok(())
}

#[test]
fn setting_an_event_wakes_every_waiter_and_later_waits_return_at_once() {
    // test_wait: c3 starts after the set, so it does not wait: [3, 1, 2].
    run(event_wait());
}

#[asyncio::coroutine]
fn waits_on_a_set_event() -> Result<(), Cancelled> {
    let event = Event::new();
    event.set();
    yield_from!(event.wait())
}

#[test]
fn waiting_for_a_set_event_returns_at_once() {
    // test_wait_on_set
    assert_eq!(run(waits_on_a_set_event()), Duration::ZERO);
}

#[asyncio::coroutine]
fn event_wait_cancel() -> Result<(), Cancelled> {
    let event = Event::new();
    let wait = asyncio::create_task(event.wait());
    let cancel = wait.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_soon(move || assert!(cancel.cancel()));
    let got = yield_from!(&wait);
    assert_eq!(got, Err(Cancelled));
    assert_eq!(format!("{event:?}"), "Event { set: false, waiters: 0 }");
    Ok(())
}

#[test]
fn a_cancelled_event_wait_leaves_the_waiters() {
    // test_wait_cancel
    run(event_wait_cancel());
}

#[test]
fn clear_lowers_the_flag() {
    // test_clear
    let event = Event::new();
    assert!(!event.is_set());
    event.set();
    assert!(event.is_set());
    event.clear();
    assert!(!event.is_set());
}

#[asyncio::coroutine]
fn clear_with_waiters() -> Result<(), Cancelled> {
    let event = Event::new();
    let log = new_log();
    let t = asyncio::create_task(waits_and_logs(event.clone(), 1, log.clone()));
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    event.set();
    event.clear();
    assert!(!event.is_set());
    event.set();
    event.set();
    assert_eq!(format!("{event:?}"), "Event { set: true, waiters: 1 }");
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1]);
    assert_eq!(format!("{event:?}"), "Event { set: true, waiters: 0 }");
    assert_eq!(t.result(), Some(Ok(true)));
    Ok(())
}

#[test]
fn a_waiter_woken_by_set_stays_woken_when_the_event_is_cleared_at_once() {
    // test_clear_with_waiters
    run(clear_with_waiters());
}

// ---------------------------------------------------------------------------------------
// Condition (test_locks.py ConditionTests)
// ---------------------------------------------------------------------------------------

/// `async with cond: if await cond.wait(): result.append(n)`, or without the `async with`
/// (the lock is then left held, as in test_wait).
#[asyncio::coroutine]
fn waits_on(cond: Condition, n: u32, log: Log, release: bool) -> Result<bool, Cancelled> {
    yield_from!(cond.acquire())?;
    let waited = yield_from!(cond.wait());
    if waited.is_ok() {
        log.borrow_mut().push(n);
    }
    if release {
        cond.release();
    }
    waited.map(|()| true)
}

#[asyncio::coroutine]
fn condition_wait() -> Result<(), Cancelled> {
    let cond = Condition::new();
    let log = new_log();
    let tasks: Vec<Task<bool>> = (1..=3)
        .map(|n| asyncio::create_task(waits_on(cond.clone(), n, log.clone(), false)))
        .collect();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    assert!(!cond.locked());
    yield_from!(cond.acquire())?;
    cond.notify(1);
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []); // notified, but the lock is held
    assert!(cond.locked());
    cond.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1]);
    assert!(cond.locked()); // by t1, which keeps it
    cond.notify(2);
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1]);
    assert!(cond.locked());
    cond.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1, 2]);
    assert!(cond.locked());
    cond.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1, 2, 3]);
    assert!(cond.locked());
    for task in &tasks {
        assert_eq!(task.result(), Some(Ok(true)));
    }
    Ok(())
}

#[test]
fn a_notified_waiter_returns_only_once_it_holds_the_lock_again() {
    // test_wait
    run(condition_wait());
}

#[asyncio::coroutine]
fn condition_wait_cancel() -> Result<(), Cancelled> {
    let cond = Condition::new();
    yield_from!(cond.acquire())?;
    let wait = asyncio::create_task(cond.wait());
    let cancel = wait.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_soon(move || assert!(cancel.cancel()));
    let got = yield_from!(&wait);
    assert_eq!(got, Err(Cancelled));
    assert_eq!(
        format!("{cond:?}"),
        "Condition { locked: true, waiters: 0 }"
    );
    Ok(())
}

#[test]
fn a_cancelled_condition_wait_leaves_the_waiters_and_holds_the_lock_again() {
    // test_wait_cancel
    run(condition_wait_cancel());
}

#[asyncio::coroutine]
fn wait_cancel_contested() -> Result<(), Cancelled> {
    let cond = Condition::new();
    yield_from!(cond.acquire())?;
    assert!(cond.locked());
    let wait_task = asyncio::create_task(cond.wait());
    yield_from!(sleep0())?;
    assert!(!cond.locked());
    // Notify, but contest the lock before cancelling.
    yield_from!(cond.acquire())?;
    assert!(cond.locked());
    cond.notify(1);
    let lp = asyncio::get_running_loop().unwrap();
    let cancel = wait_task.clone();
    lp.call_soon(move || {
        cancel.cancel();
    });
    let release = cond.clone();
    lp.call_soon(move || release.release());
    // Cancelled while it takes the lock again: it still gets it.
    let got = yield_from!(&wait_task);
    assert_eq!(got, Err(Cancelled));
    assert!(cond.locked());
    Ok(())
}

#[test]
fn a_wait_cancelled_while_contesting_the_lock_still_takes_it() {
    // test_wait_cancel_contested
    run(wait_cancel_contested());
}

#[asyncio::coroutine]
fn waits_on_cond(cond: Condition, waited: Rc<Cell<bool>>) -> Result<(), Cancelled> {
    yield_from!(cond.acquire())?;
    waited.set(true);
    let result = yield_from!(cond.wait());
    cond.release(); // end of `async with`
    result
}

#[asyncio::coroutine]
fn wait_cancel_after_notify() -> Result<(), Cancelled> {
    let cond = Condition::new();
    let waited = Rc::new(Cell::new(false));
    let waiter = asyncio::create_task(waits_on_cond(cond.clone(), waited.clone()));
    yield_from!(sleep0())?; // start waiting
    yield_from!(cond.acquire())?;
    cond.notify(1);
    yield_from!(sleep0())?; // get to acquire()
    assert!(waiter.cancel());
    yield_from!(sleep0())?; // activate cancellation
    cond.release();
    yield_from!(sleep0())?; // cancellation should occur
    assert!(waiter.cancelled());
    assert!(waited.get());
    Ok(())
}

#[test]
fn a_waiter_cancelled_after_its_notification_is_cancelled() {
    // test_wait_cancel_after_notify (bpo-32841)
    run(wait_cancel_after_notify());
}

#[asyncio::coroutine]
fn waits_unlocked(cond: Condition) -> Result<(), Cancelled> {
    yield_from!(cond.wait())
}

#[test]
fn waiting_or_notifying_without_the_lock_panics() {
    // test_wait_unacquired, test_notify_unacquired, test_notify_all_unacquired (RuntimeError)
    let lp = EventLoop::with_virtual_clock();
    let cond = Condition::new();
    let message = expect_panic(|| lp.run_until_complete(waits_unlocked(cond.clone())));
    assert_eq!(message, "cannot wait on un-acquired lock");
    assert_eq!(
        expect_panic(|| cond.notify(1)),
        "cannot notify on un-acquired lock"
    );
    assert_eq!(
        expect_panic(|| cond.notify_all()),
        "cannot notify on un-acquired lock"
    );
}

#[asyncio::coroutine]
fn waits_for_predicate(cond: Condition, flag: Rc<Cell<bool>>, log: Log) -> Result<bool, Cancelled> {
    yield_from!(cond.acquire())?;
    let f = flag.clone();
    if yield_from!(cond.wait_for(move || f.get()))? {
        log.borrow_mut().push(1);
        cond.release();
    }
    Ok(true)
}

#[asyncio::coroutine]
fn condition_wait_for() -> Result<(), Cancelled> {
    let cond = Condition::new();
    let presult = Rc::new(Cell::new(false));
    let log = new_log();
    let t = asyncio::create_task(waits_for_predicate(
        cond.clone(),
        presult.clone(),
        log.clone(),
    ));
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    yield_from!(cond.acquire())?;
    cond.notify(1);
    cond.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []); // woken, but the predicate is false: waits again
    presult.set(true);
    yield_from!(cond.acquire())?;
    cond.notify(1);
    cond.release();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), [1]);
    assert_eq!(t.result(), Some(Ok(true)));
    Ok(())
}

#[test]
fn wait_for_waits_until_the_predicate_holds_after_a_notification() {
    // test_wait_for
    run(condition_wait_for());
}

#[asyncio::coroutine]
fn wait_for_true_unlocked(cond: Condition) -> Result<bool, Cancelled> {
    yield_from!(cond.wait_for(|| true))
}

#[asyncio::coroutine]
fn wait_for_false_unlocked(cond: Condition) -> Result<bool, Cancelled> {
    yield_from!(cond.wait_for(|| false))
}

#[test]
fn wait_for_a_true_predicate_needs_no_lock_but_waiting_does() {
    // test_wait_for_unacquired
    let lp = EventLoop::with_virtual_clock();
    let cond = Condition::new();
    assert_eq!(
        lp.run_until_complete(wait_for_true_unlocked(cond.clone())),
        Ok(true)
    );
    let message = expect_panic(|| lp.run_until_complete(wait_for_false_unlocked(cond.clone())));
    assert_eq!(message, "cannot wait on un-acquired lock");
}

#[asyncio::coroutine]
fn condition_notify() -> Result<(), Cancelled> {
    let cond = Condition::new();
    let log = new_log();
    let _tasks: Vec<Task<bool>> = (1..=3)
        .map(|n| asyncio::create_task(waits_on(cond.clone(), n, log.clone(), true)))
        .collect();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    yield_from!(cond.acquire())?;
    cond.notify(1);
    cond.release();
    yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    assert_eq!(logged(&log), [1]);
    yield_from!(cond.acquire())?;
    cond.notify(1);
    cond.notify(2048);
    cond.release();
    yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    assert_eq!(logged(&log), [1, 2, 3]);
    Ok(())
}

#[test]
fn notify_n_wakes_up_to_n_waiters_longest_first() {
    // test_notify
    assert_eq!(run(condition_notify()), Duration::from_secs(2));
}

#[asyncio::coroutine]
fn condition_notify_all() -> Result<(), Cancelled> {
    let cond = Condition::new();
    let log = new_log();
    let _tasks: Vec<Task<bool>> = (1..=2)
        .map(|n| asyncio::create_task(waits_on(cond.clone(), n, log.clone(), true)))
        .collect();
    yield_from!(sleep0())?;
    assert_eq!(logged(&log), []);
    yield_from!(cond.acquire())?;
    cond.notify_all();
    cond.release();
    yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    assert_eq!(logged(&log), [1, 2]);
    Ok(())
}

#[test]
fn notify_all_wakes_every_waiter() {
    // test_notify_all
    run(condition_notify_all());
}

/// test_cancelled_wakeup's consumer: takes one unit of `state` per wakeup, until it is
/// negative.
#[asyncio::coroutine]
fn consumer(cond: Condition, state: Rc<Cell<i32>>) -> Result<(), Cancelled> {
    yield_from!(cond.acquire())?;
    let result = loop {
        let s = state.clone();
        if let Err(Cancelled) = yield_from!(cond.wait_for(move || s.get() != 0)) {
            break Err(Cancelled);
        }
        if state.get() < 0 {
            break Ok(());
        }
        state.set(state.get() - 1);
    };
    cond.release();
    result
}

/// The producer's side of test_cancelled_wakeup(_relock): one item, one notify, and the
/// first consumer cancelled (before it runs, or while it takes the lock again); the item
/// must still be consumed by the other one.
#[asyncio::coroutine]
fn cancelled_wakeup(relock: bool) -> Result<(), Cancelled> {
    let cond = Condition::new();
    let state = Rc::new(Cell::new(0));
    let c: [Task<()>; 2] =
        std::array::from_fn(|_| asyncio::create_task(consumer(cond.clone(), state.clone())));
    yield_from!(sleep0())?; // both wait
    yield_from!(cond.acquire())?;
    state.set(state.get() + 1);
    cond.notify(1);
    if relock {
        yield_from!(sleep0())?; // c[0] wakes and waits for the lock
    }
    assert!(c[0].cancel());
    // Python waits for `state == 0` with a timeout of 0.01 s: here, give the lock up for
    // as long and look.
    cond.release();
    yield_from!(asyncio::sleep(ms(10)))?;
    yield_from!(cond.acquire())?;
    assert_eq!(
        state.get(),
        0,
        "the notification was lost with the cancelled consumer"
    );
    state.set(-1);
    cond.notify_all();
    cond.release();
    yield_from!(&c[1])?;
    assert!(c[0].cancelled());
    Ok(())
}

#[test]
fn a_waiter_cancelled_as_it_is_notified_passes_the_notification_on() {
    // test_cancelled_wakeup
    run(cancelled_wakeup(false));
}

#[test]
fn a_waiter_cancelled_while_taking_the_lock_again_passes_the_notification_on() {
    // test_cancelled_wakeup_relock
    run(cancelled_wakeup(true));
}

#[asyncio::coroutine]
fn wait_for_cancelled_at(wake: Rc<Cell<bool>>, cond: Condition) -> Result<(), Cancelled> {
    yield_from!(cond.acquire())?;
    let w = wake.clone();
    let result = yield_from!(cond.wait_for(move || w.get()));
    assert!(
        cond.locked(),
        "wait_for holds the lock again, even when cancelled"
    );
    cond.release();
    result.map(drop)
}

#[asyncio::coroutine]
fn cancelled_error_in_wait_for(at_relock: bool) -> Result<(), Cancelled> {
    let cond = Condition::new();
    let wake = Rc::new(Cell::new(false));
    let task = asyncio::create_task(wait_for_cancelled_at(wake.clone(), cond.clone()));
    yield_from!(sleep0())?; // waiting on the condition
    if at_relock {
        yield_from!(cond.acquire())?;
        wake.set(true);
        cond.notify(1);
        yield_from!(sleep0())?; // now trying to take the lock again
        assert!(task.cancel());
        cond.release();
    } else {
        assert!(task.cancel());
    }
    let got = yield_from!(&task);
    assert_eq!(got, Err(Cancelled));
    assert!(task.cancelled());
    assert!(!cond.locked());
    Ok(())
}

#[test]
fn wait_for_cancelled_while_waiting_or_relocking_returns_the_cancellation() {
    // test_cancelled_error_wakeup, test_cancelled_error_re_aquire (the same error comes
    // out: here, `Err(Cancelled)` from `wait_for`, with the lock held)
    run(cancelled_error_in_wait_for(false));
    run(cancelled_error_in_wait_for(true));
}

// ---------------------------------------------------------------------------------------
// Queue (test_queues.py)
// ---------------------------------------------------------------------------------------

#[test]
fn empty_full_and_fifo_order() {
    // test_empty, test_full, test_order, test_nonblocking_get_exception,
    // test_nonblocking_put_exception
    let q = Queue::new();
    assert!(q.empty());
    q.put_nowait(1).unwrap();
    assert!(!q.empty());
    assert_eq!(q.get_nowait(), Ok(1));
    assert!(q.empty());
    assert_eq!(q.get_nowait(), Err(QueueEmpty));
    assert!(!q.full());
    assert_eq!(q.maxsize(), 0);
    let q = Queue::with_maxsize(1);
    q.put_nowait(1).unwrap();
    assert!(q.full());
    assert_eq!(q.put_nowait(2), Err(QueueFull));
    let q = Queue::new();
    for i in [1, 3, 2] {
        q.put_nowait(i).unwrap();
    }
    assert_eq!([(); 3].map(|()| q.get_nowait().unwrap()), [1, 3, 2]);
}

#[test]
fn lifo_and_priority_queues_give_the_last_or_the_smallest_first() {
    // LifoQueueTests.test_order, PriorityQueueTests.test_order
    let lifo = LifoQueue::new();
    let priority = PriorityQueue::new();
    for i in [1, 3, 2] {
        lifo.put_nowait(i).unwrap();
        priority.put_nowait(i).unwrap();
    }
    assert_eq!([(); 3].map(|()| lifo.get_nowait().unwrap()), [2, 3, 1]);
    assert_eq!([(); 3].map(|()| priority.get_nowait().unwrap()), [1, 2, 3]);
    let bounded = LifoQueue::with_maxsize(1);
    bounded.put_nowait(1).unwrap();
    assert_eq!(bounded.put_nowait(2), Err(QueueFull));
    assert_eq!(PriorityQueue::<u8>::with_maxsize(3).maxsize(), 3);
}

#[asyncio::coroutine]
fn puts_three(q: Queue<u32>, have_been_put: Log) -> Result<bool, Cancelled> {
    for i in 0..3 {
        yield_from!(q.put(i))?;
        have_been_put.borrow_mut().push(i);
    }
    Ok(true)
}

#[asyncio::coroutine]
fn queue_maxsize() -> Result<(), Cancelled> {
    let q = Queue::with_maxsize(2);
    assert_eq!(q.maxsize(), 2);
    let have_been_put = new_log();
    let t = asyncio::create_task(puts_three(q.clone(), have_been_put.clone()));
    for _ in 0..2 {
        yield_from!(sleep0())?;
    }
    assert_eq!(logged(&have_been_put), [0, 1]); // blocked after two items
    let got = yield_from!(q.get())?;
    assert_eq!(got, 0);
    yield_from!(sleep0())?; // the putter resumes and puts the last item
    assert_eq!(logged(&have_been_put), [0, 1, 2]);
    assert_eq!(q.get_nowait(), Ok(1));
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(t.result(), Some(Ok(true)));
    Ok(())
}

#[test]
fn a_put_on_a_full_queue_waits_until_an_item_is_taken() {
    // test_maxsize
    run(queue_maxsize());
}

#[asyncio::coroutine]
fn blocking_get_wait() -> Result<(), Cancelled> {
    let q: Queue<u32> = Queue::new();
    let started = Event::new();
    let finished = Rc::new(Cell::new(false));
    #[asyncio::coroutine]
    fn queue_get(
        q: Queue<u32>,
        started: Event,
        finished: Rc<Cell<bool>>,
    ) -> Result<u32, Cancelled> {
        started.set();
        let res = yield_from!(q.get())?;
        finished.set(true);
        Ok(res)
    }
    let task = asyncio::create_task(queue_get(q.clone(), started.clone(), finished.clone()));
    yield_from!(started.wait())?;
    assert!(!finished.get());
    let put = q.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_later(ms(10), move || put.put_nowait(1).unwrap());
    let got = yield_from!(&task)?;
    assert_eq!(got, 1);
    assert!(finished.get());
    assert_eq!(now(), ms(10));
    Ok(())
}

#[test]
fn a_get_on_an_empty_queue_waits_for_a_put() {
    // test_blocking_get_wait, test_blocking_get
    assert_eq!(run(blocking_get_wait()), ms(10));
}

#[asyncio::coroutine]
fn get_cancelled_race() -> Result<(), Cancelled> {
    let q = Queue::new();
    let t1 = asyncio::create_task(q.get());
    let t2 = asyncio::create_task(q.get());
    yield_from!(sleep0())?;
    assert!(t1.cancel());
    yield_from!(sleep0())?;
    assert!(t1.done());
    yield_from!(q.put("a"))?;
    yield_from!(sleep0())?;
    let got = yield_from!(&t2)?;
    assert_eq!(got, "a");
    Ok(())
}

#[test]
fn a_cancelled_get_does_not_take_the_item_of_the_next_one() {
    // test_get_cancelled_race
    run(get_cancelled_race());
}

#[asyncio::coroutine]
fn get_with_waiting_putters() -> Result<(), Cancelled> {
    let q = Queue::with_maxsize(1);
    let _a = asyncio::create_task(q.put("a"));
    let _b = asyncio::create_task(q.put("b"));
    let got = yield_from!(q.get())?;
    assert_eq!(got, "a");
    let got = yield_from!(q.get())?;
    assert_eq!(got, "b");
    Ok(())
}

#[test]
fn gets_take_the_items_of_waiting_puts_in_order() {
    // test_get_with_waiting_putters, test_get_with_putters
    run(get_with_waiting_putters());
}

#[asyncio::coroutine]
fn consumes(q: Queue<u32>, n: u32, log: Log) -> Result<(), Cancelled> {
    for _ in 0..n {
        let item = yield_from!(q.get())?;
        log.borrow_mut().push(item);
    }
    Ok(())
}

#[asyncio::coroutine]
fn produces(q: Queue<u32>, n: u32) -> Result<(), Cancelled> {
    for i in 0..n {
        yield_from!(q.put(i))?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn producer_and_consumer() -> Result<(), Cancelled> {
    let q = Queue::with_maxsize(1);
    let log = new_log();
    let both = [
        asyncio::create_task(produces(q.clone(), 5)),
        asyncio::create_task(consumes(q.clone(), 5, log.clone())),
    ];
    yield_from!(asyncio::gather(&both))?;
    assert_eq!(logged(&log), [0, 1, 2, 3, 4]);
    Ok(())
}

#[test]
fn a_producer_and_a_consumer_of_a_one_item_queue_never_both_wait() {
    // test_why_are_getters_waiting (gh-47?): no deadlock with maxsize 1.
    run(producer_and_consumer());
}

#[asyncio::coroutine]
fn getter_timed_out() -> Result<(), Cancelled> {
    let q: Queue<u32> = Queue::with_maxsize(5);
    let get = asyncio::create_task(q.get());
    let cancel = get.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_later(ms(100), move || assert!(cancel.cancel()));
    let got = yield_from!(&get);
    assert_eq!(got, Err(Cancelled));
    assert!(format!("{q:?}").contains("getters: 0"), "{q:?}");
    let q: Queue<u32> = Queue::with_maxsize(1);
    q.put_nowait(1).unwrap();
    let put = asyncio::create_task(q.put(1));
    let cancel = put.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_later(ms(100), move || assert!(cancel.cancel()));
    let got = yield_from!(&put);
    assert_eq!(got, Err(Cancelled));
    assert!(format!("{q:?}").contains("putters: 0"), "{q:?}");
    assert_eq!(q.qsize(), 1);
    Ok(())
}

#[test]
fn cancelled_gets_and_puts_are_not_kept_as_waiters() {
    // test_cancelled_getters_not_being_held_in_self_getters,
    // test_cancelled_puts_not_being_held_in_self_putters (asyncio.timeout(0.1) is a cancel
    // after 100 ms)
    assert_eq!(run(getter_timed_out()), ms(200));
}

#[asyncio::coroutine]
fn blocking_put_wait() -> Result<(), Cancelled> {
    let q: Queue<u32> = Queue::with_maxsize(1);
    let started = Event::new();
    let finished = Rc::new(Cell::new(false));
    #[asyncio::coroutine]
    fn queue_put(q: Queue<u32>, started: Event, finished: Rc<Cell<bool>>) -> Result<(), Cancelled> {
        started.set();
        yield_from!(q.put(1))?;
        yield_from!(q.put(2))?;
        finished.set(true);
        Ok(())
    }
    let get = q.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_later(ms(10), move || assert_eq!(get.get_nowait(), Ok(1)));
    let task = asyncio::create_task(queue_put(q.clone(), started.clone(), finished.clone()));
    yield_from!(started.wait())?;
    assert!(!finished.get());
    yield_from!(&task)?;
    assert!(finished.get());
    assert_eq!(now(), ms(10));
    Ok(())
}

#[test]
fn a_put_on_a_full_queue_waits_for_a_get() {
    // test_blocking_put_wait, test_blocking_put
    assert_eq!(run(blocking_put_wait()), ms(10));
}

#[test]
fn a_get_cancelled_after_being_woken_leaves_the_item_for_the_next_get() {
    // test_get_cancel_drop_one_pending_reader: if the retry got 2, 1 was dropped.
    let lp = EventLoop::with_virtual_clock();
    let q = Queue::new();
    let reader = lp.create_task(q.get());
    lp.run_briefly();
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    assert!(reader.cancel());
    assert_eq!(lp.run_until_complete(&reader), Err(Cancelled));
    let reader = lp.create_task(q.get());
    assert_eq!(lp.run_until_complete(&reader), Ok(1));
}

#[test]
fn with_many_readers_a_cancelled_one_drops_no_item() {
    // test_get_cancel_drop_many_pending_readers
    let lp = EventLoop::with_virtual_clock();
    let q = Queue::new();
    let [r1, r2, r3]: [Task<u32>; 3] = std::array::from_fn(|_| lp.create_task(q.get()));
    lp.run_briefly();
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    assert!(r1.cancel());
    assert_eq!(lp.run_until_complete(&r1), Err(Cancelled));
    lp.run_until_complete(&r3).unwrap();
    let mut got = [r2.result().unwrap().unwrap(), r3.result().unwrap().unwrap()];
    got.sort();
    assert_eq!(got, [1, 2]);
}

#[test]
fn a_put_cancelled_after_being_woken_puts_nothing_and_a_retry_does() {
    // test_put_cancel_drop
    let lp = EventLoop::with_virtual_clock();
    let q = Queue::with_maxsize(1);
    q.put_nowait(1).unwrap();
    let writer = lp.create_task(q.put(2)); // blocks: the queue is full
    lp.run_briefly();
    assert_eq!(q.get_nowait(), Ok(1));
    assert!(writer.cancel());
    assert_eq!(lp.run_until_complete(&writer), Err(Cancelled));
    let writer = lp.create_task(q.put(2));
    lp.run_until_complete(&writer).unwrap();
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(q.qsize(), 0);
}

#[asyncio::coroutine]
fn put_cancelled_race() -> Result<(), Cancelled> {
    let q = Queue::with_maxsize(1);
    let put_a = asyncio::create_task(q.put("a"));
    let put_b = asyncio::create_task(q.put("b"));
    let put_c = asyncio::create_task(q.put("X"));
    yield_from!(sleep0())?;
    assert!(put_a.done());
    assert!(!put_b.done());
    assert!(put_c.cancel());
    yield_from!(sleep0())?;
    assert!(put_c.done());
    assert_eq!(q.get_nowait(), Ok("a"));
    yield_from!(sleep0())?;
    assert_eq!(q.get_nowait(), Ok("b"));
    yield_from!(&put_b)?;
    assert!(q.empty()); // "X" was never put
    Ok(())
}

#[test]
fn a_cancelled_put_puts_nothing_and_the_next_put_goes_on() {
    // test_put_cancelled_race, test_put_cancelled, test_put_with_waiting_getters
    run(put_cancelled_race());
}

#[asyncio::coroutine]
fn putters_waiting() -> Result<(), Cancelled> {
    let q = Queue::with_maxsize(2);
    #[asyncio::coroutine]
    fn getter(q: Queue<u32>) -> Result<(), Cancelled> {
        yield_from!(sleep0())?;
        for _ in 0..q.qsize() {
            q.get_nowait().unwrap();
        }
        Ok(())
    }
    let mut tasks = vec![asyncio::create_task(getter(q.clone()))];
    tasks.extend((0..4).map(|i| asyncio::create_task(q.put(i))));
    yield_from!(asyncio::gather(&tasks))?;
    assert_eq!(q.qsize(), 2); // 2 and 3, put once the getter made room
    Ok(())
}

#[test]
fn every_get_nowait_wakes_a_waiting_put() {
    // test_why_are_putters_waiting (gh-90406)
    run(putters_waiting());
}

// ---------------------------------------------------------------------------------------
// task_done and join (test_queues.py _QueueJoinTestMixin, for each kind of queue)
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn worker(
    q: Queue<u32>,
    accumulator: Rc<Cell<u32>>,
    running: Rc<Cell<bool>>,
) -> Result<(), Cancelled> {
    while running.get() {
        let item = yield_from!(q.get())?;
        accumulator.set(accumulator.get() + item);
        q.task_done();
    }
    Ok(())
}

#[asyncio::coroutine]
fn task_done_and_join(q: Queue<u32>) -> Result<(), Cancelled> {
    for i in 0..100 {
        q.put_nowait(i).unwrap();
    }
    let accumulator = Rc::new(Cell::new(0));
    let running = Rc::new(Cell::new(true));
    let tasks: Vec<Task<()>> = (0..2)
        .map(|_| asyncio::create_task(worker(q.clone(), accumulator.clone(), running.clone())))
        .collect();
    yield_from!(q.join())?;
    assert_eq!(accumulator.get(), (0..100).sum::<u32>());
    // Stop the workers.
    running.set(false);
    for _ in 0..tasks.len() {
        q.put_nowait(0).unwrap();
    }
    yield_from!(asyncio::gather(&tasks))?;
    Ok(())
}

#[test]
fn join_returns_once_every_item_put_is_marked_done() {
    // test_task_done, for Queue, LifoQueue and PriorityQueue
    run(task_done_and_join(Queue::new()));
    run(task_done_and_join(LifoQueue::new().into()));
    run(task_done_and_join(PriorityQueue::new().into()));
}

#[asyncio::coroutine]
fn joins_twice(q: Queue<u32>) -> Result<(), Cancelled> {
    yield_from!(q.join())?;
    yield_from!(q.join())
}

#[test]
fn joining_an_empty_queue_returns_at_once_and_task_done_cannot_underflow() {
    // test_join_empty_queue, test_task_done_underflow (ValueError)
    assert_eq!(run(joins_twice(Queue::new())), Duration::ZERO);
    let q: Queue<u32> = Queue::new();
    assert_eq!(
        expect_panic(|| q.task_done()),
        "task_done() called too many times"
    );
}

// ---------------------------------------------------------------------------------------
// wait_for (test_waitfor.py)
// ---------------------------------------------------------------------------------------

/// `CancelledError`, `TimeoutError`, and an error of the code (`FooException`).
#[derive(Debug, Clone, PartialEq)]
enum Error {
    Cancelled,
    Timeout,
    Foo,
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

/// Run a main coroutine that fails with [`Error`] on a virtual clock; its outcome and the
/// loop's time.
fn run_err<G, T>(main: G) -> (Result<T, Error>, Duration)
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
fn sleeps_then(secs_x10: u64, running: Rc<Cell<Option<bool>>>) -> Result<&'static str, Error> {
    running.set(Some(true));
    let slept = yield_from!(asyncio::sleep(ms(100 * secs_x10)));
    running.set(Some(false)); // `finally:`
    slept?;
    Ok("done")
}

#[asyncio::coroutine]
fn times_out_a_task(running: Rc<Cell<Option<bool>>>) -> Result<(), Error> {
    let fut = asyncio::create_task(sleeps_then(100, running.clone()));
    let got = yield_from!(asyncio::wait_for(&fut, Some(ms(100))));
    assert_eq!(got, Err(Error::Timeout));
    assert!(fut.done() && fut.cancelled()); // cancelled by the timeout
    assert_eq!(now(), ms(100));
    assert_eq!(running.get(), Some(false));
    Ok(())
}

#[test]
fn wait_for_cancels_what_runs_out_of_time_and_fails_with_timeout() {
    // test_wait_for
    let running = Rc::new(Cell::new(None));
    assert_eq!(run_err(times_out_a_task(running)), (Ok(()), ms(100)));
}

#[asyncio::coroutine]
fn zero_timeouts(started: Rc<Cell<bool>>) -> Result<(), Error> {
    let fut: asyncio::Future<&str, Error> = asyncio::Future::new();
    fut.set_result("done").unwrap();
    let got = yield_from!(asyncio::wait_for(&fut, Some(Duration::ZERO)));
    assert_eq!(got, Ok("done")); // done already: its result
    #[asyncio::coroutine]
    fn marks(started: Rc<Cell<bool>>) -> Result<u32, Error> {
        started.set(true);
        Ok(1)
    }
    let got = yield_from!(asyncio::wait_for(
        marks(started.clone()),
        Some(Duration::ZERO)
    ));
    assert_eq!(got, Err(Error::Timeout));
    assert!(!started.get()); // cancelled before it ran
    let got = yield_from!(asyncio::wait_for(marks(started.clone()), None));
    assert_eq!(got, Ok(1)); // no limit
    Ok(())
}

#[test]
fn a_zero_timeout_gives_a_done_result_and_cancels_the_rest_before_it_starts() {
    // test_wait_for_timeout_less_then_0_or_0_future_done,
    // test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started, test_wait_for_blocking
    let started = Rc::new(Cell::new(false));
    assert_eq!(run_err(zero_timeouts(started)), (Ok(()), Duration::ZERO));
}

#[asyncio::coroutine]
fn result_before_the_timeout() -> Result<&'static str, Error> {
    let fut: asyncio::Future<&'static str, Error> = asyncio::Future::new();
    let set = fut.clone();
    asyncio::get_running_loop()
        .unwrap()
        .call_later(ms(100), move || set.set_result("ok").unwrap());
    yield_from!(asyncio::wait_for(fut, Some(ms(200))))
}

#[test]
fn a_result_before_the_timeout_is_returned_at_once() {
    // test_wait_for_race_condition
    assert_eq!(run_err(result_before_the_timeout()), (Ok("ok"), ms(100)));
}

#[asyncio::coroutine]
fn catches_the_cancel_and_returns_1() -> Result<u32, Error> {
    let slept = yield_from!(asyncio::sleep(Duration::from_secs(1)));
    assert_eq!(slept, Err(Cancelled));
    Ok(1)
}

#[asyncio::coroutine]
fn value_despite_timeout() -> Result<u32, Error> {
    yield_from!(asyncio::wait_for(
        catches_the_cancel_and_returns_1(),
        Some(ms(10))
    ))
}

#[test]
fn what_returns_a_value_when_cancelled_by_the_timeout_gives_that_value() {
    // test_wait_for_cancellation_race_condition (gh-86296)
    assert_eq!(run_err(value_despite_timeout()), (Ok(1), ms(10)));
}

#[asyncio::coroutine]
fn slow_to_cancel(done: Rc<Cell<bool>>) -> Result<(), Error> {
    let slept = yield_from!(asyncio::sleep(Duration::from_secs(10)));
    if slept.is_err() {
        let _ = yield_from!(asyncio::sleep(ms(1)));
    }
    done.set(true); // `finally:`
    slept.map_err(Error::from)
}

#[asyncio::coroutine]
fn waits_for_the_cancellation(done: Rc<Cell<bool>>) -> Result<(), Error> {
    let inner = asyncio::create_task(slow_to_cancel(done));
    yield_from!(asyncio::wait_for(&inner, Some(ms(1))))
}

#[test]
fn after_the_timeout_wait_for_waits_until_the_cancelled_task_has_finished() {
    // test_wait_for_waits_for_task_cancellation (bpo-32751)
    let done = Rc::new(Cell::new(false));
    assert_eq!(
        run_err(waits_for_the_cancellation(done.clone())),
        (Err(Error::Timeout), ms(2))
    );
    assert!(done.get());
}

#[asyncio::coroutine]
fn holds_up_cancellation() -> Result<u32, Error> {
    if yield_from!(asyncio::sleep(ms(300))).is_err()
        && yield_from!(asyncio::sleep(ms(300))).is_err()
    {
        let _ = yield_from!(asyncio::sleep(ms(300)));
    }
    Ok(42)
}

#[asyncio::coroutine]
fn wait_for_self_cancellation() -> Result<(), Error> {
    let inner_task = asyncio::create_task(holds_up_cancellation());
    let task = asyncio::create_task(asyncio::wait_for(inner_task.clone(), Some(ms(100))));
    yield_from!(asyncio::sleep(ms(200)))?;
    assert!(task.cancel());
    let got = yield_from!(&task);
    assert_eq!(got, Err(Error::Cancelled));
    assert_eq!(now(), ms(200));
    let got = yield_from!(&inner_task);
    assert_eq!(got, Ok(42));
    assert_eq!(now(), ms(400));
    Ok(())
}

#[test]
fn wait_for_stays_cancellable_while_the_awaitable_holds_up_its_cancellation() {
    // test_wait_for_self_cancellation
    assert_eq!(run_err(wait_for_self_cancellation()), (Ok(()), ms(400)));
}

#[asyncio::coroutine]
fn raises_when_cancelled() -> Result<(), Error> {
    let _ = yield_from!(asyncio::sleep(ms(200)));
    Err(Error::Foo) // `finally: raise FooException`
}

#[asyncio::coroutine]
fn reraises() -> Result<(), Error> {
    let inner = asyncio::create_task(raises_when_cancelled());
    yield_from!(asyncio::wait_for(&inner, Some(ms(1))))
}

#[test]
fn an_error_raised_while_cancelled_by_the_timeout_is_the_result() {
    // test_wait_for_reraises_exception_during_cancellation
    assert_eq!(run_err(reraises()), (Err(Error::Foo), ms(1)));
}

// ---------------------------------------------------------------------------------------
// Scale
// ---------------------------------------------------------------------------------------

#[asyncio::coroutine]
fn takes_and_gives_back(lock: Lock, q: Queue<u32>) -> Result<(), Cancelled> {
    yield_from!(lock.acquire())?;
    lock.release();
    let item = yield_from!(q.get())?;
    q.put_nowait(item + 1).unwrap();
    Ok(())
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a scale test (tens of thousands of tasks): too slow under miri"
)]
fn a_hundred_thousand_waiters_on_a_lock_and_a_queue_take_linear_time() {
    // Every hand-off is O(1): no operation scans the waiters.
    let lp = EventLoop::with_virtual_clock();
    let (lock, q) = (Lock::new(), Queue::new());
    lp.run_until_complete(lp.create_task(lock.acquire()))
        .unwrap();
    let tasks: Vec<Task<()>> = (0..100_000)
        .map(|_| lp.create_task(takes_and_gives_back(lock.clone(), q.clone())))
        .collect();
    lp.run_briefly(); // all wait for the lock
    let start = std::time::Instant::now();
    lock.release();
    q.put_nowait(0).unwrap();
    lp.run_until_complete(asyncio::gather(&tasks)).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(q.get_nowait(), Ok(100_000));
    assert!(!lock.locked());
}

#[test]
fn closing_a_loop_takes_its_waiters_out_of_locks_and_queues() {
    // A pending task dropped with its loop leaves the queue it waited in (Python's
    // GeneratorExit at the `await`); the lock stays with its holder.
    let (lock, cond, q) = (Lock::new(), Condition::new(), Queue::<u32>::new());
    {
        let lp = EventLoop::with_virtual_clock();
        lp.run_until_complete(lp.create_task(lock.acquire()))
            .unwrap();
        lp.run_until_complete(lp.create_task(cond.acquire()))
            .unwrap();
        let _waiters = (
            lp.create_task(lock.acquire()),
            lp.create_task(cond.wait()),
            lp.create_task(q.get()),
        );
        lp.run_briefly();
        assert_eq!(format!("{lock:?}"), "Lock { locked: true, waiters: 1 }");
        assert_eq!(
            format!("{cond:?}"),
            "Condition { locked: false, waiters: 1 }"
        );
        assert!(format!("{q:?}").contains("getters: 1"));
    }
    assert_eq!(format!("{lock:?}"), "Lock { locked: true, waiters: 0 }");
    assert_eq!(
        format!("{cond:?}"),
        "Condition { locked: false, waiters: 0 }"
    );
    assert!(format!("{q:?}").contains("getters: 0"), "{q:?}");
    // Still usable on another loop.
    let lp = EventLoop::with_virtual_clock();
    lock.release();
    lp.run_until_complete(lp.create_task(lock.acquire()))
        .unwrap();
    q.put_nowait(7).unwrap();
    assert_eq!(lp.run_until_complete(lp.create_task(q.get())), Ok(7));
}

// ---------------------------------------------------------------------------------------
// `async with`: Lock::hold, Semaphore::hold, Condition::hold
// ---------------------------------------------------------------------------------------

/// Holds `lock` (`async with lock:`) while it sleeps, then fails.
#[asyncio::coroutine]
fn holds_then_fails(lock: Lock, log: Log) -> Result<(), Error> {
    let _held = yield_from!(lock.hold())?;
    log.borrow_mut().push(1);
    yield_from!(asyncio::sleep(ms(100)))?;
    Err(Error::Foo)
}

#[asyncio::coroutine]
fn a_guard_releases_on_timeout_and_on_error() -> Result<(bool, bool, Duration), Error> {
    let lock = Lock::new();
    let log = new_log();
    // Python: `async with lock: await asyncio.sleep(0.1)` under `wait_for(.., 0.05)`.
    let timed_out = yield_from!(asyncio::wait_for(
        holds_then_fails(lock.clone(), log.clone()),
        Some(ms(50))
    ));
    assert_eq!(timed_out, Err(Error::Timeout));
    let free_after_timeout = !lock.locked();
    let failed = yield_from!(holds_then_fails(lock.clone(), log.clone()));
    assert_eq!(failed, Err(Error::Foo));
    assert_eq!(logged(&log), [1, 1]);
    Ok((free_after_timeout, !lock.locked(), now()))
}

#[test]
fn a_held_lock_is_released_when_its_task_is_cancelled_or_fails() {
    let (result, _) = run_err(a_guard_releases_on_timeout_and_on_error());
    assert_eq!(result, Ok((true, true, ms(150))));
}

#[asyncio::coroutine]
fn holds_a_unit(sem: asyncio::Semaphore, log: Log, id: u32) -> Result<(), Cancelled> {
    let _held = yield_from!(sem.hold())?;
    log.borrow_mut().push(id);
    yield_from!(asyncio::sleep(ms(10)))?;
    Ok(())
}

#[asyncio::coroutine]
fn three_on_a_semaphore_of_two() -> Result<(), Cancelled> {
    let sem = asyncio::Semaphore::new(2);
    let log = new_log();
    let workers = [1, 2, 3].map(|id| holds_a_unit(sem.clone(), log.clone(), id));
    yield_from!(asyncio::gather(workers))?;
    assert_eq!(logged(&log), [1, 2, 3]);
    assert_eq!(sem.value(), 2);
    Ok(())
}

#[test]
fn semaphore_guards_let_two_in_at_a_time_and_give_every_unit_back() {
    // The third waits for a unit: 10 ms, then 10 more.
    assert_eq!(run(three_on_a_semaphore_of_two()), ms(20));
}
