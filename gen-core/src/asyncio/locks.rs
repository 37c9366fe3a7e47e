//! `Lock`, `Event` and `Condition` (Python's `asyncio.locks`), and what they share with the
//! queues: a FIFO queue of waiting tasks, and a leaf awaitable made of a state machine.

use alloc::collections::VecDeque;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::pin::Pin;

use super::event_loop::running_loop;
use super::future::Future;
use super::leaf::{Await, once};
use super::{Cancelled, Resume, Suspend};
use crate::state::misuse;
use crate::{Generator, GeneratorState, IntoGenerator, Status};

// ---------------------------------------------------------------------------------------
// The shared machinery
// ---------------------------------------------------------------------------------------

/// A task waiting in a [`WaitQueue`]: its future is completed to wake it.
pub(crate) struct Waiter {
    pub(crate) future: Future<(), Cancelled>,
    /// Still in the queue (not popped, and has not left).
    queued: Cell<bool>,
}

impl Waiter {
    /// Whether it was woken (its future has a result), rather than cancelled or pending.
    pub(crate) fn woken(&self) -> bool {
        self.future.done() && !self.future.cancelled()
    }
}

/// Waiters in arrival order (Python's `collections.deque` of futures). A waiter that
/// leaves is only marked, and dropped when it reaches the front (or when the marked ones
/// are most of the queue), so leaving is O(1) amortized wherever the waiter is.
#[derive(Default)]
pub(crate) struct WaitQueue {
    entries: RefCell<VecDeque<Rc<Waiter>>>,
    /// Entries that left but are still in `entries`.
    stale: Cell<usize>,
}

impl WaitQueue {
    fn trim(&self, entries: &mut VecDeque<Rc<Waiter>>) {
        while entries.front().is_some_and(|waiter| !waiter.queued.get()) {
            entries.pop_front();
            self.stale.set(self.stale.get() - 1);
        }
    }

    /// A new waiter at the back, with a future on the running loop.
    #[track_caller]
    fn push(&self, what: &str) -> Rc<Waiter> {
        let waiter = Rc::new(Waiter {
            future: running_loop(what).create_future(),
            queued: Cell::new(true),
        });
        self.entries.borrow_mut().push_back(waiter.clone());
        waiter
    }

    /// `waiter` leaves the queue, if it is still in it.
    pub(crate) fn leave(&self, waiter: &Waiter) {
        if !waiter.queued.replace(false) {
            return;
        }
        self.stale.set(self.stale.get() + 1);
        let mut entries = self.entries.borrow_mut();
        self.trim(&mut entries);
        let stale = self.stale.get();
        if stale > 16 && stale * 2 > entries.len() {
            entries.retain(|waiter| waiter.queued.get());
            self.stale.set(0);
        }
    }

    /// The longest waiter still in the queue.
    pub(crate) fn front(&self) -> Option<Rc<Waiter>> {
        let mut entries = self.entries.borrow_mut();
        self.trim(&mut entries);
        entries.front().cloned()
    }

    /// Take the longest waiter out of the queue.
    pub(crate) fn pop_front(&self) -> Option<Rc<Waiter>> {
        let mut entries = self.entries.borrow_mut();
        self.trim(&mut entries);
        let waiter = entries.pop_front()?;
        waiter.queued.set(false);
        Some(waiter)
    }

    /// How many waiters are in the queue.
    pub(crate) fn len(&self) -> usize {
        self.entries.borrow().len() - self.stale.get()
    }

    /// Visit the waiters in the queue, in order, until `visit` returns false. `visit` may
    /// complete their futures (which only schedules their tasks), not change the queue.
    pub(crate) fn visit(&self, mut visit: impl FnMut(&Waiter) -> bool) {
        let entries = self.entries.borrow();
        for waiter in entries.iter().filter(|waiter| waiter.queued.get()) {
            if !visit(waiter) {
                return;
            }
        }
    }

    /// Wake the longest waiter not woken yet, taking out those before it (Python's
    /// `Queue._wakeup_next`).
    pub(crate) fn wake_next(&self) {
        while let Some(waiter) = self.pop_front() {
            if !waiter.future.done() {
                let _ = waiter.future.set_result(());
                return;
            }
        }
    }
}

/// A waiter parked in a queue, suspended on its future.
pub(crate) struct Park {
    wait: Await<(), Cancelled>,
    pub(crate) waiter: Rc<Waiter>,
}

impl Park {
    /// Join `queue` and suspend: the `Suspend` to yield.
    #[track_caller]
    pub(crate) fn on(queue: &WaitQueue, what: &str) -> (Park, Suspend) {
        let waiter = queue.push(what);
        let mut wait = waiter.future.clone().into_generator();
        let GeneratorState::Yielded(suspend) = Pin::new(&mut wait).start() else {
            unreachable!("cogen: a new waiter is pending")
        };
        (Park { wait, waiter }, suspend)
    }

    /// The outcome of the wait: `Ok(())` woken, `Err(Cancelled)` cancelled (whether or not
    /// it was woken first).
    pub(crate) fn resume(&mut self, arg: Resume) -> Resume {
        once(Pin::new(&mut self.wait).resume(arg))
    }
}

/// The steps of a leaf awaitable.
pub(crate) trait Op {
    type Output;
    /// Go on: first with `None`, then with what each suspension was resumed with.
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Self::Output>;
    /// Closed or dropped while suspended.
    fn abandon(&mut self);
}

/// A leaf awaitable: an [`Op`] and the generator protocol around it.
pub(crate) struct Leaf<O: Op> {
    op: O,
    status: Status,
}

// No field is pinned: `Op`s are moved freely and never handed out pinned.
impl<O: Op> Unpin for Leaf<O> {}

impl<O: Op> Leaf<O> {
    pub(crate) fn new(op: O) -> Self {
        Leaf {
            op,
            status: Status::Created,
        }
    }

    fn went(
        &mut self,
        step: GeneratorState<Suspend, O::Output>,
    ) -> GeneratorState<Suspend, O::Output> {
        self.status = match step {
            GeneratorState::Yielded(_) => Status::Suspended,
            GeneratorState::Complete(_) => Status::Closed,
        };
        step
    }

    #[track_caller]
    pub(crate) fn start(&mut self) -> GeneratorState<Suspend, O::Output> {
        if self.status != Status::Created {
            misuse("start", self.status);
        }
        let step = self.op.step(None);
        self.went(step)
    }

    #[track_caller]
    pub(crate) fn resume(&mut self, arg: Resume) -> GeneratorState<Suspend, O::Output> {
        if self.status != Status::Suspended {
            misuse("resume", self.status);
        }
        let step = self.op.step(Some(arg));
        self.went(step)
    }

    pub(crate) fn close(&mut self) {
        if self.status == Status::Suspended {
            self.op.abandon();
        }
        self.status = Status::Closed;
    }

    pub(crate) fn status(&self) -> Status {
        self.status
    }
}

impl<O: Op> Drop for Leaf<O> {
    fn drop(&mut self) {
        self.close();
    }
}

/// The `Generator` impl of a public awaitable wrapping a [`Leaf`].
macro_rules! leaf_awaitable {
    ($name:ident $(<$($g:ident),*>)? -> $ret:ty $(where $($bound:tt)*)?) => {
        impl $(<$($g),*>)? $crate::Generator<$crate::asyncio::Resume> for $name $(<$($g),*>)?
        $(where $($bound)*)?
        {
            type Yield = $crate::asyncio::Suspend;
            type Return = $ret;

            #[track_caller]
            fn start(
                self: ::core::pin::Pin<&mut Self>,
            ) -> $crate::GeneratorState<$crate::asyncio::Suspend, $ret> {
                self.get_mut().0.start()
            }

            #[track_caller]
            fn resume(
                self: ::core::pin::Pin<&mut Self>,
                arg: $crate::asyncio::Resume,
            ) -> $crate::GeneratorState<$crate::asyncio::Suspend, $ret> {
                self.get_mut().0.resume(arg)
            }

            fn close(self: ::core::pin::Pin<&mut Self>) {
                self.get_mut().0.close();
            }

            fn status(&self) -> $crate::Status {
                self.0.status()
            }
        }

        impl $(<$($g),*>)? ::core::fmt::Debug for $name $(<$($g),*>)?
        $(where $($bound)*)?
        {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("status", &self.0.status())
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use leaf_awaitable;

// ---------------------------------------------------------------------------------------
// Lock
// ---------------------------------------------------------------------------------------

/// Python's `asyncio.Lock`: a mutex for tasks. [`acquire`](Lock::acquire) takes it,
/// waiting while it is held; [`release`](Lock::release) gives it to the longest waiter.
/// Waiters get it in the order they came (a task that arrives while a woken waiter has not
/// run yet waits behind it), and a waiter that is cancelled never takes it: the next one
/// does.
///
/// `Lock` is a handle: `Clone` shares it. [`hold`](Lock::hold) is Python's `async with lock:`
/// (a guard releases it however the scope ends); the `acquire` and `release` below are the
/// manual form, which a cancellation or an error between the two leaves locked.
///
/// ```
/// use std::time::Duration;
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, Lock};
///
/// type Log = Rc<RefCell<Vec<String>>>;
///
/// #[asyncio::coroutine]
/// fn worker(lock: Lock, name: &'static str, log: Log) -> Result<(), Cancelled> {
///     yield_from!(lock.acquire())?;
///     let lp = asyncio::get_running_loop().unwrap();
///     log.borrow_mut().push(format!("{name} holds it at {}s", lp.time().as_secs()));
///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
///     lock.release();
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn three(log: Log) -> Result<Vec<()>, Cancelled> {
///     let lock = Lock::new();
///     let workers = ["a", "b", "c"].map(|name| worker(lock.clone(), name, log.clone()));
///     yield_from!(asyncio::gather(workers))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// lp.run_until_complete(three(log.clone())).unwrap();
/// assert_eq!(*log.borrow(), ["a holds it at 0s", "b holds it at 1s", "c holds it at 2s"]);
/// ```
#[derive(Clone, Default)]
pub struct Lock {
    inner: Rc<LockInner>,
}

#[derive(Default)]
struct LockInner {
    locked: Cell<bool>,
    waiters: WaitQueue,
}

impl Lock {
    /// A lock that is not held.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Lock};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let lock = Lock::new();
    /// assert!(!lock.locked());
    /// lp.run_until_complete(lock.acquire()).unwrap();
    /// assert!(lock.locked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the lock is held.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Lock};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let lock = Lock::new();
    /// lp.run_until_complete(lock.acquire()).unwrap();
    /// assert!(lock.locked());
    /// lock.release();
    /// assert!(!lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.inner.locked.get()
    }

    /// Take the lock, waiting until it is free: `yield_from!(lock.acquire())?`.
    /// `Err(Cancelled)` if the task is cancelled while waiting (it then does not hold it).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Lock};
    ///
    /// #[asyncio::coroutine]
    /// fn hold(lock: Lock, secs: u64) -> Result<(), Cancelled> {
    ///     yield_from!(lock.acquire())?;
    ///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
    ///     lock.release();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let lock = Lock::new();
    /// lp.create_task(hold(lock.clone(), 5));
    /// lp.run_until_complete(asyncio::yield_now()).unwrap(); // the task takes the lock
    /// lp.run_until_complete(lock.acquire()).unwrap(); // waits for it to be released
    /// assert_eq!(lp.time(), Duration::from_secs(5));
    /// assert!(lock.locked());
    /// ```
    pub fn acquire(&self) -> LockAcquire {
        LockAcquire(Leaf::new(AcquireOp {
            lock: self.clone(),
            park: None,
        }))
    }

    /// Free the lock and wake the longest waiter, which takes it when it runs.
    ///
    /// ```
    /// use cogen::asyncio::Lock;
    ///
    /// let lock = Lock::new();
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    /// let message = catch_unwind(AssertUnwindSafe(|| lock.release())).unwrap_err();
    /// assert_eq!(message.downcast_ref::<&str>(), Some(&"Lock is not acquired"));
    /// ```
    ///
    /// # Panics
    /// If the lock is not held (Python: RuntimeError).
    #[track_caller]
    pub fn release(&self) {
        if !self.inner.locked.replace(false) {
            panic!("Lock is not acquired");
        }
        self.wake_up_first();
    }

    /// Wake the longest waiter, unless it was already woken (Python's `_wake_up_first`).
    fn wake_up_first(&self) {
        if let Some(first) = self.inner.waiters.front()
            && !first.future.done()
        {
            let _ = first.future.set_result(());
        }
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("locked", &self.locked())
            .field("waiters", &self.inner.waiters.len())
            .finish()
    }
}

/// The awaitable of [`Lock::acquire`] and [`Condition::acquire`]: `Result<(), Cancelled>`.
///
/// ```
/// use cogen::asyncio::{EventLoop, Lock};
///
/// let lp = EventLoop::new();
/// let lock = Lock::new();
/// let task = lp.create_task(lock.acquire()); // an awaitable is a coroutine
/// assert_eq!(lp.run_until_complete(&task), Ok(()));
/// assert!(lock.locked());
/// ```
pub struct LockAcquire(Leaf<AcquireOp>);

leaf_awaitable!(LockAcquire -> Resume);

struct AcquireOp {
    lock: Lock,
    park: Option<Park>,
}

impl Op for AcquireOp {
    type Output = Resume;

    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Resume> {
        let inner = &self.lock.inner;
        let Some(arg) = resumed else {
            let mut free = !inner.locked.get();
            if free {
                inner.waiters.visit(|waiter| {
                    free = waiter.future.cancelled();
                    free
                });
            }
            if free {
                inner.locked.set(true);
                return GeneratorState::Complete(Ok(()));
            }
            let (park, suspend) = Park::on(&inner.waiters, "Lock::acquire");
            self.park = Some(park);
            return GeneratorState::Yielded(suspend);
        };
        let mut park = self
            .park
            .take()
            .expect("cogen: a resumed acquire is parked");
        let result = park.resume(arg);
        inner.waiters.leave(&park.waiter);
        match result {
            Ok(()) => {
                debug_assert!(
                    !inner.locked.get(),
                    "cogen: a woken lock waiter finds it free"
                );
                inner.locked.set(true);
            }
            // If it was woken, the lock is free and others may wait: wake the next.
            Err(Cancelled) if !inner.locked.get() => self.lock.wake_up_first(),
            Err(Cancelled) => {}
        }
        GeneratorState::Complete(result)
    }

    fn abandon(&mut self) {
        if let Some(park) = self.park.take() {
            self.lock.inner.waiters.leave(&park.waiter);
            if !self.lock.inner.locked.get() {
                self.lock.wake_up_first();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Event
// ---------------------------------------------------------------------------------------

/// Python's `asyncio.Event`: a flag tasks can wait for. [`set`](Event::set) wakes every
/// waiter; [`wait`](Event::wait) returns at once while the flag is set;
/// [`clear`](Event::clear) lowers it again.
///
/// `Event` is a handle: `Clone` shares it.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, Event, EventLoop};
///
/// #[asyncio::coroutine]
/// fn waiter(event: Event) -> Result<Duration, Cancelled> {
///     yield_from!(event.wait())?;
///     Ok(asyncio::get_running_loop().unwrap().time())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let event = Event::new();
/// let waiters = [lp.create_task(waiter(event.clone())), lp.create_task(waiter(event.clone()))];
/// let setter = event.clone();
/// lp.call_later(Duration::from_secs(3), move || setter.set());
/// let times = lp.run_until_complete(asyncio::gather(&waiters)).unwrap();
/// assert_eq!(times, [Duration::from_secs(3); 2]);
/// assert!(event.is_set());
/// ```
#[derive(Clone, Default)]
pub struct Event {
    inner: Rc<EventInner>,
}

#[derive(Default)]
struct EventInner {
    value: Cell<bool>,
    waiters: WaitQueue,
}

impl Event {
    /// An event that is not set.
    ///
    /// ```
    /// use cogen::asyncio::Event;
    ///
    /// let event = Event::new();
    /// assert!(!event.is_set());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the flag is set.
    ///
    /// ```
    /// use cogen::asyncio::Event;
    ///
    /// let event = Event::new();
    /// assert!(!event.is_set());
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.inner.value.get()
    }

    /// Set the flag and wake every task waiting for it (on the loop's next tick).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Event};
    ///
    /// #[asyncio::coroutine]
    /// fn set_later(event: Event) -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(2)))?;
    ///     event.set();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let event = Event::new();
    /// lp.create_task(set_later(event.clone()));
    /// lp.run_until_complete(event.wait()).unwrap();
    /// assert!(event.is_set());
    /// assert_eq!(lp.time(), Duration::from_secs(2));
    /// ```
    pub fn set(&self) {
        if self.inner.value.replace(true) {
            return;
        }
        self.inner.waiters.visit(|waiter| {
            if !waiter.future.done() {
                let _ = waiter.future.set_result(());
            }
            true
        });
    }

    /// Lower the flag: later waits wait for the next [`set`](Event::set).
    ///
    /// ```
    /// use cogen::asyncio::Event;
    ///
    /// let event = Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.inner.value.set(false);
    }

    /// Wait until the flag is set (at once if it is): `yield_from!(event.wait())?`.
    /// `Err(Cancelled)` if the task is cancelled while waiting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::asyncio::{EventLoop, Event};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let event = Event::new();
    /// event.set();
    /// lp.run_until_complete(event.wait()).unwrap(); // at once: the flag is set
    /// assert_eq!(lp.time(), Duration::ZERO);
    /// ```
    pub fn wait(&self) -> EventWait {
        EventWait(Leaf::new(EventWaitOp {
            event: self.clone(),
            park: None,
        }))
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .field("waiters", &self.inner.waiters.len())
            .finish()
    }
}

/// The awaitable of [`Event::wait`]: `Result<(), Cancelled>`.
///
/// ```
/// use cogen::asyncio::{Event, EventLoop};
///
/// let lp = EventLoop::new();
/// let event = Event::new();
/// let task = lp.create_task(event.wait());
/// lp.run_briefly();
/// assert!(!task.done());
/// event.set();
/// assert_eq!(lp.run_until_complete(&task), Ok(()));
/// ```
pub struct EventWait(Leaf<EventWaitOp>);

leaf_awaitable!(EventWait -> Resume);

struct EventWaitOp {
    event: Event,
    park: Option<Park>,
}

impl Op for EventWaitOp {
    type Output = Resume;

    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Resume> {
        let inner = &self.event.inner;
        let Some(arg) = resumed else {
            if inner.value.get() {
                return GeneratorState::Complete(Ok(()));
            }
            let (park, suspend) = Park::on(&inner.waiters, "Event::wait");
            self.park = Some(park);
            return GeneratorState::Yielded(suspend);
        };
        let mut park = self.park.take().expect("cogen: a resumed wait is parked");
        let result = park.resume(arg);
        inner.waiters.leave(&park.waiter);
        GeneratorState::Complete(result)
    }

    fn abandon(&mut self) {
        if let Some(park) = self.park.take() {
            self.event.inner.waiters.leave(&park.waiter);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Condition
// ---------------------------------------------------------------------------------------

/// Python's `asyncio.Condition`: a [`Lock`] and a queue of tasks waiting to be notified.
/// A task holding the lock [`wait`](Condition::wait)s: that releases the lock, waits for a
/// [`notify`](Condition::notify), and takes the lock again before it returns (also when it
/// is cancelled: the wait then returns `Err(Cancelled)` holding the lock, and passes its
/// notification on to another waiter).
///
/// `Condition` is a handle: `Clone` shares it.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, Condition, EventLoop};
///
/// #[asyncio::coroutine]
/// fn consumer(cond: Condition, items: Rc<RefCell<Vec<u32>>>) -> Result<u32, Cancelled> {
///     yield_from!(cond.acquire())?;
///     let ready = yield_from!(cond.wait_for({
///         let items = items.clone();
///         move || !items.borrow().is_empty()
///     }));
///     let item = items.borrow_mut().pop();
///     cond.release();
///     ready?;
///     Ok(item.unwrap())
/// }
///
/// #[asyncio::coroutine]
/// fn producer(cond: Condition, items: Rc<RefCell<Vec<u32>>>) -> Result<(), Cancelled> {
///     yield_from!(asyncio::yield_now())?; // the consumer waits first
///     yield_from!(cond.acquire())?;
///     items.borrow_mut().push(42);
///     cond.notify(1);
///     cond.release();
///     Ok(())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let (cond, items) = (Condition::new(), Rc::new(RefCell::new(Vec::new())));
/// let got = lp.create_task(consumer(cond.clone(), items.clone()));
/// lp.create_task(producer(cond.clone(), items.clone()));
/// assert_eq!(lp.run_until_complete(&got), Ok(42));
/// assert!(!cond.locked());
/// ```
#[derive(Clone, Default)]
pub struct Condition {
    inner: Rc<ConditionInner>,
}

#[derive(Default)]
struct ConditionInner {
    lock: Lock,
    waiters: WaitQueue,
}

impl Condition {
    /// A condition with a lock of its own, not held.
    ///
    /// ```
    /// use cogen::asyncio::Condition;
    ///
    /// let cond = Condition::new();
    /// assert!(!cond.locked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Take the lock: [`Lock::acquire`].
    ///
    /// ```
    /// use cogen::asyncio::{Condition, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let cond = Condition::new();
    /// lp.run_until_complete(cond.acquire()).unwrap();
    /// assert!(cond.locked());
    /// ```
    pub fn acquire(&self) -> LockAcquire {
        self.inner.lock.acquire()
    }

    /// Free the lock: [`Lock::release`].
    ///
    /// ```
    /// use cogen::asyncio::{Condition, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let cond = Condition::new();
    /// lp.run_until_complete(cond.acquire()).unwrap();
    /// cond.release();
    /// assert!(!cond.locked());
    /// ```
    ///
    /// # Panics
    /// If the lock is not held (Python: RuntimeError).
    #[track_caller]
    pub fn release(&self) {
        self.inner.lock.release();
    }

    /// Whether the lock is held.
    ///
    /// ```
    /// use cogen::asyncio::{Condition, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let cond = Condition::new();
    /// assert!(!cond.locked());
    /// lp.run_until_complete(cond.acquire()).unwrap();
    /// assert!(cond.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.inner.lock.locked()
    }

    /// Release the lock, wait to be notified, and take the lock again:
    /// `yield_from!(cond.wait())?`. `Err(Cancelled)` if the task is cancelled meanwhile; it
    /// holds the lock again all the same.
    ///
    /// Dropping the wait while it waits (closing its task) leaves the lock to others and
    /// passes a notification on.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, Condition, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn waiter(cond: Condition) -> Result<bool, Cancelled> {
    ///     yield_from!(cond.acquire())?;
    ///     yield_from!(cond.wait())?;
    ///     let held = cond.locked(); // the lock is taken again
    ///     cond.release();
    ///     Ok(held)
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn notifier(cond: Condition) -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::yield_now())?; // the waiter waits first
    ///     yield_from!(cond.acquire())?;
    ///     cond.notify(1);
    ///     cond.release();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let cond = Condition::new();
    /// let waiting = lp.create_task(waiter(cond.clone()));
    /// lp.create_task(notifier(cond.clone()));
    /// assert_eq!(lp.run_until_complete(&waiting), Ok(true));
    /// ```
    ///
    /// # Panics
    /// When the wait starts, if the lock is not held (Python: RuntimeError).
    pub fn wait(&self) -> ConditionWait {
        ConditionWait(Leaf::new(WaitOp {
            condition: self.clone(),
            state: WaitState::Created,
        }))
    }

    /// Wait until `predicate` is true: it is checked first, then after each notification,
    /// with the lock held (Python: `wait_for`). `Ok(true)` (the predicate's value) once it
    /// holds, `Err(Cancelled)` if the task is cancelled meanwhile (holding the lock again).
    ///
    /// ```
    /// use cogen::asyncio::{Condition, EventLoop};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let cond = Condition::new();
    /// lp.run_until_complete(cond.acquire()).unwrap();
    /// // The predicate already holds: no wait, and the lock is still held.
    /// lp.run_until_complete(cond.wait_for(|| true)).unwrap();
    /// assert!(cond.locked());
    /// ```
    ///
    /// # Panics
    /// As [`wait`](Condition::wait), when it has to wait.
    pub fn wait_for<P: FnMut() -> bool>(&self, predicate: P) -> ConditionWaitFor<P> {
        ConditionWaitFor(Leaf::new(WaitForOp {
            condition: self.clone(),
            predicate,
            wait: None,
        }))
    }

    /// Wake up to `n` tasks waiting on this condition, longest first (each takes the lock
    /// in turn before its wait returns).
    ///
    /// ```
    /// use cogen::asyncio::Condition;
    ///
    /// let cond = Condition::new();
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    /// let message = catch_unwind(AssertUnwindSafe(|| cond.notify(1))).unwrap_err();
    /// assert_eq!(message.downcast_ref::<&str>(), Some(&"cannot notify on un-acquired lock"));
    /// ```
    ///
    /// # Panics
    /// If the lock is not held (Python: RuntimeError).
    #[track_caller]
    pub fn notify(&self, n: usize) {
        if !self.locked() {
            panic!("cannot notify on un-acquired lock");
        }
        self.notify_waiters(n);
    }

    /// Wake every task waiting on this condition.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, Condition, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn waiter(cond: Condition, woken: Rc<Cell<u32>>) -> Result<(), Cancelled> {
    ///     yield_from!(cond.acquire())?;
    ///     let waited = yield_from!(cond.wait());
    ///     woken.set(woken.get() + 1);
    ///     cond.release();
    ///     waited
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn notify_everyone(cond: Condition) -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::yield_now())?; // the waiters wait first
    ///     yield_from!(cond.acquire())?;
    ///     cond.notify_all();
    ///     cond.release();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let (cond, woken) = (Condition::new(), Rc::new(Cell::new(0)));
    /// let waiters = [(); 3].map(|()| lp.create_task(waiter(cond.clone(), woken.clone())));
    /// lp.run_until_complete(notify_everyone(cond.clone())).unwrap();
    /// lp.run_until_idle();
    /// assert!(waiters.iter().all(|task| task.done()));
    /// assert_eq!(woken.get(), 3);
    /// ```
    ///
    /// # Panics
    /// If the lock is not held (Python: RuntimeError).
    #[track_caller]
    pub fn notify_all(&self) {
        self.notify(self.inner.waiters.len());
    }

    fn notify_waiters(&self, n: usize) {
        let mut woken = 0;
        self.inner.waiters.visit(|waiter| {
            if woken >= n {
                return false;
            }
            if !waiter.future.done() {
                woken += 1;
                let _ = waiter.future.set_result(());
            }
            true
        });
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("locked", &self.locked())
            .field("waiters", &self.inner.waiters.len())
            .finish()
    }
}

/// The awaitable of [`Condition::wait`]: `Result<(), Cancelled>`.
///
/// ```
/// use cogen::asyncio::{Condition, EventLoop};
///
/// let lp = EventLoop::new();
/// let cond = Condition::new();
/// lp.run_until_complete(lp.create_task(cond.acquire())).unwrap();
/// let waiting = lp.create_task(cond.wait());
/// lp.run_briefly();
/// assert!(!cond.locked()); // the wait released it
/// lp.run_until_complete(lp.create_task(cond.acquire())).unwrap();
/// cond.notify_all();
/// cond.release();
/// assert_eq!(lp.run_until_complete(&waiting), Ok(()));
/// assert!(cond.locked()); // taken again by the wait
/// ```
pub struct ConditionWait(Leaf<WaitOp>);

leaf_awaitable!(ConditionWait -> Resume);

struct WaitOp {
    condition: Condition,
    state: WaitState,
}

enum WaitState {
    Created,
    /// Waiting for a notification.
    Waiting(Park),
    /// Taking the lock again; whether the wait was cancelled.
    Reacquiring(LockAcquire, bool),
    Done,
}

impl WaitOp {
    /// Take the lock again, however often the task is cancelled meanwhile.
    fn reacquire(&mut self, mut cancelled: bool) -> GeneratorState<Suspend, Resume> {
        loop {
            let mut acquire = self.condition.inner.lock.acquire();
            match Pin::new(&mut acquire).start() {
                GeneratorState::Yielded(suspend) => {
                    self.state = WaitState::Reacquiring(acquire, cancelled);
                    return GeneratorState::Yielded(suspend);
                }
                GeneratorState::Complete(Ok(())) => return self.finish(cancelled),
                GeneratorState::Complete(Err(Cancelled)) => cancelled = true,
            }
        }
    }

    fn finish(&mut self, cancelled: bool) -> GeneratorState<Suspend, Resume> {
        self.state = WaitState::Done;
        if cancelled {
            // It may have been notified before it was cancelled: notify another instead
            // (a spurious wakeup, which the protocol allows).
            self.condition.notify_waiters(1);
            return GeneratorState::Complete(Err(Cancelled));
        }
        GeneratorState::Complete(Ok(()))
    }
}

impl Op for WaitOp {
    type Output = Resume;

    #[track_caller]
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Resume> {
        let Some(arg) = resumed else {
            if !self.condition.locked() {
                panic!("cannot wait on un-acquired lock");
            }
            self.condition.release();
            let (park, suspend) = Park::on(&self.condition.inner.waiters, "Condition::wait");
            self.state = WaitState::Waiting(park);
            return GeneratorState::Yielded(suspend);
        };
        match core::mem::replace(&mut self.state, WaitState::Done) {
            WaitState::Waiting(mut park) => {
                let result = park.resume(arg);
                self.condition.inner.waiters.leave(&park.waiter);
                self.reacquire(result.is_err())
            }
            WaitState::Reacquiring(mut acquire, cancelled) => {
                match Pin::new(&mut acquire).resume(arg) {
                    GeneratorState::Complete(Ok(())) => self.finish(cancelled),
                    GeneratorState::Complete(Err(Cancelled)) => self.reacquire(true),
                    GeneratorState::Yielded(_) => {
                        unreachable!("cogen: a lock acquire yields once")
                    }
                }
            }
            WaitState::Created | WaitState::Done => {
                unreachable!("cogen: a resumed condition wait is suspended")
            }
        }
    }

    fn abandon(&mut self) {
        match core::mem::replace(&mut self.state, WaitState::Done) {
            WaitState::Waiting(park) => self.condition.inner.waiters.leave(&park.waiter),
            // Its own drop leaves the lock's queue.
            WaitState::Reacquiring(acquire, _) => drop(acquire),
            WaitState::Created | WaitState::Done => return,
        }
        // Python's `except BaseException: self._notify(1)`: a notification it got is not
        // lost.
        self.condition.notify_waiters(1);
    }
}

/// The awaitable of [`Condition::wait_for`]: `Result<bool, Cancelled>`.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use cogen::asyncio::{Condition, EventLoop};
///
/// let lp = EventLoop::new();
/// let cond = Condition::new();
/// let value = Rc::new(Cell::new(0));
/// lp.run_until_complete(lp.create_task(cond.acquire())).unwrap();
/// let v = value.clone();
/// let waiting = lp.create_task(cond.wait_for(move || v.get() == 2));
/// for n in 1..=2 {
///     lp.run_briefly();
///     lp.run_until_complete(lp.create_task(cond.acquire())).unwrap();
///     value.set(n);
///     cond.notify(1);
///     cond.release();
/// }
/// assert_eq!(lp.run_until_complete(&waiting), Ok(true));
/// ```
pub struct ConditionWaitFor<P: FnMut() -> bool>(Leaf<WaitForOp<P>>);

leaf_awaitable!(ConditionWaitFor<P> -> Result<bool, Cancelled> where P: FnMut() -> bool);

struct WaitForOp<P> {
    condition: Condition,
    predicate: P,
    wait: Option<ConditionWait>,
}

impl<P: FnMut() -> bool> WaitForOp<P> {
    #[track_caller]
    fn check(&mut self) -> GeneratorState<Suspend, Result<bool, Cancelled>> {
        loop {
            if (self.predicate)() {
                return GeneratorState::Complete(Ok(true));
            }
            let mut wait = self.condition.wait();
            match Pin::new(&mut wait).start() {
                GeneratorState::Yielded(suspend) => {
                    self.wait = Some(wait);
                    return GeneratorState::Yielded(suspend);
                }
                GeneratorState::Complete(Err(Cancelled)) => {
                    return GeneratorState::Complete(Err(Cancelled));
                }
                GeneratorState::Complete(Ok(())) => {}
            }
        }
    }
}

impl<P: FnMut() -> bool> Op for WaitForOp<P> {
    type Output = Result<bool, Cancelled>;

    #[track_caller]
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Self::Output> {
        let Some(arg) = resumed else {
            return self.check();
        };
        let wait = self.wait.as_mut().expect("cogen: a resumed wait_for waits");
        match Pin::new(wait).resume(arg) {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(Err(Cancelled)) => {
                self.wait = None;
                GeneratorState::Complete(Err(Cancelled))
            }
            GeneratorState::Complete(Ok(())) => {
                self.wait = None;
                self.check()
            }
        }
    }

    fn abandon(&mut self) {
        self.wait = None;
    }
}
