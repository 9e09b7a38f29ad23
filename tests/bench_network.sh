#!/bin/bash
# Benchmark: net-start and net-destroy of a NAT network with DHCP, as whole
# processes, virtsh (`virtsh -c network:///system`) side by side with
# libvirt (`virsh -c network:///system` against libvirtd) when libvirtd is
# installed. Both run in network namespaces made for the run, so the
# host's links and firewall are never touched; libvirtd also runs in a
# private mount namespace with its /etc, /run and /var directories (and
# its users) on tmpfs, so the host's libvirt state is never touched
# either. It reports means; it never fails because a machine is slow.
# Goal: virtsh under 60 ms each.
#
# Usage: tests/bench_network.sh [RUNS]   (default 20 start/destroy cycles)
set -euo pipefail
cd "$(dirname "$0")/.."

# cycle NAME RUNS START_CMD DESTROY_CMD: times RUNS start/destroy cycles and
# prints "NAME start_ms destroy_ms".
cycle() {
	local name=$1 runs=$2 start_cmd=$3 destroy_cmd=$4 i t0 t1 t2 s=0 d=0
	$start_cmd >/dev/null && $destroy_cmd >/dev/null # warm-up
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		$start_cmd >/dev/null
		t1=$(date +%s%N)
		$destroy_cmd >/dev/null
		t2=$(date +%s%N)
		s=$((s + t1 - t0))
		d=$((d + t2 - t1))
	done
	awk -v n="$name" -v s="$s" -v d="$d" -v r="$runs" 'BEGIN { printf "%s %.1f %.1f\n", n, s / r / 1e6, d / r / 1e6 }'
}

network_xml() {
	cat <<'EOF'
<network>
  <name>bench</name>
  <forward mode='nat'/>
  <bridge name='benchbr0' stp='off'/>
  <ip address='10.97.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.97.0.10' end='10.97.0.100'/></dhcp>
  </ip>
</network>
EOF
}

# Inside the libvirt namespaces (this script re-runs itself there).
if [[ ${1:-} == --libvirt-inside ]]; then
	runs=$2 dir=$3
	for d in /run/libvirt /var/lib/libvirt /etc/libvirt /var/log/libvirt /var/cache/libvirt; do
		mkdir -p "$d" && mount -t tmpfs tmpfs "$d"
	done
	# The users libvirt-daemon-system would add to the host exist only here.
	cp /etc/passwd /etc/group "$dir/"
	printf 'libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin\nlibvirt-dnsmasq:x:64056:64056::/nonexistent:/usr/sbin/nologin\n' >>"$dir/passwd"
	printf 'libvirt-qemu:x:64055:\nlibvirt-dnsmasq:x:64056:\nlibvirt:x:64057:\n' >>"$dir/group"
	mount --bind "$dir/passwd" /etc/passwd
	mount --bind "$dir/group" /etc/group
	/usr/sbin/libvirtd -d -p "$dir/libvirtd.pid" >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do [[ -S /run/libvirt/libvirt-sock ]] && break; sleep 0.05; done
	network_xml >"$dir/lv.xml"
	virsh -q -c network:///system net-define "$dir/lv.xml" >/dev/null
	cycle libvirt "$runs" "virsh -q -c network:///system net-start bench" "virsh -q -c network:///system net-destroy bench"
	kill "$(cat "$dir/libvirtd.pid")" 2>/dev/null || true
	exit 0
fi

runs=${1:-20}
dir=$(mktemp -d)
ns=virtsh-bench-$$
cleanup() {
	ip netns exec "$ns" true 2>/dev/null && VIRTSH_ROOT=$dir/root ip netns exec "$ns" "$dir/virtsh" -q -c network:///system net-destroy bench >/dev/null 2>&1 || true
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$ns-lv" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
CGO_ENABLED=0 go build -o "$dir/virtsh" .
network_xml >"$dir/net.xml"

ip netns add "$ns"
export VIRTSH_ROOT=$dir/root
v="ip netns exec $ns $dir/virtsh -q -c network:///system"
$v net-define "$dir/net.xml" >/dev/null
results=("$(cycle virtsh "$runs" "$v net-start bench" "$v net-destroy bench")")
unset VIRTSH_ROOT

if [[ -x /usr/sbin/libvirtd ]] && command -v virsh >/dev/null; then
	ip netns add "$ns-lv"
	if out=$(timeout 300 ip netns exec "$ns-lv" unshare -m --propagation private bash "$0" --libvirt-inside "$runs" "$dir" 2>&1); then
		results+=("$(tail -n1 <<<"$out")")
	else
		echo "bench: libvirt could not run here: $out"
	fi
else
	echo "bench: libvirtd not installed (Debian package libvirt-daemon); timing virtsh alone"
fi

echo
printf 'bench: %-8s %14s %16s   (%d cycles, NAT network with DHCP, in a network namespace)\n' "" "net-start ms" "net-destroy ms" "$runs"
for r in "${results[@]}"; do
	read -r name s d <<<"$r"
	printf 'bench: %-8s %14s %16s\n' "$name" "$s" "$d"
done
