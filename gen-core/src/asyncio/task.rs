//! `Task`: a coroutine driven by the event loop, and the future of its result.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use core::cell::{Cell, UnsafeCell};
use core::fmt;
use core::ops::Deref;
use core::pin::Pin;
use core::ptr::NonNull;

use super::event_loop::{EventLoop, LoopInner, running_loop, running_task};
use super::future::{CancelHook, Future, Waitable};
use super::{AsyncError, Awaitable, Cancelled, Resume, Suspend, Wait};
use crate::generator::Sealed;
use crate::{Generator, GeneratorState};

/// Python's `asyncio.Task`: a coroutine scheduled on an event loop, and the [`Future`] of
/// what it returns (a `Task` derefs to its future, as Python's `Task` subclasses `Future`).
///
/// Each step resumes the coroutine until it yields a [`Suspend`]: a task suspended on a
/// future is stepped again once the future is done, one that yielded to the loop
/// ([`yield_now`](super::yield_now), `sleep(0)`) on the next tick. When the coroutine
/// returns `Ok(value)` the task's result is `value`; an `Err` that
/// [`is_cancelled`](AsyncError::is_cancelled) leaves the task cancelled; another `Err`
/// fails it.
///
/// [`cancel`](Future::cancel) asks the coroutine to stop (Python's `Task.cancel`): if it is
/// waiting for a future, that future is cancelled, so the wait returns `Err(Cancelled)`;
/// otherwise the next resume delivers `Err(Cancelled)`, and a task cancelled before its
/// first step never runs its body. The coroutine may catch the cancellation and go on.
///
/// ```
/// use std::time::Duration;
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn stubborn() -> Result<&'static str, Cancelled> {
///     match yield_from!(asyncio::sleep(Duration::from_secs(10))) {
///         Err(Cancelled) => Ok("caught the cancellation"),
///         Ok(()) => Ok("slept"),
///     }
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let task = lp.create_task(stubborn());
/// lp.run_briefly(); // the task starts and sleeps
/// assert!(task.cancel());
/// assert_eq!(lp.run_until_complete(&task), Ok("caught the cancellation"));
/// assert!(!task.cancelled());
/// assert_eq!(lp.time(), Duration::ZERO);
/// ```
pub struct Task<T, E = Cancelled> {
    future: Future<T, E>,
}

/// A task's step, as the ready queue and the futures it waits for see it.
pub(crate) trait Step {
    fn step(self: Rc<Self>, event_loop: &LoopInner);
}

/// A task with its result type erased: what the loop's registry, [`current_task`] and
/// [`all_tasks`](super::all_tasks) see.
pub(crate) trait TaskControl {
    /// The loop is going away: if this is a pending task, drop its coroutine and let go of
    /// what it waits for (see `LoopInner::close_tasks`).
    fn close(&self);
    fn done(&self) -> bool;
    fn cancelled(&self) -> bool;
    fn cancel(self: Rc<Self>) -> bool;
    fn cancelling(&self) -> usize;
    fn uncancel(&self) -> usize;
    /// The address of the task's future cell, to compare with a [`Task`].
    fn future_ptr(&self) -> *const ();
    /// [`Task::get_name`].
    fn get_name(&self) -> String;
    /// [`Task::set_name`].
    fn set_name(&self, name: Rc<str>);
}

/// The one guard of a task's step: clears the loop's current task when the coroutine
/// returns to the step ([`returned`](StepGuard::returned)), or, if it panics, as it unwinds,
/// and then also marks the task finished (its coroutine is closed; it is dropped with the
/// task).
struct StepGuard<'a> {
    phase: &'a Cell<Phase>,
    event_loop: &'a LoopInner,
}

impl StepGuard<'_> {
    #[inline]
    fn returned(self) {
        let event_loop = self.event_loop;
        core::mem::forget(self);
        event_loop.current_task.set(None);
    }
}

impl Drop for StepGuard<'_> {
    fn drop(&mut self) {
        self.phase.set(Phase::Finished);
        self.event_loop.current_task.set(None);
    }
}

/// A [`Task`] of any result type, as [`current_task`] and [`all_tasks`](super::all_tasks) return it: enough to
/// compare it with a task, cancel it, and read its cancellation requests.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// #[asyncio::coroutine]
/// fn who_am_i() -> Result<bool, Cancelled> {
///     let me = asyncio::current_task().expect("inside a task");
///     Ok(!me.done() && me.cancelling() == 0)
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let task = lp.create_task(who_am_i());
/// assert_eq!(lp.run_until_complete(&task), Ok(true));
/// assert!(asyncio::current_task().is_none()); // outside any task
/// ```
#[derive(Clone)]
pub struct AnyTask(Rc<dyn TaskControl>);

impl AnyTask {
    pub(crate) fn from_control(control: Rc<dyn TaskControl>) -> Self {
        AnyTask(control)
    }

    /// Whether the task is done (finished, failed or cancelled).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, AnyTask, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn me() -> Result<(AnyTask, bool), Cancelled> {
    ///     let me = asyncio::current_task().unwrap();
    ///     yield_from!(asyncio::yield_now())?;
    ///     let done = me.done();
    ///     Ok((me, done))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let (task, done_while_running) = lp.run_until_complete(me()).unwrap();
    /// assert!(!done_while_running);
    /// assert!(task.done());
    /// ```
    pub fn done(&self) -> bool {
        self.0.done()
    }

    /// Whether the task was cancelled.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, AnyTask, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn sleeper(me: Rc<RefCell<Option<AnyTask>>>) -> Result<(), Cancelled> {
    ///     *me.borrow_mut() = asyncio::current_task();
    ///     yield_from!(asyncio::sleep(Duration::from_secs(3600)))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let slot = Rc::new(RefCell::new(None));
    /// lp.create_task(sleeper(slot.clone()));
    /// lp.run_briefly(); // the task starts and sleeps
    /// let task = slot.borrow_mut().take().unwrap();
    /// assert!(!task.cancelled());
    /// task.cancel();
    /// lp.run_until_idle();
    /// assert!(task.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        self.0.cancelled()
    }

    /// Ask the task to stop, as [`Future::cancel`] of a [`Task`] does (Python:
    /// `task.cancel()`); returns whether the request was taken.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, AnyTask, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn sleeper(me: Rc<RefCell<Option<AnyTask>>>) -> Result<(), Cancelled> {
    ///     *me.borrow_mut() = asyncio::current_task();
    ///     yield_from!(asyncio::sleep(Duration::from_secs(3600)))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let slot = Rc::new(RefCell::new(None));
    /// let handle = lp.create_task(sleeper(slot.clone()));
    /// lp.run_briefly(); // the task starts and sleeps
    /// let task = slot.borrow_mut().take().unwrap();
    /// assert!(task.cancel());
    /// assert_eq!(lp.run_until_complete(&handle), Err(Cancelled));
    /// assert_eq!(lp.time(), Duration::ZERO); // it did not sleep it out
    /// ```
    pub fn cancel(&self) -> bool {
        self.0.clone().cancel()
    }

    /// How many cancellation requests are pending: taken by [`cancel`](AnyTask::cancel)
    /// and not yet withdrawn by [`uncancel`](AnyTask::uncancel) (Python: `task.cancelling()`).
    ///
    /// ```
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn count() -> Result<(usize, usize), Cancelled> {
    ///     let me = asyncio::current_task().unwrap();
    ///     let before = me.cancelling();
    ///     me.cancel();
    ///     let after = me.cancelling();
    ///     me.uncancel();
    ///     Ok((before, after))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(count()), Ok((0, 1)));
    /// ```
    pub fn cancelling(&self) -> usize {
        self.0.cancelling()
    }

    /// Withdraw one cancellation request, and return how many are left (Python:
    /// `task.uncancel()`); when none is left, a request not yet delivered is dropped. [`Timeout`](super::Timeout) and [`TaskGroup`](super::TaskGroup)
    /// use it to tell their own cancellation from one that came from outside.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn counts() -> Result<(usize, usize, bool), Cancelled> {
    ///     let me = asyncio::current_task().unwrap();
    ///     me.cancel();
    ///     let before = me.cancelling();
    ///     let caught = yield_from!(asyncio::yield_now()).is_err();
    ///     Ok((before, me.uncancel(), caught))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(counts()), Ok((1, 0, true)));
    /// ```
    pub fn uncancel(&self) -> usize {
        self.0.uncancel()
    }

    /// Whether this is `task`.
    ///
    /// ```
    /// use cogen::asyncio::{self, AnyTask, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn me() -> Result<Option<AnyTask>, Cancelled> {
    ///     Ok(asyncio::current_task())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let (first, second) = (lp.create_task(me()), lp.create_task(me()));
    /// let any = lp.run_until_complete(&first).unwrap().unwrap();
    /// assert!(any.is(&first));
    /// assert!(!any.is(&second));
    /// ```
    pub fn is<T, E>(&self, task: &Task<T, E>) -> bool {
        core::ptr::eq(self.0.future_ptr(), task.future.cell_ptr())
    }

    /// The task's name (Python: `Task.get_name()`): `Task-N` for the loop's `N`th task,
    /// until [`set_name`](AnyTask::set_name). What a log line says of the current task.
    ///
    /// ```
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn whoami() -> Result<String, Cancelled> {
    ///     Ok(asyncio::current_task().unwrap().get_name())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let first = lp.create_task(whoami());
    /// let second = lp.create_task(whoami());
    /// second.set_name("worker");
    /// assert_eq!(lp.run_until_complete(&first), Ok("Task-1".to_string()));
    /// assert_eq!(lp.run_until_complete(&second), Ok("worker".to_string()));
    /// ```
    pub fn get_name(&self) -> String {
        self.0.get_name()
    }

    /// Rename the task (Python: `Task.set_name(value)`).
    ///
    /// ```
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn renames_itself() -> Result<(), Cancelled> {
    ///     asyncio::current_task().unwrap().set_name("renamed");
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let task = lp.create_task(renames_itself());
    /// lp.run_until_complete(&task).unwrap();
    /// assert_eq!(task.get_name(), "renamed");
    /// ```
    pub fn set_name(&self, name: impl Into<Rc<str>>) {
        self.0.set_name(name.into());
    }
}

impl PartialEq for AnyTask {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self.0.future_ptr(), other.0.future_ptr())
    }
}

impl Eq for AnyTask {}

impl<T, E> PartialEq<Task<T, E>> for AnyTask {
    fn eq(&self, task: &Task<T, E>) -> bool {
        self.is(task)
    }
}

impl fmt::Debug for AnyTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.cancelled() {
            "cancelled"
        } else if self.done() {
            "done"
        } else {
            "pending"
        };
        f.debug_tuple("AnyTask")
            .field(&self.get_name())
            .field(&format_args!("{state}"))
            .finish()
    }
}

/// The task whose coroutine is running (Python: `asyncio.current_task()`); `None` outside
/// a task (in a callback, or with no loop running). See [`AnyTask`].
///
/// ```
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// #[asyncio::coroutine]
/// fn in_a_task() -> Result<bool, Cancelled> {
///     Ok(asyncio::current_task().is_some())
/// }
///
/// assert!(asyncio::current_task().is_none()); // no loop running
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(in_a_task()), Ok(true));
/// ```
pub fn current_task() -> Option<AnyTask> {
    running_task().map(|task| {
        // SAFETY: `task` was set in the running loop by one of its steps, from
        // `Rc::as_ptr(&self)` with `self: Rc<Runner<..>>`, which the step holds until it
        // clears it (also on unwind), and steps do not nest (only the loop runs them, and it
        // cannot run inside one): the `Rc` is alive while `task` is set, and the pointer is
        // the one `Rc::into_raw` would give, unsized to `dyn TaskControl` as
        // `Rc<dyn TaskControl>` would be. Counting one more strong reference first makes
        // `from_raw` an owned clone.
        unsafe {
            Rc::increment_strong_count(task.as_ptr());
            AnyTask(Rc::from_raw(task.as_ptr()))
        }
    })
}

/// A task's state and its coroutine, in one allocation (the `Rc` the ready queue holds):
/// switching to a task touches one block of memory.
struct Runner<G, T, E> {
    phase: Cell<Phase>,
    /// Deliver `Err(Cancelled)` at the next step (Python: `_must_cancel`).
    must_cancel: Cell<bool>,
    /// Inside `request_cancel`, which may come back here through a cycle of awaits. (The
    /// requests taken and not withdrawn, Python's `_num_cancels_requested`, are counted in
    /// the task's future, where a `Task` handle reads them.)
    cancelling: Cell<bool>,
    /// The future the coroutine is suspended on (Python: `_fut_waiter`): only in phase
    /// `Waiting`.
    waiting_on: Cell<Option<Rc<dyn Waitable>>>,
    future: Future<T, E>,
    /// Pinned in place: the `Runner` lives in an `Rc` and never moves, and the coroutine is
    /// never moved out, only dropped in place. Reached only by `step` while `Running`.
    coroutine: UnsafeCell<Option<G>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Fresh,
    /// Yielded to the loop (`yield_now`, `sleep(0)`): rescheduled, waiting for nothing.
    Suspended,
    /// Suspended on a future (`waiting_on`), stepped again by its wakeup.
    Waiting,
    Running,
    Finished,
}

/// Wrap a coroutine in a [`Task`] and schedule its first step on the running loop
/// (Python: `asyncio.create_task(coro)`): it runs concurrently with the caller, which can
/// wait for it later with `yield_from!(&task)`.
///
/// ```
/// use std::time::Duration;
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn foo(secs: u64) -> Result<u64, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn main_coro() -> Result<(u64, u64), Cancelled> {
///     let task1 = asyncio::create_task(foo(1));
///     let task2 = asyncio::create_task(foo(2));
///     let a = yield_from!(&task1)?;
///     let b = yield_from!(&task2)?;
///     Ok((a, b))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok((1, 2)));
/// assert_eq!(lp.time(), Duration::from_secs(2)); // concurrent: 2 s, not 3
/// ```
///
/// # Panics
/// If no loop is running on this thread (use [`EventLoop::create_task`]).
#[track_caller]
#[must_use = "a task runs anyway, but dropping its handle loses its result"]
pub fn create_task<G, T, E>(coroutine: G) -> Task<T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    G: 'static, // a task outlives your locals: move, clone or Rc its data in (not `use<>`)
    T: 'static,
    E: AsyncError + 'static,
{
    running_loop("create_task").create_task(coroutine)
}

impl<T: 'static, E: AsyncError + 'static> Task<T, E> {
    pub(crate) fn spawn<G>(event_loop: &EventLoop, coroutine: G) -> Self
    where
        G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    {
        let future = event_loop.create_future();
        let runner = Rc::new(Runner {
            phase: Cell::new(Phase::Fresh),
            must_cancel: Cell::new(false),
            cancelling: Cell::new(false),
            waiting_on: Cell::new(None),
            future: future.clone(),
            coroutine: UnsafeCell::new(Some(coroutine)),
        });
        let weak: Weak<Runner<G, T, E>> = Rc::downgrade(&runner);
        // Registered as a `TaskControl` so that `all_tasks` and the loop's close see it.
        event_loop.inner().register_task(weak.clone());
        future.set_cancel_hook(weak);
        let number = event_loop.inner().tasks_made.get() + 1;
        event_loop.inner().tasks_made.set(number);
        future.mark_of_task(number);
        event_loop.inner().schedule(runner);
        Task { future }
    }
}

impl<T: 'static, E: 'static> Task<T, E> {
    /// The task's future (also reachable through `Deref`).
    ///
    /// ```
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn seven() -> Result<u32, Cancelled> {
    ///     Ok(7)
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let task = lp.create_task(seven());
    /// lp.run_until_complete(&task).unwrap();
    /// assert_eq!(task.future().result(), Some(Ok(7)));
    /// ```
    pub fn future(&self) -> &Future<T, E> {
        &self.future
    }

    pub(crate) fn take_result(&self) -> Result<T, E>
    where
        E: AsyncError,
    {
        self.future.take_result()
    }
}

impl<T, E> Deref for Task<T, E> {
    type Target = Future<T, E>;
    fn deref(&self) -> &Future<T, E> {
        &self.future
    }
}

impl<T, E> Clone for Task<T, E> {
    fn clone(&self) -> Self {
        Task {
            future: self.future.clone(),
        }
    }
}

impl<T, E> Task<T, E> {
    /// The task's name (Python: `Task.get_name()`): `Task-N` for the loop's `N`th task,
    /// until [`set_name`](Task::set_name). Counted per loop, so `asyncio::run`'s main task
    /// is always `Task-1` (Python counts across the process: only its first `asyncio.run`'s
    /// is). The report of an error nobody retrieved names it.
    ///
    /// ```
    /// use cogen::asyncio::{self, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let a = lp.create_task(asyncio::yield_now());
    /// let b = lp.create_task(asyncio::yield_now());
    /// assert_eq!((a.get_name(), b.get_name()), ("Task-1".to_string(), "Task-2".to_string()));
    /// ```
    pub fn get_name(&self) -> String {
        self.future.task_name()
    }

    /// Rename the task (Python: `Task.set_name(value)`; `create_task(coro, name=..)` is
    /// `create_task(coro)` and then this).
    ///
    /// ```
    /// use cogen::asyncio::{self, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let task = lp.create_task(asyncio::yield_now());
    /// task.set_name("poller");
    /// assert_eq!(task.get_name(), "poller");
    /// task.set_name(format!("poller-{}", 2));
    /// assert_eq!(format!("{task:?}"), "Task(\"poller-2\", Future(pending))");
    /// ```
    pub fn set_name(&self, name: impl Into<Rc<str>>) {
        self.future.set_task_name(name.into());
    }

    /// How many cancellation requests the task has taken and not had withdrawn (Python:
    /// `task.cancelling()`): each [`cancel`](Future::cancel) of the pending task adds one,
    /// each [`uncancel`](Task::uncancel) takes one back. The count stays when the task is
    /// done, as Python's does. The same as [`AnyTask::cancelling`], from the task's handle.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::{self, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let task = lp.create_task(asyncio::sleep(Duration::from_secs(10)));
    /// lp.run_briefly(); // sleeping
    /// assert_eq!(task.cancelling(), 0);
    /// assert!(task.cancel());
    /// assert!(task.cancel()); // still pending: a second request
    /// assert_eq!(task.cancelling(), 2);
    /// assert!(lp.run_until_complete(&task).is_err());
    /// assert_eq!(task.cancelling(), 2);
    /// ```
    pub fn cancelling(&self) -> usize {
        self.future.cancel_requests()
    }

    /// Withdraw one cancellation request and return how many are left (Python:
    /// `task.uncancel()`); when none is left, a request the task has not been delivered yet
    /// is dropped, and the task goes on as if it had not been cancelled. The same as
    /// [`AnyTask::uncancel`], from the task's handle: code that cancels a task and then
    /// handles the cancellation itself (a supervisor, a timeout of its own) says so here.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Future};
    ///
    /// #[asyncio::coroutine]
    /// fn answer(ready: Future<()>) -> Result<u32, Cancelled> {
    ///     yield_from!(&ready)?;
    ///     Ok(42)
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let ready = lp.create_future();
    /// let task = lp.create_task(answer(ready.clone()));
    /// lp.run_briefly(); // waiting for `ready`
    /// ready.set_result(()).unwrap(); // the task can run again
    /// assert!(task.cancel()); // to be delivered at its next step
    /// assert_eq!(task.uncancel(), 0); // taken back before it was
    /// assert_eq!(lp.run_until_complete(&task), Ok(42));
    /// ```
    pub fn uncancel(&self) -> usize {
        self.future.withdraw_cancel_request()
    }
}

impl<T, E> fmt::Debug for Task<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Task")
            .field(&self.get_name())
            .field(&self.future)
            .finish()
    }
}

impl<T, E> From<Task<T, E>> for Future<T, E> {
    fn from(task: Task<T, E>) -> Self {
        task.future
    }
}

impl<T: 'static, E: 'static> Awaitable<T, E> for Task<T, E> {
    fn ensure_future(self, _: &EventLoop) -> Future<T, E> {
        self.future
    }

    fn __event_loop(&self) -> Option<EventLoop> {
        self.future.event_loop()
    }
}

impl<T: 'static, E: 'static> Awaitable<T, E> for &Task<T, E> {
    fn ensure_future(self, _: &EventLoop) -> Future<T, E> {
        self.future.clone()
    }

    fn __event_loop(&self) -> Option<EventLoop> {
        self.future.event_loop()
    }
}

impl<G, T, E> Awaitable<T, E> for G
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    G: 'static, // a task outlives your locals: move, clone or Rc its data in (not `use<>`)
    T: 'static,
    E: AsyncError + 'static,
{
    fn ensure_future(self, event_loop: &EventLoop) -> Future<T, E> {
        event_loop.create_task(self).future
    }
}

impl<G, T, E> Runner<G, T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    T: 'static,
    E: AsyncError + 'static,
{
    /// Python's `Task.cancel`.
    fn request_cancel(self: Rc<Self>) -> bool {
        if self.future.done() {
            return false;
        }
        if self.phase.get() == Phase::Finished {
            // Finished but not done: the coroutine panicked, and will never be stepped
            // again. Cancel the future now, so that the request does what it says and the
            // tasks awaiting this one are woken (with `Err(Cancelled)`) instead of hanging.
            return self.future.cancel_now();
        }
        if self.cancelling.replace(true) {
            // Back here through a cycle of awaits (this task awaits itself, or a task that
            // awaits it): cancelling what it waits for would recurse until the stack
            // overflows. Leave it to the caller, which asks for the cancellation at the
            // next step (the cycle is a deadlock, which the loop reports).
            return false;
        }
        // A pending task always takes the request: whether through what it waits for or at
        // its next step is decided by `cancel_waiter`, which may be deferred.
        self.future.add_cancel_request();
        cancellation::run(self);
        true
    }

    fn drop_coroutine(&self) {
        debug_assert!(self.phase.get() == Phase::Finished);
        // SAFETY: the task is finished, so no step holds a reference to the coroutine;
        // dropping it in place keeps the pinning promise.
        unsafe { *self.coroutine.get() = None };
    }

    /// What a step other than the fast one sends (`None`: `start`), or `None` if it has
    /// nothing to run: the first step, one after a wait, one with a cancellation to
    /// deliver, a wakeup of a finished task. Out of line, so that the fast path is the two
    /// tests it needs (inline, the compiler merged them with these into a chain of five).
    #[cold]
    #[inline(never)]
    fn prepare_slow_step(&self) -> Option<Option<Resume>> {
        let phase = self.phase.get();
        // A wakeup of a finished task does nothing (a running one cannot be stepped: only
        // the loop steps tasks, and it cannot run inside a step).
        if !matches!(phase, Phase::Fresh | Phase::Suspended | Phase::Waiting) {
            return None;
        }
        drop(self.waiting_on.take());
        let cancel = self.must_cancel.replace(false);
        if phase == Phase::Fresh && cancel {
            // Cancelled before it ran: Python throws into the fresh coroutine, which
            // raises at once; here it is closed without running its body.
            self.phase.set(Phase::Finished);
            self.future.cancel_now();
            self.drop_coroutine();
            return None;
        }
        Some(match phase {
            Phase::Fresh => None,
            _ => Some(if cancel { Err(Cancelled) } else { Ok(()) }),
        })
    }

    fn finish(&self, returned: Result<T, E>) {
        let cancel = self.must_cancel.replace(false);
        let _ = match returned {
            // Cancelled as it returned: the request wins, as in Python.
            Ok(_) if cancel => self.future.cancel_now(),
            Ok(value) => self.future.set_own_result(value).is_ok(),
            Err(error) if error.is_cancelled() => self.future.cancel_now(),
            Err(error) => self.future.set_own_exception(error).is_ok(),
        };
    }
}

impl<G, T, E> cancellation::Cancel for Runner<G, T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    T: 'static,
    E: AsyncError + 'static,
{
    fn cancel_waiter(&self) {
        let waiting_on = self.waiting_on.take();
        self.waiting_on.set(waiting_on.clone());
        if !waiting_on.is_some_and(|waiting_on| waiting_on.cancel()) {
            self.must_cancel.set(true);
        }
        // Otherwise the wait returns `Err(Cancelled)`; the task is stepped by its wakeup.
    }

    fn end_cancelling(&self) {
        self.cancelling.set(false);
    }
}

/// Cancelling a task cancels what it waits for, which may be a task waiting for a task...:
/// a chain of awaits as deep as you like. Each task's part is run here, by a loop rather
/// than by recursion once the chain is deeper than [`MAX_DEPTH`], so the stack stays bounded.
mod cancellation {
    use alloc::collections::VecDeque;
    use alloc::rc::Rc;
    use alloc::vec::Vec;
    use core::cell::RefCell;

    /// A task's part of a cancellation.
    pub(super) trait Cancel {
        /// Cancel what the task waits for, or else cancel it at its next step.
        fn cancel_waiter(&self);
        /// The whole cancellation is over: the task may be asked again.
        fn end_cancelling(&self);
    }

    /// Nested cancellations run by recursion up to this depth (so that a short chain is
    /// cancelled innermost first, in one go), deeper ones are queued.
    const MAX_DEPTH: usize = 64;

    #[derive(Default)]
    struct State {
        depth: usize,
        queued: VecDeque<Rc<dyn Cancel>>,
        /// The tasks whose `cancelling` flag is set, reset when the outermost request ends:
        /// until then, a cycle of awaits finds the flag and stops.
        touched: Vec<Rc<dyn Cancel>>,
    }

    std::thread_local! {
        static STATE: RefCell<State> = RefCell::new(State::default());
    }

    /// Leaves the depth consistent, and resets the flags at the end of the outermost
    /// request, even if a cancellation panics.
    struct Level {
        outermost: bool,
    }

    impl Drop for Level {
        fn drop(&mut self) {
            let touched = STATE.with(|state| {
                let mut state = state.borrow_mut();
                state.depth -= 1;
                if self.outermost {
                    state.queued.clear();
                    core::mem::take(&mut state.touched)
                } else {
                    Vec::new()
                }
            });
            for task in touched {
                task.end_cancelling();
            }
        }
    }

    /// Run `task`'s part now, or queue it when the stack of nested cancellations is deep.
    pub(super) fn run(task: Rc<dyn Cancel>) {
        let outermost = STATE.with(|state| {
            let mut state = state.borrow_mut();
            state.touched.push(task.clone());
            if state.depth >= MAX_DEPTH {
                state.queued.push_back(task.clone());
                None
            } else {
                state.depth += 1;
                Some(state.depth == 1)
            }
        });
        let Some(outermost) = outermost else {
            return;
        };
        let level = Level { outermost };
        task.cancel_waiter();
        if outermost {
            while let Some(next) = STATE.with(|state| state.borrow_mut().queued.pop_front()) {
                next.cancel_waiter();
            }
        }
        drop(level);
    }
}

impl<G, T, E> Step for Runner<G, T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    T: 'static,
    E: AsyncError + 'static,
{
    fn step(self: Rc<Self>, event_loop: &LoopInner) {
        let sent = if self.phase.get() == Phase::Suspended && !self.must_cancel.get() {
            // The fast path (a task that yielded to the loop): two checks, no wait to let go.
            Some(Ok(()))
        } else {
            match self.prepare_slow_step() {
                Some(sent) => sent,
                None => return,
            }
        };
        self.phase.set(Phase::Running);
        // SAFETY: the coroutine is pinned (see `coroutine`), and only this step, which is
        // not re-entrant (phase `Running`), makes a reference to it. It is present: it is
        // only dropped (`drop_coroutine`) once the phase is `Finished`, and a step gets here
        // only from `Fresh`, `Suspended` or `Waiting` (the fast path's test or
        // `prepare_slow_step`'s). Not tested again: the test cost W5 2 instructions per switch.
        let coroutine = unsafe { (*self.coroutine.get()).as_mut().unwrap_unchecked() };
        // SAFETY: see above: it is never moved again.
        let coroutine = unsafe { Pin::new_unchecked(coroutine) };
        // `Rc::as_ptr`, not `&*self`: its provenance covers the reference counts too, which
        // `current_task` increments through it.
        let me: *const Self = Rc::as_ptr(&self);
        let me: *const dyn TaskControl = me;
        debug_assert!(event_loop.current_task.get().is_none(), "steps do not nest");
        event_loop.current_task.set(NonNull::new(me.cast_mut()));
        let guard = StepGuard {
            phase: &self.phase,
            event_loop,
        };
        // One entry for both (`start` for `None`): a `Gen` inlines its step once, where a
        // `match` over `start` and `resume` inlined it twice and merged the two results
        // through memory.
        let state = coroutine.__cogen_step(sent, Sealed::new());
        guard.returned();
        match state {
            GeneratorState::Yielded(Suspend(Wait::Reschedule)) => {
                self.phase.set(Phase::Suspended);
                event_loop.schedule(self);
            }
            GeneratorState::Yielded(Suspend(Wait::On(future))) => {
                if !future.attached_to(event_loop) {
                    // Its wakeup would run on the other loop, or never: the task would be
                    // lost. Python raises RuntimeError at the await.
                    self.phase.set(Phase::Finished);
                    self.drop_coroutine();
                    panic!(
                        "a task awaited a future attached to a different event loop (or to \
                         a dropped one): a future can only be awaited by tasks of the loop \
                         that made it (Python: RuntimeError)"
                    );
                }
                if Rc::as_ptr(&future).cast::<()>() == self.future.cell_ptr() {
                    // It would wait for its own end, forever.
                    self.phase.set(Phase::Finished);
                    self.drop_coroutine();
                    panic!(
                        "a task awaited itself (its own `Task`, or the future of it): it would \
                         wait forever (Python: RuntimeError: Task cannot await on itself)"
                    );
                }
                self.phase.set(Phase::Waiting);
                future.add_wakeup(self.clone());
                self.waiting_on.set(Some(future.clone()));
                // Cancelled while running (by itself, or by a callback it ran): cancel what
                // it now waits for (Python does the same in `__step`).
                if self.must_cancel.get() && future.cancel() {
                    self.must_cancel.set(false);
                }
            }
            GeneratorState::Complete(returned) => {
                self.phase.set(Phase::Finished);
                // The result first: the coroutine's destructors then see a done task.
                self.finish(returned);
                self.drop_coroutine();
            }
        }
    }
}

impl<G, T, E> CancelHook for Runner<G, T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    T: 'static,
    E: AsyncError + 'static,
{
    fn cancel_hook(self: Rc<Self>) -> bool {
        self.request_cancel()
    }

    fn completes_the_future(&self) -> bool {
        true
    }

    fn no_cancel_request_left(&self) {
        // No request left: one not yet delivered is withdrawn too (Python 3.13).
        self.must_cancel.set(false);
    }
}

impl<G, T, E> TaskControl for Runner<G, T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
    T: 'static,
    E: AsyncError + 'static,
{
    fn close(&self) {
        if self.future.done() {
            return;
        }
        // Wakeups of tasks awaiting this one can never run now (the loop is gone); they
        // would keep those tasks, and through them this one, alive in a cycle. Dropped
        // first, so that a panicking destructor of the coroutine cannot keep them.
        self.future.drop_callbacks();
        if matches!(
            self.phase.get(),
            Phase::Fresh | Phase::Suspended | Phase::Waiting
        ) {
            self.phase.set(Phase::Finished);
            drop(self.waiting_on.take());
            self.drop_coroutine();
        }
    }

    fn done(&self) -> bool {
        self.future.done()
    }

    fn cancelled(&self) -> bool {
        self.future.cancelled()
    }

    fn cancel(self: Rc<Self>) -> bool {
        self.future.cancel()
    }

    fn cancelling(&self) -> usize {
        self.future.cancel_requests()
    }

    fn uncancel(&self) -> usize {
        self.future.withdraw_cancel_request()
    }

    fn future_ptr(&self) -> *const () {
        self.future.cell_ptr()
    }

    fn get_name(&self) -> String {
        self.future.task_name()
    }

    fn set_name(&self, name: Rc<str>) {
        self.future.set_task_name(name);
    }
}
