//! The workloads of the cogen benchmark suite (W1-W6), one function per implementation.
//!
//! Every function runs one whole workload and returns a checksum of everything it saw, so
//! the benches (`benches/generators.rs`), the agreement test (`tests/agree.rs`) and the
//! profiling binary (`src/bin/profile.rs`) all run exactly the same code. The checksum
//! mixes each item through [`std::hint::black_box`], so no implementation can be folded
//! into a closed form or vectorised away: every item really is produced and consumed.
//!
//! * W1 iterate: a generator yielding `0..1_000_000`, summed (plus the issue-2 countdown).
//! * W2 send: a running-average coroutine fed `1_000_000` values by resume.
//! * W3 delegate: `d` nested delegating generators whose innermost yields `0..62_500`.
//! * W4 tree: in-order walk of a complete binary tree of `2^16` nodes, recursively.
//! * W5 switch: `10_000` tasks on a single-threaded executor, each yielding to it `100`
//!   times (`1_000_000` task switches).
//! * W6 async stream: an async stream of `0..1_000_000`, summed by one `block_on`
//!   (`while let Some(x) = s.next().await`); W6b: the same with an always-ready
//!   `.await` before each item.
//! * W7 pipeline: a source of `0..1_000_000`, a filter (drops the multiples of 3) and a map
//!   (`2x + 1`), summed.
//! * W8 stream polled to the end: a `Stream` of `0..1_000_000` polled in a plain loop
//!   (no executor, no `async` block).
//! * E1 TCP echo ([`echo`]): 100 clients making round trips over loopback with an echo
//!   server in the same event loop (run by `src/bin/echo.rs`, not criterion).

pub mod echo;

use std::hint::black_box;
use std::sync::OnceLock;

/// W1: items per run.
pub const W1_N: u64 = 1_000_000;
/// W2: values sent per run.
pub const W2_N: u64 = 1_000_000;
/// W3: items the innermost generator yields.
pub const W3_N: u64 = 62_500;
/// W3: chain depths.
pub const W3_DEPTHS: [usize; 3] = [1, 8, 64];
/// W3: depths the static (unboxed) cogen chain is written for.
pub const W3_STATIC_DEPTHS: [usize; 2] = [1, 8];
/// W4: nodes in the tree.
pub const W4_NODES: usize = 1 << 16;
/// W5: tasks per run.
pub const W5_TASKS: u32 = 10_000;
/// W5: times each task yields to the executor.
pub const W5_YIELDS: u32 = 100;
/// W5: task switches per run.
pub const W5_SWITCHES: u64 = W5_TASKS as u64 * W5_YIELDS as u64;
/// W6 and W6b: items per run.
pub const W6_N: u64 = 1_000_000;
/// W7: items the source yields (two thirds of them reach the sum).
pub const W7_N: u64 = 1_000_000;
/// W8: items per run.
pub const W8_N: u64 = 1_000_000;

/// The sink every item goes through: an opaque value added with wrapping.
#[inline(always)]
pub fn mix(acc: u64, x: u64) -> u64 {
    acc.wrapping_add(black_box(x))
}

/// The W2 sink: the bits of each average, xored (the average itself is opaque).
#[inline(always)]
pub fn mix_f64(acc: u64, x: f64) -> u64 {
    acc ^ black_box(x).to_bits()
}

/// The value sent by W2's `i`-th resume.
#[inline(always)]
pub fn w2_input(i: u64) -> f64 {
    (i & 1023) as f64
}

/// A W1 implementation: `n` items, summed.
pub type W1Fn = fn(u64) -> u64;
/// A W2 implementation: `n` values sent, their running averages mixed.
pub type W2Fn = fn(u64) -> u64;
/// A W3 implementation: depth `d`, innermost yields `0..n`.
pub type W3Fn = fn(usize, u64) -> u64;
/// A W4 implementation: walk the tree.
pub type W4Fn = fn(&'static Node) -> u64;
/// A W5 implementation: `tasks` tasks yielding `yields` times each; returns the switches
/// counted by the tasks themselves.
pub type W5Fn = fn(u32, u32) -> u64;
/// A W6 (or W6b) implementation: an async stream of `n` items, summed by `block_on`.
pub type W6Fn = fn(u64) -> u64;
/// A W7 implementation: the pipeline over a source of `n` items, summed.
pub type W7Fn = fn(u64) -> u64;
/// A W8 implementation: a stream of `n` items polled to the end in a plain loop, summed.
pub type W8Fn = fn(u64) -> u64;

/// W1 implementations, by bench id.
pub const W1_IMPLS: &[(&str, W1Fn)] = &[
    ("hand", w1::hand),
    ("from_fn", w1::from_fn),
    ("cogen_pinned", w1::cogen_pinned),
    ("cogen_pinned_sole_use", w1::cogen_pinned_sole_use),
    ("cogen_pinned_resume", w1::cogen_pinned_resume),
    ("hand_resume", w1::hand_resume),
    ("cogen_boxed_for", w1::cogen_boxed_for),
    ("genawaiter_stack", w1::genawaiter_stack),
    ("genawaiter_rc", w1::genawaiter_rc),
    ("next_gen", w1::next_gen),
    ("corosensei", w1::corosensei),
    ("generator", w1::generator),
];

/// The issue-2 countdown variant of W1, by bench id.
pub const W1_COUNTDOWN_IMPLS: &[(&str, W1Fn)] = &[
    ("countdown_hand", w1::countdown_hand),
    ("countdown_cogen_pinned", w1::countdown_cogen_pinned),
    ("countdown_cogen_boxed_for", w1::countdown_cogen_boxed_for),
];

/// W2 implementations, by bench id (`std::iter::from_fn` cannot receive values).
pub const W2_IMPLS: &[(&str, W2Fn)] = &[
    ("hand", w2::hand),
    ("cogen", w2::cogen),
    ("genawaiter_stack", w2::genawaiter_stack),
    ("next_gen", w2::next_gen),
    ("corosensei", w2::corosensei),
    ("generator", w2::generator),
];

/// W3 implementations, by bench id (`cogen_static` is separate: fixed depths only).
pub const W3_IMPLS: &[(&str, W3Fn)] = &[
    ("hand_chain", w3::hand_chain),
    ("from_fn_chain", w3::from_fn_chain),
    ("cogen_boxed", w3::cogen_boxed),
    ("genawaiter_rc", w3::genawaiter_rc),
    ("next_gen", w3::next_gen),
    ("corosensei_shared", w3::corosensei_shared),
    ("corosensei_per_level", w3::corosensei_per_level),
    ("generator_shared", w3::generator_shared),
    ("generator_yield_from", w3::generator_yield_from),
];

/// W4 implementations, by bench id.
pub const W4_IMPLS: &[(&str, W4Fn)] = &[
    ("hand_stack", w4::hand_stack),
    ("from_fn_recursive", w4::from_fn_recursive),
    ("cogen", w4::cogen),
    ("genawaiter_rc", w4::genawaiter_rc),
    ("next_gen", w4::next_gen),
    ("corosensei", w4::corosensei),
    ("generator", w4::generator),
];

/// W5 implementations, by bench id.
pub const W5_IMPLS: &[(&str, W5Fn)] = &[
    ("hand", w5::hand),
    ("hand_waker", w5::hand_waker),
    ("cogen", w5::cogen),
    ("cogen_run_until_idle", w5::cogen_run_until_idle),
    ("cogen_on_hand_queue", w5::cogen_on_hand_queue),
    ("tokio", w5::tokio_current_thread),
    ("tokio_local_set", w5::tokio_local_set),
    ("local_pool", w5::local_pool),
];

/// W6 implementations, by bench id.
pub const W6_IMPLS: &[(&str, W6Fn)] = &[
    ("hand", w6::hand),
    ("stream_iter", w6::stream_iter),
    ("async_stream", w6::async_stream),
    ("cogen", w6::cogen),
    ("cogen_generator_stream", w6::cogen_generator_stream),
];

/// The W6b variant (an always-ready `.await` before each item), by bench id: only the
/// implementations whose body can `.await` (not `stream::iter`, nor a sync generator).
pub const W6B_IMPLS: &[(&str, W6Fn)] = &[
    ("await_hand", w6::await_hand),
    ("await_async_stream", w6::await_async_stream),
    ("await_cogen", w6::await_cogen),
];

/// W7 implementations, by bench id.
pub const W7_IMPLS: &[(&str, W7Fn)] = &[
    ("combinators", w7::combinators),
    ("boxed_stages", w7::boxed_stages),
    ("cogen", w7::cogen),
    ("cogen_boxed_for", w7::cogen_boxed_for),
    ("cogen_into_iter", w7::cogen_into_iter),
    ("cogen_source_combinators", w7::cogen_source_combinators),
];

/// W8 implementations, by bench id.
pub const W8_IMPLS: &[(&str, W8Fn)] = &[
    ("hand", w8::hand),
    ("stream_iter", w8::stream_iter),
    ("async_stream", w8::async_stream),
    ("cogen_generator_stream", w8::cogen_generator_stream),
    (
        "cogen_generator_stream_sole_use",
        w8::cogen_generator_stream_sole_use,
    ),
    (
        "cogen_generator_stream_next",
        w8::cogen_generator_stream_next,
    ),
    ("cogen_iter", w8::cogen_iter),
    ("cogen_async", w8::cogen_async),
    ("cogen_async_await", w8::cogen_async_await),
];

// ---------------------------------------------------------------------------------------
// W1 iterate
// ---------------------------------------------------------------------------------------

pub mod w1 {
    use super::mix;

    /// The hand-written floor: a counter `Iterator`.
    pub struct Upto {
        i: u64,
        n: u64,
    }

    impl Upto {
        pub fn new(n: u64) -> Self {
            Upto { i: 0, n }
        }
    }

    impl Iterator for Upto {
        type Item = u64;
        #[inline]
        fn next(&mut self) -> Option<u64> {
            if self.i < self.n {
                let i = self.i;
                self.i += 1;
                Some(i)
            } else {
                None
            }
        }
    }

    pub fn hand(n: u64) -> u64 {
        let mut acc = 0;
        for x in Upto::new(n) {
            acc = mix(acc, x);
        }
        acc
    }

    pub fn from_fn(n: u64) -> u64 {
        let mut i = 0;
        let it = std::iter::from_fn(move || {
            if i < n {
                let x = i;
                i += 1;
                Some(x)
            } else {
                None
            }
        });
        let mut acc = 0;
        for x in it {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod cogen_impl {
        use cogen::{generator, yield_};

        #[generator(yield = u64)]
        pub fn upto(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        /// The same generator as `upto`, used by exactly one function of this crate
        /// (`cogen_pinned_sole_use`). Before the single `__cogen_step` entry, only a
        /// generator with one use in a crate was inlined into its loop; kept as a check
        /// that `upto` (also iterated boxed) and this one now cost the same.
        #[generator(yield = u64)]
        pub fn upto_sole_use(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        /// The issue-2 generator.
        #[generator(yield = u64)]
        pub fn countdown(n: u64) {
            let mut i = n;
            while i > 0 {
                yield_!(i);
                i -= 1;
            }
        }
    }

    pub fn cogen_pinned(n: u64) -> u64 {
        use cogen::Generator;
        let g = std::pin::pin!(cogen_impl::upto(n));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    /// Diagnostic: as `cogen_pinned`, but the generator has no other use in this crate.
    pub fn cogen_pinned_sole_use(n: u64) -> u64 {
        use cogen::Generator;
        let g = std::pin::pin!(cogen_impl::upto_sole_use(n));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    /// Diagnostic: the same pinned generator driven by `start`/`resume(())` directly
    /// instead of through `Generator::iter` (see bench/PROFILING.md, W1).
    pub fn cogen_pinned_resume(n: u64) -> u64 {
        use cogen::{Generator, GeneratorState};
        let mut g = std::pin::pin!(cogen_impl::upto(n));
        let mut acc = 0;
        let mut step = g.as_mut().start();
        while let GeneratorState::Yielded(x) = step {
            acc = mix(acc, x);
            step = g.as_mut().resume(());
        }
        acc
    }

    /// Diagnostic: the hand-written counter driven in the shape of `cogen_pinned_resume`
    /// (a first step, then `while let Yielded(x) = step { ..; step = resume() }`), to
    /// tell the cost of that loop's shape from the cost of the generator.
    pub fn hand_resume(n: u64) -> u64 {
        use cogen::GeneratorState;
        let mut it = Upto::new(n);
        let mut resume = move || match it.next() {
            Some(x) => GeneratorState::Yielded(x),
            None => GeneratorState::Complete(()),
        };
        let mut acc = 0;
        let mut step = resume();
        while let GeneratorState::Yielded(x) = step {
            acc = mix(acc, x);
            step = resume();
        }
        acc
    }

    pub fn cogen_boxed_for(n: u64) -> u64 {
        let mut acc = 0;
        for x in cogen_impl::upto(n) {
            acc = mix(acc, x);
        }
        acc
    }

    /// The issue-2 floor: a hand-written countdown `Iterator`.
    pub struct Countdown(u64);

    impl Iterator for Countdown {
        type Item = u64;
        #[inline]
        fn next(&mut self) -> Option<u64> {
            if self.0 > 0 {
                let i = self.0;
                self.0 -= 1;
                Some(i)
            } else {
                None
            }
        }
    }

    pub fn countdown_hand(n: u64) -> u64 {
        let mut acc = 0;
        for x in Countdown(n) {
            acc = mix(acc, x);
        }
        acc
    }

    pub fn countdown_cogen_pinned(n: u64) -> u64 {
        use cogen::Generator;
        let g = std::pin::pin!(cogen_impl::countdown(n));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    pub fn countdown_cogen_boxed_for(n: u64) -> u64 {
        let mut acc = 0;
        for x in cogen_impl::countdown(n) {
            acc = mix(acc, x);
        }
        acc
    }

    pub fn genawaiter_stack(n: u64) -> u64 {
        genawaiter::stack::let_gen_using!(g, |co: genawaiter::stack::Co<'_, u64>| async move {
            for i in 0..n {
                co.yield_(i).await;
            }
        });
        let mut acc = 0;
        for x in g {
            acc = mix(acc, x);
        }
        acc
    }

    pub fn genawaiter_rc(n: u64) -> u64 {
        let g = genawaiter::rc::Gen::new(|co| async move {
            for i in 0..n {
                co.yield_(i).await;
            }
        });
        let mut acc = 0;
        for x in g {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod next_gen_impl {
        use next_gen::prelude::*;

        #[generator(yield(u64))]
        pub fn upto(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        pub fn run(n: u64) -> u64 {
            mk_gen!(let g = upto(n));
            let mut acc = 0;
            for x in g {
                acc = super::mix(acc, x);
            }
            acc
        }
    }

    pub fn next_gen(n: u64) -> u64 {
        next_gen_impl::run(n)
    }

    pub fn corosensei(n: u64) -> u64 {
        use corosensei::{Coroutine, CoroutineResult, Yielder};
        let mut co = Coroutine::new(move |y: &Yielder<(), u64>, ()| {
            for i in 0..n {
                y.suspend(i);
            }
        });
        let mut acc = 0;
        while let CoroutineResult::Yield(x) = co.resume(()) {
            acc = mix(acc, x);
        }
        acc
    }

    pub fn generator(n: u64) -> u64 {
        let g = generator::Gn::<()>::new_scoped(move |mut s| {
            for i in 0..n {
                s.yield_(i);
            }
            generator::done!();
        });
        let mut acc = 0;
        for x in g {
            acc = mix(acc, x);
        }
        acc
    }
}

// ---------------------------------------------------------------------------------------
// W2 send
// ---------------------------------------------------------------------------------------

pub mod w2 {
    use super::{mix_f64, w2_input};

    /// The hand-written floor: a struct with a method.
    #[derive(Default)]
    pub struct Averager {
        sum: f64,
        n: f64,
    }

    impl Averager {
        #[inline]
        pub fn send(&mut self, x: f64) -> f64 {
            self.sum += x;
            self.n += 1.0;
            self.sum / self.n
        }
    }

    pub fn hand(n: u64) -> u64 {
        let mut avg = Averager::default();
        let mut acc = 0;
        for i in 0..n {
            acc = mix_f64(acc, avg.send(w2_input(i)));
        }
        acc
    }

    pub mod cogen_impl {
        use cogen::{generator, yield_};

        /// Python: `avg = 0; while True: x = yield avg; ...`.
        #[generator(yield = f64, send = f64)]
        pub fn averager() {
            let (mut sum, mut n, mut avg) = (0.0, 0.0, 0.0);
            loop {
                let x = yield_!(avg);
                sum += x;
                n += 1.0;
                avg = sum / n;
            }
        }
    }

    pub fn cogen(n: u64) -> u64 {
        use cogen::{Generator, GeneratorState};
        let mut g = std::pin::pin!(cogen_impl::averager());
        let _ = g.as_mut().start();
        let mut acc = 0;
        for i in 0..n {
            match g.as_mut().resume(w2_input(i)) {
                GeneratorState::Yielded(avg) => acc = mix_f64(acc, avg),
                GeneratorState::Complete(()) => unreachable!(),
            }
        }
        acc
    }

    pub fn genawaiter_stack(n: u64) -> u64 {
        use genawaiter::GeneratorState;
        genawaiter::stack::let_gen_using!(
            g,
            |co: genawaiter::stack::Co<'_, f64, f64>| async move {
                let (mut sum, mut n, mut avg) = (0.0, 0.0, 0.0);
                loop {
                    let x = co.yield_(avg).await;
                    sum += x;
                    n += 1.0;
                    avg = sum / n;
                }
            }
        );
        // The first resume argument is dropped by genawaiter (it starts the body).
        let _ = g.resume_with(0.0);
        let mut acc = 0;
        for i in 0..n {
            match g.resume_with(w2_input(i)) {
                GeneratorState::Yielded(avg) => acc = mix_f64(acc, avg),
                GeneratorState::Complete(()) => unreachable!(),
            }
        }
        acc
    }

    pub mod next_gen_impl {
        use next_gen::prelude::*;

        /// next-gen hands the first resume argument to the body as `first`.
        #[generator(yield(f64), resume(f64) as first)]
        pub fn averager() {
            let (mut sum, mut n) = (0.0, 0.0);
            let mut x: f64 = first;
            loop {
                sum += x;
                n += 1.0;
                x = yield_!(sum / n);
            }
        }

        pub fn run(n: u64) -> u64 {
            mk_gen!(let mut g = averager());
            let mut acc = 0;
            for i in 0..n {
                match g.as_mut().resume(super::w2_input(i)) {
                    GeneratorState::Yielded(avg) => acc = super::mix_f64(acc, avg),
                    GeneratorState::Returned(()) => unreachable!(),
                }
            }
            acc
        }
    }

    pub fn next_gen(n: u64) -> u64 {
        next_gen_impl::run(n)
    }

    pub fn corosensei(n: u64) -> u64 {
        use corosensei::{Coroutine, CoroutineResult, Yielder};
        let mut co = Coroutine::new(|y: &Yielder<f64, f64>, first: f64| {
            let (mut sum, mut n) = (0.0, 0.0);
            let mut x = first;
            loop {
                sum += x;
                n += 1.0;
                x = y.suspend(sum / n);
            }
        });
        let mut acc = 0;
        for i in 0..n {
            match co.resume(w2_input(i)) {
                CoroutineResult::Yield(avg) => acc = mix_f64(acc, avg),
                CoroutineResult::Return(()) => unreachable!(),
            }
        }
        acc
    }

    pub fn generator(n: u64) -> u64 {
        let mut g = generator::Gn::<f64>::new_scoped(|mut s| {
            let (mut sum, mut n, mut avg) = (0.0, 0.0, 0.0);
            loop {
                let x = s.yield_(avg).expect("a value is sent");
                sum += x;
                n += 1.0;
                avg = sum / n;
            }
        });
        let _ = g.raw_send(None); // start: yields 0.0
        let mut acc = 0;
        for i in 0..n {
            acc = mix_f64(acc, g.send(w2_input(i)));
        }
        acc
    }
}

// ---------------------------------------------------------------------------------------
// W3 delegate
// ---------------------------------------------------------------------------------------

pub mod w3 {
    use super::mix;
    use super::w1::Upto;

    /// One level of the hand-written forwarding chain: `next()` forwards to the level below.
    pub struct Forward(Box<dyn Iterator<Item = u64>>);

    impl Iterator for Forward {
        type Item = u64;
        #[inline]
        fn next(&mut self) -> Option<u64> {
            self.0.next()
        }
    }

    /// `d` forwarding adaptors over the innermost counter: a `Box<dyn Iterator>` nested `d` times.
    pub fn make_hand_chain(d: usize, n: u64) -> Box<dyn Iterator<Item = u64>> {
        if d == 0 {
            Box::new(Upto::new(n))
        } else {
            Box::new(Forward(make_hand_chain(d - 1, n)))
        }
    }

    pub fn hand_chain(d: usize, n: u64) -> u64 {
        let mut acc = 0;
        for x in make_hand_chain(d, n) {
            acc = mix(acc, x);
        }
        acc
    }

    fn make_from_fn_chain(d: usize, n: u64) -> Box<dyn Iterator<Item = u64>> {
        if d == 0 {
            let mut i = 0;
            Box::new(std::iter::from_fn(move || {
                if i < n {
                    let x = i;
                    i += 1;
                    Some(x)
                } else {
                    None
                }
            }))
        } else {
            let mut inner = make_from_fn_chain(d - 1, n);
            Box::new(std::iter::from_fn(move || inner.next()))
        }
    }

    pub fn from_fn_chain(d: usize, n: u64) -> u64 {
        let mut acc = 0;
        for x in make_from_fn_chain(d, n) {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod cogen_impl {
        use cogen::{generator, yield_, yield_from};

        /// `d` delegating generators, each `yield from` a boxed one below; the innermost
        /// yields `0..n`. Runs on cogen's trampoline.
        #[generator(yield = u64)]
        pub fn chain(d: usize, n: u64) {
            if d == 0 {
                for i in 0..n {
                    yield_!(i);
                }
            } else {
                yield_from!(Box::pin(chain(d - 1, n)));
            }
        }

        /// The innermost generator of the static chains.
        #[generator(yield = u64)]
        pub fn s0(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        /// A static (unboxed) delegation level: `yield from inner(n)` held inline.
        macro_rules! static_level {
            ($($name:ident => $inner:ident),* $(,)?) => {$(
                #[generator(yield = u64)]
                pub fn $name(n: u64) {
                    yield_from!($inner(n));
                }
            )*};
        }

        static_level!(
            s1 => s0, s2 => s1, s3 => s2, s4 => s3, s5 => s4, s6 => s5, s7 => s6, s8 => s7,
        );
    }

    pub fn cogen_boxed(d: usize, n: u64) -> u64 {
        use cogen::Generator;
        let g = std::pin::pin!(cogen_impl::chain(d, n));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    /// The static chain of depth `d` (1 or 8 only).
    pub fn cogen_static(d: usize, n: u64) -> u64 {
        use cogen::Generator;
        fn run<G: Generator<Yield = u64>>(g: G) -> u64 {
            let g = std::pin::pin!(g);
            let mut acc = 0;
            for x in g.iter() {
                acc = mix(acc, x);
            }
            acc
        }
        match d {
            1 => run(cogen_impl::s1(n)),
            8 => run(cogen_impl::s8(n)),
            _ => panic!("the static chain is written for depths 1 and 8 only"),
        }
    }

    type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
    type RcGen = genawaiter::rc::Gen<u64, (), BoxFuture>;

    /// genawaiter has no delegation: each level resumes the one below and re-yields.
    fn make_genawaiter_chain(d: usize, n: u64) -> RcGen {
        RcGen::new(move |co| {
            Box::pin(async move {
                if d == 0 {
                    for i in 0..n {
                        co.yield_(i).await;
                    }
                } else {
                    let mut sub = make_genawaiter_chain(d - 1, n);
                    while let genawaiter::GeneratorState::Yielded(x) = sub.resume() {
                        co.yield_(x).await;
                    }
                }
            }) as BoxFuture
        })
    }

    pub fn genawaiter_rc(d: usize, n: u64) -> u64 {
        let mut acc = 0;
        for x in make_genawaiter_chain(d, n) {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod next_gen_impl {
        use next_gen::prelude::*;

        /// next-gen has no delegation: each level resumes a boxed one below and re-yields.
        #[generator(yield(u64))]
        pub fn chain(d: usize, n: u64) {
            if d == 0 {
                for i in 0..n {
                    yield_!(i);
                }
            } else {
                let mut sub: Pin<Box<dyn Generator<(), Yield = u64, Return = ()>>> =
                    chain.call_boxed((d - 1, n));
                while let GeneratorState::Yielded(x) = sub.as_mut().resume(()) {
                    yield_!(x);
                }
            }
        }

        pub fn run(d: usize, n: u64) -> u64 {
            mk_gen!(let g = chain(d, n));
            let mut acc = 0;
            for x in g {
                acc = super::mix(acc, x);
            }
            acc
        }
    }

    pub fn next_gen(d: usize, n: u64) -> u64 {
        next_gen_impl::run(d, n)
    }

    /// Stackful: `d` nested plain function calls share the coroutine's one yielder, so the
    /// innermost suspends straight to the caller.
    #[inline(never)]
    fn coro_level(y: &corosensei::Yielder<(), u64>, d: usize, n: u64) {
        if d == 0 {
            for i in 0..n {
                y.suspend(i);
            }
        } else {
            coro_level(y, d - 1, n);
        }
        // Keep every level a real frame (no tail call).
        std::hint::black_box(d);
    }

    pub fn corosensei_shared(d: usize, n: u64) -> u64 {
        use corosensei::{Coroutine, CoroutineResult, Yielder};
        let mut co = Coroutine::new(move |y: &Yielder<(), u64>, ()| coro_level(y, d, n));
        let mut acc = 0;
        while let CoroutineResult::Yield(x) = co.resume(()) {
            acc = mix(acc, x);
        }
        acc
    }

    fn make_coro_chain(d: usize, n: u64) -> corosensei::Coroutine<(), u64, ()> {
        use corosensei::{Coroutine, CoroutineResult, Yielder};
        Coroutine::new(move |y: &Yielder<(), u64>, ()| {
            if d == 0 {
                for i in 0..n {
                    y.suspend(i);
                }
            } else {
                let mut sub = make_coro_chain(d - 1, n);
                while let CoroutineResult::Yield(x) = sub.resume(()) {
                    y.suspend(x);
                }
            }
        })
    }

    /// One coroutine (and stack) per level, each resuming the one below and re-yielding.
    pub fn corosensei_per_level(d: usize, n: u64) -> u64 {
        use corosensei::CoroutineResult;
        let mut co = make_coro_chain(d, n);
        let mut acc = 0;
        while let CoroutineResult::Yield(x) = co.resume(()) {
            acc = mix(acc, x);
        }
        acc
    }

    #[inline(never)]
    fn gen_level(s: &mut generator::Scope<'_, 'static, (), u64>, d: usize, n: u64) {
        if d == 0 {
            for i in 0..n {
                s.yield_(i);
            }
        } else {
            gen_level(s, d - 1, n);
        }
        std::hint::black_box(d);
    }

    /// Stackful: `d` nested plain function calls share the generator's one scope.
    pub fn generator_shared(d: usize, n: u64) -> u64 {
        let g = generator::Gn::<()>::new_scoped(move |mut s| {
            gen_level(&mut s, d, n);
            generator::done!();
        });
        let mut acc = 0;
        for x in g {
            acc = mix(acc, x);
        }
        acc
    }

    fn make_gen_chain(d: usize, n: u64) -> generator::Generator<'static, (), u64> {
        generator::Gn::<()>::new_scoped(move |mut s| {
            if d == 0 {
                for i in 0..n {
                    s.yield_(i);
                }
            } else {
                s.yield_from(make_gen_chain(d - 1, n));
            }
            generator::done!();
        })
    }

    /// One generator per level, delegating with the crate's own `Scope::yield_from`.
    pub fn generator_yield_from(d: usize, n: u64) -> u64 {
        let mut acc = 0;
        for x in make_gen_chain(d, n) {
            acc = mix(acc, x);
        }
        acc
    }
}

// ---------------------------------------------------------------------------------------
// W4 tree
// ---------------------------------------------------------------------------------------

/// A binary tree node.
pub struct Node {
    pub value: u64,
    pub left: Option<Box<Node>>,
    pub right: Option<Box<Node>>,
}

/// The complete binary tree with `nodes` nodes in heap order (node `i` has children
/// `2i + 1` and `2i + 2`), each node's value its heap index.
pub fn build_tree(nodes: usize) -> Box<Node> {
    fn build(i: usize, nodes: usize) -> Option<Box<Node>> {
        (i < nodes).then(|| {
            Box::new(Node {
                value: i as u64,
                left: build(2 * i + 1, nodes),
                right: build(2 * i + 2, nodes),
            })
        })
    }
    build(0, nodes).expect("at least one node")
}

/// The W4 tree (2^16 nodes), built once.
pub fn w4_tree() -> &'static Node {
    static TREE: OnceLock<Box<Node>> = OnceLock::new();
    TREE.get_or_init(|| build_tree(W4_NODES))
}

pub mod w4 {
    use super::{Node, mix};

    /// The hand-written floor: an explicit-stack in-order iterator.
    pub struct InOrder<'a> {
        stack: Vec<&'a Node>,
    }

    impl<'a> InOrder<'a> {
        pub fn new(root: &'a Node) -> Self {
            let mut it = InOrder {
                stack: Vec::with_capacity(64),
            };
            it.push_left(Some(root));
            it
        }

        #[inline]
        fn push_left(&mut self, mut node: Option<&'a Node>) {
            while let Some(n) = node {
                self.stack.push(n);
                node = n.left.as_deref();
            }
        }
    }

    impl Iterator for InOrder<'_> {
        type Item = u64;
        #[inline]
        fn next(&mut self) -> Option<u64> {
            let node = self.stack.pop()?;
            self.push_left(node.right.as_deref());
            Some(node.value)
        }
    }

    pub fn hand_stack(root: &'static Node) -> u64 {
        let mut acc = 0;
        for x in InOrder::new(root) {
            acc = mix(acc, x);
        }
        acc
    }

    /// `std::iter::from_fn` recursively: one boxed closure per subtree, forwarding from
    /// the left subtree's iterator, then the node, then the right subtree's.
    fn make_from_fn(node: &'static Node) -> Box<dyn Iterator<Item = u64>> {
        let mut left = node.left.as_deref().map(make_from_fn);
        let mut right: Option<Box<dyn Iterator<Item = u64>>> = None;
        let mut state = 0u8;
        Box::new(std::iter::from_fn(move || {
            loop {
                match state {
                    0 => {
                        if let Some(x) = left.as_mut().and_then(|l| l.next()) {
                            return Some(x);
                        }
                        left = None;
                        state = 1;
                        return Some(node.value);
                    }
                    1 => {
                        right = node.right.as_deref().map(make_from_fn);
                        state = 2;
                    }
                    _ => return right.as_mut()?.next(),
                }
            }
        }))
    }

    pub fn from_fn_recursive(root: &'static Node) -> u64 {
        let mut acc = 0;
        for x in make_from_fn(root) {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod cogen_impl {
        use super::Node;
        use cogen::{generator, yield_, yield_from};

        #[generator(yield = u64)]
        pub fn walk<'a>(node: &'a Node) {
            if let Some(left) = node.left.as_deref() {
                yield_from!(Box::pin(walk(left)));
            }
            yield_!(node.value);
            if let Some(right) = node.right.as_deref() {
                yield_from!(Box::pin(walk(right)));
            }
        }
    }

    pub fn cogen(root: &'static Node) -> u64 {
        use cogen::Generator;
        let g = std::pin::pin!(cogen_impl::walk(root));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
    type RcGen = genawaiter::rc::Gen<u64, (), BoxFuture>;

    fn make_genawaiter(node: &'static Node) -> RcGen {
        RcGen::new(move |co| {
            Box::pin(async move {
                if let Some(left) = node.left.as_deref() {
                    let mut sub = make_genawaiter(left);
                    while let genawaiter::GeneratorState::Yielded(x) = sub.resume() {
                        co.yield_(x).await;
                    }
                }
                co.yield_(node.value).await;
                if let Some(right) = node.right.as_deref() {
                    let mut sub = make_genawaiter(right);
                    while let genawaiter::GeneratorState::Yielded(x) = sub.resume() {
                        co.yield_(x).await;
                    }
                }
            }) as BoxFuture
        })
    }

    pub fn genawaiter_rc(root: &'static Node) -> u64 {
        let mut acc = 0;
        for x in make_genawaiter(root) {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod next_gen_impl {
        use super::Node;
        use next_gen::prelude::*;

        type BoxGen = Pin<Box<dyn Generator<(), Yield = u64, Return = ()>>>;

        #[generator(yield(u64))]
        pub fn walk(node: &'static Node) {
            if let Some(left) = node.left.as_deref() {
                let mut sub: BoxGen = walk.call_boxed((left,));
                while let GeneratorState::Yielded(x) = sub.as_mut().resume(()) {
                    yield_!(x);
                }
            }
            yield_!(node.value);
            if let Some(right) = node.right.as_deref() {
                let mut sub: BoxGen = walk.call_boxed((right,));
                while let GeneratorState::Yielded(x) = sub.as_mut().resume(()) {
                    yield_!(x);
                }
            }
        }

        pub fn run(root: &'static Node) -> u64 {
            mk_gen!(let g = walk(root));
            let mut acc = 0;
            for x in g {
                acc = super::mix(acc, x);
            }
            acc
        }
    }

    pub fn next_gen(root: &'static Node) -> u64 {
        next_gen_impl::run(root)
    }

    /// Stackful: a plain recursive function suspending through the one shared yielder.
    fn coro_walk(y: &corosensei::Yielder<(), u64>, node: &Node) {
        if let Some(left) = node.left.as_deref() {
            coro_walk(y, left);
        }
        y.suspend(node.value);
        if let Some(right) = node.right.as_deref() {
            coro_walk(y, right);
        }
    }

    pub fn corosensei(root: &'static Node) -> u64 {
        use corosensei::{Coroutine, CoroutineResult, Yielder};
        let mut co = Coroutine::new(move |y: &Yielder<(), u64>, ()| coro_walk(y, root));
        let mut acc = 0;
        while let CoroutineResult::Yield(x) = co.resume(()) {
            acc = mix(acc, x);
        }
        acc
    }

    /// Stackful: a plain recursive function yielding through the one shared scope.
    fn gen_walk(s: &mut generator::Scope<'_, 'static, (), u64>, node: &Node) {
        if let Some(left) = node.left.as_deref() {
            gen_walk(s, left);
        }
        s.yield_(node.value);
        if let Some(right) = node.right.as_deref() {
            gen_walk(s, right);
        }
    }

    pub fn generator(root: &'static Node) -> u64 {
        let g = generator::Gn::<()>::new_scoped(move |mut s| {
            gen_walk(&mut s, root);
            generator::done!();
        });
        let mut acc = 0;
        for x in g {
            acc = mix(acc, x);
        }
        acc
    }
}

// ---------------------------------------------------------------------------------------
// W5 switch
// ---------------------------------------------------------------------------------------

/// W5: `tasks` tasks on one single-threaded executor, each yielding to it `yields` times.
///
/// Every task counts its own switches through [`mix`] and returns the count; every
/// implementation sums what its tasks returned, so the result is `tasks * yields` and
/// `tests/agree.rs` checks it. One run includes making the executor, spawning the tasks
/// (at least one allocation each, in every implementation) and collecting their results.
pub mod w5 {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

    use super::mix;

    /// Yield to the executor once: wake the task (so it is queued again) and return
    /// `Pending`; `Ready` when polled after that. tokio's `yield_now` without the
    /// runtime's bookkeeping.
    pub struct YieldNow {
        yielded: bool,
    }

    pub fn yield_now() -> YieldNow {
        YieldNow { yielded: false }
    }

    impl Future for YieldNow {
        type Output = ();
        #[inline]
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.yielded {
                return Poll::Ready(());
            }
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    /// The task body of the `std::future` implementations (floors, LocalPool):
    /// an `async` block, as a user writes it.
    async fn switcher(yields: u32) -> u64 {
        let mut switches = 0;
        for _ in 0..yields {
            yield_now().await;
            switches = mix(switches, 1);
        }
        switches
    }

    type BoxTask = Pin<Box<dyn Future<Output = u64>>>;

    /// The floor: the minimal ready-queue executor.
    ///
    /// A FIFO `VecDeque` of boxed, type-erased tasks (`Pin<Box<dyn Future>>`, the task
    /// body's `async` state machine). The executor pops the front task, polls it with a
    /// no-op waker, and pushes it back if it returned `Pending`; a finished task's result
    /// is added to the total. So a switch is: a pop, one indirect poll (the task resumes
    /// its `async` state machine, `YieldNow` returns `Pending`) and a push.
    ///
    /// It is honest for this workload only: every `Pending` here is a yield, so
    /// re-queueing on `Pending` is exactly what a waker would do. It has no wakers, no
    /// task handles, no timers and no join results beyond the sum: that is what makes it
    /// the floor (see [`hand_waker`] for the same with a real waker).
    pub fn hand(tasks: u32, yields: u32) -> u64 {
        let mut ready: VecDeque<BoxTask> = (0..tasks)
            .map(|_| Box::pin(switcher(yields)) as BoxTask)
            .collect();
        let mut cx = Context::from_waker(Waker::noop());
        let mut total = 0u64;
        while let Some(mut task) = ready.pop_front() {
            match task.as_mut().poll(&mut cx) {
                Poll::Ready(switches) => total = total.wrapping_add(switches),
                Poll::Pending => ready.push_back(task),
            }
        }
        total
    }

    /// The minimal ready-queue executor with a real waker: a task is queued again only
    /// when it is woken, so tasks could also wait for things other than the executor.
    ///
    /// Tasks live in a slab (`Vec<Option<BoxTask>>`); the ready queue holds task indices.
    /// The waker is a hand-written `RawWaker` whose data pointer is the task's slot
    /// (`Slot { id, ready }`) and whose `wake` pushes the index onto the queue; cloning
    /// and dropping it are free (the slots outlive every waker of a run, since nothing
    /// keeps one past the run). A switch is a pop of an index, a slab lookup, the poll
    /// (whose `wake_by_ref` is one indirect call and a push), nothing else.
    pub fn hand_waker(tasks: u32, yields: u32) -> u64 {
        struct Slot {
            id: usize,
            ready: *const RefCell<VecDeque<usize>>,
        }
        unsafe fn clone(data: *const ()) -> RawWaker {
            RawWaker::new(data, &VTABLE)
        }
        unsafe fn wake(data: *const ()) {
            // SAFETY: `data` is a `Slot` of the running `hand_waker`, which outlives its
            // wakers; so does the queue it points to.
            unsafe {
                let slot = &*(data as *const Slot);
                (*slot.ready).borrow_mut().push_back(slot.id);
            }
        }
        unsafe fn drop(_: *const ()) {}
        static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, drop);

        let ready = RefCell::new(VecDeque::with_capacity(tasks as usize));
        let mut slab: Vec<Option<BoxTask>> = Vec::with_capacity(tasks as usize);
        let mut slots: Vec<Slot> = Vec::with_capacity(tasks as usize);
        for id in 0..tasks as usize {
            slab.push(Some(Box::pin(switcher(yields))));
            slots.push(Slot { id, ready: &ready });
            ready.borrow_mut().push_back(id);
        }
        let mut total = 0u64;
        loop {
            let Some(id) = ready.borrow_mut().pop_front() else {
                break;
            };
            let Some(task) = slab[id].as_mut() else {
                continue;
            };
            // SAFETY: the vtable's contract holds (see `wake`); `slots` is not touched
            // again while any waker exists.
            let waker = unsafe {
                Waker::from_raw(RawWaker::new(
                    &slots[id] as *const Slot as *const (),
                    &VTABLE,
                ))
            };
            let mut cx = Context::from_waker(&waker);
            if let Poll::Ready(switches) = task.as_mut().poll(&mut cx) {
                total = total.wrapping_add(switches);
                slab[id] = None;
            }
        }
        total
    }

    pub mod cogen_impl {
        use cogen::asyncio::{self, Cancelled, Task};
        use cogen::yield_from;

        /// The W5 task: yield to the loop `yields` times (the issue's `switcher`, counting
        /// its switches).
        #[cogen::asyncio::coroutine]
        pub fn switcher(yields: u32) -> Result<u64, Cancelled> {
            let mut switches = 0;
            for _ in 0..yields {
                yield_from!(asyncio::yield_now())?;
                switches = super::mix(switches, 1);
            }
            Ok(switches)
        }

        /// What a user writes (Python: `tasks = [create_task(..)]; await gather(*tasks)`).
        #[cogen::asyncio::coroutine]
        pub fn main(tasks: u32, yields: u32) -> Result<u64, Cancelled> {
            let all: Vec<Task<u64>> = (0..tasks)
                .map(|_| asyncio::create_task(switcher(yields)))
                .collect();
            let results = yield_from!(asyncio::gather(all))?;
            Ok(results.into_iter().fold(0, u64::wrapping_add))
        }
    }

    /// cogen as a user writes it: `asyncio::run(main)`, where `main` creates the tasks with
    /// `asyncio::create_task` and awaits `asyncio::gather(tasks)`.
    pub fn cogen(tasks: u32, yields: u32) -> u64 {
        cogen::asyncio::run(cogen_impl::main(tasks, yields)).expect("not cancelled")
    }

    /// cogen without a main coroutine or gather: `lp.create_task` per task, then
    /// `lp.run_until_idle()`, then each task's result.
    pub fn cogen_run_until_idle(tasks: u32, yields: u32) -> u64 {
        let lp = cogen::asyncio::EventLoop::new();
        let all: Vec<_> = (0..tasks)
            .map(|_| lp.create_task(cogen_impl::switcher(yields)))
            .collect();
        lp.run_until_idle();
        all.iter()
            .map(|task| task.result().expect("done").expect("not cancelled"))
            .fold(0, u64::wrapping_add)
    }

    /// Diagnostic: cogen's coroutines driven by the floor's executor, without `asyncio`'s
    /// event loop, tasks or futures: a `VecDeque` of boxed `dyn Generator`s, started or
    /// resumed with `Ok(())` and re-queued whenever they yield (every yield here is
    /// `yield_now`'s). The difference to `hand` is the generator protocol (resume, the
    /// body's state machine, the delegated `yield_now` leaf); the difference to `cogen` is
    /// the asyncio layer (task step, event loop, futures, spawning and joining).
    pub fn cogen_on_hand_queue(tasks: u32, yields: u32) -> u64 {
        use cogen::asyncio::{Cancelled, Resume, Suspend};
        use cogen::{Generator, GeneratorState, Status};
        type BoxCoroutine =
            Pin<Box<dyn Generator<Resume, Yield = Suspend, Return = Result<u64, Cancelled>>>>;
        let mut ready: VecDeque<BoxCoroutine> = (0..tasks)
            .map(|_| Box::pin(cogen_impl::switcher(yields)) as BoxCoroutine)
            .collect();
        let mut total = 0u64;
        while let Some(mut coroutine) = ready.pop_front() {
            let state = if coroutine.status() == Status::Created {
                coroutine.as_mut().start()
            } else {
                coroutine.as_mut().resume(Ok(()))
            };
            match state {
                GeneratorState::Yielded(_) => ready.push_back(coroutine),
                GeneratorState::Complete(switches) => {
                    total = total.wrapping_add(switches.expect("not cancelled"))
                }
            }
        }
        total
    }

    async fn tokio_switcher(yields: u32) -> u64 {
        let mut switches = 0;
        for _ in 0..yields {
            tokio::task::yield_now().await;
            switches = mix(switches, 1);
        }
        switches
    }

    /// tokio's current-thread runtime: `tokio::spawn` per task inside `block_on`, then
    /// each `JoinHandle` awaited.
    pub fn tokio_current_thread(tasks: u32, yields: u32) -> u64 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|_| tokio::spawn(tokio_switcher(yields)))
                .collect();
            let mut total = 0u64;
            for handle in handles {
                total = total.wrapping_add(handle.await.expect("task"));
            }
            total
        })
    }

    /// tokio's current-thread runtime with a `LocalSet`: `spawn_local` per task.
    pub fn tokio_local_set(tasks: u32, yields: u32) -> u64 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async move {
            let handles: Vec<_> = (0..tasks)
                .map(|_| tokio::task::spawn_local(tokio_switcher(yields)))
                .collect();
            let mut total = 0u64;
            for handle in handles {
                total = total.wrapping_add(handle.await.expect("task"));
            }
            total
        })
    }

    /// `futures::executor::LocalPool`: `spawn_local` per task, then `run()`; each task
    /// adds its count to a shared cell as it finishes.
    pub fn local_pool(tasks: u32, yields: u32) -> u64 {
        use futures::task::LocalSpawnExt;
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        let total = Rc::new(Cell::new(0u64));
        for _ in 0..tasks {
            let total = total.clone();
            spawner
                .spawn_local(async move {
                    let switches = switcher(yields).await;
                    total.set(total.get().wrapping_add(switches));
                })
                .expect("spawn");
        }
        pool.run();
        total.get()
    }
}

// ---------------------------------------------------------------------------------------
// W6 async stream
// ---------------------------------------------------------------------------------------

/// W6: an async stream of `0..n`, polled to completion by `futures::executor::block_on`.
///
/// Every implementation is summed by the same driver, [`w6::drive`]: one `block_on` of
/// `while let Some(x) = s.next().await`, the stream pinned on the stack. Every stream here
/// is always ready, so `block_on` polls its future once and the whole run is one poll:
/// per item there is one `poll_next` through `StreamExt::next`, nothing of the executor.
/// W6b puts an always-ready `std::future::ready(()).await` before each item, in the
/// implementations whose body can `.await`.
pub mod w6 {
    use std::future::Future;
    use std::pin::{Pin, pin};
    use std::task::{Context, Poll};

    use futures::{Stream, StreamExt};

    use super::mix;

    /// The driver of every W6 implementation: `block_on` of a `next().await` loop.
    #[inline(always)]
    pub fn drive(stream: impl Stream<Item = u64>) -> u64 {
        futures::executor::block_on(async move {
            let mut stream = pin!(stream);
            let mut acc = 0;
            while let Some(x) = stream.next().await {
                acc = mix(acc, x);
            }
            acc
        })
    }

    /// The hand-written floor: a counter `Stream`, always ready.
    pub struct Upto {
        i: u64,
        n: u64,
    }

    impl Upto {
        pub fn new(n: u64) -> Self {
            Upto { i: 0, n }
        }
    }

    impl Stream for Upto {
        type Item = u64;
        #[inline]
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
            let this = self.get_mut();
            if this.i < this.n {
                let i = this.i;
                this.i += 1;
                Poll::Ready(Some(i))
            } else {
                Poll::Ready(None)
            }
        }
    }

    /// The W6b floor: the counter `Stream`, which makes and polls a
    /// `std::future::ready(())` before each item (what a hand-written state machine does
    /// for an `.await` of an always-ready future; `Pending` would be passed on).
    pub struct AwaitUpto {
        i: u64,
        n: u64,
    }

    impl AwaitUpto {
        pub fn new(n: u64) -> Self {
            AwaitUpto { i: 0, n }
        }
    }

    impl Stream for AwaitUpto {
        type Item = u64;
        #[inline]
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
            let this = self.get_mut();
            if this.i < this.n {
                let mut ready = std::future::ready(());
                if Pin::new(&mut ready).poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let i = this.i;
                this.i += 1;
                Poll::Ready(Some(i))
            } else {
                Poll::Ready(None)
            }
        }
    }

    pub fn hand(n: u64) -> u64 {
        drive(Upto::new(n))
    }

    pub fn await_hand(n: u64) -> u64 {
        drive(AwaitUpto::new(n))
    }

    /// `futures::stream::iter` over the range.
    pub fn stream_iter(n: u64) -> u64 {
        drive(futures::stream::iter(0..n))
    }

    /// async-stream's `stream!` (yields through a thread-local slot).
    pub fn async_stream(n: u64) -> u64 {
        drive(async_stream::stream! {
            for i in 0..n {
                yield i;
            }
        })
    }

    pub fn await_async_stream(n: u64) -> u64 {
        drive(async_stream::stream! {
            for i in 0..n {
                std::future::ready(()).await;
                yield i;
            }
        })
    }

    pub mod cogen_impl {
        use cogen::{generator, yield_};

        /// The W6 async generator.
        #[generator(yield = u64)]
        pub async fn count(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        /// The W6b async generator: an always-ready `.await` before each yield.
        #[generator(yield = u64)]
        pub async fn count_await(n: u64) {
            for i in 0..n {
                std::future::ready(()).await;
                yield_!(i);
            }
        }

        /// A sync generator, for `GeneratorStream` (its own, so that W1's generators keep
        /// their uses).
        #[generator(yield = u64)]
        pub fn upto(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }
    }

    /// cogen's async generator, as a `Stream`.
    pub fn cogen(n: u64) -> u64 {
        drive(cogen_impl::count(n))
    }

    pub fn await_cogen(n: u64) -> u64 {
        drive(cogen_impl::count_await(n))
    }

    /// cogen's `GeneratorStream` over a sync generator (stack-pinned): the adapter that
    /// came before async generators.
    pub fn cogen_generator_stream(n: u64) -> u64 {
        drive(cogen::GeneratorStream::new(pin!(cogen_impl::upto(n))))
    }
}

// ---------------------------------------------------------------------------------------
// W7 pipeline
// ---------------------------------------------------------------------------------------

pub mod w7 {
    //! A three-stage pipeline: a source of `0..n`, a filter that drops the multiples of 3,
    //! a map `x -> 2x + 1`, summed. Every row computes the same items.

    use super::mix;

    /// The filter stage's predicate.
    #[inline(always)]
    pub fn keep(x: u64) -> bool {
        !x.is_multiple_of(3)
    }

    /// The map stage's function.
    #[inline(always)]
    pub fn map(x: u64) -> u64 {
        2 * x + 1
    }

    /// The floor: the iterator combinators `(0..n).filter(..).map(..)`.
    pub fn combinators(n: u64) -> u64 {
        let mut acc = 0;
        for x in (0..n).filter(|&x| keep(x)).map(map) {
            acc = mix(acc, x);
        }
        acc
    }

    /// Each stage a `Box<dyn Iterator>` over the one before.
    pub fn boxed_stages(n: u64) -> u64 {
        let source: Box<dyn Iterator<Item = u64>> = Box::new(0..n);
        let filtered: Box<dyn Iterator<Item = u64>> = Box::new(source.filter(|&x| keep(x)));
        let mapped: Box<dyn Iterator<Item = u64>> = Box::new(filtered.map(map));
        let mut acc = 0;
        for x in mapped {
            acc = mix(acc, x);
        }
        acc
    }

    pub mod cogen_impl {
        use std::pin::pin;

        use cogen::{Generator, generator, yield_};

        /// The source stage.
        #[generator(yield = u64)]
        pub fn source(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        /// The filter stage, over any generator of `u64`s (held in place, iterated with
        /// `iter()`).
        #[generator(yield = u64)]
        pub fn filter<G: Generator<Yield = u64, Return = ()>>(upstream: G) {
            for x in pin!(upstream).iter() {
                if super::keep(x) {
                    yield_!(x);
                }
            }
        }

        /// The map stage.
        #[generator(yield = u64)]
        pub fn map<G: Generator<Yield = u64, Return = ()>>(upstream: G) {
            for x in pin!(upstream).iter() {
                yield_!(super::map(x));
            }
        }

        /// The filter stage over any iterable (`for x in upstream`: a generator is boxed
        /// once by its `IntoIterator`).
        #[generator(yield = u64)]
        pub fn filter_iter(upstream: impl IntoIterator<Item = u64>) {
            for x in upstream {
                if super::keep(x) {
                    yield_!(x);
                }
            }
        }

        /// The map stage over any iterable.
        #[generator(yield = u64)]
        pub fn map_iter(upstream: impl IntoIterator<Item = u64>) {
            for x in upstream {
                yield_!(super::map(x));
            }
        }
    }

    /// Three generators, each held in place by the next: `map(filter(source(n)))`,
    /// iterated with `pin!(g).iter()`.
    pub fn cogen(n: u64) -> u64 {
        use cogen::Generator;
        use cogen_impl::{filter, map, source};
        let g = std::pin::pin!(map(filter(source(n))));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    /// One generator (the source) and the iterator combinators for the other stages.
    pub fn cogen_source_combinators(n: u64) -> u64 {
        use cogen::Generator;
        let g = std::pin::pin!(cogen_impl::source(n));
        let mut acc = 0;
        for x in g.iter().filter(|&x| keep(x)).map(map) {
            acc = mix(acc, x);
        }
        acc
    }

    /// Stages over `impl IntoIterator`, each `for x in upstream`: every stage but the
    /// last boxed once by `for`.
    pub fn cogen_into_iter(n: u64) -> u64 {
        use cogen_impl::{filter_iter, map_iter, source};
        let mut acc = 0;
        for x in map_iter(filter_iter(source(n))) {
            acc = mix(acc, x);
        }
        acc
    }

    /// The same stages, the pipeline iterated with `for x in g` (boxed once).
    pub fn cogen_boxed_for(n: u64) -> u64 {
        use cogen_impl::{filter, map, source};
        let mut acc = 0;
        for x in map(filter(source(n))) {
            acc = mix(acc, x);
        }
        acc
    }
}

// ---------------------------------------------------------------------------------------
// W8 stream polled to the end
// ---------------------------------------------------------------------------------------

pub mod w8 {
    //! A `Stream` of `0..n` polled to its end in a plain loop: pinned on the stack, a no-op
    //! waker, `poll_next` until `Ready(None)`, no executor and no `async` block (W6 measures
    //! the same streams under `block_on` + `next().await`).

    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use futures::Stream;

    use super::mix;

    /// The driver of every W8 row.
    #[inline(always)]
    pub fn drive(stream: impl Stream<Item = u64>) -> u64 {
        let mut stream = pin!(stream);
        let mut cx = Context::from_waker(Waker::noop());
        let mut acc = 0;
        loop {
            match stream.as_mut().poll_next(&mut cx) {
                Poll::Ready(Some(x)) => acc = mix(acc, x),
                Poll::Ready(None) => return acc,
                Poll::Pending => {}
            }
        }
    }

    pub mod cogen_impl {
        use cogen::{generator, yield_};

        /// A sync generator with three uses in this crate (`GeneratorStream` here and in
        /// `cogen_generator_stream_next`, `iter()` in `cogen_iter`): the case where the
        /// step stopped being inlined.
        #[generator(yield = u64)]
        pub fn upto(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }

        /// The same generator, with one use in the crate.
        #[generator(yield = u64)]
        pub fn upto_sole_use(n: u64) {
            for i in 0..n {
                yield_!(i);
            }
        }
    }

    pub fn hand(n: u64) -> u64 {
        drive(super::w6::Upto::new(n))
    }

    pub fn stream_iter(n: u64) -> u64 {
        drive(futures::stream::iter(0..n))
    }

    pub fn async_stream(n: u64) -> u64 {
        drive(async_stream::stream! {
            for i in 0..n {
                yield i;
            }
        })
    }

    /// `GeneratorStream` over the generator with three uses in the crate.
    pub fn cogen_generator_stream(n: u64) -> u64 {
        drive(cogen::GeneratorStream::new(pin!(cogen_impl::upto(n))))
    }

    /// `GeneratorStream` over the generator with one use.
    pub fn cogen_generator_stream_sole_use(n: u64) -> u64 {
        drive(cogen::GeneratorStream::new(pin!(
            cogen_impl::upto_sole_use(n)
        )))
    }

    /// The second use of `upto`: `GeneratorStream` boxed, under W6's `block_on` driver.
    pub fn cogen_generator_stream_next(n: u64) -> u64 {
        super::w6::drive(cogen::GeneratorStream::new(Box::pin(cogen_impl::upto(n))))
    }

    /// The third use of `upto`: iterated in place.
    pub fn cogen_iter(n: u64) -> u64 {
        use cogen::Generator;
        let g = pin!(cogen_impl::upto(n));
        let mut acc = 0;
        for x in g.iter() {
            acc = mix(acc, x);
        }
        acc
    }

    /// cogen's async generator (W6's), polled in the plain loop.
    pub fn cogen_async(n: u64) -> u64 {
        drive(super::w6::cogen_impl::count(n))
    }

    /// cogen's async generator with a `ready(()).await` per item (W6b's).
    pub fn cogen_async_await(n: u64) -> u64 {
        drive(super::w6::cogen_impl::count_await(n))
    }
}
