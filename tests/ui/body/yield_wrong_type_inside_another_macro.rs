// A `yield_!` in another macro's arguments is checked against the declared yield type as
// one in the body is: at the value.
use cogen::{generator, yield_};

#[generator(yield = u32, send = u32)]
fn echo() {
    println!("sent {}", yield_!("not a number"));
}

fn main() {
    let _ = echo();
}
