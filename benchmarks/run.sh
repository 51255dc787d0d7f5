#!/usr/bin/env bash
# Measures lesson against its anchors, side by side in one run, and prints a table
# (also written to benchmarks/out/results.md, with the raw numbers in benchmarks/out/*.json).
#
#   benchmarks/run.sh            everything (about 10 minutes on 2 cores, most of it builds and JAX)
#   QUICK=1 benchmarks/run.sh    fewer repetitions
#
# It installs what it needs: numpy, jax[cpu], nbconvert, jupyter, ipykernel and threadpoolctl
# from PyPI into a venv ($BENCH_VENV, default benchmarks/.venv, ignored by git), and hyperfine
# from Debian when it is missing and we are root (else it falls back to repeated timing).
#
# Builds (all release, in their own scratch folders so they never disturb `.build`):
#   .build-bench                    the `lesson` binary as `swift build -c release --static-swift-stdlib` makes it (no shared Swift runtime to load and relocate at start-up)
#   benchmarks/spiral/.build-*      the training benchmark, portable and for this CPU (AVX2)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/benchmarks
OUT=$BENCH/out
mkdir -p "$OUT"
VENV=${BENCH_VENV:-$BENCH/.venv}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then RUNS=5; SPIRAL_REPEATS=2; else RUNS=15; SPIRAL_REPEATS=3; fi
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
SPIRAL_AVX2=""
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  # The default target is x86-64 with SSE2; this build may use AVX2 (Haswell and later).
  # Swift does not contract a·b + c into an FMA, so both builds give identical numbers.
  (cd "$BENCH/spiral" && swift build -c release --scratch-path .build-avx2 -Xswiftc -target-cpu -Xswiftc haswell >&2)
  SPIRAL_AVX2=$BENCH/spiral/.build-avx2/release/spiral-bench
fi

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
log "a. lessons/02-worked-example.md: lesson vs jupyter nbconvert --execute"
rm -rf "$OUT/a" && mkdir -p "$OUT/a"
"$LESSON" run lessons/02-worked-example.md --out "$OUT/a" >&2
read -r A_LESSON A_LESSON_SD A_LESSON_MIN < <(time_command lesson "$LESSON" run lessons/02-worked-example.md --out "$OUT/a")
read -r A_NB A_NB_SD A_NB_MIN < <(RUNS=$(( RUNS < 8 ? RUNS : 8 )) time_command notebook \
  "$VENV/bin/jupyter" nbconvert --to html --execute "$BENCH/worked-example.ipynb" --output-dir "$OUT/a")
if grep -qE 'FAIL [A-Za-z]' "$OUT/a/worked-example.html"; then echo "the notebook's checks failed" >&2; exit 1; fi

# --- b. training throughput ----------------------------------------------------------------------
log "b. spiral 2-100-3, $STEPS full-batch steps: Swift vs numpy vs JAX (one thread each)"
"$SPIRAL_PORTABLE" export "$OUT/spiral-problem.json"
"$SPIRAL_PORTABLE" train "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-swift-portable.json"
rm -f "$OUT/spiral-swift-avx2.json"
if [ -n "$SPIRAL_AVX2" ]; then "$SPIRAL_AVX2" train "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-swift-avx2.json"; fi
# numpy: OPENBLAS_CORETYPE/L2_SIZE are unset for this command alone (they slow a current OpenBLAS).
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
  "$PY" "$BENCH/spiral_numpy.py" "$OUT/spiral-problem.json" "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-numpy.json"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
  "$PY" "$BENCH/spiral_numpy.py" "$OUT/spiral-problem.json" "$STEPS" 1 > "$OUT/spiral-numpy-threads.json"
XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" taskset -c 0 \
  "$PY" "$BENCH/spiral_jax.py" "$OUT/spiral-problem.json" "$STEPS" "$SPIRAL_REPEATS" > "$OUT/spiral-jax.json" 2>"$OUT/jax.log"
"$PY" "$BENCH/spiral_jax.py" "$OUT/spiral-problem.json" "$STEPS" 1 > "$OUT/spiral-jax-threads.json" 2>>"$OUT/jax.log"

# Allocations per step: valgrind's heap count for 1 and for 1,000 steps (the same when a step allocates nothing).
ALLOCS_1=-; ALLOCS_1000=-
if command -v valgrind >/dev/null; then
  ALLOCS_1=$(valgrind --tool=memcheck "$SPIRAL_PORTABLE" train 1 1 2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,)
  ALLOCS_1000=$(valgrind --tool=memcheck "$SPIRAL_PORTABLE" train 1000 1 2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,)
fi

# --- c. memory -----------------------------------------------------------------------------------
log "c. 1,000,000 iterations of the worked example: peak memory and report size"
rm -rf "$OUT/c" && mkdir -p "$OUT/c"
/usr/bin/time -v "$LESSON" run "$BENCH/million-iterations.md" --out "$OUT/c" 2> "$OUT/c/time-html.txt" >&2
/usr/bin/time -v "$LESSON" run "$BENCH/million-iterations.md" --out "$OUT/c" --format json 2> "$OUT/c/time-json.txt" >&2

# --- d. a course ---------------------------------------------------------------------------------
log "d. every lesson in lessons/: cold, warm (nothing changed) and forced"
LESSONS=$(ls lessons/*.md | wc -l)
rm -rf "$OUT/d" && mkdir -p "$OUT/d/course" && cp -r lessons "$OUT/d/course/"
wall() { "$PY" -c 'import subprocess,sys,time; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=False, capture_output=True); print(time.perf_counter()-t)' "$@"; }
if "$LESSON" build --help >/dev/null 2>&1; then
  COURSE_NAME="lesson build (parallel, skips unchanged lessons)"
  # Cold: no output folder yet (the page cache is left alone: other work shares this machine).
  D_COLD=$(wall "$LESSON" build "$OUT/d/course")
  read -r D_WARM D_WARM_SD D_WARM_MIN < <(time_command course-warm "$LESSON" build "$OUT/d/course")
  read -r D_FORCE D_FORCE_SD D_FORCE_MIN < <(time_command course-force "$LESSON" build --force "$OUT/d/course")
else
  COURSE_NAME="lesson run lessons/*.md"
  D_COLD=$(wall "$LESSON" run lessons/*.md --out "$OUT/d/output")
  read -r D_WARM D_WARM_SD D_WARM_MIN < <(time_command course-warm "$LESSON" run lessons/*.md --out "$OUT/d/output")
  D_FORCE=$D_WARM; D_FORCE_SD=$D_WARM_SD
fi
read -r D_SEQ D_SEQ_SD D_SEQ_MIN < <(time_command course-run "$LESSON" run lessons/*.md --out "$OUT/d/run-output" --continue-on-failure)

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

# --- the table -----------------------------------------------------------------------------------
"$PY" - "$OUT" <<EOF
import json, os, re, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None
rows = []
a_lesson, a_nb = $A_LESSON, $A_NB
rows.append(("a. worked example end to end", "lesson run (release)", f"{a_lesson*1e3:.1f} ms ± {$A_LESSON_SD*1e3:.1f}", ""))
rows.append(("", "jupyter nbconvert --execute", f"{a_nb:.2f} s ± {$A_NB_SD:.2f}", f"lesson {a_nb/a_lesson:.0f}× faster (goal ≥ 100×)"))

problem = load("spiral-problem.json"); flops = problem["flops_per_step"]
# Peak of one core: 2 × 256-bit FMA (or multiply and add) pipes = 16 double flops per cycle,
# at the nominal clock the kernel reports (BogoMIPS / 2); boost clocks are higher.
ghz = float(re.search(r"bogomips\s*:\s*([\d.]+)", open("/proc/cpuinfo").read()).group(1)) / 2 / 1000
peak = 16 * ghz
swift = load("spiral-swift-avx2.json") or load("spiral-swift-portable.json")
entries = [("Swift, AVX2 build", load("spiral-swift-avx2.json")), ("Swift, portable build", load("spiral-swift-portable.json")),
           ("numpy, 1 thread", load("spiral-numpy.json")), ("JAX jit, 1 thread", load("spiral-jax.json")),
           ("numpy, all threads", load("spiral-numpy-threads.json")), ("JAX jit, all threads", load("spiral-jax-threads.json"))]
first = True
for name, r in entries:
    if r is None: continue
    s = r["seconds"]; gflops = flops * r["steps"] / s / 1e9
    note = f"{s/swift['seconds']:.1f}× Swift's time" if r is not swift else ""
    rows.append(("b. spiral 2-100-3, 10,000 steps" if first else "", name,
                 f"{s:.3f} s, {s/r['steps']*1e6:.1f} µs/step, {gflops:.2f} GFLOP/s ({100*gflops/peak:.0f}% of {peak:.1f})",
                 note + f"; final E {r['final_loss']!r}, Δ {abs(r['final_loss']-swift['final_loss']):.1e}"))
    first = False

rows.append(("", "heap allocations (valgrind), whole process", "$ALLOCS_1 for 1 step, $ALLOCS_1000 for 1,000 steps", "a step allocates nothing (the counts differ only by JSON printing)"))

def rss(name):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(os.path.join(out, "c", name)).read()).group(1)) / 1024
def seconds(name):
    t = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", open(os.path.join(out, "c", name)).read()).group(1)
    parts = [float(p) for p in t.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
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
rows.append(("d. course ($LESSONS lessons)", "$COURSE_NAME", f"cold {$D_COLD*1e3:.0f} ms; nothing changed {$D_WARM*1e3:.0f} ms ± {$D_WARM_SD*1e3:.0f}; --force {$D_FORCE*1e3:.0f} ms ± {$D_FORCE_SD*1e3:.0f}", ""))
rows.append(("", "lesson run lessons/*.md (one process, in turn)", f"{$D_SEQ*1e3:.0f} ms ± {$D_SEQ_SD*1e3:.0f}", ""))

widths = [max(len(r[i]) for r in rows) for i in range(3)]
lines = ["| benchmark | what | measured | compared |", "|---|---|---|---|"]
lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
lines += ["", open(os.path.join(out, "machine.txt")).read().strip().replace("\n", "  \n"),
          f"peak of one core assumed: 16 double flops/cycle × {ghz:.2f} GHz (nominal) = {peak:.1f} GFLOP/s; {flops} flops per step",
          f"numpy BLAS: {load('spiral-numpy.json')['blas']}"]
text = "\n".join(lines)
open(os.path.join(out, "results.md"), "w").write(text + "\n")
print(text)
EOF
