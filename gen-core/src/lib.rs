//! The runtime of [cogen](https://docs.rs/cogen): the [`Generator`] protocol, its
//! iterator, stream and future adapters, the `asyncio` executor, and the support code
//! that `#[generator]` expands to.
//!
//! Depend on the `cogen` facade rather than on this crate: it re-exports everything here
//! together with the `#[generator]` attribute and the `yield_!` / `yield_from!` macros.
#![no_std]
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod asyncio;

mod adapt;
mod async_generator;
mod generator;
mod iter;
mod raw;
mod state;

pub use adapt::{GeneratorFuture, GeneratorStream, UnitGenerator};
pub use async_generator::{AsyncGenerator, Resume};
pub use generator::{Generator, GeneratorExit, IntoGenerator, Throwable};
pub use iter::Iter;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use iter::{IntoIter, IterableGenerator};
pub use state::{GeneratorState, Status};

/// Support for the code that `#[generator]` expands to. Not public API: no item in here is
/// covered by semver, and using one directly may break at any release.
///
/// Every item here is safe to use in any way except the `delegate` methods, which are
/// `unsafe`: the futures they make must be awaited where they are made.
#[doc(hidden)]
pub mod __private {
    pub use crate::raw::async_driver::{AsyncGen, async_generator};
    pub use crate::raw::delegate::{Delegable, Kind, Source, kind};
    /// The traits whose `__cogen_kind` picks a `yield_from!`'s form: a `yield_from!`
    /// brings them into scope with one glob import (two forms are in the second trait:
    /// each shares a depth with a form of the first, see `DelegateKindApart`).
    pub mod kinds {
        pub use crate::raw::delegate::{DelegateKind as _, DelegateKindApart as _};
    }
    pub use crate::raw::driver::{Gen, generator};
    pub use crate::raw::yield_point::{Awaiting, Blocking, Co, TypedYield};
    #[cfg(feature = "alloc")]
    pub use alloc::boxed::Box;
    pub use futures_core::{FusedStream, Stream};
}
