//! `GeneratorStream` and `GeneratorFuture`: generators driven by async code.

mod support;

use std::pin::pin;

use cogen::{Generator, GeneratorFuture, GeneratorStream, Status, generator, yield_};
use futures::executor::{LocalPool, block_on};
use futures::stream::{FusedStream, StreamExt};
use futures::task::LocalSpawnExt;
use support::{entries, expect_panic, new_trace, push};

#[generator(yield = u32)]
fn numbers(n: u32) -> &'static str {
    for i in 1..=n {
        yield_!(i);
    }
    "end"
}

#[test]
fn a_stream_yields_every_value_then_ends_and_keeps_the_return_value() {
    let generator = pin!(numbers(3));
    let mut stream = GeneratorStream::new(generator);
    assert!(!stream.is_terminated());
    let all: Vec<u32> = block_on(stream.by_ref().collect());
    assert_eq!(all, [1, 2, 3]);
    assert!(stream.is_terminated());
    assert_eq!(block_on(stream.next()), None); // fused
    assert_eq!(stream.take_return(), Some("end"));
    assert_eq!(stream.take_return(), None);
}

#[test]
fn a_stream_works_with_combinators() {
    let stream = GeneratorStream::new(Box::pin(numbers(6)));
    let evens: Vec<u32> = block_on(stream.filter(|i| std::future::ready(i % 2 == 0)).collect());
    assert_eq!(evens, [2, 4, 6]);
}

#[test]
fn each_bare_yield_gives_the_executor_a_turn() {
    #[generator]
    fn worker(name: &'static str, turns: u32, trace: support::Trace) -> u32 {
        for i in 0..turns {
            push(&trace, format!("{name}{i}"));
            yield_!();
        }
        turns
    }

    let trace = new_trace();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let a = spawner
        .spawn_local_with_handle(GeneratorFuture::new(Box::pin(worker(
            "a",
            3,
            trace.clone(),
        ))))
        .unwrap();
    let b = spawner
        .spawn_local_with_handle(GeneratorFuture::new(Box::pin(worker(
            "b",
            2,
            trace.clone(),
        ))))
        .unwrap();
    let (a, b) = pool.run_until(async { (a.await, b.await) });
    assert_eq!((a, b), (3, 2));
    assert_eq!(entries(&trace), ["a0", "b0", "a1", "b1", "a2"]);
}

#[test]
fn a_generator_future_completes_with_the_return_value_and_gives_the_generator_back() {
    #[generator]
    fn two_turns() -> &'static str {
        yield_!();
        yield_!();
        "done"
    }

    let mut future = GeneratorFuture::new(Box::pin(two_turns()));
    assert_eq!(block_on(&mut future), "done");
    assert_eq!(future.into_inner().status(), Status::Closed);
}

#[test]
fn polling_a_generator_future_after_it_completed_panics() {
    #[generator]
    fn at_once() -> u8 {
        7
    }

    let mut future = GeneratorFuture::new(Box::pin(at_once()));
    assert_eq!(block_on(&mut future), 7);
    let message = expect_panic(|| block_on(&mut future));
    assert!(message.contains("polled after it completed"), "{message}");
}
