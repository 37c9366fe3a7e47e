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

/// A waker that counts how often it is woken, for "no busy polling, no lost wake-up" tests.
#[derive(Default)]
pub struct CountingWaker {
    pub wakes: std::sync::atomic::AtomicUsize,
}

impl std::task::Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.wakes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl CountingWaker {
    pub fn wakes(&self) -> usize {
        self.wakes.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Poll `future` once with `waker`.
pub fn poll_once<F: std::future::Future + ?Sized>(
    future: std::pin::Pin<&mut F>,
    waker: &std::task::Waker,
) -> std::task::Poll<F::Output> {
    future.poll(&mut std::task::Context::from_waker(waker))
}

/// Poll `stream` for its next item once with `waker`.
pub fn poll_next_once<S: futures::Stream + ?Sized>(
    stream: std::pin::Pin<&mut S>,
    waker: &std::task::Waker,
) -> std::task::Poll<Option<S::Item>> {
    stream.poll_next(&mut std::task::Context::from_waker(waker))
}

/// Run `f`, which must panic; returns the panic's message and the line it was reported at
/// (the caller's line, for a `#[track_caller]` panic). The location is caught by a panic
/// hook that records it per thread, so tests running in parallel do not see each other's.
pub fn expect_panic_at<R>(f: impl FnOnce() -> R) -> (String, u32) {
    use std::sync::Once;
    thread_local! {
        static LINE: Cell<Option<u32>> = const { Cell::new(None) };
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            LINE.with(|line| line.set(info.location().map(|l| l.line())));
            previous(info);
        }));
    });
    LINE.with(|line| line.set(None));
    let message = expect_panic(f);
    let line = LINE
        .with(Cell::take)
        .expect("the panic hook saw where it panicked");
    (message, line)
}

/// A trace that other threads can write to (a `Trace` behind a mutex).
#[derive(Clone, Default)]
pub struct Log(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A module standing in for cogen under `crate = path`, whose `generator` wraps the body in
/// a box of its own that it frees after the first pending poll: whatever kept a pointer into
/// the body past that poll (a parked trampoline, a handed-off frame's return slot) would
/// then dangle, and a yield point is moved out of its generator's body. The next poll
/// panics with "the stand-in freed the body".
// The glob re-exports are unused in the test crates that do not use the stand-in.
#[allow(unused_imports)]
pub mod stand_in_that_frees_the_body {
    pub use cogen::*;
    pub mod __private {
        // Everything the expansion names, but `generator`, which is defined below.
        pub use cogen::__private::*;
        use std::future::Future;
        use std::pin::Pin;
        use std::task::{Context, Poll};

        pub struct FreeOnPending<F>(Option<Pin<Box<F>>>);

        impl<F: Future> Future for FreeOnPending<F> {
            type Output = F::Output;
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
                let this = self.get_mut();
                let body = this.0.as_mut().expect("the stand-in freed the body");
                let poll = body.as_mut().poll(cx);
                if poll.is_pending() {
                    this.0 = None;
                }
                poll
            }
        }

        pub fn generator<Y, S, const D: bool, R, M, F>(make: M) -> Gen<FreeOnPending<F>, Y, S, D>
        where
            M: FnOnce(Co<Y, S>) -> F,
            F: Future<Output = R>,
        {
            cogen::__private::generator::<Y, S, D, R, _, _>(move |co| {
                FreeOnPending(Some(Box::pin(make(co))))
            })
        }
    }
}
