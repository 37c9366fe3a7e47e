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

// ---- #[generator(boxed)]: a boxed trait object, so a trait with a generator method is
// dyn-compatible ----

trait Source {
    #[cogen::generator(boxed, yield = &str)]
    fn words(&self) -> usize;
}

struct Sentence(String);

impl Source for Sentence {
    #[cogen::generator(boxed, yield = &str)]
    fn words(&self) -> usize {
        let mut n = 0;
        for word in self.0.split_whitespace() {
            cogen::yield_!(word);
            n += 1;
        }
        n
    }
}

struct Fixed;

impl Source for Fixed {
    #[cogen::generator(boxed, yield = &str)]
    fn words(&self) -> usize {
        cogen::yield_!("fixed");
        1
    }
}

#[test]
fn a_trait_with_a_boxed_generator_method_is_dyn_compatible() {
    let sources: Vec<Box<dyn Source>> = vec![Box::new(Sentence("a b".into())), Box::new(Fixed)];
    let mut all = Vec::new();
    for source in &sources {
        let mut g = source.words();
        all.extend(cogen::Iter::new(g.as_mut()));
        assert_eq!(cogen::Generator::status(&*g), cogen::Status::Closed);
    }
    assert_eq!(all, ["a", "b", "fixed"]);
}

#[cogen::generator(boxed, yield = T)]
fn repeat<T: Clone + Send>(value: T, times: usize, label: impl AsRef<str> + Send) -> String {
    for _ in 0..times {
        cogen::yield_!(value.clone());
    }
    label.as_ref().to_string()
}

#[cogen::generator(boxed_local, yield = u32)]
fn shared(counter: std::rc::Rc<std::cell::Cell<u32>>) {
    counter.set(counter.get() + 1);
    cogen::yield_!(counter.get());
}

#[test]
fn boxed_generators_are_send_trait_objects_and_boxed_local_ones_may_hold_rc() {
    use cogen::Generator;
    let mut g: std::pin::Pin<Box<dyn Generator<Yield = char, Return = String> + Send>> =
        repeat('x', 2, "done");
    assert_eq!(g.as_mut().start().yielded(), Some('x'));
    assert_eq!(g.as_mut().resume(()).yielded(), Some('x'));
    assert_eq!(g.as_mut().resume(()).complete(), Some("done".to_string()));
    let counter = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut local = shared(counter.clone());
    assert_eq!(local.as_mut().start().yielded(), Some(1));
}

#[test]
fn a_boxed_generator_trait_object_is_iterated_with_for() {
    let sentence = Sentence("for each word".into());
    let mut seen = Vec::new();
    #[cogen::generator(boxed, yield = u32)]
    fn squares(n: u32) {
        for i in 1..=n {
            cogen::yield_!(i * i);
        }
    }
    for square in squares(3) {
        seen.push(square);
    }
    assert_eq!(seen, [1, 4, 9]);
    // One that returns a value is iterated through `IntoIter::from_pinned`, which keeps it.
    let mut words = cogen::IntoIter::from_pinned(sentence.words());
    assert_eq!(words.by_ref().count(), 3);
    assert_eq!(words.take_return(), Some(3));
}
