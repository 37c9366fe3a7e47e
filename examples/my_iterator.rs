//! Note 000 (`000_3f64d95f7fc8e63a.txt`), "이터러블, 이터레이터, 제너레이터": the iterator
//! class `MyIterator(start, end)` beside the generator `myGenerator(start, end)`, which the
//! note says play the same role.
//!
//! The iterator spells out how to compute the next element (`__next__`, here
//! [`Iterator::next`]); the generator just runs its body and hands out each value it meets at
//! a `yield` (here `yield_!`). The note has no driver; this one is
//!
//! ```python
//! print(list(MyIterator(1, 5)))
//! print(list(myGenerator(1, 5)))
//! print(list(myGenerator(1, 4)))
//! ```
//!
//! Note the bounds, faithful to the Python: `MyIterator` stops before `end`, while
//! `myGenerator` yields `end` too, so `myGenerator(1, 4)` is the one that matches
//! `MyIterator(1, 5)`.
//!
//! Run it with `cargo run --example my_iterator`. Output:
//!
//! ```text
//! [1, 2, 3, 4]
//! [1, 2, 3, 4, 5]
//! [1, 2, 3, 4]
//! ```

use cogen::{generator, yield_};

/// `class MyIterator` with `__iter__` (every `Iterator` is `IntoIterator`) and `__next__`.
struct MyIterator {
    end: i32,
    num: i32,
}

impl MyIterator {
    fn new(start: i32, end: i32) -> Self {
        MyIterator { end, num: start }
    }
}

impl Iterator for MyIterator {
    type Item = i32;

    fn next(&mut self) -> Option<i32> {
        if self.num < self.end {
            let res = self.num;
            self.num += 1;
            Some(res)
        } else {
            None // raise StopIteration
        }
    }
}

/// `def myGenerator(start, end): yield start; while start < end: start += 1; yield start`
#[generator(yield = i32)]
fn my_generator(mut start: i32, end: i32) {
    yield_!(start);
    while start < end {
        start += 1;
        yield_!(start);
    }
}

fn main() {
    println!("{:?}", MyIterator::new(1, 5).collect::<Vec<_>>());
    println!("{:?}", my_generator(1, 5).into_iter().collect::<Vec<_>>());
    println!("{:?}", my_generator(1, 4).into_iter().collect::<Vec<_>>());
}
