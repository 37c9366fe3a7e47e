use cogen::{generator, yield_};

#[generator(yield = u32, send = u32)]
fn counter() {
    let sent: String = yield_!(1);
    drop(sent);
}

fn main() {
    let _ = counter();
}
