//! `wait_for`: an await with a time limit (Python's `asyncio.wait_for`).

use core::fmt;
use core::pin::Pin;
use std::time::Duration;

use super::event_loop::{EventLoop, TimerHandle, get_running_loop, running_loop};
use super::future::{CallbackId, Future};
use super::leaf::{Await, once};
use super::locks::{Leaf, Op, leaf_awaitable};
use super::{AsyncError, Awaitable, Cancelled, Resume, Suspend};
use crate::{Generator, GeneratorState, IntoGenerator};

/// Python's `TimeoutError`: [`wait_for`] ran out of time.
///
/// ```
/// use cogen::asyncio::TimeoutError;
/// assert_eq!(TimeoutError.to_string(), "timed out");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl std::error::Error for TimeoutError {}

/// Wait for `awaitable` for at most `timeout` (Python: `asyncio.wait_for(aw, timeout)`): its
/// result, or, once the time is up, `Err(E::from(TimeoutError))` after cancelling it and
/// waiting until it has finished (if it finished with a value anyway, that value). `None`
/// waits as long as it takes. A coroutine is scheduled as a task of the loop when `wait_for`
/// is called (as [`gather`](super::gather) does).
///
/// If the task calling `wait_for` is cancelled, the awaitable is cancelled too, and waited
/// for, and the wait returns `Err(Cancelled)`.
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
/// fn slow(secs: u64) -> Result<u64, Error> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(Result<u64, Error>, Result<u64, Error>), Error> {
///     let quick = yield_from!(asyncio::wait_for(slow(1), Some(Duration::from_secs(5))));
///     let late = yield_from!(asyncio::wait_for(slow(10), Some(Duration::from_secs(5))));
///     Ok((quick, late))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok((Ok(1), Err(Error::Timeout))));
/// assert_eq!(lp.time(), Duration::from_secs(6));
/// ```
///
/// # Panics
/// If no loop is running and `awaitable` is not a future or task of a loop (as
/// [`gather`](super::gather)).
#[track_caller]
pub fn wait_for<A, T, E>(awaitable: A, timeout: Option<Duration>) -> WaitFor<T, E>
where
    A: Awaitable<T, E>,
    T: Clone + 'static,
    E: AsyncError + From<TimeoutError> + Clone + 'static,
{
    let event_loop = match get_running_loop().or_else(|| awaitable.__event_loop()) {
        Some(event_loop) => event_loop,
        None => panic!(
            "asyncio::wait_for needs a running event loop (or a future or task of one): call \
             it from a coroutine"
        ),
    };
    // A coroutine is scheduled now, as `gather` does (Python schedules it when `wait_for`
    // starts, which is at once when it is awaited).
    let future = awaitable.ensure_future(&event_loop);
    WaitFor(Leaf::new(WaitForOp {
        state: State::Created(future, timeout),
    }))
}

/// The awaitable of [`wait_for`]: the awaitable's `Result<T, E>`, or
/// `Err(E::from(TimeoutError))`.
///
/// ```
/// use std::time::Duration;
/// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, Future, TimeoutError};
///
/// #[derive(Debug, Clone, PartialEq)]
/// struct Failed(bool); // true: timed out
/// impl From<Cancelled> for Failed {
///     fn from(_: Cancelled) -> Self {
///         Failed(false)
///     }
/// }
/// impl From<TimeoutError> for Failed {
///     fn from(_: TimeoutError) -> Self {
///         Failed(true)
///     }
/// }
/// impl AsyncError for Failed {
///     fn is_cancelled(&self) -> bool {
///         !self.0
///     }
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let never: Future<u32, Failed> = lp.create_future();
/// let task = lp.create_task(asyncio::wait_for(&never, Some(Duration::from_secs(1))));
/// assert_eq!(lp.run_until_complete(&task), Err(Failed(true)));
/// assert!(never.cancelled());
/// assert_eq!(lp.time(), Duration::from_secs(1));
/// ```
pub struct WaitFor<T, E>(Leaf<WaitForOp<T, E>>)
where
    T: Clone + 'static,
    E: AsyncError + From<TimeoutError> + Clone + 'static;

leaf_awaitable!(WaitFor<T, E> -> Result<T, E>
    where T: Clone + 'static, E: AsyncError + From<TimeoutError> + Clone + 'static);

struct WaitForOp<T, E> {
    state: State<T, E>,
}

enum State<T, E> {
    Created(Future<T, E>, Option<Duration>),
    /// No time limit.
    Awaiting(Await<T, E>),
    /// Waiting for the future or the timer, whichever comes first.
    Racing {
        future: Future<T, E>,
        wait: Await<(), Cancelled>,
        timer: TimerHandle,
        callback: CallbackId,
    },
    /// Cancelled the future; waiting for it to finish. `timed_out`: rather than cancelled.
    Cancelling {
        future: Future<T, E>,
        wait: Await<(), Cancelled>,
        callback: CallbackId,
        timed_out: bool,
    },
    Closed,
}

/// A future completed by `future`'s completion (Python's `_release_waiter` callback).
fn waiter_for<T: 'static, E: 'static>(
    event_loop: &EventLoop,
    future: &Future<T, E>,
) -> (Future<(), Cancelled>, CallbackId) {
    let waiter: Future<(), Cancelled> = event_loop.create_future();
    let release = waiter.clone();
    let callback = future.add_done_callback(move |_| {
        let _ = release.set_result(());
    });
    (waiter, callback)
}

impl<T, E> WaitForOp<T, E>
where
    T: Clone + 'static,
    E: AsyncError + From<TimeoutError> + Clone + 'static,
{
    fn result(future: &Future<T, E>) -> Result<T, E> {
        future
            .result()
            .expect("cogen: wait_for reads a done future")
    }

    /// Python's `_cancel_and_wait`.
    fn cancel_and_wait(
        &mut self,
        future: Future<T, E>,
        timed_out: bool,
    ) -> GeneratorState<Suspend, Result<T, E>> {
        let event_loop = running_loop("asyncio::wait_for");
        let (waiter, callback) = waiter_for(&event_loop, &future);
        future.cancel();
        let mut wait = waiter.into_generator();
        let step = Pin::new(&mut wait).start();
        self.state = State::Cancelling {
            future,
            wait,
            callback,
            timed_out,
        };
        suspended(step)
    }
}

impl<T, E> Op for WaitForOp<T, E>
where
    T: Clone + 'static,
    E: AsyncError + From<TimeoutError> + Clone + 'static,
{
    type Output = Result<T, E>;

    #[track_caller]
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Result<T, E>> {
        match (core::mem::replace(&mut self.state, State::Closed), resumed) {
            (State::Created(future, timeout), None) => {
                let event_loop = running_loop("asyncio::wait_for");
                let Some(timeout) = timeout else {
                    let mut wait = future.into_generator();
                    let step = Pin::new(&mut wait).start();
                    self.state = State::Awaiting(wait);
                    return step;
                };
                if timeout.is_zero() {
                    if future.done() {
                        return GeneratorState::Complete(Self::result(&future));
                    }
                    return self.cancel_and_wait(future, true);
                }
                let (waiter, callback) = waiter_for(&event_loop, &future);
                let release = waiter.clone();
                let timer = event_loop.call_later(timeout, move || {
                    let _ = release.set_result(());
                });
                let mut wait = waiter.into_generator();
                let step = Pin::new(&mut wait).start();
                self.state = State::Racing {
                    future,
                    wait,
                    timer,
                    callback,
                };
                suspended(step)
            }
            (State::Awaiting(mut wait), Some(arg)) => {
                GeneratorState::Complete(once(Pin::new(&mut wait).resume(arg)))
            }
            (
                State::Racing {
                    future,
                    mut wait,
                    timer,
                    callback,
                },
                Some(arg),
            ) => {
                let waited = once(Pin::new(&mut wait).resume(arg));
                timer.cancel();
                if future.done() {
                    return GeneratorState::Complete(Self::result(&future));
                }
                future.remove_done_callback(callback);
                // Time is up (or this task was cancelled): the future must not run on after
                // `wait_for` returns (bpo-32751).
                self.cancel_and_wait(future, waited.is_ok())
            }
            (
                State::Cancelling {
                    future,
                    mut wait,
                    callback,
                    timed_out,
                },
                Some(arg),
            ) => {
                let waited = once(Pin::new(&mut wait).resume(arg));
                future.remove_done_callback(callback);
                if waited.is_err() || !timed_out {
                    return GeneratorState::Complete(Err(E::from(Cancelled)));
                }
                GeneratorState::Complete(match Self::result(&future) {
                    Err(error) if error.is_cancelled() => Err(E::from(TimeoutError)),
                    other => other,
                })
            }
            _ => unreachable!("cogen: wait_for stepped out of order"),
        }
    }

    fn abandon(&mut self) {
        match core::mem::replace(&mut self.state, State::Closed) {
            State::Racing {
                future,
                timer,
                callback,
                ..
            } => {
                timer.cancel();
                future.remove_done_callback(callback);
            }
            State::Cancelling {
                future, callback, ..
            } => {
                future.remove_done_callback(callback);
            }
            _ => {}
        }
    }
}

/// The first step of a wait on a pending waiter: it suspends.
fn suspended<R, T>(step: GeneratorState<Suspend, R>) -> GeneratorState<Suspend, T> {
    match step {
        GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
        GeneratorState::Complete(_) => unreachable!("cogen: callbacks are never run at once"),
    }
}
