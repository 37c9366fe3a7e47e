#!/usr/bin/env python3
"""Fill in BENCHMARKS.md's tables and draw bench/w3_depth.svg and bench/ratios.svg from
benchmark runs.

BENCHMARKS.md is kept by hand, except for its generated regions: each one lies between a
`<!-- table:NAME begin -->` line and a `<!-- table:NAME end -->` line, and this script
replaces what is between them (and nothing else) with the tables of the run. A region it
writes that the file lacks, or a region in the file it does not write, is an error, so that
no table is silently dropped or left stale.

Reads criterion's output (<target>/criterion/**/new/{benchmark,estimates}.json: the median
time per iteration, divided by the iteration's item count = ns per item), the CPython
results written by python/bench.py, and, if present, the callgrind summary written by
profile.py (its instructions per item are shown beside the times), and, if present, the
compile times written by compile_time.py. The charts are drawn with matplotlib
(bench/requirements.txt).

Usage: python3 bench/report.py [--target DIR] [--python FILE] [--callgrind FILE]
                               [--out FILE] [--svg FILE] [--note TEXT]
       python3 bench/report.py --redraw-chart [--out FILE] [--svg FILE]
         (no run: redraw the chart from the W3 table already in BENCHMARKS.md)
       python3 bench/report.py --runs DIR ... [options above]
         (several runs, each DIR a copy of <target>/criterion: ns per item is the median
         over them, every ratio is taken within a run and shown as median (min-max);
         `bash bench/run.sh` makes 3 runs)
       python3 bench/report.py --only REGION ... [--runs DIR ...] [--out FILE]
         (only those regions, e.g. `--only w6` from runs of `cargo bench -- W6`, each DIR
         a copy of <target>/criterion, or a directory holding one; every other region and
         the charts are left as they are)
       python3 bench/report.py --only e1 [--target DIR] [--out FILE]
         (only the E1 region, from <target>/echo.json and echo_python.json, which
         src/bin/echo and python/echo.py write; no criterion run needed)
       python3 bench/report.py --only compile-time [--compile-time FILE] [--out FILE]
         (only the compile-time region, from a run of compile_time.py)
"""

import argparse
import datetime
import glob
import json
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
     "same generator as `cogen_pinned`, `while let Yielded(x) = step { ..; step = "
     "g.as_mut().resume(()) }`"),
    ("hand_resume", "hand-written `Iterator` in the `start`/`resume` loop's shape",
     "diagnostic: the counter behind a closure returning `GeneratorState`, the same loop"),
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
# W6: (W6 bench id, W6b bench id or None, label, note). W6b is the same stream with an
# always-ready `.await` before each item; its bench ids are the W6 ones prefixed `await_`.
W6_GROUP = "W6_async_stream"
W6_ROWS = [
    ("hand", "await_hand", "hand-written `Stream` (floor)",
     "a counter struct's `poll_next`; W6b: it also makes and polls a `ready(())` per item"),
    ("stream_iter", None, "`futures::stream::iter(0..n)`", "n/a in W6b: no `.await` in it"),
    ("async_stream", "await_async_stream", "async-stream `stream!`",
     "`for i in 0..n { yield i; }`; W6b: `ready(()).await` before the `yield`"),
    ("cogen", "await_cogen", "**cogen** async generator",
     "`#[generator(yield = u64)] async fn`, `yield_!(i)`; W6b: `ready(()).await` before it"),
    ("cogen_generator_stream", None, "cogen `GeneratorStream` over a sync generator",
     "the older adapter, `pin!`-ed `#[generator] fn`; n/a in W6b: a sync body cannot `.await`"),
]
W7_GROUP = "W7_pipeline"
W7_ROWS = [
    ("combinators", "iterator combinators (floor)", "`(0..n).filter(..).map(..)`"),
    ("boxed_stages", "`Box<dyn Iterator>` stages", "each stage boxed over the one before"),
    ("cogen", "**cogen**, stages held in place",
     "`map(filter(source(n)))`, each stage `for x in pin!(upstream).iter()`; "
     "`pin!(g).iter()`"),
    ("cogen_boxed_for", "cogen, stages held in place, `for x in g`", "the same, boxed once"),
    ("cogen_into_iter", "cogen, stages over `impl IntoIterator`",
     "each stage `for x in upstream`: every inner stage boxed once"),
    ("cogen_source_combinators", "cogen source, combinators for the other stages",
     "`pin!(source(n)).iter().filter(..).map(..)`"),
]
W8_GROUP = "W8_stream_loop"
W8_ROWS = [
    ("hand", "hand-written `Stream` (floor)", "a counter struct's `poll_next`"),
    ("stream_iter", "`futures::stream::iter(0..n)`", ""),
    ("async_stream", "async-stream `stream!`", "`for i in 0..n { yield i; }`"),
    ("cogen_generator_stream", "**cogen** `GeneratorStream`",
     "`pin!`-ed `#[generator] fn` with three uses in the crate"),
    ("cogen_generator_stream_sole_use", "cogen `GeneratorStream`, sole use",
     "the same generator, its only use"),
    ("cogen_async", "cogen async generator", "`#[generator(yield = u64)] async fn` (W6's)"),
    ("cogen_async_await", "cogen async generator, `ready(()).await` per item", "W6b's"),
    ("cogen_iter", "cogen, `pin!(g).iter()`", "reference: the three-use generator iterated"),
    ("cogen_generator_stream_next", "cogen `GeneratorStream`, boxed, under `block_on`",
     "reference: the three-use generator's second use, W6's driver"),
]
# Issue 12's targets.
W7_TARGET = 1.5
W8_TARGET = 1.2
W1_RESUME_TARGET = 1.1

# The project's W6 target: cogen's async generator at most this many times the floor, and
# below async-stream, in W6 and in W6b.
W6_TARGET = 1.2
# The compile-time workload (compile_time.py): (crate, label, note). The first row is the
# floor the ratios refer to; the target is cogen at most async-stream's time.
CT_ROWS = [
    ("hand", "hand-written iterators (floor)",
     "a struct + `Iterator` (a `send` method for the sending ones) per generator"),
    ("cogen", "**cogen**", "`#[generator]` fns, driven by `pin!(g).iter()` / `start`/`resume`"),
    ("async_stream", "async-stream", "`stream!`; no send: the sending ones read a `Vec`"),
    ("genawaiter", "genawaiter (`rc`)", "`Gen::new` over an `async move` block"),
]
W3_DEPTHS = [1, 8, 64]
W3_STATIC_DEPTHS = [1, 8]


# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------
def load_criterion(target):
    """full_id -> ns per item (median), with the sample count. `target` is a cargo target
    directory, or a directory that holds criterion's output itself."""
    results = {}
    root = os.path.join(target, "criterion")
    if not os.path.isdir(root):
        root = target
    pattern = os.path.join(root, "**", "new", "benchmark.json")
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


def merge_runs(runs):
    """One results dict from several runs of the same benches: `ns` is the median over the
    runs, `runs` the value of each run (None where a run lacks the bench), so that ratios
    can be taken within each run."""
    merged = {}
    for i, run in enumerate(runs):
        for key, r in run.items():
            m = merged.setdefault(key, {"runs": [None] * len(runs), "mtime": r.get("mtime", 0)})
            m["runs"][i] = r["ns"]
            m["mtime"] = max(m["mtime"], r.get("mtime", 0))
    for m in merged.values():
        m["ns"] = median([ns for ns in m["runs"] if ns is not None])
    return merged


def ratios(results, key, floor_key):
    """The ratio key / floor_key in each run that has both (one for a single run)."""
    a, b = results.get(key), results.get(floor_key)
    if a is None or b is None:
        return []
    ra, rb = a.get("runs", [a["ns"]]), b.get("runs", [b["ns"]])
    if len(ra) != len(rb):
        return [a["ns"] / b["ns"]]
    return [x / y for x, y in zip(ra, rb) if x is not None and y is not None]


def run_count(results):
    return max((len(r.get("runs", [0])) for r in results.values()), default=1)


def load_compile_time(path):
    """compile_time.py's JSON, or None."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def fmt_s(seconds):
    return f"{seconds:.2f} s"


def compile_time_table(data):
    """The compile-time region: CPU seconds per rebuild of each 200-generator crate, dev
    and release, with the ratio to the hand-written crate; then the issue's target."""
    if not data:
        return "No compile-time results in this run (`python3 bench/compile_time.py`)."
    res = data["results"]
    n = data["generators"]
    lines = [
        f"| crate ({n} generators) | dev | / floor | release | / floor | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for crate, label, note in CT_ROWS:
        cells = []
        for profile in ["dev", "release"]:
            r, floor = res.get(f"{crate}/{profile}"), res.get(f"hand/{profile}")
            if r is None or "cpu_s" not in r:
                cells += ["n/a", ""]
                continue
            cells.append(fmt_s(r["cpu_s"]))
            cells.append(fmt_ratio(r["cpu_s"] / floor["cpu_s"]) if floor and "cpu_s" in floor
                         else "")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {note} |")
    lines.append("")
    lines.append(f"CPU time (user + system of cargo and rustc) of `cargo build -p CRATE "
                 f"[--release]` after touching the crate (dependencies built), median of "
                 f"{data['runs']}; wall time is in `compile_time.json`.")
    lines.append("")
    lines.append("| target | measured | |")
    lines.append("| --- | --- | --- |")
    for profile in ["dev", "release"]:
        c, a = res.get(f"cogen/{profile}"), res.get(f"async_stream/{profile}")
        if c and a and "cpu_s" in c and "cpu_s" in a:
            ratio = c["cpu_s"] / a["cpu_s"]
            met = "**met**" if ratio <= 1.0 else "**missed**"
            lines.append(f"| compile time, {profile}: cogen ≤ async-stream | "
                         f"{fmt_s(c['cpu_s'])} / {fmt_s(a['cpu_s'])} = {ratio:.2f}x | {met} |")
    counted = [p for p in ["check", "dev", "release"]
               if any("rustc_ginstr" in res.get(f"{c}/{p}", {}) for c, _, _ in CT_ROWS)]
    if counted:
        lines.append("")
        lines.append("| crate: rustc instructions | " + " | ".join(
            f"{p} | / async-stream" for p in counted) + " |")
        lines.append("| --- |" + " ---: | ---: |" * len(counted))
        for crate, label, _ in CT_ROWS:
            cells = []
            for p in counted:
                r = res.get(f"{crate}/{p}", {})
                a = res.get(f"async_stream/{p}", {})
                if "rustc_ginstr" not in r:
                    cells += ["n/a", ""]
                    continue
                cells.append(f"{r['rustc_ginstr']:.2f} G")
                cells.append(fmt_ratio(r["rustc_ginstr"] / a["rustc_ginstr"])
                             if "rustc_ginstr" in a else "")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append("Instructions executed by the crate's own rustc (`compile_time.py "
                     "--instructions`: one run under callgrind, the same on every run); "
                     "`check` is `cargo check` (type and borrow check, no code).")
    return "\n".join(lines)


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


def callgrind_case(group, bench_id):
    """The profile.py case id of a bench (`W1_iterate/hand` -> `W1 hand`)."""
    workload = group.split("_", 1)[0]
    if group == W6_GROUP and bench_id.startswith("await_"):
        workload = "W6b"
    return f"{workload} {bench_id}"


def instr_cell(callgrind, case, floor_case):
    """Instructions per item, and the ratio to the floor's, if both were counted."""
    c = callgrind.get(case, {}).get("instructions_per_item")
    if c is None:
        return ""
    f = callgrind.get(floor_case, {}).get("instructions_per_item")
    return f"{c:.1f}" + (f" ({fmt_ratio(c / f)})" if f else "")


def simple_table(group, rows, results, floor_id, cogen_id, unit="item", callgrind=None):
    callgrind = callgrind or {}
    floor_key = f"{group}/{floor_id}"
    cpy = results.get(f"{group}/{CPY}", {}).get("ns")
    many = run_count(results) > 1
    ratio_head = "× floor, median (min–max)" if many else "× floor"
    lines = [
        f"| implementation | ns / {unit} | {ratio_head} | instructions / {unit} (× floor) | "
        "CPython ÷ this | notes |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    floor_case = callgrind_case(group, floor_id)
    for bench_id, label, note in rows:
        key = f"{group}/{bench_id}"
        r = results.get(key)
        if r is None:
            lines.append(f"| {label} | — | — | — | — | {missing_reason(bench_id, note)} |")
            continue
        ns = r["ns"]
        ratio = fmt_ratios(ratios(results, key, floor_key)) if key != f"{group}/{CPY}" else \
            fmt_ratio(ns / results[floor_key]["ns"]) if floor_key in results else ""
        instr = instr_cell(callgrind, callgrind_case(group, bench_id), floor_case)
        speedup = cpy / ns if cpy and bench_id != CPY else None
        lines.append(
            f"| {label} | {fmt_ns(ns)} | {ratio} | {instr} | {fmt_ratio(speedup)} | {note} |"
        )
    return "\n".join(lines)


def w3_table(results):
    head = "| implementation | " + " | ".join(f"d = {d}" for d in W3_DEPTHS)
    head += " | d = 64 ÷ d = 1 | notes |"
    sep = "| --- | " + " | ".join("---:" for _ in W3_DEPTHS) + " | ---: | --- |"
    lines = [head, sep]
    for bench_id, label, note in W3_ROWS:
        cells = []
        for d in W3_DEPTHS:
            r = results.get(f"W3_delegate/{bench_id}/{d}")
            if r is None:
                if bench_id == "cogen_static" and d not in W3_STATIC_DEPTHS:
                    cells.append("not written (d = 1, 8 only)")
                else:
                    cells.append("— " + missing_reason(bench_id, note))
                continue
            rs = ratios(results, f"W3_delegate/{bench_id}/{d}", f"W3_delegate/hand_chain/{d}")
            spread = f"; {fmt_ratio(min(rs))}–{fmt_ratio(max(rs))}" if len(rs) > 1 else ""
            cells.append(f"{fmt_ns(r['ns'])} ({fmt_ratio(median(rs)) if rs else '?'}{spread})")
        d1 = results.get(f"W3_delegate/{bench_id}/1", {}).get("ns")
        d64 = results.get(f"W3_delegate/{bench_id}/64", {}).get("ns")
        growth = fmt_ratio(d64 / d1) if d1 and d64 else ""
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {growth} | {note} |")
    return "\n".join(lines)


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def w6_cells(runs, bench_id, floor_id):
    """(ns per item: median over the runs, [ratio to the floor in each run]) of one bench,
    or None if no run has it. Each ratio is taken within its run."""
    pairs = [(r[f"{W6_GROUP}/{bench_id}"]["ns"], r.get(f"{W6_GROUP}/{floor_id}", {}).get("ns"))
             for r in runs if f"{W6_GROUP}/{bench_id}" in r]
    if not pairs:
        return None
    return median([ns for ns, _ in pairs]), [ns / f for ns, f in pairs if f]


def fmt_ratios(ratios):
    """The median ratio, and with more than one run its min-max."""
    if not ratios:
        return "?"
    if len(ratios) == 1:
        return fmt_ratio(ratios[0])
    return f"{fmt_ratio(median(ratios))} ({fmt_ratio(min(ratios))}–{fmt_ratio(max(ratios))})"


def w6_table(runs, when_text, callgrind=None):
    """The W6 region: W6 and W6b side by side, ns per item and the ratio to the floor,
    then the targets. With several runs: the median over them, and the ratio's min-max.
    The instructions per item (callgrind) of both variants are in their own column."""
    callgrind = callgrind or {}
    many = len(runs) > 1
    ratio_head = "× floor, median (min–max)" if many else "× floor"
    lines = [
        f"| implementation | W6 ns / item | W6 {ratio_head} | W6b ns / item | "
        f"W6b {ratio_head} | instructions / item, W6 / W6b (× floor) | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    cells = {}
    for w6_id, w6b_id, label, note in W6_ROWS:
        row = [label]
        for bench_id, floor_id in ((w6_id, "hand"), (w6b_id, "await_hand")):
            c = w6_cells(runs, bench_id, floor_id) if bench_id else None
            if bench_id:
                cells[bench_id] = c
            if c is None:
                row += ["n/a", "n/a"] if bench_id is None else \
                    ["— " + missing_reason(bench_id, note), "—"]
            else:
                row += [fmt_ns(c[0]), fmt_ratios(c[1])]
        row.append(" / ".join(
            instr_cell(callgrind, callgrind_case(W6_GROUP, b), callgrind_case(W6_GROUP, f))
            or "—" for b, f in ((w6_id, "hand"), (w6b_id, "await_hand")) if b))
        lines.append("| " + " | ".join(row) + f" | {note} |")

    def target(variant, cogen_id, floor_id, peer_id):
        c, f, p = cells.get(cogen_id), cells.get(floor_id), cells.get(peer_id)
        if c is None or f is None or not c[1]:
            return f"* {variant}: no result"
        ratios = c[1]
        worst = max(ratios)
        line = (f"* {variant}: cogen ≤ {W6_TARGET}x the floor: {fmt_ns(c[0])} / "
                f"{fmt_ns(f[0])} ns, {fmt_ratios(ratios)}: "
                + ("**met**" if worst <= W6_TARGET else
                   "**met** in the median, not in every run" if median(ratios) <= W6_TARGET
                   else "**missed**"))
        if p is not None:
            per_run = [cr / pr for cr, pr in zip(ratios, p[1])] if len(p[1]) == len(ratios) \
                else [c[0] / p[0]]
            line += (f"; below async-stream ({fmt_ns(p[0])} ns): cogen ÷ async-stream "
                     f"{fmt_ratios(per_run)}: "
                     + ("**met**" if max(per_run) < 1 else
                        "**met** in the median, not in every run" if median(per_run) < 1
                        else "**missed**"))
        return line

    lines += [
        "",
        when_text,
        "",
        f"Targets: cogen's async generator at most {W6_TARGET}x the floor, and below "
        "async-stream (met only if so in every run):",
        "",
        target("W6", "cogen", "hand", "async_stream"),
        target("W6b (with `.await`)", "await_cogen", "await_hand", "await_async_stream"),
    ]
    return "\n".join(lines)


def w6_when(runs, info):
    """Which runs the W6 region shows, in words."""
    times = [max(r["mtime"] for k, r in run.items() if k.startswith(W6_GROUP + "/"))
             for run in runs if any(k.startswith(W6_GROUP + "/") for k in run)]
    if not times:
        return ""

    def utc(t):
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M")
    state = (f"`{info['head']}` plus uncommitted changes" if info["dirty"]
             else f"`{info['head']}`")
    if len(runs) == 1:
        return f"One run, finished at {utc(times[0])} UTC, cogen {state}."
    return (f"Medians of {len(runs)} runs of `cargo bench -- W6` (finished at "
            + ", ".join(utc(t) for t in sorted(times)) + f" UTC), cogen {state}; "
            "each ratio is taken within its run.")


def target_rows(results):
    def ns(key):
        return results.get(key, {}).get("ns")

    rows = []

    def add(target, value_text, ok):
        mark = "—" if ok is None else ("**met**" if ok else "**missed**")
        rows.append(f"| {target} | {value_text} | {mark} |")

    def verdict(rs, ok):
        """Met only if met in every run; say so when only the median is."""
        if all(ok(r) for r in rs):
            return "**met**"
        if ok(median(rs)):
            return "**met** in the median, not in every run"
        return "**missed**"

    def ratio_row(target, num, den, limit, what):
        a, b = ns(num), ns(den)
        rs = ratios(results, num, den)
        if a is None or b is None or not rs:
            add(target, "no result", None)
            return
        rows.append(f"| {target} | {what}: {fmt_ns(a)} / {fmt_ns(b)} ns = {fmt_ratios(rs)} | "
                    f"{verdict(rs, lambda r: r <= limit)} |")

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
    for variant, cogen, floor, peer in [("W6", "cogen", "hand", "async_stream"),
                                        ("W6b", "await_cogen", "await_hand",
                                         "await_async_stream")]:
        ratio_row(f"{variant} ≤ {W6_TARGET}x hand-written `Stream`", f"{W6_GROUP}/{cogen}",
                  f"{W6_GROUP}/{floor}", W6_TARGET, "async generator")
        a, b = ns(f"{W6_GROUP}/{cogen}"), ns(f"{W6_GROUP}/{peer}")
        if a and b:
            add(f"({variant}: below async-stream)", f"{fmt_ns(a)} / {fmt_ns(b)} ns = {a / b:.2f}x",
                a < b)
    ratio_row(f"W7 pipeline ≤ {W7_TARGET}x the iterator combinators", f"{W7_GROUP}/cogen",
              f"{W7_GROUP}/combinators", W7_TARGET, "stages held in place")
    for bench_id, what in [("cogen_generator_stream", "three uses of the generator"),
                           ("cogen_generator_stream_sole_use", "sole use"),
                           ("cogen_async", "async generator")]:
        ratio_row(f"W8 {'`GeneratorStream`' if 'stream' in bench_id else 'async generator'} "
                  f"≤ {W8_TARGET}x hand-written `Stream` ({what})", f"{W8_GROUP}/{bench_id}",
                  f"{W8_GROUP}/hand", W8_TARGET, "polled in a loop")
    ratio_row(f"`start`/`resume` loop ≤ {W1_RESUME_TARGET}x `Iterator` (W1)",
              "W1_iterate/cogen_pinned_resume", "W1_iterate/hand", W1_RESUME_TARGET,
              "`while let Yielded(x) = step`")
    ratio_row(f"(`start`/`resume` loop against the same loop over a hand-written counter)",
              "W1_iterate/cogen_pinned_resume", "W1_iterate/hand_resume", W1_RESUME_TARGET,
              "same loop shape")
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
        ("W6 async stream (async generator)", f"{W6_GROUP}/cogen", f"{W6_GROUP}/hand",
         "hand-written `Stream`", None),
        ("W7 pipeline (three generators held in place)", f"{W7_GROUP}/cogen",
         f"{W7_GROUP}/combinators", "iterator combinators", None),
        ("W8 stream polled in a loop (`GeneratorStream`)", f"{W8_GROUP}/cogen_generator_stream",
         f"{W8_GROUP}/hand", "hand-written `Stream`", None),
    ]:
        c, f, p = ns(cogen), ns(floor), ns(cpy) if cpy else None
        if c is None or f is None:
            out.append(f"* **{label}**: no result in this run")
            continue
        unit = "switch" if cogen.startswith("W5") else "item"
        rs = ratios(results, cogen, floor)
        spread = (f" (min {fmt_ratio(min(rs))}, max {fmt_ratio(max(rs))} over {len(rs)} runs)"
                  if len(rs) > 1 else "")
        line = (f"* **{label}**: {fmt_ns(c)} ns/{unit}, **{fmt_ratio(median(rs))}** the "
                f"{floor_name}{spread}")
        if cogen.startswith("W5"):
            t = ns("W5_switch/tokio")
            if t is not None:
                line += f"; **{t / c:.1f}x** faster than tokio current-thread"
            if p is not None:
                line += f"; **{p / c:.0f}x** faster than CPython asyncio"
        elif cogen.startswith("W6"):
            a = ns(f"{W6_GROUP}/async_stream")
            if a is not None:
                line += f"; **{c / a:.2f}x** the time of async-stream's `stream!`"
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


def load_callgrind(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def allocation_measured(data):
    """The allocation counts of the callgrind run, in words."""
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
        return "_No callgrind counts in this run: no allocation counts._"
    return "Measured in this run: " + "; ".join(parts) + "."


def callgrind_table(data):
    if not data:
        return ("_No callgrind counts in this run (valgrind is not installed, or "
                "`bash bench/run.sh --quick`)._")
    lines = [
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
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# the chart
# ---------------------------------------------------------------------------------------
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8"]


def w3_series(results):
    """[(bench id, label, [(depth, ns)])] for every W3 implementation with a result."""
    series = []
    for bench_id, label, _ in W3_ROWS:
        pts = [(d, results[f"W3_delegate/{bench_id}/{d}"]["ns"]) for d in W3_DEPTHS
               if f"W3_delegate/{bench_id}/{d}" in results]
        if pts:
            series.append((bench_id, label.replace("**", "").replace("`", ""), pts))
    return series


def draw_w3_chart(results, path):
    """W3 ns per item against depth, log-log, one line per implementation (cogen's bold)."""
    series = w3_series(results)
    if not series:
        return False
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("report.py draws the chart with matplotlib: "
                         f"python3 -m pip install -r {os.path.join(HERE, 'requirements.txt')}")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullLocator

    # The same data makes the same file (fixed element ids, no date); text stays text.
    plt.rcParams["svg.hashsalt"] = "cogen-bench-w3"
    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(10, 5.6))
    for i, (bench_id, label, pts) in enumerate(series):
        bold = bench_id.startswith("cogen")
        dashed = not bold and bench_id not in ("hand_chain", CPY)
        ax.plot([d for d, _ in pts], [ns for _, ns in pts], label=label,
                color=PALETTE[i % len(PALETTE)], linestyle="--" if dashed else "-",
                linewidth=3 if bold else 1.5, marker="o", markersize=6 if bold else 4,
                zorder=3 if bold else 2)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(W3_DEPTHS, [f"d = {d}" for d in W3_DEPTHS])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda ns, _: f"{ns:g}"))
    ax.set_xlim(W3_DEPTHS[0] / 1.5, W3_DEPTHS[-1] * 1.5)
    ax.grid(True, which="major", color="#bbbbbb", linewidth=0.8)
    ax.grid(True, which="minor", axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_xlabel("chain depth d (nested delegating generators)")
    ax.set_ylabel("ns per item (median)")
    ax.set_title("W3 delegate: ns per item vs chain depth "
                 "(log-log; innermost yields 62,500 items)", loc="left", fontweight="bold")
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    for (bench_id, _, _), text in zip(series, legend.get_texts()):
        if bench_id.startswith("cogen"):
            text.set_fontweight("bold")
    # The format is the file's extension (.svg; .png to look at it).
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return True


def cogen_ratio_rows(results):
    """[(label, [ratio to the floor in each run])] for every cogen row of the run."""
    out = []
    simple = [("W1", "W1_iterate", W1_ROWS, "hand"), ("W2", "W2_send", W2_ROWS, "hand"),
              ("W4", "W4_tree", W4_ROWS, "hand_stack"), ("W5", "W5_switch", W5_ROWS, "hand"),
              ("W7", W7_GROUP, W7_ROWS, "combinators"), ("W8", W8_GROUP, W8_ROWS, "hand")]
    for workload, group, rows, floor in simple:
        for bench_id, label, _ in rows:
            rs = ratios(results, f"{group}/{bench_id}", f"{group}/{floor}")
            if bench_id.startswith("cogen") and rs:
                out.append((f"{workload} {label}", rs))
    for w6_id, w6b_id, label, _ in W6_ROWS:
        for workload, bench_id, floor in (("W6", w6_id, "hand"), ("W6b", w6b_id, "await_hand")):
            rs = ratios(results, f"{W6_GROUP}/{bench_id}", f"{W6_GROUP}/{floor}") \
                if bench_id else []
            if bench_id and bench_id.startswith(("cogen", "await_cogen")) and rs:
                out.append((f"{workload} {label}", rs))
    for bench_id, label, _ in W3_ROWS:
        for d in W3_DEPTHS:
            rs = ratios(results, f"W3_delegate/{bench_id}/{d}", f"W3_delegate/hand_chain/{d}")
            if bench_id.startswith("cogen") and rs:
                out.append((f"W3 {label}, d = {d}", rs))
    return [(label.replace("**", "").replace("`", ""), rs) for label, rs in out]


def draw_ratio_chart(results, path):
    """Every cogen row's time as a multiple of its workload's floor: the median over the
    runs, with the min-max over the runs as a whisker (log scale)."""
    rows = cogen_ratio_rows(results)
    if not rows:
        return False
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    plt.rcParams["svg.hashsalt"] = "cogen-bench-ratios"
    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(rows) + 1.4))
    ys = list(range(len(rows)))[::-1]
    meds = [median(rs) for _, rs in rows]
    lo = [m - min(rs) for m, (_, rs) in zip(meds, rows)]
    hi = [max(rs) - m for m, (_, rs) in zip(meds, rows)]
    ax.barh(ys, meds, color="#1f77b4", height=0.6, zorder=2)
    ax.errorbar(meds, ys, xerr=[lo, hi], fmt="none", ecolor="#000000", capsize=3, zorder=3)
    ax.axvline(1.0, color="#d62728", linewidth=1.2, zorder=4)
    ax.set_yticks(ys, [label for label, _ in rows])
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda r, _: f"{r:g}x"))
    ax.grid(True, which="major", axis="x", color="#bbbbbb", linewidth=0.8)
    n = run_count(results)
    ax.set_xlabel(f"time ÷ the workload's floor (median over {n} run{'s' * (n > 1)}; "
                  "whiskers: min–max; red line: the floor)")
    ax.set_title("cogen rows against their hand-written floors", loc="left",
                 fontweight="bold")
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return True


# ---------------------------------------------------------------------------------------
# BENCHMARKS.md's generated regions
# ---------------------------------------------------------------------------------------
REGION = re.compile(r"^<!-- table:(?P<name>[\w-]+) begin -->\n(?P<body>.*?)"
                    r"^<!-- table:(?P=name) end -->$", re.S | re.M)
MARKER = re.compile(r"^<!-- table:[\w-]+ (begin|end) -->$", re.M)


def read_regions(text, path):
    """name -> current content of each generated region of the file."""
    regions = {m.group("name"): m.group("body") for m in REGION.finditer(text)}
    if len(MARKER.findall(text)) != 2 * len(regions):
        raise SystemExit(f"{path}: unmatched `<!-- table:NAME begin/end -->` marker lines")
    return regions


def fill_regions(text, tables, path, partial=False):
    """The file's text with each region's content replaced by its table (`partial`: only
    the regions in `tables`; the others are left as they are)."""
    present = read_regions(text, path)
    unknown = sorted(set(present) - set(tables))
    if unknown and not partial:
        raise SystemExit(f"{path}: report.py writes no region named " + ", ".join(unknown) +
                         " (it writes " + ", ".join(tables) + ")")
    missing = [name for name in tables if name not in present]
    if missing:
        raise SystemExit(f"{path}: no region for " + ", ".join(missing) + ": put the lines "
                         "`<!-- table:NAME begin -->` and `<!-- table:NAME end -->` where "
                         "each goes")

    def replace(m):
        name = m.group("name")
        if name not in tables:
            return m.group(0)
        return (f"<!-- table:{name} begin -->\n{tables[name].strip()}\n"
                f"<!-- table:{name} end -->")
    return REGION.sub(replace, text)


def load_json(path):
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    data["mtime"] = os.path.getmtime(path)
    return data


# E1: (implementation, label, note), from src/bin/echo.rs (cogen, tokio) and python/echo.py.
E1_ROWS = [
    ("cogen", "**cogen** `asyncio`",
     "`start_server` + `open_connection`; `write`, `drain`, `readline`"),
    ("tokio", "tokio current-thread", "`TcpListener`/`TcpStream`, `BufReader::read_until`, "
     "`write_all`"),
    ("cpython", "CPython asyncio", "`asyncio.start_server` + `open_connection`; `write`, "
     "`drain`, `readline`"),
    ("uvloop", "uvloop", "the CPython script under `uvloop.run`"),
]
# The issue-10 targets: cogen's requests/s at least 1/1.5 of tokio's, more than 5x CPython's.
E1_TOKIO_TARGET = 1.5
E1_CPYTHON_TARGET = 5.0


def e1_table(rust, python):
    """The E1 region: requests per second of each implementation and cogen's ratios."""
    rows = {}
    shapes = []
    for data in (rust, python):
        if not data:
            continue
        shapes.append(f"{data['clients']} clients x {data['trips']:,} round trips "
                      f"({data['message_bytes']}-byte lines)")
        for name, result in data["results"].items():
            rows[name] = (result["requests_per_s"], result["runs"], data)
    if not rows:
        return "No E1 results in this run (`bench/run.sh` runs `echo` and `python/echo.py`)."
    cogen = rows.get("cogen", (None,))[0]
    lines = ["| implementation | requests / s | cogen ÷ this | CPU µs / request: user | kernel "
             "| runs | notes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, label, note in E1_ROWS:
        if name not in rows:
            reason = "not installed" if name == "uvloop" else "no result in this run"
            lines.append(f"| {label} | — | — | — | — | — | {reason} |")
            continue
        rate, runs, data = rows[name]
        ratio = fmt_ratio(cogen / rate) if cogen and name != "cogen" else ""
        cpu = cpu_per_request(data["results"][name])
        user, kernel = (f"{t:.2f}" for t in cpu) if cpu else ("—", "—")
        lines.append(f"| {label} | {rate:,.0f} | {ratio} | {user} | {kernel} | {len(runs)} "
                     f"| {note} |")
    out = "\n".join(lines)
    newest = max(data["mtime"] for data in (rust, python) if data)
    when = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)
    head = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT)
    out += ("\n\nMedian of the timed runs (after one warm-up run) of each; sizes: " +
            "; ".join(dict.fromkeys(shapes)) + f" (Rust rows first). Run finished at "
            f"{when:%Y-%m-%d %H:%M} UTC, cogen `{head}`.")
    if cogen:
        checks = []
        if "tokio" in rows:
            slower = rows["tokio"][0] / cogen
            met = slower <= E1_TOKIO_TARGET
            checks.append(f"within {E1_TOKIO_TARGET}x of tokio: tokio ÷ cogen "
                          f"{fmt_ratio(slower)}: **{'met' if met else 'missed'}**")
        if "cpython" in rows:
            faster = cogen / rows["cpython"][0]
            met = faster > E1_CPYTHON_TARGET
            checks.append(f"more than {E1_CPYTHON_TARGET:.0f}x CPython's: cogen ÷ CPython "
                          f"{fmt_ratio(faster)}: **{'met' if met else 'missed'}**")
        if checks:
            out += "\n\nTargets (issue 10): " + "; ".join(checks) + "."
        ours = cpu_per_request(rows["cogen"][2]["results"]["cogen"])
        theirs = "cpython" in rows and cpu_per_request(rows["cpython"][2]["results"]["cpython"])
        if ours and theirs:
            ceiling = sum(theirs) / ours[1]
            out += (f"\n\nThe kernel's share bounds the ratio to CPython: a request costs CPython "
                    f"{sum(theirs):.2f} µs of CPU and cogen {ours[1]:.2f} µs in the kernel alone "
                    f"(loopback TCP and syscalls), so even with no user-space time at all cogen "
                    f"would be {fmt_ratio(ceiling)} CPython's rate. In user space alone cogen is "
                    f"{fmt_ratio(theirs[0] / ours[0])} faster.")
    return out


def cpu_per_request(result):
    """(user, kernel) µs of CPU per request, or None for results from before they were kept."""
    if "user_us_per_request" not in result:
        return None
    return result["user_us_per_request"], result["system_us_per_request"]


def runs_text(results):
    n = run_count(results)
    if n == 1:
        return "one run of the suite"
    return (f"{n} runs of the suite: ns per item is the median over the runs, each ratio is "
            "taken within its run and shown as the median (min–max) over the runs")


def tables_of_run(results, callgrind, info, when, note, runs, compile_time,
                  echo=(None, None)):
    """Every generated region's content, by name, in the order they appear in the file."""
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
    cpython = info["python"].replace("CPython ", "")
    w3_cpython = ", ".join(
        f"d = {d}: {fmt_ratio(results[f'W3_delegate/{CPY}/{d}']['ns'] / results[f'W3_delegate/cogen_boxed/{d}']['ns'])}"
        for d in W3_DEPTHS
        if f"W3_delegate/{CPY}/{d}" in results and f"W3_delegate/cogen_boxed/{d}" in results
    )
    return {
        "headline": f"cogen `{info['head']}`{head_note}, median ns per item on the machine "
                    f"below; ratios to the\nhand-written equivalent in the same run, and to "
                    f"CPython {cpython}:\n\n{headline(results)}",
        "run": f"Measured in {runs_text(results)}, the last finished at "
               f"{when:%Y-%m-%d %H:%M} UTC{runs_note(results)}."
               + (f" {note}" if note else ""),
        "machine": "\n".join([
            "| | |",
            "| --- | --- |",
            f"| CPU | {info['cpu']} |",
            f"| cores (`nproc`) | {info['nproc']} |",
            f"| memory | {info['mem']} |",
            f"| OS | {info['os']} |",
            f"| Rust | {info['rustc']}; {info['cargo']} |",
            f"| CPython | {info['python']} |",
            f"| cogen | {lib_state} |",
            f"| peers | {peers} |",
            f"| harness | criterion {v.get('criterion', '?')} (`default-features = false`) |",
        ]),
        "targets": "\n".join(["| target | measured | |", "| --- | --- | --- |"]
                             + target_rows(results)),
        "w1": simple_table("W1_iterate", W1_ROWS, results, "hand", "cogen_pinned",
                           callgrind=callgrind),
        "w1-countdown": simple_table("W1_iterate", W1_COUNTDOWN_ROWS, results, "countdown_hand",
                                     "countdown_cogen_pinned"),
        "w2": simple_table("W2_send", W2_ROWS, results, "hand", "cogen", callgrind=callgrind),
        "w3": w3_table(results),
        "w3-cpython": f"CPython ÷ cogen boxed: {w3_cpython or 'no result in this run'}.",
        "w4": simple_table("W4_tree", W4_ROWS, results, "hand_stack", "cogen",
                           callgrind=callgrind),
        "w5": simple_table("W5_switch", W5_ROWS, results, "hand", "cogen", unit="switch",
                           callgrind=callgrind),
        "w6": w6_table(runs, w6_when(runs, info), callgrind),
        "w7": simple_table(W7_GROUP, W7_ROWS, results, "combinators", "cogen",
                           callgrind=callgrind),
        "w8": simple_table(W8_GROUP, W8_ROWS, results, "hand", "cogen_generator_stream",
                           callgrind=callgrind),
        "e1": e1_table(*echo),
        "callgrind": callgrind_table(callgrind),
        "allocations": allocation_measured(callgrind),
        "compile-time": compile_time_table(compile_time),
    }


def results_of_w3_table(body):
    """The W3 results as the region `w3` of BENCHMARKS.md shows them (3 significant
    figures), for redrawing the chart without a run."""
    labels = {label: bench_id for bench_id, label, _ in W3_ROWS}
    results = {}
    for line in body.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 2 + len(W3_DEPTHS) or cells[1] not in labels:
            continue
        for d, cell in zip(W3_DEPTHS, cells[2:]):
            m = re.match(r"([\d,.]+) \(", cell)
            if m:
                results[f"W3_delegate/{labels[cells[1]]}/{d}"] = {
                    "ns": float(m.group(1).replace(",", ""))}
    return results


# ---------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR",
                                                            os.path.join(HERE, "target")))
    parser.add_argument("--python", help="python/bench.py JSON (default <target>/python.json)")
    parser.add_argument("--callgrind", help="profile.py summary (default "
                        "<target>/callgrind/summary.json, if present)")
    parser.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"),
                        help="the Markdown file whose generated regions are rewritten")
    parser.add_argument("--svg", default=os.path.join(HERE, "w3_depth.svg"))
    parser.add_argument("--ratio-svg", default=os.path.join(HERE, "ratios.svg"),
                        help="the chart of every cogen row against its floor")
    parser.add_argument("--note", default="", help="a sentence added after the run date, e.g. "
                        "which cogen state the results of a separate run were measured on")
    parser.add_argument("--redraw-chart", action="store_true",
                        help="no run: redraw the chart from the W3 table in --out, and change "
                        "nothing else")
    parser.add_argument("--only", nargs="+", metavar="REGION",
                        help="rewrite only these regions (e.g. w6 w7 w8 callgrind), from "
                        "--runs of only those workloads; the other regions and the charts "
                        "are left as they are")
    parser.add_argument("--compile-time", help="compile_time.py's results (default "
                        "<target>/compile_time.json, if present)")
    parser.add_argument("--runs", nargs="+", metavar="DIR",
                        help="the runs to take the medians and ratio ranges over, each a copy "
                        "of <target>/criterion (default: --target's criterion output alone)")
    args = parser.parse_args()

    with open(args.out) as f:
        text = f.read()

    echo = (load_json(os.path.join(args.target, "echo.json")),
            load_json(os.path.join(args.target, "echo_python.json")))
    if args.only == ["e1"]:
        if not any(echo):
            raise SystemExit(f"{args.target}: no echo.json or echo_python.json: run "
                             "`release/echo` and `python/echo.py` as bench/run.sh does")
        with open(args.out, "w") as f:
            f.write(fill_regions(text, {"e1": e1_table(*echo)}, args.out, partial=True))
        print(f"wrote the e1 region of {args.out}")
        return

    if args.redraw_chart:
        w3 = read_regions(text, args.out).get("w3")
        if w3 is None:
            raise SystemExit(f"{args.out}: no `<!-- table:w3 begin -->` region to redraw from")
        if not draw_w3_chart(results_of_w3_table(w3), args.svg):
            raise SystemExit(f"{args.out}: the w3 region has no results")
        print(f"wrote {args.svg}")
        return

    callgrind = load_callgrind(args.callgrind or
                               os.path.join(args.target, "callgrind", "summary.json"))
    runs = [load_criterion(d) for d in (args.runs or [args.target])]
    for d, run in zip(args.runs or [args.target], runs):
        if not run:
            raise SystemExit(f"no criterion results under {d}: run the benches")
    results = merge_runs(runs)
    py_results, py_meta = load_python(args.python or os.path.join(args.target, "python.json"))
    results.update(py_results)
    info = machine_info(py_meta)
    newest = max(r["mtime"] for r in results.values() if "mtime" in r)
    when = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)

    compile_time = load_compile_time(args.compile_time or
                                     os.path.join(args.target, "compile_time.json"))
    tables = tables_of_run(results, callgrind, info, when, args.note, runs, compile_time,
                           echo)
    if args.only:
        unknown = sorted(set(args.only) - set(tables))
        if unknown:
            raise SystemExit("--only: report.py writes no region named " + ", ".join(unknown))
        with open(args.out, "w") as f:
            f.write(fill_regions(text, {k: tables[k] for k in args.only}, args.out,
                                 partial=True))
        print(f"wrote the regions {', '.join(args.only)} of {args.out} from {len(runs)} run(s)")
        return
    text = fill_regions(text, tables, args.out)
    drew = draw_w3_chart(results, args.svg)
    draw_ratio_chart(results, args.ratio_svg)
    with open(args.out, "w") as f:
        f.write(text)
    print(f"wrote the tables of {args.out}" + (f", {args.svg}" if drew else "") +
          f" and {args.ratio_svg}")


if __name__ == "__main__":
    main()
