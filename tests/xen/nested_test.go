// Package xen_test runs virtsh's Xen driver on a real Xen hypervisor: Debian
// 12's Xen 4.17 boots nested under QEMU (TCG, no KVM needed) with a busybox
// dom0 that runs xenstored and xenconsoled (build-dom0.sh), and inside dom0
// the same test drives a PV guest on a bridge, a PVH guest on a virtsh
// network and an HVM guest with QEMU's device model through a statically
// linked virtsh, and times virtsh against xl.
// Results come back over the serial console.
package xen_test

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

// Bounds of the nested run: building the cached host once takes about a
// minute, the boot about 15 s and the scenario 8 to 13 minutes under TCG
// (2 to 3.5 of them the HVM guest's; the test inside dom0 gives up after
// 15). A stuck run fails with its serial log before README.md's go test
// -timeout (20 minutes) panics.
const (
	buildTimeout  = 6 * time.Minute
	nestedTimeout = 16 * time.Minute
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func run(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// nestedHost returns the cached Xen hypervisor, dom0 kernel and base
// initramfs, building them when missing or older than build-dom0.sh.
func nestedHost(t *testing.T, root string) (cache string) {
	cache = filepath.Join(root, "tests", ".cache", "xen")
	script := filepath.Join(root, "tests", "xen", "build-dom0.sh")
	sst, err := os.Stat(script)
	if err != nil {
		t.Fatal(err)
	}
	fresh := true
	for _, f := range []string{"xen.bin", "vmlinuz", "dom0-base.cpio.gz", "busybox"} {
		if st, err := os.Stat(filepath.Join(cache, f)); err != nil || st.ModTime().Before(sst.ModTime()) {
			fresh = false
		}
	}
	if fresh {
		return cache
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	start := time.Now()
	run(t, ctx, root, nil, "bash", script, cache)
	t.Logf("built the nested Xen host in %s (cached in %s)", time.Since(start).Round(time.Second), cache)
	return cache
}

// overlay builds the dom0 initramfs: the cached base plus an archive with
// a static virtsh, the benchmark's gorun and this package's test binary (which runs TestXenNested inside dom0).
func overlay(t *testing.T, root, cache, tmp string) string {
	ov := filepath.Join(tmp, "overlay")
	if err := os.MkdirAll(filepath.Join(ov, "usr", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	static := []string{"CGO_ENABLED=0"}
	run(t, ctx, root, static, "go", "build", "-o", filepath.Join(ov, "usr", "bin", "virtsh"), ".")
	run(t, ctx, root, static, "go", "build", "-o", filepath.Join(ov, "usr", "bin", "gorun"), "./tests/xen/gorun")
	run(t, ctx, filepath.Join(root, "tests", "xen"), static, "go", "test", "-c", "-o", filepath.Join(ov, "xen.test"), ".")
	extra := filepath.Join(tmp, "overlay.cpio.gz")
	run(t, ctx, ov, nil, "sh", "-c", "find . | '"+filepath.Join(cache, "busybox")+"' cpio -o -H newc -R 0:0 2>/dev/null | gzip -1 > '"+extra+"'")
	// The kernel unpacks concatenated archives in order: the overlay's
	// files join the base's.
	initrd := filepath.Join(tmp, "dom0.cpio.gz")
	run(t, ctx, tmp, nil, "sh", "-c", "cat '"+filepath.Join(cache, "dom0-base.cpio.gz")+"' '"+extra+"' > '"+initrd+"'")
	return initrd
}

// TestXenNested boots the nested Xen host and checks that the same test,
// run by the same test binary inside dom0 (VIRTSH_XEN_DOM0=1), passed
// there: inside, it is runDom0.
func TestXenNested(t *testing.T) {
	if os.Getenv("VIRTSH_XEN_DOM0") == "1" {
		runDom0(t)
		return
	}
	root := moduleRoot(t)
	cache := nestedHost(t, root)
	tmp := t.TempDir()
	initrd := overlay(t, root, cache, tmp)

	ctx, cancel := context.WithTimeout(context.Background(), nestedTimeout)
	defer cancel()
	// The serial log of the last run stays in the cache for a look after
	// a failure.
	logPath := filepath.Join(cache, "last-serial.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	start := time.Now()
	done := ""
	// SVM with nested paging (which TCG emulates) gives Xen HVM support
	// with HAP: PVH guests need it.
	lines, _ := guest.Serial(t, ctx, []string{"-machine", "q35,accel=tcg", "-cpu", "qemu64,+svm,+npt", "-m", "1024",
		"-display", "none", "-monitor", "none", "-no-reboot",
		"-kernel", filepath.Join(cache, "xen.bin"),
		"-append", "console=com1 com1=115200 dom0_mem=512M,max:512M dom0_max_vcpus=1 noreboot",
		"-initrd", filepath.Join(cache, "vmlinuz") + " console=hvc0 earlyprintk=xen quiet," + initrd},
		func(l string) bool {
			stamp := time.Since(start).Seconds()
			logFile.WriteString(formatStamp(stamp) + l + "\n")
			switch {
			case strings.HasPrefix(l, "XENNEST-TOOLSTACK-UP"):
				t.Logf("dom0 toolstack up after %.1fs", stamp)
			case strings.HasPrefix(l, "XENBENCH"):
				t.Log(l)
			case strings.HasPrefix(l, "XENNEST-DONE") || strings.HasPrefix(l, "XENNEST-FAIL"):
				done = l
			}
			return done != ""
		})
	if done == "" {
		t.Fatalf("the nested Xen host stopped without a result after %s (timeout %s); serial log:\n%s",
			time.Since(start).Round(time.Second), nestedTimeout, tail(lines, 80))
	}
	t.Logf("nested run finished in %s: %s", time.Since(start).Round(time.Second), done)
	inner := innerResult(lines)
	if done != "XENNEST-DONE rc=0" || !strings.Contains(inner, "--- PASS: TestXenNested") {
		t.Fatalf("the test failed inside dom0:\n%s\n(full serial log: %s)", inner, logPath)
	}
	t.Logf("inside dom0:\n%s", inner)
}

func formatStamp(s float64) string {
	return "[" + time.Duration(s*float64(time.Second)).Round(time.Millisecond).String() + "] "
}

// innerResult keeps the lines of the test binary that ran in dom0 (the
// kernel's and Xen's messages are left out).
func innerResult(lines []string) string {
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "===") || strings.HasPrefix(t, "---") || strings.HasPrefix(t, "XEN") ||
			strings.HasPrefix(t, "dom0_test.go") || strings.HasPrefix(t, "PASS") || strings.HasPrefix(t, "FAIL") || strings.HasPrefix(l, "    ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func tail(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
