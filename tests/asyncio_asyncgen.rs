//! PEP 525 asynchronous generators in `cogen::asyncio` (`#[asyncio::async_generator]`),
//! checked against the scenarios of CPython's test_asyncgen.py that have a Rust meaning.
//! Every timed test runs on a virtual clock, so the traces carry exact times.
//!
//! Python's `RuntimeError: async generator ignored GeneratorExit` (the body yields during
//! `aclose()`) is a panic here, as `Generator::close_gracefully`'s "generator ignored
//! GeneratorExit" is.

use std::time::Duration;

use cogen::asyncio::{
    self, AsyncError, AsyncGen, AsyncGenError, Cancelled, EventLoop, GeneratorExit,
};
use cogen::{Status, yield_, yield_from};

mod support;
use support::{Trace, entries, expect_panic, new_trace, push};

#[derive(Debug, Clone, PartialEq)]
enum Error {
    Cancelled,
    Exit,
    Boom(&'static str),
}

impl From<Cancelled> for Error {
    fn from(_: Cancelled) -> Self {
        Error::Cancelled
    }
}

impl From<GeneratorExit> for Error {
    fn from(_: GeneratorExit) -> Self {
        Error::Exit
    }
}

impl AsyncError for Error {
    fn is_cancelled(&self) -> bool {
        *self == Error::Cancelled
    }
}

type Res<T> = Result<T, AsyncGenError<Error>>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at(trace: &Trace, what: &str) {
    let now = asyncio::get_running_loop().unwrap().time().as_millis();
    push(trace, format!("{now}ms {what}"));
}

#[asyncio::async_generator(yield = u32)]
fn ticker(trace: Trace, n: u32) -> Result<(), Error> {
    for i in 0..n {
        yield_from!(asyncio::sleep(ms(10)))?;
        at(&trace, &format!("yield {i}"));
        yield_!(i)?;
    }
    at(&trace, "return");
    Ok(())
}

#[asyncio::coroutine]
fn collect(gen_: AsyncGen<u32, (), Error>, trace: Trace) -> Res<Vec<u32>> {
    let mut items = Vec::new();
    loop {
        match yield_from!(gen_.anext()) {
            Ok(item) => {
                at(&trace, &format!("got {item}"));
                items.push(item);
            }
            Err(AsyncGenError::StopAsyncIteration) => return Ok(items),
            Err(error) => return Err(error),
        }
    }
}

#[test]
fn iteration_with_sleeps_between_yields_interleaves_the_body_and_the_consumer() {
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let items = lp.run_until_complete(collect(ticker(trace.clone(), 3), trace.clone()));
    assert_eq!(items, Ok(vec![0, 1, 2]));
    assert_eq!(
        entries(&trace),
        [
            "10ms yield 0",
            "10ms got 0",
            "20ms yield 1",
            "20ms got 1",
            "30ms yield 2",
            "30ms got 2",
            "30ms return"
        ]
    );
}

#[test]
fn anext_on_an_exhausted_generator_is_stop_async_iteration_again() {
    #[asyncio::coroutine]
    fn main() -> Res<Vec<Res<u32>>> {
        let g = ticker(new_trace(), 1);
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(yield_from!(g.anext()));
        }
        assert_eq!(g.status(), Status::Closed);
        Ok(seen)
    }
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(main()),
        Ok(vec![
            Ok(0),
            Err(AsyncGenError::StopAsyncIteration),
            Err(AsyncGenError::StopAsyncIteration)
        ])
    );
}

#[asyncio::async_generator(yield = u32, send = u32)]
fn accumulate(trace: Trace) -> Result<(), Error> {
    let mut total = 0;
    loop {
        let sent = yield_!(total)?;
        at(&trace, &format!("sent {sent}"));
        yield_from!(asyncio::sleep(ms(5)))?;
        total += sent;
    }
}

#[test]
fn asend_delivers_the_value_at_the_yield_and_anext_sends_the_default() {
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<Vec<u32>> {
        let g = accumulate(trace);
        let a = yield_from!(g.anext())?;
        let b = yield_from!(g.asend(3))?;
        let c = yield_from!(g.asend(4))?;
        let d = yield_from!(g.anext())?;
        Ok(vec![a, b, c, d])
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(main(trace.clone())),
        Ok(vec![0, 3, 7, 7])
    );
    assert_eq!(entries(&trace), ["0ms sent 3", "5ms sent 4", "10ms sent 0"]);
}

#[test]
fn asend_to_a_fresh_generator_panics() {
    #[asyncio::coroutine]
    fn main() -> Res<u32> {
        let g = accumulate(new_trace());
        yield_from!(g.asend(1))
    }
    let lp = EventLoop::with_virtual_clock();
    let message = expect_panic(|| lp.run_until_complete(main()));
    assert!(
        message.contains("just-started async generator"),
        "{message}"
    );
}

#[asyncio::async_generator(yield = &'static str)]
fn guarded(trace: Trace) -> Result<(), Error> {
    loop {
        match yield_!("ready") {
            Ok(()) => {}
            Err(Error::Boom(what)) => {
                yield_from!(asyncio::sleep(ms(1)))?;
                at(&trace, &format!("caught {what}"));
                yield_!("caught")?;
            }
            Err(other) => return Err(other),
        }
    }
}

#[test]
fn athrow_caught_by_the_body_completes_with_its_next_item() {
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<Vec<&'static str>> {
        let g = guarded(trace);
        let a = yield_from!(g.anext())?;
        let b = yield_from!(g.athrow(Error::Boom("x")))?;
        let c = yield_from!(g.anext())?;
        Ok(vec![a, b, c])
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(main(trace.clone())),
        Ok(vec!["ready", "caught", "ready"])
    );
    assert_eq!(entries(&trace), ["1ms caught x"]);
}

#[test]
fn athrow_uncaught_is_raised_and_the_generator_is_finished() {
    #[asyncio::coroutine]
    fn main() -> Res<Vec<Res<u32>>> {
        let g = ticker(new_trace(), 5);
        yield_from!(g.anext())?;
        let a = yield_from!(g.athrow(Error::Boom("y")));
        let b = yield_from!(g.anext());
        let c = yield_from!(g.athrow(Error::Boom("z")));
        Ok(vec![a, b, c])
    }
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(main()),
        Ok(vec![
            Err(AsyncGenError::Raised(Error::Boom("y"))),
            Err(AsyncGenError::StopAsyncIteration),
            Err(AsyncGenError::StopAsyncIteration)
        ])
    );
}

#[test]
fn athrow_into_a_fresh_generator_raises_without_running_the_body() {
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<Vec<Res<u32>>> {
        let g = ticker(trace, 5);
        let a = yield_from!(g.athrow(Error::Boom("early")));
        let b = yield_from!(g.anext());
        Ok(vec![a, b])
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(main(trace.clone())),
        Ok(vec![
            Err(AsyncGenError::Raised(Error::Boom("early"))),
            Err(AsyncGenError::StopAsyncIteration)
        ])
    );
    assert!(entries(&trace).is_empty());
}

#[test]
fn aclose_of_fresh_suspended_and_exhausted_generators() {
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<()> {
        let fresh = ticker(trace.clone(), 2);
        yield_from!(fresh.aclose())?;
        assert_eq!(fresh.status(), Status::Closed);
        let next = yield_from!(fresh.anext());
        assert_eq!(next, Err(AsyncGenError::StopAsyncIteration));

        let suspended = ticker(trace.clone(), 2);
        yield_from!(suspended.anext())?;
        assert_eq!(suspended.status(), Status::Suspended);
        yield_from!(suspended.aclose())?;
        assert_eq!(suspended.status(), Status::Closed);
        let next = yield_from!(suspended.anext());
        assert_eq!(next, Err(AsyncGenError::StopAsyncIteration));

        let exhausted = ticker(trace.clone(), 0);
        let next = yield_from!(exhausted.anext());
        assert_eq!(next, Err(AsyncGenError::StopAsyncIteration));
        yield_from!(exhausted.aclose())?;
        yield_from!(exhausted.aclose())?;
        Ok(())
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(main(trace.clone())), Ok(()));
    assert_eq!(entries(&trace), ["10ms yield 0", "10ms return"]);
}

#[asyncio::async_generator(yield = u32)]
fn with_cleanup(trace: Trace, fail: bool) -> Result<(), Error> {
    let mut i = 0;
    loop {
        if let Err(error) = yield_!(i) {
            at(&trace, &format!("cleanup after {error:?}"));
            yield_from!(asyncio::sleep(ms(50)))?;
            at(&trace, "cleaned up");
            return Err(if fail { Error::Boom("cleanup") } else { error });
        }
        i += 1;
    }
}

#[test]
fn cleanup_awaits_during_aclose() {
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<()> {
        let g = with_cleanup(trace.clone(), false);
        yield_from!(g.anext())?;
        yield_from!(g.anext())?;
        yield_from!(asyncio::sleep(ms(10)))?;
        at(&trace, "aclose");
        yield_from!(g.aclose())?;
        at(&trace, "closed");
        Ok(())
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(main(trace.clone())), Ok(()));
    assert_eq!(
        entries(&trace),
        [
            "10ms aclose",
            "10ms cleanup after Exit",
            "60ms cleaned up",
            "60ms closed"
        ]
    );
}

#[test]
fn an_error_other_than_generator_exit_during_aclose_is_raised() {
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<Res<()>> {
        let g = with_cleanup(trace, true);
        yield_from!(g.anext())?;
        Ok(yield_from!(g.aclose()))
    }
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(main(new_trace())),
        Ok(Err(AsyncGenError::Raised(Error::Boom("cleanup"))))
    );
}

#[asyncio::async_generator(yield = u32)]
fn stubborn() -> Result<(), Error> {
    loop {
        let _ = yield_!(1);
    }
}

#[test]
fn a_body_that_yields_during_aclose_panics_ignored_generator_exit() {
    #[asyncio::coroutine]
    fn main() -> Res<()> {
        let g = stubborn();
        yield_from!(g.anext())?;
        yield_from!(g.aclose())
    }
    let lp = EventLoop::with_virtual_clock();
    let message = expect_panic(|| lp.run_until_complete(main()));
    assert!(
        message.contains("async generator ignored GeneratorExit"),
        "{message}"
    );
}

#[test]
fn cancelling_the_task_awaiting_anext_cancels_the_body_at_its_await() {
    #[asyncio::async_generator(yield = u32)]
    fn slow(trace: Trace) -> Result<(), Error> {
        at(&trace, "body sleeps");
        match yield_from!(asyncio::sleep(ms(100))) {
            Ok(()) => yield_!(1)?,
            Err(error) => {
                at(&trace, &format!("body got {error:?}"));
                return Err(error.into());
            }
        }
        Ok(())
    }
    #[asyncio::coroutine]
    fn consumer(g: AsyncGen<u32, (), Error>) -> Res<u32> {
        yield_from!(g.anext())
    }
    #[asyncio::coroutine]
    fn main(trace: Trace) -> Res<()> {
        let g = slow(trace.clone());
        let task = asyncio::create_task(consumer(g.clone()));
        yield_from!(asyncio::sleep(ms(30)))?;
        at(&trace, "cancel");
        task.cancel();
        let result = yield_from!(&task);
        at(&trace, &format!("task: {result:?}"));
        assert!(task.cancelled());
        assert_eq!(g.status(), Status::Closed);
        let next = yield_from!(g.anext());
        assert_eq!(next, Err(AsyncGenError::StopAsyncIteration));
        Ok(())
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(main(trace.clone())), Ok(()));
    assert_eq!(
        entries(&trace),
        [
            "0ms body sleeps",
            "30ms cancel",
            "30ms body got Cancelled",
            "30ms task: Err(Raised(Cancelled))"
        ]
    );
}

#[test]
fn a_second_anext_while_one_is_running_panics_already_running() {
    #[asyncio::coroutine]
    fn consumer(g: AsyncGen<u32, (), Error>) -> Res<u32> {
        yield_from!(g.anext())
    }
    #[asyncio::coroutine]
    fn main() -> Res<u32> {
        let g = ticker(new_trace(), 2);
        let _first = asyncio::create_task(consumer(g.clone()));
        yield_from!(asyncio::sleep(ms(1)))?;
        yield_from!(g.anext())
    }
    let lp = EventLoop::with_virtual_clock();
    let message = expect_panic(|| lp.run_until_complete(main()));
    assert!(
        message.contains("anext(): asynchronous generator is already running"),
        "{message}"
    );
}

#[test]
fn the_body_awaits_futures_tasks_and_other_async_generators() {
    #[asyncio::coroutine]
    fn seven() -> Result<u32, Error> {
        yield_from!(asyncio::sleep(ms(3)))?;
        Ok(7)
    }
    #[asyncio::async_generator(yield = u32)]
    fn relay(source: AsyncGen<u32, (), Error>) -> Result<(), Error> {
        let lp = asyncio::get_running_loop().unwrap();
        let fut: asyncio::Future<u32, Error> = lp.create_future();
        let setter = fut.clone();
        lp.call_later(ms(2), move || {
            let _ = setter.set_result(40);
        });
        let from_future = yield_from!(&fut)?;
        let task = asyncio::create_task(seven());
        let from_task = yield_from!(&task)?;
        yield_!(from_future + from_task)?;
        loop {
            match yield_from!(source.anext()) {
                Ok(item) => yield_!(100 + item)?,
                Err(AsyncGenError::StopAsyncIteration) => return Ok(()),
                Err(AsyncGenError::Raised(error)) => return Err(error),
            }
        }
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    let items = lp.run_until_complete(collect(relay(ticker(new_trace(), 2)), trace.clone()));
    assert_eq!(items, Ok(vec![47, 100, 101]));
    assert_eq!(
        entries(&trace),
        ["5ms got 47", "15ms got 100", "25ms got 101"]
    );
}

#[test]
fn a_yield_inside_another_macros_arguments_is_an_item_too() {
    #[asyncio::async_generator(yield = u32, send = u32)]
    fn echo(trace: Trace) -> Result<(), Error> {
        push(&trace, format!("sent {:?}", yield_!(1)));
        Ok(())
    }
    #[asyncio::coroutine]
    fn demo(trace: Trace) -> Res<Res<u32>> {
        let g = echo(trace);
        yield_from!(g.anext())?;
        Ok(yield_from!(g.asend(9)))
    }
    let trace = new_trace();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(demo(trace.clone())),
        Ok(Err(AsyncGenError::StopAsyncIteration))
    );
    assert_eq!(entries(&trace), ["sent Ok(9)"]);
}

#[test]
fn a_step_dropped_in_the_middle_of_an_await_closes_the_generator() {
    #[asyncio::async_generator(yield = u32)]
    fn holder(trace: Trace) -> Result<(), Error> {
        let _guard = support::PushOnDrop(trace, "body dropped");
        yield_from!(asyncio::sleep(ms(100)))?;
        yield_!(1)?;
        Ok(())
    }
    #[asyncio::coroutine]
    fn consumer(g: AsyncGen<u32, (), Error>) -> Res<u32> {
        yield_from!(g.anext())
    }
    let trace = new_trace();
    let g = holder(trace.clone());
    {
        let lp = EventLoop::with_virtual_clock();
        let _task = lp.create_task(consumer(g.clone()));
        lp.run_briefly();
        assert_eq!(g.status(), Status::Suspended);
        assert!(entries(&trace).is_empty());
    }
    assert_eq!(entries(&trace), ["body dropped"]);
    assert_eq!(g.status(), Status::Closed);
}

#[test]
fn a_body_that_panics_is_finished_afterwards() {
    #[asyncio::async_generator(yield = u32)]
    fn fragile() -> Result<(), Error> {
        yield_!(1)?;
        panic!("boom in the body");
    }
    #[asyncio::coroutine]
    fn consumer(g: AsyncGen<u32, (), Error>) -> Res<u32> {
        yield_from!(g.anext())
    }
    let g = fragile();
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(lp.run_until_complete(consumer(g.clone())), Ok(1));
    let message = expect_panic(|| lp.run_until_complete(consumer(g.clone())));
    assert!(message.contains("boom in the body"), "{message}");
    assert_eq!(g.status(), Status::Closed);
    let lp = EventLoop::with_virtual_clock();
    assert_eq!(
        lp.run_until_complete(consumer(g.clone())),
        Err(AsyncGenError::StopAsyncIteration)
    );
}
