#!/usr/bin/env python3
"""Write BENCHMARKS.md and bench/w3_depth.svg from a benchmark run.

Reads criterion's output (<target>/criterion/**/new/{benchmark,estimates}.json: the median
time per iteration, divided by the iteration's item count = ns per item), the CPython
results written by python/bench.py, and, if present, the callgrind summary written by
profile.py. Standard library only (no matplotlib: the SVG is written by hand).

Usage: python3 bench/report.py [--target DIR] [--python FILE] [--out FILE] [--svg FILE]
"""

import argparse
import datetime
import glob
import html
import json
import math
import os
import platform
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Crates that failed to build with the toolchain of the run: id prefix -> reason. The
# suite's Cargo.toml only lists crates that build; a crate that stops building is removed
# from it and recorded here, so its rows say why they are empty.
DOES_NOT_BUILD = {}

CPY = "cpython"

# Per workload: (bench id, label, note). The first row is the floor the ratios refer to.
W1_ROWS = [
    ("hand", "hand-written `Iterator` (floor)", "a counter struct"),
    ("from_fn", "`std::iter::from_fn`", "closure over a counter"),
    ("cogen_pinned", "**cogen**, `pin!(g).iter()`",
     "the generator is also iterated boxed (`for`) elsewhere in the crate"),
    ("cogen_pinned_sole_use", "cogen, `pin!(g).iter()`, sole use",
     "check: same generator, its only use in the crate (formerly the only inlined case)"),
    ("cogen_pinned_resume", "cogen, pinned, `start`/`resume(())` loop",
     "diagnostic: same generator as `cogen_pinned`, driven without `iter()`"),
    ("cogen_boxed_for", "cogen, `for x in g` (boxed once)", ""),
    ("genawaiter_stack", "genawaiter (`stack`)", "`let_gen_using!`, no allocation"),
    ("genawaiter_rc", "genawaiter (`rc`)", "`rc::Gen::new`"),
    ("next_gen", "next-gen", "`mk_gen!` (stack-pinned)"),
    ("corosensei", "corosensei", "stackful coroutine"),
    ("generator", "generator", "stackful, `Gn::new_scoped`"),
    (CPY, "CPython", "`for i in range(n): yield i`"),
]
W1_COUNTDOWN_ROWS = [
    ("countdown_hand", "hand-written countdown `Iterator` (floor)", ""),
    ("countdown_cogen_pinned", "**cogen** countdown, `pin!(g).iter()`", "stack-pinned"),
    ("countdown_cogen_boxed_for", "cogen countdown, `for x in g`", "boxed once"),
]
W2_ROWS = [
    ("hand", "hand-written struct + method (floor)", "`Averager::send(x) -> avg`"),
    ("from_fn", "`std::iter::from_fn`",
     "n/a: cannot express: `Iterator::next` takes no argument (no send)"),
    ("cogen", "**cogen**", "`#[generator(yield = f64, send = f64)]`, `resume(x)`"),
    ("genawaiter_stack", "genawaiter (`stack`)", "`resume_with(x)`"),
    ("next_gen", "next-gen", "`resume(x)`"),
    ("corosensei", "corosensei", "`resume(x)`"),
    ("generator", "generator", "`send(x)`"),
    (CPY, "CPython", "`x = yield avg`, `g.send(x)`"),
]
W3_ROWS = [
    ("hand_chain", "hand-written forwarding chain (floor)",
     "`Box<dyn Iterator>` nested d times, each `next()` forwarding"),
    ("from_fn_chain", "`std::iter::from_fn` chain", "boxed `from_fn(move || inner.next())` per level"),
    ("cogen_boxed", "**cogen** boxed", "`yield_from!(Box::pin(chain(d - 1)))`: trampoline"),
    ("cogen_static", "cogen static", "d distinct fns, `yield_from!(inner(n))` held inline"),
    ("genawaiter_rc", "genawaiter (`rc`)",
     "no delegation: each level resumes the one below and re-yields"),
    ("next_gen", "next-gen", "no delegation: boxed sub-generator per level, resume/re-yield loop"),
    ("corosensei_shared", "corosensei, shared yielder",
     "stackful: d nested plain calls, one coroutine; not a chain of generators"),
    ("corosensei_per_level", "corosensei, coroutine per level", "manual resume/re-yield per level"),
    ("generator_shared", "generator, shared scope",
     "stackful: d nested plain calls, one generator; not a chain of generators"),
    ("generator_yield_from", "generator, `yield_from` per level",
     "one generator per level, the crate's `Scope::yield_from`"),
    (CPY, "CPython", "`yield from chain(d - 1, n)`"),
]
W4_ROWS = [
    ("hand_stack", "hand-written explicit-stack iterator (floor)", "`Vec<&Node>` stack"),
    ("from_fn_recursive", "`std::iter::from_fn`, recursive",
     "one boxed `from_fn` per subtree, forwarding"),
    ("cogen", "**cogen**", "`yield_from!(Box::pin(walk(child)))`: trampoline"),
    ("genawaiter_rc", "genawaiter (`rc`)", "no delegation: boxed sub-generator per child, re-yield loop"),
    ("next_gen", "next-gen", "no delegation: boxed sub-generator per child, re-yield loop"),
    ("corosensei", "corosensei, shared yielder", "stackful: plain recursive fn, one coroutine"),
    ("generator", "generator, shared scope", "stackful: plain recursive fn, one generator"),
    (CPY, "CPython", "recursive `yield from walk(child)`"),
]
W5_ROWS = [
    ("hand", "minimal ready-queue executor (floor)",
     "`VecDeque` of `Pin<Box<dyn Future>>`, no-op waker, re-queued on `Pending`"),
    ("hand_waker", "minimal ready-queue executor, real waker",
     "slab of boxed futures, `VecDeque` of indices, a `RawWaker` whose `wake` queues the index"),
    ("cogen", "**cogen** `asyncio`",
     "`asyncio::run(main)`: `create_task` x 10,000, `yield_from!(gather(tasks))`"),
    ("cogen_run_until_idle", "cogen `asyncio`, no main coroutine",
     "`lp.create_task` x 10,000, `lp.run_until_idle()`"),
    ("cogen_on_hand_queue", "cogen coroutines on the floor's queue",
     "diagnostic: `VecDeque` of `Pin<Box<dyn Generator>>`, resumed and re-queued; no "
     "`asyncio` loop, tasks or futures"),
    ("tokio", "tokio current-thread", "`tokio::spawn` x 10,000 in `block_on`, `yield_now().await`"),
    ("tokio_local_set", "tokio current-thread, `LocalSet`", "`spawn_local` x 10,000"),
    ("local_pool", "`futures::executor::LocalPool`",
     "`spawn_local` x 10,000, a `YieldNow` future (wake, `Pending` once)"),
    (CPY, "CPython asyncio", "`create_task` x 10,000, `gather`, `await asyncio.sleep(0)`"),
]
W3_DEPTHS = [1, 8, 64]
W3_STATIC_DEPTHS = [1, 8]

# The issue's numbers "measured beforehand on this kind of machine" (ns/item), for context.
ISSUE_REFERENCE = {
    "W1": "floor 1.35, best stable peer 5.3 (next-gen), CPython 103",
    "W2": "floor 2.02, best stable peer 6.4 (genawaiter), CPython 224",
    "W3": "floor 4.0 / 15 / 120, next-gen 15 / 68 / 1210, corosensei (shared yielder) 3.2 at "
          "every depth, CPython 130 / 473 / 4100 at d = 1 / 8 / 64",
    "W4": "floor 4.6, best stable peer ~230, corosensei 30, CPython 1080",
    "W5": "minimal ready-queue executor 18.9, tokio current-thread 111, LocalPool 154, "
          "CPython asyncio 2,866 (measured earlier on this machine, implementations not "
          "recorded)",
}


# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------
def load_criterion(target):
    """full_id -> ns per item (median), with the sample count."""
    results = {}
    pattern = os.path.join(target, "criterion", "**", "new", "benchmark.json")
    for bench_file in glob.glob(pattern, recursive=True):
        with open(bench_file) as f:
            bench = json.load(f)
        with open(os.path.join(os.path.dirname(bench_file), "estimates.json")) as f:
            est = json.load(f)
        elements = (bench.get("throughput") or {}).get("Elements")
        if not elements:
            continue
        median = est["median"]
        results[bench["full_id"]] = {
            "ns": median["point_estimate"] / elements,
            "lo": median["confidence_interval"]["lower_bound"] / elements,
            "hi": median["confidence_interval"]["upper_bound"] / elements,
            "mtime": os.path.getmtime(bench_file),
        }
    return results


def load_python(path):
    if not path or not os.path.exists(path):
        return {}, None
    with open(path) as f:
        data = json.load(f)
    out = {k: {"ns": v["median_ns_per_item"]} for k, v in data["results"].items()}
    return out, data


def run(cmd, cwd=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine_info(python_meta):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    lock = os.path.join(HERE, "Cargo.lock")
    if os.path.exists(lock):
        text = open(lock).read()
        for name in ["criterion", "genawaiter", "next-gen", "corosensei", "generator", "tokio",
                     "futures"]:
            m = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(name), text)
            if m:
                versions[name] = m.group(1)
    head = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT)
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":(exclude)bench",
             ":(exclude)BENCHMARKS.md"],
            capture_output=True, text=True, cwd=ROOT, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        dirty = ""
    dirty_files = [line[3:] for line in dirty.splitlines() if len(line) > 3]
    return {
        "nproc": run(["nproc"]) or str(os.cpu_count()),
        "cpu": cpu,
        "mem": mem,
        "os": f"{platform.system()} {platform.release()}",
        "rustc": run(["rustc", "-V"]),
        "cargo": run(["cargo", "-V"]),
        "python": python_meta["python"] if python_meta else "not run",
        "versions": versions,
        "head": head,
        "dirty": dirty_files,
    }


# ---------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------
def fmt_ns(ns):
    if ns is None:
        return ""
    if ns >= 100:
        return f"{ns:,.0f}"
    if ns >= 10:
        return f"{ns:.1f}"
    return f"{ns:.2f}"


def fmt_ratio(r):
    if r is None:
        return ""
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def missing_reason(bench_id, note):
    for prefix, reason in DOES_NOT_BUILD.items():
        if bench_id.startswith(prefix):
            return f"does not build: {reason}"
    if note.startswith("n/a"):
        return note
    return "no result in this run"


def simple_table(group, rows, results, floor_id, cogen_id, unit="item"):
    floor = results.get(f"{group}/{floor_id}", {}).get("ns")
    cpy = results.get(f"{group}/{CPY}", {}).get("ns")
    lines = [
        f"| implementation | ns / {unit} | × floor | CPython ÷ this | notes |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for bench_id, label, note in rows:
        r = results.get(f"{group}/{bench_id}")
        if r is None:
            lines.append(f"| {label} | — | — | — | {missing_reason(bench_id, note)} |")
            continue
        ns = r["ns"]
        ratio = ns / floor if floor else None
        speedup = cpy / ns if cpy and bench_id != CPY else None
        lines.append(
            f"| {label} | {fmt_ns(ns)} | {fmt_ratio(ratio)} | {fmt_ratio(speedup)} | {note} |"
        )
    return "\n".join(lines)


def w3_table(results):
    head = "| implementation | " + " | ".join(f"d = {d}" for d in W3_DEPTHS)
    head += " | d = 64 ÷ d = 1 | notes |"
    sep = "| --- | " + " | ".join("---:" for _ in W3_DEPTHS) + " | ---: | --- |"
    lines = [
        "ns per item, and in parentheses the ratio to the hand-written forwarding chain at the "
        "same depth.",
        "",
        head,
        sep,
    ]
    for bench_id, label, note in W3_ROWS:
        cells = []
        for d in W3_DEPTHS:
            r = results.get(f"W3_delegate/{bench_id}/{d}")
            floor = results.get(f"W3_delegate/hand_chain/{d}", {}).get("ns")
            if r is None:
                if bench_id == "cogen_static" and d not in W3_STATIC_DEPTHS:
                    cells.append("not written (d = 1, 8 only)")
                else:
                    cells.append("— " + missing_reason(bench_id, note))
                continue
            cells.append(f"{fmt_ns(r['ns'])} ({fmt_ratio(r['ns'] / floor) if floor else '?'})")
        d1 = results.get(f"W3_delegate/{bench_id}/1", {}).get("ns")
        d64 = results.get(f"W3_delegate/{bench_id}/64", {}).get("ns")
        growth = fmt_ratio(d64 / d1) if d1 and d64 else ""
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {growth} | {note} |")
    return "\n".join(lines)


def target_rows(results):
    def ns(key):
        return results.get(key, {}).get("ns")

    rows = []

    def add(target, value_text, ok):
        mark = "—" if ok is None else ("**met**" if ok else "**missed**")
        rows.append(f"| {target} | {value_text} | {mark} |")

    def ratio_row(target, num, den, limit, what):
        a, b = ns(num), ns(den)
        if a is None or b is None:
            add(target, "no result", None)
            return
        r = a / b
        add(target, f"{what}: {fmt_ns(a)} / {fmt_ns(b)} ns = {r:.2f}x", r <= limit)

    ratio_row("W1 ≤ 1.05x floor", "W1_iterate/cogen_pinned", "W1_iterate/hand", 1.05,
              "`pin!(g).iter()`")
    a, b = ns("W1_iterate/cogen_pinned_sole_use"), ns("W1_iterate/hand")
    if a and b:
        add("(W1, generator's sole use in the crate)",
            f"{fmt_ns(a)} / {fmt_ns(b)} ns = {a / b:.2f}x", a / b <= 1.05)
    a, b = ns("W1_iterate/cogen_boxed_for"), ns("W1_iterate/hand")
    if a and b:
        add("(W1, `for x in g`, boxed)", f"{fmt_ns(a)} / {fmt_ns(b)} ns = {a / b:.2f}x",
            a / b <= 1.05)
    a, b = ns("W1_iterate/countdown_cogen_pinned"), ns("W1_iterate/countdown_hand")
    if a and b:
        add("(issue 2: countdown pinned vs hand-written)",
            f"{fmt_ns(a)} / {fmt_ns(b)} ns = {a / b:.2f}x", a / b <= 1.05)
    ratio_row("W2 ≤ 1.05x floor", "W2_send/cogen", "W2_send/hand", 1.05, "`resume(x)`")
    ratio_row("W3 boxed: d = 64 ≤ 2x d = 1", "W3_delegate/cogen_boxed/64",
              "W3_delegate/cogen_boxed/1", 2.0, "per item")
    a, b = ns("W3_delegate/cogen_boxed/64"), ns("W3_delegate/hand_chain/64")
    if a is None or b is None:
        add("W3 boxed at d = 64 below the hand-written forwarding chain", "no result", None)
    else:
        add("W3 boxed at d = 64 below the hand-written forwarding chain",
            f"{fmt_ns(a)} vs {fmt_ns(b)} ns ({a / b:.2f}x)", a < b)
    ratio_row("W4 ≤ 7x explicit-stack floor", "W4_tree/cogen", "W4_tree/hand_stack", 7.0,
              "recursive `yield_from!(Box::pin(..))`")
    for label, cogen_key, cpy_key in [
        ("W1", "W1_iterate/cogen_pinned", "W1_iterate/cpython"),
        ("W2", "W2_send/cogen", "W2_send/cpython"),
        ("W3 d = 1", "W3_delegate/cogen_boxed/1", "W3_delegate/cpython/1"),
        ("W3 d = 8", "W3_delegate/cogen_boxed/8", "W3_delegate/cpython/8"),
        ("W3 d = 64", "W3_delegate/cogen_boxed/64", "W3_delegate/cpython/64"),
        ("W4", "W4_tree/cogen", "W4_tree/cpython"),
    ]:
        c, p = ns(cogen_key), ns(cpy_key)
        if c is None or p is None:
            add(f"≥ 50x faster than CPython, {label}", "no result", None)
        else:
            add(f"≥ 50x faster than CPython, {label}",
                f"{fmt_ns(p)} / {fmt_ns(c)} ns = {p / c:.0f}x", p / c >= 50)
    ratio_row("W5 ≤ 2x minimal ready-queue executor", "W5_switch/cogen", "W5_switch/hand", 2.0,
              "ns per switch")
    a, b = ns("W5_switch/cogen"), ns("W5_switch/hand_waker")
    if a and b:
        add("(W5 against the ready-queue executor with a real waker)",
            f"{fmt_ns(a)} / {fmt_ns(b)} ns = {a / b:.2f}x", a / b <= 2.0)
    a, b = ns("W5_switch/cogen"), ns("W5_switch/tokio")
    if a and b:
        rows.append(f"| (W5: \"about 3x faster than tokio current-thread\") | "
                    f"{fmt_ns(b)} / {fmt_ns(a)} ns = {b / a:.2f}x | "
                    f"{'3x or more' if b / a >= 3 else 'below 3x'} |")
    a, b = ns("W3_delegate/cogen_static/1"), ns("W3_delegate/cpython/1")
    if a and b:
        add("(W3 d = 1 with the static chain)", f"{fmt_ns(b)} / {fmt_ns(a)} ns = {b / a:.0f}x",
            b / a >= 50)
    # The floor itself: no chain of generators can beat the hand-written forwarding chain.
    for d in (1, 8):
        a, b = ns(f"W3_delegate/hand_chain/{d}"), ns(f"W3_delegate/cpython/{d}")
        if a and b:
            rows.append(f"| (reference: the hand-written forwarding chain vs CPython, W3 d = {d}) "
                        f"| {fmt_ns(b)} / {fmt_ns(a)} ns = {b / a:.0f}x | "
                        f"{'above' if b / a >= 50 else 'below'} 50x |")
    return rows


def headline(results):
    """Five lines: cogen against the floor and CPython, per workload."""
    def ns(key):
        return results.get(key, {}).get("ns")

    out = []
    for label, cogen, floor, floor_name, cpy in [
        ("W1 iterate (`pin!(g).iter()`)", "W1_iterate/cogen_pinned", "W1_iterate/hand",
         "hand-written `Iterator`", "W1_iterate/cpython"),
        ("W2 send (`resume(x)`)", "W2_send/cogen", "W2_send/hand",
         "hand-written struct + method", "W2_send/cpython"),
        ("W3 delegate, d = 1 (boxed `yield_from!`)", "W3_delegate/cogen_boxed/1",
         "W3_delegate/hand_chain/1", "hand-written forwarding chain", "W3_delegate/cpython/1"),
        ("W3 delegate, d = 64 (boxed `yield_from!`)", "W3_delegate/cogen_boxed/64",
         "W3_delegate/hand_chain/64", "hand-written forwarding chain", "W3_delegate/cpython/64"),
        ("W4 tree (recursive boxed `yield_from!`)", "W4_tree/cogen", "W4_tree/hand_stack",
         "explicit-stack iterator", "W4_tree/cpython"),
        ("W5 switch (`asyncio`, 10,000 tasks)", "W5_switch/cogen", "W5_switch/hand",
         "minimal ready-queue executor", "W5_switch/cpython"),
    ]:
        c, f, p = ns(cogen), ns(floor), ns(cpy)
        if c is None or f is None:
            out.append(f"* **{label}**: no result in this run")
            continue
        unit = "switch" if cogen.startswith("W5") else "item"
        line = f"* **{label}**: {fmt_ns(c)} ns/{unit}, **{c / f:.2f}x** the {floor_name}"
        if cogen.startswith("W5"):
            t = ns("W5_switch/tokio")
            if t is not None:
                line += f"; **{t / c:.1f}x** faster than tokio current-thread"
            if p is not None:
                line += f"; **{p / c:.0f}x** faster than CPython asyncio"
        elif p is not None:
            line += f"; **{p / c:.0f}x** faster than CPython"
            if p / c < 50:
                line += f" (the {floor_name} itself: {p / f:.0f}x)"
        out.append(line)
    return "\n".join(out)


def runs_note(results):
    """When the workloads' criterion results come from separate runs (a single workload
    re-run with a filter, e.g. `-- W5`), say when each was measured."""
    spans = {}
    for key, r in results.items():
        if "mtime" in r:
            group = key.split("_", 1)[0]
            lo, hi = spans.get(group, (r["mtime"], r["mtime"]))
            spans[group] = (min(lo, r["mtime"]), max(hi, r["mtime"]))
    if not spans:
        return ""
    first = min(lo for lo, _ in spans.values())
    last = max(hi for _, hi in spans.values())
    if last - first < 900:  # a whole run takes 7-10 minutes
        return ""

    def utc(t):
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M")
    parts = ", ".join(f"{g} {utc(hi)}" for g, (_, hi) in sorted(spans.items()))
    return (f" (**the workloads were measured in separate runs**, finished at: {parts} UTC; "
            "the cogen state under Machine is the work tree's when this file was written)")


def w5_runs_text(py_meta):
    runs = ((py_meta or {}).get("runs_of") or {}).get("W5_switch/cpython")
    return f"{runs}" if runs else "3"


def load_callgrind(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def allocation_measured(data):
    """The allocation counts of the callgrind run, in words (empty without one)."""
    def allocs(case):
        return data.get(case, {}).get("allocations")

    parts = []
    static = [allocs(c) for c in ("W3 cogen_static d=1", "W3 cogen_static d=8")]
    if None not in static:
        parts.append(f"the static W3 chain at d = 1 and 8: {static[0]} and {static[1]}")
    boxed = [(d, allocs(f"W3 cogen_boxed d={d}")) for d in (1, 8, 64)]
    if all(n is not None for _, n in boxed):
        parts.append("the boxed W3 chain: " + ", ".join(f"{n} at d = {d}" for d, n in boxed) +
                     " (d boxes, and the trampoline's frame stack growing to d frames)")
    w4 = allocs("W4 cogen")
    if w4 is not None:
        parts.append(f"the recursive W4 walk: {w4:,} for 2^16 nodes, i.e. one `Box::pin` per "
                     f"child node ({(1 << 16) - 1:,}) plus the frame stacks' growth")
    boxed_for = allocs("W1 cogen_boxed_for")
    if boxed_for is not None:
        parts.append(f"W1 `for x in g`: {boxed_for} (footprint.rs counts its one box in the "
                     "debug build `cargo test` makes; in this release build, with the iterator "
                     "inlined, no allocation call remains)" if boxed_for == 0
                     else f"W1 `for x in g`: {boxed_for}")
    if not parts:
        return "."
    return ": " + "; ".join(parts) + "."


def callgrind_section(data):
    if not data:
        return ""
    lines = [
        "## Instructions per item (callgrind)",
        "",
        "Counted by `python3 bench/profile.py` (valgrind's callgrind on `target/release/profile`, "
        "counting only inside the workload function, one run). Deterministic, unlike the "
        "times; the breakdown groups instructions by the source file they come from (inlined "
        "code included); allocations are the calls to malloc/calloc/realloc/posix_memalign in that run. "
        "Analysis: [bench/PROFILING.md](bench/PROFILING.md).",
        "",
        "| case | instructions / item | allocations / run | where (instructions / item) |",
        "| --- | ---: | ---: | --- |",
    ]
    for case, v in data.items():
        where = ""
        if "cogen" in case:
            where = "; ".join(f"{k} {n:.0f}" for k, n in v["by_source"][:5] if n >= 0.5)
        allocs = v.get("allocations")
        allocs = "" if allocs is None else f"{allocs:,}"
        lines.append(f"| {case} | {v['instructions_per_item']:.1f} | {allocs} | {where} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# the chart
# ---------------------------------------------------------------------------------------
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8"]


def svg_chart(results, path):
    series = []
    for i, (bench_id, label, _) in enumerate(W3_ROWS):
        pts = [(d, results[f"W3_delegate/{bench_id}/{d}"]["ns"]) for d in W3_DEPTHS
               if f"W3_delegate/{bench_id}/{d}" in results]
        if pts:
            series.append((bench_id, label.replace("**", "").replace("`", ""), pts))
    if not series:
        return
    W, H = 900, 520
    left, right, top, bottom = 70, 330, 50, 60
    pw, ph = W - left - right, H - top - bottom
    values = [ns for _, _, pts in series for _, ns in pts]
    ymin = 10 ** math.floor(math.log10(min(values)))
    ymax = 10 ** math.ceil(math.log10(max(values)))

    pad = 30  # keep the end points off the frame

    def x(d):
        return left + pad + (pw - 2 * pad) * (math.log2(d) / math.log2(W3_DEPTHS[-1]))

    def y(ns):
        return top + ph * (1 - (math.log10(ns) - math.log10(ymin)) /
                           (math.log10(ymax) - math.log10(ymin)))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{left}" y="28" font-size="16" font-weight="bold">W3 delegate: ns per item '
        f'vs chain depth (log-log; innermost yields 62,500 items)</text>',
    ]
    # grid and y labels
    decade = ymin
    while decade <= ymax * 1.0001:
        for m in (1, 2, 5):
            v = decade * m
            if v > ymax * 1.0001:
                break
            yy = y(v)
            major = m == 1
            out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" '
                       f'stroke="{"#bbb" if major else "#e5e5e5"}" stroke-width="1"/>')
            label = f"{v:g}"
            out.append(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end" '
                       f'fill="{"#333" if major else "#888"}">{label}</text>')
        decade *= 10
    for d in W3_DEPTHS:
        xx = x(d)
        out.append(f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + ph}" '
                   f'stroke="#e5e5e5"/>')
        out.append(f'<text x="{xx:.1f}" y="{top + ph + 20}" text-anchor="middle">d = {d}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="#333"/>')
    out.append(f'<text x="{left + pw / 2}" y="{H - 15}" text-anchor="middle">'
               f'chain depth d (nested delegating generators)</text>')
    out.append(f'<text transform="translate(18,{top + ph / 2}) rotate(-90)" '
               f'text-anchor="middle">ns per item (median)</text>')
    # series
    for i, (bench_id, label, pts) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        bold = bench_id.startswith("cogen")
        width = 3 if bold else 1.5
        dash = "" if bold or bench_id in ("hand_chain", CPY) else ' stroke-dasharray="5,3"'
        coords = " ".join(f"{x(d):.1f},{y(ns):.1f}" for d, ns in pts)
        out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" '
                   f'stroke-width="{width}"{dash}/>')
        for d, ns in pts:
            out.append(f'<circle cx="{x(d):.1f}" cy="{y(ns):.1f}" r="{4 if bold else 3}" '
                       f'fill="{color}"><title>{html.escape(label)}, d = {d}: '
                       f'{ns:.2f} ns/item</title></circle>')
        ly = top + 10 + i * 22
        lx = left + pw + 20
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 28}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="{width}"{dash}/>')
        out.append(f'<circle cx="{lx + 14}" cy="{ly}" r="3" fill="{color}"/>')
        weight = ' font-weight="bold"' if bold else ""
        out.append(f'<text x="{lx + 36}" y="{ly + 4}"{weight}>{html.escape(label)}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ---------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR",
                                                            os.path.join(HERE, "target")))
    parser.add_argument("--python", help="python/bench.py JSON (default <target>/python.json)")
    parser.add_argument("--callgrind", help="profile.py summary (default "
                        "<target>/callgrind/summary.json, if present)")
    parser.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    parser.add_argument("--svg", default=os.path.join(HERE, "w3_depth.svg"))
    parser.add_argument("--note", default="", help="a sentence added after the run date, e.g. "
                        "which cogen state the results of a separate run were measured on")
    args = parser.parse_args()

    callgrind = load_callgrind(args.callgrind or
                               os.path.join(args.target, "callgrind", "summary.json"))
    results = load_criterion(args.target)
    if not results:
        raise SystemExit(f"no criterion results under {args.target}/criterion: run the benches")
    py_results, py_meta = load_python(args.python or os.path.join(args.target, "python.json"))
    results.update(py_results)
    info = machine_info(py_meta)
    newest = max(r["mtime"] for r in results.values() if "mtime" in r)
    when = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)
    svg_chart(results, args.svg)
    svg_rel = os.path.relpath(args.svg, os.path.dirname(os.path.abspath(args.out)))

    if info["dirty"]:
        lib_state = (f"`{info['head']}` **plus uncommitted changes** to " +
                     ", ".join(f"`{p}`" for p in info["dirty"]) +
                     ": not a committed state of the library")
    else:
        lib_state = f"`{info['head']}`, work tree clean (outside `bench/`)"
    head_note = " plus uncommitted changes (see Machine)" if info["dirty"] else ""
    v = info["versions"]
    peers = ", ".join(f"{k} {v[k]}" for k in ["genawaiter", "next-gen", "corosensei", "generator",
                                               "tokio", "futures"]
                      if k in v)

    md = f"""# Benchmarks

## Headline

cogen `{info['head']}`{head_note}, median ns per item on the machine below; ratios to the
hand-written equivalent in the same run, and to CPython {info['python'].replace('CPython ', '')}:

{headline(results)}

Generated by `bench/report.py` from the run of {when:%Y-%m-%d %H:%M} UTC{runs_note(results)}.{' ' + args.note if args.note else ''} Do not edit by hand:
rerun `bash bench/run.sh`.

## Machine

| | |
| --- | --- |
| CPU | {info['cpu']} |
| cores (`nproc`) | {info['nproc']} |
| memory | {info['mem']} |
| OS | {info['os']} |
| Rust | {info['rustc']}; {info['cargo']} |
| CPython | {info['python']} |
| cogen | {lib_state} |
| peers | {peers} |
| harness | criterion {v.get('criterion', '?')} (`default-features = false`) |

## Command

```sh
bash bench/run.sh     # everything below: benches, CPython, callgrind counts, this file + chart
# or the Rust suite alone, from a clean clone:
cargo bench --manifest-path bench/Cargo.toml
python3 bench/python/bench.py --out bench/target/python.json   # CPython
python3 bench/report.py                                        # BENCHMARKS.md + bench/w3_depth.svg
```

`bench/` is its own cargo workspace (the top-level workspace excludes it), so the peers are
never built by the library's `cargo test`.

## Method

* Every implementation of a workload runs in the same `cargo bench` process, one after the
  other. One criterion iteration is one whole workload (W1 and W2: 1,000,000 items; W3: the
  innermost generator yields 62,500 items; W4: 2^16 = 65,536 nodes), including creating the
  generator(s); **ns per item = criterion's median time per iteration ÷ items**.
* Each item is folded into the result through `std::hint::black_box`
  (`acc = acc.wrapping_add(black_box(x))`; W2 xors the bits of each average), so no
  implementation can be reduced to a closed form or vectorised; every result is checked
  equal across implementations by `bench/tests/agree.rs`.
* Settings, trimmed so the whole run fits in about seven minutes on 2 cores, build
  included (W1-W4; W5 adds about a minute and a half: 30 s of benches, 10 s of CPython,
  40 s of callgrind): flat sampling, 15 samples, 0.5 s warm-up, 2.5 s measurement per
  benchmark. Run-to-run noise on this machine, from reruns of single benches, is within
  ±5% for most (up to 11% for the 3.5 ns W4 floor; W5, three reruns: ±10% for cogen
  `asyncio`, ±5% for the floor); ratios within that of a target are not conclusive.
* Criterion rather than divan: with `default-features = false` (no rayon, no plotters)
  criterion builds in about a minute here, its JSON output (`estimates.json`, with the
  throughput in `benchmark.json`) is what this report reads, and it is the harness the
  peers' own published numbers use.
* "× floor" is the ratio to the workload's hand-written equivalent in this run; "CPython ÷
  this" is how many times faster than CPython (median of 7 runs of `bench/python/bench.py`).
* Peers that have no delegation (genawaiter, next-gen) forward by hand: a loop that resumes
  the sub-generator and re-yields each item, one boxed generator per level, which is what
  a user of those crates writes. The stackful crates (corosensei, generator) can suspend
  from nested plain function calls, so their natural W3/W4 is a recursion sharing one
  yielder ("shared"); W3 also shows them with one coroutine per level.
* All crates build with {info['rustc'] or 'this rustc'}; none is missing from the tables.
  (genawaiter is used with `default-features = false`: its default `proc_macro` feature,
  which also builds here, only adds macros this suite does not use.)
* W5 switch: one criterion iteration is a whole run (make the executor, spawn 10,000
  tasks, run them until each has yielded to the executor 100 times, collect their
  results); **ns per switch = median time per iteration ÷ 1,000,000**. Every task counts its
  switches through `black_box` and returns the count; `bench/tests/agree.rs` checks that
  every executor's tasks count `tasks × yields`. The floor is the minimal ready-queue
  executor in `bench/src/lib.rs` (`w5::hand`); CPython's W5 is `asyncio.run`, at most
  """ + w5_runs_text(py_meta) + f""" timed runs (about 3 s each).

## Targets (issue) in this run

| target | measured | |
| --- | --- | --- |
""" + "\n".join(target_rows(results)) + f"""

Where the time goes for every missed target, whether the cause is structural or fixable,
and the instruction counts behind it: [bench/PROFILING.md](bench/PROFILING.md).

## W1 iterate: a generator yielding 0..1,000,000, summed

{simple_table('W1_iterate', W1_ROWS, results, 'hand', 'cogen_pinned')}

The issue-2 variant: a `#[generator]` countdown from 1,000,000, pinned on the stack or boxed
by `for`, against a hand-written countdown `Iterator`.

{simple_table('W1_iterate', W1_COUNTDOWN_ROWS, results, 'countdown_hand', 'countdown_cogen_pinned')}

Issue reference (beforehand, ns/item): {ISSUE_REFERENCE['W1']}.

## W2 send: a running-average coroutine fed 1,000,000 values by resume

{simple_table('W2_send', W2_ROWS, results, 'hand', 'cogen')}

Issue reference: {ISSUE_REFERENCE['W2']}.

## W3 delegate: d nested delegating generators, innermost yields 0..62,500

{w3_table(results)}

CPython ÷ cogen boxed: """ + ", ".join(
        f"d = {d}: {fmt_ratio(results[f'W3_delegate/{CPY}/{d}']['ns'] / results[f'W3_delegate/cogen_boxed/{d}']['ns'])}"
        for d in W3_DEPTHS
        if f"W3_delegate/{CPY}/{d}" in results and f"W3_delegate/cogen_boxed/{d}" in results
    ) + f""".

Issue reference: {ISSUE_REFERENCE['W3']}.

![W3: ns per item against depth, every implementation]({svg_rel})

## W4 tree: in-order walk of a complete binary tree of 2^16 nodes

{simple_table('W4_tree', W4_ROWS, results, 'hand_stack', 'cogen')}

Issue reference: {ISSUE_REFERENCE['W4']}.

## W5 switch: 10,000 tasks each yielding to the executor 100 times

{simple_table('W5_switch', W5_ROWS, results, 'hand', 'cogen', unit='switch')}

The cogen task is `#[asyncio::coroutine] fn switcher(n: u32) -> Result<u64, Cancelled>`,
`for _ in 0..n {{ yield_from!(asyncio::yield_now())?; .. }}`. Single-threaded throughout.

Issue reference: {ISSUE_REFERENCE['W5']}.

{callgrind_section(callgrind)}
## Allocation

Asserted by the library's own test suite, in [`tests/footprint.rs`](tests/footprint.rs) (a
counting `#[global_allocator]`; part of the top-level `cargo test`, which CI runs), on the
test file's own generators rather than this suite's functions:

* a generator pinned on the stack allocates nothing to be made, started and iterated
  (`pin!(count_to(100_000)).iter()`);
* a coroutine pinned on the stack allocates nothing for `start`, 1,000,000 `resume(x)` and
  the `resume` that makes it return;
* `for` (`into_iter()`) over a generator allocates exactly once: the box;
* a chain of 16 boxed delegations (`yield_from!(Box::pin(..))`, the innermost delegating
  in place to a counter) allocates as often over 10 items as over 100,000, so nothing per
  item, and at most 16 + 6 times in all (a box per level and the trampoline's frame stack).
  Only that depth is tested, not the benchmarked d = 1, 8, 64;
* a generator is at most 32 bytes larger than the equivalent `async` block.

No test asserts that the static (unboxed) W3 chain allocates nothing, nor what the
recursive W4 walk allocates. The "allocations / run" column of the callgrind table above
counts them in one run of each case of this suite (a measurement of the release build, not
a test)""" + allocation_measured(callgrind) + """
"""
    with open(args.out, "w") as f:
        f.write(md)
    print(f"wrote {args.out} and {args.svg}")


if __name__ == "__main__":
    main()
