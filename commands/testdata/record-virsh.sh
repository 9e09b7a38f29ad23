#!/bin/sh
# Records the golden output of the network, snapshot, storage and host
# cases from the real virsh (libvirt 9.0.0): for each GROUP/NAME.cmd
# without -o, runs its command string and writes GROUP/NAME.golden.
# Usage: testdata/record-virsh.sh [GROUP...]   (from commands/)
set -eu
cd "$(dirname "$0")"
for group in ${@:-network snapshot storage host}; do
	for cmd in "$group"/*.cmd; do
		opts=$(sed -n 1p "$cmd")
		line=$(sed -n 2p "$cmd")
		case " $opts " in *" -o "*) continue ;; esac
		uri=test:///default
		set -- $opts
		args=""
		while [ $# -gt 0 ]; do
			case $1 in
			-c) uri="test://$(cd "$group" && pwd)/$2"; shift ;;
			*) args="$args $1" ;;
			esac
			shift
		done
		out=$(mktemp) err=$(mktemp)
		status=0
		(cd "$group" && TZ=UTC virsh -c "$uri" $args "$line") >"$out" 2>"$err" || status=$?
		{ cat "$out"; echo "--- stderr ---"; cat "$err"; echo "--- exit $status"; } >"${cmd%.cmd}.golden"
		rm -f "$out" "$err"
	done
done
