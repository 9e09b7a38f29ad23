#!/bin/bash
# Benchmark: `virtsh -c test:///default list` as a whole process, side by
# side with `virsh -c test:///default list`. It reports the means; it never
# fails because a machine is slow. The goal is virtsh under 10 ms.
#
# Usage: tests/bench.sh [RUNS]   (default 100 runs each)
# Uses hyperfine when installed (Debian package hyperfine), else a loop.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-100}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -o "$dir/virtsh" .

commands=("$dir/virtsh -c test:///default list")
if command -v virsh >/dev/null; then
	commands+=("virsh -c test:///default list")
else
	echo "bench: virsh not installed (Debian package libvirt-clients); timing virtsh alone"
fi

# mean_ms COMMAND: runs COMMAND $runs times and prints its mean in ms.
mean_ms() {
	local cmd=$1 total=0 start end i
	read -r -a argv <<<"$cmd"
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"${argv[@]}" >/dev/null
		end=$(date +%s%N)
		total=$((total + end - start))
	done
	awk -v t="$total" -v n="$runs" 'BEGIN { printf "%.2f", t / n / 1e6 }'
}

if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 5 --runs "$runs" --export-json "$dir/bench.json" "${commands[@]}"
	if command -v jq >/dev/null; then
		echo
		jq -r '.results[] | "bench: \(.command | split(" ")[0] | split("/")[-1]) list: mean \(.mean * 100000 | round / 100) ms (± \(.stddev * 100000 | round / 100) ms, \(.times | length) runs)"' "$dir/bench.json"
	fi
else
	for cmd in "${commands[@]}"; do
		read -r -a argv <<<"$cmd"
		"${argv[@]}" >/dev/null # warm up
		echo "bench: $(basename "${argv[0]}") list: mean $(mean_ms "$cmd") ms ($runs runs)"
	done
fi
