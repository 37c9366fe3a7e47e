use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() {
    macro_rules! emit {
        ($value:expr) => {
            yield_!($value)
        };
    }
    emit!(1);
}

fn main() {
    let _ = counter();
}
