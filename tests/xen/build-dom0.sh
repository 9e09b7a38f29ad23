#!/bin/bash
# Builds the nested Xen host of TestXenNested from Debian 12's packages
# (after ../shared/tools/xennest.sh): Xen 4.17's hypervisor, Debian's kernel,
# and a busybox dom0 initramfs with xen-utils that starts xenstored and
# xenconsoled, then runs /xen.test from the overlay archive the Go test
# appends. The .debs and the result are cached in $1 (tests/.cache/xen).
# Needs root, apt-get, dpkg and gzip; Xen is never installed on this host.
set -euo pipefail
OUT=$1; D=$OUT/debs; B=$(mktemp -d); trap 'rm -rf "$B"' EXIT; mkdir -p "$D"
apt-cache show xen-utils-4.17 >/dev/null 2>&1 || apt-get update -q >/dev/null
KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
KV=${KPKG#linux-image-}
PKGS="xen-utils-4.17 xen-utils-common xenstore-utils libxencall1 libxendevicemodel1 libxenevtchn1
 libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenmisc4.17 libxenstore4 libxentoolcore1
 libxentoollog1 libyajl2 libc6 libgcc-s1 libncurses6 libtinfo6 libuuid1 liblzma5 libzstd1
 libbz2-1.0 zlib1g busybox-static bash"
for p in xen-hypervisor-4.17-amd64 "$KPKG" $PKGS util-linux; do
  ls "$D/$p"_*.deb >/dev/null 2>&1 || (cd "$D" && apt-get -q -o APT::Sandbox::User=root download "$p" >/dev/null)
done
x() { dpkg -x "$(ls "$D/$1"_*.deb | tail -1)" "$2"; }
x xen-hypervisor-4.17-amd64 "$B/h"; zcat "$B/h/boot/xen-4.17-amd64.gz" > "$OUT/xen.bin.tmp"
x "$KPKG" "$B/k"; MD=$B/k/lib/modules/$KV
R=$B/dom0; for p in $PKGS; do x "$p" "$R"; done; BB=$R/bin/busybox
# The hotplug scripts lock with flock(1), which busybox lacks: take it
# (it needs only libc) from util-linux.
x util-linux "$B/u"; install -m755 "$B/u/usr/bin/flock" "$R/usr/bin/flock"
"$BB" --list-full | while read -r a; do
  [ -e "$R/$a" ] || [ -L "$R/$a" ] || { mkdir -p "$R/${a%/*}"; ln -s /bin/busybox "$R/$a"; }; done
rm -rf "$R"/usr/share/{doc,man,locale,lintian,bug,bash-completion} "$R"/usr/lib/xen-4.17/{lib/python,boot} \
  "$R"/usr/lib/x86_64-linux-gnu/gconv "$R"/usr/lib/xen-4.17/bin/{test-*,pygrub} "$R"/usr/bin/pygrub "$R"/etc/init.d
mkdir -p "$R"/{proc,sys,dev,run,tmp,guest,var/log/xen/console,var/lib/xen}
ln -sfn /run "$R/var/run"; ln -sfn /run/lock "$R/var/lock"
"$BB" depmod -b "$B/k" "$KV"
mods() {  # ROOT MODULE...: copy modules and their dependencies, then depmod
  local r=$1 f; shift
  for m; do f=$(cd "$MD" && find kernel -name "$m.ko"); [ -n "$f" ] || exit 1
    grep "^$f:" "$MD/modules.dep" | tr -d :; done | tr ' ' '\n' | sort -u | while read -r f; do
    [ -z "$f" ] || install -D -m644 "$MD/$f" "$r/lib/modules/$KV/$f"; done
  cp "$MD"/modules.{builtin,order} "$r/lib/modules/$KV/"; "$BB" depmod -b "$r" "$KV"
}
mods "$R" xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-blkback xen-netback bridge loop
cpio_gz() { (cd "$1" && find . | "$BB" cpio -o -H newc -R 0:0 2>/dev/null | gzip -6); }

# The guest: the same kernel, an initramfs that prints markers on hvc0.
U=$B/domU; mkdir -p "$U"/{bin,proc,sys,dev}; cp "$BB" "$U/bin/"; mods "$U" xen-netfront xen-blkfront
cat > "$U/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin; mount -t proc p /proc; mount -t sysfs s /sys; mount -t devtmpfs d /dev
echo "/bin/busybox poweroff -f" > /proc/sys/kernel/poweroff_cmd   # lets "xl shutdown" work
echo "GUEST-UP uptime=$(cut -d' ' -f1 /proc/uptime)"
modprobe xen-netfront; modprobe xen-blkfront
ip link set eth0 up 2>/dev/null && ip addr add 10.99.0.2/24 dev eth0 && echo GUEST-NET
i=0; while :; do i=$((i+1)); echo "GUEST-HEARTBEAT $i $(ls /sys/block | tr '\n' ' ')"; sleep 1; done
EOF
chmod +x "$U/init"; cpio_gz "$U" > "$R/guest/domU.cpio.gz"; cp "$B/k/boot/vmlinuz-$KV" "$R/guest/vmlinuz"

cat > "$R/init" <<'EOF'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin; L=/usr/lib/xen-4.17/bin
mount -t proc p /proc; mount -t sysfs s /sys; mount -t devtmpfs d /dev; mkdir /dev/pts
mount -t devpts d /dev/pts; mount -t tmpfs t /run; mount -t tmpfs t /tmp; mkdir -p /run/lock /run/xen
# What udev would add: the hotplug scripts' locking stats /dev/stdin.
ln -s /proc/self/fd /dev/fd; ln -s fd/0 /dev/stdin; ln -s fd/1 /dev/stdout; ln -s fd/2 /dev/stderr
fail() { echo "XENNEST-FAIL $*"; sleep 1; poweroff -f; }
for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-blkback xen-netback bridge loop; do
  modprobe $m || fail "modprobe $m"; done
mount -t xenfs xenfs /proc/xen && grep -q control_d /proc/xen/capabilities || fail xenfs
XENSTORED_ROOTDIR=/run/xenstored $L/oxenstored --pid-file /run/xen/xenstored.pid
n=0; until xenstore-read -s / >/dev/null 2>&1; do n=$((n+1)); [ $n -gt 300 ] && fail xenstored; usleep 100000; done
$L/xen-init-dom0 && $L/xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
  --log-dir=/var/log/xen/console || fail xenconsoled
ip link add xenbr0 type bridge && ip addr add 10.99.0.1/24 dev xenbr0 && ip link set xenbr0 up || fail xenbr0
echo "XENNEST-TOOLSTACK-UP $(cut -d' ' -f1 /proc/uptime)"
[ -x /xen.test ] || fail "no /xen.test in the overlay"
cd / && VIRTSH_XEN_DOM0=1 /xen.test -test.v -test.run '^TestXenNested$' -test.timeout 15m 2>&1
echo "XENNEST-DONE rc=$?"; sleep 1; poweroff -f
EOF
chmod +x "$R/init"; cpio_gz "$R" > "$OUT/dom0-base.cpio.gz.tmp"
mv "$OUT/xen.bin.tmp" "$OUT/xen.bin"; mv "$OUT/dom0-base.cpio.gz.tmp" "$OUT/dom0-base.cpio.gz"
cp "$BB" "$OUT/busybox"; cp "$B/k/boot/vmlinuz-$KV" "$OUT/vmlinuz"
