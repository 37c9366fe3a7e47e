#!/usr/bin/env python3
"""E1 TCP echo with CPython's asyncio (and uvloop, if installed): the shape of the Rust
rows (bench/src/echo.rs).

`--clients` connections over loopback, each making `--trips` round trips (write one line,
`drain()`, `readline()`, check it), with an echo server (`readline()`, `write()`, `drain()`)
in the same event loop on the same thread. Each implementation gets one warm-up run (a
tenth of the trips) and `--runs` timed runs; prints one JSON object on stdout (requests per
second, the median and every run; the median CPU time per request in user space and in the
kernel, from getrusage around each run), a line per implementation on stderr.
"""

import argparse
import asyncio
import json
import platform
import resource
import statistics
import sys
import time

MESSAGE = b"cogen echo benchmark, one line per round trip\n"


async def serve(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()


async def client(port, trips):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    echoed = 0
    for _ in range(trips):
        writer.write(MESSAGE)
        await writer.drain()
        line = await reader.readline()
        assert line == MESSAGE, "wrong echo"
        echoed += len(line)
    writer.close()
    await writer.wait_closed()
    return echoed


async def one_run(clients, trips):
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    started = time.perf_counter()
    echoed = await asyncio.gather(*(client(port, trips) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    server.close()
    await server.wait_closed()
    assert sum(echoed) == clients * trips * len(MESSAGE)
    return elapsed


def measure(runner, clients, trips, runs):
    runner(one_run(clients, trips // 10 + 1))  # warm-up
    requests = clients * trips
    rates, user, system = [], [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_SELF)
        rates.append(requests / runner(one_run(clients, trips)))
        after = resource.getrusage(resource.RUSAGE_SELF)
        user.append((after.ru_utime - before.ru_utime) * 1e6 / requests)
        system.append((after.ru_stime - before.ru_stime) * 1e6 / requests)
    return {
        "requests_per_s": statistics.median(rates),
        "runs": rates,
        "user_us_per_request": statistics.median(user),
        "system_us_per_request": statistics.median(system),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--trips", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    runners = [("cpython", asyncio.run)]
    uvloop_version = None
    try:
        import uvloop

        uvloop_version = uvloop.__version__
        runners.append(("uvloop", uvloop.run))
    except ImportError:
        print("uvloop is not installed: no uvloop row", file=sys.stderr)

    results = {}
    for name, runner in runners:
        results[name] = measure(runner, args.clients, args.trips, args.runs)
        r = results[name]
        print(f"E1 {name}: {r['requests_per_s']:.0f} requests/s, CPU "
              f"{r['user_us_per_request']:.2f} us user + {r['system_us_per_request']:.2f} us "
              "kernel per request", file=sys.stderr)
    json.dump({
        "clients": args.clients,
        "trips": args.trips,
        "message_bytes": len(MESSAGE),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "uvloop": uvloop_version,
        "results": results,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
