//! Abuse of the std-future waker, task re-entrancy and the inlined trampoline (found in
//! review): each must end in a clean result or a panic, never UB (run them under miri).

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::thread;

use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
use cogen::{Generator, GeneratorState, generator, yield_, yield_from};
use futures::future::poll_fn;

mod support;
use support::{AddOnDrop, expect_panic};

type Stash = Arc<Mutex<Vec<Waker>>>;

fn pending_forever(stash: Stash) -> impl std::future::Future<Output = u32> {
    poll_fn(move |cx| {
        stash.lock().unwrap().push(cx.waker().clone());
        Poll::Pending
    })
}

/// A WrapFuture leaked while parked: its last waker is dropped on another thread, which
/// must leak the parked `Rc` rather than touch its count.
#[test]
fn leaked_wrap_future_last_waker_dropped_on_another_thread() {
    let stash = Stash::default();
    let lp = EventLoop::with_virtual_clock();
    let s2 = stash.clone();
    let t = lp.spawn_future(async move {
        let mut w = Box::pin(asyncio::wrap_future(pending_forever(s2)));
        let _ = w.as_mut().start();
        std::mem::forget(w);
        Ok::<_, Cancelled>(())
    });
    assert_eq!(lp.run_until_complete(&t), Ok(()));
    drop(lp);
    let wakers = std::mem::take(&mut *stash.lock().unwrap());
    thread::spawn(move || {
        for w in &wakers {
            w.wake_by_ref();
        }
        drop(wakers);
    })
    .join()
    .unwrap();
}

/// Same, with the loop still alive while the other thread wakes and drops (the wake's
/// call is queued, holding the signal; the loop then runs it).
#[test]
fn leaked_wrap_future_woken_from_another_thread_while_loop_lives() {
    let stash = Stash::default();
    let lp = EventLoop::with_virtual_clock();
    let s2 = stash.clone();
    let t = lp.spawn_future(async move {
        let mut w = Box::pin(asyncio::wrap_future(pending_forever(s2)));
        let _ = w.as_mut().start();
        std::mem::forget(w);
        Ok::<_, Cancelled>(())
    });
    assert_eq!(lp.run_until_complete(&t), Ok(()));
    let wakers = std::mem::take(&mut *stash.lock().unwrap());
    thread::spawn(move || {
        for w in &wakers {
            w.wake_by_ref();
        }
        drop(wakers);
    })
    .join()
    .unwrap();
    lp.run_briefly();
    drop(lp);
}

/// Another thread wakes in a loop while this one drops the loop and its pending task.
#[test]
fn concurrent_wakes_while_the_loop_is_dropped() {
    for _ in 0..3 {
        let stash = Stash::default();
        let lp = EventLoop::with_virtual_clock();
        let task = lp.create_task(asyncio::wrap_future(pending_forever(stash.clone())));
        lp.run_briefly();
        let wakers = std::mem::take(&mut *stash.lock().unwrap());
        let barrier = Arc::new(Barrier::new(2));
        let b2 = barrier.clone();
        let h = thread::spawn(move || {
            b2.wait();
            for _ in 0..20 {
                for w in &wakers {
                    w.wake_by_ref();
                }
            }
            drop(wakers);
        });
        barrier.wait();
        lp.run_briefly();
        drop(task);
        drop(lp);
        h.join().unwrap();
    }
}

/// A std future that cancels its own task, drops the only owning loop handle, and wakes
/// itself, all inside its poll.
#[test]
fn a_std_future_cancels_its_task_and_drops_the_loop_inside_its_poll() {
    let lp = EventLoop::with_virtual_clock();
    let slot: Rc<RefCell<Option<EventLoop>>> = Rc::new(RefCell::new(None));
    let s2 = slot.clone();
    let mut polls = 0;
    let task = lp.spawn_future(poll_fn(move |cx| {
        polls += 1;
        if polls == 1 {
            asyncio::current_task().unwrap().cancel();
            drop(s2.borrow_mut().take());
            cx.waker().wake_by_ref();
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Ok::<u32, Cancelled>(1))
    }));
    *slot.borrow_mut() = Some(lp.clone());
    let r = lp.run_until_complete(&task);
    assert_eq!(r, Err(Cancelled));
    drop(lp);
}

/// A std future that panics in its poll after waking itself from another thread; the
/// waker is woken again afterwards.
#[test]
fn a_std_future_panics_after_a_foreign_wake_then_is_woken_again() {
    let stash = Stash::default();
    let lp = EventLoop::with_virtual_clock();
    let s2 = stash.clone();
    let task = lp.spawn_future(poll_fn(move |cx| -> Poll<Result<u32, Cancelled>> {
        s2.lock().unwrap().push(cx.waker().clone());
        let w = cx.waker().clone();
        thread::spawn(move || w.wake()).join().unwrap();
        panic!("boom in poll");
    }));
    let r = catch_unwind(AssertUnwindSafe(|| lp.run_briefly()));
    assert!(r.is_err());
    for w in stash.lock().unwrap().iter() {
        w.wake_by_ref();
    }
    lp.run_briefly();
    lp.run_briefly();
    drop(task);
    drop(lp);
    let wakers = std::mem::take(&mut *stash.lock().unwrap());
    thread::spawn(move || drop(wakers)).join().unwrap();
}

/// A std future that runs the loop from inside its poll.
#[test]
fn a_std_future_runs_its_loop_reentrantly() {
    let lp = EventLoop::with_virtual_clock();
    let inner = lp.clone();
    let task = lp.spawn_future(poll_fn(move |_| {
        inner.run_briefly();
        Poll::Ready(Ok::<u32, Cancelled>(3))
    }));
    let r = catch_unwind(AssertUnwindSafe(|| lp.run_until_complete(&task)));
    // Either refused with a panic or completed: nothing in between.
    if let Ok(v) = r {
        assert_eq!(v, Ok(3));
    }
}

static NOOP_VTABLE: RawWakerVTable = RawWakerVTable::new(
    |data| RawWaker::new(data, &NOOP_VTABLE),
    |_| {},
    |_| {},
    |_| {},
);

/// A waker forged with the signal's data pointer (another vtable) polls a FutureAwait.
#[test]
fn a_forged_waker_with_the_signals_data_pointer() {
    let lp = EventLoop::with_virtual_clock();
    let fut: asyncio::Future<u32> = lp.create_future();
    let f2 = fut.clone();
    let mut awaiting = Some(f2.into_future());
    let task = lp.spawn_future(poll_fn(move |cx| {
        let a = awaiting.as_mut().unwrap();
        // SAFETY: the noop vtable never dereferences `data`.
        let forged = unsafe { Waker::from_raw(RawWaker::new(cx.waker().data(), &NOOP_VTABLE)) };
        let p = Pin::new(&mut *a).poll(&mut Context::from_waker(&forged));
        let _ = Pin::new(&mut *a).poll(cx);
        p.map(|r| r)
    }));
    lp.run_briefly();
    fut.set_result(5).unwrap();
    lp.run_briefly();
    lp.run_briefly();
    assert_eq!(task.result(), Some(Ok(5)));
}

// ---- trampoline: a panic in a parked trampoline's frame, then resume ----

#[generator(yield = u32, send = u32)]
fn leaf_panics_on(n: u32) -> u32 {
    let mut got = 0;
    loop {
        let s = yield_!(got);
        if s == n {
            panic!("leaf panics on {s}");
        }
        got = s;
        if s == 1000 {
            return s;
        }
    }
}

#[generator(yield = u32, send = u32)]
fn middle(n: u32) -> u32 {
    let r = yield_from!(Box::pin(leaf_panics_on(n)));
    r + 1
}

#[generator(yield = u32, send = u32)]
fn outer(n: u32) -> u32 {
    let r = yield_from!(Box::pin(middle(n)));
    r + 1
}

#[test]
fn a_panic_in_a_parked_trampoline_frame_closes_the_generator() {
    let mut g = Box::pin(outer(3));
    assert!(matches!(g.as_mut().start(), GeneratorState::Yielded(0)));
    assert!(matches!(g.as_mut().resume(1), GeneratorState::Yielded(1)));
    let r = catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(3)));
    assert!(r.is_err());
    assert_eq!(g.status(), cogen::Status::Closed);
    let again = catch_unwind(AssertUnwindSafe(|| g.as_mut().resume(4)));
    assert!(again.is_err());
    drop(g);
}

#[generator(yield = u32, send = u32)]
async fn aleaf(n: u32) -> u32 {
    let mut got = 0;
    loop {
        let s = yield_!(got);
        if s == n {
            panic!("async leaf panics on {s}");
        }
        got = s;
    }
}

#[generator(yield = u32, send = u32)]
async fn aouter(n: u32) -> u32 {
    let r = yield_from!(Box::pin(aleaf(n)));
    r + 1
}

#[test]
fn a_panic_in_a_parked_async_trampoline_frame_closes_the_generator() {
    use cogen::AsyncGenerator;
    let mut g = Box::pin(aouter(2));
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    let mut step = |s: Option<u32>| {
        let mut s = s;
        catch_unwind(AssertUnwindSafe(|| {
            AsyncGenerator::poll_resume(g.as_mut(), &mut cx, &mut s).is_ready()
        }))
    };
    assert_eq!(step(None).ok(), Some(true));
    assert_eq!(step(Some(1)).ok(), Some(true));
    assert!(step(Some(2)).is_err());
    assert!(step(Some(3)).is_err());
}

// A coroutine-typed generator that is not run by a task: yield_from of a std future
// polled by hand with no loop running must panic, not misbehave.
#[test]
fn a_wrap_future_started_with_no_loop_running_panics() {
    let mut w = Box::pin(asyncio::wrap_future(async { 1u32 }));
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _: GeneratorState<Suspend, _> = w.as_mut().start();
    }));
    assert!(r.is_err());
    let _ = std::marker::PhantomData::<Resume>;
}

// ---- review 4: `yield_now()` / `sleep(0)` yielded from the body (`YieldMade`), the task
// step with the current task in the loop's state, `to_thread` ----

/// A stand-in for cogen under `crate = path` whose `generator` polls the body with a plain
/// executor's context (a no-op waker, as `block_on` or a hand-written executor would)
/// instead of the generator's bridge.
mod stand_in_that_polls_with_a_plain_waker {
    pub use cogen::*;
    pub mod __private {
        // Everything the expansion names, but `generator`, which is defined below.
        pub use cogen::__private::*;
        use std::future::Future;
        use std::pin::Pin;
        use std::task::{Context, Poll, Waker};

        pub struct PlainPoll<F>(Pin<Box<F>>);

        impl<F: Future> Future for PlainPoll<F> {
            type Output = F::Output;
            fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<F::Output> {
                let plain = &mut Context::from_waker(Waker::noop());
                self.get_mut().0.as_mut().poll(plain)
            }
        }

        pub fn generator<Y, S, const D: bool, R, M, F>(make: M) -> Gen<PlainPoll<F>, Y, S, D>
        where
            M: FnOnce(Co<Y, S>) -> F,
            F: Future<Output = R>,
        {
            cogen::__private::generator::<Y, S, D, R, _, _>(move |co| PlainPoll(Box::pin(make(co))))
        }
    }
}

#[generator(crate = stand_in_that_polls_with_a_plain_waker, yield = Suspend, send = Resume)]
fn yields_now_to_a_plain_waker(drops: Rc<std::cell::Cell<u32>>) -> Result<(), Cancelled> {
    let _guard = AddOnDrop(drops, 1);
    cogen::yield_from!(asyncio::yield_now())?;
    Ok(())
}

#[generator(crate = stand_in_that_polls_with_a_plain_waker, yield = Suspend, send = Resume)]
fn sleeps_zero_to_a_plain_waker(drops: Rc<std::cell::Cell<u32>>) -> Result<(), Cancelled> {
    let _guard = AddOnDrop(drops, 1);
    cogen::yield_from!(asyncio::sleep(std::time::Duration::ZERO))?;
    Ok(())
}

#[test]
fn a_yield_now_or_sleep_zero_polled_with_a_plain_executors_waker_panics_and_closes_the_generator() {
    // The body yields `Reschedule` itself (no leaf): its yield point still checks the
    // context it is polled with before it writes anything.
    type Coroutine =
        Pin<Box<dyn Generator<Resume, Yield = Suspend, Return = Result<(), Cancelled>>>>;
    let drops = Rc::new(std::cell::Cell::new(0));
    let now: Coroutine = Box::pin(yields_now_to_a_plain_waker(drops.clone()));
    let zero: Coroutine = Box::pin(sleeps_zero_to_a_plain_waker(drops.clone()));
    for mut g in [now, zero] {
        let message = expect_panic(|| g.as_mut().start());
        assert!(
            message.contains("polled outside of its own generator"),
            "{message}"
        );
        assert_eq!(g.status(), cogen::Status::Closed);
    }
    assert_eq!(drops.get(), 2, "each body's local dropped once");
}

#[generator(crate = support::stand_in_that_frees_the_body, yield = Suspend, send = Resume)]
fn yields_now_then_is_freed(drops: Rc<std::cell::Cell<u32>>) -> Result<u32, Cancelled> {
    let _guard = AddOnDrop(drops, 1);
    cogen::yield_from!(asyncio::yield_now())?;
    Ok(1)
}

#[test]
fn a_yield_now_moved_out_of_its_body_and_freed_after_it_yielded_ends_its_task_with_a_panic() {
    // Unlike a delegation, the body's own `yield_now` keeps no pointer past its poll, so it
    // may lie outside the body (no extent check): freed after it yielded, nothing dangles;
    // the next step finds the stand-in's box empty and panics.
    let drops = Rc::new(std::cell::Cell::new(0));
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(yields_now_then_is_freed(drops.clone()));
    let message = expect_panic(|| lp.run_until_complete(&task));
    assert!(message.contains("the stand-in freed the body"), "{message}");
    assert_eq!(drops.get(), 1);
    assert!(!task.done());
    assert!(task.cancel(), "a task that panicked can still be cancelled");
    assert!(task.cancelled());
}

#[asyncio::coroutine]
fn runs_loops_inside_its_step(own: EventLoop) -> Result<(bool, bool, bool), Cancelled> {
    let me = asyncio::current_task().expect("in a task");
    let own_refused = catch_unwind(AssertUnwindSafe(|| own.run_briefly())).is_err();
    let other = EventLoop::with_virtual_clock();
    let other_refused = catch_unwind(AssertUnwindSafe(|| {
        other.run_until_complete(asyncio::yield_now())
    }))
    .is_err();
    drop(other);
    yield_from!(asyncio::yield_now())?;
    Ok((
        own_refused,
        other_refused,
        asyncio::current_task() == Some(me),
    ))
}

#[test]
fn no_loop_runs_inside_a_task_step_so_the_current_task_stays_the_step_that_set_it() {
    // `current_task()` reads a pointer the running step keeps in the loop's state; it is
    // sound because steps never nest. Running this loop, or any other, from inside a step
    // is refused with a panic, which the coroutine can catch: it is still the current task.
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(runs_loops_inside_its_step(lp.clone()));
    assert_eq!(lp.run_until_complete(&task), Ok((true, true, true)));
    assert!(asyncio::current_task().is_none());
}

#[asyncio::coroutine]
fn pauses_twice(trace: Rc<RefCell<Vec<String>>>) -> Result<u32, Cancelled> {
    let first = yield_from!(asyncio::yield_now());
    trace.borrow_mut().push(format!("yield_now: {first:?}"));
    let second = yield_from!(asyncio::sleep(std::time::Duration::ZERO));
    trace.borrow_mut().push(format!("sleep(0): {second:?}"));
    Ok(2)
}

#[test]
fn a_cancellation_between_the_steps_of_a_yield_now_reaches_the_body_at_that_yield() {
    // The task is rescheduled, waiting for nothing; the fast path of its next step must
    // still see the request a callback made meanwhile.
    let lp = EventLoop::with_virtual_clock();
    let trace = Rc::new(RefCell::new(Vec::new()));
    let task = lp.create_task(pauses_twice(trace.clone()));
    let target = task.clone();
    lp.call_soon(move || assert!(target.cancel()));
    assert_eq!(lp.run_until_complete(&task), Ok(2));
    assert_eq!(
        *trace.borrow(),
        ["yield_now: Err(Cancelled)", "sleep(0): Ok(())"]
    );
}

#[asyncio::coroutine]
fn pauses_forever(drops: Rc<std::cell::Cell<u32>>) -> Result<(), Cancelled> {
    let _guard = AddOnDrop(drops, 1);
    loop {
        let _ = yield_from!(asyncio::yield_now());
        let _ = yield_from!(asyncio::sleep(std::time::Duration::ZERO));
    }
}

#[asyncio::coroutine]
fn drops_the_last_owner(owner: Rc<RefCell<Option<EventLoop>>>) -> Result<u32, Cancelled> {
    yield_from!(asyncio::yield_now())?;
    drop(owner.borrow_mut().take());
    yield_from!(asyncio::yield_now())?;
    Ok(3)
}

#[test]
fn a_loop_whose_last_owner_goes_during_a_run_closes_a_task_rescheduled_at_a_yield_now_at_its_end() {
    // A non-owning handle to run the loop with, taken from a callback.
    let lp = EventLoop::with_virtual_clock();
    let found = Rc::new(RefCell::new(None));
    let slot = found.clone();
    lp.call_soon(move || *slot.borrow_mut() = asyncio::get_running_loop());
    lp.run_briefly();
    let runner: EventLoop = found.borrow_mut().take().unwrap();

    let drops = Rc::new(std::cell::Cell::new(0));
    let forever = lp.create_task(pauses_forever(drops.clone()));
    let owner = Rc::new(RefCell::new(Some(lp)));
    let main = runner.create_task(drops_the_last_owner(owner.clone()));
    // The coroutine holds the only owner now, and drops it in the middle of the run: the
    // loop closes when the run ends, with `forever` rescheduled in its ready queue.
    assert_eq!(runner.run_until_complete(&main), Ok(3));
    assert_eq!(drops.get(), 1, "closed at the end of the run, once");
    assert!(!forever.done());
}

/// A value that says which thread drops it.
struct ReportsItsDrop(std::sync::mpsc::Sender<thread::ThreadId>);

impl Drop for ReportsItsDrop {
    fn drop(&mut self) {
        let _ = self.0.send(thread::current().id());
    }
}

#[test]
fn leaked_pool_thread_a_loop_dropped_while_its_to_thread_function_runs_leaves_the_result_to_it() {
    // No wait in the OS poller (so miri runs it): the loop only runs briefly, hands the
    // function to the pool, and is dropped with the task while the function still runs.
    use std::sync::mpsc::channel;
    let (started, has_started) = channel();
    let (go, wait_for_go) = channel::<()>();
    let (dropped, dropped_on) = channel();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(asyncio::to_thread(move || {
        started.send(()).unwrap();
        wait_for_go.recv().unwrap();
        ReportsItsDrop(dropped)
    }));
    lp.run_briefly();
    has_started.recv().unwrap();
    drop(task);
    drop(lp);
    go.send(()).unwrap();
    // The pool's thread wakes a waker whose loop is gone (nothing happens), and drops the
    // result it has no one to give to.
    assert_ne!(dropped_on.recv().unwrap(), thread::current().id());
}

#[test]
fn leaked_pool_thread_a_to_thread_wait_cancelled_while_the_function_runs_ends_and_its_late_wake_does_nothing()
 {
    use std::sync::mpsc::channel;
    let (started, has_started) = channel();
    let (go, wait_for_go) = channel::<()>();
    let (dropped, dropped_on) = channel();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(asyncio::to_thread(move || {
        started.send(()).unwrap();
        wait_for_go.recv().unwrap();
        ReportsItsDrop(dropped)
    }));
    lp.run_briefly();
    has_started.recv().unwrap();
    assert!(task.cancel());
    lp.run_briefly();
    assert!(task.cancelled());
    go.send(()).unwrap();
    assert_ne!(dropped_on.recv().unwrap(), thread::current().id());
    // The wake the function's end sent (if it reached the loop's queue) finds nothing.
    lp.run_briefly();
    assert!(task.cancelled());
}

#[asyncio::coroutine]
fn sleeps_an_hour(drops: Rc<std::cell::Cell<u32>>) -> Result<u32, Cancelled> {
    let _guard = AddOnDrop(drops, 1);
    yield_from!(asyncio::sleep(std::time::Duration::from_secs(3600)))?;
    Ok(1)
}

#[test]
fn setting_the_result_of_a_tasks_future_from_outside_panics_and_the_task_runs_on() {
    // Python: RuntimeError "Task does not support set_result operation". Accepted, the task
    // would be done while its coroutine still ran; and as a done task is not closed with its
    // loop, the coroutine (waiting on a timer's future that waits on it) was leaked, its
    // destructors never run.
    let drops = Rc::new(std::cell::Cell::new(0));
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(sleeps_an_hour(drops.clone()));
    lp.run_briefly();
    let message = expect_panic(|| task.set_result(5));
    assert!(
        message.contains("Task does not support set_result"),
        "{message}"
    );
    let as_future: asyncio::Future<u32> = task.future().clone();
    let message = expect_panic(|| as_future.set_exception(Cancelled));
    assert!(
        message.contains("Task does not support set_exception"),
        "{message}"
    );
    assert!(!task.done());
    drop(lp);
    assert_eq!(
        drops.get(),
        1,
        "the pending coroutine is closed with its loop"
    );
}

#[generator(yield = Suspend, send = Resume)]
async fn an_async_generator_that_yields_now() -> u32 {
    let first = yield_from!(asyncio::yield_now());
    let second = yield_from!(asyncio::sleep(std::time::Duration::ZERO));
    u32::from(first.is_err()) + 2 * u32::from(second.is_ok())
}

#[test]
fn an_async_generator_whose_yield_is_suspend_yields_its_yield_nows_to_a_plain_executor() {
    // Its body is polled with the executor's waker inside the bridge: the yield point
    // checks the bridge, not the waker, and hands `Reschedule` out as an item.
    use cogen::AsyncGenerator;
    use futures::executor::block_on;
    let mut g = Box::pin(an_async_generator_that_yields_now());
    assert!(matches!(
        block_on(g.as_mut().start()),
        GeneratorState::Yielded(_)
    ));
    assert!(matches!(
        block_on(g.as_mut().resume(Err(Cancelled))),
        GeneratorState::Yielded(_)
    ));
    assert!(matches!(
        block_on(g.as_mut().resume(Ok(()))),
        GeneratorState::Complete(3)
    ));
}

#[test]
fn a_generator_block_yields_now_from_its_body_as_a_task() {
    let lp = EventLoop::with_virtual_clock();
    let block = cogen::generator_block!(yield = Suspend, send = Resume, move {
        let first = yield_from!(asyncio::yield_now());
        let second = yield_from!(asyncio::sleep(std::time::Duration::ZERO));
        Ok::<bool, Cancelled>(first.is_ok() && second.is_ok())
    });
    let before = lp.ticks();
    assert_eq!(lp.run_until_complete(block), Ok(true));
    assert_eq!(
        lp.ticks() - before,
        3,
        "two yields to the loop, then the end"
    );
}

/// Each way of waiting for several futures, or guarding one, that registers callbacks on
/// them, on a future of another loop.
#[derive(Clone, Copy, Debug)]
enum WaitsOn {
    Gather,
    GatherTuple,
    Wait,
    AsCompleted,
    Shield,
    WaitFor,
}

/// `as_completed` and `wait_for` time out: their error type says so.
#[derive(Clone, Debug, PartialEq)]
enum WaitError {
    Cancelled,
    Timeout,
}

impl From<Cancelled> for WaitError {
    fn from(_: Cancelled) -> Self {
        WaitError::Cancelled
    }
}

impl From<asyncio::TimeoutError> for WaitError {
    fn from(_: asyncio::TimeoutError) -> Self {
        WaitError::Timeout
    }
}

impl asyncio::AsyncError for WaitError {
    fn is_cancelled(&self) -> bool {
        *self == WaitError::Cancelled
    }
}

#[asyncio::coroutine]
fn waits_on(
    how: WaitsOn,
    ours: asyncio::Future<u32, WaitError>,
    foreign: asyncio::Future<u32, WaitError>,
) -> Result<(), WaitError> {
    use std::time::Duration;
    let hour = Some(Duration::from_secs(3600));
    match how {
        WaitsOn::Gather => drop(yield_from!(&asyncio::gather([ours, foreign]))?),
        WaitsOn::GatherTuple => drop(yield_from!(&asyncio::gather_tuple((ours, foreign)))?),
        WaitsOn::Wait => drop(yield_from!(asyncio::wait(
            [ours, foreign],
            None,
            asyncio::ReturnWhen::AllCompleted
        ))?),
        WaitsOn::AsCompleted => {
            for next in asyncio::as_completed([ours, foreign], None) {
                yield_from!(next)?;
            }
        }
        WaitsOn::Shield => drop(yield_from!(&asyncio::shield(&foreign))?),
        WaitsOn::WaitFor => drop(yield_from!(asyncio::wait_for(&foreign, hour))?),
    }
    Ok(())
}

#[test]
fn waiting_on_a_future_of_another_loop_panics_where_the_wait_is_made() {
    // The callback each registers on the future would run on the future's loop, which
    // cannot run while this one does (or ever, once dropped): the wait would last forever,
    // and the loop would only report a deadlock. Python raises ValueError.
    use WaitsOn::*;
    for how in [Gather, GatherTuple, Wait, AsCompleted, Shield, WaitFor] {
        let lp = EventLoop::with_virtual_clock();
        let other = EventLoop::with_virtual_clock();
        let ours: asyncio::Future<u32, WaitError> = lp.create_future();
        ours.set_result(1).unwrap();
        let foreign: asyncio::Future<u32, WaitError> = other.create_future();
        let message = expect_panic(|| lp.run_until_complete(waits_on(how, ours, foreign)));
        assert!(
            message.contains("attached to a different event loop"),
            "{how:?}: {message}"
        );
    }
}

#[test]
fn running_a_loop_until_a_future_of_another_loop_is_done_panics_before_it_runs() {
    // Python: ValueError "The future belongs to a different loop than the one specified as
    // the loop argument". Its done callbacks run on its own loop; this one would report a
    // deadlock that does not say why, or return only if something here completed it.
    let lp = EventLoop::with_virtual_clock();
    let other = EventLoop::with_virtual_clock();
    let foreign: asyncio::Future<u32, Cancelled> = other.create_future();
    let completes_it = foreign.clone();
    lp.call_soon(move || {
        let _ = completes_it.set_result(1);
    });
    let message = expect_panic(|| lp.run_until_complete(&foreign));
    assert!(
        message.contains("run_until_complete of a future attached to a different event loop"),
        "{message}"
    );
    assert!(!foreign.done(), "refused before the loop ran");
    drop(other);
    let orphan: asyncio::Future<u32, Cancelled> = EventLoop::with_virtual_clock().create_future();
    let message = expect_panic(|| lp.run_until_complete(&orphan));
    assert!(message.contains("or to a dropped one"), "{message}");
}
