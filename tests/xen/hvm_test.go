package xen_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// hvmXML is an HVM guest (machine xenfv: xl's builder="hvm", with QEMU's
// device model in dom0) that boots the same kernel and initrd as the PV
// guest directly (xl's kernel=, ramdisk=, cmdline=), its console on its
// first serial port, with a standard VGA card of 32 MiB (xl's
// vga="stdvga", videoram=32). libxl takes the card's memory out of the
// guest's: with 128 MiB, the 96 left did not boot the guest.
const hvmXML = `<domain type='xen'>
  <name>g3</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='xenfv'>hvm</type>
    <kernel>/guest/vmlinuz</kernel>
    <initrd>/guest/domU.cpio.gz</initrd>
    <cmdline>console=ttyS0 loglevel=4</cmdline>
  </os>
  <features><acpi/><apic/><pae/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <video><model type='vga' vram='32768'/></video>
  </devices>
</domain>
`

// guestMarker is what the guest's init prints once booted, then every
// second.
var guestMarker = regexp.MustCompile(`GUEST-UP uptime=[0-9.]+|GUEST-HEARTBEAT \d+`)

// hvmGuest boots an HVM guest through virtsh: define, start, its console
// read back through `virtsh console` (QEMU's serial pty), list and
// dominfo, destroy, undefine.
func hvmGuest(t *testing.T, d *dom0, root string) {
	xmlPath := filepath.Join(root, "g3.xml")
	if err := os.WriteFile(xmlPath, []byte(hvmXML), 0o644); err != nil {
		t.Fatal(err)
	}
	d.virtsh("define", xmlPath)
	defer d.try("undefine", "g3")
	native := d.virtsh("domxml-to-native", "xen-xl", "--domain", "g3")
	for _, want := range []string{`builder = "hvm"`, `kernel = "/guest/vmlinuz"`, `serial = "pty"`, `vga = "stdvga"`, "videoram = 32"} {
		if !strings.Contains(native, want) {
			t.Errorf("domxml-to-native of the HVM guest lacks %s:\n%s", want, native)
		}
	}
	if strings.Contains(native, "device_model_override") {
		t.Errorf("domxml-to-native names a device model, which the definition does not:\n%s", native)
	}
	start := time.Now()
	if out, err := d.try("start", "g3"); err != nil {
		dm, _ := os.ReadFile("/var/log/xen/qemu-dm-g3.log")
		t.Fatalf("virtsh start g3: %v\n%s\ndevice model's log:\n%s", err, out, dm)
	}
	defer d.try("destroy", "g3")
	t.Logf("HVM guest: virtsh start returned after %.1fs (xl create with its device model)", time.Since(start).Seconds())
	if out, err := exec.CommandContext(d.ctx, "xl", "list", "-l", "g3").CombinedOutput(); err != nil || !strings.Contains(string(out), `"type": "hvm"`) {
		t.Errorf("xl list -l g3 does not show an HVM domain: %v\n%s", err, out)
	}
	dm := deviceModel(t, d)
	if args, _ := os.ReadFile(dm + "/cmdline"); !bytes.Contains(args, []byte("VGA,vgamem_mb=32")) || bytes.Contains(args, []byte("cirrus")) {
		t.Errorf("the device model does not emulate the standard VGA card of 32 MiB the XML asks for: %q", bytes.ReplaceAll(args, []byte{0}, []byte{' '}))
	}
	d.wantState("g3", "running (booted)")
	if out := d.virtsh("list"); !regexp.MustCompile(`\d+\s+g3\s+running`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
	if info := d.virtsh("dominfo", "g3"); !strings.Contains(info, "OS Type:        hvm") || !strings.Contains(info, "State:          running") {
		t.Errorf("dominfo g3:\n%s", info)
	}
	d.wantOSTypeUndefined("g3", "hvm")

	seen, err := readConsole(d.ctx, "g3", 5*time.Minute)
	if !guestMarker.MatchString(seen) {
		st, _ := exec.CommandContext(d.ctx, "sh", "-c", "xenstore-ls /local/domain/$(xl domid g3) | grep -E 'tty|serial|console'; tail -20 /var/log/xen/qemu-dm-g3.log").CombinedOutput()
		t.Fatalf("virtsh console g3: no marker of the guest after %.0fs (%v); read:\n%q\n%s", time.Since(start).Seconds(), err, tail(strings.Split(seen, "\n"), 20), st)
	}
	t.Logf("HVM guest: %q on its serial console, read through virtsh console, %.1fs after start",
		guestMarker.FindString(seen), time.Since(start).Seconds())

	d.virtsh("destroy", "g3")
	d.wantState("g3", "shut off (destroyed)")
	if !waitFor(20*time.Second, func() bool { return gone(dm) }) {
		t.Errorf("the device model (%s) outlived the HVM guest", dm)
	}
	d.virtsh("undefine", "g3")
}

// deviceModel checks that the HVM guest's device model runs, Debian's
// QEMU for Xen where libxl starts it from, and returns its /proc
// directory. libxl records its pid in xenstore.
func deviceModel(t *testing.T, d *dom0) string {
	t.Helper()
	id := strings.TrimSpace(d.virtsh("domid", "g3"))
	out, err := exec.CommandContext(d.ctx, "xenstore-read", "/local/domain/"+id+"/image/device-model-pid").CombinedOutput()
	if err != nil {
		t.Fatalf("no device model recorded for the HVM guest: %v %s", err, out)
	}
	proc := "/proc/" + strings.TrimSpace(string(out))
	if exe, err := os.Readlink(proc + "/exe"); err != nil || exe != "/usr/libexec/xen-qemu-system-i386" {
		t.Errorf("the HVM guest's device model is %q (%v), want /usr/libexec/xen-qemu-system-i386", exe, err)
	}
	return proc
}

// gone tells whether the process of a /proc directory has ended (or
// only waits for its parent, xl's monitor, to reap it).
func gone(proc string) bool {
	b, err := os.ReadFile(proc + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}

// readConsole runs `virtsh console NAME` with its input held open, and
// returns what it printed once the guest's marker shows, or when timeout
// passes.
func readConsole(ctx context.Context, name string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, virtsh, "-c", "xen:///system", "console", name)
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	defer in.Close()
	out := &markerWriter{found: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-out.found:
		cmd.Process.Kill()
		<-done
		return out.String(), nil
	case err := <-done:
		return out.String(), err
	case <-ctx.Done():
		<-done
		return out.String(), ctx.Err()
	}
}

// markerWriter collects a console's output and closes found when the
// guest's marker appears in it.
type markerWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	found chan struct{}
	once  sync.Once
}

func (w *markerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if guestMarker.Match(w.buf.Bytes()) {
		w.once.Do(func() { close(w.found) })
	}
	return len(p), nil
}

func (w *markerWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
