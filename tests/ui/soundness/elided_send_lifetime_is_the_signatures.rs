// An elided lifetime in `send = &str` is the signature's: a sent value cannot be kept
// as `&'static str`.
#![forbid(unsafe_code)]
use cogen::{generator, yield_, Generator};
use std::sync::Mutex;
static STASH: Mutex<Option<&'static str>> = Mutex::new(None);

// `send = &str` is elided: `&'a str` in the signature, a free lifetime in the body, which
// the body picks as 'static.
#[generator(yield = (), send = &str)]
fn f(_tie: &str) -> u8 {
    let s: &'static str = yield_!(());
    *STASH.lock().unwrap() = Some(s);
    0
}

fn main() {
    let tie = String::new();
    {
        let sent = String::from("short-lived string sent into the generator");
        let mut g = Box::pin(f(&tie));
        let _ = g.as_mut().start();
        let _ = g.as_mut().resume(&sent);
    } // `sent` freed
    println!("{}", STASH.lock().unwrap().unwrap());
}
