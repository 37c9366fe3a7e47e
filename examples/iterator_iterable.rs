//! Note 002 (`002_9b6ee2d239c5b881.txt`), "이터레이터 직접 구현하기" and "인덱스로 접근할 수
//! 있는 이터레이터 만들기": the `Iterator` class (`__iter__` returning itself, `__next__`
//! raising `StopIteration`) behind the `Iterable` class (`__iter__` returning an `Iterator`),
//! driven by `for i in Iterable(3)`; then `MyIter(3)`, iterable through `__getitem__` alone.
//!
//! In Rust, Python's `Iterable` is a type implementing [`IntoIterator`] and Python's
//! `Iterator` one implementing [`Iterator`]; `for` calls `into_iter()` then `next()` until
//! `None`, as Python's `for` calls `__iter__()` then `__next__()` until `StopIteration`.
//! Python's legacy `__getitem__` protocol (index 0, 1, 2, ... until `IndexError`) is spelled
//! out with `map_while`. The last section writes the same iterator as a generator.
//!
//! Run it with `cargo run --example iterator_iterable`. Output:
//!
//! ```text
//! -- for i in Iterable(3) --
//! 0
//! 1
//! 2
//! -- for i in MyIter(3) --
//! 0
//! 1
//! 2
//! -- the same, as a generator --
//! 0
//! 1
//! 2
//! ```

use cogen::{generator, yield_};

/// `class Iterator`: counts from 0 up to, not including, `end`.
struct CountIterator {
    cur: u32,
    end: u32,
}

impl Iterator for CountIterator {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.cur < self.end {
            let num = self.cur;
            self.cur += 1;
            Some(num)
        } else {
            None // raise StopIteration
        }
    }
}

/// `class Iterable`: made with the end, hands out a `CountIterator`.
struct Iterable {
    iter: CountIterator,
}

impl Iterable {
    fn new(end: u32) -> Self {
        Iterable {
            iter: CountIterator { cur: 0, end },
        }
    }
}

impl IntoIterator for Iterable {
    type Item = u32;
    type IntoIter = CountIterator;

    fn into_iter(self) -> CountIterator {
        self.iter
    }
}

/// `class MyIter` with only `__getitem__`.
struct MyIter {
    end: u32,
}

impl MyIter {
    /// `__getitem__`: the index itself, or `None` for Python's `IndexError`.
    fn get(&self, index: u32) -> Option<u32> {
        (index < self.end).then_some(index)
    }
}

/// The `Iterator` class again, as a generator: the loop is the whole state machine.
#[generator(yield = u32)]
fn count(end: u32) {
    let mut cur = 0;
    while cur < end {
        yield_!(cur);
        cur += 1;
    }
}

fn main() {
    println!("-- for i in Iterable(3) --");
    for i in Iterable::new(3) {
        println!("{i}");
    }

    println!("-- for i in MyIter(3) --");
    let my_iter = MyIter { end: 3 };
    for i in (0..).map_while(|index| my_iter.get(index)) {
        println!("{i}");
    }

    println!("-- the same, as a generator --");
    for i in count(3) {
        println!("{i}");
    }
}
