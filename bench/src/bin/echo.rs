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
//! second of each run and their median, and the median CPU time per request in user space
//! and in the kernel (`getrusage` around each run). Every client checks each echo it receives.

use cogen_bench::echo::{self, Config, CpuTime};

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
        let mut per_second = Vec::new();
        let (mut user, mut system) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let before = CpuTime::now();
            let run = run(&config);
            let cpu = CpuTime::now().since(before);
            assert_eq!(
                run.echoed,
                config.requests() * echo::MESSAGE.len(),
                "E1 {name}"
            );
            let requests = config.requests() as f64;
            per_second.push(requests / run.elapsed.as_secs_f64());
            user.push(cpu.user.as_secs_f64() * 1e6 / requests);
            system.push(cpu.system.as_secs_f64() * 1e6 / requests);
        }
        let all = format!("{per_second:?}");
        let (median, user, system) = (median(per_second), median(user), median(system));
        eprintln!(
            "E1 {name}: {median:.0} requests/s, CPU {user:.2} us user + {system:.2} us kernel \
             per request (runs: {all})"
        );
        results.push(format!(
            "\"{name}\": {{\"requests_per_s\": {median}, \"runs\": {all}, \
             \"user_us_per_request\": {user}, \"system_us_per_request\": {system}}}"
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
