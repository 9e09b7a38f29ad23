package lxc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/tests/guest"
)

// containerTests are the tests of real containers that need no network:
// the ones the cgroup v2 guest runs.
var containerTests = []string{
	"TestInitIsPID1", "TestEnterNamespace", "TestMemoryLimit", "TestSuspendResume", "TestConsole",
	"TestShutdownSignalsInit", "TestReboot", "TestKilledController", "TestStartFailure",
}

// v2GuestRun is the guest's /test/run. Containers pivot_root, which the
// initramfs cannot do (it is the rootfs mount): it moves everything to a
// tmpfs first.
const v2GuestRun = `#!/bin/sh
mkdir /newroot && mount -t tmpfs -o size=600m tmpfs /newroot || exit 1
cp -a /bin /lib /etc /test /newroot/ && mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp
for m in proc sys dev; do mount --move /$m /newroot/$m; done
exec switch_root /newroot /test/stage2
`

// v2GuestStage2 runs the tests on a host with only the unified cgroup
// hierarchy, every controller in it, as on a systemd host (and devpts,
// which the console pty needs).
const v2GuestStage2 = `#!/bin/sh
export PATH=/bin
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=0666 devpts /dev/pts && { [ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx; } &&
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || { echo "LXCV2-DONE rc=mount"; poweroff -f; }
echo "LXCV2-CONTROLLERS $(cat /sys/fs/cgroup/cgroup.controllers)"
cd /tmp
/test/lxc.test -test.v -test.count=1 -test.timeout=10m -test.run "$(cat /test/tests)"
echo "LXCV2-DONE rc=$?"
poweroff -f
`

// TestCgroupV2Guest runs containerTests on a cgroup v2 host, which this
// machine (cgroup v1) is not: the QEMU test guest (tests/guest: Debian's
// kernel, busybox) boots under TCG with this package's test binary,
// built static, in an archive appended to its initramfs, mounts only the
// unified hierarchy and runs them there; the serial console brings their
// results back.
func TestCgroupV2Guest(t *testing.T) {
	needRoot(t)
	kernel, initrd := guest.MustBuild(t)
	tmp := t.TempDir()
	stage := filepath.Join(tmp, "stage")
	if err := os.MkdirAll(filepath.Join(stage, "test"), 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "test", "-c", "-o", filepath.Join(stage, "test", "lxc.test"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the static test binary: %v\n%s", err, out)
	}
	for name, content := range map[string]string{
		"run": v2GuestRun, "stage2": v2GuestStage2, "tests": "^(" + strings.Join(containerTests, "|") + ")$",
	} {
		if err := os.WriteFile(filepath.Join(stage, "test", name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	combined := filepath.Join(tmp, "initrd")
	appendArchive(t, initrd, stage, combined)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	start := time.Now()
	done := ""
	lines, _ := guest.Serial(t, ctx, []string{"-machine", "pc,accel=tcg", "-m", "768", "-smp", "1",
		"-display", "none", "-monitor", "none", "-no-reboot",
		"-kernel", kernel, "-initrd", combined, "-append", "console=ttyS0 panic=-1 quiet"},
		func(l string) bool {
			if strings.HasPrefix(l, "LXCV2-DONE") {
				done = l
			}
			return done != ""
		})
	out := strings.Join(lines, "\n")
	if done == "" {
		t.Fatalf("the guest stopped without a result after %s:\n%s", time.Since(start).Round(time.Second), out)
	}
	var results []string
	for _, l := range lines {
		if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "LXCV2-") {
			results = append(results, l)
		}
	}
	t.Logf("the guest ran the container tests on cgroup v2 in %s:\n%s", time.Since(start).Round(time.Second), strings.Join(results, "\n"))
	if !strings.Contains(out, "LXCV2-CONTROLLERS") || !strings.Contains(out, "memory") || !strings.Contains(out, "pids") {
		t.Errorf("the guest's unified hierarchy lacks the controllers:\n%s", out)
	}
	for _, name := range containerTests {
		if !strings.Contains(out, "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass on cgroup v2", name)
		}
	}
	if done != "LXCV2-DONE rc=0" || t.Failed() {
		t.Fatalf("on cgroup v2 (%s):\n%s", done, out)
	}
}

// appendArchive writes to out the initramfs initrd followed by a newc
// cpio archive of dir: the kernel unpacks one archive after the other,
// skipping zeros, and reads an uncompressed one only at an offset that is
// a multiple of 4.
func appendArchive(t *testing.T, initrd, dir, out string) {
	t.Helper()
	archive := exec.Command("sh", "-c", "find . | cpio -o -H newc --quiet")
	archive.Dir = dir
	cpio, err := archive.Output()
	if err != nil {
		t.Fatalf("cpio (install cpio; .ci/run does): %v", err)
	}
	base, err := os.ReadFile(initrd)
	if err != nil {
		t.Fatal(err)
	}
	for len(base)%4 != 0 {
		base = append(base, 0)
	}
	if err := os.WriteFile(out, append(base, cpio...), 0o600); err != nil {
		t.Fatal(err)
	}
}
