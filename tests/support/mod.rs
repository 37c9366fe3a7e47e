//! The harness the behaviour tests share: a trace that generator bodies write to (Python's
//! `trace.append(..)` in CPython's test suites), drop guards that stand for Python's
//! `finally:`, catching a panic's message, and compile-time `Send`/`Unpin` probes.
//! Each test crate uses part of it.
#![allow(dead_code)]

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
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

/// Python's `finally: trace.append(text)`: pushes its text to the trace when dropped.
pub struct PushOnDrop(pub Trace, pub &'static str);

impl Drop for PushOnDrop {
    fn drop(&mut self) {
        push(&self.0, self.1);
    }
}

/// Python's `finally: trace.append(text); raise Error(message)`: pushes, then panics.
pub struct PanicOnDrop(pub Trace, pub &'static str, pub &'static str);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        push(&self.0, self.1);
        panic!("{}", self.2);
    }
}

/// Python's `finally: counter += by`: a value dropped twice or never shows in the count.
pub struct AddOnDrop(pub Rc<Cell<u32>>, pub u32);

impl Drop for AddOnDrop {
    fn drop(&mut self) {
        self.0.set(self.0.get() + self.1);
    }
}

pub fn assert_send<T: Send>(_: &T) {}

pub fn assert_sync<T: Sync>(_: &T) {}

/// Compile-time `Unpin` probe ("autoref"-style): the inherent method applies only when
/// `T: Unpin`; otherwise method resolution falls back to the blanket trait's method.
pub struct UnpinProbe<T: ?Sized>(PhantomData<T>);

pub fn probe<T: ?Sized>(_: &T) -> UnpinProbe<T> {
    UnpinProbe(PhantomData)
}

impl<T: ?Sized + Unpin> UnpinProbe<T> {
    pub const IS_UNPIN: bool = true;
    pub fn is_unpin(&self) -> bool {
        Self::IS_UNPIN
    }
}

pub trait NotUnpinFallback {
    const IS_UNPIN: bool = false;
    fn is_unpin(&self) -> bool {
        Self::IS_UNPIN
    }
}

impl<T: ?Sized> NotUnpinFallback for UnpinProbe<T> {}
