use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() {
    let _fut = async {
        yield_!(1);
    };
}

fn main() {
    let _ = counter();
}
