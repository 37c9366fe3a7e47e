// The one way to the capability to yield is `unsafe`: only `#[generator]`'s expansion,
// which upholds its contract, calls it.
use cogen::__private::Co;

fn main() {
    let _ = Co::<u64, ()>::bind();
}
