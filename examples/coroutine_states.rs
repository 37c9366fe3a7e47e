//! Note 003 (`003_2d96de8d44fecc2b.txt`), "코루틴1" and "coroutine2": `coroutine1`
//! (`i = yield`) driven by `next` twice, then by `next` and `send(100)`; the wrong use
//! `cr2.send(100)` on a just-started generator (Python: `TypeError: can't send non-None
//! value to a just-started generator`); and `coroutine2(10)` (`y = yield x`,
//! `z = yield x + y`) with `inspect.getgeneratorstate` after each step: 10, GEN_SUSPENDED,
//! 110, GEN_SUSPENDED, and GEN_CLOSED once it has finished.
//!
//! [`Generator::status`] is `getgeneratorstate` ([`Status`] has no `GEN_RUNNING`: nobody
//! can look at a generator while its body runs). Python's `next(g)` sends `None`, so the
//! send type of `coroutine1` is `Option<i32>`. Sending into a generator that has not
//! started is a documented panic ("call `start()` first"), raised before anything is
//! touched: the twin catches it with `catch_unwind`, prints it, and shows that the
//! generator is still `GEN_CREATED`, as in Python. Where a Python step raises
//! `StopIteration`, the twin prints `StopIteration`. Each step's output is preceded by a
//! `--` header line.
//!
//! Run it with `cargo run --example coroutine_states`. Output:
//!
//! ```text
//! -- cr1 = coroutine1() --
//! GEN_CREATED
//! -- next(cr1); next(cr1) --
//! >> coroutine started.
//! >> coroutine received : None
//! StopIteration
//! -- cr1 = coroutine1(); next(cr1); cr1.send(100) --
//! >> coroutine started.
//! >> coroutine received : 100
//! StopIteration
//! -- cr2 = coroutine1(); cr2.send(100) --
//! panic: cannot resume a generator that has not started: call `start()` first (Python: ...)
//! GEN_CREATED
//! -- cr3 = coroutine2(10) --
//! >> coroutine started : 10
//! 10
//! GEN_SUSPENDED
//! >> coroutine received : 100
//! 110
//! GEN_SUSPENDED
//! >> coroutine received : 200
//! StopIteration
//! GEN_CLOSED
//! ```

use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;

use cogen::{Generator, GeneratorState, Status, generator, yield_};

/// `inspect.getgeneratorstate`'s names for a [`Status`].
fn state_name(status: Status) -> &'static str {
    match status {
        Status::Created => "GEN_CREATED",
        Status::Suspended => "GEN_SUSPENDED",
        Status::Closed => "GEN_CLOSED",
    }
}

/// How Python prints a value that may be `None`.
fn py_str(value: Option<i32>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| v.to_string())
}

/// Print a step's yielded value, or `StopIteration` if the generator finished.
fn print_step<Y: std::fmt::Display>(step: GeneratorState<Y, ()>) {
    match step {
        GeneratorState::Yielded(value) => println!("{value}"),
        GeneratorState::Complete(()) => println!("StopIteration"),
    }
}

/// `def coroutine1(): print('>> coroutine started.'); i = yield; print(...)`
#[generator(send = Option<i32>)]
fn coroutine1() {
    println!(">> coroutine started.");
    let i = yield_!();
    println!(">> coroutine received : {}", py_str(i));
}

/// `def coroutine2(x): ...; y = yield x; ...; z = yield x + y; ...`
#[generator(yield = i32, send = i32)]
fn coroutine2(x: i32) {
    println!(">> coroutine started : {x}");
    let y = yield_!(x);
    println!(">> coroutine received : {y}");
    let z = yield_!(x + y);
    println!(">> coroutine received : {z}");
}

fn main() {
    println!("-- cr1 = coroutine1() --");
    let mut cr1 = pin!(coroutine1());
    println!("{}", state_name(cr1.status()));

    println!("-- next(cr1); next(cr1) --");
    let _ = cr1.as_mut().start(); // next(cr1): run to the yield
    match cr1.as_mut().resume(None) {
        // next(cr1) again sends None; the body ends
        GeneratorState::Yielded(()) => unreachable!("coroutine1 yields once"),
        GeneratorState::Complete(()) => println!("StopIteration"),
    }

    println!("-- cr1 = coroutine1(); next(cr1); cr1.send(100) --");
    let mut cr1 = pin!(coroutine1());
    let _ = cr1.as_mut().start();
    if let GeneratorState::Complete(()) = cr1.as_mut().resume(Some(100)) {
        println!("StopIteration");
    }

    println!("-- cr2 = coroutine1(); cr2.send(100) --");
    let mut cr2 = pin!(coroutine1());
    // Silence the default panic report for this one deliberate panic.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(|| cr2.as_mut().resume(Some(100))));
    panic::set_hook(default_hook);
    match result {
        Ok(_) => unreachable!("resume before start panics"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("<non-string panic>");
            println!("panic: {message}");
        }
    }
    println!("{}", state_name(cr2.status())); // untouched: still created

    println!("-- cr3 = coroutine2(10) --");
    let mut cr3 = pin!(coroutine2(10));
    print_step(cr3.as_mut().start()); // print(next(cr3))
    println!("{}", state_name(cr3.status()));
    print_step(cr3.as_mut().resume(100)); // print(cr3.send(100))
    println!("{}", state_name(cr3.status()));
    print_step(cr3.as_mut().resume(200)); // print(cr3.send(200)): StopIteration
    println!("{}", state_name(cr3.status()));
}
