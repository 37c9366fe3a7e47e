//! Note 000 (`000_3f64d95f7fc8e63a.txt`), "서브루틴": `routine1` calling its subroutine
//! `routine2`; and note 002 (`002_9b6ee2d239c5b881.txt`), "메인루틴과 서브루틴": the main
//! routine `say` calling the subroutine `excuse`.
//!
//! A subroutine is an ordinary fn: it runs to the end before its caller goes on, and its
//! locals are gone afterwards. Its counterpart, the coroutine, is a `#[generator]` fn (see
//! the `running_sum` or `sum_coroutine` examples): it can stop in the middle, hand control
//! back to its caller, and later continue where it stopped, with its locals intact.
//!
//! Run it with `cargo run --example routines`. Output:
//!
//! ```text
//! routine 2
//! Excuse me
//! May I help you?
//! ```

/// `def routine1(): routine2()`
fn routine1() {
    routine2();
}

/// `def routine2(): print("routine 2")`
fn routine2() {
    println!("routine 2");
}

/// `def excuse(): print("Excuse me")`
fn excuse() {
    println!("Excuse me");
}

/// `def say(msg): excuse(); print(msg)`
fn say(msg: &str) {
    excuse();
    println!("{msg}");
}

fn main() {
    routine1();
    say("May I help you?");
}
