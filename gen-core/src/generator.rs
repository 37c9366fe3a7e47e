//! The generator protocol: Python's generator object as a trait.

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
use core::pin::Pin;
use core::task::{Poll, Waker};

use crate::iter::Iter;
use crate::raw::exchange::Io;
use crate::state::misuse;
use crate::{GeneratorState, Status};

/// The last argument of the hidden protocol methods. It is `pub` so that it can appear in
/// a public trait, in a private module so that code outside this crate can neither name
/// nor make it: those methods can then be neither called nor overridden from outside.
pub struct Sealed(());

impl Sealed {
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn new() -> Sealed {
        Sealed(())
    }
}

/// A resumable computation that yields values of type [`Yield`](Generator::Yield), receives
/// values of type `S` at each yield, and finally returns a [`Return`](Generator::Return).
///
/// This is Python's generator object: [`start`](Generator::start) is `next(g)` on a fresh
/// generator, [`resume`](Generator::resume) is `g.send(v)`, [`close`](Generator::close) is
/// `g.close()`, [`status`](Generator::status) is `inspect.getgeneratorstate(g)`, and
/// [`throw`](Generator::throw) is `g.throw(e)` for generators whose send type is a `Result`.
///
/// Every method that runs the generator takes `Pin<&mut Self>`: a generator made by
/// `#[generator]` may hold borrows of its own locals across a yield, so it must stay where it
/// is once started. Pin it on the stack with [`core::pin::pin!`] or on the heap with
/// [`Box::pin`](alloc::boxed::Box::pin) (then call methods through `.as_mut()`).
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorState::*};
///
/// #[generator(yield = f64, send = f64)]
/// fn averager() -> f64 {
///     let (mut sum, mut n, mut avg) = (0.0, 0.0, 0.0);
///     loop {
///         let x = yield_!(avg);
///         if x < 0.0 {
///             return avg;
///         }
///         sum += x;
///         n += 1.0;
///         avg = sum / n;
///     }
/// }
///
/// let mut avg = std::pin::pin!(averager());
/// assert_eq!(avg.as_mut().start(), Yielded(0.0));
/// assert_eq!(avg.as_mut().resume(10.0), Yielded(10.0));
/// assert_eq!(avg.as_mut().resume(30.0), Yielded(20.0));
/// assert_eq!(avg.as_mut().resume(-1.0), Complete(20.0));
/// ```
///
/// # Misuse
/// Resuming a generator that has not started (Python: "can't send non-None value to a
/// just-started generator"), starting one twice, and starting or resuming one that is
/// [`Closed`](Status::Closed) all panic with a message that says what to call instead. The
/// panic happens before anything is touched: the generator stays as it was.
#[must_use = "a generator does nothing until started (a coroutine: until awaited, run or spawned)"]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a generator that is sent `{S}`",
    label = "needs a generator whose send type is `{S}`",
    note = "a #[generator] fn's send type is its `send = ..` (`()` when it has none); iterating \
            (`iter()`, `for`, `IntoIter`) needs `send = ()`, a generator of another send type \
            is driven with `start` and `resume`"
)]
pub trait Generator<S = ()> {
    /// The type of the values handed out by `yield_!`: `#[generator(yield = Y)]`.
    ///
    /// ```
    /// use cogen::{Generator, generator, yield_};
    ///
    /// #[generator(yield = char)]
    /// fn letters() {
    ///     yield_!('a');
    /// }
    ///
    /// fn first<G: Generator<Yield = char>>(g: std::pin::Pin<&mut G>) -> Option<char> {
    ///     g.start().yielded()
    /// }
    /// assert_eq!(first(std::pin::pin!(letters())), Some('a'));
    /// ```
    type Yield;
    /// The type of the value the generator completes with: the function's written return
    /// type (Python's `StopIteration.value`).
    ///
    /// ```
    /// use cogen::{Generator, generator, yield_};
    ///
    /// #[generator(yield = u32)]
    /// fn counted() -> &'static str {
    ///     yield_!(1);
    ///     "done"
    /// }
    ///
    /// fn run_to_end<G: Generator>(mut g: std::pin::Pin<&mut G>) -> G::Return {
    ///     let mut state = g.as_mut().start();
    ///     loop {
    ///         match state {
    ///             cogen::GeneratorState::Yielded(_) => state = g.as_mut().resume(()),
    ///             cogen::GeneratorState::Complete(value) => return value,
    ///         }
    ///     }
    /// }
    /// assert_eq!(run_to_end(std::pin::pin!(counted())), "done");
    /// ```
    type Return;

    /// Run a fresh generator up to its first `yield_!` (Python: `next(g)` on a new generator).
    ///
    /// ```
    /// use cogen::{Generator, GeneratorState, Status, generator, yield_};
    ///
    /// #[generator(yield = u32)]
    /// fn two() {
    ///     yield_!(1);
    ///     yield_!(2);
    /// }
    ///
    /// let mut g = std::pin::pin!(two());
    /// assert_eq!(g.status(), Status::Created);
    /// assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
    /// assert_eq!(g.status(), Status::Suspended);
    /// ```
    ///
    /// # Panics
    /// If the generator has already started or is closed.
    fn start(self: Pin<&mut Self>) -> GeneratorState<Self::Yield, Self::Return>;

    /// Deliver `arg` as the value of the suspended `yield_!` and run to the next one
    /// (Python: `g.send(arg)`).
    ///
    /// # Panics
    /// If the generator has not started yet (call [`start`](Generator::start) first) or is
    /// closed. A panic in the generator's body propagates out of `resume`; the generator is
    /// then closed and its live locals have been dropped.
    ///
    /// ```
    /// use cogen::{Generator, GeneratorState, generator, yield_};
    ///
    /// #[generator(yield = u32, send = u32)]
    /// fn adder() -> u32 {
    ///     let mut total = 0;
    ///     loop {
    ///         let x = yield_!(total);
    ///         if x == 0 {
    ///             return total;
    ///         }
    ///         total += x;
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(adder());
    /// assert_eq!(g.as_mut().start(), GeneratorState::Yielded(0));
    /// assert_eq!(g.as_mut().resume(5), GeneratorState::Yielded(5));
    /// assert_eq!(g.as_mut().resume(7), GeneratorState::Yielded(12));
    /// assert_eq!(g.as_mut().resume(0), GeneratorState::Complete(12));
    /// ```
    fn resume(self: Pin<&mut Self>, arg: S) -> GeneratorState<Self::Yield, Self::Return>;

    /// Finish early (Python: `g.close()`): drop the generator's live state in place, running
    /// destructors innermost first, as leaving a scope would. On a generator that has not
    /// started it drops the captured arguments and runs no body code; on a closed generator
    /// it does nothing. Afterwards the status is [`Closed`](Status::Closed).
    ///
    /// Python's "generator ignored GeneratorExit" cannot happen: closing is dropping, and a
    /// destructor cannot yield. For cleanup that runs the body's own code, see
    /// [`close_gracefully`](Generator::close_gracefully).
    ///
    /// ```
    /// use std::cell::Cell;
    /// use cogen::{Generator, Status, generator, yield_};
    ///
    /// struct Log<'a>(&'a Cell<u32>);
    /// impl Drop for Log<'_> {
    ///     fn drop(&mut self) {
    ///         self.0.set(self.0.get() + 1);
    ///     }
    /// }
    ///
    /// #[generator(yield = u32)]
    /// fn guarded(drops: &Cell<u32>) {
    ///     let _guard = Log(drops);
    ///     loop {
    ///         yield_!(1);
    ///     }
    /// }
    ///
    /// let drops = Cell::new(0);
    /// let mut g = std::pin::pin!(guarded(&drops));
    /// g.as_mut().start();
    /// g.as_mut().close(); // the guard, alive at the yield, is dropped now
    /// assert_eq!((drops.get(), g.status()), (1, Status::Closed));
    /// g.as_mut().close(); // closing again does nothing
    /// assert_eq!(drops.get(), 1);
    /// ```
    fn close(self: Pin<&mut Self>);

    /// Where the generator is: created, suspended at a yield, or closed (Python's
    /// `inspect.getgeneratorstate`, without `GEN_RUNNING`: a running generator is mutably
    /// borrowed, so no one can ask).
    ///
    /// ```
    /// use cogen::{Generator, Status, generator, yield_};
    ///
    /// #[generator(yield = u32)]
    /// fn once() {
    ///     yield_!(1);
    /// }
    ///
    /// let mut g = std::pin::pin!(once());
    /// assert_eq!(g.status(), Status::Created);
    /// g.as_mut().start();
    /// assert_eq!(g.status(), Status::Suspended);
    /// g.as_mut().resume(());
    /// assert_eq!(g.status(), Status::Closed);
    /// ```
    fn status(&self) -> Status;

    /// Iterate a pinned generator in place, without allocating: each `next` starts or
    /// resumes it and returns the yielded value; once it completes, the return value is
    /// kept for [`Iter::take_return`]. The iterator is fused.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator};
    ///
    /// #[generator(yield = u32)]
    /// fn countdown(n: u32) {
    ///     for i in (1..=n).rev() {
    ///         yield_!(i);
    ///     }
    /// }
    ///
    /// assert_eq!(std::pin::pin!(countdown(3)).iter().sum::<u32>(), 6);
    /// ```
    ///
    /// For a generator behind `dyn` (which `iter` cannot take by type), use
    /// [`Iter::new`]: `Iter::new(boxed.as_mut())`.
    fn iter(self: Pin<&mut Self>) -> Iter<'_, Self>
    where
        Self: Generator<()> + Sized,
    {
        Iter {
            generator: self,
            returned: None,
        }
    }

    /// Throw an error in at the suspended `yield_!` (Python: `g.throw(e)`), for generators
    /// declared with `send = Result<T, E>`: the same as `resume(Err(error))`. The body sees
    /// `Err(error)` as the value of `yield_!`; `yield_!(v)?` propagates it, a `match` catches it.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator, GeneratorState::*};
    ///
    /// #[generator(yield = u32, send = Result<u32, String>)]
    /// fn total() -> Result<u32, String> {
    ///     let mut sum = 0;
    ///     loop {
    ///         sum += yield_!(sum)?;
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(total());
    /// let _ = g.as_mut().start();
    /// assert_eq!(g.as_mut().resume(Ok(5)), Yielded(5));
    /// assert_eq!(g.as_mut().throw("stop".to_string()), Complete(Err("stop".to_string())));
    /// ```
    ///
    /// # Panics
    /// If the generator is not suspended at a yield: it has not started (Python would raise
    /// the error in the caller and close the generator; here the generator is left as it
    /// was), or it is closed. A panic in the body propagates as with
    /// [`resume`](Generator::resume).
    #[track_caller]
    fn throw(
        self: Pin<&mut Self>,
        error: <S as Throwable>::Error,
    ) -> GeneratorState<Self::Yield, Self::Return>
    where
        S: Throwable,
    {
        if self.status() != Status::Suspended {
            misuse("throw into", self.status());
        }
        self.resume(S::from_error(error))
    }

    /// One step, as Python's `g.send(value)`: the step a scheduler loop makes without
    /// looking at the generator first. `None` starts a fresh generator (Python:
    /// `g.send(None)`), `Some(value)` resumes a suspended one with `value`; a closed
    /// generator answers `None` (Python raises `StopIteration` again) instead of panicking.
    /// The step that completes the generator is `Some(Complete(r))`, once; every call after
    /// it is `None`.
    ///
    /// | status | `send(None)` | `send(Some(v))` |
    /// |---|---|---|
    /// | [`Created`](Status::Created) | `Some(start())` | panics: nothing waits for `v` |
    /// | [`Suspended`](Status::Suspended) | panics: the yield waits for a value | `Some(resume(v))` |
    /// | [`Closed`](Status::Closed) | `None` | `None` (`v` is dropped) |
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator, GeneratorState::*};
    ///
    /// #[generator(yield = u32, send = u32)]
    /// fn doubler() -> &'static str {
    ///     let mut x = yield_!(0);
    ///     while x != 0 {
    ///         x = yield_!(2 * x);
    ///     }
    ///     "done"
    /// }
    ///
    /// let mut g = std::pin::pin!(doubler());
    /// assert_eq!(g.as_mut().send(None), Some(Yielded(0)));
    /// assert_eq!(g.as_mut().send(Some(21)), Some(Yielded(42)));
    /// assert_eq!(g.as_mut().send(Some(0)), Some(Complete("done")));
    /// assert_eq!(g.as_mut().send(Some(5)), None); // closed: Python's StopIteration
    /// ```
    ///
    /// For a generator whose send type is `()` (or any `Default`, such as `Option<T>`),
    /// [`advance`](Generator::advance) is the same step without an argument.
    ///
    /// # Panics
    /// `send(Some(v))` on a generator that has not started: no `yield_!` is waiting for `v`
    /// (Python: "can't send non-None value to a just-started generator"). `v` is not
    /// delivered, the generator stays as it was. `send(None)` on a suspended generator:
    /// its `yield_!` waits for a value of the send type and `None` is not one (Python would
    /// deliver `None`; use [`advance`](Generator::advance) to send the default value). A
    /// panic in the body propagates as with [`resume`](Generator::resume).
    #[inline]
    #[track_caller]
    fn send(
        self: Pin<&mut Self>,
        value: Option<S>,
    ) -> Option<GeneratorState<Self::Yield, Self::Return>> {
        match (self.status(), &value) {
            (Status::Created, None) | (Status::Suspended, Some(_)) => {
                Some(self.__cogen_step(value, Sealed::new()))
            }
            (Status::Closed, _) => None,
            (Status::Created, Some(_)) => send_refused(),
            (Status::Suspended, None) => send_missing(),
        }
    }

    /// One step without a value, as Python's `next(g)`: starts a fresh generator, resumes a
    /// suspended one with `S::default()` (for `send = ()`, the only value there is), and
    /// answers `None` for a closed one instead of panicking. The same as
    /// [`send`](Generator::send) with the default value.
    ///
    /// A round-robin scheduler, as in David Beazley's "pyos": each task runs one step per
    /// turn; a task that finished leaves the queue.
    ///
    /// ```
    /// use std::collections::VecDeque;
    /// use std::pin::Pin;
    /// use cogen::{generator, yield_, Generator, GeneratorState::*};
    ///
    /// #[generator(yield = String)]
    /// fn task(name: &'static str, steps: u32) -> &'static str {
    ///     for i in 0..steps {
    ///         yield_!(format!("{name} {i}"));
    ///     }
    ///     name
    /// }
    ///
    /// type Task = Pin<Box<dyn Generator<Yield = String, Return = &'static str>>>;
    /// let mut ready: VecDeque<Task> = VecDeque::from([
    ///     Box::pin(task("foo", 2)) as Task,
    ///     Box::pin(task("bar", 1)),
    /// ]);
    /// let mut log = vec![];
    /// while let Some(mut t) = ready.pop_front() {
    ///     match t.as_mut().advance() {
    ///         Some(Yielded(line)) => {
    ///             log.push(line);
    ///             ready.push_back(t);
    ///         }
    ///         Some(Complete(name)) => log.push(format!("{name} done")),
    ///         None => unreachable!("a finished task leaves the queue"),
    ///     }
    /// }
    /// assert_eq!(log, ["foo 0", "bar 0", "foo 1", "bar done", "foo done"]);
    /// ```
    ///
    /// # Panics
    /// Only if the body panics (as with [`resume`](Generator::resume)).
    #[inline]
    #[track_caller]
    fn advance(self: Pin<&mut Self>) -> Option<GeneratorState<Self::Yield, Self::Return>>
    where
        S: Default,
    {
        match self.status() {
            Status::Created => Some(self.__cogen_step(None, Sealed::new())),
            Status::Suspended => Some(self.__cogen_step(Some(S::default()), Sealed::new())),
            Status::Closed => None,
        }
    }

    /// Close the generator the way Python's `close()` does: deliver
    /// `Err(GeneratorExit)` at the suspended `yield_!` and let the body run its own cleanup
    /// to completion (flush what it holds, say goodbye, close what it writes to), for
    /// generators whose send type can carry it (`send = Result<T, E>` with
    /// `E: From<GeneratorExit>`). Returns the body's return value.
    ///
    /// A generator that has not started is closed without running any body code, and a
    /// closed one is left as it is: both return `None`. While delegating, the innermost
    /// generator receives the `GeneratorExit` first (PEP 380), as any thrown error.
    /// [`close`](Generator::close) stays what it was: a drop, no body code.
    ///
    /// Unlike Python, a delegate that *returns* on the `GeneratorExit` (instead of passing
    /// the error on) does not close its delegator: `yield_from!` evaluates to what it
    /// returned and the delegator goes on, as after a [`throw`](Generator::throw) the
    /// delegate caught (PEP 380 raises `GeneratorExit` in the delegator at that point;
    /// `yield_from!`'s value has no error to raise it as). To close a whole chain, the
    /// delegate returns the error and the delegator passes it on, as in
    /// `yield_from!(stage())?`; a delegator that yields again instead panics as below.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator, GeneratorExit};
    ///
    /// #[derive(Debug)]
    /// struct Exit;
    /// impl From<GeneratorExit> for Exit {
    ///     fn from(_: GeneratorExit) -> Exit { Exit }
    /// }
    ///
    /// /// Collects lines into pages of two; on close, hands out the partial page.
    /// #[generator(yield = Vec<String>, send = Result<String, Exit>)]
    /// fn pager() -> Vec<String> {
    ///     let mut page = Vec::new();
    ///     loop {
    ///         match yield_!(Vec::new()) {
    ///             Ok(line) => {
    ///                 page.push(line);
    ///                 if page.len() == 2 {
    ///                     page.clear(); // a full page goes out elsewhere
    ///                 }
    ///             }
    ///             Err(Exit) => return page, // flush on close
    ///         }
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(pager());
    /// let _ = g.as_mut().start();
    /// for line in ["a", "b", "c"] {
    ///     let _ = g.as_mut().resume(Ok(line.to_string()));
    /// }
    /// assert_eq!(g.as_mut().close_gracefully(), Some(vec!["c".to_string()]));
    /// ```
    ///
    /// # Panics
    /// If the body yields again instead of finishing (Python: "generator ignored
    /// GeneratorExit"): the generator is then closed by drop, and the value it yielded is
    /// dropped with the panic. A panic in the body propagates as with `resume`.
    #[track_caller]
    fn close_gracefully(mut self: Pin<&mut Self>) -> Option<Self::Return>
    where
        S: Throwable,
        S::Error: From<GeneratorExit>,
    {
        match self.status() {
            Status::Created => {
                self.close();
                None
            }
            Status::Closed => None,
            Status::Suspended => match self.as_mut().resume(S::from_error(GeneratorExit.into())) {
                GeneratorState::Complete(value) => Some(value),
                GeneratorState::Yielded(_) => {
                    self.close();
                    ignored_generator_exit()
                }
            },
        }
    }

    /// One step from outside: `start` when `sent` is `None`, else `resume`. Not part of the
    /// public API (sealed: it cannot be called or overridden outside cogen): iteration
    /// calls it so that the body is entered through one call site.
    #[doc(hidden)]
    #[track_caller]
    fn __cogen_step(
        self: Pin<&mut Self>,
        sent: Option<S>,
        _: Sealed,
    ) -> GeneratorState<Self::Yield, Self::Return> {
        match sent {
            None => self.start(),
            Some(arg) => self.resume(arg),
        }
    }

    /// One step of iteration: start a fresh generator, resume a suspended one with `sent`;
    /// the yielded value, or `None` once the generator is done, its return value then put
    /// in `returned`. Not part of the public API (sealed): iterators and streams over a
    /// generator call it, so that the body is entered through one call site, and a
    /// generator of `#[generator]` runs it without a copy of this code per generator in a
    /// debug build.
    #[doc(hidden)]
    #[track_caller]
    fn __cogen_next(
        self: Pin<&mut Self>,
        sent: S,
        returned: &mut Option<Self::Return>,
        _: Sealed,
    ) -> Option<Self::Yield> {
        let sent = match self.status() {
            Status::Created => None,
            Status::Suspended => Some(sent),
            Status::Closed => return None,
        };
        match self.__cogen_step(sent, Sealed::new()) {
            GeneratorState::Yielded(value) => Some(value),
            GeneratorState::Complete(value) => {
                *returned = Some(value);
                None
            }
        }
    }

    /// Drive one step on behalf of a delegating generator. Not part of the public API
    /// (sealed: it cannot be called or overridden outside cogen): `yield_from!` calls it so
    /// that a chain of generators shares one exchange area (and one trampoline) instead of
    /// copying every value through each level. `waker` is the waker of whoever drives the
    /// outermost generator (`Waker::noop()` for `start` and `resume`).
    #[doc(hidden)]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Self::Yield, S>,
        waker: &Waker,
        _: Sealed,
    ) -> Poll<Self::Return> {
        let _ = waker;
        let step = match io.take_sent() {
            Some(arg) => self.resume(arg),
            None => self.start(),
        };
        match step {
            GeneratorState::Yielded(value) => {
                io.put_yielded(value);
                Poll::Pending
            }
            GeneratorState::Complete(value) => Poll::Ready(value),
        }
    }
}

/// What [`Generator::close_gracefully`] delivers at the suspended `yield_!` (Python's
/// `GeneratorExit`): a generator that can receive it (`send = Result<T, E>` with
/// `E: From<GeneratorExit>`) runs its cleanup and returns.
///
/// ```
/// use cogen::GeneratorExit;
/// assert_eq!(format!("{GeneratorExit}"), "GeneratorExit");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GeneratorExit;

impl core::fmt::Display for GeneratorExit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("GeneratorExit")
    }
}

impl core::error::Error for GeneratorExit {}

#[cold]
#[inline(never)]
#[track_caller]
fn ignored_generator_exit() -> ! {
    panic!(
        "generator ignored GeneratorExit: `close_gracefully` delivered it at a `yield_!` and \
         the body yielded again instead of finishing (if a `yield_from!` delegate took it and \
         returned, its delegator went on with the value: return the error from the delegate \
         and pass it on with `?` to close the chain); the generator was closed by drop"
    )
}

/// `send(Some(v))` on a generator that has not started. Free and cold: the generator is
/// never handed to it.
#[cold]
#[inline(never)]
#[track_caller]
fn send_refused() -> ! {
    panic!(
        "cannot send a value into a generator that has not started: no `yield_!` is waiting \
         for it (Python: can't send non-None value to a just-started generator); start it \
         with `send(None)` (or `start()`) first; the value was not delivered"
    )
}

/// `send(None)` on a suspended generator.
#[cold]
#[inline(never)]
#[track_caller]
fn send_missing() -> ! {
    panic!(
        "cannot send `None` into a suspended generator: its `yield_!` waits for a value of \
         the send type; send `Some(value)` (or call `advance()` to send the default value)"
    )
}

/// A value `yield_from!` can delegate to by first turning it into a generator, as Python's
/// `await x` calls `x.__await__()`: the [`asyncio`](crate::asyncio) `Future` and `Task`
/// handles are awaited this way (`yield_from!(&task)`).
///
/// ```
/// use cogen::{generator, yield_, yield_from, Generator, IntoGenerator};
///
/// /// A countdown that is not itself a generator, but makes one.
/// struct Countdown(u32);
///
/// #[generator(yield = u32)]
/// fn count(from: u32) -> &'static str {
///     for i in (1..=from).rev() {
///         yield_!(i);
///     }
///     "liftoff"
/// }
///
/// impl IntoGenerator for Countdown {
///     type Yield = u32;
///     type Return = &'static str;
///     type IntoGen = std::pin::Pin<Box<dyn Generator<Yield = u32, Return = &'static str>>>;
///     fn into_generator(self) -> Self::IntoGen {
///         Box::pin(count(self.0))
///     }
/// }
///
/// #[generator(yield = u32)]
/// fn launch() -> &'static str {
///     yield_from!(Countdown(2))
/// }
///
/// let mut g = std::pin::pin!(launch());
/// assert_eq!(g.as_mut().start().yielded(), Some(2));
/// assert_eq!(g.as_mut().resume(()).yielded(), Some(1));
/// assert_eq!(g.as_mut().resume(()).complete(), Some("liftoff"));
/// ```
pub trait IntoGenerator<S = ()> {
    /// The yield type of the generator made.
    type Yield;
    /// The return type of the generator made: the value of `yield_from!`.
    type Return;
    /// The generator made.
    type IntoGen: Generator<S, Yield = Self::Yield, Return = Self::Return>;
    /// Make the generator (Python: `__iter__` for `yield from`, `__await__` for `await`).
    /// `yield_from!(x)` calls it; so can a hand-written driver. An asyncio
    /// [`Future`](crate::asyncio::Future) makes the awaitable that waits for it:
    ///
    /// ```
    /// use cogen::{Generator, IntoGenerator};
    /// use cogen::asyncio::{EventLoop, Future};
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let fut: Future<u32> = lp.create_future();
    /// fut.set_result(3).unwrap();
    /// let mut wait = std::pin::pin!(fut.into_generator());
    /// assert_eq!(wait.as_mut().start().complete(), Some(Ok(3))); // done: no suspension
    /// ```
    fn into_generator(self) -> Self::IntoGen;
}

/// A send type that can carry an error, so that [`Generator::throw`] can deliver one.
///
/// Implemented for `Result<T, E>`; implement it for your own send enum to give it `throw`.
///
/// ```
/// use cogen::Throwable;
/// let sent: Result<u8, &str> = Throwable::from_error("boom");
/// assert_eq!(sent, Err("boom"));
/// ```
#[diagnostic::on_unimplemented(
    message = "cannot throw into a generator whose send type is `{Self}`: it has no way to carry an error",
    label = "`throw` needs a send type that can carry an error",
    note = "declare the generator with `send = Result<T, E>` (`throw(e)` then sends `Err(e)`, \
            which the body sees as the value of `yield_!`), or implement `cogen::Throwable` \
            for your own send type"
)]
pub trait Throwable {
    /// The error that [`Generator::throw`] takes.
    type Error;
    /// Wrap an error as a value to send.
    ///
    /// A send enum of your own can carry an error too:
    ///
    /// ```
    /// use cogen::{Generator, Throwable, generator, yield_};
    ///
    /// #[derive(Debug, PartialEq)]
    /// enum Command {
    ///     Push(u32),
    ///     Abort(&'static str),
    /// }
    ///
    /// impl Throwable for Command {
    ///     type Error = &'static str;
    ///     fn from_error(error: &'static str) -> Command {
    ///         Command::Abort(error)
    ///     }
    /// }
    ///
    /// #[generator(yield = u32, send = Command)]
    /// fn stack() -> Result<u32, &'static str> {
    ///     let mut total = 0;
    ///     loop {
    ///         match yield_!(total) {
    ///             Command::Push(x) => total += x,
    ///             Command::Abort(why) => return Err(why),
    ///         }
    ///     }
    /// }
    ///
    /// let mut g = std::pin::pin!(stack());
    /// g.as_mut().start();
    /// g.as_mut().resume(Command::Push(2));
    /// assert_eq!(g.as_mut().throw("stop").complete(), Some(Err("stop")));
    /// ```
    fn from_error(error: Self::Error) -> Self;
}

impl<T, E> Throwable for Result<T, E> {
    type Error = E;
    fn from_error(error: E) -> Self {
        Err(error)
    }
}

/// The methods a pinned pointer forwards unchanged to the generator it points to.
macro_rules! forward_to_target {
    () => {
        type Yield = G::Yield;
        type Return = G::Return;

        #[inline]
        #[track_caller]
        fn start(self: Pin<&mut Self>) -> GeneratorState<Self::Yield, Self::Return> {
            self.get_mut().as_mut().start()
        }

        #[inline]
        #[track_caller]
        fn resume(self: Pin<&mut Self>, arg: S) -> GeneratorState<Self::Yield, Self::Return> {
            self.get_mut().as_mut().resume(arg)
        }

        #[inline]
        fn close(self: Pin<&mut Self>) {
            self.get_mut().as_mut().close()
        }

        #[inline]
        fn status(&self) -> Status {
            (**self).status()
        }

        #[inline]
        #[track_caller]
        fn __cogen_step(
            self: Pin<&mut Self>,
            sent: Option<S>,
            sealed: Sealed,
        ) -> GeneratorState<Self::Yield, Self::Return> {
            self.get_mut().as_mut().__cogen_step(sent, sealed)
        }

        #[inline]
        #[track_caller]
        fn __cogen_next(
            self: Pin<&mut Self>,
            sent: S,
            returned: &mut Option<Self::Return>,
            sealed: Sealed,
        ) -> Option<Self::Yield> {
            self.get_mut().as_mut().__cogen_next(sent, returned, sealed)
        }
    };
}

/// A generator borrowed through `Pin<&mut G>` is a generator: it can be driven, and
/// delegated to with `yield_from!` without giving it up.
///
/// ```
/// use cogen::{generator, yield_, yield_from, Generator};
/// use std::pin::{pin, Pin};
///
/// #[generator(yield = u32)]
/// fn numbers() { yield_!(1); yield_!(2); yield_!(3); }
///
/// #[generator(yield = u32)]
/// fn first_of(numbers: Pin<&mut dyn Generator<Yield = u32, Return = ()>>) {
///     yield_from!(numbers);
/// }
///
/// let mut g = pin!(numbers());
/// let mut first = Box::pin(first_of(g.as_mut()));
/// assert_eq!(first.as_mut().start().yielded(), Some(1));
/// drop(first); // the delegator goes; the borrowed generator stays suspended, and ours
/// assert_eq!(g.as_mut().resume(()).yielded(), Some(2));
/// ```
impl<G: Generator<S> + ?Sized, S> Generator<S> for Pin<&mut G> {
    forward_to_target!();

    #[inline]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Self::Yield, S>,
        waker: &Waker,
        sealed: Sealed,
    ) -> Poll<Self::Return> {
        // The delegator does not own a borrowed generator, so the boxed delegations inside
        // it must not move onto the delegator's trampoline: the generator must stay whole
        // when the delegator is dropped. It runs its own trampoline instead.
        io.without_trampoline(|io| self.get_mut().as_mut().__cogen_poll(io, waker, sealed))
    }
}

/// A boxed generator is a generator, also behind `dyn`:
/// `Pin<Box<dyn Generator<S, Yield = Y, Return = R>>>` can be driven, delegated to with
/// `yield_from!`, and stored in collections of trait objects.
///
/// ```
/// use std::pin::Pin;
/// use cogen::{generator, yield_, Generator};
///
/// #[generator(yield = u32)]
/// fn two() { yield_!(1); yield_!(2); }
///
/// let mut boxed: Pin<Box<dyn Generator<Yield = u32, Return = ()>>> = Box::pin(two());
/// assert_eq!(boxed.as_mut().start().yielded(), Some(1));
/// assert_eq!(cogen::Iter::new(boxed.as_mut()).collect::<Vec<_>>(), [2]);
/// ```
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl<G: Generator<S> + ?Sized, S> Generator<S> for Pin<Box<G>> {
    forward_to_target!();

    #[inline]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<Self::Yield, S>,
        waker: &Waker,
        sealed: Sealed,
    ) -> Poll<Self::Return> {
        self.get_mut().as_mut().__cogen_poll(io, waker, sealed)
    }
}
