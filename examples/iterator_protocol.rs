//! Note 002 (`002_9b6ee2d239c5b881.txt`), "이터레이터": the iterator protocol on built-in
//! objects: `my_list.__iter__()` and `__next__()` until `StopIteration`; `iter(range(3))`
//! with `next()`; unpacking `a, b, c = range(3)`; `for _ in range(3)`; and
//! `my_list.__getitem__(2)`.
//!
//! In Rust, `__iter__` is [`IntoIterator::into_iter`], `__next__` is [`Iterator::next`], and
//! `StopIteration` is `next` returning `None`. `range` is lazy in both languages.
//!
//! The note's comments on `iter(range(3))` say 1, 2, 3; Python actually prints 0, 1, 2, and
//! so does this twin. Each snippet's output is preceded by a `--` header line.
//!
//! Run it with `cargo run --example iterator_protocol`. Output:
//!
//! ```text
//! -- my_list.__iter__() / __next__() --
//! 1
//! 2
//! 3
//! StopIteration
//! -- iter(range(3)) / next() --
//! 0
//! 1
//! 2
//! StopIteration
//! -- a, b, c = range(3) --
//! 0 1 2
//! -- for _ in range(3) --
//! Hello World!
//! Hello World!
//! Hello World!
//! -- my_list.__getitem__(2) --
//! 3
//! ```

/// Print what one `__next__()` call gives: the value, or `StopIteration`.
fn print_next(next: Option<i32>) {
    match next {
        Some(value) => println!("{value}"),
        None => println!("StopIteration"),
    }
}

fn main() {
    println!("-- my_list.__iter__() / __next__() --");
    let my_list = [1, 2, 3];
    let mut my_iter = my_list.iter().copied(); // my_list.__iter__()
    for _ in 0..4 {
        print_next(my_iter.next()); // my_iter.__next__()
    }

    println!("-- iter(range(3)) / next() --");
    let mut my_iter = 0..3; // a Range is already an iterator: iter() is into_iter()
    for _ in 0..4 {
        print_next(my_iter.next());
    }

    println!("-- a, b, c = range(3) --");
    // Unpacking takes exactly three values; more or fewer would be an error, as in Python.
    let [a, b, c] = <[i32; 3]>::try_from((0..3).collect::<Vec<_>>()).expect("three values");
    println!("{a} {b} {c}");

    println!("-- for _ in range(3) --");
    for _ in 0..3 {
        println!("Hello World!");
    }

    println!("-- my_list.__getitem__(2) --");
    println!("{}", my_list[2]); // Index::index, Python's __getitem__
}
