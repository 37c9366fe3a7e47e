//! The expansion of `#[generator]` names nothing it was not given: this crate depends on
//! cogen only as `engine` and re-exports it as [`reexport::cogen`], its generators name that
//! path with `crate = ..`, modules called `core`, `std` and `cogen` are in scope where they
//! expand, and unsafe code is forbidden (the expansion's one `unsafe` block is not the
//! user's code).
#![forbid(unsafe_code)]

/// How a crate re-exports cogen for its users.
pub mod reexport {
    pub use engine as cogen;
}

/// Shadows `::core`'s name for any path the expansion would write without `::`.
#[allow(dead_code)]
mod core {}
/// Likewise for `std`.
#[allow(dead_code)]
mod std {}
/// Likewise for the facade's usual name.
#[allow(dead_code)]
mod cogen {}

use crate::reexport::cogen::{asyncio, generator, yield_, yield_from};

/// Counts down from `n`, through the re-export.
#[generator(crate = crate::reexport::cogen, yield = u32)]
pub fn countdown(n: u32) {
    for i in (1..=n).rev() {
        yield_!(i);
    }
}

/// Delegates twice and sends values through, through the re-export.
#[generator(crate = crate::reexport::cogen, yield = u32, send = u32)]
pub fn accumulate() -> u32 {
    let mut total = 0;
    loop {
        let x = yield_!(total);
        if x == 0 {
            return total;
        }
        total += x;
    }
}

/// Delegates to [`accumulate`], inline and boxed.
#[generator(crate = crate::reexport::cogen, yield = u32, send = u32)]
pub fn two_totals() -> (u32, u32) {
    let first = yield_from!(accumulate());
    let second = yield_from!(::core::pin::Pin::from(::std::boxed::Box::new(accumulate())));
    (first, second)
}

/// An asyncio coroutine through the re-export.
#[asyncio::coroutine(crate = crate::reexport::cogen)]
pub fn square_later(x: u32) -> Result<u32, asyncio::Cancelled> {
    yield_from!(asyncio::sleep(::core::time::Duration::from_millis(1)))?;
    Ok(x * x)
}

#[cfg(test)]
mod tests {
    use ::core::pin::pin;

    use super::reexport::cogen::{Generator, GeneratorState::*, asyncio};
    use super::*;

    #[test]
    fn a_generator_expands_through_a_reexport_with_core_std_and_cogen_shadowed() {
        assert_eq!(
            countdown(3).into_iter().collect::<::std::vec::Vec<_>>(),
            [3, 2, 1]
        );
    }

    #[test]
    fn delegation_expands_through_a_reexport() {
        let mut g = pin!(two_totals());
        assert_eq!(g.as_mut().start(), Yielded(0));
        assert_eq!(g.as_mut().resume(4), Yielded(4));
        assert_eq!(g.as_mut().resume(0), Yielded(0));
        assert_eq!(g.as_mut().resume(6), Yielded(6));
        assert_eq!(g.as_mut().resume(0), Complete((4, 6)));
    }

    #[test]
    fn a_coroutine_expands_through_a_reexport() {
        let lp = asyncio::EventLoop::with_virtual_clock();
        assert_eq!(lp.run_until_complete(square_later(7)), Ok(49));
    }
}
