// A `Generator` impl cannot supply its own `__cogen_poll`: it would be handed the exchange
// area (and trampoline) of the generator that delegates to it.
use std::pin::Pin;
use std::task::{Poll, Waker};

use cogen::{Generator, GeneratorState, Status};

struct Sneaky;

impl Generator for Sneaky {
    type Yield = u8;
    type Return = ();

    fn start(self: Pin<&mut Self>) -> GeneratorState<u8, ()> {
        GeneratorState::Complete(())
    }
    fn resume(self: Pin<&mut Self>, _: ()) -> GeneratorState<u8, ()> {
        GeneratorState::Complete(())
    }
    fn close(self: Pin<&mut Self>) {}
    fn status(&self) -> Status {
        Status::Closed
    }
    fn __cogen_poll(
        self: Pin<&mut Self>,
        _io: &mut cogen::__private::Io<u8, ()>,
        _waker: &Waker,
    ) -> Poll<()> {
        Poll::Ready(())
    }
}

fn main() {}
