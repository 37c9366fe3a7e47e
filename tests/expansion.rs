//! What `#[generator]` accepts and keeps: valid Rust around and inside a body compiles and
//! behaves as written.

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_};

#[generator(yield = u32)]
fn with_a_cfg_d_out_yield() {
    yield_!(1);
    #[cfg(not(test))]
    yield_!(2);
    #[cfg(test)]
    yield_!(3);
}

#[test]
fn attributes_on_a_yield_statement_are_kept_so_a_cfg_d_out_yield_never_runs() {
    assert_eq!(
        pin!(with_a_cfg_d_out_yield()).iter().collect::<Vec<_>>(),
        [1, 3]
    );
}

#[generator(yield = u32)]
fn brace_statements() -> u32 {
    yield_! {1}
    yield_! {2}
    yield_!(3);
    7
}

#[test]
fn a_brace_delimited_yield_between_statements_needs_no_semicolon() {
    let mut g = pin!(brace_statements());
    let mut items = g.as_mut().iter();
    assert_eq!(items.by_ref().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(items.take_return(), Some(7));
}

#[generator(yield = u32)]
fn inner_attributes() {
    #![allow(clippy::unused_unit)]
    //! An inner doc comment at the top of the body.
    yield_!(1);
}

#[test]
fn inner_attributes_and_docs_at_the_top_of_a_body_stay_inside_it() {
    assert_eq!(pin!(inner_attributes()).iter().collect::<Vec<_>>(), [1]);
}

#[generator(yield = u32)]
fn cfg_parameters(#[cfg(test)] kept: u32, #[cfg(not(test))] dropped: u32) {
    yield_!(kept);
}

#[test]
fn a_cfg_d_out_parameter_is_not_bound() {
    assert_eq!(pin!(cfg_parameters(5)).iter().collect::<Vec<_>>(), [5]);
}

#[generator(yield = u32)]
fn ref_mut_parameter(ref mut counter: u32) -> u32 {
    *counter += 1;
    yield_!(*counter);
    *counter += 1;
    *counter
}

#[test]
fn a_ref_mut_parameter_binds_into_the_body() {
    let mut g = pin!(ref_mut_parameter(10));
    assert_eq!(g.as_mut().start(), GeneratorState::Yielded(11));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Complete(12));
}

#[generator(yield = u32)]
fn with_nested_items() {
    struct Counter(u32);

    impl Counter {
        #[generator(yield = u32)]
        fn up_to(&self, n: u32) {
            for i in self.0..n {
                yield_!(i);
            }
        }
    }

    mod helpers {
        use cogen::{generator, yield_};

        #[generator(yield = u32)]
        pub fn twice(x: u32) {
            yield_!(x);
            yield_!(x);
        }
    }

    use cogen::generator as renamed;
    #[renamed(yield = u32)]
    fn under_another_name() {
        yield_!(100);
    }

    let counter = Counter(1);
    for i in pin!(counter.up_to(3)).iter() {
        yield_!(i);
    }
    for i in pin!(helpers::twice(9)).iter() {
        yield_!(i);
    }
    for i in pin!(under_another_name()).iter() {
        yield_!(i);
    }
}

#[test]
fn generator_methods_modules_and_renamed_attributes_nested_in_a_body_work() {
    assert_eq!(
        pin!(with_nested_items()).iter().collect::<Vec<_>>(),
        [1, 2, 9, 9, 100]
    );
}
