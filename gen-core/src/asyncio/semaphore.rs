//! `Semaphore`: a counter of permits with a FIFO queue of waiters.

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

/// Python's `asyncio.Semaphore`: `acquire` takes a permit, waiting while there is none;
/// `release` gives one back and wakes the longest waiter. Permits go to waiters in the order
/// they came (no barging: while anyone waits, `acquire` waits too), and a waiter that is
/// cancelled never keeps a permit. [`hold`](Semaphore::hold) is Python's `async with sem:`:
/// a guard gives the permit back however the scope ends.
///
/// `Semaphore` is a handle: `Clone` shares it.
///
/// ```
/// use std::time::Duration;
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Semaphore, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn job(sem: Semaphore, id: u32, log: Rc<RefCell<Vec<String>>>) -> Result<(), Cancelled> {
///     yield_from!(sem.acquire())?;
///     let lp = asyncio::get_running_loop().unwrap();
///     log.borrow_mut().push(format!("{id} at {}s", lp.time().as_secs()));
///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
///     sem.release();
///     Ok(())
/// }
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn five_jobs(log: Rc<RefCell<Vec<String>>>) -> Result<Vec<()>, Cancelled> {
///     let sem = Semaphore::new(2);
///     yield_from!(asyncio::gather((1..=5).map(|id| job(sem.clone(), id, log.clone()))))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// lp.run_until_complete(five_jobs(log.clone())).unwrap();
/// assert_eq!(*log.borrow(), ["1 at 0s", "2 at 0s", "3 at 1s", "4 at 1s", "5 at 2s"]);
/// ```
#[derive(Clone)]
pub struct Semaphore {
    inner: Rc<Inner>,
}

struct Inner {
    value: Cell<usize>,
    /// `Some(initial)` for a bounded semaphore.
    bound: Option<usize>,
    /// The waiters not granted a permit yet, in arrival order. Those that left (cancelled
    /// or dropped) are skipped and dropped when they reach the front, so every operation is
    /// O(1) amortized.
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
    /// Waiters granted a permit whose tasks have not resumed yet: while there are any,
    /// `acquire` waits too (Python keeps them in its queue until they resume).
    granted: Cell<usize>,
}

/// One waiting `acquire`.
struct Waiter {
    future: Future<(), Cancelled>,
    left: Cell<bool>,
}

impl Waiter {
    fn gone(&self) -> bool {
        self.left.get() || self.future.cancelled()
    }
}

impl Semaphore {
    /// A semaphore with `value` permits (Python: `Semaphore(value)`; a negative value,
    /// Python's `ValueError`, cannot be written).
    ///
    /// ```
    /// use cogen::asyncio::Semaphore;
    ///
    /// let sem = Semaphore::new(2);
    /// assert_eq!(sem.value(), 2);
    /// assert!(!sem.locked());
    /// ```
    pub fn new(value: usize) -> Self {
        Self::with_bound(value, None)
    }

    /// A semaphore that may never hold more than `value` permits: releasing more than was
    /// acquired panics (Python: `BoundedSemaphore(value)`, which raises `ValueError`).
    ///
    /// ```
    /// use cogen::asyncio::Semaphore;
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    ///
    /// let sem = Semaphore::bounded(1);
    /// assert_eq!(sem.value(), 1);
    /// assert!(catch_unwind(AssertUnwindSafe(|| sem.release())).is_err());
    /// ```
    pub fn bounded(value: usize) -> Self {
        Self::with_bound(value, Some(value))
    }

    fn with_bound(value: usize, bound: Option<usize>) -> Self {
        Semaphore {
            inner: Rc::new(Inner {
                value: Cell::new(value),
                bound,
                waiters: RefCell::new(VecDeque::new()),
                granted: Cell::new(0),
            }),
        }
    }

    /// The permits left.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Semaphore};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let sem = Semaphore::new(2);
    /// lp.run_until_complete(sem.acquire()).unwrap();
    /// assert_eq!(sem.value(), 1);
    /// sem.release();
    /// assert_eq!(sem.value(), 2);
    /// ```
    pub fn value(&self) -> usize {
        self.inner.value.get()
    }

    /// Whether `acquire` would wait: no permit left, or others are already waiting.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Semaphore};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let sem = Semaphore::new(1);
    /// assert!(!sem.locked());
    /// lp.run_until_complete(sem.acquire()).unwrap();
    /// assert!(sem.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.inner.value.get() == 0 || self.inner.granted.get() > 0 || self.front().is_some()
    }

    /// The longest waiter still waiting, once those that left are dropped.
    fn front(&self) -> Option<Rc<Waiter>> {
        let mut waiters = self.inner.waiters.borrow_mut();
        while waiters.front().is_some_and(|waiter| waiter.gone()) {
            waiters.pop_front();
        }
        waiters.front().cloned()
    }

    /// Take a permit, waiting for one if needed: `yield_from!(sem.acquire())?`.
    /// `Err(Cancelled)` if the task is cancelled while waiting (it then holds no permit).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Semaphore};
    ///
    /// #[asyncio::coroutine]
    /// fn hold(sem: Semaphore) -> Result<(), Cancelled> {
    ///     yield_from!(sem.acquire())?;
    ///     yield_from!(asyncio::sleep(Duration::from_secs(3)))?;
    ///     sem.release();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let sem = Semaphore::new(1);
    /// lp.create_task(hold(sem.clone()));
    /// lp.run_until_complete(asyncio::yield_now()).unwrap(); // the task takes the only permit
    /// lp.run_until_complete(sem.acquire()).unwrap(); // waits for it
    /// assert_eq!(lp.time(), Duration::from_secs(3));
    /// assert_eq!(sem.value(), 0);
    /// ```
    pub fn acquire(&self) -> Acquire {
        Acquire {
            semaphore: self.clone(),
            state: AcquireState::Created,
        }
    }

    /// Give a permit back and wake the longest waiter. That waiter, when it resumes, wakes as
    /// many more as there are permits left (Python 3.13).
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Semaphore};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let sem = Semaphore::new(1);
    /// lp.run_until_complete(sem.acquire()).unwrap();
    /// assert_eq!(sem.value(), 0);
    /// sem.release();
    /// assert_eq!(sem.value(), 1);
    /// ```
    ///
    /// # Panics
    /// For a [`bounded`](Semaphore::bounded) semaphore, if that would make more permits
    /// than it started with.
    #[track_caller]
    pub fn release(&self) {
        let value = self.inner.value.get() + 1;
        if self.inner.bound.is_some_and(|bound| value > bound) {
            panic!("a bounded semaphore was released more times than it was acquired");
        }
        self.inner.value.set(value);
        self.wake_up_next();
    }

    /// Grant a permit to the longest waiter; whether there was one.
    fn wake_up_next(&self) -> bool {
        let Some(next) = self.front() else {
            return false;
        };
        self.inner.waiters.borrow_mut().pop_front();
        self.inner.value.set(self.inner.value.get() - 1);
        self.inner.granted.set(self.inner.granted.get() + 1);
        let _ = next.future.set_result(());
        true
    }

    /// Waiters that arrived while permits were granted had to queue: wake as many as there
    /// are permits (Python's `finally:` of `acquire`).
    fn wake_up_all_allowed(&self) {
        while self.inner.value.get() > 0 && self.wake_up_next() {}
    }

    /// A waiter that will not take a permit leaves; if it was granted one, it passes it on.
    fn leave(&self, waiter: &Waiter) {
        waiter.left.set(true);
        if waiter.future.done() && !waiter.future.cancelled() {
            self.inner.granted.set(self.inner.granted.get() - 1);
            self.inner.value.set(self.inner.value.get() + 1);
        }
        self.wake_up_all_allowed();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("value", &self.value())
            .field(
                "waiters",
                &self
                    .inner
                    .waiters
                    .borrow()
                    .iter()
                    .filter(|waiter| !waiter.gone())
                    .count(),
            )
            .finish()
    }
}

/// The awaitable of [`Semaphore::acquire`]: takes a permit when awaited, waiting in FIFO
/// order while there is none. Dropped while it waits, it gives up its place (a permit it
/// was granted meanwhile goes to the next waiter).
///
/// ```
/// use cogen::asyncio::{Acquire, EventLoop, Semaphore};
///
/// let lp = EventLoop::with_virtual_clock();
/// let sem = Semaphore::new(1);
/// let first: Acquire = sem.acquire();
/// lp.run_until_complete(lp.create_task(first)).unwrap();
/// let second = lp.create_task(sem.acquire());
/// lp.run_until_idle();
/// assert!(!second.done()); // waits: no permit left
/// sem.release();
/// lp.run_until_idle();
/// assert_eq!(second.result(), Some(Ok(())));
/// ```
#[derive(Debug)]
pub struct Acquire {
    semaphore: Semaphore,
    state: AcquireState,
}

enum AcquireState {
    Created,
    Waiting(Await<(), Cancelled>, Rc<Waiter>),
    Closed,
}

impl fmt::Debug for AcquireState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AcquireState::Created => "Created",
            AcquireState::Waiting(..) => "Waiting",
            AcquireState::Closed => "Closed",
        })
    }
}

impl Generator<Resume> for Acquire {
    type Yield = Suspend;
    type Return = Resume;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Resume> {
        let this = self.get_mut();
        if !matches!(this.state, AcquireState::Created) {
            misuse("start", this.status());
        }
        let semaphore = &this.semaphore;
        if !semaphore.locked() {
            semaphore.inner.value.set(semaphore.value() - 1);
            this.state = AcquireState::Closed;
            return GeneratorState::Complete(Ok(()));
        }
        let future: Future<(), Cancelled> = running_loop("Semaphore::acquire").create_future();
        let waiter = Rc::new(Waiter {
            future: future.clone(),
            left: Cell::new(false),
        });
        semaphore
            .inner
            .waiters
            .borrow_mut()
            .push_back(waiter.clone());
        let mut wait = future.into_generator();
        let step = Pin::new(&mut wait).start();
        this.state = AcquireState::Waiting(wait, waiter);
        step
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Resume> {
        let this = self.get_mut();
        let AcquireState::Waiting(wait, _) = &mut this.state else {
            misuse("resume", this.status());
        };
        let result = once(Pin::new(wait).resume(arg));
        let AcquireState::Waiting(_, waiter) =
            core::mem::replace(&mut this.state, AcquireState::Closed)
        else {
            unreachable!()
        };
        match result {
            Ok(()) => {
                let inner = &this.semaphore.inner;
                inner.granted.set(inner.granted.get() - 1);
                this.semaphore.wake_up_all_allowed();
            }
            // Cancelled, possibly after being granted the permit: pass it on.
            Err(Cancelled) => this.semaphore.leave(&waiter),
        }
        GeneratorState::Complete(result)
    }

    fn close(self: Pin<&mut Self>) {
        let this = self.get_mut();
        if let AcquireState::Waiting(_, waiter) =
            core::mem::replace(&mut this.state, AcquireState::Closed)
        {
            this.semaphore.leave(&waiter);
        }
    }

    fn status(&self) -> Status {
        match self.state {
            AcquireState::Created => Status::Created,
            AcquireState::Waiting(..) => Status::Suspended,
            AcquireState::Closed => Status::Closed,
        }
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        Pin::new(self).close();
    }
}
