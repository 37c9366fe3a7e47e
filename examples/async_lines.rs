//! Async generators on tokio: the README's channel example, run. A producer task sends
//! lines into a channel; `lines` is an async generator that `.await`s the channel and
//! `yield_!`s each line, consumed as a `futures::Stream`; its return value (the count) is
//! kept for `take_return`. Then the same generator type driven by hand with
//! `start`/`resume`, and `yield_!` inside `tokio::select!`.
//!
//! `cargo run --example async_lines`

use std::pin::pin;
use std::time::Duration;

use cogen::{AsyncGenerator, GeneratorState, generator, yield_};
use futures::StreamExt;
use tokio::sync::mpsc;

#[generator(yield = String)]
async fn lines(mut rx: mpsc::Receiver<String>) -> usize {
    let mut n = 0;
    while let Some(line) = rx.recv().await {
        yield_!(line);
        n += 1;
    }
    n
}

/// Numbers the lines it is sent; stops on an empty one. Ticks meanwhile.
#[generator(yield = String, send = String)]
async fn numbered() -> usize {
    let mut ticker = tokio::time::interval(Duration::from_millis(1));
    let mut count = 0;
    let mut line = yield_!("ready".to_string());
    while !line.is_empty() {
        count += 1;
        tokio::select! {
            _ = ticker.tick() => line = yield_!(format!("{count}: {line}")),
        }
    }
    count
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (tx, rx) = mpsc::channel(2);
    tokio::spawn(async move {
        for word in ["alpha", "beta", "gamma"] {
            tx.send(word.to_string()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let mut s = pin!(lines(rx));
    while let Some(line) = s.next().await {
        println!("line: {line}");
    }
    println!("lines returned {:?}", s.as_mut().take_return());

    let mut g = pin!(numbered());
    let mut state = g.as_mut().start().await;
    for line in ["first", "second", ""] {
        if let GeneratorState::Yielded(text) = &state {
            println!("numbered: {text}");
        }
        state = g.as_mut().resume(line.to_string()).await;
    }
    println!("numbered returned {:?}", state.complete());
}
