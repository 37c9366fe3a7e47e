#!/usr/bin/env python3
"""W1-W5 of the cogen benchmark suite with CPython generators and asyncio, for the Rust/CPython ratio.

Same workloads and sizes as the Rust suite (bench/src/lib.rs):
  W1 iterate   a generator yielding range(1_000_000), summed
  W2 send      a running-average coroutine fed 1_000_000 values by send()
  W3 delegate  d = 1, 8, 64 nested `yield from` generators, innermost yields range(62_500)
  W4 tree      in-order walk of a complete binary tree of 2**16 nodes, recursive `yield from`
  W5 switch    asyncio: 10_000 tasks each `await asyncio.sleep(0)` 100 times (1_000_000
               switches), under `asyncio.run` with `create_task` + `gather`; ns per switch.
               About 3 s a run, so it gets at most --w5-runs timed runs (default 3).

Each measurement is the median of --runs timed runs (after one warm-up run), in ns per item.
Prints one JSON object on stdout (ids match the criterion bench ids, implementation
"cpython"); a readable table goes to stderr. Standard library only.
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time

W1_N = 1_000_000
W2_N = 1_000_000
W3_N = 62_500
W3_DEPTHS = (1, 8, 64)
W4_NODES = 1 << 16
W5_TASKS = 10_000
W5_YIELDS = 100


# W1 -------------------------------------------------------------------------------------
def upto(n):
    for i in range(n):
        yield i


def w1():
    total = 0
    for x in upto(W1_N):
        total += x
    return total


# W2 -------------------------------------------------------------------------------------
def averager():
    total = 0.0
    count = 0.0
    avg = 0.0
    while True:
        x = yield avg
        total += x
        count += 1.0
        avg = total / count


def w2():
    g = averager()
    next(g)  # prime: run to the first yield
    send = g.send
    acc = 0.0
    for i in range(W2_N):
        acc += send(float(i & 1023))
    return acc


# W3 -------------------------------------------------------------------------------------
def chain(d, n):
    if d == 0:
        for i in range(n):
            yield i
    else:
        yield from chain(d - 1, n)


def w3(d):
    def run():
        total = 0
        for x in chain(d, W3_N):
            total += x
        return total
    return run


# W4 -------------------------------------------------------------------------------------
class Node:
    __slots__ = ("value", "left", "right")

    def __init__(self, value, left, right):
        self.value = value
        self.left = left
        self.right = right


def build_tree(i, nodes):
    """Complete binary tree in heap order: node i has children 2i+1 and 2i+2."""
    if i >= nodes:
        return None
    return Node(i, build_tree(2 * i + 1, nodes), build_tree(2 * i + 2, nodes))


def walk(node):
    if node.left is not None:
        yield from walk(node.left)
    yield node.value
    if node.right is not None:
        yield from walk(node.right)


TREE = build_tree(0, W4_NODES)


def w4():
    total = 0
    for x in walk(TREE):
        total += x
    return total


# W5 -------------------------------------------------------------------------------------
async def switcher(n):
    switches = 0
    for _ in range(n):
        await asyncio.sleep(0)
        switches += 1
    return switches


async def w5_main(tasks, yields):
    all_tasks = [asyncio.create_task(switcher(yields)) for _ in range(tasks)]
    return sum(await asyncio.gather(*all_tasks))


def w5():
    return asyncio.run(w5_main(W5_TASKS, W5_YIELDS))


# driver ---------------------------------------------------------------------------------
def measure(fn, items, runs, expected):
    result = fn()  # warm-up, and a correctness check
    if expected is not None and result != expected:
        raise SystemExit(f"{fn.__name__}: got {result}, expected {expected}")
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / items, min(times) / items


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per workload (median)")
    parser.add_argument("--w5-runs", type=int, default=3,
                        help="at most this many timed runs of W5 (about 3 s each)")
    parser.add_argument("--only", help="run only the workloads whose id starts with this "
                        "(e.g. W5); with --out, the other results already in that file are kept")
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()

    cases = [
        ("W1_iterate/cpython", w1, W1_N, W1_N * (W1_N - 1) // 2),
        ("W2_send/cpython", w2, W2_N, None),
        *[(f"W3_delegate/cpython/{d}", w3(d), W3_N, W3_N * (W3_N - 1) // 2) for d in W3_DEPTHS],
        ("W4_tree/cpython", w4, W4_NODES, W4_NODES * (W4_NODES - 1) // 2),
        ("W5_switch/cpython", w5, W5_TASKS * W5_YIELDS, W5_TASKS * W5_YIELDS),
    ]
    if args.only:
        cases = [case for case in cases if case[0].startswith(args.only)]
    results, runs_of, default_runs = {}, {}, args.runs
    if args.only and args.out and os.path.exists(args.out):
        with open(args.out) as f:
            previous = json.load(f)
        results = previous["results"]
        runs_of = previous.get("runs_of", {})
        default_runs = previous.get("runs", args.runs)
    for name, fn, items, expected in cases:
        runs = min(args.runs, args.w5_runs) if name.startswith("W5") else args.runs
        median, best = measure(fn, items, runs, expected)
        results[name] = {"median_ns_per_item": median, "best_ns_per_item": best}
        runs_of[name] = runs
        print(f"{name:28} {median:10.1f} ns/item (median of {runs}; best {best:.1f})",
              file=sys.stderr)

    report = {
        "python": platform.python_implementation() + " " + platform.python_version(),
        "runs": default_runs,
        "runs_of": runs_of,
        "statistic": "median",
        "results": results,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
