#!/bin/bash
# Builds the nested Xen host of TestXenNested from Debian 12's packages
# (after ../shared/tools/xennest.sh): Xen 4.17's hypervisor, Debian's kernel,
# and a busybox dom0 initramfs with xen-utils that starts xenstored and
# xenconsoled, then runs /xen.test from the overlay archive the Go test
# appends. dom0 also gets the device model of HVM guests: qemu-system-xen's
# QEMU with only the shared libraries it loads, SeaBIOS and the option ROMs
# of direct kernel boot and VGA, where libxl looks for them. The .debs and the result are cached in $1 (tests/.cache/xen).
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
# The device model and the packages of its libraries (those not in PKGS);
# only the files it uses are taken from them.
DMPKGS="qemu-system-xen seabios qemu-system-data libpixman-1-0 libspice-server1 libjpeg62-turbo
 libusb-1.0-0 libfdt1 libglib2.0-0 libssl3 libopus0 libgstreamer1.0-0 libgstreamer-plugins-base1.0-0
 liborc-0.4-0 liblz4-1 libsasl2-2 libstdc++6 libudev1 libpcre2-8-0 libunwind8 libdw1 libffi8 libelf1"
for p in xen-hypervisor-4.17-amd64 "$KPKG" $PKGS $DMPKGS util-linux; do
  ls "$D/$p"_*.deb >/dev/null 2>&1 || (cd "$D" && apt-get -q -o APT::Sandbox::User=root download "$p" >/dev/null)
done
x() { dpkg -x "$(ls "$D/$1"_*.deb | tail -1)" "$2"; }
x xen-hypervisor-4.17-amd64 "$B/h"; zcat "$B/h/boot/xen-4.17-amd64.gz" > "$OUT/xen.bin.tmp"
x "$KPKG" "$B/k"; MD=$B/k/lib/modules/$KV
R=$B/dom0; for p in $PKGS; do x "$p" "$R"; done; BB=$R/bin/busybox
# The hotplug scripts lock with flock(1), which busybox lacks: take it
# (it needs only libc) from util-linux.
x util-linux "$B/u"; install -m755 "$B/u/usr/bin/flock" "$R/usr/bin/flock"
# The HVM device model, at the path libxl runs it from (no
# device_model_override needed), with its firmware: SeaBIOS (libxl hands
# bios-256k.bin to hvmloader), the VGA ROMs of the emulated cards, and the
# option ROMs QEMU boots a kernel= with, and the keymap its VNC server
# loads (libxl gives HVM guests a VNC display unless told vnc=0).
Q=$B/dm; for p in $DMPKGS; do x "$p" "$Q"; done
install -D -m755 "$Q/usr/libexec/xen-qemu-system-i386" "$R/usr/libexec/xen-qemu-system-i386"
mkdir -p "$R/usr/share/seabios" "$R/usr/share/qemu/keymaps"
cp "$Q"/usr/share/seabios/{bios-256k.bin,vgabios-cirrus.bin,vgabios-stdvga.bin} "$R/usr/share/seabios/"
cp "$Q"/usr/share/qemu/{linuxboot.bin,linuxboot_dma.bin} "$R/usr/share/qemu/"
cp "$Q/usr/share/qemu/keymaps/en-us" "$R/usr/share/qemu/keymaps/"
# Its libraries: what dom0's own dynamic loader resolves, searching the
# extracted packages only; one found elsewhere means a package is missing.
LP=$R/lib/x86_64-linux-gnu:$R/usr/lib/x86_64-linux-gnu:$Q/lib/x86_64-linux-gnu:$Q/usr/lib/x86_64-linux-gnu
"$R/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$LP" --list "$R/usr/libexec/xen-qemu-system-i386" |
  awk '$2 == "=>" {print $3}' | while read -r f; do
  case $f in "$R"/*) ;; "$Q"/*) cp -L "$f" "$R/usr/lib/x86_64-linux-gnu/" ;;
    *) echo "build-dom0.sh: the device model needs $f: add its package to DMPKGS" >&2; exit 1 ;; esac; done
"$BB" --list-full | while read -r a; do
  [ -e "$R/$a" ] || [ -L "$R/$a" ] || { mkdir -p "$R/${a%/*}"; ln -s /bin/busybox "$R/$a"; }; done
rm -rf "$R"/usr/share/{doc,man,locale,lintian,bug,bash-completion} "$R"/usr/lib/xen-4.17/{lib/python,boot/xen-shim} \
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
ip link set lo up   # QEMU (the HVM device model) serves VNC on 127.0.0.1
ip link add xenbr0 type bridge && ip addr add 10.99.0.1/24 dev xenbr0 && ip link set xenbr0 up || fail xenbr0
echo "XENNEST-TOOLSTACK-UP $(cut -d' ' -f1 /proc/uptime)"
[ -x /xen.test ] || fail "no /xen.test in the overlay"
cd / && VIRTSH_XEN_DOM0=1 /xen.test -test.v -test.run '^TestXenNested$' -test.timeout 15m 2>&1
echo "XENNEST-DONE rc=$?"; sleep 1; poweroff -f
EOF
chmod +x "$R/init"; cpio_gz "$R" > "$OUT/dom0-base.cpio.gz.tmp"
mv "$OUT/xen.bin.tmp" "$OUT/xen.bin"; mv "$OUT/dom0-base.cpio.gz.tmp" "$OUT/dom0-base.cpio.gz"
cp "$BB" "$OUT/busybox"; cp "$B/k/boot/vmlinuz-$KV" "$OUT/vmlinuz"
