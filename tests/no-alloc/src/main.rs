//! cogen on bare metal, with no allocator: generators pinned on the stack, iterated in
//! place, resumed with sent values, delegating with `yield_from!` to a generator and to an
//! iterator. No `#[global_allocator]` is defined, so this binary links only if nothing
//! here or in cogen (built without its `alloc` feature) allocates.
#![no_std]
#![no_main]

use core::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_, yield_from};

#[generator(yield = u32)]
fn countdown(n: u32) {
    for i in (1..=n).rev() {
        yield_!(i);
    }
}

#[generator(yield = u32)]
fn countdown_then_squares(n: u32) {
    yield_from!(countdown(n));
    yield_from!((1..=n).map(|i| i * i));
}

#[generator(yield = u32, send = u32)]
fn running_total() -> u32 {
    let mut total = 0;
    loop {
        let x = yield_!(total);
        if x == 0 {
            return total;
        }
        total += x;
    }
}

/// 3 + 2 + 1 + 1 + 4 + 9 = 20, then 1 + 2 + 3 = 6: 26.
fn checksum() -> u32 {
    let items: u32 = pin!(countdown_then_squares(3)).iter().sum();
    let mut total = pin!(running_total());
    let _ = total.as_mut().start();
    for x in [1, 2, 3] {
        let _ = total.as_mut().resume(x);
    }
    match total.as_mut().resume(0) {
        GeneratorState::Complete(sum) => items + sum,
        GeneratorState::Yielded(_) => 0,
    }
}

/// The entry point (a real board's reset handler would be this).
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let sum = checksum();
    // Keep the result observable, so the generators are not optimized away.
    // SAFETY: `sum` is a live local; a volatile read of it is always valid.
    let _ = unsafe { core::ptr::read_volatile(&sum) };
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
