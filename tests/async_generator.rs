//! Async generators: `#[generator]` on an `async fn`, whose body `.await`s any future and
//! `yield_!`s, driven by `start`/`resume`/`throw`/`close` (PEP 525's `__anext__`, `asend`,
//! `athrow`, `aclose`) or as a `Stream`.
//!
//! The scenarios come from CPython's `Lib/test/test_asyncgen.py` (named after the test they
//! port) and from async-stream's `tests/stream.rs`, with exact traces. Everything here runs
//! on `futures::executor` and hand-rolled wakers, so it also runs under miri; the tests on
//! tokio's runtimes are in `tests/async_tokio.rs`.

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};

use cogen::GeneratorState::{Complete, Yielded};
use cogen::{AsyncGenerator, Generator, Resume, Status, generator, yield_, yield_from};
use futures::channel::{mpsc, oneshot};
use futures::executor::block_on;
use futures::stream::{self, FusedStream, StreamExt};

mod support;
use support::{
    AddOnDrop, CountingWaker, PushOnDrop, Trace, assert_send, entries, expect_panic, new_trace,
    poll_next_once, poll_once, push,
};

/// A future that is pending once (waking its waker at once), then ready: an `.await` that
/// really goes back to the executor.
struct YieldToExecutor(bool);

impl Future for YieldToExecutor {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn executor_turn() -> YieldToExecutor {
    YieldToExecutor(false)
}

// ---- CPython test_asyncgen.py ----

#[generator(yield = u32)]
async fn one_two_awaiting(trace: Trace) -> &'static str {
    push(&trace, "start");
    executor_turn().await;
    yield_!(1);
    push(&trace, "between");
    executor_turn().await;
    yield_!(2);
    executor_turn().await;
    push(&trace, "end");
    "done"
}

#[test]
fn async_gen_iteration_awaits_between_yields_and_async_for_sees_every_item() {
    // test_async_gen_iteration_01: `async for i in gen(): res.append(i)`.
    let trace = new_trace();
    let items: Vec<u32> = block_on(one_two_awaiting(trace.clone()).collect());
    assert_eq!(items, [1, 2]);
    assert_eq!(entries(&trace), ["start", "between", "end"]);
}

#[test]
fn anext_on_a_fresh_generator_runs_to_the_first_yield_and_on_an_exhausted_one_stops() {
    // test_async_gen_anext / StopAsyncIteration: `start` is `__anext__` on a fresh
    // generator; once the body has returned, the stream ends and keeps ending.
    let trace = new_trace();
    let mut g = pin!(one_two_awaiting(trace.clone()));
    assert_eq!(g.status(), Status::Created);
    assert_eq!(block_on(g.as_mut().start()), Yielded(1));
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(block_on(g.as_mut().resume(())), Yielded(2));
    assert_eq!(block_on(g.as_mut().resume(())), Complete("done"));
    assert_eq!(g.status(), Status::Closed);
    assert!(g.is_terminated());
    assert_eq!(block_on(g.as_mut().next()), None);
    assert_eq!(block_on(g.as_mut().next()), None);
    let message = expect_panic(|| g.as_mut().start());
    assert!(message.contains("closed"), "{message}");
}

#[generator(yield = String, send = u32)]
async fn echo_sent(trace: Trace) -> u32 {
    let mut total = 0;
    let mut received = yield_!("ready".to_string());
    loop {
        executor_turn().await;
        push(&trace, format!("got {received}"));
        if received == 0 {
            return total;
        }
        total += received;
        received = yield_!(format!("total {total}"));
    }
}

#[test]
fn asend_delivers_each_value_to_the_suspended_yield() {
    // test_async_gen_asend_*: `await g.asend(None)` primes, `await g.asend(v)` sends.
    let trace = new_trace();
    let mut g = pin!(echo_sent(trace.clone()));
    block_on(async {
        assert_eq!(g.as_mut().start().await, Yielded("ready".to_string()));
        assert_eq!(g.as_mut().resume(3).await, Yielded("total 3".to_string()));
        assert_eq!(g.as_mut().resume(4).await, Yielded("total 7".to_string()));
        assert_eq!(g.as_mut().resume(0).await, Complete(7));
    });
    assert_eq!(entries(&trace), ["got 3", "got 4", "got 0"]);
}

#[generator(yield = &'static str, send = Result<(), String>)]
async fn catches_once(trace: Trace) -> Result<&'static str, String> {
    let _finally = PushOnDrop(trace.clone(), "finally");
    match yield_!("first") {
        Ok(()) => push(&trace, "resumed"),
        Err(error) => {
            executor_turn().await; // handling the error may itself await
            push(&trace, format!("caught {error}"));
        }
    }
    yield_!("after the catch")?;
    Ok("finished")
}

#[test]
fn athrow_caught_by_the_body_returns_what_it_yields_next() {
    // test_async_gen_athrow_*: the body catches the error and yields again.
    let trace = new_trace();
    let mut g = pin!(catches_once(trace.clone()));
    block_on(async {
        assert_eq!(g.as_mut().start().await, Yielded("first"));
        assert_eq!(
            g.as_mut().throw("boom".to_string()).await,
            Yielded("after the catch")
        );
        assert_eq!(g.as_mut().resume(Ok(())).await, Complete(Ok("finished")));
    });
    assert_eq!(entries(&trace), ["caught boom", "finally"]);
}

#[test]
fn athrow_not_caught_propagates_out_of_the_step_and_closes_the_generator() {
    let trace = new_trace();
    let mut g = pin!(catches_once(trace.clone()));
    block_on(async {
        assert_eq!(g.as_mut().start().await, Yielded("first"));
        assert_eq!(g.as_mut().resume(Ok(())).await, Yielded("after the catch"));
        assert_eq!(
            g.as_mut().throw("late".to_string()).await,
            Complete(Err("late".to_string()))
        );
    });
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), ["resumed", "finally"]);
}

#[test]
fn athrow_into_a_fresh_generator_is_refused_at_the_callers_line() {
    let trace = new_trace();
    let mut g = pin!(catches_once(trace.clone()));
    let message = expect_panic(|| g.as_mut().throw("early".to_string()));
    assert!(message.contains("not started"), "{message}");
    assert_eq!(g.status(), Status::Created, "left as it was");
    assert!(entries(&trace).is_empty());
}

#[generator(yield = u32)]
async fn guarded(trace: Trace) {
    let _finally = PushOnDrop(trace.clone(), "finally");
    push(&trace, "body");
    executor_turn().await;
    yield_!(1);
    yield_!(2);
}

#[test]
fn aclose_of_a_fresh_generator_runs_no_body_code() {
    let trace = new_trace();
    let mut g = pin!(guarded(trace.clone()));
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    assert!(entries(&trace).is_empty());
}

#[test]
fn aclose_of_a_suspended_generator_runs_its_finally() {
    let trace = new_trace();
    let mut g = pin!(guarded(trace.clone()));
    assert_eq!(block_on(g.as_mut().start()), Yielded(1));
    g.as_mut().close();
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(entries(&trace), ["body", "finally"]);
}

#[test]
fn aclose_of_an_exhausted_generator_does_nothing() {
    let trace = new_trace();
    let mut g = pin!(guarded(trace.clone()));
    assert_eq!(block_on(g.as_mut().collect::<Vec<_>>()), [1, 2]);
    g.as_mut().close();
    g.as_mut().close();
    assert_eq!(entries(&trace), ["body", "finally"]);
}

#[generator(yield = u32)]
async fn fails_midway() -> Result<(), String> {
    yield_!(1);
    executor_turn().await;
    Err("ZeroDivisionError".to_string())?;
    yield_!(2);
    Ok(())
}

#[test]
fn an_error_raised_in_the_body_ends_async_for_and_is_kept_as_the_return_value() {
    // test_async_gen_exception_*: the loop sees the items before the error, then the error.
    let mut g = pin!(fails_midway());
    let items: Vec<u32> = block_on(g.as_mut().collect());
    assert_eq!(items, [1]);
    assert_eq!(
        g.as_mut().take_return(),
        Some(Err("ZeroDivisionError".to_string()))
    );
    assert_eq!(g.as_mut().take_return(), None, "taken once");
}

#[test]
fn a_panic_in_the_body_propagates_out_of_the_poll_and_closes_the_generator() {
    #[generator(yield = u32)]
    async fn panics(drops: Rc<Cell<u32>>) {
        let _local = AddOnDrop(drops, 1);
        yield_!(1);
        executor_turn().await;
        panic!("raised in the body");
    }
    let drops = Rc::new(Cell::new(0));
    let mut g = pin!(panics(drops.clone()));
    assert_eq!(block_on(g.as_mut().next()), Some(1));
    let message = expect_panic(|| block_on(g.as_mut().next()));
    assert_eq!(message, "raised in the body");
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(drops.get(), 1);
    assert_eq!(block_on(g.as_mut().next()), None);
}

// ---- The executor's waker ----

#[generator(yield = u32)]
async fn waits_for(rx: oneshot::Receiver<u32>) {
    yield_!(0);
    let value = rx.await.unwrap_or(u32::MAX);
    yield_!(value);
}

#[test]
fn a_pending_await_returns_to_the_executor_with_its_waker_registered_and_no_busy_polling() {
    let (tx, rx) = oneshot::channel();
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut g = pin!(waits_for(rx));
    assert_eq!(poll_next_once(g.as_mut(), &waker), Poll::Ready(Some(0)));
    let mut polls = 1;
    assert_eq!(poll_next_once(g.as_mut(), &waker), Poll::Pending);
    polls += 1;
    assert!(g.is_running(), "a step is in progress");
    assert_eq!(g.status(), Status::Suspended);
    let sender = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        tx.send(42).unwrap();
    });
    // Poll only when woken, as an executor does.
    let mut seen = 0;
    let item = loop {
        while counter.wakes() == seen {
            std::thread::yield_now();
        }
        seen = counter.wakes();
        polls += 1;
        if let Poll::Ready(item) = poll_next_once(g.as_mut(), &waker) {
            break item;
        }
    };
    sender.join().unwrap();
    assert_eq!(item, Some(42));
    assert_eq!(counter.wakes(), 1, "woken once, by the channel");
    assert_eq!(polls, 3, "polled once per wake-up");
    assert!(!g.is_running());
}

#[test]
fn the_future_awaited_in_the_body_gets_a_clone_of_the_executors_waker_which_outlives_the_poll() {
    let (tx, rx) = oneshot::channel();
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut g = pin!(waits_for(rx));
    let _ = poll_next_once(g.as_mut(), &waker);
    assert_eq!(poll_next_once(g.as_mut(), &waker), Poll::Pending);
    drop(waker);
    // The channel holds the only other reference to the waker: waking it after the poll
    // that registered it is over reaches the executor's waker.
    tx.send(7).unwrap();
    assert_eq!(counter.wakes(), 1);
    assert_eq!(
        Arc::strong_count(&counter),
        1,
        "the clone was released: no leak"
    );
    let waker = Waker::from(counter.clone());
    assert_eq!(poll_next_once(g.as_mut(), &waker), Poll::Ready(Some(7)));
}

// ---- A step in progress ----

#[generator(yield = u32, send = u32)]
async fn doubles_after_a_wait(trace: Trace, mut gates: mpsc::UnboundedReceiver<()>) {
    let mut x = yield_!(0);
    loop {
        push(&trace, format!("received {x}"));
        gates.next().await;
        x = yield_!(x * 2);
    }
}

#[test]
fn a_value_sent_by_a_resume_future_dropped_midway_is_kept_by_the_body_and_the_step_goes_on() {
    let trace = new_trace();
    let (gate, gates) = mpsc::unbounded();
    let mut g = pin!(doubles_after_a_wait(trace.clone(), gates));
    assert_eq!(block_on(g.as_mut().start()), Yielded(0));
    {
        let mut step = g.as_mut().resume(21);
        // One poll: the body receives 21 and waits at the gate. Then the future goes away.
        assert_eq!(poll_once(Pin::new(&mut step), Waker::noop()), Poll::Pending);
    }
    assert_eq!(
        entries(&trace),
        ["received 21"],
        "21 was delivered, not lost"
    );
    assert!(g.is_running());
    // A resume now has no yield to deliver to: refused, with what to do.
    let message = expect_panic(|| g.as_mut().resume(5));
    assert!(message.contains("still in progress"), "{message}");
    // `start` goes on with the step in progress.
    gate.unbounded_send(()).unwrap();
    assert_eq!(block_on(g.as_mut().start()), Yielded(42));
    assert!(!g.is_running());
    gate.unbounded_send(()).unwrap();
    assert_eq!(block_on(g.as_mut().resume(1)), Yielded(2));
    assert_eq!(entries(&trace), ["received 21", "received 1"]);
}

#[test]
fn a_stream_whose_next_future_is_dropped_midway_goes_on_with_the_same_step() {
    // `select!` over `stream.next()` drops the losing `next()` future every round.
    #[generator(yield = u32)]
    async fn gated(mut gates: mpsc::UnboundedReceiver<u32>) {
        while let Some(n) = gates.next().await {
            yield_!(n);
        }
    }
    let (gate, gates) = mpsc::unbounded();
    let mut s = pin!(gated(gates));
    assert_eq!(poll_once(pin!(s.next()), Waker::noop()), Poll::Pending);
    gate.unbounded_send(9).unwrap();
    drop(gate);
    assert_eq!(block_on(s.as_mut().collect::<Vec<_>>()), [9]);
}

#[test]
fn a_resume_future_polled_after_it_completed_panics() {
    let trace = new_trace();
    let mut g = pin!(guarded(trace));
    let mut step = g.as_mut().start();
    assert_eq!(block_on(&mut step), Yielded(1));
    let message = expect_panic(|| poll_once(Pin::new(&mut step), Waker::noop()));
    assert!(message.contains("polled after it completed"), "{message}");
}

// ---- yield_from! in an async generator ----

#[generator(yield = u32, send = u32)]
async fn accumulate(trace: Trace) -> u32 {
    let _finally = PushOnDrop(trace.clone(), "inner finally");
    let mut total = 0;
    loop {
        executor_turn().await;
        let x = yield_!(total);
        if x == 0 {
            return total;
        }
        total += x;
    }
}

#[generator(yield = u32, send = u32)]
async fn two_totals(trace: Trace) -> (u32, u32) {
    let _finally = PushOnDrop(trace.clone(), "outer finally");
    let first = yield_from!(accumulate(trace.clone()));
    push(&trace, format!("first {first}"));
    let second = yield_from!(Box::pin(accumulate(trace.clone())));
    (first, second)
}

#[test]
fn yield_from_an_async_generator_forwards_sends_and_evaluates_to_its_return_value() {
    let trace = new_trace();
    let mut g = pin!(two_totals(trace.clone()));
    block_on(async {
        assert_eq!(g.as_mut().start().await, Yielded(0));
        assert_eq!(g.as_mut().resume(2).await, Yielded(2));
        assert_eq!(g.as_mut().resume(0).await, Yielded(0)); // the boxed one starts
        assert_eq!(g.as_mut().resume(5).await, Yielded(5));
        assert_eq!(g.as_mut().resume(0).await, Complete((2, 5)));
    });
    assert_eq!(
        entries(&trace),
        ["inner finally", "first 2", "inner finally", "outer finally"]
    );
}

#[test]
fn closing_while_delegating_drops_the_delegate_first_also_while_it_awaits() {
    let trace = new_trace();
    let mut g = pin!(two_totals(trace.clone()));
    assert_eq!(block_on(g.as_mut().start()), Yielded(0));
    // The delegate is now waiting in its `.await`.
    assert_eq!(
        poll_once(pin!(g.as_mut().resume(1)), Waker::noop()),
        Poll::Pending
    );
    assert!(g.is_running());
    g.as_mut().close();
    assert_eq!(entries(&trace), ["inner finally", "outer finally"]);
}

#[generator(yield = u32, send = Result<u32, String>)]
async fn inner_catches(trace: Trace) -> String {
    loop {
        match yield_!(1) {
            Ok(_) => executor_turn().await,
            Err(error) => {
                push(&trace, format!("inner caught {error}"));
                return format!("handled {error}");
            }
        }
    }
}

#[test]
fn athrow_is_forwarded_to_the_innermost_delegate() {
    #[generator(yield = u32, send = Result<u32, String>)]
    async fn outer(trace: Trace) -> String {
        let handled = yield_from!(Box::pin(inner_catches(trace.clone())));
        push(&trace, format!("outer got {handled}"));
        handled
    }
    let trace = new_trace();
    let mut g = pin!(outer(trace.clone()));
    block_on(async {
        assert_eq!(g.as_mut().start().await, Yielded(1));
        assert_eq!(g.as_mut().resume(Ok(0)).await, Yielded(1));
        assert_eq!(
            g.as_mut().throw("E".to_string()).await,
            Complete("handled E".to_string())
        );
    });
    assert_eq!(entries(&trace), ["inner caught E", "outer got handled E"]);
}

#[generator(yield = u32)]
fn sync_pair() -> &'static str {
    yield_!(10);
    yield_!(20);
    "sync"
}

#[generator(yield = u32)]
async fn every_source() -> Vec<&'static str> {
    let first = yield_from!(sync_pair());
    let mut returned = vec![first];
    returned.push(yield_from!(Box::pin(sync_pair())));
    yield_from!(30..32);
    yield_from!(stream::iter([40, 41]).then(|x| async move {
        executor_turn().await;
        x
    }));
    let boxed: Pin<Box<dyn AsyncGenerator<Yield = u32, Return = usize>>> = Box::pin(counted(2));
    let n = yield_from!(boxed);
    returned.push(if n == 2 { "dyn" } else { "wrong" });
    returned
}

#[generator(yield = u32)]
async fn counted(n: u32) -> usize {
    for i in 0..n {
        executor_turn().await;
        yield_!(50 + i);
    }
    n as usize
}

#[test]
fn yield_from_delegates_to_sync_generators_iterators_streams_and_boxed_dyn_async_generators() {
    let mut g = pin!(every_source());
    let items: Vec<u32> = block_on(g.as_mut().collect());
    assert_eq!(items, [10, 20, 10, 20, 30, 31, 40, 41, 50, 51]);
    assert_eq!(g.as_mut().take_return(), Some(vec!["sync", "sync", "dyn"]));
}

#[generator(yield = u32)]
async fn walk(depth: u32) {
    if depth == 0 {
        executor_turn().await;
        yield_!(0);
    } else {
        yield_from!(Box::pin(walk(depth - 1)));
        yield_!(depth);
    }
}

#[test]
fn boxed_recursion_runs_on_the_trampoline_at_any_depth_without_growing_the_stack() {
    let depth = if cfg!(miri) { 50 } else { 10_000 };
    // A small stack: the recursion must not grow the native stack with the depth.
    let items = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || block_on(walk(depth).collect::<Vec<u32>>()))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(items.len() as u32, depth + 1);
    assert_eq!(items[..3], [0, 1, 2]);
}

#[test]
fn a_borrowed_async_generator_delegated_to_stays_its_owners() {
    #[generator(yield = u32)]
    async fn first_of(g: Pin<&mut dyn AsyncGenerator<Yield = u32, Return = usize>>) {
        yield_from!(g);
    }
    let mut inner = pin!(counted(3));
    {
        let mut outer = Box::pin(first_of(inner.as_mut()));
        assert_eq!(block_on(outer.as_mut().next()), Some(50));
    }
    // The delegator is gone; the borrowed generator goes on where it was.
    assert_eq!(block_on(Resume::new(inner.as_mut(), Some(()))), Yielded(51));
}

// ---- async-stream's scenarios (tests/stream.rs) ----

#[test]
fn yield_after_an_await() {
    #[generator(yield = &'static str)]
    async fn s() {
        executor_turn().await;
        yield_!("hello");
        executor_turn().await;
        yield_!("world");
    }
    assert_eq!(block_on(s().collect::<Vec<_>>()), ["hello", "world"]);
}

#[test]
fn question_mark_in_a_try_stream_ends_it_with_the_error() {
    #[generator(yield = u32)]
    async fn numbers(input: Vec<&'static str>) -> Result<(), std::num::ParseIntError> {
        for text in input {
            let n: u32 = text.parse()?;
            executor_turn().await;
            yield_!(n);
        }
        Ok(())
    }
    let mut ok = pin!(numbers(vec!["1", "2"]));
    assert_eq!(block_on(ok.as_mut().collect::<Vec<_>>()), [1, 2]);
    assert_eq!(ok.as_mut().take_return(), Some(Ok(())));
    let mut bad = pin!(numbers(vec!["1", "x", "3"]));
    assert_eq!(block_on(bad.as_mut().collect::<Vec<_>>()), [1]);
    assert!(matches!(bad.as_mut().take_return(), Some(Err(_))));
}

#[test]
fn a_stream_borrows_its_arguments_and_yields_borrowed_items() {
    #[generator(yield = &'a str)]
    async fn words<'a>(text: &'a str) {
        for word in text.split_whitespace() {
            executor_turn().await;
            yield_!(word);
        }
    }
    let text = String::from("borrowed not copied");
    let collected: Vec<&str> = block_on(words(&text).collect());
    assert_eq!(collected, ["borrowed", "not", "copied"]);
}

#[test]
fn nested_streams_one_polling_another_inside_its_body() {
    #[generator(yield = u32)]
    async fn inner() {
        yield_!(1);
        executor_turn().await;
        yield_!(2);
    }
    #[generator(yield = u32)]
    async fn outer() {
        let mut s = pin!(inner());
        while let Some(x) = s.next().await {
            yield_!(x * 10);
        }
    }
    assert_eq!(block_on(outer().collect::<Vec<_>>()), [10, 20]);
}

#[test]
fn an_async_generator_is_a_stream_combinator_input() {
    let doubled_evens: Vec<u32> = block_on(
        counted(6)
            .filter(|x| std::future::ready(x % 2 == 0))
            .map(|x| x * 2)
            .zip(stream::iter(["a", "b", "c"]))
            .map(|(x, _)| x)
            .collect(),
    );
    assert_eq!(doubled_evens, [100, 104, 108]);
}

// ---- yield_! inside other macros ----

#[test]
fn yield_inside_select_arms_vec_and_assert_eq_works() {
    #[generator(yield = u32, send = u32)]
    async fn picks(
        mut left: mpsc::UnboundedReceiver<u32>,
        mut right: mpsc::UnboundedReceiver<u32>,
    ) {
        let mut sent = Vec::new();
        for _ in 0..2 {
            futures::select! {
                x = left.next() => sent.push(yield_!(x.unwrap_or(0))),
                y = right.next() => sent.push(yield_!(y.unwrap_or(0) + 100)),
            }
        }
        let pair: Vec<u32> = vec![yield_!(7), yield_!(8)];
        let pair = &pair[..];
        assert_eq!(yield_!(sent.len() as u32), 2);
        yield_!(pair.iter().sum::<u32>() + sent.iter().sum::<u32>());
    }
    let (l, left) = mpsc::unbounded();
    let (r, right) = mpsc::unbounded();
    let mut g = pin!(picks(left, right));
    block_on(async {
        assert_eq!(g.as_mut().start().now_or_never_pending(), None);
        r.unbounded_send(1).unwrap();
        assert_eq!(g.as_mut().start().await, Yielded(101));
        l.unbounded_send(2).unwrap();
        assert_eq!(g.as_mut().resume(1000).await, Yielded(2));
        assert_eq!(g.as_mut().resume(2000).await, Yielded(7));
        assert_eq!(g.as_mut().resume(3).await, Yielded(8));
        assert_eq!(g.as_mut().resume(4).await, Yielded(2));
        assert_eq!(g.as_mut().resume(2).await, Yielded(3007));
        assert_eq!(g.as_mut().resume(0).await, Complete(()));
    });
}

/// Poll once with a no-op waker: `None` if pending (the step then stays in progress).
trait NowOrNeverPending: Future + Unpin + Sized {
    fn now_or_never_pending(mut self) -> Option<Self::Output> {
        match poll_once(Pin::new(&mut self), Waker::noop()) {
            Poll::Ready(value) => Some(value),
            Poll::Pending => None,
        }
    }
}
impl<F: Future + Unpin> NowOrNeverPending for F {}

#[test]
fn yield_inside_println_format_args_works_in_sync_generators_too() {
    #[generator(yield = u32, send = &'static str)]
    fn labelled() -> String {
        format!("{}-{}", yield_!(1), yield_!(2))
    }
    let mut g = pin!(labelled());
    assert_eq!(g.as_mut().start(), Yielded(1));
    assert_eq!(g.as_mut().resume("a"), Yielded(2));
    assert_eq!(g.as_mut().resume("b"), Complete("a-b".to_string()));
}

#[test]
fn two_yields_polled_in_one_step_by_join_panic_instead_of_losing_one() {
    #[generator(yield = u32)]
    async fn joined() {
        futures::join!(async { yield_!(1) }, async { yield_!(2) });
    }
    let mut g = pin!(joined());
    let message = expect_panic(|| block_on(g.as_mut().next()));
    assert!(message.contains("two cogen yield points"), "{message}");
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn a_yield_point_a_macro_moved_into_a_future_polled_by_another_generator_panics() {
    macro_rules! in_async {
        ($e:expr) => {
            async move { $e }
        };
    }
    #[generator(yield = String)]
    async fn host<F: Future<Output = ()>>(f: F) {
        f.await;
    }
    #[generator(yield = u64)]
    async fn smuggler() {
        let f = in_async!(yield_!(0x4141_4141_4141_4141));
        let mut h = pin!(host(f));
        let _ = h.as_mut().start().await;
    }
    let message = expect_panic(|| block_on(smuggler().collect::<Vec<_>>()));
    assert!(
        message.contains("polled outside of its own generator"),
        "{message}"
    );
}

// ---- Auto traits and shape ----

#[test]
fn an_async_generator_is_send_when_what_it_holds_is_send_and_debug_shows_its_state() {
    let g = counted(1);
    assert_send(&g);
    let mut g = pin!(g);
    assert_eq!(
        format!("{:?}", g),
        "AsyncGenerator { status: Created, running: false, .. }"
    );
    let _ = poll_next_once(g.as_mut(), Waker::noop());
    assert_eq!(
        format!("{:?}", g),
        "AsyncGenerator { status: Suspended, running: true, .. }"
    );
}

#[test]
fn async_generator_methods_and_generic_lifetimes_work_as_for_sync_generators() {
    struct Store {
        items: Vec<String>,
    }
    impl Store {
        #[generator(yield = &str)]
        async fn each(&self) -> usize {
            for item in &self.items {
                executor_turn().await;
                yield_!(item.as_str());
            }
            self.items.len()
        }
    }
    #[generator(yield = T)]
    async fn repeat<T>(value: T, times: usize)
    where
        T: Clone + std::fmt::Debug,
    {
        for _ in 0..times {
            yield_!(value.clone());
        }
    }
    let store = Store {
        items: vec!["x".into(), "y".into()],
    };
    let mut each = pin!(store.each());
    assert_eq!(block_on(each.as_mut().collect::<Vec<_>>()), ["x", "y"]);
    assert_eq!(each.as_mut().take_return(), Some(2));
    assert_eq!(block_on(repeat('z', 3).collect::<String>()), "zzz");
}

#[test]
fn the_sync_protocol_is_untouched_a_sync_generator_still_refuses_to_wait() {
    // Sanity: a sync generator delegated to from an async one is driven synchronously.
    let mut g = pin!(sync_pair());
    assert_eq!(g.as_mut().start(), Yielded(10));
}

#[test]
fn a_yield_cancelled_by_select_after_it_yielded_panics_at_the_next_resume_instead_of_dropping_the_value()
 {
    use futures::FutureExt;
    #[generator(yield = u32, send = u32)]
    async fn loses_the_race(trace: Trace) {
        futures::select_biased! {
            v = async { yield_!(1) }.fuse() => push(&trace, format!("yield branch {v}")),
            _ = std::future::ready(()).fuse() => push(&trace, "ready branch"),
        }
        executor_turn().await;
        let v = yield_!(2);
        push(&trace, format!("got {v}"));
    }
    let trace = new_trace();
    let mut g = pin!(loses_the_race(trace.clone()));
    // The yield branch yielded 1, then lost to the ready branch and was dropped.
    assert_eq!(block_on(g.as_mut().start()), Yielded(1));
    let message = expect_panic(|| block_on(g.as_mut().resume(10)));
    assert!(
        message.contains("cancelled by the macro around it"),
        "{message}"
    );
    assert_eq!(g.status(), Status::Closed);
    assert_eq!(
        entries(&trace),
        ["ready branch"],
        "10 was never taken as 2's value"
    );
}
