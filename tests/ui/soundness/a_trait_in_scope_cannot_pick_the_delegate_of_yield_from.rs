//! A trait in scope at a `yield_from!` whose `__cogen_kind` wins method resolution (here
//! a dependency's, imported into a crate that forbids unsafe code) must not make the
//! expansion's `unsafe` block call its `delegate`, an `unsafe fn` with a contract the
//! expansion knows nothing of: only cogen's own kinds pass, anything else fails to compile.

/// Stands for a dependency: a safe trait, and an `unsafe fn` nobody may call.
pub mod third_party {
    use cogen::__private::Source;

    pub struct Kind;

    impl Kind {
        /// # Safety
        /// Must never be called.
        pub unsafe fn delegate<T, Y, S, B>(
            self,
            _source: Source<T, Y, S, B>,
        ) -> core::future::Ready<u32> {
            unsafe { core::hint::unreachable_unchecked() }
        }
    }

    pub trait Hijack {
        fn __cogen_kind(&self) -> Kind {
            Kind
        }
    }
    impl<T, Y, S, B> Hijack for &&&&&&&&&&Source<T, Y, S, B> {}
}

#[forbid(unsafe_code)]
mod user {
    use crate::third_party::Hijack as _;
    use cogen::{generator, yield_from};

    #[generator(yield = u32)]
    pub fn g() -> u32 {
        yield_from!(vec![1u32, 2])
    }
}

fn main() {
    let _ = user::g();
}
