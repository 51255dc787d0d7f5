#!/usr/bin/env bash
# Measures lesson against its anchors, side by side in one run, and prints a table
# (also written to benchmarks/out/results.md, with the raw numbers in benchmarks/out/*.json).
#
#   benchmarks/run.sh            everything (about 10 minutes on 2 cores, most of it builds and JAX)
#   QUICK=1 benchmarks/run.sh    fewer repetitions
#   PARTS="b" benchmarks/run.sh  only some of the parts a, b, c, d (the table then has only those rows)
#
# It installs what it needs: numpy, jax[cpu], nbconvert, jupyter, ipykernel and threadpoolctl
# from PyPI into a venv ($BENCH_VENV, default benchmarks/.venv, ignored by git), and hyperfine
# from Debian when it is missing and we are root (else it falls back to repeated timing).
#
# Builds (all release, in their own scratch folders so they never disturb `.build`):
#   .build-bench                    the `lesson` binary as `swift build -c release --static-swift-stdlib` makes it (no shared Swift runtime to load and relocate at start-up)
#   benchmarks/spiral/.build-*      the training benchmark, portable and for this CPU (-target-cpu native)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/benchmarks
OUT=$BENCH/out
mkdir -p "$OUT"
VENV=${BENCH_VENV:-$BENCH/.venv}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then RUNS=5; SPIRAL_REPEATS=2; else RUNS=15; SPIRAL_REPEATS=10; fi
PARTS=${PARTS:-a b c d}
part() { [[ " $PARTS " == *" $1 "* ]]; }
STEPS=10000
log() { printf '\n== %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------------
log "Python tools in $VENV"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY=$VENV/bin/python
"$PY" -c 'import numpy, jax, nbconvert, ipykernel, threadpoolctl' 2>/dev/null \
  || "$VENV/bin/pip" install -q numpy "jax[cpu]" nbconvert jupyter ipykernel threadpoolctl
"$PY" -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 || true
if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ]; then
  log "hyperfine from Debian"
  apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y hyperfine >/dev/null 2>&1; } || true
fi

# --- builds --------------------------------------------------------------------------------------
log "release builds"
swift build -c release --static-swift-stdlib --scratch-path .build-bench --product lesson >&2
LESSON=$ROOT/.build-bench/release/lesson
(cd "$BENCH/spiral" && swift build -c release --scratch-path .build-portable >&2)
SPIRAL_PORTABLE=$BENCH/spiral/.build-portable/release/spiral-bench
# The default target is baseline x86-64 (SSE2); this build may use every instruction this CPU has
# (like -march=native). Swift does not contract a·b + c into an FMA, so both give identical numbers.
(cd "$BENCH/spiral" && swift build -c release --scratch-path .build-native -Xswiftc -target-cpu -Xswiftc native >&2)
SPIRAL_NATIVE=$BENCH/spiral/.build-native/release/spiral-bench

# --- the machine ---------------------------------------------------------------------------------
{
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(lscpu | sed -n 's/^L2 cache: *//p') L2"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "swift: $(swift --version 2>&1 | head -1)"
  echo "python: $("$PY" --version 2>&1); numpy $("$PY" -c 'import numpy; print(numpy.__version__)'); jax $("$PY" -c 'import jax; print(jax.__version__)')"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# time CMD... → prints "mean_seconds stddev_seconds min_seconds" of RUNS runs
time_command() {
  local name=$1; shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N -i -w 2 -r "$RUNS" --export-json "$OUT/time-$name.json" "$*" >&2
    "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["stddev"], r["min"])' "$OUT/time-$name.json"
  else
    "$PY" - "$RUNS" "$@" <<'EOF'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
subprocess.run(cmd, capture_output=True)
times = []
for _ in range(runs):
    t = time.perf_counter(); subprocess.run(cmd, capture_output=True); times.append(time.perf_counter() - t)
print(statistics.mean(times), statistics.stdev(times), min(times))
EOF
  fi
}

# --- a. a lesson, end to end ---------------------------------------------------------------------
if part a; then
  log "a. lessons/02-worked-example.md: lesson vs jupyter nbconvert --execute"
  rm -rf "$OUT/a" && mkdir -p "$OUT/a"
  "$LESSON" run lessons/02-worked-example.md --out "$OUT/a" >&2
  read -r A_LESSON A_LESSON_SD A_LESSON_MIN < <(time_command lesson "$LESSON" run lessons/02-worked-example.md --out "$OUT/a")
  read -r A_NB A_NB_SD A_NB_MIN < <(RUNS=$(( RUNS < 8 ? RUNS : 8 )) time_command notebook \
    "$VENV/bin/jupyter" nbconvert --to html --execute "$BENCH/worked-example.ipynb" --output-dir "$OUT/a")
  if grep -qE 'FAIL [A-Za-z]' "$OUT/a/worked-example.html"; then echo "the notebook's checks failed" >&2; exit 1; fi
  echo "{\"lesson\": $A_LESSON, \"lesson_sd\": $A_LESSON_SD, \"notebook\": $A_NB, \"notebook_sd\": $A_NB_SD}" > "$OUT/a.json"
fi

# --- b. training throughput ----------------------------------------------------------------------
if part b; then
  log "b. spiral 2-100-3, $STEPS full-batch steps: Swift vs numpy vs JAX"
  "$SPIRAL_PORTABLE" export "$OUT/spiral-problem.json"
  # Each Swift build with one thread and with two (the caller and one worker share every step).
  rm -f "$OUT"/spiral-swift-*.json
  for t in $( [ "$(nproc)" -gt 1 ] && echo 1 2 || echo 1 ); do
    "$SPIRAL_NATIVE" train "$STEPS" "$SPIRAL_REPEATS" "$t" > "$OUT/spiral-swift-native-$t.json"
    "$SPIRAL_PORTABLE" train "$STEPS" "$SPIRAL_REPEATS" "$t" > "$OUT/spiral-swift-portable-$t.json"
  done
  # numpy: OPENBLAS_CORETYPE/L2_SIZE are unset for this command alone (they slow a current OpenBLAS).
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    "$PY" "$BENCH/spiral_numpy.py" "$OUT/spiral-problem.json" "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-numpy.json"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$PY" "$BENCH/spiral_numpy.py" "$OUT/spiral-problem.json" "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-numpy-threads.json"
  XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" taskset -c 0 \
    "$PY" "$BENCH/spiral_jax.py" "$OUT/spiral-problem.json" "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-jax.json" 2>"$OUT/jax.log"
  "$PY" "$BENCH/spiral_jax.py" "$OUT/spiral-problem.json" "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-jax-threads.json" 2>>"$OUT/jax.log"

  # Allocations per step: valgrind's heap count for 1 and for 1,000 steps (the same when a step
  # allocates nothing), on one thread (a second thread's start-up is once per training).
  rm -f "$OUT/allocations.json"
  if command -v valgrind >/dev/null; then
    ALLOCS_1=$(valgrind --tool=memcheck "$SPIRAL_PORTABLE" train 1 1 1 2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,)
    ALLOCS_1000=$(valgrind --tool=memcheck "$SPIRAL_PORTABLE" train 1000 1 1 2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,)
    echo "{\"one\": \"$ALLOCS_1\", \"thousand\": \"$ALLOCS_1000\"}" > "$OUT/allocations.json"
  fi
fi

# --- c. memory -----------------------------------------------------------------------------------
if part c; then
  log "c. 1,000,000 iterations of the worked example: peak memory and report size"
  rm -rf "$OUT/c" && mkdir -p "$OUT/c"
  /usr/bin/time -v "$LESSON" run "$BENCH/million-iterations.md" --out "$OUT/c" 2> "$OUT/c/time-html.txt" >&2
  /usr/bin/time -v "$LESSON" run "$BENCH/million-iterations.md" --out "$OUT/c" --format json 2> "$OUT/c/time-json.txt" >&2
fi

# --- d. a course ---------------------------------------------------------------------------------
if part d; then
  log "d. every lesson in lessons/: cold, warm (nothing changed) and forced"
  LESSONS=$(ls lessons/*.md | wc -l)
  rm -rf "$OUT/d" && mkdir -p "$OUT/d/course" && cp -r lessons "$OUT/d/course/"
  wall() { "$PY" -c 'import subprocess,sys,time; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=False, capture_output=True); print(time.perf_counter()-t)' "$@"; }
  # Cold: no output folder yet (the page cache is left alone: other work shares this machine).
  D_COLD=$(wall "$LESSON" build "$OUT/d/course")
  read -r D_WARM D_WARM_SD D_WARM_MIN < <(time_command course-warm "$LESSON" build "$OUT/d/course")
  read -r D_FORCE D_FORCE_SD D_FORCE_MIN < <(time_command course-force "$LESSON" build --force "$OUT/d/course")
  read -r D_SEQ D_SEQ_SD D_SEQ_MIN < <(time_command course-run "$LESSON" run lessons/*.md --out "$OUT/d/run-output" --continue-on-failure)
  echo "{\"lessons\": $LESSONS, \"cold\": $D_COLD, \"warm\": $D_WARM, \"warm_sd\": $D_WARM_SD, \"force\": $D_FORCE, \"force_sd\": $D_FORCE_SD, \"sequential\": $D_SEQ, \"sequential_sd\": $D_SEQ_SD}" > "$OUT/d.json"
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

# --- the table -----------------------------------------------------------------------------------
"$PY" - "$OUT" "$PARTS" <<'TABLE'
import json, os, re, sys
out, parts = sys.argv[1], sys.argv[2].split()
def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None
rows, notes = [], []

if "a" in parts:
    a = load("a.json")
    rows.append(("a. worked example end to end", "lesson run (release)", f"{a['lesson']*1e3:.1f} ms ± {a['lesson_sd']*1e3:.1f}", ""))
    rows.append(("", "jupyter nbconvert --execute", f"{a['notebook']:.2f} s ± {a['notebook_sd']:.2f}",
                 f"lesson {a['notebook']/a['lesson']:.0f}× faster (goal ≥ 100×)"))

if "b" in parts:
    problem = load("spiral-problem.json"); flops = problem["flops_per_step"]
    # Peak of one core: 2 × 256-bit FMA (or multiply and add) pipes = 16 double flops per cycle,
    # at the nominal clock the kernel reports (BogoMIPS / 2); boost clocks are higher.
    ghz = float(re.search(r"bogomips\s*:\s*([\d.]+)", open("/proc/cpuinfo").read()).group(1)) / 2 / 1000
    peak = 16 * ghz
    entries = []
    for build in ("native", "portable"):
        for t in (2, 1):
            r = load(f"spiral-swift-{build}-{t}.json")
            if r: entries.append((f"Swift, {build} build, {t} thread{'s' if t > 1 else ''}", r, t))
    swift = [r for _, r, _ in entries]
    best = min(swift, key=lambda r: r["seconds"])
    entries += [(name, load(f), t) for name, f, t in (
        ("numpy, 1 thread", "spiral-numpy.json", 1), ("numpy, all threads", "spiral-numpy-threads.json", os.cpu_count()),
        ("JAX jit, 1 thread", "spiral-jax.json", 1), ("JAX jit, all threads", "spiral-jax-threads.json", os.cpu_count()))]
    for i, (name, r, t) in enumerate(entries):
        s = r["seconds"]; gflops = flops * r["steps"] / s / 1e9
        share = f"{100*gflops/peak:.0f}% of one core's {peak:.1f}" + (f", {100*gflops/peak/t:.0f}% of {t} cores'" if t > 1 else "")
        note = "" if r is best else f"{s/best['seconds']:.1f}× the fastest Swift time; "
        rows.append(("b. spiral 2-100-3, 10,000 steps" if i == 0 else "", name,
                     f"{s:.3f} s, {s/r['steps']*1e6:.1f} µs/step (median {r['median_seconds']/r['steps']*1e6:.1f}), {gflops:.2f} GFLOP/s ({share})",
                     note + f"final E {r['final_loss']!r}, Δ {abs(r['final_loss']-best['final_loss']):.1e}"))
    numpy = min((load("spiral-numpy.json"), load("spiral-numpy-threads.json")), key=lambda r: r["seconds"])
    jax = min((load("spiral-jax.json"), load("spiral-jax-threads.json")), key=lambda r: r["seconds"])
    one = min((r for _, r, t in entries[:len(swift)] if t == 1), key=lambda r: r["seconds"])
    us = lambda r: r["seconds"] / r["steps"] * 1e6
    median = lambda rs: min(rs, key=lambda r: r["median_seconds"])
    mb, mn, mj = median(swift), median((load("spiral-numpy.json"), load("spiral-numpy-threads.json"))), median((load("spiral-jax.json"), load("spiral-jax-threads.json")))
    notes.append(f"b: the fastest Swift ({us(best):.1f} µs/step) against the fastest numpy ({us(numpy):.1f}): "
                 f"{numpy['seconds']/best['seconds']:.1f}× (goal ≥ 8×); against the fastest JAX ({us(jax):.1f}): "
                 f"{jax['seconds']/best['seconds']:.1f}× (goal ≥ 3×). One thread each: "
                 f"{load('spiral-numpy.json')['seconds']/one['seconds']:.1f}× numpy and {load('spiral-jax.json')['seconds']/one['seconds']:.1f}× JAX. "
                 f"Medians instead of best times (each side's fastest configuration): {mn['median_seconds']/mb['median_seconds']:.1f}× numpy, "
                 f"{mj['median_seconds']/mb['median_seconds']:.1f}× JAX.")
    allocations = load("allocations.json")
    if allocations:
        rows.append(("", "heap allocations (valgrind), whole process, 1 thread", f"{allocations['one']} for 1 step, {allocations['thousand']} for 1,000 steps",
                     "a step allocates nothing (the counts differ only by JSON printing)"))

if "c" in parts:
    def rss(name):
        return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(os.path.join(out, "c", name)).read()).group(1)) / 1024
    def seconds(name):
        t = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", open(os.path.join(out, "c", name)).read()).group(1)
        fields = [float(p) for p in t.split(":")]
        return sum(p * 60 ** i for i, p in enumerate(reversed(fields)))
    html = open(os.path.join(out, "c", "million-iterations.html")).read()
    chart = html[html.rfind("<svg", 0, html.find('<polyline class="fig-line')):]
    points = [tuple(map(float, p.split(","))) for p in re.search(r'<polyline class="fig-line[^"]*"[^>]*points="([^"]+)"', chart).group(1).split()]
    left = float(re.search(r'class="fig-axis" d="M([\d.]+) ', chart).group(1))
    ticks = [(float(x), l) for x, l in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">([\d,]+)</text>', chart)]
    last_x, last_label = ticks[-1]
    covers = abs(min(p[0] for p in points) - left) < 0.5 and abs(max(p[0] for p in points) - last_x) < 0.5 and last_label.replace(",", "") == "1000000"
    rows.append(("c. 1,000,000 iterations", "HTML report", f"peak RSS {rss('time-html.txt'):.1f} MB, {seconds('time-html.txt'):.2f} s, report {len(html.encode())/1024:.1f} KB",
                 f"goal ≤ 64 MB, ≤ 2 MB; loss curve {len(points)} points from x={min(p[0] for p in points)} to {max(p[0] for p in points)} (iteration 1 to {last_label}): {'covers the run' if covers else 'DOES NOT cover the run'}"))
    json_size = os.path.getsize(os.path.join(out, "c", "million-iterations.json"))
    rows.append(("", "JSON trace", f"peak RSS {rss('time-json.txt'):.1f} MB, trace {json_size/1024:.1f} KB", "per-iteration losses are left out of the trace above 100,000 iterations"))

if "d" in parts:
    d = load("d.json")
    rows.append((f"d. course ({d['lessons']} lessons)", "lesson build (parallel, skips unchanged lessons)",
                 f"cold {d['cold']*1e3:.0f} ms; nothing changed {d['warm']*1e3:.0f} ms ± {d['warm_sd']*1e3:.0f}; --force {d['force']*1e3:.0f} ms ± {d['force_sd']*1e3:.0f}", ""))
    rows.append(("", "lesson run lessons/*.md (one process, in turn)", f"{d['sequential']*1e3:.0f} ms ± {d['sequential_sd']*1e3:.0f}", ""))

lines = ["| benchmark | what | measured | compared |", "|---|---|---|---|"]
lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
lines += [""] + notes + ["", open(os.path.join(out, "machine.txt")).read().strip().replace("\n", "  \n")]
if "b" in parts:
    lines += [f"peak of one core assumed: 16 double flops/cycle × {ghz:.2f} GHz (nominal) = {peak:.1f} GFLOP/s; {flops} flops per step",
              f"numpy BLAS: {load('spiral-numpy.json')['blas']}"]
text = "\n".join(lines)
open(os.path.join(out, "results.md"), "w").write(text + "\n")
print(text)
TABLE
