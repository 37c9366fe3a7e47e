//! Generators as trait methods: `#[generator]` on a trait's declaration writes its
//! `-> impl Generator<..>`, and the implementations' `#[generator]` matches it; default
//! methods and inherent methods are generators as any fn is.

use std::pin::pin;

use cogen::GeneratorState::{Complete, Yielded};
use cogen::{Generator, generator, yield_, yield_from};

trait Shape {
    fn sides(&self) -> u32;

    /// A declaration: the attribute writes `-> impl Generator<Yield = u32, Return = ()> + ..`.
    #[generator(yield = u32)]
    fn corners(&self);

    /// A declaration with a send type and a return value.
    #[generator(yield = u32, send = u32)]
    fn scaled(&self) -> &'static str;

    /// A default method whose body is a generator.
    #[generator(yield = String)]
    fn labels(&self) {
        for i in 0..self.sides() {
            yield_!(format!("side {i}"));
        }
    }
}

struct Triangle;

impl Shape for Triangle {
    fn sides(&self) -> u32 {
        3
    }

    #[generator(yield = u32)]
    fn corners(&self) {
        yield_from!(1..=self.sides());
    }

    #[generator(yield = u32, send = u32)]
    fn scaled(&self) -> &'static str {
        let mut factor = yield_!(0);
        for i in 1..=self.sides() {
            factor = yield_!(i * factor);
        }
        "triangle"
    }
}

struct Square;

impl Shape for Square {
    fn sides(&self) -> u32 {
        4
    }

    #[generator(yield = u32)]
    fn corners(&self) {
        for i in 0..self.sides() {
            yield_!(10 * i);
        }
    }

    #[generator(yield = u32, send = u32)]
    fn scaled(&self) -> &'static str {
        let _ = yield_!(self.sides());
        "square"
    }

    // The default method, overridden by another generator.
    #[generator(yield = String)]
    fn labels(&self) {
        yield_!("all four".to_string());
    }
}

#[test]
fn a_generator_declared_in_a_trait_is_implemented_by_generators() {
    assert_eq!(
        Triangle.corners().into_iter().collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        Square.corners().into_iter().collect::<Vec<_>>(),
        [0, 10, 20, 30]
    );
}

#[test]
fn a_declared_generator_with_a_send_type_keeps_it_and_its_return_value() {
    let triangle = Triangle;
    let mut g = pin!(triangle.scaled());
    assert_eq!(g.as_mut().start(), Yielded(0));
    assert_eq!(g.as_mut().resume(2), Yielded(2));
    assert_eq!(g.as_mut().resume(2), Yielded(4));
    assert_eq!(g.as_mut().resume(2), Yielded(6));
    assert_eq!(g.as_mut().resume(2), Complete("triangle"));
}

#[test]
fn a_default_method_generator_runs_and_can_be_overridden() {
    assert_eq!(
        Triangle.labels().into_iter().collect::<Vec<_>>(),
        ["side 0", "side 1", "side 2"]
    );
    assert_eq!(
        Square.labels().into_iter().collect::<Vec<_>>(),
        ["all four"]
    );
}

#[test]
fn generic_code_drives_a_trait_generator_through_its_declared_type() {
    fn total(shape: &impl Shape) -> u32 {
        shape.corners().into_iter().sum()
    }
    fn run_scaled(shape: &impl Shape) -> &'static str {
        let mut g = pin!(shape.scaled());
        let mut step = g.as_mut().send(None);
        while let Some(Yielded(_)) = step {
            step = g.as_mut().send(Some(1));
        }
        step.and_then(|s| s.complete()).expect("completes")
    }
    assert_eq!(total(&Triangle), 6);
    assert_eq!(total(&Square), 60);
    assert_eq!(run_scaled(&Triangle), "triangle");
    assert_eq!(run_scaled(&Square), "square");
}

struct Counter(u32);

impl Counter {
    #[generator(yield = u32)]
    fn up_to(&self, extra: u32) -> u32 {
        for i in 0..self.0 + extra {
            yield_!(i);
        }
        self.0
    }
}

#[test]
fn an_inherent_method_generator_borrows_its_receiver() {
    let counter = Counter(2);
    let mut g = pin!(counter.up_to(1));
    assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(g.status(), cogen::Status::Closed);
}
