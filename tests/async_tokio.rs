//! Async generators on tokio: its current-thread and multi-thread runtimes, its timers and
//! channels, `tokio::select!` and `tokio::time::timeout`. (Not run under miri: tokio's
//! drivers talk to the OS.)

use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cogen::GeneratorState::{Complete, Yielded};
use cogen::{AsyncGenerator, Status, generator, yield_, yield_from};
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

#[tokio::test(flavor = "current_thread")]
async fn the_readme_channel_example_streams_every_line_then_keeps_the_count() {
    let (tx, rx) = mpsc::channel(2);
    tokio::spawn(async move {
        for i in 0..5 {
            tx.send(format!("line {i}")).await.unwrap();
            tokio::task::yield_now().await;
        }
    });
    let mut s = pin!(lines(rx));
    let mut seen = Vec::new();
    while let Some(line) = s.next().await {
        seen.push(line);
    }
    assert_eq!(seen, ["line 0", "line 1", "line 2", "line 3", "line 4"]);
    assert_eq!(s.as_mut().take_return(), Some(5));
}

/// Awaits tokio timers and a channel between its yields; `Send`.
#[generator(yield = u64)]
async fn worker(id: u64, mut ticks: mpsc::Receiver<u64>) -> u64 {
    let mut sum = 0;
    for step in 0..3 {
        tokio::time::sleep(Duration::from_micros(50 * (id % 7))).await;
        yield_!(id * 10 + step);
        let tick = ticks.recv().await.unwrap_or(0);
        sum += tick;
        yield_from!(futures::stream::iter([tick]).then(|t| async move {
            tokio::task::yield_now().await;
            t + 1000
        }));
    }
    sum
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_send_async_generators_spawned_on_the_multi_thread_runtime_all_complete() {
    let mut handles = Vec::new();
    for id in 0..10_000u64 {
        let (tx, rx) = mpsc::channel(3);
        handles.push(tokio::spawn(async move {
            let feeder = tokio::spawn(async move {
                for t in 1..=3 {
                    tx.send(id + t).await.unwrap();
                }
            });
            let mut g = pin!(worker(id, rx));
            let mut items = Vec::new();
            while let Some(item) = g.next().await {
                items.push(item);
            }
            feeder.await.unwrap();
            (id, items, g.as_mut().take_return())
        }));
    }
    for handle in handles {
        let (id, items, returned) = handle.await.unwrap();
        let expected: Vec<u64> = (0..3)
            .flat_map(|step| [id * 10 + step, id + step + 1 + 1000])
            .collect();
        assert_eq!(items, expected, "generator {id}");
        assert_eq!(returned, Some(3 * id + 6));
    }
}

#[test]
fn an_async_generator_runs_on_a_current_thread_runtime_and_on_futures_executor() {
    let run = || async {
        let (tx, rx) = mpsc::channel(1);
        let feeder = async move {
            for t in 1..=3 {
                tx.send(t).await.unwrap();
            }
        };
        let collect = worker(1, rx).collect::<Vec<_>>();
        let ((), items) = futures::join!(feeder, collect);
        items
    };
    let on_tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(run());
    assert_eq!(on_tokio, [10, 1001, 11, 1002, 12, 1003]);
    // tokio's channels work without its runtime (its timers do not): the channel example
    // on `futures::executor`.
    let on_futures = futures::executor::block_on(async {
        let (tx, rx) = mpsc::channel(1);
        let feeder = async move {
            for word in ["a", "b"] {
                tx.send(word.to_string()).await.unwrap();
            }
        };
        let ((), items) = futures::join!(feeder, lines(rx).collect::<Vec<_>>());
        items
    });
    assert_eq!(on_futures, ["a", "b"]);
}

type SharedTrace = Arc<Mutex<Vec<&'static str>>>;

struct PushOnDrop(SharedTrace, &'static str);

impl Drop for PushOnDrop {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(self.1);
    }
}

#[generator(yield = u32)]
async fn waits_forever(trace: SharedTrace) {
    let _outer_local = PushOnDrop(trace.clone(), "inner: first local");
    let _inner_local = PushOnDrop(trace.clone(), "inner: second local");
    yield_!(1);
    std::future::pending::<()>().await;
}

#[generator(yield = u32)]
async fn delegates_to_one_that_waits_forever(trace: SharedTrace) {
    let _local = PushOnDrop(trace.clone(), "outer: local");
    yield_from!(Box::pin(waits_forever(trace.clone())));
}

#[tokio::test(flavor = "current_thread")]
async fn a_stream_dropped_by_a_timeout_closes_the_generator_innermost_first() {
    let trace = SharedTrace::default();
    let mut s = Box::pin(delegates_to_one_that_waits_forever(trace.clone()));
    assert_eq!(s.next().await, Some(1));
    let waited = tokio::time::timeout(Duration::from_millis(20), s.next()).await;
    assert!(waited.is_err(), "timed out");
    assert!(s.is_running());
    assert!(trace.lock().unwrap().is_empty(), "still alive, waiting");
    drop(s);
    assert_eq!(
        *trace.lock().unwrap(),
        ["inner: second local", "inner: first local", "outer: local"]
    );
}

#[generator(yield = String, send = u32)]
async fn races(mut left: mpsc::Receiver<u32>, mut right: mpsc::Receiver<u32>) -> u32 {
    let mut acknowledged = 0;
    loop {
        tokio::select! {
            Some(x) = left.recv() => acknowledged += yield_!(format!("left {x}")),
            Some(y) = right.recv() => acknowledged += yield_!(format!("right {y}")),
            else => return acknowledged,
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn yield_inside_tokio_select_arms_hands_out_and_receives_values() {
    // async-stream#27: "yield inside tokio select! doesn't work".
    let (l, left) = mpsc::channel(4);
    let (r, right) = mpsc::channel(4);
    l.send(1).await.unwrap();
    drop(l);
    let mut g = pin!(races(left, right));
    assert_eq!(g.as_mut().start().await, Yielded("left 1".to_string()));
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        r.send(2).await.unwrap();
    });
    assert_eq!(g.as_mut().resume(10).await, Yielded("right 2".to_string()));
    sender.await.unwrap();
    assert_eq!(g.as_mut().resume(20).await, Complete(30));
    assert_eq!(g.status(), Status::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_generator_moves_between_worker_threads_between_its_polls() {
    #[generator(yield = std::thread::ThreadId)]
    async fn where_am_i() {
        for _ in 0..50 {
            tokio::task::yield_now().await;
            yield_!(std::thread::current().id());
            tokio::time::sleep(Duration::from_micros(100)).await;
        }
    }
    let seen = tokio::spawn(where_am_i().collect::<Vec<_>>())
        .await
        .unwrap();
    assert_eq!(seen.len(), 50);
}
