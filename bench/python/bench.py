#!/usr/bin/env python3
"""W1-W4 of the cogen benchmark suite with CPython generators, for the Rust/CPython ratio.

Same workloads and sizes as the Rust suite (bench/src/lib.rs):
  W1 iterate   a generator yielding range(1_000_000), summed
  W2 send      a running-average coroutine fed 1_000_000 values by send()
  W3 delegate  d = 1, 8, 64 nested `yield from` generators, innermost yields range(62_500)
  W4 tree      in-order walk of a complete binary tree of 2**16 nodes, recursive `yield from`

Each measurement is the median of --runs timed runs (after one warm-up run), in ns per item.
Prints one JSON object on stdout (ids match the criterion bench ids, implementation
"cpython"); a readable table goes to stderr. Standard library only.
"""

import argparse
import json
import platform
import statistics
import sys
import time

W1_N = 1_000_000
W2_N = 1_000_000
W3_N = 62_500
W3_DEPTHS = (1, 8, 64)
W4_NODES = 1 << 16


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
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()

    cases = [
        ("W1_iterate/cpython", w1, W1_N, W1_N * (W1_N - 1) // 2),
        ("W2_send/cpython", w2, W2_N, None),
        *[(f"W3_delegate/cpython/{d}", w3(d), W3_N, W3_N * (W3_N - 1) // 2) for d in W3_DEPTHS],
        ("W4_tree/cpython", w4, W4_NODES, W4_NODES * (W4_NODES - 1) // 2),
    ]
    results = {}
    for name, fn, items, expected in cases:
        median, best = measure(fn, items, args.runs, expected)
        results[name] = {"median_ns_per_item": median, "best_ns_per_item": best}
        print(f"{name:28} {median:10.1f} ns/item (median of {args.runs}; best {best:.1f})",
              file=sys.stderr)

    report = {
        "python": platform.python_implementation() + " " + platform.python_version(),
        "runs": args.runs,
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
