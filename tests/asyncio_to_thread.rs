//! `asyncio::to_thread(f)`: a blocking function runs on a pool thread while the loop runs
//! other tasks (Python's `await asyncio.to_thread(f)`). Each test states the behaviour in
//! its name and shows the trace in its body. The pool's threads write to a `Log` (a trace
//! behind a mutex); every wait on another thread is bounded, so a broken pool fails the
//! test instead of hanging it.

use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use cogen::asyncio::{self, Cancelled, EventLoop};
use cogen::yield_from;
use futures::channel::oneshot;

mod support;
use support::{Log, expect_panic};

/// Long enough for any step of these tests on a loaded machine; reached only if broken.
const BOUND: Duration = Duration::from_secs(20);

/// Pushes its name to the log when dropped, on whichever thread drops it.
struct PushOnDrop(Log, &'static str);

impl Drop for PushOnDrop {
    fn drop(&mut self) {
        self.0.push(self.1);
    }
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn the_function_blocks_on_a_pool_thread_while_the_loop_runs_other_tasks() {
    #[asyncio::coroutine]
    fn release(go: mpsc::Sender<()>, log: Log) -> Result<(), Cancelled> {
        log.push("other task runs");
        go.send(()).unwrap();
        Ok(())
    }

    #[asyncio::coroutine]
    fn main_coro(log: Log) -> Result<bool, Cancelled> {
        let (go, wait) = mpsc::channel();
        let loop_thread = thread::current().id();
        let blocked = log.clone();
        let other = asyncio::create_task(release(go, log.clone()));
        let on_other_thread = yield_from!(asyncio::to_thread(move || {
            blocked.push("function waits");
            wait.recv_timeout(BOUND).expect("the other task never ran");
            blocked.push("function returns");
            thread::current().id() != loop_thread
        }))?;
        yield_from!(&other)?;
        Ok(on_other_thread)
    }

    let log = Log::default();
    assert_eq!(asyncio::run(main_coro(log.clone())), Ok(true));
    let entries = log.entries();
    // The function may start before or after the other task runs; it returns after.
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[2], "function returns");
    assert!(entries.contains(&"function waits".to_string()));
    assert!(entries.contains(&"other task runs".to_string()));
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn the_function_is_not_handed_to_the_pool_before_the_awaitable_runs() {
    #[asyncio::coroutine]
    fn main_coro(log: Log) -> Result<u32, Cancelled> {
        let never_awaited = {
            let (log, guard) = (
                log.clone(),
                PushOnDrop(log.clone(), "unrun function dropped"),
            );
            asyncio::to_thread(move || {
                let _guard = guard;
                log.push("unawaited function ran");
            })
        };
        let (log_a, log_b) = (log.clone(), log.clone());
        let awaited = asyncio::to_thread(move || {
            log_a.push("awaited function ran");
            7
        });
        log_b.push("both made");
        thread::sleep(Duration::from_millis(50)); // time the pool would have had to run them
        drop(never_awaited);
        yield_from!(awaited)
    }

    let log = Log::default();
    assert_eq!(asyncio::run(main_coro(log.clone())), Ok(7));
    assert_eq!(
        log.entries(),
        [
            "both made",
            "unrun function dropped",
            "awaited function ran"
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn a_cancelled_wait_leaves_the_function_running_and_its_result_is_dropped_on_its_thread() {
    #[asyncio::coroutine]
    fn worker(
        started: oneshot::Sender<()>,
        finish: mpsc::Receiver<()>,
        log: Log,
    ) -> Result<(), Cancelled> {
        let _result = yield_from!(asyncio::to_thread(move || {
            log.push("function started");
            started.send(()).unwrap();
            finish.recv_timeout(BOUND).expect("never told to finish");
            log.push("function returns");
            PushOnDrop(log, "result dropped")
        }))?;
        unreachable!("the wait was cancelled");
    }

    #[asyncio::coroutine]
    fn main_coro(log: Log) -> Result<(), Cancelled> {
        let (started, has_started) = oneshot::channel();
        let (finish, finish_rx) = mpsc::channel();
        let task = asyncio::create_task(worker(started, finish_rx, log.clone()));
        yield_from!(has_started)?.unwrap();
        task.cancel();
        let cancelled = yield_from!(&task);
        assert_eq!(cancelled, Err(Cancelled));
        log.push("task cancelled");
        finish.send(()).unwrap();
        Ok(())
    }

    let log = Log::default();
    assert_eq!(asyncio::run(main_coro(log.clone())), Ok(()));
    // The function runs to its end on its thread, after the task was cancelled.
    let deadline = std::time::Instant::now() + BOUND;
    while log.entries().len() < 4 && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        log.entries(),
        [
            "function started",
            "task cancelled",
            "function returns",
            "result dropped"
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn a_panic_in_the_function_resumes_in_the_awaiting_task() {
    #[asyncio::coroutine]
    fn main_coro() -> Result<(), Cancelled> {
        yield_from!(asyncio::to_thread(|| -> () { panic!("disk on fire") }))?;
        unreachable!("the function panicked");
    }

    assert_eq!(expect_panic(|| asyncio::run(main_coro())), "disk on fire");
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn functions_awaited_together_run_at_the_same_time_on_the_pool() {
    const N: usize = 4;

    /// Returns once `N` threads are inside it at the same time.
    fn meet(arrived: &(Mutex<usize>, Condvar)) -> usize {
        let (count, all_here) = arrived;
        let mut count = count.lock().unwrap();
        *count += 1;
        let (count, timeout) = all_here
            .wait_timeout_while(count, BOUND, |count| *count < N)
            .unwrap();
        assert!(!timeout.timed_out(), "only {} of {N} ran at once", *count);
        all_here.notify_all();
        *count
    }

    #[asyncio::coroutine]
    fn main_coro() -> Result<Vec<usize>, Cancelled> {
        let arrived = Arc::new((Mutex::new(0), Condvar::new()));
        let waits: Vec<_> = (0..N)
            .map(|_| {
                let arrived = arrived.clone();
                asyncio::to_thread(move || meet(&arrived))
            })
            .collect();
        yield_from!(asyncio::gather(waits))
    }

    assert_eq!(asyncio::run(main_coro()), Ok(vec![N; N]));
}

#[test]
#[cfg_attr(miri, ignore = "miri cannot run the OS poller the loop waits in")]
fn a_to_thread_is_a_task_of_its_own_on_a_virtual_clock_loop_too() {
    let lp = EventLoop::with_virtual_clock();
    let task = lp.create_task(asyncio::to_thread(|| {
        thread::sleep(Duration::from_millis(20));
        "slept"
    }));
    assert_eq!(lp.run_until_complete(&task), Ok("slept"));
}
