//! A small asyncio: a selector event loop, futures, tasks, `sleep`, `gather`, locks,
//! events, conditions, semaphores, barriers, queues, timeouts, `wait`, `shield`, task
//! groups, TCP streams and `to_thread`, in which a coroutine awaits by `yield_from!`. It shows that
//! Python's `await` is sugar over `yield from`: an awaitable is a generator that yields to
//! the event loop until it can return its value.
//!
//! | Python | here |
//! | --- | --- |
//! | `async def f() -> T` | `#[asyncio::coroutine] fn f() -> Result<T, E>` (a `#[generator(yield = Suspend, send = Resume)]`) |
//! | `await coro` / `await fut` / `await task` | `yield_from!(coro)` / `yield_from!(&fut)` / `yield_from!(&task)` |
//! | `asyncio.run(main())` | [`run(main())`](run) |
//! | `loop.run_until_complete(aw)`, `loop.run_forever()`, `loop.stop()`, `loop.is_running()` | [`EventLoop::run_until_complete`], [`EventLoop::run_forever`], [`EventLoop::stop`], [`EventLoop::is_running`] |
//! | `loop.call_soon(cb)`, `call_later(d, cb)`, `call_at(when, cb)` | [`EventLoop::call_soon`], [`EventLoop::call_later`], [`EventLoop::call_at`] |
//! | `asyncio.sleep(d)` | [`sleep(d)`](sleep) |
//! | `asyncio.create_task(c)` | [`create_task(c)`](create_task) |
//! | `asyncio.gather(a, b)` / `return_exceptions=True` | [`gather([a, b])`](gather) / [`gather_results`]; of different types: [`gather_tuple((a, b))`](gather_tuple) |
//! | `loop.create_future()`, `Future` | [`EventLoop::create_future`], [`Future`] |
//! | `asyncio.Semaphore(n)` | [`Semaphore::new(n)`](Semaphore::new) |
//! | `asyncio.Lock()`, `Event()`, `Condition()` | [`Lock::new()`](Lock::new), [`Event::new()`](Event::new), [`Condition::new()`](Condition::new) |
//! | `async with lock:` (or a semaphore, a condition) | [`let _held = yield_from!(lock.hold())?;`](Lock::hold): a [`Guard`] that releases when dropped |
//! | `asyncio.Barrier(n)`, `BrokenBarrierError` | [`Barrier::new(n)`](Barrier::new), [`BarrierError::Broken`] |
//! | `asyncio.Queue(maxsize)`, `LifoQueue`, `PriorityQueue` | [`Queue::with_maxsize(n)`](Queue::with_maxsize) ([`Queue::new()`](Queue::new): unbounded), [`LifoQueue`], [`PriorityQueue`] |
//! | `QueueFull`, `QueueEmpty` | [`QueueFull`], [`QueueEmpty`] |
//! | `asyncio.wait_for(aw, timeout)`, `TimeoutError` | [`wait_for(aw, Some(timeout))`](wait_for), [`TimeoutError`] (for the streams' waits, an [`IoError`] of kind `TimedOut`) |
//! | `async with asyncio.timeout(d) as cm: body`, `timeout_at(when)` | [`let cm = timeout(Some(d))`](timeout), [`yield_from!(cm.run(body))`](Timeout::run), [`timeout_at(Some(when))`](timeout_at) |
//! | `asyncio.wait(fs, timeout, return_when)` | [`wait(fs, timeout, ReturnWhen::..)`](wait) -> `(done, pending)` |
//! | `for aw in asyncio.as_completed(fs): await aw` | [`for aw in as_completed(fs, None) { yield_from!(aw) }`](as_completed) (the error type needs `From<TimeoutError>`) |
//! | `asyncio.shield(aw)` | [`shield(aw)`](shield) |
//! | `asyncio.current_task()`, `asyncio.all_tasks()` | [`current_task()`](current_task), [`all_tasks()`](all_tasks) ([`AnyTask`]) |
//! | `task.get_name()`, `task.set_name(n)`, `create_task(c, name=n)` | [`Task::get_name`], [`Task::set_name`] (and on [`AnyTask`]); `create_task(c)` then `set_name` |
//! | `async with asyncio.TaskGroup() as tg: body` | [`yield_from!(TaskGroup::run(\|tg\| body(tg)))`](TaskGroup::run) |
//! | `CancelledError` | [`Cancelled`] |
//! | `loop.add_reader(fd, cb)`, `add_writer`, `remove_*` | [`EventLoop::add_reader`], [`EventLoop::add_writer`], [`EventLoop::remove_reader`], [`EventLoop::remove_writer`] |
//! | `loop.add_signal_handler(sig, cb)`, `remove_signal_handler`, `signal.raise_signal` (Unix) | [`EventLoop::add_signal_handler`], [`EventLoop::remove_signal_handler`], [`signal::raise_signal`] |
//! | `loop.call_soon_threadsafe(cb)` | [`EventLoop::threadsafe_handle`], [`ThreadsafeHandle::call_soon_threadsafe`] |
//! | `await asyncio.wrap_future(f)`: await a Rust `std::future::Future` | `yield_from!(fut)`, or [`yield_from!(wrap_future(fut))`](wrap_future) |
//! | a std future as a task, awaiting tasks and futures with `.await` | [`spawn_future(fut)`](spawn_future), `task.await` / `fut.await` ([`FutureAwait`]) |
//! | `await asyncio.to_thread(func)`, `loop.run_in_executor(None, func)` | [`yield_from!(to_thread(func))`](to_thread) |
//! | `asyncio.open_connection(host, port)`, `start_server(cb, host, port)` | `open_connection(addr)`, `start_server(cb, addr)` |
//! | `asyncio.open_unix_connection(path)`, `start_unix_server(cb, path)` (Unix) | `open_unix_connection(path)`, `start_unix_server(cb, path)` |
//! | `StreamReader`, `StreamWriter`, `Server` | `StreamReader`, `StreamWriter`, `Server` |
//! | `IncompleteReadError`, `LimitOverrunError`, `OSError` | `IncompleteReadError`, `LimitOverrunError`, `IoError` |
//!
//! A coroutine yields [`Suspend`] (only this module can make one, so a coroutine cannot
//! yield anything the loop would not understand: Python's "Task got bad yield" cannot
//! happen) and is resumed with [`Resume`]: `Ok(())` to go on, or `Err(Cancelled)` when its
//! task is cancelled, which the awaitable it is suspended in returns as its error. So
//! cancellation arrives where the coroutine is suspended, and `?` propagates it:
//!
//! ```
//! use std::time::Duration;
//! use cogen::{generator, yield_from};
//! use cogen::asyncio::{self, Cancelled, Resume, Suspend};
//!
//! #[generator(yield = Suspend, send = Resume)]
//! fn double_later(x: u32) -> Result<u32, Cancelled> {
//!     yield_from!(asyncio::sleep(Duration::from_millis(10)))?;
//!     Ok(2 * x)
//! }
//!
//! #[generator(yield = Suspend, send = Resume)]
//! fn main_coro() -> Result<Vec<u32>, Cancelled> {
//!     let first = asyncio::create_task(double_later(1));
//!     let both = asyncio::gather([double_later(2), double_later(3)]);
//!     let one = yield_from!(&first)?;
//!     let mut all = yield_from!(&both)?;
//!     all.insert(0, one);
//!     Ok(all)
//! }
//!
//! assert_eq!(asyncio::run(main_coro()), Ok(vec![2, 4, 6]));
//! ```
//!
//! The loop is single-threaded, like asyncio's: futures and tasks are `Rc` handles, and the
//! free functions ([`sleep`], [`create_task`], [`gather`], ...) find the loop that is
//! running on the current thread. Its clock is real ([`EventLoop::new`], [`run`]) or virtual
//! ([`EventLoop::with_virtual_clock`]: when nothing is ready, time jumps to the next timer,
//! so tests of timing run instantly and exactly).
//!
//! Errors: a [`Future<T, E>`](Future) completes with a `T`, fails with an `E`, or is
//! cancelled; `E` must be able to say "cancelled" ([`AsyncError`]), which [`Cancelled`]
//! itself does. A task's coroutine returns `Result<T, E>`: `Ok` is its result, an `Err`
//! that [`is_cancelled`](AsyncError::is_cancelled) cancels the task, any other `Err` fails
//! it. Awaiting a future or task clones its result (Python shares one object between all
//! awaiters), so `T` and `E` are `Clone`; share big results through `Rc`.
//!
//! A panic in a coroutine or callback propagates out of the loop's `run*` method that ran
//! it; the panicking task never completes, unless it is cancelled (which then wakes what
//! awaits it with `Err(Cancelled)`).
//!
//! A loop dropped with tasks still pending closes them: their coroutines are dropped, so
//! their locals' destructors run (Python closes a pending coroutine when its task is
//! collected). [`run`] first cancels the tasks left when `main` returns and runs them until
//! they finish, as Python's `asyncio.run` does. The handles
//! made by [`EventLoop::new`] and [`EventLoop::with_virtual_clock`] (and their clones) own
//! the loop; a handle from [`get_running_loop`], which a coroutine may keep, does not: when
//! the last owner is dropped, the loop is closed even if pending tasks hold such handles.

mod async_gen;
mod barrier;
mod event_loop;
mod future;
mod gather;
mod guard;
mod leaf;
mod locks;
mod queues;
mod selector;
mod semaphore;
#[cfg(unix)]
mod signals;
mod std_future;
mod streams;
mod task;
mod taskgroup;
mod timeout;
mod to_thread;
mod wait;

use alloc::rc::Rc;
use core::fmt;

pub use crate::GeneratorExit;
#[doc(hidden)]
pub use async_gen::private as __async_gen;
pub use async_gen::{AsyncGen, AsyncGenError, Close, Step};
pub use barrier::{Barrier, BarrierError, BarrierWait};
pub use event_loop::{EventLoop, ThreadsafeHandle, TimerHandle, all_tasks, get_running_loop, run};
pub use future::{CallbackId, Future, InvalidState};
pub use gather::{GatherTuple, gather, gather_results, gather_tuple};
pub use guard::{Guard, Hold, Releasable};
pub use leaf::{Await, Sleep, YieldNow, sleep, yield_now};
pub use locks::{Condition, ConditionWait, ConditionWaitFor, Event, EventWait, Lock, LockAcquire};
pub use queues::{Get, Join, LifoQueue, PriorityQueue, Put, Queue, QueueEmpty, QueueFull};
pub use selector::AsSource;
pub use semaphore::{Acquire, Semaphore};
#[cfg(unix)]
pub use signals::signal;
pub use std_future::{FutureAwait, WrapFuture, spawn_future, wrap_future};
pub use streams::{
    DEFAULT_LIMIT, IncompleteReadError, IoError, IoWait, LimitOverrunError, Server, StreamReader,
    StreamWriter, open_connection, start_server,
};
#[cfg(unix)]
pub use streams::{open_unix_connection, start_unix_server};
pub use task::{AnyTask, Task, create_task, current_task};
pub use taskgroup::{TaskGroup, TaskGroupRun};
pub use timeout::{
    CanTimeOut, Timeout, TimeoutError, TimeoutRun, WaitFor, timeout, timeout_at, wait_for,
};
pub use to_thread::{ToThread, to_thread};
pub use wait::{
    AsCompleted, AsFuture, NextCompleted, ReturnWhen, WaitFutures, as_completed, shield, wait,
};

use future::Waitable;

/// Python's `CancelledError`: the future or task was cancelled.
///
/// ```
/// use cogen::asyncio::{AsyncError, Cancelled};
/// assert!(Cancelled.is_cancelled());
/// assert_eq!(Cancelled.to_string(), "cancelled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// An error a [`Future`] or [`Task`] can fail with: one of its values means "cancelled",
/// so that cancelling a future can store it and a task can tell that its coroutine was
/// cancelled rather than failed.
///
/// Implement it for your own error type to let coroutines fail with it:
///
/// ```
/// use cogen::asyncio::{AsyncError, Cancelled};
///
/// #[derive(Debug, Clone, PartialEq)]
/// enum FetchError {
///     Cancelled,
///     NotFound(String),
/// }
///
/// impl From<Cancelled> for FetchError {
///     fn from(_: Cancelled) -> Self {
///         FetchError::Cancelled
///     }
/// }
///
/// impl AsyncError for FetchError {
///     fn is_cancelled(&self) -> bool {
///         matches!(self, FetchError::Cancelled)
///     }
/// }
///
/// assert!(FetchError::from(Cancelled).is_cancelled());
/// ```
pub trait AsyncError: From<Cancelled> {
    /// Whether this error is a cancellation: what lets [`Future::cancelled`], `gather` and
    /// [`TaskGroup`] tell a cancelled task from a failed one.
    ///
    /// ```
    /// use cogen::asyncio::{AsyncError, Cancelled, TimeoutError};
    ///
    /// #[derive(Debug)]
    /// enum Error {
    ///     Cancelled,
    ///     TimedOut,
    /// }
    /// impl From<Cancelled> for Error {
    ///     fn from(_: Cancelled) -> Error {
    ///         Error::Cancelled
    ///     }
    /// }
    /// impl From<TimeoutError> for Error {
    ///     fn from(_: TimeoutError) -> Error {
    ///         Error::TimedOut
    ///     }
    /// }
    /// impl AsyncError for Error {
    ///     fn is_cancelled(&self) -> bool {
    ///         matches!(self, Error::Cancelled)
    ///     }
    /// }
    ///
    /// assert!(Cancelled.is_cancelled());
    /// assert!(Error::from(Cancelled).is_cancelled());
    /// assert!(!Error::from(TimeoutError).is_cancelled()); // a failure, not a cancellation
    /// ```
    fn is_cancelled(&self) -> bool;
}

impl AsyncError for Cancelled {
    fn is_cancelled(&self) -> bool {
        true
    }
}

/// What a coroutine is resumed with: `Ok(())`, or `Err(Cancelled)` when its task is
/// cancelled while it is suspended. The `send` type of every coroutine.
///
/// The awaitables hand it on: a cancelled wait returns `Err(Cancelled)`, which `?`
/// carries up the chain of coroutines.
///
/// ```
/// use cogen::Generator;
/// use cogen::asyncio::{self, Cancelled, Resume};
///
/// let mut pause = std::pin::pin!(asyncio::yield_now());
/// pause.as_mut().start(); // suspended, as its task would see it
/// let cancelled: Resume = Err(Cancelled);
/// assert_eq!(pause.as_mut().resume(cancelled).complete(), Some(Err(Cancelled)));
/// ```
pub type Resume = Result<(), Cancelled>;

/// What a coroutine yields to its task: a request to be resumed later, made only by the
/// awaitables of this module ([`sleep`], [`yield_now`], awaiting a [`Future`] or [`Task`],
/// and the waits of the locks and queues: [`Semaphore::acquire`], [`Lock::acquire`],
/// [`Event::wait`], [`Condition::wait`], [`Queue::get`], ...). The `yield` type of every coroutine.
///
/// ```
/// use cogen::Generator;
/// use cogen::asyncio::yield_now;
///
/// let mut step = std::pin::pin!(yield_now());
/// let suspend = step.as_mut().start().yielded().unwrap();
/// assert_eq!(format!("{suspend:?}"), "Suspend(Reschedule)");
/// ```
pub struct Suspend(pub(crate) Wait);

pub(crate) enum Wait {
    /// Run me again on the next tick (`sleep(0)`).
    Reschedule,
    /// Resume me when this future is done.
    On(Rc<dyn Waitable>),
}

impl fmt::Debug for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Wait::Reschedule => f.write_str("Suspend(Reschedule)"),
            Wait::On(_) => f.write_str("Suspend(Wait)"),
        }
    }
}

/// Something a task can wait for: what `gather`, [`EventLoop::run_until_complete`] and
/// [`run`] accept (Python's `ensure_future`): a coroutine (made a [`Task`] on the loop), a
/// [`Task`] or a [`Future`], by value or by reference.
///
/// A coroutine is a generator with `yield = Suspend`, `send = Resume` and
/// `Return = Result<T, E>`.
///
/// ```
/// use cogen::asyncio::{Awaitable, Cancelled, EventLoop, Future};
///
/// let lp = EventLoop::new();
/// let fut: Future<u32> = lp.create_future();
/// let same: Future<u32> = (&fut).ensure_future(&lp);
/// fut.set_result(7).unwrap();
/// assert_eq!(same.result(), Some(Ok(7)));
/// ```
pub trait Awaitable<T, E> {
    /// The future to wait for: a coroutine is scheduled as a task on `event_loop`.
    ///
    /// ```
    /// use cogen::asyncio::{self, Awaitable, Cancelled, EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let scheduled: Future<(), Cancelled> = asyncio::yield_now().ensure_future(&lp);
    /// assert!(!scheduled.done()); // a task now, not run yet
    /// lp.run_until_idle();
    /// assert_eq!(scheduled.result(), Some(Ok(())));
    /// ```
    fn ensure_future(self, event_loop: &EventLoop) -> Future<T, E>;

    /// The loop this is bound to, if it is a future or task (for `gather` outside a
    /// running loop). Not public API.
    #[doc(hidden)]
    fn __event_loop(&self) -> Option<EventLoop> {
        None
    }
}
