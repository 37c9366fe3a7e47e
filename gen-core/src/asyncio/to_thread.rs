//! `asyncio::to_thread`: a blocking function run on a thread pool while the loop goes on,
//! awaited by a coroutine (Python's `await asyncio.to_thread(func)`).
//!
//! The pool is the `blocking` crate's (threads started on demand and stopped when idle); the
//! wait is a [`WrapFuture`] of the pool's task, so the task is woken through its thread-safe
//! waker when the function returns, and the loop waits in its poller meanwhile.

use alloc::boxed::Box;
use core::fmt;
use core::future::Future as StdFuture;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::std_future::{WrapFuture, wrap_future};
use super::{Cancelled, Resume, Suspend};
use crate::{Generator, GeneratorState, Status};

/// Run the blocking function `f` on a thread of a pool and wait for its result without
/// blocking the loop (Python: `await asyncio.to_thread(f)`): other tasks run meanwhile.
///
/// As in Python, `f` is handed to the pool when the awaitable first runs, not when
/// `to_thread` is called. The wait is `Ok(f())`, or `Err(Cancelled)` when the awaiting task
/// is cancelled first. A thread cannot be stopped: cancelled before `f` starts, `f` never
/// runs; cancelled while it runs, it runs to the end on its thread and its result is dropped
/// there, unless the process ends first: the loop does not wait for it (Python's
/// `asyncio.run` waits for its executor before it returns; here, `run` returns while such an
/// `f` may still run). If `f` panics, the panic resumes in the awaiting task, at the `yield_from!` (where
/// Python re-raises the exception).
///
/// The pool starts threads as they are needed (up to 500, or `BLOCKING_MAX_THREADS`) and
/// stops those idle for a while; `f` runs on one of them, never on the loop's thread.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled};
/// use std::time::Duration;
///
/// fn checksum(data: Vec<u8>) -> u32 {
///     std::thread::sleep(Duration::from_millis(10)); // blocking work
///     data.iter().map(|&b| u32::from(b)).sum()
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<u32, Cancelled> {
///     let sum = yield_from!(asyncio::to_thread(|| checksum(vec![1, 2, 3])))?;
///     Ok(sum)
/// }
///
/// assert_eq!(asyncio::run(main_coro()), Ok(6));
/// ```
///
/// # Panics
/// When started or resumed outside a running loop.
pub fn to_thread<F, T>(f: F) -> ToThread<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    ToThread(wrap_future(Unblock {
        function: Some(Box::new(f)),
        task: None,
    }))
}

/// The awaitable of [`to_thread`]: a coroutine's wait for a function running on the pool.
///
/// It can also be a task of its own:
///
/// ```
/// use cogen::asyncio::{self, EventLoop};
///
/// let lp = EventLoop::new();
/// let task = lp.create_task(asyncio::to_thread(|| 6 * 7));
/// assert_eq!(lp.run_until_complete(&task), Ok(42));
/// ```
pub struct ToThread<T: 'static>(WrapFuture<Unblock<T>>);

/// Hands the function to the pool at its first poll (so that nothing runs before the
/// awaitable does), then waits for the pool's task. Dropping it drops the pool's task,
/// which cancels the function if it has not started.
struct Unblock<T> {
    function: Option<Box<dyn FnOnce() -> T + Send>>,
    task: Option<blocking::Task<T>>,
}

impl<T: Send + 'static> StdFuture for Unblock<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = &mut *self;
        if let Some(function) = this.function.take() {
            this.task = Some(blocking::unblock(function));
        }
        let task = this.task.as_mut().expect("polled after it returned");
        // The pool's task propagates a panic of the function: it resumes here.
        Pin::new(task).poll(cx)
    }
}

impl<T: Send + 'static> Generator<Resume> for ToThread<T> {
    type Yield = Suspend;
    type Return = Result<T, Cancelled>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Self::Return> {
        Pin::new(&mut self.get_mut().0).start()
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Self::Return> {
        Pin::new(&mut self.get_mut().0).resume(arg)
    }

    fn close(self: Pin<&mut Self>) {
        Pin::new(&mut self.get_mut().0).close();
    }

    fn status(&self) -> Status {
        self.0.status()
    }
}

impl<T: 'static> fmt::Debug for ToThread<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ToThread").field(&self.0).finish()
    }
}
