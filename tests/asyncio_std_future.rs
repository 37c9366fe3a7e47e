//! std futures on cogen's asyncio loop, both ways: a coroutine awaits a
//! `core::future::Future` with `yield_from!(asyncio::wrap_future(fut))` (Python's
//! `await asyncio.wrap_future(f)`), and a std future runs as a task with
//! `asyncio::spawn_future(fut)`, inside which a `Task` or `Future` is awaited with `.await`.
//! Each test states the behaviour in its name and shows the trace or values in its body.
//!
//! The wakers these std futures get are `Send + Sync`: woken on the loop's thread they
//! complete the future the task is parked on, woken from another thread they go through
//! the loop's thread-safe queue. Tests that wake from other threads use a `Log` (a trace
//! behind a mutex) instead of `support::Trace`.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use cogen::asyncio::{self, Cancelled, EventLoop, Future, Task};
use cogen::yield_from;
use futures::StreamExt;
use futures::channel::{mpsc as channel_mpsc, oneshot};
use futures::future::poll_fn;

mod support;
use support::{Log, PushOnDrop, entries, new_trace, push};

/// A std future that returns `Pending` at its first poll and, only then, tells `go` (so
/// that whoever waits for `go` wakes it strictly after the task suspended), then returns
/// what `inner` returns.
fn signal_when_pending<F: std::future::Future + Unpin>(
    mut inner: F,
    go: mpsc::Sender<()>,
    log: Log,
) -> impl std::future::Future<Output = F::Output> {
    let mut polls = 0;
    poll_fn(move |cx| {
        polls += 1;
        let polled = Pin::new(&mut inner).poll(cx);
        log.push(format!(
            "poll {polls}: {}",
            if polled.is_ready() {
                "ready"
            } else {
                "pending"
            }
        ));
        if polls == 1 {
            go.send(()).unwrap();
        }
        polled
    })
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn a_oneshot_completed_from_another_thread_wakes_the_coroutine() {
    #[asyncio::coroutine]
    fn receive(log: Log) -> Result<u32, Cancelled> {
        let (tx, rx) = oneshot::channel();
        let (go, wait_for_go) = mpsc::channel();
        let sender = {
            let log = log.clone();
            thread::spawn(move || {
                wait_for_go.recv().unwrap();
                log.push("thread: send 7");
                tx.send(7).unwrap();
            })
        };
        log.push("awaiting");
        let received = yield_from!(asyncio::wrap_future(signal_when_pending(
            rx,
            go,
            log.clone()
        )))?;
        sender.join().unwrap();
        log.push(format!("received {received:?}"));
        Ok(received.unwrap())
    }

    let log = Log::default();
    let lp = EventLoop::new();
    assert_eq!(lp.run_until_complete(receive(log.clone())), Ok(7));
    assert_eq!(
        log.entries(),
        [
            "awaiting",
            "poll 1: pending",
            "thread: send 7",
            "poll 2: ready",
            "received Ok(7)"
        ]
    );
}

#[test]
fn a_ready_std_future_completes_the_await_without_suspending() {
    #[asyncio::coroutine]
    fn add() -> Result<u32, Cancelled> {
        async fn one_plus(x: u32) -> u32 {
            1 + x
        }
        let two = yield_from!(asyncio::wrap_future(one_plus(1)))?;
        let three = yield_from!(asyncio::wrap_future(std::future::ready(3)))?;
        Ok(two + three)
    }

    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(add());
    lp.run_briefly(); // one step: the task ran to its end
    assert_eq!(task.result(), Some(Ok(5)));
}

#[test]
fn an_async_fn_awaits_a_cogen_task_inside_spawn_future() {
    #[asyncio::coroutine]
    fn slow_double(x: u32, trace: support::Trace) -> Result<u32, Cancelled> {
        push(&trace, "coroutine: sleeping");
        yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
        push(&trace, "coroutine: done");
        Ok(2 * x)
    }

    async fn plus_one(task: Task<u32>, trace: support::Trace) -> Result<u32, Cancelled> {
        push(&trace, "async fn: awaiting the task");
        let doubled = (&task).await?; // by reference...
        let again = task.await?; // ...and by value: the result, cloned
        push(&trace, format!("async fn: got {doubled} and {again}"));
        Ok(doubled + 1)
    }

    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(slow_double(21, trace.clone()));
    let spawned = lp.spawn_future(plus_one(task, trace.clone()));
    assert_eq!(lp.run_until_complete(&spawned), Ok(43));
    assert_eq!(lp.time(), Duration::from_secs(1));
    assert_eq!(
        entries(&trace),
        [
            "coroutine: sleeping",
            "async fn: awaiting the task",
            "coroutine: done",
            "async fn: got 42 and 42"
        ]
    );
}

#[test]
fn an_async_block_awaits_a_future_and_sees_its_error() {
    let lp = EventLoop::with_virtual_clock();
    let failing: Future<u32, Cancelled> = lp.create_future();
    let cancelled = lp.spawn_future({
        let failing = failing.clone();
        async move { failing.await }
    });
    lp.run_briefly();
    assert!(failing.cancel());
    assert_eq!(lp.run_until_complete(&cancelled), Err(Cancelled));
    assert!(cancelled.cancelled()); // the async block returned the cancellation: so is it
}

/// Counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn awaiting_a_future_leaves_no_callback_when_dropped_or_repolled_with_another_waker() {
    let lp = EventLoop::with_virtual_clock();
    let fut: Future<u32> = lp.create_future();
    let (first, second, dropped) = (
        Arc::new(CountingWaker::default()),
        Arc::new(CountingWaker::default()),
        Arc::new(CountingWaker::default()),
    );

    let mut awaiting = std::pin::pin!((&fut).into_future());
    let waker = Waker::from(first.clone());
    assert!(
        awaiting
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    assert!(
        awaiting
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    ); // same waker: kept
    let waker = Waker::from(second.clone());
    assert!(
        awaiting
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    ); // replaces `first`

    let mut abandoned = Box::pin(fut.clone().into_future());
    let waker = Waker::from(dropped.clone());
    assert!(
        abandoned
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    drop(abandoned); // its callback goes with it

    fut.set_result(5).unwrap();
    lp.run_until_idle(); // the done callbacks run
    let wakes = |waker: &CountingWaker| waker.0.load(Ordering::SeqCst);
    assert_eq!((wakes(&first), wakes(&second), wakes(&dropped)), (0, 1, 0));
    let waker = Waker::from(second.clone());
    assert_eq!(
        awaiting.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Ready(Ok(5))
    );
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn a_channel_stream_fed_by_another_thread_is_consumed_to_its_end() {
    #[asyncio::coroutine]
    fn sum(mut rx: channel_mpsc::UnboundedReceiver<u32>, log: Log) -> Result<u32, Cancelled> {
        let mut total = 0;
        while let Some(item) = yield_from!(asyncio::wrap_future(rx.next()))? {
            log.push(format!("item {item}"));
            total += item;
        }
        log.push("end");
        Ok(total)
    }

    let (tx, rx) = channel_mpsc::unbounded();
    let feeder = thread::spawn(move || {
        for item in 1..=3 {
            tx.unbounded_send(item).unwrap();
        }
        // `tx` dropped here: the stream ends
    });
    let log = Log::default();
    let lp = EventLoop::new();
    assert_eq!(lp.run_until_complete(sum(rx, log.clone())), Ok(6));
    feeder.join().unwrap();
    assert_eq!(log.entries(), ["item 1", "item 2", "item 3", "end"]);
}

#[test]
fn a_spawned_future_consumes_a_stream_with_await() {
    let lp = EventLoop::with_virtual_clock();
    let (tx, mut rx) = channel_mpsc::unbounded::<&str>();
    let task = lp.spawn_future(async move {
        let mut seen = Vec::new();
        while let Some(word) = rx.next().await {
            seen.push(word);
        }
        Ok::<_, Cancelled>(seen)
    });
    lp.run_briefly(); // the task waits for the first item
    tx.unbounded_send("a").unwrap(); // woken on the loop's thread
    lp.run_briefly();
    tx.unbounded_send("b").unwrap();
    drop(tx);
    assert_eq!(lp.run_until_complete(&task), Ok(vec!["a", "b"]));
}

#[test]
fn cancelling_a_task_waiting_on_a_std_future_drops_that_future() {
    #[asyncio::coroutine]
    fn wait_forever(trace: support::Trace) -> Result<(), Cancelled> {
        let guard = PushOnDrop(trace.clone(), "std future dropped");
        let forever = async move {
            let _guard = guard;
            std::future::pending::<()>().await
        };
        let waited = yield_from!(asyncio::wrap_future(forever));
        push(&trace, format!("coroutine: {waited:?}"));
        waited
    }

    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(wait_forever(trace.clone()));
    lp.run_briefly();
    assert!(entries(&trace).is_empty());
    assert!(task.cancel());
    lp.run_briefly(); // the task resumes: the std future is dropped before the await returns
    assert_eq!(
        entries(&trace),
        ["std future dropped", "coroutine: Err(Cancelled)"]
    );
    assert!(task.cancelled());
}

#[test]
fn cancelling_a_spawned_future_drops_it_and_the_task_completes_cancelled() {
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let guard = PushOnDrop(trace.clone(), "async block dropped");
    let task = lp.spawn_future(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
        Ok::<u32, Cancelled>(1)
    });
    lp.run_briefly();
    assert!(entries(&trace).is_empty());
    assert!(task.cancel());
    assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    assert!(task.cancelled());
    assert_eq!(entries(&trace), ["async block dropped"]);
}

/// A std future that keeps a clone of every waker it is polled with, and is ready once
/// `ready` is set. Counts its polls.
#[derive(Clone, Default)]
struct Stash {
    wakers: Arc<Mutex<Vec<Waker>>>,
    polls: Arc<AtomicUsize>,
    ready: Arc<std::sync::atomic::AtomicBool>,
}

impl Stash {
    fn future(&self) -> impl std::future::Future<Output = usize> + use<> {
        let stash = self.clone();
        poll_fn(move |cx| {
            let polls = stash.polls.fetch_add(1, Ordering::SeqCst) + 1;
            stash.wakers.lock().unwrap().push(cx.waker().clone());
            if stash.ready.load(Ordering::SeqCst) {
                Poll::Ready(polls)
            } else {
                Poll::Pending
            }
        })
    }

    fn wake_all(&self) {
        for waker in self.wakers.lock().unwrap().iter() {
            waker.wake_by_ref();
        }
    }

    fn polls(&self) -> usize {
        self.polls.load(Ordering::SeqCst)
    }
}

#[test]
fn waking_twice_before_the_loop_runs_polls_the_std_future_once() {
    let stash = Stash::default();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(asyncio::wrap_future(stash.future()));
    lp.run_briefly();
    assert_eq!(stash.polls(), 1);
    stash.wake_all();
    stash.wake_all(); // on the loop's thread: the parked future is already done
    lp.run_briefly();
    assert_eq!(stash.polls(), 2); // one step for the two wakes
    assert!(!task.done());
    stash.ready.store(true, Ordering::SeqCst);
    stash.wake_all(); // the waker of poll 1 and of poll 2: the same task, stepped once
    stash.wake_all();
    assert_eq!(lp.run_until_complete(&task), Ok(3));
    assert_eq!(stash.polls(), 3);
}

#[test]
fn wakes_from_another_thread_before_the_loop_runs_step_the_task_once() {
    let stash = Stash::default();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(asyncio::wrap_future(stash.future()));
    lp.run_briefly();
    stash.ready.store(true, Ordering::SeqCst);
    let other = stash.clone();
    thread::spawn(move || {
        other.wake_all();
        other.wake_all();
    })
    .join()
    .unwrap();
    assert_eq!(lp.run_until_complete(&task), Ok(2));
    lp.run_briefly();
    assert_eq!(stash.polls(), 2);
}

#[test]
fn wakers_woken_after_the_task_finished_or_the_loop_dropped_do_nothing() {
    let stash = Stash::default();
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(asyncio::wrap_future(stash.future()));
    lp.run_briefly();
    stash.ready.store(true, Ordering::SeqCst);
    stash.wake_all();
    assert_eq!(lp.run_until_complete(&task), Ok(2));

    // The task finished: its wakers are stale, on this thread and on another.
    stash.wake_all();
    let other = stash.clone();
    thread::spawn(move || other.wake_all()).join().unwrap();
    lp.run_briefly();
    lp.run_briefly();
    assert_eq!(stash.polls(), 2);
    assert_eq!(task.result(), Some(Ok(2)));

    // A second task still waits when the loop is dropped; its wakers outlive the loop and
    // are woken, then dropped, on another thread.
    let pending = Stash::default();
    let waiting = lp.create_task(asyncio::wrap_future(pending.future()));
    lp.run_briefly();
    drop((lp, waiting));
    pending.wake_all();
    let wakers = core::mem::take(&mut *pending.wakers.lock().unwrap());
    thread::spawn(move || {
        for waker in &wakers {
            waker.wake_by_ref();
        }
        drop(wakers);
    })
    .join()
    .unwrap();
    assert_eq!(pending.polls(), 1);
}

#[test]
fn a_std_future_that_keeps_no_waker_and_never_completes_is_a_reported_deadlock() {
    #[asyncio::coroutine]
    fn wait_for_nothing() -> Result<(), Cancelled> {
        yield_from!(asyncio::wrap_future(std::future::pending::<()>()))
    }

    // `pending()` drops the waker it is polled with: nothing can wake the task.
    let lp = EventLoop::with_virtual_clock();
    let message = support::expect_panic(|| lp.run_until_complete(wait_for_nothing()));
    assert!(
        message.starts_with("deadlock: the event loop has nothing left to run"),
        "{message}"
    );
}

#[test]
fn a_std_future_that_wakes_itself_lets_the_other_tasks_run_between_its_polls() {
    #[asyncio::coroutine]
    fn counter(trace: support::Trace) -> Result<(), Cancelled> {
        for i in 0..3 {
            push(&trace, format!("counter {i}"));
            yield_from!(asyncio::yield_now())?;
        }
        Ok(())
    }

    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let spinner = {
        let trace = trace.clone();
        let mut polls = 0;
        poll_fn(move |cx: &mut Context<'_>| {
            polls += 1;
            push(&trace, format!("spinner poll {polls}"));
            cx.waker().wake_by_ref(); // yield-now style: ready to be polled again at once
            Poll::<()>::Pending
        })
    };
    let spinning = lp.create_task(asyncio::wrap_future(spinner));
    let counting = lp.create_task(counter(trace.clone()));
    lp.run_until_complete(&counting).unwrap();
    assert!(spinning.cancel());
    lp.run_briefly();
    assert!(spinning.cancelled());
    assert_eq!(
        entries(&trace),
        [
            "spinner poll 1",
            "counter 0",
            "spinner poll 2",
            "counter 1",
            "spinner poll 3",
            "counter 2",
            "spinner poll 4"
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn a_virtual_clock_loop_waits_for_real_for_a_std_future_woken_by_another_thread() {
    #[asyncio::coroutine]
    fn receive(rx: oneshot::Receiver<&'static str>) -> Result<&'static str, Cancelled> {
        let received = yield_from!(asyncio::wrap_future(rx))?;
        Ok(received.unwrap())
    }

    let (tx, rx) = oneshot::channel();
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        tx.send("late").unwrap();
    });
    let lp = EventLoop::with_virtual_clock();
    // Nothing is ready and no timer is set, but the std future's waker is out: the loop
    // waits in its poller until the thread wakes it, rather than report a deadlock.
    assert_eq!(lp.run_until_complete(receive(rx)), Ok("late"));
    sender.join().unwrap();
    assert_eq!(lp.time(), Duration::ZERO); // no timer: the virtual clock did not move
}

#[test]
#[cfg_attr(miri, ignore = "async-io runs the OS poller and sockets")]
fn async_io_sockets_and_timers_run_on_the_cogen_loop() {
    use async_io::{Async, Timer};
    use futures::{AsyncReadExt, AsyncWriteExt};
    use std::net::{TcpListener, TcpStream};

    #[asyncio::coroutine]
    fn echo_once(log: Log) -> Result<Vec<u8>, Cancelled> {
        let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], 0)).unwrap();
        let address = listener.get_ref().local_addr().unwrap();
        let server = asyncio::spawn_future(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut line = [0; 5];
            stream.read_exact(&mut line).await.unwrap();
            stream.write_all(&line).await.unwrap();
            Ok::<_, Cancelled>(())
        });
        yield_from!(asyncio::wrap_future(Timer::after(Duration::from_millis(
            10
        ))))?;
        log.push("timer fired");
        let mut client =
            yield_from!(asyncio::wrap_future(Async::<TcpStream>::connect(address)))?.unwrap();
        yield_from!(asyncio::wrap_future(client.write_all(b"hello")))?.unwrap();
        let mut echoed = Vec::new();
        yield_from!(asyncio::wrap_future(client.read_to_end(&mut echoed)))?.unwrap();
        log.push("echoed");
        yield_from!(&server)?;
        Ok(echoed)
    }

    let log = Log::default();
    assert_eq!(asyncio::run(echo_once(log.clone())), Ok(b"hello".to_vec()));
    assert_eq!(log.entries(), ["timer fired", "echoed"]);
}

#[test]
fn yield_from_awaits_a_std_future_in_a_coroutine_without_wrapping_it() {
    #[asyncio::coroutine]
    fn main_coro(trace: support::Trace) -> Result<u32, Cancelled> {
        async fn answer() -> u32 {
            42
        }
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = asyncio::create_task(asyncio::wrap_future(async move {
            tx.send(1).unwrap();
        }));
        let one = yield_from!(rx)?.unwrap(); // a channel's receiver
        let answer = yield_from!(answer())?; // an async fn's future
        yield_from!(&sender)?;
        push(&trace, format!("{one} {answer}"));
        Ok(one + answer)
    }

    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(main_coro(trace.clone())), Ok(43));
    assert_eq!(entries(&trace), ["1 42"]);
}

#[test]
fn spawn_future_outside_a_running_loop_panics_at_the_callers_line() {
    let (message, line) =
        support::expect_panic_at(|| asyncio::spawn_future(async { Ok::<(), Cancelled>(()) }));
    assert_eq!(line, line!() - 1);
    assert!(
        message.starts_with("spawn_future needs a running event loop"),
        "{message}"
    );
}
