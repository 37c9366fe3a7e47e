//! E1 TCP echo (issue 10): `clients` connections over loopback, each making `trips` round
//! trips (write one line, wait for its echo), against an echo server in the same event loop
//! on the same thread. Run for cogen's `asyncio` and tokio's current-thread runtime; the
//! CPython asyncio and uvloop rows are bench/python/echo.py, the same shape.
//!
//! ```text
//! echo [--clients N] [--trips N] [--runs N] [--only cogen|tokio]
//! ```
//!
//! Prints one JSON object on stdout: per implementation, the requests (round trips) per
//! second of each run and their median. Every client checks each echo it receives.

use cogen_bench::echo::{self, Config};

fn main() {
    let mut config = Config::default();
    let mut runs = 5;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} takes a value"));
        match arg.as_str() {
            "--clients" => config.clients = value().parse().expect("--clients N"),
            "--trips" => config.trips = value().parse().expect("--trips N"),
            "--runs" => runs = value().parse().expect("--runs N"),
            "--only" => only = Some(value()),
            other => panic!("unknown argument {other:?}"),
        }
    }
    let mut results = Vec::new();
    for (name, run) in echo::IMPLS {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        run(&Config {
            trips: config.trips / 10 + 1,
            ..config
        }); // warm-up
        let mut per_second: Vec<f64> = (0..runs)
            .map(|_| {
                let run = run(&config);
                assert_eq!(
                    run.echoed,
                    config.requests() * echo::MESSAGE.len(),
                    "E1 {name}"
                );
                config.requests() as f64 / run.elapsed.as_secs_f64()
            })
            .collect();
        let all = format!("{per_second:?}");
        per_second.sort_by(f64::total_cmp);
        let median = per_second[per_second.len() / 2];
        eprintln!("E1 {name}: {median:.0} requests/s (runs: {all})");
        results.push(format!(
            "\"{name}\": {{\"requests_per_s\": {median}, \"runs\": {all}}}"
        ));
    }
    println!(
        "{{\"clients\": {}, \"trips\": {}, \"message_bytes\": {}, \"results\": {{{}}}}}",
        config.clients,
        config.trips,
        echo::MESSAGE.len(),
        results.join(", ")
    );
}
