//! `shield`, `wait` and `as_completed`: Python's ways to wait for several futures at once.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use core::pin::Pin;
use std::time::Duration;

use super::event_loop::{TimerHandle, get_running_loop, running_loop};
use super::future::Future;
use super::leaf::{Await, once};
use super::queues::{Get, Queue};
use super::task::Task;
use super::{AsyncError, Awaitable, CanTimeOut, Cancelled, Resume, Suspend, TimeoutError};
use crate::state::misuse;
use crate::{Generator, GeneratorState, IntoGenerator, Status};

/// A [`Future`] or a [`Task`]: what [`wait`] and [`as_completed`] take, and hand back.
///
/// ```
/// use cogen::asyncio::{AsFuture, Cancelled, EventLoop, Future};
///
/// let lp = EventLoop::new();
/// let fut: Future<u32> = lp.create_future();
/// assert!(!fut.as_future().done());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Future` or `Task` handle that `wait` and `as_completed` can hand back",
    label = "expected a `Future` or a `Task`, by value",
    note = "pass the handles themselves (they are cheap `Rc` clones): `[task.clone()]`, not `[&task]`; a coroutine must be made a task first (`asyncio::create_task`)"
)]
pub trait AsFuture: Clone + 'static {
    /// The future's value.
    type Output: 'static;
    /// The future's error.
    type Error: 'static;
    /// The future itself (a task's future).
    ///
    /// ```
    /// use cogen::asyncio::{self, AsFuture, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let task = lp.create_task(asyncio::yield_now());
    /// let fut = task.as_future().clone(); // the task's own future: done when the task is
    /// lp.run_until_complete(&task).unwrap();
    /// assert!(fut.done());
    /// ```
    fn as_future(&self) -> &Future<Self::Output, Self::Error>;
}

impl<T: 'static, E: 'static> AsFuture for Future<T, E> {
    type Output = T;
    type Error = E;
    fn as_future(&self) -> &Future<T, E> {
        self
    }
}

impl<T: 'static, E: 'static> AsFuture for Task<T, E> {
    type Output = T;
    type Error = E;
    fn as_future(&self) -> &Future<T, E> {
        self.future()
    }
}

/// Protect `awaitable` from cancellation (Python: `asyncio.shield(aw)`): a new future that
/// gets `awaitable`'s outcome; cancelling it (as cancelling the task that awaits it does)
/// leaves `awaitable` running. A coroutine is scheduled as a task; an awaitable already
/// done is returned as it is.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// #[asyncio::coroutine]
/// fn precious() -> Result<u32, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(2)))?;
///     Ok(42)
/// }
///
/// #[asyncio::coroutine]
/// fn waiter(inner: asyncio::Task<u32>) -> Result<u32, Cancelled> {
///     yield_from!(&asyncio::shield(&inner))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let inner = lp.create_task(precious());
/// let outer = lp.create_task(waiter(inner.clone()));
/// lp.run_briefly();
/// outer.cancel();
/// assert_eq!(lp.run_until_complete(&outer), Err(Cancelled));
/// assert_eq!(lp.run_until_complete(&inner), Ok(42)); // it was not cancelled
/// ```
///
/// # Panics
/// If no loop is running and `awaitable` is not a future or task of a loop; if it is one
/// of another loop (Python: ValueError).
#[track_caller]
pub fn shield<A, T, E>(awaitable: A) -> Future<T, E>
where
    A: Awaitable<T, E>,
    T: Clone + 'static,
    E: AsyncError + Clone + 'static,
{
    let event_loop = match get_running_loop().or_else(|| awaitable.__event_loop()) {
        Some(event_loop) => event_loop,
        None => panic!(
            "asyncio::shield needs a running event loop (or a future or task of one): call \
             it from a coroutine"
        ),
    };
    let inner = awaitable.ensure_future(&event_loop);
    inner.expect_on(&event_loop, "asyncio::shield");
    if inner.done() {
        return inner;
    }
    let outer: Future<T, E> = event_loop.create_future();
    let to_outer = outer.clone();
    let callback = inner.on_done(move |inner| {
        if to_outer.done() {
            return;
        }
        let _ = match inner.result() {
            Some(Ok(value)) => to_outer.set_result(value),
            Some(Err(error)) if error.is_cancelled() => {
                to_outer.cancel();
                Ok(())
            }
            Some(Err(error)) => to_outer.set_exception(error),
            None => Ok(()),
        };
    });
    outer.on_done(move |_| {
        inner.remove_done_callback(callback);
    });
    outer
}

/// When [`wait`] returns (Python: `asyncio.FIRST_COMPLETED`, `FIRST_EXCEPTION`,
/// `ALL_COMPLETED`).
///
/// ```
/// use cogen::asyncio::ReturnWhen;
/// assert_ne!(ReturnWhen::FirstCompleted, ReturnWhen::AllCompleted);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as one future is done (or cancelled).
    FirstCompleted,
    /// As soon as one future fails with an error other than a cancellation, or when all
    /// are done.
    FirstException,
    /// When all are done.
    AllCompleted,
}

/// Wait for `futures` (futures or tasks) until `return_when` says, or `timeout` passes
/// (Python: `asyncio.wait(fs, timeout=, return_when=)`), and return them as `(done,
/// pending)`, each in the order given. A timeout is not an error: what is not done is in
/// `pending`. Nothing is cancelled; `Err(Cancelled)` if the waiting task is.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, ReturnWhen};
///
/// #[asyncio::coroutine]
/// fn nap(secs: u64) -> Result<u64, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(usize, usize), Cancelled> {
///     let tasks = vec![asyncio::create_task(nap(1)), asyncio::create_task(nap(5))];
///     let (done, pending) = yield_from!(asyncio::wait(tasks, None, ReturnWhen::FirstCompleted))?;
///     assert_eq!(done[0].result(), Some(Ok(1)));
///     Ok((done.len(), pending.len()))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok((1, 1)));
/// assert_eq!(lp.time(), Duration::from_secs(1));
/// ```
///
/// # Panics
/// If `futures` is empty (Python: ValueError); when started outside a running loop, or
/// when one of `futures` is of another loop (Python: ValueError).
#[track_caller]
pub fn wait<I, F>(futures: I, timeout: Option<Duration>, return_when: ReturnWhen) -> WaitFutures<F>
where
    I: IntoIterator<Item = F>,
    F: AsFuture,
{
    let futures: Vec<F> = futures.into_iter().collect();
    assert!(
        !futures.is_empty(),
        "asyncio::wait of no futures (Python: ValueError \"Set of Tasks/Futures is empty.\")"
    );
    WaitFutures {
        futures,
        timeout,
        return_when,
        waiting: None,
        status: Status::Created,
    }
}

/// The awaitable of [`wait`]: `Ok((done, pending))`, each in the order the futures were
/// given; `Err(Cancelled)` if the waiting task is cancelled (the futures are not).
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, ReturnWhen, Task, WaitFutures};
///
/// #[asyncio::coroutine]
/// fn nap(secs: u64) -> Result<u64, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<Vec<u64>, Cancelled> {
///     let tasks = vec![asyncio::create_task(nap(2)), asyncio::create_task(nap(9))];
///     let all: WaitFutures<Task<u64>> =
///         asyncio::wait(tasks, Some(Duration::from_secs(5)), ReturnWhen::AllCompleted);
///     let (done, pending) = yield_from!(all)?; // the timeout came first
///     assert_eq!(pending.len(), 1);
///     Ok(done.iter().map(|task| task.result().unwrap().unwrap()).collect())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok(vec![2]));
/// assert_eq!(lp.time(), Duration::from_secs(5));
/// ```
pub struct WaitFutures<F: AsFuture> {
    futures: Vec<F>,
    timeout: Option<Duration>,
    return_when: ReturnWhen,
    waiting: Option<Waiting>,
    status: Status,
}

struct Waiting {
    wait: Await<(), Cancelled>,
    timer: Option<TimerHandle>,
    callbacks: Vec<super::CallbackId>,
}

// No field is pinned: the futures are handles, and the inner wait is `Unpin`.
impl<F: AsFuture> Unpin for WaitFutures<F> {}

impl<F: AsFuture> WaitFutures<F> {
    fn clean_up(&mut self) {
        if let Some(waiting) = self.waiting.take() {
            if let Some(timer) = waiting.timer {
                timer.cancel();
            }
            for (future, callback) in self.futures.iter().zip(waiting.callbacks) {
                future.as_future().remove_done_callback(callback);
            }
        }
    }

    fn split(&mut self) -> (Vec<F>, Vec<F>) {
        core::mem::take(&mut self.futures)
            .into_iter()
            .partition(|future| future.as_future().done())
    }
}

impl<F: AsFuture> Drop for WaitFutures<F> {
    fn drop(&mut self) {
        self.clean_up();
    }
}

impl<F: AsFuture> fmt::Debug for WaitFutures<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFutures")
            .field("futures", &self.futures.len())
            .field("return_when", &self.return_when)
            .field("status", &self.status)
            .finish()
    }
}

impl<F: AsFuture> Generator<Resume> for WaitFutures<F> {
    type Yield = Suspend;
    type Return = Result<(Vec<F>, Vec<F>), Cancelled>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Self::Return> {
        let this = self.get_mut();
        if this.status != Status::Created {
            misuse("start", this.status);
        }
        let event_loop = running_loop("asyncio::wait");
        for future in &this.futures {
            future.as_future().expect_on(&event_loop, "asyncio::wait");
        }
        let waiter: Future<(), Cancelled> = event_loop.create_future();
        let timer = this.timeout.map(|timeout| {
            let release = waiter.clone();
            event_loop.call_later(timeout, move || {
                let _ = release.set_result(());
            })
        });
        let counter = Rc::new(Cell::new(this.futures.len()));
        let return_when = this.return_when;
        let callbacks = this
            .futures
            .iter()
            .map(|future| {
                let counter = counter.clone();
                let release = waiter.clone();
                future.as_future().on_done(move |future| {
                    counter.set(counter.get().saturating_sub(1));
                    let now = counter.get() == 0
                        || return_when == ReturnWhen::FirstCompleted
                        || (return_when == ReturnWhen::FirstException && future.failed());
                    if now {
                        let _ = release.set_result(());
                    }
                })
            })
            .collect();
        let mut wait = waiter.into_generator();
        let step = Pin::new(&mut wait).start();
        this.waiting = Some(Waiting {
            wait,
            timer,
            callbacks,
        });
        this.status = Status::Suspended;
        match step {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(_) => unreachable!("cogen: callbacks are never run at once"),
        }
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Self::Return> {
        let this = self.get_mut();
        if this.status != Status::Suspended {
            misuse("resume", this.status);
        }
        let Some(waiting) = this.waiting.as_mut() else {
            unreachable!("cogen: a suspended wait has its waiter")
        };
        let waited = once(Pin::new(&mut waiting.wait).resume(arg));
        this.clean_up();
        this.status = Status::Closed;
        GeneratorState::Complete(waited.map(|()| this.split()))
    }

    fn close(self: Pin<&mut Self>) {
        let this = self.get_mut();
        this.clean_up();
        this.status = Status::Closed;
    }

    fn status(&self) -> Status {
        self.status
    }
}

/// Await `futures` (futures or tasks) in the order they complete (Python:
/// `asyncio.as_completed(fs, timeout=)`): an iterator of as many awaitables as there are
/// futures; awaiting the next one gives the outcome of the next future to be done. Once
/// `timeout` has passed, the awaitables left give `Err(E::from(TimeoutError))`. The futures'
/// error type must therefore have `From<TimeoutError>`, also when `timeout` is `None`: tasks
/// whose error is `Cancelled` alone are awaited with [`wait`] instead, or through a
/// coroutine that returns an error type with both conversions (as below).
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, TimeoutError};
///
/// #[derive(Debug, Clone, PartialEq)]
/// enum Error {
///     Cancelled,
///     Timeout,
/// }
/// impl From<Cancelled> for Error {
///     fn from(_: Cancelled) -> Self {
///         Error::Cancelled
///     }
/// }
/// impl From<TimeoutError> for Error {
///     fn from(_: TimeoutError) -> Self {
///         Error::Timeout
///     }
/// }
/// impl AsyncError for Error {
///     fn is_cancelled(&self) -> bool {
///         *self == Error::Cancelled
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn nap(secs: u64) -> Result<u64, Error> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<Vec<Result<u64, Error>>, Error> {
///     let tasks = [3, 1, 2, 9].map(|secs| asyncio::create_task(nap(secs)));
///     let mut order = Vec::new();
///     for next in asyncio::as_completed(tasks, Some(Duration::from_secs(5))) {
///         order.push(yield_from!(next));
///     }
///     Ok(order)
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(
///     lp.run_until_complete(main_coro()),
///     Ok(vec![Ok(1), Ok(2), Ok(3), Err(Error::Timeout)])
/// );
/// ```
///
/// # Panics
/// Outside a running loop; if one of `futures` is of another loop (Python: ValueError).
#[track_caller]
pub fn as_completed<I, F>(futures: I, timeout: Option<Duration>) -> AsCompleted<F::Output, F::Error>
where
    I: IntoIterator<Item = F>,
    F: AsFuture,
    // Said here, not only where an item is awaited: a wait may end with the timeout.
    F::Error: CanTimeOut,
{
    let event_loop = running_loop("asyncio::as_completed");
    let futures: Vec<Future<F::Output, F::Error>> = futures
        .into_iter()
        .map(|future| future.as_future().clone())
        .collect();
    for future in &futures {
        future.expect_on(&event_loop, "asyncio::as_completed");
    }
    let done: Queue<Option<Future<F::Output, F::Error>>> = Queue::new();
    let todo = Rc::new(core::cell::RefCell::new(VecDeque::from(futures.clone())));
    let timer = timeout.map(|timeout| {
        let done = done.clone();
        let todo = todo.clone();
        event_loop.call_later(timeout, move || {
            for _ in todo.take() {
                let _ = done.put_nowait(None);
            }
        })
    });
    let timer = Rc::new(timer);
    for future in &futures {
        let done = done.clone();
        let todo = todo.clone();
        let timer = timer.clone();
        future.on_done(move |future| {
            let mut todo = todo.borrow_mut();
            let Some(index) = todo.iter().position(|f| f.cell_ptr() == future.cell_ptr()) else {
                return; // timed out already
            };
            todo.remove(index);
            if todo.is_empty()
                && let Some(timer) = &*timer
            {
                timer.cancel();
            }
            let _ = done.put_nowait(Some(future.clone()));
        });
    }
    AsCompleted {
        done,
        left: futures.len(),
    }
}

/// The iterator of [`as_completed`]: its items are [`NextCompleted`] awaitables, one per
/// future given (it is an `ExactSizeIterator`).
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, AsCompleted, AsyncError, Cancelled, EventLoop, Future};
/// use cogen::asyncio::{NextCompleted, TimeoutError};
///
/// // Its awaitables fail with `TimeoutError` at the timeout: the error type must carry it.
/// #[derive(Debug, Clone, PartialEq)]
/// struct Error;
/// impl From<Cancelled> for Error {
///     fn from(_: Cancelled) -> Error {
///         Error
///     }
/// }
/// impl From<TimeoutError> for Error {
///     fn from(_: TimeoutError) -> Error {
///         Error
///     }
/// }
/// impl AsyncError for Error {
///     fn is_cancelled(&self) -> bool {
///         false
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro(futures: Vec<Future<u32, Error>>) -> Result<Vec<u32>, Error> {
///     let pending: AsCompleted<u32, Error> = asyncio::as_completed(futures.clone(), None);
///     assert_eq!(pending.len(), 2);
///     futures[1].set_result(20).unwrap(); // done first
///     futures[0].set_result(10).unwrap();
///     let mut order = Vec::new();
///     for next in pending {
///         let next: NextCompleted<u32, Error> = next; // an awaitable
///         order.push(yield_from!(next)?);
///     }
///     Ok(order)
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let futures = vec![lp.create_future(), lp.create_future()];
/// assert_eq!(lp.run_until_complete(main_coro(futures)), Ok(vec![20, 10]));
/// ```
pub struct AsCompleted<T: 'static, E: 'static> {
    done: Queue<Option<Future<T, E>>>,
    left: usize,
}

impl<T: 'static, E: 'static> fmt::Debug for AsCompleted<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("left", &self.left)
            .finish()
    }
}

impl<T: 'static, E: 'static> Iterator for AsCompleted<T, E> {
    type Item = NextCompleted<T, E>;

    fn next(&mut self) -> Option<NextCompleted<T, E>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(NextCompleted(Box::new(self.done.get())))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T: 'static, E: 'static> ExactSizeIterator for AsCompleted<T, E> {}

/// An awaitable of [`as_completed`]: the outcome of the next future to be done, or
/// `Err(E::from(TimeoutError))`.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, Future, TimeoutError};
///
/// #[derive(Debug, Clone, PartialEq)]
/// struct Late;
/// impl From<Cancelled> for Late {
///     fn from(_: Cancelled) -> Late {
///         Late
///     }
/// }
/// impl From<TimeoutError> for Late {
///     fn from(_: TimeoutError) -> Late {
///         Late
///     }
/// }
/// impl asyncio::AsyncError for Late {
///     fn is_cancelled(&self) -> bool {
///         false
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn first(never: Future<u32, Late>) -> Result<u32, Late> {
///     let mut next = asyncio::as_completed([never], Some(Duration::from_secs(1)));
///     yield_from!(next.next().unwrap())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(first(lp.create_future())), Err(Late));
/// assert_eq!(lp.time(), Duration::from_secs(1));
/// ```
pub struct NextCompleted<T: 'static, E: 'static>(Box<Get<Option<Future<T, E>>>>);

impl<T: 'static, E: 'static> fmt::Debug for NextCompleted<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NextCompleted").field(&self.0).finish()
    }
}

impl<T, E> NextCompleted<T, E>
where
    T: Clone + 'static,
    E: AsyncError + CanTimeOut + Clone + 'static,
{
    fn outcome(
        step: GeneratorState<Suspend, Result<Option<Future<T, E>>, Cancelled>>,
    ) -> GeneratorState<Suspend, Result<T, E>> {
        match step {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(Err(Cancelled)) => {
                GeneratorState::Complete(Err(E::from(Cancelled)))
            }
            GeneratorState::Complete(Ok(None)) => {
                GeneratorState::Complete(Err(E::from(TimeoutError)))
            }
            GeneratorState::Complete(Ok(Some(future))) => GeneratorState::Complete(
                future
                    .result()
                    .expect("cogen: as_completed hands out done futures"),
            ),
        }
    }
}

impl<T, E> Generator<Resume> for NextCompleted<T, E>
where
    T: Clone + 'static,
    E: AsyncError + CanTimeOut + Clone + 'static,
{
    type Yield = Suspend;
    type Return = Result<T, E>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Result<T, E>> {
        Self::outcome(Pin::new(&mut *self.get_mut().0).start())
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Result<T, E>> {
        Self::outcome(Pin::new(&mut *self.get_mut().0).resume(arg))
    }

    fn close(self: Pin<&mut Self>) {
        Pin::new(&mut *self.get_mut().0).close();
    }

    fn status(&self) -> Status {
        self.0.status()
    }
}
