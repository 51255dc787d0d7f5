#!/bin/sh
# Hostile lessons (benchmarks/hostile.py: nesting 100,000 deep, long graph chains, wide products,
# 1 MB and 50 MB files) run through the release `lesson run` with the default limits: prints the
# exit status, wall time, peak memory and report size of each, and fails when a lesson under
# 1 MB takes more than 2 s or 500 MB.
#
#   benchmarks/hostile.sh [CASE…]     (swift build -c release first)
set -eu
cd "$(dirname "$0")/.."
lesson=.build/release/lesson
[ -x "$lesson" ] || { echo "build first: swift build -c release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benchmarks/hostile.py "$work/lessons" "$@"

printf '%-20s %10s %4s %8s %9s %11s  %s\n' case bytes exit seconds "peak MB" "report B" "first line of stderr"
failed=0 worst_time=0 worst_mem=0
for file in "$work"/lessons/*.md; do
  name=$(basename "$file" .md)
  bytes=$(wc -c <"$file")
  rm -rf "$work/out"
  set +e
  /usr/bin/time -f '%e %M' -o "$work/time" timeout 60 "$lesson" run "$file" --out "$work/out" >"$work/stdout" 2>"$work/stderr"
  status=$?
  set -e
  read -r seconds kb <<EOF2
$(tail -n 1 "$work/time")
EOF2
  mb=$((kb / 1024))
  report=$(cat "$work"/out/*.html 2>/dev/null | wc -c)
  message=$(grep -m1 -v '^[[:space:]]*$' "$work/stderr" | sed "s|$work/lessons/||" | cut -c1-90 || true)
  verdict=""
  if [ "$bytes" -lt 1048576 ]; then
    if awk "BEGIN { exit !($seconds > 2) }" || [ "$mb" -gt 500 ]; then verdict="  TOO SLOW OR TOO BIG"; failed=1; fi
    worst_time=$(awk "BEGIN { print ($seconds > $worst_time) ? $seconds : $worst_time }")
    [ "$mb" -gt "$worst_mem" ] && worst_mem=$mb
  fi
  # A crash (a signal) or a run cut off after 60 s is a failure whatever the size.
  if [ "$status" -eq 124 ]; then verdict="  TIMED OUT"; failed=1; elif [ "$status" -gt 4 ]; then verdict="  CRASHED ($status)"; failed=1; fi
  printf '%-20s %10s %4s %8s %9s %11s  %s%s\n' "$name" "$bytes" "$status" "$seconds" "$mb" "$report" "$message" "$verdict"
done
echo "worst under 1 MB: ${worst_time} s, ${worst_mem} MB (limits: 2 s, 500 MB)"
exit $failed
