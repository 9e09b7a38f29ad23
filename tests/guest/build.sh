#!/bin/bash
# Builds the tiny test guest the QEMU tests boot under TCG: the kernel of
# Debian's linux-image-amd64 (downloaded with apt-get download, never
# installed) and a busybox-static initramfs whose /init prints a marker on
# the serial console, powers off when the ACPI power button is pressed
# (button.ko and evdev.ko from the same kernel package; the event device
# is read in 24-byte chunks, one struct input_event), leaves a shell on
# the console, and runs a tiny guest agent (agent, beside this file) on
# the virtio-serial port org.qemu.guest_agent.0 (virtio_pci and
# virtio_console, with what they need, from the same package), and sees
# virtio disks (virtio_blk), hot-plugged ones too (ACPI PCI hot-plug is
# built into Debian's kernel).
#
# Usage: tests/guest/build.sh [CACHE_DIR]   (default tests/.cache)
# Prints two lines, KERNEL=path and INITRD=path. Both are cached, keyed by
# the kernel package's and busybox's versions and by the contents of init,
# agent and this script, so a second run is instant.
# Needs: apt-get (with up-to-date lists), dpkg-deb, cpio, busybox-static.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-$here/../.cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[[ -n $pkg ]] || { echo "guest: cannot find the kernel package linux-image-amd64 depends on (run apt-get update)" >&2; exit 1; }
kver=$(apt-cache show --no-all-versions "$pkg" | awk '/^Version:/ { print $2; exit }')
[[ -x /bin/busybox ]] || { echo "guest: /bin/busybox missing (install busybox-static)" >&2; exit 1; }
bbver=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || echo unknown)
key=$(printf '%s_%s_busybox-%s_init-%s' "$pkg" "$kver" "$bbver" "$(cat "$here/init" "$here/agent" "$here/build.sh" | sha256sum | cut -c1-12)" | tr -c 'A-Za-z0-9._\n-' '_')
out=$cache/guest-$key
# Test packages run in parallel and build the guest at once: one builds,
# the others wait for it (flock is util-linux's, Essential in Debian).
exec 9>"$cache/.guest.lock"
flock 9
if [[ ! -s $out/vmlinuz || ! -s $out/initrd.cpio.gz ]]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get download -q "$pkg=$kver" >/dev/null 2>&1 || apt-get download "$pkg=$kver" >&2)
	dpkg-deb -x "$work"/*.deb "$work/pkg"
	root=$work/root
	mkdir -p "$root"/{bin,dev,proc,sys,lib,tmp,etc}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$here/init" "$root/init"
	cp "$here/agent" "$root/bin/virtsh-agent"
	chmod 755 "$root/init" "$root/bin/virtsh-agent"
	for m in drivers/acpi/button.ko drivers/input/evdev.ko drivers/net/ethernet/intel/e1000/e1000.ko \
		drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_pci_modern_dev.ko \
		drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci.ko drivers/char/virtio_console.ko drivers/block/virtio_blk.ko; do
		src=$(find "$work/pkg/lib/modules" -path "*/kernel/$m*" | head -n1)
		[[ -n $src ]] || { echo "guest: $m not in $pkg" >&2; exit 1; }
		case $src in
		*.xz) xz -dc "$src" >"$root/lib/$(basename "$m")" ;;
		*.zst) zstd -qdc "$src" >"$root/lib/$(basename "$m")" ;;
		*) cp "$src" "$root/lib/$(basename "$m")" ;;
		esac
	done
	mkdir -p "$out.tmp"
	cp "$work"/pkg/boot/vmlinuz-* "$out.tmp/vmlinuz"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out.tmp/initrd.cpio.gz"
	rm -rf "$out"
	mv "$out.tmp" "$out"
fi
echo "KERNEL=$out/vmlinuz"
echo "INITRD=$out/initrd.cpio.gz"
