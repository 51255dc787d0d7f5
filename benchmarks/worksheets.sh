#!/usr/bin/env bash
# What a worksheet costs beside its report: for every shipped lesson, the median wall time of
# `lesson run L`, `lesson run L --handout` and `lesson run L --handout --key` (RUNS each,
# default 7), and a whole class set, `lesson build --variants 1-30 --handout --key --force`.
# Prints a table (also benchmarks/out/worksheets.md) and exits 1 when a worksheet takes more
# than 3 times its report: the budget issue 13 set.
#
#   benchmarks/worksheets.sh          uses .build/release/lesson, building it if missing
#   LESSON=path/to/lesson benchmarks/worksheets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/benchmarks/out
mkdir -p "$OUT"
LESSON=${LESSON:-$ROOT/.build/release/lesson}
[ -x "$LESSON" ] || swift build -c release >/dev/null
RUNS=${RUNS:-7}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$ROOT/lessons" "$WORK/lessons"

python3 - "$LESSON" "$WORK" "$RUNS" "$OUT/worksheets.md" <<'EOF'
import statistics, subprocess, sys, time
lesson, work, runs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
import os
names = sorted(n[:-3] for n in os.listdir(f"{work}/lessons") if n.endswith(".md"))

def median(args):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([lesson] + args, cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

rows, worst = [], 0.0
for name in names:
    report = median(["run", name, "--out", "o"])
    handout = median(["run", name, "--handout", "--out", "o"])
    both = median(["run", name, "--handout", "--key", "--out", "o"])
    ratio = handout / report
    worst = max(worst, ratio)
    rows.append(f"| {name} | {report*1000:.0f} | {handout*1000:.0f} | {both*1000:.0f} | {ratio:.2f}× |")
start = time.perf_counter()
subprocess.run([lesson, "build", ".", "--variants", "1-30", "--handout", "--key", "--force"], cwd=work, check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
course = time.perf_counter() - start
files = len(os.listdir(f"{work}/output"))
text = "\n".join([
    f"Median of {runs} runs, milliseconds, on {os.cpu_count()} cores.", "",
    "| lesson | report | worksheet | worksheet + key | worksheet / report |",
    "|---|---:|---:|---:|---:|", *rows, "",
    f"Whole course, `lesson build --variants 1-30 --handout --key --force`: {course:.2f} s ({files} files).",
    f"Worst worksheet / report: {worst:.2f}× (budget 3×).",
])
print(text)
open(out, "w").write(text + "\n")
sys.exit(0 if worst <= 3 else 1)
EOF
