//! The harness the behaviour tests share: a trace that generator bodies write to (Python's
//! `trace.append(..)` in CPython's test suites), and catching a panic's message.
//! Each test crate uses part of it.
#![allow(dead_code)]

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

/// What happened, in order, as lines of text.
pub type Trace = Rc<RefCell<Vec<String>>>;

pub fn new_trace() -> Trace {
    Rc::new(RefCell::new(Vec::new()))
}

pub fn push(trace: &Trace, entry: impl Into<String>) {
    trace.borrow_mut().push(entry.into());
}

pub fn entries(trace: &Trace) -> Vec<String> {
    trace.borrow().clone()
}

/// Run `f`, which must panic; returns the panic's message.
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic, but the call returned"),
        Err(payload) => panic_text(payload),
    }
}

/// The message of a caught panic.
pub fn panic_text(payload: Box<dyn Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        panic!("the panic's payload is neither a String nor a &str")
    }
}
