//! The two small enums of the protocol: what a step produced, and where a generator is.

/// What one step of a generator produced: a yielded value, or its return value.
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorState};
///
/// #[generator(yield = u8)]
/// fn one() -> &'static str {
///     yield_!(1);
///     "done"
/// }
///
/// let mut g = std::pin::pin!(one());
/// assert_eq!(g.as_mut().start(), GeneratorState::Yielded(1));
/// assert_eq!(g.as_mut().resume(()), GeneratorState::Complete("done"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneratorState<Y, R> {
    /// The generator suspended at a `yield_!` and handed out this value.
    Yielded(Y),
    /// The generator finished (`return`, `?`, or the end of its body) with this value.
    Complete(R),
}

impl<Y, R> GeneratorState<Y, R> {
    /// The yielded value, or `None` if the generator completed.
    ///
    /// ```
    /// use cogen::GeneratorState;
    /// assert_eq!(GeneratorState::<u8, ()>::Yielded(3).yielded(), Some(3));
    /// assert_eq!(GeneratorState::<u8, ()>::Complete(()).yielded(), None);
    /// ```
    pub fn yielded(self) -> Option<Y> {
        match self {
            GeneratorState::Yielded(y) => Some(y),
            GeneratorState::Complete(_) => None,
        }
    }

    /// The return value, or `None` if the generator yielded.
    ///
    /// ```
    /// use cogen::GeneratorState;
    /// assert_eq!(GeneratorState::<u8, &str>::Complete("r").complete(), Some("r"));
    /// ```
    pub fn complete(self) -> Option<R> {
        match self {
            GeneratorState::Yielded(_) => None,
            GeneratorState::Complete(r) => Some(r),
        }
    }
}

/// Where a generator is in its life: Python's `GEN_CREATED`, `GEN_SUSPENDED`, `GEN_CLOSED`.
///
/// Python's fourth state, `GEN_RUNNING`, cannot be observed from outside: resuming takes
/// `Pin<&mut Self>`, so nobody else can hold the generator while its body runs.
///
/// ```
/// use cogen::{generator, yield_, Generator, Status};
///
/// #[generator(yield = u8)]
/// fn one() { yield_!(1); }
///
/// let mut g = std::pin::pin!(one());
/// assert_eq!(g.status(), Status::Created);
/// let _ = g.as_mut().start();
/// assert_eq!(g.status(), Status::Suspended);
/// let _ = g.as_mut().resume(());
/// assert_eq!(g.status(), Status::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Made but not started: no body code has run yet.
    Created,
    /// Paused at a `yield_!`, waiting for `resume`.
    Suspended,
    /// Completed, closed, or ended by a panic: it will never run again.
    Closed,
}

/// Panic for a protocol call the generator's status does not allow, saying what to call
/// instead. The panic comes before anything is touched: the generator stays as it was.
#[cold]
#[track_caller]
pub(crate) fn misuse(what: &str, status: Status) -> ! {
    match status {
        Status::Created if what == "resume" => panic!(
            "cannot resume a generator that has not started: call `start()` first \
             (Python: can't send non-None value to a just-started generator)"
        ),
        Status::Created => {
            panic!("cannot {what} a generator that has not started: call `start()` first")
        }
        Status::Suspended => panic!(
            "cannot {what} a generator that has already started: use `resume(value)` to \
             continue it"
        ),
        Status::Closed => panic!(
            "cannot {what} a generator that is closed (it completed, was closed, or \
             panicked); make a new one"
        ),
    }
}
