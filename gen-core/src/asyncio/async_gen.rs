//! PEP 525 asynchronous generators, the way CPython makes them: an async generator is a
//! generator whose yields are wrapped, so that the driver can tell the items it hands out
//! (`yield_!(item)`) from the awaits it makes (`yield_from!(awaitable)`, which yield
//! [`Suspend`]s to the task).
//!
//! The body of `#[asyncio::async_generator(yield = Y, send = S)] fn f() -> Result<(), E>` is
//! a generator with yield type [`Yielded<Y>`](private::Yielded) and send type
//! [`Sent<S, E>`](private::Sent): `yield_!(item)` yields `Yielded::Item(item)` and evaluates
//! to the `Sent::Reply` it is resumed with; `yield_from!(awaitable)` delegates to
//! [`Wrap`](private::Wrap), which forwards the awaitable's `Suspend`s as `Yielded::Suspend`
//! and hands it the task's `Sent::Resume`. The awaitables of the handle ([`AsyncGen::anext`],
//! ...) step the body: they yield its `Suspend`s to their own task (so cancellation reaches
//! the body at its await) and complete at its next item, or when it returns.

use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::RefCell;
use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;

use super::{AsyncError, Cancelled, Resume, Suspend};
use crate::state::misuse;
use crate::{Generator, GeneratorExit, GeneratorState, IntoGenerator, Status};

type Body<Y, S, E> = Pin<
    Box<dyn Generator<private::Sent<S, E>, Yield = private::Yielded<Y>, Return = Result<(), E>>>,
>;

/// What awaiting an [`AsyncGen`]'s step can fail with (Python: `StopAsyncIteration`, or the
/// exception the body raised).
///
/// ```
/// use cogen::asyncio::{AsyncError, AsyncGenError, Cancelled};
///
/// let stop: AsyncGenError<Cancelled> = AsyncGenError::StopAsyncIteration;
/// assert!(!stop.is_cancelled());
/// assert!(AsyncGenError::Raised(Cancelled).is_cancelled());
/// assert!(AsyncGenError::<Cancelled>::from(Cancelled).is_cancelled());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AsyncGenError<E> {
    /// The body has returned (or was closed): there are no more items.
    StopAsyncIteration,
    /// The body returned this error.
    Raised(E),
}

impl<E: fmt::Display> fmt::Display for AsyncGenError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsyncGenError::StopAsyncIteration => f.write_str("StopAsyncIteration"),
            AsyncGenError::Raised(error) => error.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for AsyncGenError<E> {}

impl<E: From<Cancelled>> From<Cancelled> for AsyncGenError<E> {
    fn from(cancelled: Cancelled) -> Self {
        AsyncGenError::Raised(E::from(cancelled))
    }
}

/// `Raised(e)` is a cancellation when `e` is: a coroutine awaiting `anext()` may return the
/// error as it is, and its task is then cancelled.
impl<E: AsyncError> AsyncError for AsyncGenError<E> {
    fn is_cancelled(&self) -> bool {
        matches!(self, AsyncGenError::Raised(error) if error.is_cancelled())
    }
}

/// An asynchronous generator (Python's `async_generator` object), made by calling a
/// `#[asyncio::async_generator(yield = Y, send = S)] fn f(..) -> Result<(), E>`.
///
/// Its steps are awaitables: [`anext`](AsyncGen::anext), [`asend`](AsyncGen::asend),
/// [`athrow`](AsyncGen::athrow) (each completes with the next item, or
/// [`AsyncGenError::StopAsyncIteration`] once the body has returned, or
/// [`AsyncGenError::Raised`] when it failed) and [`aclose`](AsyncGen::aclose). The handle is
/// an `Rc`: clones share the one generator. Only one step may run at a time: starting a
/// second while one is suspended in an await panics ("asynchronous generator is already
/// running"). A step dropped while suspended (its task was dropped) closes the generator.
/// A generator dropped without [`aclose`](AsyncGen::aclose) (say, after a `break` out of
/// its items) is dropped, not closed: its body's code after the `yield_!` it is suspended at
/// does not run (Python's `asyncio.run` closes the async generators left at its end, which
/// runs that code); call `aclose()` where the cleanup matters.
///
/// ```
/// use std::time::Duration;
/// use cogen::{yield_, yield_from};
/// use cogen::asyncio::{self, AsyncError, AsyncGenError, Cancelled, GeneratorExit};
///
/// #[derive(Debug, Clone, PartialEq)]
/// enum Error { Cancelled, Exit }
/// impl From<Cancelled> for Error { fn from(_: Cancelled) -> Self { Error::Cancelled } }
/// impl From<GeneratorExit> for Error { fn from(_: GeneratorExit) -> Self { Error::Exit } }
/// impl AsyncError for Error { fn is_cancelled(&self) -> bool { *self == Error::Cancelled } }
///
/// #[asyncio::async_generator(yield = u32)]
/// fn ticks(n: u32) -> Result<(), Error> {
///     for i in 0..n {
///         yield_from!(asyncio::sleep(Duration::from_millis(10)))?;
///         yield_!(i)?;
///     }
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn demo() -> Result<Vec<u32>, AsyncGenError<Error>> {
///     let agen = ticks(3);
///     let mut all = Vec::new();
///     loop {
///         match yield_from!(agen.anext()) {
///             Ok(i) => all.push(i),
///             Err(AsyncGenError::StopAsyncIteration) => return Ok(all),
///             Err(error) => return Err(error),
///         }
///     }
/// }
///
/// let lp = asyncio::EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(demo()), Ok(vec![0, 1, 2]));
/// assert_eq!(lp.time(), Duration::from_millis(30));
/// ```
pub struct AsyncGen<Y, S, E> {
    state: Rc<RefCell<State<Y, S, E>>>,
}

struct State<Y, S, E> {
    /// `None` while a step runs it (the step holds it) and once it is finished.
    body: Option<Body<Y, S, E>>,
    running: bool,
}

impl<Y, S, E> Clone for AsyncGen<Y, S, E> {
    fn clone(&self) -> Self {
        AsyncGen {
            state: self.state.clone(),
        }
    }
}

impl<Y, S, E> fmt::Debug for AsyncGen<Y, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGen")
            .field("status", &self.status())
            .field("running", &self.state.borrow().running)
            .finish()
    }
}

impl<Y, S, E> AsyncGen<Y, S, E> {
    /// Where the body is: [`Created`](Status::Created) (no step yet), [`Suspended`](Status::Suspended)
    /// (at an item, or in an await of a running step), or [`Closed`](Status::Closed)
    /// (returned, failed or closed).
    ///
    /// ```
    /// use cogen::yield_;
    /// use cogen::{Status, asyncio::{self, Cancelled}};
    /// # #[derive(Debug, Clone, PartialEq)] struct E;
    /// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E } }
    /// # impl From<asyncio::GeneratorExit> for E { fn from(_: asyncio::GeneratorExit) -> Self { E } }
    /// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
    ///
    /// #[asyncio::async_generator(yield = u8)]
    /// fn one() -> Result<(), E> {
    ///     yield_!(1)?;
    ///     Ok(())
    /// }
    /// assert_eq!(one().status(), Status::Created);
    /// ```
    pub fn status(&self) -> Status {
        let state = self.state.borrow();
        match &state.body {
            _ if state.running => Status::Suspended,
            Some(body) => body.status(),
            None => Status::Closed,
        }
    }
}

impl<Y: 'static, S: 'static, E: AsyncError + From<GeneratorExit> + 'static> AsyncGen<Y, S, E> {
    /// Python's `anext(agen)` (`agen.asend(None)`): run the body to its next item. On a
    /// fresh generator it starts the body; on a suspended one the `yield_!` evaluates to
    /// `Ok(S::default())`. Once the body has returned, every `anext` fails with
    /// [`AsyncGenError::StopAsyncIteration`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::{yield_, yield_from};
    /// use cogen::asyncio::{self, AsyncGenError, Cancelled, GeneratorExit};
    /// # #[derive(Debug, Clone, PartialEq)] struct E;
    /// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E } }
    /// # impl From<GeneratorExit> for E { fn from(_: GeneratorExit) -> Self { E } }
    /// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
    ///
    /// #[asyncio::async_generator(yield = u64)]
    /// fn ticker(n: u64) -> Result<(), E> {
    ///     for i in 0..n {
    ///         yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    ///         yield_!(i)?;
    ///     }
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn demo() -> Result<Vec<u64>, AsyncGenError<E>> {
    ///     let agen = ticker(2);
    ///     let mut seen = Vec::new();
    ///     loop {
    ///         match yield_from!(agen.anext()) {
    ///             Ok(i) => seen.push(i),
    ///             Err(AsyncGenError::StopAsyncIteration) => return Ok(seen),
    ///             Err(other) => return Err(other),
    ///         }
    ///     }
    /// }
    /// assert_eq!(asyncio::run(demo()), Ok(vec![0, 1]));
    /// ```
    ///
    /// # Panics
    /// When awaited while another step of the generator is running.
    pub fn anext(&self) -> Step<Y, S, E>
    where
        S: Default,
    {
        Step::new(self, Op::Next(S::default()), "anext")
    }

    /// Python's `agen.asend(value)`: resume the body's `yield_!` with `Ok(value)` and run it
    /// to its next item.
    ///
    /// ```
    /// use cogen::{yield_, yield_from};
    /// use cogen::asyncio::{self, AsyncGenError, Cancelled, GeneratorExit};
    /// # #[derive(Debug, Clone, PartialEq)] struct E;
    /// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E } }
    /// # impl From<GeneratorExit> for E { fn from(_: GeneratorExit) -> Self { E } }
    /// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
    ///
    /// #[asyncio::async_generator(yield = u32, send = u32)]
    /// fn doubler() -> Result<(), E> {
    ///     let mut x = yield_!(0)?;
    ///     loop {
    ///         x = yield_!(2 * x)?;
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn demo() -> Result<u32, AsyncGenError<E>> {
    ///     let agen = doubler();
    ///     yield_from!(agen.anext())?;
    ///     yield_from!(agen.asend(21))
    /// }
    /// assert_eq!(asyncio::run(demo()), Ok(42));
    /// ```
    ///
    /// # Panics
    /// When awaited while another step is running, or on a generator that has not started
    /// (Python: "can't send non-None value to a just-started async generator"; use
    /// [`anext`](AsyncGen::anext) first).
    pub fn asend(&self, value: S) -> Step<Y, S, E> {
        Step::new(self, Op::Send(value), "asend")
    }

    /// Python's `agen.athrow(error)`: the body's `yield_!` evaluates to `Err(error)`. If the
    /// body catches it and yields again, the step completes with that item; if it returns the
    /// error, with `Err(Raised(error))`. On a fresh generator the body never runs: the
    /// generator is closed and the step fails with `Raised(error)`; on a finished one it
    /// completes with `StopAsyncIteration`.
    ///
    /// ```
    /// use cogen::{yield_, yield_from};
    /// use cogen::asyncio::{self, AsyncGenError, Cancelled, GeneratorExit};
    /// # #[derive(Debug, Clone, PartialEq)] enum E { Other, Boom }
    /// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E::Other } }
    /// # impl From<GeneratorExit> for E { fn from(_: GeneratorExit) -> Self { E::Other } }
    /// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
    ///
    /// #[asyncio::async_generator(yield = &'static str)]
    /// fn guarded() -> Result<(), E> {
    ///     loop {
    ///         if yield_!("ok").is_err() {
    ///             yield_!("caught")?;
    ///         }
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn demo() -> Result<&'static str, AsyncGenError<E>> {
    ///     let agen = guarded();
    ///     yield_from!(agen.anext())?;
    ///     yield_from!(agen.athrow(E::Boom))
    /// }
    /// assert_eq!(asyncio::run(demo()), Ok("caught"));
    /// ```
    ///
    /// # Panics
    /// When awaited while another step is running.
    pub fn athrow(&self, error: E) -> Step<Y, S, E> {
        Step::new(self, Op::Throw(error), "athrow")
    }

    /// Python's `agen.aclose()`: the body's `yield_!` evaluates to
    /// `Err(E::from(GeneratorExit))`; the body may await its cleanup, then must return.
    /// Completes with `Ok(())` when it returns `Ok(())` or an error equal to
    /// `E::from(GeneratorExit)` (the usual `yield_!(x)?`), and with `Err(Raised(e))` when it
    /// fails with another error. A fresh or finished generator is just closed: `Ok(())`.
    ///
    /// ```
    /// use cogen::{yield_, yield_from};
    /// use cogen::asyncio::{self, AsyncGenError, Cancelled, GeneratorExit};
    /// # #[derive(Debug, Clone, PartialEq)] struct E;
    /// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E } }
    /// # impl From<GeneratorExit> for E { fn from(_: GeneratorExit) -> Self { E } }
    /// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
    ///
    /// #[asyncio::async_generator(yield = u8)]
    /// fn forever() -> Result<(), E> {
    ///     loop {
    ///         yield_!(1)?;
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn demo() -> Result<(), AsyncGenError<E>> {
    ///     let agen = forever();
    ///     yield_from!(agen.anext())?;
    ///     yield_from!(agen.aclose())?;
    ///     let next = yield_from!(agen.anext());
    ///     assert_eq!(next, Err(AsyncGenError::StopAsyncIteration));
    ///     Ok(())
    /// }
    /// assert_eq!(asyncio::run(demo()), Ok(()));
    /// ```
    ///
    /// # Panics
    /// When awaited while another step is running, and when the body yields an item instead
    /// of returning (Python's `RuntimeError: async generator ignored GeneratorExit`): the
    /// generator is then closed (dropped) before the panic.
    pub fn aclose(&self) -> Close<Y, S, E>
    where
        E: PartialEq,
    {
        Close(Step::new(self, Op::Close, "aclose"))
    }
}

enum Op<S, E> {
    Next(S),
    Send(S),
    Throw(E),
    Close,
}

/// What a step ended with.
enum Outcome<Y, E> {
    Item(Y),
    /// Returned `Ok(())`, or was already finished.
    Stopped,
    Failed(E),
}

/// The awaitable of [`AsyncGen::anext`], [`asend`](AsyncGen::asend) and
/// [`athrow`](AsyncGen::athrow) (Python's `async_generator_asend` / `_athrow` objects): a
/// coroutine-like generator that yields [`Suspend`] and returns the next item.
///
/// ```
/// use cogen::{Generator, yield_};
/// use cogen::asyncio::{self, AsyncGenError, Cancelled, GeneratorExit};
/// # #[derive(Debug, Clone, PartialEq)] struct E;
/// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E } }
/// # impl From<GeneratorExit> for E { fn from(_: GeneratorExit) -> Self { E } }
/// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
///
/// #[asyncio::async_generator(yield = u8)]
/// fn one() -> Result<(), E> {
///     yield_!(7)?;
///     Ok(())
/// }
/// let agen = one();
/// let mut step = std::pin::pin!(agen.anext());
/// assert_eq!(step.as_mut().start().complete(), Some(Ok(7)));
/// ```
#[must_use = "an async generator step does nothing until awaited"]
pub struct Step<Y, S, E> {
    agen: AsyncGen<Y, S, E>,
    op: Option<Op<S, E>>,
    name: &'static str,
    /// The body, while this step runs it (suspended in one of its awaits).
    running: Option<Body<Y, S, E>>,
    status: Status,
    closing: bool,
}

impl<Y, S, E> fmt::Debug for Step<Y, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("name", &self.name)
            .field("status", &self.status)
            .finish()
    }
}

impl<Y, S, E> Step<Y, S, E> {
    fn new(agen: &AsyncGen<Y, S, E>, op: Op<S, E>, name: &'static str) -> Self {
        let closing = matches!(op, Op::Close);
        Step {
            agen: agen.clone(),
            op: Some(op),
            name,
            running: None,
            status: Status::Created,
            closing,
        }
    }
}

/// A body that panics is dropped (finished): the generator must not stay "running".
struct NotRunningOnUnwind<'a, Y, S, E>(&'a Rc<RefCell<State<Y, S, E>>>);

impl<Y, S, E> Drop for NotRunningOnUnwind<'_, Y, S, E> {
    fn drop(&mut self) {
        if let Ok(mut state) = self.0.try_borrow_mut() {
            state.running = false;
        }
    }
}

// Nothing in a step is pinned: the body is boxed, the operation is moved out.
impl<Y, S, E> Unpin for Step<Y, S, E> {}

impl<Y, S, E> Drop for Step<Y, S, E> {
    fn drop(&mut self) {
        if self.running.take().is_some() {
            // Dropped in the middle of an await: the body is dropped (closed) with it.
            self.agen.state.borrow_mut().running = false;
        }
    }
}

impl<Y: 'static, S: 'static, E: AsyncError + From<GeneratorExit> + 'static> Step<Y, S, E> {
    #[track_caller]
    fn first(&mut self) -> GeneratorState<Suspend, Outcome<Y, E>> {
        if self.status != Status::Created {
            misuse("start", self.status);
        }
        let op = self
            .op
            .take()
            .expect("cogen: a step's operation is taken once");
        let mut body = {
            let mut state = self.agen.state.borrow_mut();
            if state.running {
                panic!("{}(): asynchronous generator is already running", self.name);
            }
            match state.body.take() {
                Some(body) => {
                    state.running = true;
                    body
                }
                None => {
                    self.status = Status::Closed;
                    return GeneratorState::Complete(Outcome::Stopped);
                }
            }
        };
        let step = if body.status() == Status::Created {
            match op {
                Op::Next(_) => {
                    let guard = NotRunningOnUnwind(&self.agen.state);
                    let step = body.as_mut().start();
                    core::mem::forget(guard);
                    step
                }
                Op::Send(_) => {
                    let mut state = self.agen.state.borrow_mut();
                    state.running = false;
                    state.body = Some(body);
                    panic!(
                        "asend(): can't send a value to a just-started async generator: \
                         await `anext()` first"
                    )
                }
                Op::Throw(error) => {
                    self.agen.state.borrow_mut().running = false;
                    self.status = Status::Closed;
                    return GeneratorState::Complete(Outcome::Failed(error));
                }
                Op::Close => {
                    self.agen.state.borrow_mut().running = false;
                    self.status = Status::Closed;
                    return GeneratorState::Complete(Outcome::Stopped);
                }
            }
        } else {
            let reply = match op {
                Op::Next(value) | Op::Send(value) => Ok(value),
                Op::Throw(error) => Err(error),
                Op::Close => Err(E::from(GeneratorExit)),
            };
            let guard = NotRunningOnUnwind(&self.agen.state);
            let step = body.as_mut().resume(private::Sent::Reply(reply));
            core::mem::forget(guard);
            step
        };
        self.after(body, step)
    }

    #[track_caller]
    fn next(&mut self, resume: Resume) -> GeneratorState<Suspend, Outcome<Y, E>> {
        if self.status != Status::Suspended {
            misuse("resume", self.status);
        }
        let mut body = self
            .running
            .take()
            .expect("cogen: a suspended step holds the body");
        let guard = NotRunningOnUnwind(&self.agen.state);
        let step = body.as_mut().resume(private::Sent::Resume(resume));
        core::mem::forget(guard);
        self.after(body, step)
    }

    fn after(
        &mut self,
        body: Body<Y, S, E>,
        step: GeneratorState<private::Yielded<Y>, Result<(), E>>,
    ) -> GeneratorState<Suspend, Outcome<Y, E>> {
        let outcome = match step {
            GeneratorState::Yielded(private::Yielded::Suspend(suspend)) => {
                self.running = Some(body);
                self.status = Status::Suspended;
                return GeneratorState::Yielded(suspend);
            }
            GeneratorState::Yielded(private::Yielded::Item(item)) => {
                self.agen.state.borrow_mut().running = false;
                if self.closing {
                    self.status = Status::Closed;
                    drop(body);
                    panic!(
                        "aclose(): async generator ignored GeneratorExit: its `yield_!` was \
                         resumed with `Err(GeneratorExit)` and it yielded another item instead \
                         of returning; return (e.g. with `yield_!(x)?`) after the cleanup"
                    );
                }
                self.agen.state.borrow_mut().body = Some(body);
                Outcome::Item(item)
            }
            GeneratorState::Complete(result) => {
                self.agen.state.borrow_mut().running = false;
                match result {
                    Ok(()) => Outcome::Stopped,
                    Err(error) => Outcome::Failed(error),
                }
            }
        };
        self.status = Status::Closed;
        GeneratorState::Complete(outcome)
    }
}

fn as_item<Y, E>(outcome: Outcome<Y, E>) -> Result<Y, AsyncGenError<E>> {
    match outcome {
        Outcome::Item(item) => Ok(item),
        Outcome::Stopped => Err(AsyncGenError::StopAsyncIteration),
        Outcome::Failed(error) => Err(AsyncGenError::Raised(error)),
    }
}

fn map<A, B>(
    step: GeneratorState<Suspend, A>,
    f: impl FnOnce(A) -> B,
) -> GeneratorState<Suspend, B> {
    match step {
        GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
        GeneratorState::Complete(outcome) => GeneratorState::Complete(f(outcome)),
    }
}

impl<Y: 'static, S: 'static, E: AsyncError + From<GeneratorExit> + 'static> Generator<Resume>
    for Step<Y, S, E>
{
    type Yield = Suspend;
    type Return = Result<Y, AsyncGenError<E>>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Self::Return> {
        map(self.get_mut().first(), as_item)
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Self::Return> {
        map(self.get_mut().next(arg), as_item)
    }

    fn close(self: Pin<&mut Self>) {
        let this = self.get_mut();
        if this.running.take().is_some() {
            this.agen.state.borrow_mut().running = false;
        }
        this.status = Status::Closed;
    }

    fn status(&self) -> Status {
        self.status
    }
}

/// The awaitable of [`AsyncGen::aclose`] (Python's `aclose()` awaitable): yields [`Suspend`]
/// while the body awaits its cleanup.
///
/// ```
/// use cogen::{Generator, yield_};
/// use cogen::asyncio::{self, Cancelled, GeneratorExit};
/// # #[derive(Debug, Clone, PartialEq)] struct E;
/// # impl From<Cancelled> for E { fn from(_: Cancelled) -> Self { E } }
/// # impl From<GeneratorExit> for E { fn from(_: GeneratorExit) -> Self { E } }
/// # impl asyncio::AsyncError for E { fn is_cancelled(&self) -> bool { false } }
///
/// #[asyncio::async_generator(yield = u8)]
/// fn one() -> Result<(), E> {
///     yield_!(7)?;
///     Ok(())
/// }
/// let agen = one();
/// let mut close = std::pin::pin!(agen.aclose());
/// assert_eq!(close.as_mut().start().complete(), Some(Ok(())));
/// ```
#[must_use = "aclose() does nothing until awaited"]
#[derive(Debug)]
pub struct Close<Y, S, E>(Step<Y, S, E>);

impl<Y: 'static, S: 'static, E: AsyncError + From<GeneratorExit> + PartialEq + 'static>
    Generator<Resume> for Close<Y, S, E>
{
    type Yield = Suspend;
    type Return = Result<(), AsyncGenError<E>>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Self::Return> {
        map(self.get_mut().0.first(), closed)
    }

    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Self::Return> {
        map(self.get_mut().0.next(arg), closed)
    }

    fn close(self: Pin<&mut Self>) {
        let this = &mut self.get_mut().0;
        if this.running.take().is_some() {
            this.agen.state.borrow_mut().running = false;
        }
        this.status = Status::Closed;
    }

    fn status(&self) -> Status {
        self.0.status
    }
}

fn closed<Y, E: From<GeneratorExit> + PartialEq>(
    outcome: Outcome<Y, E>,
) -> Result<(), AsyncGenError<E>> {
    match outcome {
        Outcome::Item(_) => unreachable!("cogen: aclose() panics when the body yields"),
        Outcome::Stopped => Ok(()),
        Outcome::Failed(error) if error == E::from(GeneratorExit) => Ok(()),
        Outcome::Failed(error) => Err(AsyncGenError::Raised(error)),
    }
}

/// What the `#[asyncio::async_generator]` expansion uses. Not public API.
#[doc(hidden)]
pub mod private {
    use super::*;
    use crate::raw::yield_point::Co;

    /// What the body of an async generator yields: an await's [`Suspend`] or an item.
    pub enum Yielded<Y> {
        /// The body awaits: for the task.
        Suspend(Suspend),
        /// `yield_!(item)`: for the step.
        Item(Y),
    }

    /// What the body of an async generator is resumed with.
    pub enum Sent<S, E> {
        /// The task's answer to a [`Yielded::Suspend`].
        Resume(Resume),
        /// The step's answer to a [`Yielded::Item`]: the value of `yield_!`.
        Reply(Result<S, E>),
    }

    /// `yield_!(item)` yields this.
    #[inline]
    pub fn item<Y>(item: Y) -> Yielded<Y> {
        Yielded::Item(item)
    }

    /// The value of `yield_!(item)`.
    #[inline]
    #[track_caller]
    pub fn reply<S, E>(sent: Sent<S, E>) -> Result<S, E> {
        match sent {
            Sent::Reply(reply) => reply,
            Sent::Resume(_) => {
                unreachable!("cogen: an async generator's item was resumed by its task")
            }
        }
    }

    /// `yield_from!(awaitable)` in an async generator delegates to this.
    #[inline]
    pub fn wrap<A, Y, S, E, B>(
        awaitable: A,
        _co: &Co<Yielded<Y>, Sent<S, E>, B>,
    ) -> Wrap<A::Gen, Y, S, E>
    where
        A: IntoAwait,
    {
        Wrap {
            inner: Box::pin(awaitable.into_await()),
            _types: PhantomData,
        }
    }

    /// What `yield_from!` in an async generator may await: an awaitable generator (a
    /// coroutine, `sleep`, a step of another async generator) or a future or task.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not awaitable in an #[asyncio::async_generator]",
        label = "not a coroutine, asyncio awaitable, `Future` or `Task`",
        note = "`yield_from!` in an async generator awaits a generator that yields \
                `asyncio::Suspend` (a coroutine, `asyncio::sleep(..)`, `agen.anext()`), or a \
                `Future` or `Task` (by value or by reference); hand out items with `yield_!`"
    )]
    pub trait IntoAwait {
        /// The awaitable generator.
        type Gen: Generator<Resume, Yield = Suspend>;
        /// Make it.
        fn into_await(self) -> Self::Gen;
    }

    impl<G: Generator<Resume, Yield = Suspend>> IntoAwait for G {
        type Gen = G;
        fn into_await(self) -> G {
            self
        }
    }

    macro_rules! await_through_into_generator {
        ($($ty:ty),*) => {$(
            impl<'a, T: Clone + 'static, E: AsyncError + Clone + 'static> IntoAwait for $ty {
                type Gen = super::super::Await<T, E>;
                fn into_await(self) -> Self::Gen {
                    self.into_generator()
                }
            }
        )*};
    }

    await_through_into_generator!(
        super::super::Future<T, E>,
        &'a super::super::Future<T, E>,
        super::super::Task<T, E>,
        &'a super::super::Task<T, E>
    );

    type Invariant<Y, S, E> = fn(Y, S, E) -> (Y, S, E);

    /// An awaitable seen from an async generator's body: its [`Suspend`]s wrapped.
    pub struct Wrap<G, Y, S, E> {
        inner: Pin<Box<G>>,
        _types: PhantomData<Invariant<Y, S, E>>,
    }

    impl<G, Y, S, E> fmt::Debug for Wrap<G, Y, S, E> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Wrap")
        }
    }

    fn wrapped<Y, R>(step: GeneratorState<Suspend, R>) -> GeneratorState<Yielded<Y>, R> {
        match step {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(Yielded::Suspend(suspend)),
            GeneratorState::Complete(result) => GeneratorState::Complete(result),
        }
    }

    impl<G: Generator<Resume, Yield = Suspend>, Y, S, E> Generator<Sent<S, E>> for Wrap<G, Y, S, E> {
        type Yield = Yielded<Y>;
        type Return = G::Return;

        #[track_caller]
        fn start(self: Pin<&mut Self>) -> GeneratorState<Yielded<Y>, G::Return> {
            wrapped(self.get_mut().inner.as_mut().start())
        }

        #[track_caller]
        fn resume(self: Pin<&mut Self>, arg: Sent<S, E>) -> GeneratorState<Yielded<Y>, G::Return> {
            match arg {
                Sent::Resume(resume) => wrapped(self.get_mut().inner.as_mut().resume(resume)),
                Sent::Reply(_) => {
                    unreachable!("cogen: an async generator's await was resumed by its step")
                }
            }
        }

        fn close(self: Pin<&mut Self>) {
            self.get_mut().inner.as_mut().close();
        }

        fn status(&self) -> Status {
            self.inner.status()
        }
    }

    /// The handle of a body.
    pub fn new<Y, S, E, G>(body: G) -> AsyncGen<Y, S, E>
    where
        G: Generator<Sent<S, E>, Yield = Yielded<Y>, Return = Result<(), E>> + 'static,
    {
        AsyncGen {
            state: Rc::new(RefCell::new(State {
                body: Some(Box::pin(body)),
                running: false,
            })),
        }
    }
}
