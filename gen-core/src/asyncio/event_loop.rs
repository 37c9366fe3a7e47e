//! The event loop: a FIFO ready queue, a timer heap, a clock, and the thread's running loop.

use alloc::boxed::Box;
use alloc::collections::BinaryHeap;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::{Cell, OnceCell, RefCell};
use core::cmp::Ordering;
use core::fmt;
use core::ptr::NonNull;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::{Duration, Instant};

use super::future::Future;
pub use super::selector::ThreadsafeHandle;
use super::selector::{AsSource, Io};
use super::task::{AnyTask, Step, Task, TaskControl};
use super::{AsyncError, Awaitable, Resume, Suspend};
use crate::Generator;

/// Python's event loop: runs ready callbacks and task steps in FIFO order, and timers by
/// deadline (equal deadlines in the order they were scheduled).
///
/// `EventLoop` is a cheap handle (`Clone` shares the loop). The handles made by
/// [`new`](EventLoop::new) and [`with_virtual_clock`](EventLoop::with_virtual_clock), and
/// their clones, own it: when the last of them is dropped, the loop is closed (its pending
/// tasks' coroutines, its callbacks and its timers are dropped), even if a pending task
/// holds a handle from [`get_running_loop`], which does not keep the loop open. One iteration (a *tick*) runs
/// every callback and task step that was ready when it began; what they schedule runs on
/// the next tick. When nothing is ready, the loop waits for the earliest timer: on a real
/// clock it sleeps, on a virtual clock it jumps. While readers or writers
/// ([`add_reader`](EventLoop::add_reader), the streams) or [`ThreadsafeHandle`]s exist, it
/// waits in the OS poller instead, until I/O is ready, another thread calls, or the timer
/// is due (on a virtual clock too, which then follows the real time waited).
///
/// ```
/// use std::time::Duration;
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::asyncio::EventLoop;
///
/// let lp = EventLoop::with_virtual_clock();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// for (delay, name) in [(30, "c"), (10, "a"), (20, "b")] {
///     let log = log.clone();
///     lp.call_later(Duration::from_millis(delay), move || log.borrow_mut().push(name));
/// }
/// let log2 = log.clone();
/// lp.call_soon(move || log2.borrow_mut().push("soon"));
/// lp.run_until_idle();
/// assert_eq!(*log.borrow(), ["soon", "a", "b", "c"]);
/// assert_eq!(lp.time(), Duration::from_millis(30));
/// ```
pub struct EventLoop {
    inner: Rc<LoopInner>,
    /// Made by [`EventLoop::new`] or [`EventLoop::with_virtual_clock`] (or cloned from such a
    /// handle), rather than found by [`get_running_loop`]: when the last owner goes, the
    /// loop is closed (see `LoopInner::close`), even if its pending tasks hold handles.
    owner: bool,
}

impl Clone for EventLoop {
    fn clone(&self) -> Self {
        if self.owner {
            self.inner.owners.set(self.inner.owners.get() + 1);
        }
        EventLoop {
            inner: self.inner.clone(),
            owner: self.owner,
        }
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        if !self.owner {
            return;
        }
        let owners = self.inner.owners.get() - 1;
        self.inner.owners.set(owners);
        // A running loop is closed when its run ends (see `Running`'s drop).
        if owners == 0 && !is_running(&self.inner) {
            self.inner.close();
        }
    }
}

pub(crate) struct LoopInner {
    /// What is scheduled for the next tick, in order. A tick swaps it with `spare` and
    /// runs the entries it took (see `run_once`): appending is all a `Vec` is asked to do.
    ready: RefCell<Vec<Ready>>,
    /// The buffer of the last tick's entries, empty, kept for its capacity.
    spare: Cell<Vec<Ready>>,
    timers: RefCell<BinaryHeap<Timer>>,
    /// Cancelled timers still in the heap; the heap is compacted when they are the majority.
    cancelled_timers: Cell<usize>,
    next_seq: Cell<u64>,
    clock: Clock,
    /// Every task made on this loop, to close the pending ones when the loop goes away
    /// (see `close_tasks`); finished ones are pruned as it grows.
    tasks: RefCell<Vec<Weak<dyn TaskControl>>>,
    /// The owning handles alive (see `EventLoop::owner`).
    owners: Cell<usize>,
    /// Ticks run (see [`EventLoop::ticks`]).
    ticks: Cell<u64>,
    /// [`EventLoop::stop`] was called: the run ends after the tick in progress.
    stopping: Cell<bool>,
    /// The number of the last task made (Python's `Task-N` names count from 1).
    pub(crate) tasks_made: Cell<u64>,
    /// `close` has begun: the loop runs no more.
    closed: Cell<bool>,
    /// Where errors nobody retrieved go ([`EventLoop::set_exception_handler`]); stderr
    /// without one.
    exception_handler: RefCell<Option<ExceptionHandler>>,
    /// The OS poller and the registered readers and writers, made when first needed (a
    /// timer-only program never makes one).
    pub(crate) io: OnceCell<Io>,
    /// The handlers of `add_signal_handler`, by signal.
    #[cfg(unix)]
    pub(crate) signals: super::signals::LoopSignals,
    /// The task whose step is running (see `current_task`): a pointer to the value of the
    /// `Rc` the step holds, set and cleared by the step. Here rather than in a thread-local:
    /// the step already holds the loop, so a task switch sets one field it has at hand
    /// instead of finding, saving and restoring a thread-local's.
    pub(crate) current_task: Cell<Option<NonNull<dyn TaskControl>>>,
}

/// The handler of [`EventLoop::set_exception_handler`].
type ExceptionHandler = Rc<dyn Fn(&EventLoop, &str)>;

/// One entry of the ready queue: a task's next step (rescheduling a task allocates
/// nothing), or a callback. One pointer wide, so a switch between tasks moves 16 bytes.
pub(crate) type Ready = Rc<dyn Step>;

/// The entries of a tick not yet run. If one of them panics, the others go back to the
/// front of the ready queue, in order, as if they had never been taken out of it.
struct Rest<'a> {
    entries: alloc::vec::Drain<'a, Ready>,
    event_loop: &'a LoopInner,
}

impl Drop for Rest<'_> {
    fn drop(&mut self) {
        // Empty when the tick ran to its end.
        let rest: Vec<Ready> = self.entries.by_ref().collect();
        if !rest.is_empty() {
            let mut ready = self.event_loop.ready.borrow_mut();
            ready.splice(0..0, rest);
        }
    }
}

/// A callback as a ready-queue entry.
struct Call<F>(Cell<Option<F>>);

impl<F: FnOnce()> Step for Call<F> {
    fn step(self: Rc<Self>, _: &LoopInner) {
        if let Some(callback) = self.0.take() {
            callback();
        }
    }
}

pub(crate) fn call<F: FnOnce() + 'static>(callback: F) -> Ready {
    Rc::new(Call(Cell::new(Some(callback))))
}

enum Clock {
    Real(Instant),
    Virtual(Cell<Duration>),
}

struct Timer {
    when: Duration,
    seq: u64,
    state: Rc<TimerState>,
}

struct TimerState {
    /// Taken when the timer runs or is cancelled.
    callback: Cell<Option<Ready>>,
    cancelled: Cell<bool>,
    /// Still in the heap (not yet due): only then does a cancellation count in
    /// `cancelled_timers`.
    in_heap: Cell<bool>,
    event_loop: Weak<LoopInner>,
    /// The deadline, on the loop's clock.
    when: Duration,
}

/// A due timer is scheduled as itself, not as its callback: a timer cancelled by an earlier
/// callback of the same tick is skipped when its turn comes (Python skips cancelled handles
/// as it pops the ready queue).
impl Step for TimerState {
    fn step(self: Rc<Self>, event_loop: &LoopInner) {
        if let Some(callback) = self.callback.take() {
            callback.step(event_loop);
        }
    }
}

// A min-heap on (deadline, order of scheduling).
impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.when, other.seq).cmp(&(self.when, self.seq))
    }
}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Timer {}

/// A timer scheduled by [`EventLoop::call_later`] or [`EventLoop::call_at`]: [`cancel`](TimerHandle::cancel) it to
/// keep its callback from running (Python's `TimerHandle`).
///
/// ```
/// use std::time::Duration;
/// use cogen::asyncio::EventLoop;
///
/// let lp = EventLoop::with_virtual_clock();
/// let handle = lp.call_later(Duration::from_secs(10), || panic!("cancelled timers never run"));
/// assert_eq!(lp.scheduled_timers(), 1);
/// handle.cancel();
/// assert!(handle.cancelled());
/// assert_eq!(lp.scheduled_timers(), 0);
/// lp.run_until_idle();
/// assert_eq!(lp.time(), Duration::ZERO);
/// ```
pub struct TimerHandle {
    state: Rc<TimerState>,
}

impl TimerHandle {
    /// Keep the callback from running, if it has not run yet. Calling it again does nothing.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let ran = Rc::new(Cell::new(false));
    /// let flag = ran.clone();
    /// let handle = lp.call_later(Duration::from_secs(1), move || flag.set(true));
    /// handle.cancel();
    /// handle.cancel(); // does nothing
    /// lp.run_until_idle();
    /// assert!(!ran.get());
    /// ```
    pub fn cancel(&self) {
        if self.state.cancelled.replace(true) {
            return;
        }
        if self.state.callback.take().is_some()
            && self.state.in_heap.get()
            && let Some(event_loop) = self.state.event_loop.upgrade()
        {
            event_loop
                .cancelled_timers
                .set(event_loop.cancelled_timers.get() + 1);
        }
    }

    /// Whether [`cancel`](TimerHandle::cancel) was called.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let handle = lp.call_later(Duration::from_secs(1), || ());
    /// assert!(!handle.cancelled());
    /// handle.cancel();
    /// assert!(handle.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        self.state.cancelled.get()
    }

    /// When the callback is due, on the loop's clock (Python: `TimerHandle.when()`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// lp.advance(Duration::from_secs(10));
    /// let handle = lp.call_later(Duration::from_secs(3), || ());
    /// assert_eq!(handle.when(), Duration::from_secs(13));
    /// ```
    pub fn when(&self) -> Duration {
        self.state.when
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHandle")
            .field("when", &self.when())
            .field("cancelled", &self.cancelled())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLoop")
            .field("time", &self.time())
            .field("ready", &self.inner.ready.borrow().len())
            .field("timers", &self.scheduled_timers())
            .finish()
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}

std::thread_local! {
    static RUNNING: RefCell<Option<Rc<LoopInner>>> = const { RefCell::new(None) };
}

/// The loop running on this thread, if any (Python: `asyncio.get_running_loop()`, which
/// raises where this returns `None`). Inside a coroutine run by a loop it is that loop.
///
/// ```
/// use cogen::asyncio::{Cancelled, EventLoop, get_running_loop};
///
/// assert!(get_running_loop().is_none());
/// let lp = EventLoop::new();
/// let fut = lp.create_future::<bool, Cancelled>();
/// let setter = fut.clone();
/// lp.call_soon(move || setter.set_result(get_running_loop().is_some()).unwrap());
/// assert_eq!(lp.run_until_complete(&fut), Ok(true));
/// ```
pub fn get_running_loop() -> Option<EventLoop> {
    RUNNING.with(|running| running.borrow().clone().map(EventLoop::from_inner))
}

/// The task whose step the loop running on this thread is in, if any (see
/// `LoopInner::current_task`): steps run only while their loop runs.
pub(crate) fn running_task() -> Option<NonNull<dyn TaskControl>> {
    RUNNING.with(|running| {
        running
            .borrow()
            .as_ref()
            .and_then(|inner| inner.current_task.get())
    })
}

/// Report an error nobody retrieved to `event_loop`'s exception handler, or to stderr when
/// it has none or is gone.
pub(crate) fn report_error(event_loop: &Weak<LoopInner>, message: &str) {
    // Reports come from destructors, also while a panic unwinds: neither a panicking
    // handler nor `eprintln!` (which panics when stderr is a closed pipe) may turn that
    // into an abort. Python logs a failing handler's error and the original context.
    let quietly = |report: &dyn Fn()| {
        let caught = std::panic::catch_unwind(core::panic::AssertUnwindSafe(report));
        caught.map_err(drop_payload).is_ok()
    };
    if let Some(inner) = event_loop.upgrade()
        && let Some(handler) = inner
            .exception_handler
            .try_borrow()
            .ok()
            .and_then(|handler| handler.clone())
    {
        let event_loop = EventLoop::from_inner(inner);
        if quietly(&|| handler(&event_loop, message)) {
            return;
        }
        quietly(&|| {
            std::eprintln!("cogen::asyncio: the exception handler panicked; the report was:")
        });
    }
    quietly(&|| std::eprintln!("{message}"));
}

/// Drop a caught panic's payload, whose destructor may panic too (outside the guard that
/// caught it, that would abort while unwinding): each such panic is caught in turn, and a
/// payload that keeps panicking after a few is leaked instead.
fn drop_payload(mut payload: Box<dyn core::any::Any + Send>) {
    for _ in 0..8 {
        match std::panic::catch_unwind(core::panic::AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(next) => payload = next,
        }
    }
    core::mem::forget(payload);
}

/// Whether `inner` is the loop running on this thread.
fn is_running(inner: &Rc<LoopInner>) -> bool {
    RUNNING.with(|running| {
        running
            .borrow()
            .as_ref()
            .is_some_and(|running| Rc::ptr_eq(running, inner))
    })
}

/// The running loop, or a panic naming `what` needed it.
#[track_caller]
pub(crate) fn running_loop(what: &str) -> EventLoop {
    match get_running_loop() {
        Some(event_loop) => event_loop,
        None => panic!(
            "{what} needs a running event loop: call it from a coroutine run by \
             `asyncio::run` or `EventLoop::run_until_complete`"
        ),
    }
}

/// Marks a loop as this thread's running loop until dropped.
struct Running;

impl Running {
    #[track_caller]
    fn enter(inner: &Rc<LoopInner>) -> Running {
        if inner.closed.get() {
            panic!(
                "cannot run an event loop that is closed (its last owning handle was dropped; \
                 Python: RuntimeError: Event loop is closed)"
            );
        }
        RUNNING.with(|running| {
            let mut running = running.borrow_mut();
            if running.is_some() {
                panic!(
                    "cannot run an event loop while another one is running on this thread \
                     (Python: RuntimeError); await the work with `yield_from!` instead"
                );
            }
            *running = Some(inner.clone());
        });
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let Some(inner) = RUNNING.with(|running| running.borrow_mut().take()) else {
            return;
        };
        // A `stop` is for the run it was called in (or, called between runs, the next):
        // it does not outlive a run that ended for another reason (Python clears it when
        // `run_forever` returns).
        inner.stopping.set(false);
        // Every owning handle went away while the loop ran (one moved into a coroutine
        // that finished): close it now that it has stopped.
        if inner.owners.get() == 0 {
            inner.close();
        }
    }
}

/// Run a coroutine to completion on a new event loop with a real clock, and return what it
/// returned (Python: `asyncio.run(main())`). [`EventLoop::run`] does the same on a loop of
/// your choice (e.g. one with a virtual clock). Tasks still pending when `main` returns are
/// cancelled, and the loop runs until they have finished, so their cancellation handling
/// runs (as Python's `asyncio.run` does); what is left after that is closed.
///
/// ```
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, Resume, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn add(a: i32, b: i32) -> Result<i32, Cancelled> {
///     Ok(a + b)
/// }
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn print_add(a: i32, b: i32) -> Result<String, Cancelled> {
///     let result = yield_from!(add(a, b))?;
///     Ok(format!("{a} + {b} = {result}"))
/// }
///
/// assert_eq!(asyncio::run(print_add(1, 2)), Ok("1 + 2 = 3".to_string()));
/// ```
///
/// # Panics
/// If a loop is already running on this thread, if the coroutine panics, or if it waits
/// for something that nothing will ever complete (a deadlock).
#[track_caller]
pub fn run<G, T, E>(main: G) -> Result<T, E>
where
    G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
    G: 'static, // a task outlives your locals: move, clone or Rc its data in (not `use<>`)
    T: 'static,
    E: AsyncError + 'static,
{
    let event_loop = EventLoop::new();
    let task = event_loop.create_task(main);
    event_loop.run_until_done(&task);
    event_loop.cancel_remaining_tasks();
    // Dropping the loop closes what is still pending.
    task.take_result()
}

/// Every task of the running loop that is not done, in the order they were made (Python:
/// `asyncio.all_tasks()`); empty when no loop is running.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<usize, Cancelled> {
///     let sleeper = asyncio::create_task(asyncio::sleep(Duration::from_secs(1)));
///     let tasks = asyncio::all_tasks();
///     assert!(tasks[0] == asyncio::current_task().unwrap() && tasks[1].is(&sleeper));
///     Ok(tasks.len())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok(2));
/// ```
pub fn all_tasks() -> Vec<AnyTask> {
    get_running_loop().map_or_else(Vec::new, |event_loop| {
        event_loop
            .inner
            .pending_tasks()
            .into_iter()
            .map(AnyTask::from_control)
            .collect()
    })
}

impl EventLoop {
    /// A loop on the real clock ([`Instant`]): when idle it sleeps until the next timer.
    ///
    /// ```
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::new();
    /// assert_eq!(lp.run_until_complete(async_answer()), Ok(42));
    /// # #[cogen::asyncio::coroutine]
    /// # fn async_answer() -> Result<u32, cogen::asyncio::Cancelled> { Ok(42) }
    /// ```
    pub fn new() -> Self {
        Self::with_clock(Clock::Real(Instant::now()))
    }

    /// A loop on a virtual clock that starts at zero and, when nothing is ready, jumps to
    /// the next timer's deadline instead of sleeping: timing is exact and instant, which is
    /// what tests want (asyncio's test loop).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn nap() -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(60)))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.time(), Duration::ZERO);
    /// lp.run_until_complete(nap()).unwrap(); // returns at once
    /// assert_eq!(lp.time(), Duration::from_secs(60));
    /// ```
    pub fn with_virtual_clock() -> Self {
        Self::with_clock(Clock::Virtual(Cell::new(Duration::ZERO)))
    }

    fn with_clock(clock: Clock) -> Self {
        EventLoop {
            owner: true,
            inner: Rc::new(LoopInner {
                owners: Cell::new(1),
                ticks: Cell::new(0),
                stopping: Cell::new(false),
                tasks_made: Cell::new(0),
                closed: Cell::new(false),
                exception_handler: RefCell::new(None),
                ready: RefCell::new(Vec::new()),
                spare: Cell::new(Vec::new()),
                timers: RefCell::new(BinaryHeap::new()),
                cancelled_timers: Cell::new(0),
                next_seq: Cell::new(0),
                clock,
                tasks: RefCell::new(Vec::new()),
                io: OnceCell::new(),
                #[cfg(unix)]
                signals: Default::default(),
                current_task: Cell::new(None),
            }),
        }
    }

    /// A handle that does not own the loop (see `EventLoop::owner`).
    pub(crate) fn from_inner(inner: Rc<LoopInner>) -> Self {
        EventLoop {
            inner,
            owner: false,
        }
    }

    pub(crate) fn inner(&self) -> &Rc<LoopInner> {
        &self.inner
    }

    pub(crate) fn downgrade(&self) -> Weak<LoopInner> {
        Rc::downgrade(&self.inner)
    }

    /// Time on this loop's clock since the loop was made (Python: `loop.time()`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.time(), Duration::ZERO);
    /// lp.advance(Duration::from_millis(250));
    /// assert_eq!(lp.time(), Duration::from_millis(250));
    /// ```
    pub fn time(&self) -> Duration {
        self.inner.now()
    }

    /// Move a virtual clock forward by `by` (timers that fall due run on the next tick).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let ran = Rc::new(Cell::new(false));
    /// let flag = ran.clone();
    /// lp.call_later(Duration::from_secs(5), move || flag.set(true));
    /// lp.advance(Duration::from_secs(5)); // the deadline has come: the timer is ready
    /// lp.run_briefly();
    /// assert!(ran.get());
    /// assert_eq!(lp.time(), Duration::from_secs(5));
    /// ```
    ///
    /// # Panics
    /// On a real clock.
    #[track_caller]
    pub fn advance(&self, by: Duration) {
        match &self.inner.clock {
            Clock::Virtual(now) => now.set(now.get().saturating_add(by)),
            Clock::Real(_) => {
                panic!("`advance` moves a virtual clock: make the loop with `with_virtual_clock`")
            }
        }
    }

    /// Schedule `callback` to run on the next tick, after what is already scheduled
    /// (Python: `loop.call_soon`).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// for n in [1, 2] {
    ///     let log = log.clone();
    ///     lp.call_soon(move || log.borrow_mut().push(n));
    /// }
    /// assert!(log.borrow().is_empty()); // not run yet
    /// lp.run_briefly();
    /// assert_eq!(*log.borrow(), [1, 2]);
    /// ```
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) {
        self.inner.schedule(call(callback));
    }

    /// Schedule `callback` to run `delay` from now (Python: `loop.call_later`). Timers with
    /// the same deadline run in the order they were scheduled. A deadline past the end of
    /// the clock saturates to it, and never comes (see [`call_at`](EventLoop::call_at)).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// for (secs, name) in [(2, "late"), (1, "early")] {
    ///     let log = log.clone();
    ///     lp.call_later(Duration::from_secs(secs), move || log.borrow_mut().push(name));
    /// }
    /// lp.run_until_idle();
    /// assert_eq!(*log.borrow(), ["early", "late"]);
    /// assert_eq!(lp.time(), Duration::from_secs(2));
    /// ```
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> TimerHandle {
        // Saturating: `sleep(Duration::MAX)` is "forever", as Python's `sleep(math.inf)`.
        self.call_at(self.inner.now().saturating_add(delay), callback)
    }

    /// Schedule `callback` to run at `when` on the loop's clock ([`time`](EventLoop::time)),
    /// or in the next tick if that has passed (Python: `loop.call_at`). Timers with the same
    /// deadline run in the order they were scheduled. `Duration::MAX`, the end of the
    /// clock, never comes: that callback never runs.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let at = |secs| Duration::from_secs(secs);
    /// for (when, name) in [(at(5), "at 5s"), (at(2), "at 2s")] {
    ///     let log = log.clone();
    ///     let handle = lp.call_at(when, move || log.borrow_mut().push(name));
    ///     assert_eq!(handle.when(), when);
    /// }
    /// lp.run_until_idle();
    /// assert_eq!(*log.borrow(), ["at 2s", "at 5s"]);
    /// assert_eq!(lp.time(), at(5));
    /// ```
    pub fn call_at(&self, when: Duration, callback: impl FnOnce() + 'static) -> TimerHandle {
        // The end of the clock (where `call_later(Duration::MAX)` saturates) never comes:
        // such a timer is not even scheduled, so the loop neither waits for it nor jumps a
        // virtual clock to it (Python's `call_later(math.inf)` never runs).
        let never = when == Duration::MAX;
        let state = Rc::new(TimerState {
            callback: Cell::new(Some(call(callback))),
            cancelled: Cell::new(false),
            in_heap: Cell::new(!never),
            event_loop: self.downgrade(),
            when,
        });
        if never {
            return TimerHandle { state };
        }
        let seq = self.inner.next_seq.get();
        self.inner.next_seq.set(seq + 1);
        self.inner.timers.borrow_mut().push(Timer {
            when,
            seq,
            state: state.clone(),
        });
        TimerHandle { state }
    }

    /// How many ticks (iterations of the loop, Python's `_run_once`) this loop has run.
    /// An idle loop waits in one tick rather than spinning, which this shows:
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::new();
    /// lp.call_later(Duration::from_millis(20), || {});
    /// lp.run_until_idle();
    /// assert!(lp.ticks() <= 3);
    /// ```
    pub fn ticks(&self) -> u64 {
        self.inner.ticks.get()
    }

    /// Call `callback` on every tick in which `source` is ready to be read (or has hung
    /// up or failed), until [`remove_reader`](EventLoop::remove_reader) (Python:
    /// `loop.add_reader(fd, callback)`). A second call for the same file descriptor
    /// replaces the callback. The loop keeps `source` (so its descriptor stays open) until
    /// the reader and the writer of its descriptor are removed or the loop is closed.
    ///
    /// While a reader or writer is registered, an idle loop waits in the OS poller, and on
    /// a virtual clock it waits for real: the clock then follows the real time waited.
    /// `source` is any [`AsSource`]: a file descriptor on Unix, a socket on Windows (the
    /// examples here use a Unix-domain socket pair; see [`AsSource`] for one with TCP).
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    /// use std::rc::Rc;
    /// use cogen::asyncio::{Cancelled, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let (mut a, b) = UnixStream::pair().unwrap();
    /// let b = Rc::new(b);
    /// let got = lp.create_future::<u8, Cancelled>();
    /// let (fut, reader, lp2) = (got.clone(), b.clone(), lp.clone());
    /// lp.add_reader(b.clone(), move || {
    ///     let mut byte = [0];
    ///     (&*reader).read_exact(&mut byte).unwrap();
    ///     lp2.remove_reader(&*reader);
    ///     fut.set_result(byte[0]).unwrap();
    /// });
    /// a.write_all(b"!").unwrap();
    /// assert_eq!(lp.run_until_complete(&got), Ok(b'!'));
    /// ```
    pub fn add_reader<S: AsSource + 'static>(&self, source: Rc<S>, callback: impl Fn() + 'static) {
        self.inner
            .io()
            .register(source, super::selector::Interest::Read, Box::new(callback));
    }

    /// Stop calling the reader of `source`'s file descriptor; returns whether one was
    /// registered (Python: `loop.remove_reader(fd)`).
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// use std::rc::Rc;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::new();
    /// let (_a, b) = UnixStream::pair().unwrap();
    /// let b = Rc::new(b);
    /// lp.add_reader(b.clone(), || unreachable!("removed before anything arrives"));
    /// assert!(lp.remove_reader(&*b));
    /// assert!(!lp.remove_reader(&*b));
    /// lp.run_until_idle(); // nothing registered: returns at once
    /// ```
    pub fn remove_reader(&self, source: &impl AsSource) -> bool {
        self.inner
            .io
            .get()
            .is_some_and(|io| io.unregister(source, super::selector::Interest::Read))
    }

    /// Call `callback` on every tick in which `source` can be written to, until
    /// [`remove_writer`](EventLoop::remove_writer) (Python: `loop.add_writer`); as
    /// [`add_reader`](EventLoop::add_reader) otherwise.
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// use std::rc::Rc;
    /// use cogen::asyncio::{Cancelled, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let (_a, b) = UnixStream::pair().unwrap();
    /// let b = Rc::new(b);
    /// let writable = lp.create_future::<(), Cancelled>();
    /// let (fut, lp2, source) = (writable.clone(), lp.clone(), b.clone());
    /// lp.add_writer(b, move || {
    ///     lp2.remove_writer(&*source);
    ///     let _ = fut.set_result(());
    /// });
    /// assert_eq!(lp.run_until_complete(&writable), Ok(()));
    /// ```
    pub fn add_writer<S: AsSource + 'static>(&self, source: Rc<S>, callback: impl Fn() + 'static) {
        self.inner
            .io()
            .register(source, super::selector::Interest::Write, Box::new(callback));
    }

    /// Stop calling the writer of `source`'s file descriptor; returns whether one was
    /// registered (Python: `loop.remove_writer(fd)`).
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// use std::rc::Rc;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::new();
    /// let (_a, b) = UnixStream::pair().unwrap();
    /// assert!(!lp.remove_writer(&b));
    /// ```
    pub fn remove_writer(&self, source: &impl AsSource) -> bool {
        self.inner
            .io
            .get()
            .is_some_and(|io| io.unregister(source, super::selector::Interest::Write))
    }

    /// A handle other threads can schedule callbacks on this loop with
    /// ([`ThreadsafeHandle::call_soon_threadsafe`], Python's `loop.call_soon_threadsafe`).
    /// While one exists, an idle loop waits in the OS poller for such calls rather than
    /// reporting a deadlock.
    ///
    /// ```
    /// use cogen::asyncio::{Cancelled, EventLoop, get_running_loop};
    ///
    /// let lp = EventLoop::new();
    /// let handle = lp.threadsafe_handle();
    /// let done = lp.create_future::<&str, Cancelled>();
    /// let fut = done.clone();
    /// // The future is not `Send`: the loop finds it again through a thread-local.
    /// thread_local!(static DONE: std::cell::RefCell<Option<cogen::asyncio::Future<&'static str, Cancelled>>> = const { std::cell::RefCell::new(None) });
    /// DONE.with(|d| *d.borrow_mut() = Some(fut));
    /// let worker = std::thread::spawn(move || {
    ///     handle.call_soon_threadsafe(|| {
    ///         assert!(get_running_loop().is_some());
    ///         DONE.with(|d| d.borrow_mut().take().unwrap().set_result("from a thread").unwrap());
    ///     });
    /// });
    /// assert_eq!(lp.run_until_complete(&done), Ok("from a thread"));
    /// worker.join().unwrap();
    /// ```
    pub fn threadsafe_handle(&self) -> ThreadsafeHandle {
        self.inner.io().threadsafe_handle()
    }

    /// How many timers are scheduled and not cancelled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let a = lp.call_later(Duration::from_secs(1), || ());
    /// lp.call_later(Duration::from_secs(2), || ());
    /// assert_eq!(lp.scheduled_timers(), 2);
    /// a.cancel();
    /// assert_eq!(lp.scheduled_timers(), 1);
    /// ```
    pub fn scheduled_timers(&self) -> usize {
        let timers = self.inner.timers.borrow();
        timers.iter().filter(|t| !t.state.cancelled.get()).count()
    }

    /// A new pending future whose callbacks run on this loop (Python:
    /// `loop.create_future()`).
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<&str> = lp.create_future();
    /// assert!(!fut.done());
    /// let setter = fut.clone();
    /// lp.call_soon(move || setter.set_result("set").unwrap());
    /// assert_eq!(lp.run_until_complete(&fut), Ok("set"));
    /// ```
    pub fn create_future<T: 'static, E: 'static>(&self) -> Future<T, E> {
        Future::on(self.downgrade())
    }

    /// Wrap a coroutine in a [`Task`] and schedule its first step on this loop (Python:
    /// `loop.create_task(coro)`); see [`create_task`](super::create_task).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn double_later(n: u32) -> Result<u32, Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    ///     Ok(n * 2)
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let task = lp.create_task(double_later(21));
    /// assert!(!task.done()); // scheduled, not run yet
    /// assert_eq!(lp.run_until_complete(&task), Ok(42));
    /// ```
    #[must_use = "a task runs anyway, but dropping its handle loses its result"]
    pub fn create_task<G, T, E>(&self, coroutine: G) -> Task<T, E>
    where
        G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
        G: 'static, // a task outlives your locals: move, clone or Rc its data in (not `use<>`)
        T: 'static,
        E: AsyncError + 'static,
    {
        Task::spawn(self, coroutine)
    }

    /// Run `main` as a task on this loop until it is done, and return what it returned, moved
    /// out (no `Clone` needed): [`run`](super::run) on a loop of your choice.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn unique() -> Result<Box<str>, Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(5)))?;
    ///     Ok("no Clone needed".into())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run(unique()).as_deref(), Ok("no Clone needed"));
    /// assert_eq!(lp.time(), Duration::from_secs(5));
    /// ```
    ///
    /// # Panics
    /// As [`run_until_complete`](EventLoop::run_until_complete).
    #[track_caller]
    pub fn run<G, T, E>(&self, main: G) -> Result<T, E>
    where
        G: Generator<Resume, Yield = Suspend, Return = Result<T, E>>,
        G: 'static, // a task outlives your locals: move, clone or Rc its data in (not `use<>`)
        T: 'static,
        E: AsyncError + 'static,
    {
        let task = self.create_task(main);
        self.run_until_done(&task);
        task.take_result()
    }

    /// Run the loop until `awaitable` is done and return its result (Python:
    /// `loop.run_until_complete`). A coroutine is first made a task on this loop.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::{generator, yield_from};
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
    ///
    /// #[generator(yield = Suspend, send = Resume)]
    /// fn slow_answer() -> Result<u32, Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(3600)))?;
    ///     Ok(42)
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(slow_answer()), Ok(42));
    /// assert_eq!(lp.time(), Duration::from_secs(3600)); // instantly, on the virtual clock
    /// ```
    ///
    /// # Panics
    /// If a loop is already running on this thread, if a callback or task panics, or if
    /// nothing is left to run while the future is still pending (a deadlock). While
    /// readers, writers or thread-safe handles exist, the loop waits for them instead. If
    /// `awaitable` is a future or task of another (or a dropped) loop (Python: ValueError).
    #[track_caller]
    pub fn run_until_complete<T: Clone + 'static, E: AsyncError + Clone + 'static>(
        &self,
        awaitable: impl Awaitable<T, E>,
    ) -> Result<T, E> {
        let future = awaitable.ensure_future(self);
        future.expect_on(self, "run_until_complete");
        self.run_until_done(&future);
        future.result().expect("the future is done")
    }

    /// Python's `asyncio.runners._cancel_all_tasks`: cancel every pending task and run the
    /// loop until they are done (or nothing is left to run).
    #[track_caller]
    pub(crate) fn cancel_remaining_tasks(&self) {
        let pending = self.inner.pending_tasks();
        if pending.is_empty() {
            return;
        }
        for task in &pending {
            task.clone().cancel();
        }
        let _running = Running::enter(&self.inner);
        while pending.iter().any(|task| !task.done()) {
            if !self.inner.run_once(true) {
                break;
            }
        }
    }

    #[track_caller]
    pub(crate) fn run_until_done<T: 'static, E: 'static>(&self, future: &Future<T, E>) {
        let _running = Running::enter(&self.inner);
        while !future.done() {
            let ran = self.inner.run_once(!self.inner.stopping.get());
            if self.inner.stopping.replace(false) && !future.done() {
                panic!(
                    "the event loop was stopped (`EventLoop::stop`) before the future it runs \
                     until was done (Python: RuntimeError)"
                );
            }
            if !ran {
                panic!(
                    "deadlock: the event loop has nothing left to run, but the future it runs \
                     until is still pending (it waits for something nothing will complete)"
                );
            }
        }
    }

    /// Run until [`stop`](EventLoop::stop) is called (Python: `loop.run_forever()`): the tick
    /// in which it is called is finished, then this returns. If `stop` was called before,
    /// one tick runs, without waiting. A server's loop, stopped by a signal handler or a
    /// task that decides the work is over.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn stop_after(secs: u64) -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
    ///     asyncio::get_running_loop().unwrap().stop();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let stopper = lp.create_task(stop_after(5));
    /// let sleeper = lp.create_task(asyncio::sleep(Duration::from_secs(60)));
    /// lp.run_forever();
    /// assert_eq!(lp.time(), Duration::from_secs(5));
    /// assert!(stopper.done() && !sleeper.done()); // the rest waits for the next run
    /// ```
    ///
    /// # Panics
    /// If a loop is already running on this thread, if a callback or task panics, or if
    /// nothing is left to run and nothing can call `stop` (a deadlock: Python would wait
    /// forever).
    #[track_caller]
    pub fn run_forever(&self) {
        let _running = Running::enter(&self.inner);
        loop {
            let ran = self.inner.run_once(!self.inner.stopping.get());
            if self.inner.stopping.replace(false) {
                return;
            }
            if !ran {
                panic!(
                    "deadlock: `run_forever` has nothing left to run and nothing can call \
                     `EventLoop::stop` (Python would wait forever)"
                );
            }
        }
    }

    /// Send the reports of errors nothing retrieved to `handler` instead of stderr (Python:
    /// `loop.set_exception_handler`), with the loop they happened on. A future or task that
    /// fails with an error and is dropped without its error having been retrieved (read
    /// from the done future with `result()`, handed to an await or a gather as the future
    /// completed, or given to a done callback that ran) is reported, as Python logs "Task
    /// exception was never retrieved": a task left to run on its own does not fail
    /// silently. `wait` and `as_completed` alone do not retrieve (but `wait` with
    /// `ReturnWhen::FirstException` reads the errors, as Python's). The report names the
    /// task and the error's type (the error need not be `Debug`).
    ///
    /// The handler runs where the last handle of the future is dropped, also while the loop
    /// closes its tasks; it may use the loop it is given (not run it: a closing loop does not
    /// run again). A handler that panics does not propagate (the report then goes to
    /// stderr). Use the loop the handler is given rather than capturing one: an owning
    /// handle (`lp.clone()`) captured in it keeps the loop open for as long as the handler
    /// is set (a cycle); a non-owning one, from `get_running_loop`, is let go of when the
    /// loop closes, which drops the handler.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, AsyncError, Cancelled, EventLoop};
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
    /// #[asyncio::coroutine]
    /// fn fails() -> Result<(), Error> {
    ///     Err(Error::Refused)
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let reports = Rc::new(RefCell::new(Vec::new()));
    /// let sink = reports.clone();
    /// lp.set_exception_handler(move |_lp, message| sink.borrow_mut().push(message.to_string()));
    /// drop(lp.create_task(fails())); // fire and forget
    /// lp.run_until_idle();
    /// assert_eq!(reports.borrow().len(), 1);
    /// assert!(reports.borrow()[0].contains("Task exception was never retrieved"));
    /// ```
    pub fn set_exception_handler(&self, handler: impl Fn(&EventLoop, &str) + 'static) {
        // The old handler is dropped after the cell is let go of: its captures' destructors
        // may report, or set a handler.
        let old = self.inner.exception_handler.replace(Some(Rc::new(handler)));
        drop(old);
    }

    /// Send the reports to stderr again (Python: `loop.set_exception_handler(None)`);
    /// whether a handler was set.
    ///
    /// ```
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::new();
    /// lp.set_exception_handler(|_, message| println!("{message}"));
    /// assert!(lp.remove_exception_handler());
    /// assert!(!lp.remove_exception_handler());
    /// ```
    pub fn remove_exception_handler(&self) -> bool {
        let old = self.inner.exception_handler.take();
        old.is_some()
    }

    /// Whether this loop is running (Python: `loop.is_running()`): inside one of its `run*`
    /// methods, as its callbacks and tasks are.
    ///
    /// ```
    /// use cogen::asyncio::{self, Cancelled, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn inside() -> Result<bool, Cancelled> {
    ///     Ok(asyncio::get_running_loop().unwrap().is_running())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert!(!lp.is_running());
    /// assert_eq!(lp.run_until_complete(inside()), Ok(true));
    /// ```
    pub fn is_running(&self) -> bool {
        is_running(&self.inner)
    }

    /// Make the running [`run_forever`](EventLoop::run_forever) (or
    /// [`run_until_idle`](EventLoop::run_until_idle)) return once the tick in progress is
    /// done (Python: `loop.stop()`); called while the loop is not running, it is for the
    /// next run, which runs one tick without waiting. A `run_until_complete` (or [`run`])
    /// that is stopped before its future is done panics (Python: RuntimeError). Every run
    /// clears the request when it returns, whatever ended it.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use cogen::asyncio::{EventLoop, get_running_loop};
    ///
    /// let lp = EventLoop::new();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let (first, second) = (log.clone(), log.clone());
    /// lp.call_soon(move || {
    ///     get_running_loop().unwrap().stop();
    ///     first.borrow_mut().push("stop called");
    /// });
    /// lp.call_soon(move || second.borrow_mut().push("same tick"));
    /// lp.run_forever();
    /// assert_eq!(*log.borrow(), ["stop called", "same tick"]);
    /// ```
    pub fn stop(&self) {
        self.inner.stopping.set(true);
    }

    /// Run two ticks without waiting, as asyncio's test helper `run_briefly` does (it runs
    /// the loop until a task that yields once is done): what is ready now, then what that
    /// scheduled. Each tick first moves the timers already due to the ready queue. Returns
    /// whether anything ran.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use cogen::asyncio::{EventLoop, get_running_loop};
    ///
    /// let lp = EventLoop::new();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let log1 = log.clone();
    /// lp.call_soon(move || {
    ///     log1.borrow_mut().push(1);
    ///     let lp = get_running_loop().unwrap();
    ///     lp.clone().call_soon(move || {
    ///         log1.borrow_mut().push(2);
    ///         lp.call_soon(move || log1.borrow_mut().push(3));
    ///     });
    /// });
    /// assert!(lp.run_briefly());
    /// assert_eq!(*log.borrow(), [1, 2]); // 3 runs on the next tick
    /// ```
    #[track_caller]
    pub fn run_briefly(&self) -> bool {
        let _running = Running::enter(&self.inner);
        let first = self.inner.run_once(false);
        self.inner.run_once(false) || first
    }

    /// Run until nothing is ready and no timer is left (waiting for timers as needed), or
    /// until [`stop`](EventLoop::stop).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// use cogen::asyncio::EventLoop;
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let count = Rc::new(Cell::new(0));
    /// for secs in 1..=3 {
    ///     let count = count.clone();
    ///     lp.call_later(Duration::from_secs(secs), move || count.set(count.get() + 1));
    /// }
    /// lp.run_until_idle();
    /// assert_eq!(count.get(), 3);
    /// assert_eq!(lp.time(), Duration::from_secs(3));
    /// assert_eq!(lp.scheduled_timers(), 0);
    /// ```
    #[track_caller]
    pub fn run_until_idle(&self) {
        let _running = Running::enter(&self.inner);
        while self.inner.run_once(!self.inner.stopping.get()) {
            if self.inner.stopping.get() {
                return;
            }
        }
    }
}

impl LoopInner {
    /// The loop's poller, made on first use.
    pub(crate) fn io(&self) -> &Io {
        self.io.get_or_init(Io::new)
    }

    fn now(&self) -> Duration {
        match &self.clock {
            Clock::Real(start) => start.elapsed(),
            Clock::Virtual(now) => now.get(),
        }
    }

    /// Remember a new task, to close it if it is still pending when the loop goes away.
    pub(crate) fn register_task(&self, task: Weak<dyn TaskControl>) {
        let mut tasks = self.tasks.borrow_mut();
        if tasks.len() == tasks.capacity() {
            tasks.retain(|task| task.strong_count() > 0);
            // Room for as many again, so that pruning stays amortized O(1) per task.
            let live = tasks.len();
            tasks.reserve(live.max(8));
        }
        tasks.push(task);
    }

    /// The tasks not done, in the order they were made.
    pub(crate) fn pending_tasks(&self) -> Vec<Rc<dyn TaskControl>> {
        let tasks = self.tasks.borrow();
        tasks
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|task| !task.done())
            .collect()
    }

    /// Close every task that is still pending: drop its coroutine (running its locals'
    /// destructors, Python's `coro.close()` when a pending task is collected) and what it
    /// waits for. Without this, a task waiting on a future and that future's wakeup of the
    /// task form an `Rc` cycle that nothing would ever free.
    ///
    /// A destructor that panics does not stop the closing: every task is closed, and then
    /// the first panic goes on.
    pub(crate) fn close_tasks(&self) {
        let mut panic = None;
        // Closing a task may make more tasks (a destructor calling `create_task`).
        loop {
            let tasks = self.tasks.take();
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                if let Some(task) = task.upgrade() {
                    let closed = catch_unwind(AssertUnwindSafe(|| task.close()));
                    if let Err(payload) = closed {
                        panic.get_or_insert(payload);
                    }
                }
            }
        }
        if let Some(payload) = panic {
            resume_unwind(payload);
        }
    }

    /// Python's `loop.close()`, when the last owning handle goes: close the pending tasks
    /// and drop every callback and timer still scheduled. What they hold (coroutines
    /// holding loop handles, futures, tasks) is freed, so no cycle through the loop is
    /// left.
    pub(crate) fn close(&self) {
        self.closed.set(true);
        struct DropScheduled<'a>(&'a LoopInner);
        impl Drop for DropScheduled<'_> {
            fn drop(&mut self) {
                // Taken out before they are dropped: their destructors may use the loop.
                loop {
                    let ready = self.0.ready.take();
                    let timers = self.0.timers.take();
                    if ready.is_empty() && timers.is_empty() {
                        break;
                    }
                    self.0.cancelled_timers.set(0);
                    drop(ready);
                    drop(timers);
                }
            }
        }
        /// The exception handler goes last (reports of the tasks closed above still reach
        /// it), so that one holding a handle of this loop does not keep it alive.
        struct DropHandler<'a>(&'a LoopInner);
        impl Drop for DropHandler<'_> {
            fn drop(&mut self) {
                drop(self.0.exception_handler.take());
            }
        }
        let _drop_handler = DropHandler(self);
        let _drop_scheduled = DropScheduled(self);
        if let Some(io) = self.io.get() {
            io.close();
        }
        // The readers are gone, so the handlers can never run: dropped (Python's `close`
        // removes them), so that one holding a handle of this loop does not keep it alive.
        #[cfg(unix)]
        self.signals.clear();
        self.close_tasks();
    }

    /// Inline: it is half of every task switch (out of line, the call and its register
    /// saves cost W5 18 instructions per switch), and `Vec`'s growth is out of line.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn schedule(&self, ready: Ready) {
        self.ready.borrow_mut().push(ready);
    }

    /// One tick. With `wait`, first wait if nothing is ready: in the OS poller while
    /// readers, writers or thread-safe handles exist (until I/O is ready, a thread-safe call
    /// arrives, or the next timer is due), else for the next timer only (sleeping on a real
    /// clock, jumping on a virtual one). Returns false when there was nothing to run and
    /// nothing to wait for.
    fn run_once(&self, wait: bool) -> bool {
        self.drop_cancelled_timers();
        let next_deadline = self.timers.borrow().peek().map(|timer| timer.when);
        let io = self.io.get();
        if let Some(io) = io {
            io.take_remote_calls(self);
        }
        let io_active = io.is_some_and(Io::active);
        let idle = wait && self.ready.borrow().is_empty();
        match io {
            Some(io) if io_active => {
                let timeout = if idle {
                    next_deadline.map(|when| when.saturating_sub(self.now()))
                } else {
                    Some(Duration::ZERO)
                };
                let started = Instant::now();
                let woke = io.poll(self, timeout);
                // On a virtual clock the wait was real: the clock follows it, and jumps to
                // the deadline if nothing but the timer woke the loop.
                if let Clock::Virtual(now) = &self.clock
                    && idle
                    && let Some(when) = next_deadline
                {
                    let moved = if woke {
                        now.get().saturating_add(started.elapsed())
                    } else {
                        when
                    };
                    now.set(now.get().max(moved.min(when)));
                }
            }
            _ => {
                if idle && let Some(when) = next_deadline {
                    match &self.clock {
                        Clock::Real(start) => {
                            if let Some(left) = when.checked_sub(start.elapsed()) {
                                std::thread::sleep(left);
                            }
                        }
                        Clock::Virtual(now) => now.set(now.get().max(when)),
                    }
                }
            }
        }
        let now = self.now();
        loop {
            let mut timers = self.timers.borrow_mut();
            match timers.peek() {
                Some(timer) if timer.when <= now => {
                    let timer = timers.pop().expect("peeked");
                    drop(timers);
                    timer.state.in_heap.set(false);
                    if !timer.state.cancelled.get() {
                        self.schedule(timer.state);
                    } else {
                        self.cancelled_timers.set(self.cancelled_timers.get() - 1);
                    }
                }
                _ => break,
            }
        }
        // Exactly the entries ready now: those scheduled while they run go to the next
        // tick. Taken out all at once (no borrow of the queue per entry, no ring-buffer
        // arithmetic).
        let mut batch = self.ready.replace(self.spare.take());
        let ntodo = batch.len();
        let mut rest = Rest {
            entries: batch.drain(..),
            event_loop: self,
        };
        for ready in rest.entries.by_ref() {
            ready.step(self);
        }
        drop(rest);
        self.spare.set(batch);
        self.ticks.set(self.ticks.get() + 1);
        ntodo > 0 || next_deadline.is_some() || io_active
    }

    /// Cancelled timers leave the heap when they reach its top, and all at once when they
    /// are most of it.
    fn drop_cancelled_timers(&self) {
        let mut timers = self.timers.borrow_mut();
        let cancelled = self.cancelled_timers.get();
        if cancelled > 32 && cancelled * 2 > timers.len() {
            timers.retain(|timer| {
                let keep = !timer.state.cancelled.get();
                timer.state.in_heap.set(keep);
                keep
            });
            self.cancelled_timers.set(0);
        }
        while timers.peek().is_some_and(|t| t.state.cancelled.get()) {
            if let Some(timer) = timers.pop() {
                timer.state.in_heap.set(false);
            }
            self.cancelled_timers
                .set(self.cancelled_timers.get().saturating_sub(1));
        }
    }
}

impl Drop for LoopInner {
    /// A loop dropped with tasks still pending closes them (see `close_tasks`): their
    /// callbacks and timers can never run again.
    fn drop(&mut self) {
        // Its sources first, as `close` does: a stream dropped with a task can no longer
        // reach this loop to delete its socket from the poller before closing it.
        if let Some(io) = self.io.get() {
            io.close();
        }
        self.close_tasks();
    }
}
