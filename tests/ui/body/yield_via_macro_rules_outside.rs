use cogen::{generator, yield_};

macro_rules! emit {
    ($value:expr) => {
        yield_!($value)
    };
}

#[generator(yield = u32)]
fn counter() {
    emit!(1);
}

fn main() {
    let _ = counter();
}
