//! Note 001 (`001_e7584936c0140007.txt`), "일반적인 코루틴 / 예시": the receiver coroutine
//! `x = (yield); print('받아온 값:', x)`, primed with `next(cor)` and then sent values of
//! mixed types (10, two strings, 3.14); then primed the other way, `cor.send(None)`.
//!
//! Python's send accepts any object; in Rust the send type is fixed, so the mixed values are
//! one enum, [`Value`]. Priming (`next(cor)` or `cor.send(None)`) is `start()`.
//!
//! Run it with `cargo run --example receiver`. Output:
//!
//! ```text
//! received: 10
//! received: 안녕하세요.
//! received: 흔한 찐따입니다.
//! received: 3.14
//! received: 10
//! ```

use std::fmt;
use std::pin::pin;

use cogen::{Generator, generator, yield_};

/// A value of one of the types the note sends in.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i64),
    Str(&'static str),
    Float(f64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => f.write_str(s),
            Value::Float(x) => write!(f, "{x}"),
        }
    }
}

/// `def coroutine(): while True: x = (yield); print('받아온 값:', x)`
#[generator(send = Value)]
fn coroutine() {
    loop {
        let x = yield_!();
        println!("received: {x}");
    }
}

fn main() {
    let mut cor = pin!(coroutine());
    // next(cor): run to the first `yield`.
    let _ = cor.as_mut().start();
    let _ = cor.as_mut().resume(Value::Int(10));
    let _ = cor.as_mut().resume(Value::Str("안녕하세요."));
    let _ = cor.as_mut().resume(Value::Str("흔한 찐따입니다."));
    #[allow(clippy::approx_constant)] // the note's 3.14, not an approximation of pi
    let _ = cor.as_mut().resume(Value::Float(3.14));

    // Priming with `cor.send(None)` instead of `next(cor)`: in Rust both are `start()`.
    let mut cor = pin!(coroutine());
    let _ = cor.as_mut().start();
    let _ = cor.as_mut().resume(Value::Int(10));
}
