//! The awaitables at the bottom of every await chain: waiting for a future, sleeping,
//! yielding to the loop. They are the only code that yields a [`Suspend`].

use core::fmt;
use core::pin::Pin;
use std::time::Duration;

use super::event_loop::{TimerHandle, running_loop};
use super::future::Future;
use super::task::Task;
use super::{AsyncError, Cancelled, Resume, Suspend, Wait};
use crate::state::misuse;
use crate::{Generator, GeneratorState, IntoGenerator, Status};

/// Waiting for a [`Future`] or [`Task`]: what `yield_from!(&fut)` delegates to (Python's
/// `Future.__await__`). It returns at once if the future is done; otherwise it yields the
/// future to the task, which resumes it when the future is done.
///
/// ```
/// use cogen::{Generator, IntoGenerator};
/// use cogen::asyncio::{Cancelled, EventLoop, Future};
///
/// let lp = EventLoop::new();
/// let fut: Future<u32> = lp.create_future();
/// let mut wait = std::pin::pin!((&fut).into_generator());
/// assert!(wait.as_mut().start().yielded().is_some()); // pending: suspends on it
/// fut.set_result(42).unwrap();
/// assert_eq!(wait.as_mut().resume(Ok(())).complete(), Some(Ok(42)));
///
/// let mut again = std::pin::pin!(fut.into_generator());
/// assert_eq!(again.as_mut().start().complete(), Some(Ok(42))); // done: no suspension
/// ```
pub struct Await<T, E> {
    future: Future<T, E>,
    status: Status,
}

impl<T, E> fmt::Debug for Await<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Await")
            .field("future", &self.future)
            .field("status", &self.status)
            .finish()
    }
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static> Generator<Resume> for Await<T, E> {
    type Yield = Suspend;
    type Return = Result<T, E>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Result<T, E>> {
        let this = self.get_mut();
        if this.status != Status::Created {
            misuse("start", this.status);
        }
        if let Some(result) = this.future.result() {
            this.status = Status::Closed;
            return GeneratorState::Complete(result);
        }
        this.status = Status::Suspended;
        GeneratorState::Yielded(Suspend(Wait::On(this.future.waitable())))
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Result<T, E>> {
        let this = self.get_mut();
        if this.status != Status::Suspended {
            misuse("resume", this.status);
        }
        let result = match arg {
            Err(Cancelled) => Err(E::from(Cancelled)),
            Ok(()) => match this.future.result() {
                Some(result) => result,
                None => panic!(
                    "an await of a future was resumed while the future is still pending: \
                     only its task may resume it, once the future is done (Python: \
                     \"await wasn't used with future\")"
                ),
            },
        };
        this.status = Status::Closed;
        GeneratorState::Complete(result)
    }

    fn close(self: Pin<&mut Self>) {
        self.get_mut().status = Status::Closed;
    }

    fn status(&self) -> Status {
        self.status
    }
}

/// Futures and tasks, owned or borrowed, are awaited through an [`Await`] of the future.
macro_rules! await_through_future {
    ($($awaitable:ty => |$it:ident| $future:expr;)*) => {$(
        impl<T: Clone + 'static, E: AsyncError + Clone + 'static> IntoGenerator<Resume>
            for $awaitable
        {
            type Yield = Suspend;
            type Return = Result<T, E>;
            type IntoGen = Await<T, E>;
            fn into_generator(self) -> Await<T, E> {
                let $it = self;
                Await {
                    future: $future,
                    status: Status::Created,
                }
            }
        }
    )*};
}

await_through_future! {
    Future<T, E> => |future| future;
    &Future<T, E> => |future| future.clone();
    Task<T, E> => |task| Future::from(task);
    &Task<T, E> => |task| task.future().clone();
}

/// Suspend the calling coroutine for `delay` on the loop's clock (Python:
/// `await asyncio.sleep(delay)`); `Err(Cancelled)` if its task is cancelled meanwhile, and
/// the timer is then cancelled too. `sleep(Duration::ZERO)` yields to the loop exactly once
/// without a timer: everything already scheduled runs before the coroutine goes on.
/// `sleep(Duration::MAX)` sleeps until cancelled (Python's `sleep(math.inf)`): its deadline
/// never comes, also on a virtual clock.
///
/// ```
/// use std::time::Duration;
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn nap() -> Result<Duration, Cancelled> {
///     let lp = asyncio::get_running_loop().unwrap();
///     yield_from!(asyncio::sleep(Duration::from_millis(50)))?;
///     yield_from!(asyncio::sleep(Duration::from_millis(50)))?;
///     Ok(lp.time())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(nap()), Ok(Duration::from_millis(100)));
/// ```
///
/// # Panics
/// A non-zero sleep panics when started outside a running loop.
pub fn sleep(delay: Duration) -> Sleep {
    Sleep {
        delay,
        state: SleepState::Created,
    }
}

/// Yield to the loop once: other ready tasks and callbacks run before the coroutine goes
/// on (Python: `await asyncio.sleep(0)`; tokio's `yield_now`). The same as
/// `sleep(Duration::ZERO)`.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn worker(name: &'static str, log: Rc<RefCell<Vec<String>>>) -> Result<(), Cancelled> {
///     for i in 0..2 {
///         log.borrow_mut().push(format!("{name}{i}"));
///         yield_from!(asyncio::yield_now())?;
///     }
///     Ok(())
/// }
///
/// let lp = EventLoop::new();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let a = lp.create_task(worker("a", log.clone()));
/// let b = lp.create_task(worker("b", log.clone()));
/// lp.run_until_complete(&b).unwrap();
/// assert!(a.done());
/// assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]);
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow {
        status: Status::Created,
    }
}

/// The awaitable of [`yield_now`]: yields to the loop once.
///
/// ```
/// use cogen::asyncio::{self, EventLoop, YieldNow};
///
/// let lp = EventLoop::with_virtual_clock();
/// let pause: YieldNow = asyncio::yield_now();
/// let task = lp.create_task(pause);
/// let before = lp.ticks();
/// assert_eq!(lp.run_until_complete(&task), Ok(()));
/// assert_eq!(lp.ticks() - before, 2); // one tick to yield, the next to finish
/// ```
#[derive(Debug)]
pub struct YieldNow {
    status: Status,
}

impl Generator<Resume> for YieldNow {
    type Yield = Suspend;
    type Return = Resume;

    #[inline]
    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Resume> {
        let this = self.get_mut();
        if this.status != Status::Created {
            misuse("start", this.status);
        }
        this.status = Status::Suspended;
        GeneratorState::Yielded(Suspend(Wait::Reschedule))
    }

    #[inline]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Resume> {
        let this = self.get_mut();
        if this.status != Status::Suspended {
            misuse("resume", this.status);
        }
        this.status = Status::Closed;
        GeneratorState::Complete(arg)
    }

    fn close(self: Pin<&mut Self>) {
        self.get_mut().status = Status::Closed;
    }

    fn status(&self) -> Status {
        self.status
    }
}

/// The awaitable of [`sleep`]: nothing happens until it is awaited (`yield_from!`) or run
/// as a task, and then the timer starts.
///
/// ```
/// use std::time::Duration;
/// use cogen::asyncio::{self, EventLoop, Sleep};
///
/// let lp = EventLoop::with_virtual_clock();
/// let nap: Sleep = asyncio::sleep(Duration::from_secs(3));
/// assert_eq!(lp.scheduled_timers(), 0); // made, not started
/// let task = lp.create_task(nap); // an awaitable is a coroutine: it can be a task
/// assert_eq!(lp.run_until_complete(&task), Ok(()));
/// assert_eq!(lp.time(), Duration::from_secs(3));
/// ```
#[derive(Debug)]
pub struct Sleep {
    delay: Duration,
    state: SleepState,
}

#[derive(Debug)]
enum SleepState {
    Created,
    /// `sleep(0)`: yielded once to the loop.
    Rescheduled(YieldNow),
    /// Waiting for the future its timer completes; dropping the guard cancels the timer.
    Waiting {
        wait: Await<(), Cancelled>,
        _timer: CancelOnDrop,
    },
    Closed,
}

impl Sleep {
    /// A fresh `sleep(Duration::ZERO)`: it only yields to the loop once (see
    /// `RescheduleKind`, which then yields from the body instead).
    pub(crate) fn yields_once(&self) -> bool {
        self.delay.is_zero() && matches!(self.state, SleepState::Created)
    }
}

/// The return value of a leaf resumed after its one yield.
pub(crate) fn once<R>(step: GeneratorState<Suspend, R>) -> R {
    match step {
        GeneratorState::Complete(result) => result,
        GeneratorState::Yielded(_) => unreachable!("cogen: an asyncio leaf yields once"),
    }
}

#[derive(Debug)]
struct CancelOnDrop(TimerHandle);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl Generator<Resume> for Sleep {
    type Yield = Suspend;
    type Return = Resume;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Resume> {
        let this = self.get_mut();
        if !matches!(this.state, SleepState::Created) {
            misuse("start", this.status());
        }
        if this.delay.is_zero() {
            let mut yield_now = yield_now();
            let step = Pin::new(&mut yield_now).start();
            this.state = SleepState::Rescheduled(yield_now);
            return step;
        }
        let event_loop = running_loop("asyncio::sleep");
        let future: Future<(), Cancelled> = event_loop.create_future();
        let wake = future.clone();
        let timer = event_loop.call_later(this.delay, move || {
            let _ = wake.set_result(());
        });
        let mut wait = future.into_generator();
        let step = Pin::new(&mut wait).start();
        this.state = SleepState::Waiting {
            wait,
            _timer: CancelOnDrop(timer),
        };
        step
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Resume> {
        let this = self.get_mut();
        let result = match &mut this.state {
            SleepState::Rescheduled(yield_now) => once(Pin::new(yield_now).resume(arg)),
            SleepState::Waiting { wait, .. } => once(Pin::new(wait).resume(arg)),
            _ => misuse("resume", this.status()),
        };
        this.state = SleepState::Closed;
        GeneratorState::Complete(result)
    }

    fn close(self: Pin<&mut Self>) {
        self.get_mut().state = SleepState::Closed;
    }

    fn status(&self) -> Status {
        match self.state {
            SleepState::Created => Status::Created,
            SleepState::Rescheduled(_) | SleepState::Waiting { .. } => Status::Suspended,
            SleepState::Closed => Status::Closed,
        }
    }
}
