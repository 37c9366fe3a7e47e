//! Python's `async with lock:`: [`Lock::hold`], [`Semaphore::hold`] and [`Condition::hold`]
//! acquire, and give a [`Guard`] that releases when it is dropped, also when the task is
//! cancelled or fails on the way out.

use core::fmt;
use core::pin::Pin;

use super::{Cancelled, Condition, Lock, LockAcquire, Resume, Semaphore, Suspend};
use crate::{Generator, GeneratorState, Status};

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Lock {}
    impl Sealed for super::Semaphore {}
    impl Sealed for super::Condition {}
}

/// What a [`Guard`] releases: [`Lock`], [`Semaphore`] or [`Condition`] (sealed).
///
/// ```
/// use cogen::asyncio::{Lock, Releasable};
///
/// fn releases<P: Releasable>(_: &P) {}
/// releases(&Lock::new());
/// ```
pub trait Releasable: sealed::Sealed + Clone + Unpin {
    /// Release it once (as its own `release`).
    fn release_one(&self);
}

impl Releasable for Lock {
    #[track_caller]
    fn release_one(&self) {
        self.release();
    }
}

impl Releasable for Semaphore {
    #[track_caller]
    fn release_one(&self) {
        self.release();
    }
}

impl Releasable for Condition {
    #[track_caller]
    fn release_one(&self) {
        self.release();
    }
}

/// Held until dropped: a lock, a semaphore's unit or a condition's lock that
/// [`hold`](Lock::hold) acquired; dropping the guard releases it (Python: the end of the
/// `async with` block). Do not also `release` what a guard holds: the guard's own release
/// would then find it free and panic.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, Lock};
///
/// #[asyncio::coroutine]
/// fn scoped(lock: Lock) -> Result<bool, Cancelled> {
///     {
///         let _held = yield_from!(lock.hold())?;
///         assert!(lock.locked());
///     }
///     Ok(lock.locked())
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(scoped(Lock::new())), Ok(false));
/// ```
#[must_use = "what it holds is released as soon as the guard is dropped"]
pub struct Guard<P: Releasable> {
    held: P,
}

impl<P: Releasable> Drop for Guard<P> {
    fn drop(&mut self) {
        self.held.release_one();
    }
}

impl<P: Releasable + fmt::Debug> fmt::Debug for Guard<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard").field("held", &self.held).finish()
    }
}

/// The awaitable of [`Lock::hold`], [`Semaphore::hold`] and [`Condition::hold`]: the
/// acquisition `A`, then a [`Guard`] of `P`; `Err(Cancelled)` if the task is cancelled while
/// it waits (it then holds nothing).
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, Semaphore};
///
/// #[asyncio::coroutine]
/// fn locked_while_held(sem: Semaphore) -> Result<(bool, bool), Cancelled> {
///     let held = yield_from!(sem.hold())?;
///     let during = sem.locked();
///     drop(held);
///     Ok((during, sem.locked()))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(locked_while_held(Semaphore::new(1))), Ok((true, false)));
/// ```
///
/// A task's result is cloned to whoever awaits it, so a guard is held inside a coroutine,
/// not returned from one (`Guard` is not `Clone`).
pub struct Hold<A, P: Releasable> {
    acquire: A,
    primitive: P,
}

impl<A, P> Hold<A, P>
where
    A: Generator<Resume, Yield = Suspend, Return = Result<(), Cancelled>> + Unpin,
    P: Releasable,
{
    fn held(
        &self,
        state: GeneratorState<Suspend, Result<(), Cancelled>>,
    ) -> GeneratorState<Suspend, Result<Guard<P>, Cancelled>> {
        match state {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(outcome) => {
                GeneratorState::Complete(outcome.map(|()| Guard {
                    held: self.primitive.clone(),
                }))
            }
        }
    }
}

impl<A, P> Generator<Resume> for Hold<A, P>
where
    A: Generator<Resume, Yield = Suspend, Return = Result<(), Cancelled>> + Unpin,
    P: Releasable,
{
    type Yield = Suspend;
    type Return = Result<Guard<P>, Cancelled>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Self::Return> {
        let this = self.get_mut();
        let state = Pin::new(&mut this.acquire).start();
        this.held(state)
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Self::Return> {
        let this = self.get_mut();
        let state = Pin::new(&mut this.acquire).resume(arg);
        this.held(state)
    }

    fn close(self: Pin<&mut Self>) {
        Pin::new(&mut self.get_mut().acquire).close();
    }

    fn status(&self) -> Status {
        self.acquire.status()
    }
}

impl<A: Generator<Resume>, P: Releasable> fmt::Debug for Hold<A, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hold")
            .field("status", &self.acquire.status())
            .finish_non_exhaustive()
    }
}

impl Lock {
    /// Take the lock, waiting until it is free, and hold it until the guard is dropped
    /// (Python: `async with lock:`): `let _held = yield_from!(lock.hold())?;`. The lock is
    /// released however the scope ends, a cancellation or an error's `?` included.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Lock};
    ///
    /// #[asyncio::coroutine]
    /// fn hold_for(lock: Lock, secs: u64) -> Result<(), Cancelled> {
    ///     let _held = yield_from!(lock.hold())?;
    ///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?; // cancelled here
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let lock = Lock::new();
    /// let task = lp.create_task(hold_for(lock.clone(), 3600));
    /// lp.run_until_complete(asyncio::yield_now()).unwrap(); // the task takes the lock
    /// task.cancel();
    /// assert_eq!(lp.run_until_complete(&task), Err(Cancelled));
    /// assert!(!lock.locked()); // released on the way out
    /// ```
    pub fn hold(&self) -> Hold<LockAcquire, Lock> {
        Hold {
            acquire: self.acquire(),
            primitive: self.clone(),
        }
    }
}

impl Semaphore {
    /// Take one unit, waiting until there is one, and hold it until the guard is dropped
    /// (Python: `async with sem:`): `let _held = yield_from!(sem.hold())?;`.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Semaphore};
    ///
    /// #[asyncio::coroutine]
    /// fn inside(sem: Semaphore) -> Result<(usize, usize), Cancelled> {
    ///     let during = {
    ///         let _held = yield_from!(sem.hold())?;
    ///         sem.value()
    ///     };
    ///     Ok((during, sem.value()))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(inside(Semaphore::new(2))), Ok((1, 2)));
    /// ```
    pub fn hold(&self) -> Hold<super::Acquire, Semaphore> {
        Hold {
            acquire: self.acquire(),
            primitive: self.clone(),
        }
    }
}

impl Condition {
    /// Take the condition's lock and hold it until the guard is dropped (Python:
    /// `async with cond:`), for `wait` and `notify` inside the scope.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, Condition, EventLoop};
    ///
    /// #[asyncio::coroutine]
    /// fn notify_one(cond: Condition) -> Result<bool, Cancelled> {
    ///     {
    ///         let _held = yield_from!(cond.hold())?;
    ///         cond.notify(1);
    ///     }
    ///     Ok(cond.locked())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// assert_eq!(lp.run_until_complete(notify_one(Condition::new())), Ok(false));
    /// ```
    pub fn hold(&self) -> Hold<LockAcquire, Condition> {
        Hold {
            acquire: self.acquire(),
            primitive: self.clone(),
        }
    }
}
