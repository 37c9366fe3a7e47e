use std::rc::Rc;
use cogen::{generator, yield_};
use futures::StreamExt;

#[generator(yield = u32)]
async fn counts() {
    let shared = Rc::new(1);
    tokio::task::yield_now().await;
    yield_!(*shared);
}

#[tokio::main]
async fn main() {
    let _ = tokio::spawn(async { counts().collect::<Vec<_>>().await }).await;
}
