//! Inline generators: `generator_block!(keys, move { body })`, a generator as an expression
//! that captures its environment like a `move` closure, lowered as `#[generator]` lowers a
//! fn (the same errors: tests/ui/inline/; the same footprint: tests/footprint.rs).

use std::pin::pin;

use cogen::GeneratorState::{Complete, Yielded};
use cogen::{AsyncGenerator, Generator, generator, generator_block, yield_, yield_from};
use futures::StreamExt;

#[test]
fn an_inline_generator_moves_what_it_captures_and_returns_its_blocks_value() {
    let greeting = String::from("hi");
    let mut g = pin!(generator_block!(yield = char, send = u32, move {
        let mut total = 0;
        for c in greeting.chars() {
            total += yield_!(c);
        }
        (greeting, total)
    }));
    assert_eq!(g.as_mut().start(), Yielded('h'));
    assert_eq!(g.as_mut().resume(1), Yielded('i'));
    assert_eq!(g.as_mut().resume(2), Complete(("hi".to_string(), 3)));
}

#[test]
fn an_inline_generator_borrows_through_captured_references_and_yields_borrowed_items() {
    let words = vec![String::from("alpha"), String::from("beta")];
    let words_ref = &words;
    let firsts: Vec<&str> = generator_block!(yield = &str, move {
        for word in words_ref {
            yield_!(&word[..1]);
        }
    })
    .into_iter()
    .collect();
    assert_eq!(firsts, ["a", "b"]);
    assert_eq!(words.len(), 2, "the vector is still the caller's");
}

/// Python's generator expression `(x * x for x in xs if x % 2)`.
#[test]
fn a_generator_expression_is_an_inline_generator_over_an_iterator() {
    let xs = 1..=6;
    let odd_squares = generator_block!(yield = u32, move {
        for x in xs {
            if x % 2 == 1 {
                yield_!(x * x);
            }
        }
    });
    assert_eq!(odd_squares.into_iter().collect::<Vec<_>>(), [1, 9, 25]);
}

/// CPython test_generators' Queens: generators built inside generators. The recursion is
/// a named generator (an inline one has no name to call); the rows it tries are inline.
#[generator(yield = Vec<usize>)]
fn queens(n: usize, placed: Vec<usize>) {
    if placed.len() == n {
        yield_!(placed);
        return;
    }
    let candidates = {
        let placed = placed.clone();
        generator_block!(yield = usize, move {
            let row = placed.len();
            for column in 0..n {
                let safe = placed.iter().enumerate().all(|(r, &c)| {
                    c != column && row - r != column.abs_diff(c)
                });
                if safe {
                    yield_!(column);
                }
            }
        })
    };
    for column in candidates {
        let mut next = placed.clone();
        next.push(column);
        yield_from!(Box::pin(queens(n, next)));
    }
}

#[test]
fn the_queens_solver_of_test_generators_finds_all_92_solutions_of_eight_queens() {
    let solutions: Vec<Vec<usize>> = queens(8, Vec::new()).into_iter().collect();
    assert_eq!(solutions.len(), 92);
    assert_eq!(solutions[0], [0, 4, 7, 5, 2, 6, 1, 3]);
}

#[test]
fn an_inline_generator_delegates_and_nests_inline_generators_of_its_own() {
    let mut g = pin!(generator_block!(yield = u8, move {
        let inner = generator_block!(yield = u8, move {
            yield_!(1);
            yield_!(2);
            "inner done"
        });
        let said = yield_from!(inner);
        yield_!(said.len() as u8);
    }));
    assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [1, 2, 10]);
}

#[test]
fn an_async_inline_generator_awaits_and_is_a_stream() {
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    tx.send(7).unwrap();
    let s = generator_block!(yield = u32, async move {
        let first = rx.await.unwrap_or(0);
        yield_!(first);
        yield_!(first + 1);
    });
    assert_eq!(futures::executor::block_on(s.collect::<Vec<_>>()), [7, 8]);
    let mut g = pin!(generator_block!(yield = u8, send = u8, async move {
        let x = yield_!(0);
        x * 2
    }));
    futures::executor::block_on(async {
        assert_eq!(g.as_mut().start().await, Yielded(0));
        assert_eq!(g.as_mut().resume(21).await, Complete(42));
    });
}

#[derive(Debug, PartialEq)]
struct Label(&'static str);

#[test]
fn an_inline_generators_yield_type_is_not_changed_by_items_of_its_block() {
    let g = generator_block!(yield = Label, move {
        #[allow(dead_code)]
        struct Label(u8);
        yield_!(crate::Label("outer"));
    });
    assert_eq!(pin!(g).iter().collect::<Vec<_>>(), [Label("outer")]);
}

#[test]
fn an_async_generators_yield_type_is_not_changed_by_a_use_in_its_body() {
    #[generator(yield = Result<u8, String>)]
    async fn results() {
        #[allow(unused_imports)]
        use std::fmt::Result;
        yield_!(Ok(1));
    }
    let items = futures::executor::block_on(pin!(results()).collect::<Vec<_>>());
    assert_eq!(items, [Ok(1)]);
}
