//! `Future`: a result cell with done callbacks (Python's `asyncio.Future`).

use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

use super::event_loop::{EventLoop, LoopInner, call, running_loop};
use super::task::Step;
use super::{AsyncError, Awaitable, Cancelled};

/// Python's `asyncio.Future`: a cell that is pending until it gets a result, fails with an
/// error, or is cancelled, and then runs its done callbacks on the event loop.
///
/// `Future` is a handle: `Clone` shares the cell. A coroutine waits for it with
/// `yield_from!(&fut)`, which returns at once if it is done and otherwise suspends the task
/// until it is; the value is the result, cloned (`Ok(T)`), or the error (`Err(E)`,
/// `E::from(Cancelled)` if it was cancelled).
///
/// Callbacks never run inside `set_result`: completing the future schedules them on the
/// loop, in the order they were added, for its next tick.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::asyncio::{Cancelled, EventLoop, Future, InvalidState};
///
/// let lp = EventLoop::with_virtual_clock();
/// let fut: Future<&str> = lp.create_future();
/// let bag = Rc::new(RefCell::new(Vec::new()));
/// for n in [42, 17] {
///     let bag = bag.clone();
///     fut.add_done_callback(move |_| bag.borrow_mut().push(n));
/// }
/// assert_eq!(fut.result(), None); // pending
/// fut.set_result("foo").unwrap();
/// assert!(bag.borrow().is_empty()); // callbacks wait for the loop
/// lp.run_briefly();
/// assert_eq!(*bag.borrow(), [42, 17]);
/// assert_eq!(fut.result(), Some(Ok("foo")));
/// assert_eq!(fut.set_result("again"), Err(InvalidState));
/// assert!(!fut.cancel());
/// ```
pub struct Future<T, E = Cancelled> {
    cell: Rc<FutureCell<T, E>>,
}

pub(crate) struct FutureCell<T, E> {
    state: RefCell<State<T, E>>,
    callbacks: RefCell<Callbacks<T, E>>,
    event_loop: Weak<LoopInner>,
    /// What `cancel` does instead of cancelling the cell (a task's and a gather's cancel):
    /// `Some(cancelled)`, or `None` when what it would cancel is gone (see `cancel`).
    cancel_hook: RefCell<Option<Weak<dyn CancelHook>>>,
    /// The error was retrieved (read from the done future, handed to an await or a gather's
    /// child as the future completed, or given to a public done callback that ran): it is
    /// then someone's to handle, and not reported when the future is dropped. Only set once
    /// the future is done, as Python's `__log_traceback` is only cleared by reading a done
    /// future.
    observed: Cell<bool>,
    /// A task's future: the task's number on its loop (`Task-1` is the first), 0 for a
    /// plain future.
    task_number: Cell<u64>,
    /// The name `set_name` gave the task (Python's `Task.set_name`), if any.
    task_name: Cell<Option<Rc<str>>>,
    /// A task's pending cancellation requests (Python's `Task.cancelling()`): here, not in
    /// the task's runner, so that a `Task` handle reads them, also after the task is done
    /// and its runner gone.
    cancel_requests: Cell<usize>,
}

/// Whether a done callback takes charge of the outcome (see `FutureCell::observed`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Observes {
    Yes,
    No,
}

/// Python's "Task exception was never retrieved": a future dropped with an error nothing
/// asked for is reported to its loop's exception handler (or stderr), so that a task left
/// to run on its own does not fail silently.
impl<T, E> Drop for FutureCell<T, E> {
    fn drop(&mut self) {
        if matches!(self.state.get_mut(), State::Exception(_)) && !self.observed.get() {
            let (what, which) = match self.task_number.get() {
                0 => ("Future", "a future".to_string()),
                _ => ("Task", alloc::format!("task `{}`", self.name_of_task())),
            };
            let message = alloc::format!(
                "cogen::asyncio: {what} exception was never retrieved: {which} failed with an \
                 error of type `{}` that nothing awaited or read (await it, read its \
                 `result()`, or add a done callback)",
                core::any::type_name::<E>()
            );
            super::event_loop::report_error(&self.event_loop, &message);
        }
    }
}

impl<T, E> FutureCell<T, E> {
    fn name_of_task(&self) -> String {
        let name = self.task_name.take();
        let text = match &name {
            Some(name) => name.to_string(),
            None => alloc::format!("Task-{}", self.task_number.get()),
        };
        self.task_name.set(name);
        text
    }
}

/// What `cancel` does instead of cancelling the cell: a task's or a gather's cancel. Held
/// weakly (the owner holds the future), and made without an allocation.
pub(crate) trait CancelHook {
    /// Cancel what the future stands for; returns whether anything was cancelled.
    fn cancel_hook(self: Rc<Self>) -> bool;

    /// Whether only the owner completes the future (a task: its result is what its
    /// coroutine returns), so that `set_result` and `set_exception` from outside are refused.
    fn completes_the_future(&self) -> bool {
        false
    }

    /// Every cancellation request was withdrawn: one not yet delivered is dropped (a
    /// task's, Python 3.13's `uncancel`).
    fn no_cancel_request_left(&self) {}
}

enum State<T, E> {
    Pending,
    Result(T),
    Exception(E),
    Cancelled,
    /// The result was moved out by [`super::run`].
    Taken,
}

type DoneCallback<T, E> = Box<dyn FnOnce(&Future<T, E>)>;

/// The callbacks of a pending future, in the order they were added. The first is held
/// inline: a future with one waiter (the usual case: the task awaiting it) allocates no
/// list.
struct Callbacks<T, E> {
    first: Option<Callback<T, E>>,
    rest: Vec<Callback<T, E>>,
}

impl<T, E> Default for Callbacks<T, E> {
    fn default() -> Self {
        Callbacks {
            first: None,
            rest: Vec::new(),
        }
    }
}

impl<T, E> Callbacks<T, E> {
    fn push(&mut self, callback: Callback<T, E>) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(callback);
        } else {
            self.rest.push(callback);
        }
    }

    /// Remove the first callback `mine` picks, keeping the order of the others.
    fn remove(&mut self, mine: impl Fn(&Callback<T, E>) -> bool) -> Option<Callback<T, E>> {
        if self.first.as_ref().is_some_and(&mine) {
            return self.first.take();
        }
        let at = self.rest.iter().position(mine)?;
        Some(self.rest.remove(at))
    }

    fn into_iter(self) -> impl Iterator<Item = Callback<T, E>> {
        self.first.into_iter().chain(self.rest)
    }
}

enum Callback<T, E> {
    /// A done callback; `Observes::Yes` for the public ones, which take charge of the
    /// outcome when they run.
    User(CallbackId, DoneCallback<T, E>, Observes),
    /// A task waiting for this future (its next step), or a `gather` waiting for this child.
    Wake(Rc<dyn Step>),
}

/// The next [`CallbackId`]. Process-wide, not per thread: an id is `Send`, and one made on
/// another thread must not name a callback of this one.
static NEXT_CALLBACK_ID: AtomicU64 = AtomicU64::new(0);

/// Names a callback added by [`Future::add_done_callback`], to remove it with
/// [`Future::remove_done_callback`]. Ids are unique in the process: an id of another
/// future's callback removes nothing.
///
/// ```
/// use cogen::asyncio::{CallbackId, EventLoop, Future};
///
/// let lp = EventLoop::with_virtual_clock();
/// let (a, b): (Future<u32>, Future<u32>) = (lp.create_future(), lp.create_future());
/// let on_a: CallbackId = a.add_done_callback(|_| ());
/// let on_b: CallbackId = b.add_done_callback(|_| ());
/// assert_ne!(on_a, on_b);
/// assert_eq!(b.remove_done_callback(on_a), 0); // not b's
/// assert_eq!(a.remove_done_callback(on_a), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

/// Python's `InvalidStateError`: the future is already done, so it cannot be set again.
///
/// ```
/// use cogen::asyncio::InvalidState;
/// assert_eq!(InvalidState.to_string(), "invalid state: the future is already done");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidState;

impl fmt::Display for InvalidState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid state: the future is already done")
    }
}

impl std::error::Error for InvalidState {}

/// A future seen by a task that waits for it, its types erased.
pub(crate) trait Waitable {
    /// Step `task` once this future is done (on the next tick if it already is).
    fn add_wakeup(&self, task: Rc<dyn Step>);
    /// [`Future::cancel`].
    fn cancel(self: Rc<Self>) -> bool;
    /// Whether this future runs its callbacks on `event_loop` (the loop may be gone).
    fn attached_to(&self, event_loop: &LoopInner) -> bool;
}

impl<T, E> Clone for Future<T, E> {
    fn clone(&self) -> Self {
        Future {
            cell: self.cell.clone(),
        }
    }
}

impl<T, E> Future<T, E> {
    /// The address of the shared cell: which future this is.
    pub(crate) fn cell_ptr(&self) -> *const () {
        Rc::as_ptr(&self.cell).cast()
    }
    /// The name of the task this is the future of (see [`Task::get_name`]).
    pub(crate) fn task_name(&self) -> String {
        self.cell.name_of_task()
    }

    pub(crate) fn set_task_name(&self, name: Rc<str>) {
        drop(self.cell.task_name.replace(Some(name)));
    }

    /// The task's pending cancellation requests (see [`Task::cancelling`]).
    pub(crate) fn cancel_requests(&self) -> usize {
        self.cell.cancel_requests.get()
    }

    pub(crate) fn add_cancel_request(&self) {
        let requests = &self.cell.cancel_requests;
        requests.set(requests.get() + 1);
    }

    /// The cancel hook, while its owner (a task's runner, a gather) is alive.
    fn cancel_hook(&self) -> Option<Rc<dyn CancelHook>> {
        self.cell
            .cancel_hook
            .borrow()
            .as_ref()
            .and_then(Weak::upgrade)
    }

    /// Withdraw one request, and return how many are left; when the last one goes, the
    /// task's runner (if it still runs) drops a request it has not delivered yet. With none
    /// to withdraw, nothing changes (Python 3.13's `uncancel`).
    pub(crate) fn withdraw_cancel_request(&self) -> usize {
        let requests = &self.cell.cancel_requests;
        let Some(left) = requests.get().checked_sub(1) else {
            return 0;
        };
        requests.set(left);
        if left == 0
            && let Some(hook) = self.cancel_hook()
        {
            hook.no_cancel_request_left();
        }
        left
    }
}

impl<T: 'static, E: 'static> Future<T, E> {
    pub(crate) fn on(event_loop: Weak<LoopInner>) -> Self {
        Future {
            cell: Rc::new(FutureCell {
                state: RefCell::new(State::Pending),
                callbacks: RefCell::new(Callbacks::default()),
                event_loop,
                cancel_hook: RefCell::new(None),
                observed: Cell::new(false),
                task_number: Cell::new(0),
                task_name: Cell::new(None),
                cancel_requests: Cell::new(0),
            }),
        }
    }

    /// A new pending future on the running loop (Python: `asyncio.Future()`); outside a
    /// coroutine, use [`EventLoop::create_future`].
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Future};
    ///
    /// #[asyncio::coroutine]
    /// fn answer() -> Result<u32, Cancelled> {
    ///     let fut: Future<u32> = Future::new(); // on the running loop
    ///     let setter = fut.clone();
    ///     asyncio::get_running_loop().unwrap().call_soon(move || setter.set_result(42).unwrap());
    ///     yield_from!(&fut)
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(answer()), Ok(42));
    /// ```
    ///
    /// # Panics
    /// If no loop is running on this thread.
    #[track_caller]
    #[allow(clippy::new_without_default)] // `Default` would panic outside a running loop
    pub fn new() -> Self {
        running_loop("Future::new").create_future()
    }

    /// The loop this future runs its callbacks on, while it exists.
    pub(crate) fn event_loop(&self) -> Option<EventLoop> {
        self.cell.event_loop.upgrade().map(EventLoop::from_inner)
    }

    /// Panics unless this future runs its callbacks on `event_loop`: `what` (a gather, a
    /// wait) registers a callback on it, which would run on another loop, never while this
    /// one runs (or never at all, the loop dropped), and `what` would wait forever while
    /// the loop reported a deadlock without the cause (Python: ValueError).
    #[track_caller]
    pub(crate) fn expect_on(&self, event_loop: &EventLoop, what: &str) {
        if !self.cell.attached_to(event_loop.inner()) {
            of_another_loop(what);
        }
    }

    pub(crate) fn set_cancel_hook(&self, hook: Weak<dyn CancelHook>) {
        *self.cell.cancel_hook.borrow_mut() = Some(hook);
    }

    /// This is the future of task `number` of its loop.
    pub(crate) fn mark_of_task(&self, number: u64) {
        self.cell.task_number.set(number);
    }

    pub(crate) fn waitable(&self) -> Rc<dyn Waitable> {
        self.cell.clone()
    }

    /// Schedule `step` when the future is done (at once if it is), in order with the done
    /// callbacks, as itself: nothing is allocated for it.
    pub(crate) fn add_wakeup(&self, step: Rc<dyn Step>) {
        self.cell.add_wakeup(step);
    }

    /// Whether the future has a result, an error, or was cancelled.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<u32> = lp.create_future();
    /// assert!(!fut.done());
    /// fut.set_result(1).unwrap();
    /// assert!(fut.done());
    /// ```
    pub fn done(&self) -> bool {
        !matches!(*self.cell.state.borrow(), State::Pending)
    }

    /// Whether the future failed with an error (not a cancellation).
    /// Marks the error retrieved, as Python's `wait(.., FIRST_EXCEPTION)` does by calling
    /// `exception()`.
    pub(crate) fn failed(&self) -> bool {
        let failed = matches!(*self.cell.state.borrow(), State::Exception(_));
        self.cell.observed.set(self.cell.observed.get() || failed);
        failed
    }

    /// The error the future failed with, if it did (not a cancellation).
    pub(crate) fn exception(&self) -> Option<E>
    where
        E: Clone,
    {
        match &*self.cell.state.borrow() {
            State::Exception(error) => {
                self.cell.observed.set(true);
                Some(error.clone())
            }
            _ => None,
        }
    }

    /// Whether the future was cancelled.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let (done, cancelled): (Future<u32>, Future<u32>) = (lp.create_future(), lp.create_future());
    /// done.set_result(1).unwrap();
    /// cancelled.cancel();
    /// assert!(!done.cancelled());
    /// assert!(cancelled.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        matches!(*self.cell.state.borrow(), State::Cancelled)
    }

    /// Complete with `value` and schedule the callbacks; `Err(InvalidState)` if the future
    /// is already done.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Future, InvalidState};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<&str> = lp.create_future();
    /// assert_eq!(fut.set_result("ok"), Ok(()));
    /// assert_eq!(fut.result(), Some(Ok("ok")));
    /// assert_eq!(fut.set_result("again"), Err(InvalidState));
    /// ```
    ///
    /// # Panics
    /// If this is a [`Task`](super::Task)'s future (Python: RuntimeError "Task does not
    /// support set_result operation"): its result is what its coroutine returns; cancel the
    /// task instead.
    #[track_caller]
    pub fn set_result(&self, value: T) -> Result<(), InvalidState> {
        self.refuse_if_a_tasks("set_result");
        self.complete(State::Result(value))
    }

    /// `set_result` for the owner that completes the future itself (a task's step).
    pub(crate) fn set_own_result(&self, value: T) -> Result<(), InvalidState> {
        self.complete(State::Result(value))
    }

    /// Fail with `error` and schedule the callbacks; `Err(InvalidState)` if the future is
    /// already done.
    ///
    /// ```
    /// use cogen::asyncio::{AsyncError, Cancelled, EventLoop, Future, InvalidState};
    ///
    /// #[derive(Debug, Clone, PartialEq)]
    /// enum Error {
    ///     Cancelled,
    ///     Refused,
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
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<u32, Error> = lp.create_future();
    /// assert_eq!(fut.set_exception(Error::Refused), Ok(()));
    /// assert_eq!(fut.result(), Some(Err(Error::Refused)));
    /// assert_eq!(fut.set_exception(Error::Refused), Err(InvalidState));
    /// ```
    ///
    /// # Panics
    /// If this is a [`Task`](super::Task)'s future, as [`set_result`](Future::set_result).
    #[track_caller]
    pub fn set_exception(&self, error: E) -> Result<(), InvalidState> {
        self.refuse_if_a_tasks("set_exception");
        self.complete(State::Exception(error))
    }

    /// `set_exception` for the owner that completes the future itself (a task's step).
    pub(crate) fn set_own_exception(&self, error: E) -> Result<(), InvalidState> {
        self.complete(State::Exception(error))
    }

    /// Accepted, a task's result set from outside would make the task done while its
    /// coroutine still runs, and a done task is not closed with its loop (its coroutine,
    /// waiting on a future that waits on it, would be leaked). Only a task whose coroutine
    /// is gone (closed with its loop) can be completed from outside.
    #[track_caller]
    fn refuse_if_a_tasks(&self, what: &str) {
        // Only tasks and gathers have a hook: a plain future pays one borrow flag test.
        let a_tasks = self
            .cancel_hook()
            .is_some_and(|hook| hook.completes_the_future());
        if a_tasks {
            refused_on_a_task(what);
        }
    }

    /// Cancel the future if it is pending and schedule the callbacks; returns whether it
    /// did (Python: `fut.cancel()`). Cancelling a [`Task`](super::Task) asks its coroutine
    /// to stop instead, and a [`gather`](super::gather) future cancels its children.
    ///
    /// ```
    /// use cogen::asyncio::{Cancelled, EventLoop, Future};
    ///
    /// let lp = EventLoop::new();
    /// let fut: Future<u32> = lp.create_future();
    /// assert!(fut.cancel());
    /// assert!(fut.cancelled() && fut.done());
    /// assert_eq!(fut.result(), Some(Err(Cancelled)));
    /// assert!(!fut.cancel());
    /// ```
    pub fn cancel(&self) -> bool {
        if self.done() {
            return false;
        }
        let hook = self.cancel_hook();
        let hooked = hook.map(CancelHook::cancel_hook);
        match hooked {
            Some(cancelled) => cancelled,
            // No hook, or its owner is gone: a task whose coroutine panicked (dropped after
            // unwinding) or a gather whose children were dropped will never complete this
            // future, so cancelling it is cancelling the cell (and waking its awaiters).
            // A task's request counts all the same (`Task::cancelling`).
            None => {
                let cancelled = self.cancel_now();
                if cancelled && self.cell.task_number.get() != 0 {
                    self.add_cancel_request();
                }
                cancelled
            }
        }
    }

    /// Drop the callbacks not yet scheduled: the loop is gone, so they can never run.
    pub(crate) fn drop_callbacks(&self) {
        let callbacks = core::mem::take(&mut *self.cell.callbacks.borrow_mut());
        drop(callbacks);
    }

    /// Cancel the cell itself, bypassing any hook.
    pub(crate) fn cancel_now(&self) -> bool {
        self.complete(State::Cancelled).is_ok()
    }

    /// Run `callback` with the future once it is done, on the loop's next tick after that
    /// (at once on the next tick if it is already done). Callbacks run in the order added.
    /// A callback that runs is then in charge of the outcome: an error is not reported as
    /// never retrieved (see [`EventLoop::set_exception_handler`]; Python, unlike this, still
    /// reports one that the callback did not read).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use cogen::asyncio::{EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<u32> = lp.create_future();
    /// let seen = Rc::new(Cell::new(None));
    /// let sink = seen.clone();
    /// fut.add_done_callback(move |fut| sink.set(fut.result()));
    /// fut.set_result(7).unwrap();
    /// lp.run_briefly();
    /// assert_eq!(seen.get(), Some(Ok(7)));
    /// ```
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T, E>) + 'static) -> CallbackId {
        self.add_callback(callback, Observes::Yes)
    }

    /// [`add_done_callback`](Future::add_done_callback) for the crate's own bookkeeping,
    /// which does not take charge of the outcome: an error is retrieved only if the callback
    /// reads it, and reported otherwise.
    pub(crate) fn on_done(&self, callback: impl FnOnce(&Future<T, E>) + 'static) -> CallbackId {
        self.add_callback(callback, Observes::No)
    }

    fn add_callback(
        &self,
        callback: impl FnOnce(&Future<T, E>) + 'static,
        observes: Observes,
    ) -> CallbackId {
        // Ids are unique on the thread, not per future: an id from another future (a
        // callback never added to this one) must find nothing here, not whatever callback
        // of this future happens to have the same number (Python: `remove_done_callback`
        // of a function never added returns 0).
        let id = CallbackId(NEXT_CALLBACK_ID.fetch_add(1, Ordering::Relaxed));
        let callback = Callback::User(id, Box::new(callback), observes);
        if self.done() {
            self.schedule(callback);
        } else {
            self.cell.callbacks.borrow_mut().push(callback);
        }
        id
    }

    /// Remove a callback that has not been scheduled yet; returns how many were removed
    /// (0 or 1; Python removes every registration of the same function and counts them).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use cogen::asyncio::{EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<u32> = lp.create_future();
    /// let calls = Rc::new(Cell::new(0));
    /// let counter = calls.clone();
    /// let id = fut.add_done_callback(move |_| counter.set(counter.get() + 1));
    /// assert_eq!(fut.remove_done_callback(id), 1);
    /// assert_eq!(fut.remove_done_callback(id), 0);
    /// fut.set_result(7).unwrap();
    /// lp.run_briefly();
    /// assert_eq!(calls.get(), 0);
    /// ```
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        let removed = self
            .cell
            .callbacks
            .borrow_mut()
            .remove(|callback| matches!(callback, Callback::User(mine, ..) if *mine == id));
        usize::from(removed.is_some())
    }

    fn complete(&self, state: State<T, E>) -> Result<(), InvalidState> {
        {
            let mut current = self.cell.state.borrow_mut();
            if !matches!(*current, State::Pending) {
                return Err(InvalidState);
            }
            *current = state;
        }
        let callbacks = core::mem::take(&mut *self.cell.callbacks.borrow_mut());
        for callback in callbacks.into_iter() {
            self.schedule(callback);
        }
        Ok(())
    }

    /// Put a callback of this (done) future on its loop's ready queue. If the loop is gone,
    /// nothing can run it any more, and it is dropped.
    fn schedule(&self, callback: Callback<T, E>) {
        let Some(event_loop) = self.cell.event_loop.upgrade() else {
            return;
        };
        event_loop.schedule(match callback {
            // An await reads the outcome when its step runs, and a gather's child callback
            // takes charge of it (Python's gather marks a child's error retrieved even after
            // the gather has failed): handing it to them is retrieving it.
            Callback::Wake(task) => {
                self.cell.observed.set(true);
                task
            }
            // A public done callback retrieves it when it runs (a deliberate difference
            // from Python, whose callbacks must read it); a crate callback only if it reads.
            Callback::User(_, callback, observes) => {
                let future = self.clone();
                call(move || {
                    if observes == Observes::Yes {
                        future.cell.observed.set(true);
                    }
                    callback(&future)
                })
            }
        });
    }

    /// Move the result out, for the only holder of the future ([`super::run`]).
    pub(crate) fn take_result(&self) -> Result<T, E>
    where
        E: AsyncError,
    {
        self.cell.observed.set(true);
        match core::mem::replace(&mut *self.cell.state.borrow_mut(), State::Taken) {
            State::Result(value) => Ok(value),
            State::Exception(error) => Err(error),
            State::Cancelled => Err(E::from(Cancelled)),
            State::Pending | State::Taken => unreachable!("cogen: take_result of a pending future"),
        }
    }
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static> Future<T, E> {
    /// The outcome once done: `Some(Ok(value))`, `Some(Err(error))`, or
    /// `Some(Err(E::from(Cancelled)))` if cancelled; `None` while pending (where Python
    /// raises `InvalidStateError`). The value is cloned: every holder of the future sees it.
    ///
    /// ```
    /// use cogen::asyncio::{Cancelled, EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let (a, b): (Future<u32>, Future<u32>) = (lp.create_future(), lp.create_future());
    /// assert_eq!(a.result(), None); // pending
    /// a.set_result(3).unwrap();
    /// b.cancel();
    /// assert_eq!(a.result(), Some(Ok(3)));
    /// assert_eq!(b.result(), Some(Err(Cancelled)));
    /// ```
    pub fn result(&self) -> Option<Result<T, E>> {
        match &*self.cell.state.borrow() {
            State::Pending => None,
            State::Result(value) => Some(Ok(value.clone())),
            State::Exception(error) => {
                self.cell.observed.set(true);
                Some(Err(error.clone()))
            }
            State::Cancelled => Some(Err(E::from(Cancelled))),
            State::Taken => unreachable!("cogen: the result of this future was moved out"),
        }
    }
}

impl<T: 'static, E: 'static> Waitable for FutureCell<T, E> {
    fn add_wakeup(&self, task: Rc<dyn Step>) {
        if matches!(*self.state.borrow(), State::Pending) {
            self.callbacks.borrow_mut().push(Callback::Wake(task));
        } else if let Some(event_loop) = self.event_loop.upgrade() {
            // Handed the outcome: see `Future::schedule`.
            self.observed.set(true);
            event_loop.schedule(task);
        }
    }

    fn cancel(self: Rc<Self>) -> bool {
        Future { cell: self }.cancel()
    }

    fn attached_to(&self, event_loop: &LoopInner) -> bool {
        // The `Weak` keeps the allocation, so a dropped loop's address is never reused.
        core::ptr::eq(self.event_loop.as_ptr(), event_loop)
    }
}

impl<T, E> fmt::Debug for Future<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match *self.cell.state.borrow() {
            State::Pending => "pending",
            State::Result(_) => "finished",
            State::Exception(_) => "failed",
            State::Cancelled => "cancelled",
            State::Taken => "taken",
        };
        f.debug_tuple("Future")
            .field(&format_args!("{state}"))
            .finish()
    }
}

impl<T: 'static, E: 'static> Awaitable<T, E> for Future<T, E> {
    fn ensure_future(self, _: &EventLoop) -> Future<T, E> {
        self
    }

    fn __event_loop(&self) -> Option<EventLoop> {
        self.event_loop()
    }
}

impl<T: 'static, E: 'static> Awaitable<T, E> for &Future<T, E> {
    fn ensure_future(self, _: &EventLoop) -> Future<T, E> {
        self.clone()
    }

    fn __event_loop(&self) -> Option<EventLoop> {
        self.event_loop()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn refused_on_a_task(what: &str) -> ! {
    panic!(
        "{what} on a Task's future: a task's result is what its coroutine returns (Python: \
         RuntimeError \"Task does not support {what} operation\"); cancel the task instead, \
         or complete a future of your own (`EventLoop::create_future`)"
    )
}

#[cold]
#[inline(never)]
#[track_caller]
fn of_another_loop(what: &str) -> ! {
    panic!(
        "{what} of a future attached to a different event loop (or to a dropped one): its \
         completion would never reach {what} (Python: ValueError); use futures and tasks of \
         one loop"
    )
}
