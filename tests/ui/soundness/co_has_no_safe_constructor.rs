// The capability to yield has no safe constructor: with a `Co<u64, ()>` of its own, a body
// of another yield type could write a `u64` into its generator's exchange area.
use cogen::__private::Co;

fn main() {
    let _ = Co::<u64, ()>::new();
}
