#!/usr/bin/env bash
# The whole benchmark suite, from a clean clone: the Rust benches (criterion) several times,
# the CPython script, the compile-time workload (bench/compile_time.py), the callgrind
# instruction counts (if valgrind is installed), then the tables of BENCHMARKS.md (its prose
# is kept by hand), bench/w3_depth.svg and bench/ratios.svg. About 28 minutes on a 2-core
# machine with the default 3 runs, build included (each run of the criterion suite takes
# about 4 minutes; E1 about one; the rustc instruction counts about seven).
#
#   bash bench/run.sh              # everything, 3 runs of the criterion suite
#   bash bench/run.sh --runs 5     # 5 runs (the report shows median and min-max over them)
#   bash bench/run.sh --quick      # 1 run, no callgrind counts
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# From bench/, so that cargo reads bench/.cargo/config.toml (loops aligned: see there).
cd "$here"
target="${CARGO_TARGET_DIR:-$here/target}"
quick=0
runs=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1; runs=1 ;;
        --runs) runs="$2"; shift ;;
        *) echo "usage: bash bench/run.sh [--quick] [--runs N]" >&2; exit 2 ;;
    esac
    shift
done

# The report's Python packages (matplotlib) and E1's uvloop, installed now rather than
# failing after the benches.
if ! python3 -c "import matplotlib, uvloop" 2>/dev/null; then
    echo "== pip install -r bench/requirements.txt" >&2
    python3 -m pip install --quiet -r "$here/requirements.txt"
fi

# Stale results of renamed or removed benches, or of earlier runs, must not reach the report.
rm -rf "$target/criterion" "$target/runs"
run_dirs=()
for ((i = 1; i <= runs; i++)); do
    echo "== cargo bench (criterion), run $i of $runs" >&2
    cargo bench --manifest-path "$here/Cargo.toml" --bench generators
    mkdir -p "$target/runs"
    mv "$target/criterion" "$target/runs/$i"
    run_dirs+=("$target/runs/$i")
done

echo "== CPython" >&2
python3 "$here/python/bench.py" --runs 7 --out "$target/python.json" >/dev/null

echo "== compile time (200 generator fns per crate, dev and release)" >&2
python3 "$here/compile_time.py" --target "$target"

# E1 TCP echo: 100 clients; 2,000 round trips each for cogen and tokio, 200 for CPython
# asyncio and uvloop (about a minute in all). uvloop is in requirements.txt; without it the
# report says so.
echo "== E1 TCP echo" >&2
cargo build --release --manifest-path "$here/Cargo.toml" --bin echo
"$target/release/echo" --clients 100 --trips 2000 --runs 5 >"$target/echo.json"
python3 "$here/python/echo.py" --clients 100 --trips 200 --runs 3 >"$target/echo_python.json"

if [[ $quick == 0 ]] && command -v valgrind >/dev/null; then
    echo "== callgrind instruction counts" >&2
    python3 "$here/profile.py"
    # The compile-time figure that does not move between runs: the instructions of cogen's
    # and async-stream's rustc, `cargo check` and dev (release takes ~15 minutes more:
    # add `--profiles release` by hand).
    echo "== rustc instruction counts (compile time, check and dev)" >&2
    python3 "$here/compile_time.py" --target "$target" --runs 0 --instructions \
        --only cogen async_stream --profiles check dev
else
    rm -f "$target/callgrind/summary.json"
fi

echo "== report" >&2
python3 "$here/report.py" --target "$target" --runs "${run_dirs[@]}"
