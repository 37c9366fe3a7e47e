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
