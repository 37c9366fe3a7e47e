//! Generators with `send = ()` as `Iterator`s: in place (`iter`) or boxed once (`for`, with
//! the `alloc` feature).

use core::fmt;
use core::iter::FusedIterator;
use core::pin::Pin;

use crate::Generator;
use crate::generator::Sealed;

/// An `Iterator` over a pinned generator, borrowing it in place: made by
/// [`Generator::iter`]. No allocation; fused. When the generator completes, its return
/// value is kept: [`take_return`](Iter::take_return).
///
/// This is the fast way to drive a generator with `send = ()`: the status check, the
/// exchange area and the bridge all fold away, and the loop costs what a hand-written
/// `Iterator` does (BENCHMARKS.md, W1: 5 instructions per item, as the hand-written one).
/// A `start`/`resume(())` loop, `while let Yielded(x) = step { ..; step = g.as_mut().resume(()) }`,
/// also keeps no cogen code in the loop, but the value it carries across iterations (`step`)
/// cost one instruction more per item there (6); prefer `iter()` where a `for` loop will do.
///
/// ```
/// use cogen::{generator, yield_, Generator};
///
/// #[generator(yield = char)]
/// fn letters() { yield_!('a'); yield_!('b'); }
///
/// let mut g = std::pin::pin!(letters());
/// let mut it = g.as_mut().iter();
/// assert_eq!(it.next(), Some('a'));
/// assert_eq!(it.next(), Some('b'));
/// assert_eq!(it.next(), None);
/// assert_eq!(it.next(), None);
/// ```
pub struct Iter<'a, G: Generator<()> + ?Sized> {
    // Crate-visible so that `Generator::iter` makes it without a call of `new`, which a
    // debug build would compile once more per generator.
    pub(crate) generator: Pin<&'a mut G>,
    pub(crate) returned: Option<G::Return>,
}

impl<'a, G: Generator<()> + ?Sized> Iter<'a, G> {
    /// Iterate `generator` in place; what [`Generator::iter`] returns. Works for unsized
    /// generators too (`dyn Generator<..>`).
    ///
    /// ```
    /// use std::pin::Pin;
    /// use cogen::{generator, yield_, Generator, Iter};
    ///
    /// #[generator(yield = u8)]
    /// fn two() { yield_!(1); yield_!(2); }
    ///
    /// let mut boxed: Pin<Box<dyn Generator<Yield = u8, Return = ()>>> = Box::pin(two());
    /// assert_eq!(Iter::new(boxed.as_mut()).sum::<u8>(), 3);
    /// ```
    pub fn new(generator: Pin<&'a mut G>) -> Self {
        Iter {
            generator,
            returned: None,
        }
    }

    /// The generator's return value, once iteration has reached its end (Python: the
    /// `StopIteration.value` a `for` loop discards); `None` before that, or once taken.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator};
    ///
    /// #[generator(yield = u32)]
    /// fn parse(text: &str) -> Result<(), std::num::ParseIntError> {
    ///     for part in text.split(',') {
    ///         yield_!(part.parse()?);
    ///     }
    ///     Ok(())
    /// }
    ///
    /// let mut g = std::pin::pin!(parse("1,2,x"));
    /// let mut numbers = g.as_mut().iter();
    /// assert_eq!(numbers.by_ref().collect::<Vec<_>>(), [1, 2]);
    /// assert!(numbers.take_return().unwrap().is_err());
    /// ```
    pub fn take_return(&mut self) -> Option<G::Return> {
        self.returned.take()
    }
}

impl<G: Generator<()> + ?Sized> Iterator for Iter<'_, G> {
    type Item = G::Yield;

    // Always: a generator's whole step is inlined here, and with a few call sites of one
    // generator the optimizer stops inlining `next` into the loop (2.5x slower per item).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn next(&mut self) -> Option<G::Yield> {
        self.generator
            .as_mut()
            .__cogen_next((), &mut self.returned, Sealed::new())
    }
}

impl<G: Generator<()> + ?Sized> FusedIterator for Iter<'_, G> {}

impl<G: Generator<()> + ?Sized> fmt::Debug for Iter<'_, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("status", &self.generator.status())
            .finish()
    }
}

/// An owning `Iterator` over a generator, which it pins in one box: what `for x in gen()`
/// uses for a `#[generator]` fn with `send = ()` that returns `()`. Fused. For a generator
/// that returns a value, `IntoIter::new(gen())` iterates it and keeps the value:
/// [`take_return`](IntoIter::take_return).
///
/// ```
/// use cogen::{generator, yield_};
///
/// #[generator(yield = u32)]
/// fn countdown(n: u32) {
///     for i in (1..=n).rev() {
///         yield_!(i);
///     }
/// }
///
/// let mut seen = Vec::new();
/// for i in countdown(3) {
///     seen.push(i);
/// }
/// assert_eq!(seen, [3, 2, 1]);
/// ```
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub struct IntoIter<G: Generator<()> + ?Sized> {
    generator: Pin<alloc::boxed::Box<G>>,
    returned: Option<G::Return>,
}

#[cfg(feature = "alloc")]
impl<G: Generator<()>> IntoIter<G> {
    /// Box and pin `generator` for iteration.
    ///
    /// ```
    /// use cogen::{generator, yield_, IntoIter};
    ///
    /// #[generator(yield = u8)]
    /// fn one() { yield_!(1); }
    ///
    /// assert_eq!(IntoIter::new(one()).collect::<Vec<_>>(), [1]);
    /// ```
    pub fn new(generator: G) -> Self {
        IntoIter::from_pinned(alloc::boxed::Box::pin(generator))
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<()> + ?Sized> IntoIter<G> {
    /// Iterate a generator that is already boxed and pinned, also an unsized one
    /// (`Pin<Box<dyn Generator<..>>>`).
    ///
    /// ```
    /// use std::pin::Pin;
    /// use cogen::{generator, yield_, Generator, IntoIter};
    ///
    /// #[generator(yield = u8)]
    /// fn two() -> &'static str { yield_!(1); yield_!(2); "done" }
    ///
    /// let boxed: Pin<Box<dyn Generator<Yield = u8, Return = &'static str>>> = Box::pin(two());
    /// let mut it = IntoIter::from_pinned(boxed);
    /// assert_eq!(it.by_ref().sum::<u8>(), 3);
    /// assert_eq!(it.take_return(), Some("done"));
    /// ```
    pub fn from_pinned(generator: Pin<alloc::boxed::Box<G>>) -> Self {
        IntoIter {
            generator,
            returned: None,
        }
    }

    /// The generator's return value, once iteration has reached its end; `None` before
    /// that, or once taken.
    ///
    /// ```
    /// use cogen::{generator, yield_, IntoIter};
    ///
    /// #[generator(yield = char)]
    /// fn letters() -> usize {
    ///     yield_!('a');
    ///     yield_!('b');
    ///     2
    /// }
    ///
    /// let mut it = IntoIter::new(letters());
    /// assert_eq!(it.by_ref().collect::<String>(), "ab");
    /// assert_eq!(it.take_return(), Some(2));
    /// ```
    pub fn take_return(&mut self) -> Option<G::Return> {
        self.returned.take()
    }

    /// The pinned generator, e.g. to read its [`status`](Generator::status) after iteration.
    ///
    /// ```
    /// use cogen::{generator, yield_, Generator, IntoIter, Status};
    ///
    /// #[generator(yield = u8)]
    /// fn one() { yield_!(1); }
    ///
    /// let mut it = IntoIter::new(one());
    /// it.by_ref().for_each(drop);
    /// assert_eq!(it.generator().status(), Status::Closed);
    /// ```
    pub fn generator(&mut self) -> Pin<&mut G> {
        self.generator.as_mut()
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<()> + ?Sized> Iterator for IntoIter<G> {
    type Item = G::Yield;

    // Always: a generator's whole step is inlined here, and with a few call sites of one
    // generator the optimizer stops inlining `next` into the loop (2.5x slower per item).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn next(&mut self) -> Option<G::Yield> {
        self.generator
            .as_mut()
            .__cogen_next((), &mut self.returned, Sealed::new())
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<()> + ?Sized> FusedIterator for IntoIter<G> {}

#[cfg(feature = "alloc")]
impl<G: Generator<()> + ?Sized> fmt::Debug for IntoIter<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("status", &self.generator.status())
            .finish()
    }
}

/// `for x in boxed` over a boxed generator trait object that returns `()` (one that returns
/// a value goes through [`IntoIter::from_pinned`], which keeps the value).
///
/// ```
/// use std::pin::Pin;
/// use cogen::{generator, yield_, Generator};
///
/// #[generator(yield = u8)]
/// fn two() { yield_!(1); yield_!(2); }
///
/// let boxed: Pin<Box<dyn Generator<Yield = u8, Return = ()>>> = Box::pin(two());
/// let mut seen = Vec::new();
/// for x in boxed {
///     seen.push(x);
/// }
/// assert_eq!(seen, [1, 2]);
/// ```
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl<'a, Y> IntoIterator
    for Pin<alloc::boxed::Box<dyn Generator<(), Yield = Y, Return = ()> + 'a>>
{
    type Item = Y;
    type IntoIter = IntoIter<dyn Generator<(), Yield = Y, Return = ()> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        IntoIter::from_pinned(self)
    }
}

/// `for x in boxed` over a `Send` boxed generator trait object that returns `()` (what
/// `#[generator(boxed)]` returns).
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
impl<'a, Y> IntoIterator
    for Pin<alloc::boxed::Box<dyn Generator<(), Yield = Y, Return = ()> + Send + 'a>>
{
    type Item = Y;
    type IntoIter = IntoIter<dyn Generator<(), Yield = Y, Return = ()> + Send + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        IntoIter::from_pinned(self)
    }
}

/// What a `#[generator]` fn returns when `for` can iterate it (`send = ()`, returning `()`,
/// with the `alloc` feature): a [`Generator`] that is also `Debug` and an `IntoIterator`
/// through an [`IntoIter`], which boxes it once. `-> impl IterableGenerator<Yield = Y>` says
/// all of that in one bound, which rustc proves once per generator fn, where the four
/// bounds and the nested `impl FusedIterator` it replaces cost each such fn's type check more
/// (BENCHMARKS.md, "Compile time"). Sealed: only the generators `#[generator]` makes are
/// one.
///
/// ```
/// use cogen::{generator, yield_, Generator, IterableGenerator};
///
/// #[generator(yield = u32)]
/// fn countdown(n: u32) {
///     for i in (1..=n).rev() {
///         yield_!(i);
///     }
/// }
///
/// fn total(numbers: impl IterableGenerator<Yield = u32>) -> u32 {
///     numbers.into_iter().sum()
/// }
///
/// assert_eq!(total(countdown(3)), 6);
/// let mut g = std::pin::pin!(countdown(2));
/// assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [2, 1]);
/// assert_eq!(format!("{:?}", countdown(1)), "Generator { status: Created, .. }");
/// ```
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub trait IterableGenerator:
    Generator<(), Return = ()>
    + fmt::Debug
    + IntoIterator<Item = <Self as Generator<()>>::Yield, IntoIter = IntoIter<Self>>
    + Sized
    + sealed::Iterable
{
}

#[cfg(feature = "alloc")]
mod sealed {
    /// Implemented only by cogen's generators, so that `IterableGenerator` can grow.
    pub trait Iterable {}
}

#[cfg(feature = "alloc")]
impl<F: core::future::Future<Output = ()>, Y, const D: bool> sealed::Iterable
    for crate::raw::driver::Gen<F, Y, (), D>
{
}

#[cfg(feature = "alloc")]
impl<F: core::future::Future<Output = ()>, Y, const D: bool> IterableGenerator
    for crate::raw::driver::Gen<F, Y, (), D>
{
}
