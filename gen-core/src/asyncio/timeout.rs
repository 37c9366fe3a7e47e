//! `wait_for` and `timeout`: awaits with a time limit (Python's `asyncio.wait_for` and
//! `asyncio.timeout`).

use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::pin::Pin;
use std::time::Duration;

use super::event_loop::{EventLoop, TimerHandle, get_running_loop, running_loop};
use super::future::{CallbackId, Future};
use super::leaf::{Await, once};
use super::locks::{Leaf, Op, leaf_awaitable};
use super::task::{AnyTask, current_task};
use super::{AsyncError, Awaitable, Cancelled, Resume, Suspend};
use crate::state::misuse;
use crate::{Generator, GeneratorState, IntoGenerator, Status};

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

/// An error type that can say "timed out": one with `From<TimeoutError>`, what
/// [`wait_for`], [`timeout`] and [`as_completed`](super::as_completed) need of the error of
/// what they wait for (every such type is one; this trait only names the bound, so that
/// the compile error of a type without it says what to do).
///
/// ```
/// use cogen::asyncio::{BarrierError, CanTimeOut, IoError};
///
/// fn times_out<E: CanTimeOut>() {}
/// times_out::<IoError>();
/// times_out::<BarrierError>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot say \"timed out\": waiting with a timeout needs an error type with `From<asyncio::TimeoutError>`",
    label = "this error type has no `From<TimeoutError>`",
    note = "make the coroutine's error a type of your own with `From<Cancelled>`, `From<TimeoutError>` and `AsyncError` (see `asyncio::wait_for`'s example), or use `IoError` or `BarrierError`, which have them"
)]
pub trait CanTimeOut: From<TimeoutError> {}

impl<E: From<TimeoutError>> CanTimeOut for E {}

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
/// If no loop is running and `awaitable` is not a future or task of a loop, or if it is
/// one of another loop (as [`gather`](super::gather)).
#[track_caller]
pub fn wait_for<A, T, E>(awaitable: A, timeout: Option<Duration>) -> WaitFor<T, E>
where
    A: Awaitable<T, E>,
    T: Clone + 'static,
    E: AsyncError + CanTimeOut + Clone + 'static,
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
    future.expect_on(&event_loop, "asyncio::wait_for");
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
    E: AsyncError + CanTimeOut + Clone + 'static;

leaf_awaitable!(WaitFor<T, E> -> Result<T, E>
    where T: Clone + 'static, E: AsyncError + CanTimeOut + Clone + 'static);

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
    let callback = future.on_done(move |_| {
        let _ = release.set_result(());
    });
    (waiter, callback)
}

impl<T, E> WaitForOp<T, E>
where
    T: Clone + 'static,
    E: AsyncError + CanTimeOut + Clone + 'static,
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
    E: AsyncError + CanTimeOut + Clone + 'static,
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

/// Python's `asyncio.timeout(delay)`: a [`Timeout`] whose deadline is `delay` from now on
/// the running loop's clock; `None` never expires (until
/// [`reschedule`](Timeout::reschedule)d).
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
/// fn slow() -> Result<&'static str, Error> {
///     yield_from!(asyncio::sleep(Duration::from_secs(10)))?;
///     Ok("done")
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<bool, Error> {
///     let cm = asyncio::timeout(Some(Duration::from_secs(1)));
///     // async with asyncio.timeout(1): await slow()
///     let result = yield_from!(cm.run(slow()));
///     assert_eq!(result, Err(Error::Timeout));
///     Ok(cm.expired())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok(true));
/// assert_eq!(lp.time(), Duration::from_secs(1));
/// ```
///
/// # Panics
/// If no loop is running on this thread (use [`timeout_at`] with a deadline).
#[track_caller]
pub fn timeout(delay: Option<Duration>) -> Timeout {
    let when = delay.map(|delay| {
        running_loop("asyncio::timeout")
            .time()
            .saturating_add(delay)
    });
    timeout_at(when)
}

/// Python's `asyncio.timeout_at(when)`: a [`Timeout`] that expires at `when` on the loop's
/// clock ([`EventLoop::time`]'s scale); `None` never expires.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, TimeoutError};
///
/// #[derive(Debug, Clone, PartialEq)]
/// struct Late(bool); // true: timed out
/// impl From<Cancelled> for Late {
///     fn from(_: Cancelled) -> Self {
///         Late(false)
///     }
/// }
/// impl From<TimeoutError> for Late {
///     fn from(_: TimeoutError) -> Self {
///         Late(true)
///     }
/// }
/// impl AsyncError for Late {
///     fn is_cancelled(&self) -> bool {
///         !self.0
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn nap(secs: u64) -> Result<u64, Late> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let cm = asyncio::timeout_at(Some(Duration::from_secs(5)));
/// assert_eq!(cm.when(), Some(Duration::from_secs(5)));
/// let task = lp.create_task(cm.run(nap(1)));
/// assert_eq!(lp.run_until_complete(&task), Ok(1));
/// assert!(!cm.expired());
/// let task = lp.create_task(asyncio::timeout_at(Some(Duration::from_secs(5))).run(nap(9)));
/// assert_eq!(lp.run_until_complete(&task), Err(Late(true)));
/// assert_eq!(lp.time(), Duration::from_secs(5));
/// ```
pub fn timeout_at(when: Option<Duration>) -> Timeout {
    Timeout(Rc::new(TimeoutState {
        when: Cell::new(when),
        phase: Cell::new(TimeoutPhase::Created),
        task: RefCell::new(None),
        timer: RefCell::new(None),
        cancelling: Cell::new(0),
    }))
}

/// Python's `asyncio.Timeout`, made by [`timeout`] or [`timeout_at`]: [`run`](Timeout::run)
/// is `async with cm: <body>`. At the deadline the body is cancelled, and that cancellation
/// comes out of `run` as `Err(E::from(TimeoutError))`. Nested timeouts behave as Python's:
/// only the one that expired turns the cancellation into a `TimeoutError`; an outer one
/// that expired is not swallowed by an inner one (the inner `run` returns
/// `Err(Cancelled)`, which the outer turns into its `TimeoutError`). A cancellation from
/// elsewhere passes through as `Err(Cancelled)`.
///
/// A `Timeout` is a handle (`Clone` shares it): keep it to ask
/// [`expired`](Timeout::expired) after `run`, or to [`reschedule`](Timeout::reschedule)
/// it from the body. It is used once.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, Timeout, TimeoutError};
///
/// #[derive(Debug, Clone, PartialEq)]
/// enum Error {
///     Cancelled,
///     TimedOut,
/// }
/// impl From<Cancelled> for Error {
///     fn from(_: Cancelled) -> Self {
///         Error::Cancelled
///     }
/// }
/// impl From<TimeoutError> for Error {
///     fn from(_: TimeoutError) -> Self {
///         Error::TimedOut
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
/// fn slow_but_forgiven(cm: Timeout) -> Result<u64, Error> {
///     cm.reschedule(None); // the body lifts its own deadline
///     yield_from!(nap(10))
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(u64, bool), Error> {
///     let cm: Timeout = asyncio::timeout(Some(Duration::from_secs(1)));
///     let secs = yield_from!(cm.run(slow_but_forgiven(cm.clone())))?;
///     Ok((secs, cm.expired()))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok((10, false)));
/// ```
#[derive(Clone)]
pub struct Timeout(Rc<TimeoutState>);

struct TimeoutState {
    when: Cell<Option<Duration>>,
    phase: Cell<TimeoutPhase>,
    task: RefCell<Option<AnyTask>>,
    timer: RefCell<Option<TimerHandle>>,
    /// The task's cancellation requests when the body started (Python: `_cancelling`).
    cancelling: Cell<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TimeoutPhase {
    Created,
    Entered,
    Expiring,
    Expired,
    Exited,
}

impl fmt::Debug for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("when", &self.0.when.get())
            .field("phase", &self.0.phase.get())
            .finish()
    }
}

impl Timeout {
    /// The deadline on the loop's clock, if any (Python: `cm.when()`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn deadlines() -> Result<(Option<Duration>, Option<Duration>), Cancelled> {
    ///     Ok((asyncio::timeout(Some(Duration::from_secs(5))).when(), asyncio::timeout(None).when()))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// lp.advance(Duration::from_secs(1));
    /// assert_eq!(lp.run_until_complete(deadlines()), Ok((Some(Duration::from_secs(6)), None)));
    /// ```
    pub fn when(&self) -> Option<Duration> {
        self.0.when.get()
    }

    /// Whether the deadline passed while the body ran, so that it was cancelled (Python:
    /// `cm.expired()`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, EventLoop};
    /// # use cogen::asyncio::{AsyncError, Cancelled, TimeoutError};
    /// # #[derive(Debug, Clone, PartialEq)]
    /// # enum Error { Cancelled, Timeout }
    /// # impl From<Cancelled> for Error { fn from(_: Cancelled) -> Self { Error::Cancelled } }
    /// # impl From<TimeoutError> for Error { fn from(_: TimeoutError) -> Self { Error::Timeout } }
    /// # impl AsyncError for Error { fn is_cancelled(&self) -> bool { *self == Error::Cancelled } }
    ///
    /// #[asyncio::coroutine]
    /// fn nap(secs: u64) -> Result<(), Error> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(bool, bool), Error> {
    ///     let fast = asyncio::timeout(Some(Duration::from_secs(2)));
    ///     let slow = asyncio::timeout(Some(Duration::from_secs(2)));
    ///     yield_from!(fast.run(nap(1)))?;
    ///     let late = yield_from!(slow.run(nap(5)));
    ///     assert_eq!(late, Err(Error::Timeout));
    ///     Ok((fast.expired(), slow.expired()))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(main_coro()), Ok((false, true)));
    /// ```
    pub fn expired(&self) -> bool {
        matches!(
            self.0.phase.get(),
            TimeoutPhase::Expiring | TimeoutPhase::Expired
        )
    }

    /// Move the deadline (`None`: never); from inside the body it takes effect at once
    /// (Python: `cm.reschedule(when)`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, TimeoutError};
    ///
    /// #[derive(Debug, Clone, PartialEq)]
    /// struct Late(bool); // true: timed out
    /// impl From<Cancelled> for Late {
    ///     fn from(_: Cancelled) -> Self {
    ///         Late(false)
    ///     }
    /// }
    /// impl From<TimeoutError> for Late {
    ///     fn from(_: TimeoutError) -> Self {
    ///         Late(true)
    ///     }
    /// }
    /// impl AsyncError for Late {
    ///     fn is_cancelled(&self) -> bool {
    ///         !self.0
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn body(cm: asyncio::Timeout) -> Result<(), Late> {
    ///     cm.reschedule(None); // never mind the deadline
    ///     yield_from!(asyncio::sleep(Duration::from_secs(10)))?;
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<bool, Late> {
    ///     let cm = asyncio::timeout(Some(Duration::from_secs(1)));
    ///     yield_from!(cm.run(body(cm.clone())))?;
    ///     Ok(cm.expired())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(main_coro()), Ok(false));
    /// assert_eq!(lp.time(), Duration::from_secs(10));
    /// ```
    ///
    /// # Panics
    /// If the timeout has expired or its `run` is over (Python: RuntimeError).
    #[track_caller]
    pub fn reschedule(&self, when: Option<Duration>) {
        let phase = self.0.phase.get();
        assert!(
            matches!(phase, TimeoutPhase::Created | TimeoutPhase::Entered),
            "Timeout::reschedule on a timeout that has expired or is over (Python: \
             RuntimeError)"
        );
        self.0.when.set(when);
        if phase == TimeoutPhase::Entered {
            self.arm();
        }
    }

    /// Cancel the timer, and set a new one for the deadline.
    fn arm(&self) {
        if let Some(timer) = self.0.timer.take() {
            timer.cancel();
        }
        let Some(when) = self.0.when.get() else {
            return;
        };
        let event_loop = running_loop("asyncio::Timeout");
        let delay = when.saturating_sub(event_loop.time());
        let state = Rc::downgrade(&self.0);
        let timer = event_loop.call_later(delay, move || {
            if let Some(state) = state.upgrade() {
                Timeout(state).on_timeout();
            }
        });
        *self.0.timer.borrow_mut() = Some(timer);
    }

    /// Python's `Timeout._on_timeout`.
    fn on_timeout(&self) {
        if self.0.phase.get() != TimeoutPhase::Entered {
            return;
        }
        if let Some(task) = &*self.0.task.borrow() {
            task.cancel();
        }
        self.0.phase.set(TimeoutPhase::Expiring);
        drop(self.0.timer.take());
    }

    /// `async with cm: <body>`: run `body` in the calling task until it returns or the
    /// deadline passes; see [`Timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, EventLoop};
    /// # use cogen::asyncio::{AsyncError, Cancelled, TimeoutError};
    /// # #[derive(Debug, Clone, PartialEq)]
    /// # enum Error { Cancelled, Timeout }
    /// # impl From<Cancelled> for Error { fn from(_: Cancelled) -> Self { Error::Cancelled } }
    /// # impl From<TimeoutError> for Error { fn from(_: TimeoutError) -> Self { Error::Timeout } }
    /// # impl AsyncError for Error { fn is_cancelled(&self) -> bool { *self == Error::Cancelled } }
    ///
    /// #[asyncio::coroutine]
    /// fn quick() -> Result<u32, Error> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    ///     Ok(5)
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<u32, Error> {
    ///     yield_from!(asyncio::timeout(Some(Duration::from_secs(3))).run(quick()))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(main_coro()), Ok(5)); // in time
    /// assert_eq!(lp.time(), Duration::from_secs(1));
    /// ```
    ///
    /// # Panics
    /// When started outside a task, or if this timeout was run before (Python:
    /// RuntimeError).
    pub fn run<G, T, E>(&self, body: G) -> TimeoutRun<G>
    where
        G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
        E: AsyncError + CanTimeOut,
    {
        TimeoutRun {
            timeout: self.clone(),
            body: Some(Box::pin(body)),
            status: Status::Created,
        }
    }

    /// Python's `Timeout.__aenter__`.
    #[track_caller]
    fn enter(&self) {
        assert!(
            self.0.phase.get() == TimeoutPhase::Created,
            "a Timeout is run once (Python: RuntimeError \"Timeout has already been entered\")"
        );
        let Some(task) = current_task() else {
            panic!("Timeout::run must be awaited inside a task (Python: RuntimeError)")
        };
        self.0.cancelling.set(task.cancelling());
        *self.0.task.borrow_mut() = Some(task);
        self.0.phase.set(TimeoutPhase::Entered);
        self.arm();
    }

    /// Python's `Timeout.__aexit__`: whether the body's cancellation becomes a timeout.
    fn exit(&self, body_cancelled: bool) -> bool {
        if let Some(timer) = self.0.timer.take() {
            timer.cancel();
        }
        let task = self.0.task.take();
        match self.0.phase.get() {
            TimeoutPhase::Expiring => {
                self.0.phase.set(TimeoutPhase::Expired);
                let left = task.map_or(0, |task| task.uncancel());
                left <= self.0.cancelling.get() && body_cancelled
            }
            _ => {
                self.0.phase.set(TimeoutPhase::Exited);
                false
            }
        }
    }
}

/// The awaitable of [`Timeout::run`]: the body's `Result<T, E>`, or
/// `Err(E::from(TimeoutError))` if the timeout expired and cancelled it. Like every
/// awaitable it can be a task of its own.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, TimeoutError, TimeoutRun};
///
/// #[derive(Debug, Clone, PartialEq)]
/// enum Error {
///     Cancelled,
///     TimedOut,
/// }
/// impl From<Cancelled> for Error {
///     fn from(_: Cancelled) -> Self {
///         Error::Cancelled
///     }
/// }
/// impl From<TimeoutError> for Error {
///     fn from(_: TimeoutError) -> Self {
///         Error::TimedOut
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
/// let lp = EventLoop::with_virtual_clock();
/// let bounded: TimeoutRun<_> = asyncio::timeout_at(Some(Duration::from_secs(2))).run(nap(7));
/// let task = lp.create_task(bounded);
/// assert_eq!(lp.run_until_complete(&task), Err(Error::TimedOut));
/// assert_eq!(lp.time(), Duration::from_secs(2));
/// ```
pub struct TimeoutRun<G> {
    timeout: Timeout,
    /// Boxed so that the body stays pinned while this awaitable moves.
    body: Option<Pin<Box<G>>>,
    status: Status,
}

impl<G, T, E> Generator<Resume> for TimeoutRun<G>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    E: AsyncError + CanTimeOut,
{
    type Yield = Suspend;
    type Return = Result<T, E>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Result<T, E>> {
        let this = self.get_mut();
        if this.status != Status::Created {
            misuse("start", this.status);
        }
        this.timeout.enter();
        this.status = Status::Suspended;
        let step = this.body_mut().start();
        this.went(step)
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Result<T, E>> {
        let this = self.get_mut();
        if this.status != Status::Suspended {
            misuse("resume", this.status);
        }
        let step = this.body_mut().resume(arg);
        this.went(step)
    }

    fn close(self: Pin<&mut Self>) {
        self.get_mut().abandon();
    }

    fn status(&self) -> Status {
        self.status
    }
}

impl<G, T, E> TimeoutRun<G>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    E: AsyncError + CanTimeOut,
{
    fn body_mut(&mut self) -> Pin<&mut G> {
        match self.body.as_mut() {
            Some(body) => body.as_mut(),
            None => unreachable!("cogen: the body of a Timeout::run is there while it runs"),
        }
    }

    fn went(
        &mut self,
        step: GeneratorState<Suspend, Result<T, E>>,
    ) -> GeneratorState<Suspend, Result<T, E>> {
        match step {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(result) => {
                self.status = Status::Closed;
                self.body = None;
                let cancelled = matches!(&result, Err(error) if error.is_cancelled());
                if self.timeout.exit(cancelled) {
                    GeneratorState::Complete(Err(E::from(TimeoutError)))
                } else {
                    GeneratorState::Complete(result)
                }
            }
        }
    }
}

impl<G> TimeoutRun<G> {
    /// Closed or dropped: drop the body (running its destructors) and the timer.
    fn abandon(&mut self) {
        let was = core::mem::replace(&mut self.status, Status::Closed);
        self.body = None;
        if was == Status::Suspended {
            if let Some(timer) = self.timeout.0.timer.take() {
                timer.cancel();
            }
            drop(self.timeout.0.task.take());
            self.timeout.0.phase.set(TimeoutPhase::Exited);
        }
    }
}

impl<G> Drop for TimeoutRun<G> {
    fn drop(&mut self) {
        self.abandon();
    }
}

impl<G> fmt::Debug for TimeoutRun<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutRun")
            .field("timeout", &self.timeout)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}
