// An elided lifetime in `yield = &str` is the signature's (here the argument's): the body
// cannot yield a reference to its own local, which would dangle once the generator is gone.
#![forbid(unsafe_code)]
use cogen::{generator, yield_, Generator, GeneratorState};

#[generator(yield = &str)]
fn f(_s: &str) -> u8 {
    let local = String::from("hello from the generator's frame");
    yield_!(&local);
    0
}

fn main() {
    let s = String::from("x");
    let out: &str;
    {
        let mut g = Box::pin(f(&s));
        match g.as_mut().start() {
            GeneratorState::Yielded(v) => out = v,
            _ => unreachable!(),
        }
        drop(g); // frees `local`
    }
    println!("{out}");
}
