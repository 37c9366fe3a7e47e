//! `TaskGroup`: structured concurrency (Python's `asyncio.TaskGroup`).

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::pin::Pin;

use super::event_loop::running_loop;
use super::future::{Future, Waitable};
use super::leaf::{Await, once};
use super::task::{AnyTask, Task, current_task};
use super::{AsyncError, Cancelled, Resume, Suspend};
use crate::state::misuse;
use crate::{Generator, GeneratorState, IntoGenerator, Status};

/// Python's `asyncio.TaskGroup`: tasks that live no longer than a block of code.
///
/// [`TaskGroup::run(|tg| body)`](TaskGroup::run) is `async with TaskGroup() as tg: <body>`:
/// the body (run in the calling task) starts tasks with
/// [`tg.create_task(..)`](TaskGroup::create_task), and `run` returns only once every one of
/// them is done. When a task fails, the others and the body are cancelled, and `run`
/// returns the first error (Python raises an `ExceptionGroup` of them all; here the first
/// is returned, and [`errors`](TaskGroup::errors) has them all). If the body fails, the
/// tasks are cancelled, and its error is returned unless a task failed first. If the task
/// running the group is cancelled, so are the tasks, and `run` returns `Err(Cancelled)`
/// once they are done.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, TaskGroup};
///
/// #[asyncio::coroutine]
/// fn nap(secs: u64) -> Result<u64, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[asyncio::coroutine]
/// fn body(tg: TaskGroup) -> Result<(asyncio::Task<u64>, asyncio::Task<u64>), Cancelled> {
///     Ok((tg.create_task(nap(1)), tg.create_task(nap(2))))
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(u64, u64), Cancelled> {
///     let (a, b) = yield_from!(TaskGroup::run(body))?;
///     // both are done here
///     Ok((yield_from!(&a)?, yield_from!(&b)?))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok((1, 2)));
/// assert_eq!(lp.time(), Duration::from_secs(2));
/// ```
pub struct TaskGroup<E = Cancelled>(Rc<GroupState<E>>);

struct GroupState<E> {
    parent: RefCell<Option<AnyTask>>,
    /// The tasks not done yet.
    tasks: RefCell<Vec<Rc<dyn Waitable>>>,
    errors: RefCell<Vec<E>>,
    aborting: Cell<bool>,
    parent_cancel_requested: Cell<bool>,
    finished: Cell<bool>,
    /// Set when the last task is done, while `run` waits for them.
    on_completed: RefCell<Option<Future<(), Cancelled>>>,
}

impl<E> Clone for TaskGroup<E> {
    fn clone(&self) -> Self {
        TaskGroup(self.0.clone())
    }
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("tasks", &self.0.tasks.borrow().len())
            .field("errors", &self.0.errors.borrow().len())
            .field("aborting", &self.0.aborting.get())
            .finish()
    }
}

impl<E: AsyncError + Clone + 'static> TaskGroup<E> {
    /// `async with TaskGroup() as tg: <body>`: run `body(tg)` in the calling task, then
    /// wait for the group's tasks; see [`TaskGroup`]. The body's value, or the first error.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, TaskGroup};
    ///
    /// #[asyncio::coroutine]
    /// fn nap(secs: u64) -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn body(tg: TaskGroup) -> Result<&'static str, Cancelled> {
    ///     tg.create_task(nap(3));
    ///     Ok("body done")
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<&'static str, Cancelled> {
    ///     yield_from!(TaskGroup::run(body)) // returns once the nap is over too
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(main_coro()), Ok("body done"));
    /// assert_eq!(lp.time(), Duration::from_secs(3));
    /// ```
    ///
    /// # Panics
    /// When started outside a task.
    pub fn run<F, G, T>(body: F) -> TaskGroupRun<F, G, T, E>
    where
        F: FnOnce(TaskGroup<E>) -> G,
        G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    {
        TaskGroupRun {
            group: TaskGroup(Rc::new(GroupState {
                parent: RefCell::new(None),
                tasks: RefCell::new(Vec::new()),
                errors: RefCell::new(Vec::new()),
                aborting: Cell::new(false),
                parent_cancel_requested: Cell::new(false),
                finished: Cell::new(false),
                on_completed: RefCell::new(None),
            })),
            state: RunState::Created(body),
            status: Status::Created,
        }
    }

    /// Start `coroutine` as a task of the group (Python: `tg.create_task(coro)`). The handle
    /// is for the task's result; it may be dropped: the group waits for the task either way,
    /// and its error ends the group (unlike [`asyncio::create_task`](super::create_task)'s,
    /// this handle is not `#[must_use]`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Task, TaskGroup};
    ///
    /// #[asyncio::coroutine]
    /// fn square(n: u32) -> Result<u32, Cancelled> {
    ///     Ok(n * n)
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn body(tg: TaskGroup) -> Result<Vec<Task<u32>>, Cancelled> {
    ///     Ok((1..=3).map(|n| tg.create_task(square(n))).collect())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<Vec<u32>, Cancelled> {
    ///     let tasks = yield_from!(TaskGroup::run(body))?;
    ///     Ok(tasks.iter().map(|task| task.result().unwrap().unwrap()).collect()) // all done
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(main_coro()), Ok(vec![1, 4, 9]));
    /// ```
    ///
    /// # Panics
    /// If the group is done (its `run` returned) or shutting down after a failure (Python:
    /// RuntimeError), or if no loop is running.
    #[track_caller]
    pub fn create_task<G, T>(&self, coroutine: G) -> Task<T, E>
    where
        G: Generator<Resume, Yield = Suspend, Return = Result<T, E>> + 'static,
        T: 'static,
    {
        assert!(
            !self.0.finished.get(),
            "TaskGroup::create_task on a group that is finished (Python: RuntimeError)"
        );
        assert!(
            !self.0.aborting.get(),
            "TaskGroup::create_task on a group that is shutting down (Python: RuntimeError)"
        );
        let task = running_loop("TaskGroup::create_task").create_task(coroutine);
        self.0.tasks.borrow_mut().push(task.waitable());
        let group = self.clone();
        task.on_done(move |task| group.on_task_done(task));
        task
    }

    /// The errors of the tasks that failed so far, in the order they failed (then the
    /// body's, once `run` has returned).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop, TaskGroup};
    ///
    /// #[derive(Debug, Clone, PartialEq)]
    /// enum Error {
    ///     Cancelled,
    ///     Failed(u32),
    /// }
    /// impl From<Cancelled> for Error {
    ///     fn from(_: Cancelled) -> Self {
    ///         Error::Cancelled
    ///     }
    /// }
    /// impl AsyncError for Error {
    ///     fn is_cancelled(&self) -> bool {
    ///         *self == Error::Cancelled
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn fail(n: u32) -> Result<(), Error> {
    ///     Err(Error::Failed(n))
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn body(tg: TaskGroup<Error>, keep: Rc<RefCell<Option<TaskGroup<Error>>>>) -> Result<(), Error> {
    ///     *keep.borrow_mut() = Some(tg.clone());
    ///     tg.create_task(fail(1));
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro(keep: Rc<RefCell<Option<TaskGroup<Error>>>>) -> Result<(), Error> {
    ///     yield_from!(TaskGroup::run(|tg| body(tg, keep)))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let keep = Rc::new(RefCell::new(None));
    /// assert_eq!(lp.run_until_complete(main_coro(keep.clone())), Err(Error::Failed(1)));
    /// assert_eq!(keep.borrow().as_ref().unwrap().errors(), [Error::Failed(1)]);
    /// ```
    pub fn errors(&self) -> Vec<E> {
        self.0.errors.borrow().clone()
    }

    /// Python's `TaskGroup._on_task_done`.
    fn on_task_done<T: 'static>(&self, task: &Future<T, E>) {
        let state = &self.0;
        {
            let mut tasks = state.tasks.borrow_mut();
            let me = task.cell_ptr();
            tasks.retain(|other| !core::ptr::eq(Rc::as_ptr(other).cast::<()>(), me));
            if tasks.is_empty()
                && let Some(done) = &*state.on_completed.borrow()
            {
                let _ = done.set_result(());
            }
        }
        let Some(error) = task.exception() else {
            return;
        };
        state.errors.borrow_mut().push(error);
        if !state.aborting.get() && !state.parent_cancel_requested.get() {
            self.abort();
            state.parent_cancel_requested.set(true);
            if let Some(parent) = &*state.parent.borrow() {
                parent.cancel();
            }
        }
    }

    /// Python's `TaskGroup._abort`.
    fn abort(&self) {
        self.0.aborting.set(true);
        // A copy: a cancellation may come back here.
        let tasks = self.0.tasks.borrow().clone();
        for task in tasks {
            task.cancel();
        }
    }
}

/// The awaitable of [`TaskGroup::run`]: the body's `Result<T, E>`, or the first error.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, EventLoop, TaskGroup, TaskGroupRun};
///
/// #[derive(Debug, Clone, PartialEq)]
/// enum Error {
///     Cancelled,
///     Failed(u32),
/// }
/// impl From<asyncio::Cancelled> for Error {
///     fn from(_: asyncio::Cancelled) -> Self {
///         Error::Cancelled
///     }
/// }
/// impl asyncio::AsyncError for Error {
///     fn is_cancelled(&self) -> bool {
///         *self == Error::Cancelled
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn check(n: u32) -> Result<(), Error> {
///     if n == 2 { Err(Error::Failed(n)) } else { Ok(()) }
/// }
///
/// #[asyncio::coroutine]
/// fn body(tg: TaskGroup<Error>) -> Result<(), Error> {
///     for n in 1..=3 {
///         tg.create_task(check(n));
///     }
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(), Error> {
///     let group: TaskGroupRun<_, _, (), Error> = TaskGroup::run(body);
///     yield_from!(group)
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Err(Error::Failed(2)));
/// ```
pub struct TaskGroupRun<F, G, T, E> {
    group: TaskGroup<E>,
    state: RunState<F, G, T, E>,
    status: Status,
}

enum RunState<F, G, T, E> {
    Created(F),
    /// Boxed so that the body stays pinned while this awaitable moves.
    Body(Pin<Box<G>>),
    Joining {
        wait: Await<(), Cancelled>,
        outcome: Outcome<T, E>,
    },
    Closed,
}

/// How the body ended, and whether a cancellation is to be passed on.
struct Outcome<T, E> {
    value: Option<T>,
    body_error: Option<E>,
    propagate_cancel: bool,
}

/// Dropped (or closed) before it finished: the group no longer holds the task that ran it,
/// and a failing child no longer cancels it.
impl<F, G, T, E> Drop for TaskGroupRun<F, G, T, E> {
    fn drop(&mut self) {
        drop(self.group.0.parent.take());
    }
}

// No field is pinned: the body is boxed.
impl<F, G, T, E> Unpin for TaskGroupRun<F, G, T, E> {}

impl<F, G, T, E> fmt::Debug for TaskGroupRun<F, G, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupRun")
            .field("group", &self.group)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<F, G, T, E> TaskGroupRun<F, G, T, E>
where
    F: FnOnce(TaskGroup<E>) -> G,
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    E: AsyncError + Clone + 'static,
{
    fn body_step(
        &mut self,
        step: GeneratorState<Suspend, Result<T, E>>,
    ) -> GeneratorState<Suspend, Result<T, E>> {
        match step {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(result) => {
                // Python's `TaskGroup.__aexit__`.
                let group = self.group.clone();
                let mut outcome = Outcome {
                    value: None,
                    body_error: None,
                    propagate_cancel: false,
                };
                match result {
                    Ok(value) => outcome.value = Some(value),
                    Err(error) => {
                        if !group.0.aborting.get() {
                            group.abort();
                        }
                        if error.is_cancelled() {
                            outcome.propagate_cancel = true;
                        } else {
                            outcome.body_error = Some(error);
                        }
                    }
                }
                self.join(outcome)
            }
        }
    }

    /// Wait until no task is left, then finish.
    fn join(&mut self, outcome: Outcome<T, E>) -> GeneratorState<Suspend, Result<T, E>> {
        let state = &self.group.0;
        if !state.tasks.borrow().is_empty() {
            let done: Future<(), Cancelled> = running_loop("TaskGroup::run").create_future();
            *state.on_completed.borrow_mut() = Some(done.clone());
            let mut wait = done.into_generator();
            let step = Pin::new(&mut wait).start();
            self.state = RunState::Joining { wait, outcome };
            return match step {
                GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
                GeneratorState::Complete(_) => {
                    unreachable!("cogen: a pending future is never done at once")
                }
            };
        }
        self.state = RunState::Closed;
        self.status = Status::Closed;
        GeneratorState::Complete(self.finish(outcome))
    }

    fn finish(&self, mut outcome: Outcome<T, E>) -> Result<T, E> {
        let state = &self.group.0;
        state.finished.set(true);
        let parent = state.parent.take();
        if state.parent_cancel_requested.get()
            && parent.is_some_and(|parent| parent.uncancel() == 0)
        {
            // The only cancellation was the group's own: it is not passed on.
            outcome.propagate_cancel = false;
        }
        if outcome.propagate_cancel && state.errors.borrow().is_empty() {
            return Err(E::from(Cancelled));
        }
        if let Some(error) = outcome.body_error {
            state.errors.borrow_mut().push(error);
        }
        if let Some(error) = state.errors.borrow().first() {
            return Err(error.clone());
        }
        outcome.value.ok_or_else(|| E::from(Cancelled))
    }
}

impl<F, G, T, E> Generator<Resume> for TaskGroupRun<F, G, T, E>
where
    F: FnOnce(TaskGroup<E>) -> G,
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    E: AsyncError + Clone + 'static,
{
    type Yield = Suspend;
    type Return = Result<T, E>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Result<T, E>> {
        let this = self.get_mut();
        if this.status != Status::Created {
            misuse("start", this.status);
        }
        let Some(parent) = current_task() else {
            panic!("TaskGroup::run must be awaited inside a task (Python: RuntimeError)")
        };
        *this.group.0.parent.borrow_mut() = Some(parent);
        let RunState::Created(body) = core::mem::replace(&mut this.state, RunState::Closed) else {
            unreachable!("cogen: a TaskGroup::run not started has its body")
        };
        let mut body = Box::pin(body(this.group.clone()));
        this.status = Status::Suspended;
        let step = body.as_mut().start();
        this.state = RunState::Body(body);
        this.body_step(step)
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Result<T, E>> {
        let this = self.get_mut();
        if this.status != Status::Suspended {
            misuse("resume", this.status);
        }
        match core::mem::replace(&mut this.state, RunState::Closed) {
            RunState::Body(mut body) => {
                let step = body.as_mut().resume(arg);
                this.state = RunState::Body(body);
                this.body_step(step)
            }
            RunState::Joining {
                mut wait,
                mut outcome,
            } => {
                let waited = once(Pin::new(&mut wait).resume(arg));
                *this.group.0.on_completed.borrow_mut() = None;
                if waited.is_err() && !this.group.0.aborting.get() {
                    // The task running the group was cancelled.
                    outcome.propagate_cancel = true;
                    this.group.abort();
                }
                this.join(outcome)
            }
            _ => unreachable!("cogen: TaskGroup::run resumed out of order"),
        }
    }

    fn close(self: Pin<&mut Self>) {
        let this = self.get_mut();
        this.state = RunState::Closed;
        this.status = Status::Closed;
        drop(this.group.0.parent.take());
    }

    fn status(&self) -> Status {
        self.status
    }
}
