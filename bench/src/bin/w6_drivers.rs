//! Diagnostic for W6 (bench/PROFILING.md): the same streams under three drivers, to tell
//! the stream's own cost from where its state lives.
//!
//! `w6_drivers <driver> <impl> [reps]`, driver one of
//! * `next`: W6's own driver, `block_on` of a `while let Some(x) = s.next().await` loop;
//! * `inline_next`: the same, with a `next` future whose `poll` is `#[inline(always)]`
//!   (`StreamExt::next`'s `poll_next_unpin` may stay out of line);
//! * `loop`: no executor and no `async` block: the stream pinned on this function's
//!   stack, `poll_next` called in a plain loop with a no-op waker;
//!
//! and impl one of `hand`, `async_stream`, `cogen`, `await_hand`, `await_async_stream`,
//! `await_cogen`. Prints ns per item (one timing, for orientation only) to stderr; count
//! instructions with `valgrind --tool=callgrind`.

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use cogen_bench::{W6_N, mix, w6};
use futures::Stream;

/// `StreamExt::next` with its `poll` forced inline.
struct InlineNext<'a, S>(Pin<&'a mut S>);

impl<S: Stream> Future for InlineNext<'_, S> {
    type Output = Option<S::Item>;
    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll_next(cx)
    }
}

#[inline(always)]
fn inline_next(stream: impl Stream<Item = u64>) -> u64 {
    futures::executor::block_on(async move {
        let mut stream = pin!(stream);
        let mut acc = 0;
        while let Some(x) = InlineNext(stream.as_mut()).await {
            acc = mix(acc, x);
        }
        acc
    })
}

#[inline(always)]
fn plain_loop(stream: impl Stream<Item = u64>) -> u64 {
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

/// One function per (driver, impl), so each is a separate symbol for callgrind.
macro_rules! drivers {
    ($($name:literal => $make:expr),* $(,)?) => {
        fn pick(driver: &str, name: &str) -> fn(u64) -> u64 {
            match (driver, name) {
                $(
                    ("next", $name) => |n| w6::drive($make(n)),
                    ("inline_next", $name) => |n| inline_next($make(n)),
                    ("loop", $name) => |n| plain_loop($make(n)),
                )*
                _ => panic!("no driver {driver:?} or implementation {name:?}"),
            }
        }
    };
}

drivers!(
    "hand" => w6::Upto::new,
    "async_stream" => |n| async_stream::stream! { for i in 0..n { yield i; } },
    "cogen" => w6::cogen_impl::count,
    "await_hand" => w6::AwaitUpto::new,
    "await_async_stream" => |n| async_stream::stream! {
        for i in 0..n {
            std::future::ready(()).await;
            yield i;
        }
    },
    "await_cogen" => w6::cogen_impl::count_await,
);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let f = pick(&args[0], &args[1]);
    let reps: u32 = args.get(2).map_or(1, |s| s.parse().unwrap());
    let start = std::time::Instant::now();
    let mut out = 0;
    for _ in 0..reps {
        out ^= f(black_box(W6_N));
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(reps) / W6_N as f64;
    eprintln!("{} {}: {ns:.2} ns/item", args[0], args[1]);
    println!("{out}");
}
