//! The expansion adds no warning of its own, whatever the shape of the fn: this file
//! denies every rustc lint (and CI's clippy run denies clippy's), so a lint that fires on
//! generated code fails the build. Each generator is also run, so the shapes stay real.

#![deny(warnings)]
// Pedantic lints that fire on bindings the expansion makes (`let _guard = _guard;`).
#![deny(clippy::used_underscore_binding)]

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_, yield_from};

/// A body that is a single expression.
#[generator(yield = u8)]
fn single_expression(n: u8) {
    for i in 0..n {
        yield_!(i);
    }
}

/// `mut` argument, tuple pattern, ignored argument, a return value.
#[generator(yield = u32, send = u32)]
fn patterns(mut total: u32, (a, b): (u32, u32), _: String) -> u32 {
    total += a + b;
    total += yield_!(total);
    total
}

/// An argument named with a leading underscore, kept alive but never used.
#[generator(yield = u8)]
fn underscore_argument(_keep_alive: String) {
    yield_!(1);
}

/// Empty body, empty yield.
#[generator]
fn empty() {}

#[generator]
fn unit_yield() {
    yield_!();
}

struct Counter {
    items: Vec<u8>,
    label: &'static str,
}

impl Counter {
    #[generator(yield = &u8)]
    fn iter(&self) {
        for item in &self.items {
            yield_!(item);
        }
    }

    #[generator(yield = u8)]
    fn drain(mut self) -> &'static str {
        while let Some(item) = self.items.pop() {
            yield_!(item);
        }
        self.label
    }
}

#[generator(yield = u8)]
fn delegating() -> &'static str {
    yield_from!(single_expression(2));
    yield_from!(vec![7, 8]);
    yield_from!(
        Counter {
            items: vec![9],
            label: "done"
        }
        .drain()
    )
}

/// An async generator that awaits, delegates and yields inside another macro.
#[generator(yield = u32, send = u32)]
async fn asynchronous(values: Vec<u32>) -> u32 {
    std::future::ready(()).await;
    let total = yield_from!(Box::pin(sums()));
    let echoed = format!("{}", yield_!(total));
    echoed.len() as u32 + values.len() as u32
}

#[generator(yield = u32, send = u32)]
async fn sums() -> u32 {
    let mut total = 0;
    for _ in 0..2 {
        total += yield_!(total);
    }
    total
}

/// An async stream that returns a value.
#[generator(yield = u8)]
async fn stream_with_return() -> usize {
    yield_!(1);
    1
}

#[test]
fn every_async_shape_runs() {
    use cogen::AsyncGenerator;
    use futures::StreamExt;
    futures::executor::block_on(async {
        let mut g = pin!(asynchronous(vec![1]));
        assert_eq!(g.as_mut().start().await, GeneratorState::Yielded(0));
        assert_eq!(g.as_mut().resume(4).await, GeneratorState::Yielded(4));
        assert_eq!(g.as_mut().resume(5).await, GeneratorState::Yielded(9));
        assert_eq!(g.as_mut().resume(123).await, GeneratorState::Complete(4));
        assert_eq!(stream_with_return().count().await, 1);
    });
}

#[test]
fn every_shape_runs() {
    assert_eq!(
        pin!(single_expression(3)).iter().collect::<Vec<_>>(),
        [0, 1, 2]
    );
    let mut g = pin!(patterns(1, (2, 3), String::new()));
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(6));
    assert_eq!(g.as_mut().resume(4), GeneratorState::Complete(10));
    assert_eq!(pin!(underscore_argument(String::new())).iter().count(), 1);
    assert_eq!(pin!(empty()).iter().count(), 0);
    assert_eq!(pin!(unit_yield()).iter().count(), 1);
    let counter = Counter {
        items: vec![1, 2],
        label: "c",
    };
    assert_eq!(
        pin!(counter.iter()).iter().copied().collect::<Vec<_>>(),
        [1, 2]
    );
    let mut g = pin!(delegating());
    let mut seen = vec![g.as_mut().start()];
    while let Some(GeneratorState::Yielded(_)) = seen.last() {
        seen.push(g.as_mut().resume(()));
    }
    assert_eq!(seen.last(), Some(&GeneratorState::Complete("done")));
    assert_eq!(seen.len(), 6);
}
