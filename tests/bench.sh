#!/bin/bash
# Benchmark: `virtsh -c test:///default list` as a whole process, side by
# side with `virsh -c test:///default list`. It reports the means; it never
# fails because a machine is slow. The goal is virtsh under 10 ms.
#
# Usage: tests/bench.sh [RUNS]   (default 100 runs each)
# Uses hyperfine when installed (Debian package hyperfine), else (or with
# BENCH_LOOP=1) a loop that times each run.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-100}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -o "$dir/virtsh" .

names=("virtsh list")
commands=("$dir/virtsh -c test:///default list")
if command -v virsh >/dev/null; then
	names+=("virsh list")
	commands+=("virsh -c test:///default list")
else
	echo "bench: virsh not installed (Debian package libvirt-clients); timing virtsh alone"
fi

# mean_ms COMMAND: runs COMMAND once to warm up, then $runs times, and
# prints the mean in ms.
mean_ms() {
	local cmd=$1 total=0 start end i argv
	read -r -a argv <<<"$cmd"
	"${argv[@]}" >/dev/null 2>&1 || true
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"${argv[@]}" >/dev/null 2>&1 || true
		end=$(date +%s%N)
		total=$((total + end - start))
	done
	awk -v t="$total" -v n="$runs" 'BEGIN { printf "%.2f", t / n / 1e6 }'
}

if [[ -z ${BENCH_LOOP:-} ]] && command -v hyperfine >/dev/null; then
	named=()
	for i in "${!commands[@]}"; do
		named+=(-n "${names[$i]}" "${commands[$i]}")
	done
	# -i: a failing run is timed too; this reports, it does not judge.
	hyperfine -N -i --warmup 5 --runs "$runs" --export-json "$dir/bench.json" "${named[@]}"
	if command -v jq >/dev/null; then
		echo
		jq -r '.results[] | "bench: \(.command): mean \(.mean * 100000 | round / 100) ms (± \(.stddev * 100000 | round / 100) ms, \(.times | length) runs)"' "$dir/bench.json"
	fi
else
	for i in "${!commands[@]}"; do
		echo "bench: ${names[$i]}: mean $(mean_ms "${commands[$i]}") ms ($runs runs)"
	done
fi
