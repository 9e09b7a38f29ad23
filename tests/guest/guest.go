// Package guest builds the tiny QEMU test guest (build.sh beside this
// file: Debian's kernel and a busybox-static initramfs, cached under
// tests/.cache) once per test process, for every package that boots it.
package guest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var (
	once           sync.Once
	kernel, initrd string
	buildErr       error
)

// Build returns the guest's kernel and initramfs, building them on first
// use. It needs root (apt-get download) and qemu-system-x86_64 to be
// useful; it says so when they are missing.
func Build() (kernelPath, initrdPath string, err error) {
	if os.Geteuid() != 0 {
		return "", "", fmt.Errorf("the QEMU tests need root (CI runs as root)")
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		return "", "", fmt.Errorf("qemu-system-x86_64 is missing: install qemu-system-x86 (.ci/run does)")
	}
	once.Do(func() {
		_, self, _, _ := runtime.Caller(0)
		out, err := exec.Command("bash", filepath.Join(filepath.Dir(self), "build.sh")).Output()
		if err != nil {
			buildErr = fmt.Errorf("building the test guest: %v", err)
			return
		}
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "KERNEL="); ok {
				kernel = v
			}
			if v, ok := strings.CutPrefix(line, "INITRD="); ok {
				initrd = v
			}
		}
	})
	return kernel, initrd, buildErr
}

// MustBuild is Build for a test: it fails the test when the guest cannot
// be built.
func MustBuild(t testing.TB) (kernelPath, initrdPath string) {
	t.Helper()
	k, i, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	return k, i
}

// DomainXML is a TCG domain (type='qemu': CI has no /dev/kvm) booting the
// guest; cmdline is added to the kernel's command line, devices to the
// default ones (serial console, console, virtio balloon).
func DomainXML(name, kernel, initrd, cmdline, devices string) string {
	return fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='pty'/>
    <console type='pty'/>
    <memballoon model='virtio'/>
    %s
  </devices>
</domain>`, name, kernel, initrd, strings.TrimSpace("console=ttyS0 panic=-1 quiet "+cmdline), devices)
}

// Serial runs QEMU with args (qemu-system-x86_64 from PATH; Serial adds
// -serial stdio) until ctx ends, and hands each line of the guest's serial
// console to line until it returns true. It returns the lines read and
// whether line ended the reading (false: QEMU stopped first). QEMU is
// killed when the test ends, or when the test process dies.
func Serial(t testing.TB, ctx context.Context, args []string, line func(string) bool) (lines []string, ended bool) {
	t.Helper()
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		t.Fatal("qemu-system-x86_64 is missing: install qemu-system-x86 (.ci/run does)")
	}
	cmd := exec.CommandContext(ctx, qemu, append(args, "-serial", "stdio")...)
	// QEMU dies with the test process too: a test binary that times out
	// panics, and its clean-ups do not run.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	serial, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(serial)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		lines = append(lines, l)
		if line(l) {
			return lines, true
		}
	}
	return lines, false
}
