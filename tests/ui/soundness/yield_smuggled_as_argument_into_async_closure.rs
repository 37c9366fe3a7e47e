use cogen::{generator, yield_};

macro_rules! in_async_closure {
    ($e:expr) => {
        async move || $e
    };
}

#[generator(yield = u32)]
fn counter() {
    let _c = in_async_closure!(yield_!(1));
}

fn main() {
    let _ = counter();
}
