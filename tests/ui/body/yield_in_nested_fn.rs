use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() {
    fn helper() {
        yield_!(1);
    }
    helper();
}

fn main() {
    let _ = counter();
}
