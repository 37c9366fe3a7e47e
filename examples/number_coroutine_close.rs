//! Note 002 (`002_9b6ee2d239c5b881.txt`), "코루틴을 종료하고 예외처리하기": two programs.
//! `number_coroutine` (`num = yield total; total += num`) is sent 0..4, printing
//! `0 1 3 6 10 ` on one line, then closed with `co.close()`; the second version catches
//! `GeneratorExit` and prints a message ("코루틴 종료", "coroutine closed") when closed.
//!
//! [`Generator::close`] is `co.close()`: it drops the suspended generator's live locals in
//! place. Python's `except GeneratorExit:` (or `finally:`) is therefore a drop guard, a
//! local whose `Drop` prints the message. (The twin ends the first program's line with a
//! newline so that the two programs' outputs do not run together.)
//!
//! Run it with `cargo run --example number_coroutine_close`. Output:
//!
//! ```text
//! 0 1 3 6 10
//! 0 1 3 6 10 coroutine closed
//! ```
//!
//! (each `10` is followed by a space, as `print(..., end=" ")` leaves it).

use std::pin::pin;

use cogen::{Generator, Status, generator, yield_};

/// `def number_coroutine(): total = 0; while True: num = yield total; total += num`
#[generator(yield = i32, send = i32)]
fn number_coroutine() {
    let mut total = 0;
    loop {
        let num = yield_!(total);
        total += num;
    }
}

/// What `except GeneratorExit: print("코루틴 종료")` does: runs when the suspended coroutine
/// is closed (or dropped, as Python closes a generator that is garbage-collected).
struct CloseMessage;

impl Drop for CloseMessage {
    fn drop(&mut self) {
        println!("coroutine closed");
    }
}

/// The second `number_coroutine`, with the `GeneratorExit` handler as a drop guard.
#[generator(yield = i32, send = i32)]
fn number_coroutine_with_handler() {
    let _on_close = CloseMessage;
    let mut total = 0;
    loop {
        let num = yield_!(total);
        total += num;
    }
}

/// `next(co)`, then `print(co.send(i), end=" ")` for i in 0..5, then `co.close()`.
fn send_five_and_close<G: Generator<i32, Yield = i32>>(mut co: std::pin::Pin<&mut G>) {
    let _ = co.as_mut().start();
    for i in 0..5 {
        let total = co.as_mut().resume(i).yielded().expect("it yields forever");
        print!("{total} ");
    }
    co.as_mut().close();
    assert_eq!(co.status(), Status::Closed);
}

fn main() {
    send_five_and_close(pin!(number_coroutine()));
    println!();
    send_five_and_close(pin!(number_coroutine_with_handler()));
}
