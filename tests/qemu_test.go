package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/tests/guest"
)

// The QEMU tests boot the tiny guest of tests/guest (cached in
// tests/.cache) under TCG, always with type='qemu' (CI has no /dev/kvm),
// through the virtsh binary.

// processesOf lists the QEMU and supervisor processes of domain name.
func processesOf(name string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || e.Name() == strconv.Itoa(os.Getpid()) {
			continue
		}
		qemu := bytes.Contains(b, []byte("guest="+name+","))
		sup := bytes.Contains(b, []byte("__qemu-supervisor\x00")) && bytes.HasSuffix(b, []byte("\x00"+name+"\x00"))
		if st, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); (qemu || sup) && !bytes.Contains(st, []byte(") Z ")) {
			out = append(out, e.Name()+" "+strings.ReplaceAll(string(b), "\x00", " ")[:min(len(b), 60)])
		}
	}
	return out
}

// killAll kills what processesOf finds: the cleanup of a failed test.
func killAll(name string) {
	for _, p := range processesOf(name) {
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// pidOf is the QEMU (or, with supervisor, the supervisor) of domain name.
func pidOf(t *testing.T, name string, supervisor bool) int {
	t.Helper()
	for _, p := range processesOf(name) {
		if strings.Contains(p, "__qemu-supervisor") == supervisor {
			pid, _ := strconv.Atoi(strings.Fields(p)[0])
			return pid
		}
	}
	t.Fatalf("no %s process for %s", map[bool]string{true: "supervisor", false: "QEMU"}[supervisor], name)
	return 0
}

// expect fails unless r succeeded with stdout matching the pattern.
func expect(t *testing.T, r result, pattern string) {
	t.Helper()
	if r.code != 0 || !regexp.MustCompile(pattern).MatchString(r.stdout) {
		t.Errorf("exit %d, stdout %q, stderr %q; want stdout matching %q", r.code, r.stdout, r.stderr, pattern)
	}
}

// expectError fails unless r failed with stderr matching the pattern.
func expectError(t *testing.T, r result, pattern string) {
	t.Helper()
	if r.code != 1 || !regexp.MustCompile(pattern).MatchString(r.stderr) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, stderr matching %q", r.code, r.stdout, r.stderr, pattern)
	}
}

// console is `virtsh console` run without a terminal: input through a
// pipe, output collected.
type console struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// openConsole runs `virtsh console NAME`, or the command args that
// attaches a console (start NAME --console, create FILE --console).
func openConsole(t *testing.T, s lxcShell, args ...string) *console {
	t.Helper()
	c := &console{done: make(chan struct{})}
	c.cmd = exec.Command(virtshBin, append([]string{"-c", s.uri}, args...)...)
	c.cmd.Env = append(cleanEnv(), "VIRTSH_ROOT="+s.root)
	var err error
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stderr = c.cmd.Stdout
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r := bufio.NewReader(stdout)
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			c.mu.Lock()
			c.out.Write(b[:n])
			c.mu.Unlock()
			if err != nil {
				close(c.done)
				return
			}
		}
	}()
	t.Cleanup(func() { c.cmd.Process.Kill(); c.cmd.Wait() })
	return c
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// await types line every few seconds until want shows (the guest may
// still be booting), for at most d.
func (c *console) await(t *testing.T, line, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for next := time.Now(); !strings.Contains(c.String(), want); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q on the console within %v; it shows:\n%q", want, d, c.String())
		}
		if time.Now().After(next) {
			io.WriteString(c.in, line+"\n")
			next = time.Now().Add(3 * time.Second)
		}
	}
}

// leave types "~." at the start of a line, which must end the console
// with exit status 0, and checks that its output started with prefix.
func (c *console) leave(t *testing.T, prefix string) {
	t.Helper()
	io.WriteString(c.in, "\n~.")
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("~. did not end the console")
	}
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("console: %v", err)
	}
	if out := c.String(); !strings.HasPrefix(out, prefix) {
		t.Errorf("console output: %q, want it to start with %q", out, prefix)
	}
}

// awaitAgent waits (at most 2 minutes) until the guest agent answers
// guest-ping: the test guest starts it once it has booted.
func awaitAgent(t *testing.T, s lxcShell, name string) {
	t.Helper()
	var r result
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if r = s.run("qemu-agent-command", name, "--timeout", "2", `{"execute":"guest-ping"}`); r.code == 0 {
			break
		}
	}
	expect(t, r, `^\{"return":\{\}\}\n\n$`)
}

// shortTempDir is a temporary directory with a short path (t.TempDir's
// holds the test's name), removed after the test.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// qemuDomain names a test's QEMU domain (TAG and this process's pid) and
// returns the virtsh runner for it, with its state under root and its
// commands run behind prefix (a network namespace's ip netns exec). When
// the test ends the domain's processes are killed, and its log is shown
// if the test failed.
func qemuDomain(t *testing.T, root, tag string, prefix ...string) (lxcShell, string) {
	s := lxcShell{t: t, root: root, uri: "qemu:///system", prefix: prefix}
	name := "vt-" + tag + "-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() {
		killAll(name)
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(root, "system/var/log/virtsh/qemu", name+".log"))
			t.Logf("domain log:\n%s", b)
		}
	})
	return s, name
}

// bridgeNamespace makes the network namespace virtsh-TAG-PID with lo up
// and a bridge br0 at addr (CIDR), deleted when the test ends (after the
// domains a later qemuDomain registered are killed). It returns the
// namespace and a function that runs a command in it.
func bridgeNamespace(t *testing.T, tag, addr string) (string, func(args ...string) (string, error)) {
	ns := "virtsh-" + tag + "-" + strconv.Itoa(os.Getpid())
	inNS := func(args ...string) (string, error) {
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	for _, cmd := range [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "link", "add", "br0", "type", "bridge"},
		{"ip", "addr", "add", addr, "dev", "br0"},
		{"ip", "link", "set", "br0", "up"},
	} {
		if out, err := inNS(cmd...); err != nil {
			t.Fatalf("%q: %v: %s", cmd, err, out)
		}
	}
	return ns, inNS
}

// TestQEMUThroughTheCLI boots one guest and walks it through its life
// with the virtsh binary, as a user would, then checks that no QEMU or
// supervisor is left.
func TestQEMUThroughTheCLI(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	dir := shortTempDir(t) // the agent's socket path under it must fit in sun_path
	s, name := qemuDomain(t, filepath.Join(dir, "root"), "cli")
	disk := filepath.Join(dir, "disk.img")
	if err := os.WriteFile(disk, nil, 0o600); err != nil || os.Truncate(disk, 8<<20) != nil {
		t.Fatal("cannot create the disk image")
	}
	xml := filepath.Join(dir, "g.xml")
	// The guest agent's channel at the driver's default path; two vCPUs,
	// one online; eth0 on QEMU's user network at 10.0.2.15.
	doc := guest.DomainXML(name, kernel, initrd, "virtsh.ip=10.0.2.15/24 virtsh.peer=10.0.2.2", fmt.Sprintf(`
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/><target dev='vda' bus='virtio'/></disk>
    <interface type='user'><mac address='52:54:00:12:34:56'/><model type='e1000'/></interface>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>`, disk))
	os.WriteFile(xml, []byte(strings.Replace(doc, "<vcpu>1</vcpu>", "<vcpu current='1'>2</vcpu>", 1)), 0o644)

	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	expect(t, s.run("list", "--all"), ` -    `+name+`\s+shut off`)
	expect(t, s.run("dominfo", name), `(?m)^State:\s+shut off$`)

	t.Run("concurrent starts start one QEMU", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]result, 4)
		for i := range results {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = s.run("start", name) }()
		}
		wg.Wait()
		started := 0
		for _, r := range results {
			if r.code == 0 {
				started++
			} else if !strings.Contains(r.stderr, "already") {
				t.Errorf("a failed start says: %q", r.stderr)
			}
		}
		if procs := processesOf(name); started != 1 || len(procs) != 2 {
			t.Fatalf("%d starts succeeded; processes: %q", started, procs)
		}
	})
	s.ok("running (booted)\n\n", "domstate", name, "--reason")
	expect(t, s.run("list"), ` \d+ +`+name+` +running`)
	expect(t, s.run("dominfo", name), `(?m)^State:\s+running$`)

	t.Run("console", func(t *testing.T) {
		c := openConsole(t, s, "console", name)
		c.await(t, "echo sum-$((40+2))", "sum-42", 3*time.Minute)
		c.leave(t, "Connected to domain '"+name+"'\nEscape character is ^] (Ctrl + ])\n")
	})

	t.Run("monitor", func(t *testing.T) {
		expect(t, s.run("qemu-monitor-command", name, "--hmp", "info status"), `^VM status: running\r?\n\n`)
		expect(t, s.run("qemu-monitor-command", name, `{"execute":"query-status"}`), `^\{"return":\{.*"status":"running".*\},"id":"virtsh-\d+"\}\n\n$`)
		expect(t, s.run("qemu-monitor-command", name, "--pretty", `{"execute":"query-status"}`), `(?s)^\{\n  "return": \{\n.*    "status": "running"`)
		expect(t, s.run("qemu-monitor-command", name, "--return-value", `{"execute":"query-status"}`), `^\{.*"status":"running".*\}\n\n$`)
		// An error reply is printed, as virsh does, not reported as failure.
		expect(t, s.run("qemu-monitor-command", name, `{"execute":"no-such-command"}`), `"error":\{"class":"GenericError","desc":"The command no-such-command has not been found"\}`)
		expectError(t, s.run("qemu-monitor-command", name, "info", "status"), `cannot parse the QMP command`)
		expectError(t, s.run("-r", "qemu-monitor-command", name, "--hmp", "info", "status"), `read only access prevents virDomainQemuMonitorCommand`)
	})

	t.Run("devices", func(t *testing.T) {
		expect(t, s.run("domblklist", name), `(?m)^ vda +`+regexp.QuoteMeta(disk)+`$`)
		expect(t, s.run("domiflist", name), `(?m)^ - +user +- +e1000 +52:54:00:12:34:56$`)
		expect(t, s.run("domblkinfo", name, "vda"), `^Capacity:       8388608\nAllocation:     0\nPhysical:       8388608\n\n$`)
		expect(t, s.run("domblkinfo", name, "--all", "--human"), `(?m)^ vda +8\.000 MiB +0\.000 B +8\.000 MiB$`)
		expectError(t, s.run("domblkinfo", name, "vdz"), `invalid path vdz not assigned to domain`)
		expect(t, s.run("domblkstat", name, "vda"), `^vda rd_req \d+\nvda rd_bytes \d+\nvda wr_req \d+\nvda wr_bytes \d+\nvda flush_operations \d+\nvda rd_total_times \d+\nvda wr_total_times \d+\nvda flush_total_times \d+\n\n$`)
		expect(t, s.run("domblkstat", name, "vda", "--human"), `^Device: vda\n number of read operations:      \d+\n`)
		expect(t, s.run("domblkstat", name, "-o", "json"), `"device": "",\n  "rd_reqs": \d+`)
		expectError(t, s.run("domblkstat", name, "vdz"), `disk 'vdz' not found in domain`)
		expectError(t, s.run("domifstat", name, "vnet9"), `Failed to get interface stats `+name+` vnet9\nerror: invalid argument: 'vnet9' is not a known interface`)
		expect(t, s.run("domstats", name), `(?s)state.state=1\n.*balloon.current=196608\n.*block.0.name=vda\n`)
		expect(t, s.run("dommemstat", name), `(?m)^actual 196608$`)
		expect(t, s.run("vncdisplay", name), `^127\.0\.0\.1:\d+\n\n$`)
		shot := filepath.Join(dir, "shot")
		expect(t, s.run("screenshot", name, "--file", shot), `^Screenshot saved to `+shot+`, with type of image/(png|x-portable-pixmap)\n$`)
		if b, _ := os.ReadFile(shot); !bytes.HasPrefix(b, []byte("\x89PNG")) && !bytes.HasPrefix(b, []byte("P6")) {
			t.Errorf("the screenshot is no image: %q", b[:min(len(b), 16)])
		}
		s.ok("\n", "send-key", name, "KEY_LEFTSHIFT", "KEY_A")
		s.ok("\n", "send-key", name, "--codeset", "xt", "--holdtime", "50", "0x1e")
		expectError(t, s.run("send-key", name, "KEY_NOPE"), `^error: invalid keycode: 'KEY_NOPE'\n$`)
		expectError(t, s.run("send-key", name, "--codeset", "usb", "4"), `codeset 'usb' is not supported by virtsh`)
	})

	t.Run("addresses", func(t *testing.T) {
		// Leases (the default source) are those of type='network' interfaces: none here.
		expect(t, s.run("domifaddr", name), `^ Name +MAC address +Protocol +Address\n-{79}\n\n$`)
		expect(t, s.run("domifaddr", name, "--source", "arp"), `^ Name +MAC address +Protocol +Address\n-{79}\n\n$`)
		// The test guest's agent (tests/guest/agent) answers.
		awaitAgent(t, s, name)
		expect(t, s.run("qemu-agent-command", name, "--pretty", `{"execute":"guest-info"}`), `(?s)^\{\n  "return": \{\n.*"version": "virtsh-test-agent"`)
		expectError(t, s.run("qemu-agent-command", name, `{"execute":"guest-nope"}`), `The command guest-nope has not been found`)
		expect(t, s.run("domifaddr", name, "--source", "agent"), `(?m)^ eth0 +52:54:00:12:34:56 +ipv4 +10\.0\.2\.15/24$`)
		expectError(t, s.run("-r", "domifaddr", name, "--source", "agent"), `read only access prevents virDomainInterfaceAddresses`)
		expectError(t, s.run("-r", "qemu-agent-command", name, `{"execute":"guest-ping"}`), `read only access prevents virDomainQemuAgentCommand`)
	})

	t.Run("memory", func(t *testing.T) {
		s.ok("\n", "setmem", name, "160M", "--live")
		expect(t, s.run("dominfo", name), `(?m)^Used memory:    163840 KiB$`)
	})

	t.Run("vcpus", func(t *testing.T) {
		expect(t, s.run("dominfo", name), `(?m)^CPU\(s\):         1$`)
		s.ok("\n", "setvcpus", name, "2", "--live")
		r := s.run("qemu-monitor-command", name, "--return-value", `{"execute":"query-cpus-fast"}`)
		if n := strings.Count(r.stdout, `"cpu-index"`); r.code != 0 || n != 2 {
			t.Errorf("query-cpus-fast shows %d vCPUs, want 2: %q %q", n, r.stdout, r.stderr)
		}
		expect(t, s.run("dominfo", name), `(?m)^CPU\(s\):         2$`)
		s.ok("maximum      config         2\nmaximum      live           2\ncurrent      config         1\ncurrent      live           2\n\n", "vcpucount", name)
		s.ok("2\n\n", "vcpucount", name, "--active")
		expectError(t, s.run("setvcpus", name, "3", "--live"), `requested vcpus is greater than max allowable vcpus for the domain: 3 > 2`)
	})

	t.Run("reset", func(t *testing.T) {
		c := openConsole(t, s, "console", name)
		s.ok("Domain '"+name+"' was reset\n\n", "reset", name)
		c.await(t, "", "VIRTSH-GUEST-READY", 3*time.Minute) // only a new boot says it again
		c.leave(t, "Connected to domain")
		expect(t, s.run("domstate", name), `^running\n`)
	})

	t.Run("agent reboot", func(t *testing.T) {
		awaitAgent(t, s, name)
		c := openConsole(t, s, "console", name)
		s.ok("Domain '"+name+"' is being rebooted\n\n", "reboot", name, "--mode", "agent")
		c.await(t, "", "VIRTSH-GUEST-READY", 3*time.Minute)
		c.leave(t, "Connected to domain")
		if out := c.String(); !strings.Contains(out, "VIRTSH-GUEST-AGENT-REBOOT") {
			t.Errorf("the guest did not reboot through its agent; console: %q", out)
		}
		expect(t, s.run("domstate", name), `^running\n`)
	})

	t.Run("suspend and resume", func(t *testing.T) {
		s.ok("Domain '"+name+"' suspended\n\n", "suspend", name)
		s.ok("paused (user)\n\n", "domstate", name, "--reason")
		expect(t, s.run("qemu-monitor-command", name, "--hmp", "info status"), `VM status: paused`)
		s.ok("Domain '"+name+"' resumed\n\n", "resume", name)
		s.ok("running (unpaused)\n\n", "domstate", name, "--reason")
	})

	t.Run("CPUs stopped by QEMU itself", func(t *testing.T) {
		// As libvirt, the supervisor follows QEMU's STOP and RESUME events.
		s.ok("\n\n", "qemu-monitor-command", name, "--hmp", "stop")
		s.waitState(name, "paused (unknown)")
		s.ok("\n\n", "qemu-monitor-command", name, "--hmp", "cont")
		s.waitState(name, "running (unpaused)")
	})

	t.Run("ACPI shutdown", func(t *testing.T) {
		s.ok("Domain '"+name+"' is being shutdown\n\n", "shutdown", name)
		s.waitState(name, "shut off (shutdown)")
	})

	t.Run("start paused, resume", func(t *testing.T) {
		s.ok("Domain '"+name+"' started\n\n", "start", name, "--paused")
		s.ok("paused (user)\n\n", "domstate", name, "--reason")
		// The guest has not run, so has not opened the agent's port: no
		// wait for an answer that cannot come.
		expectError(t, s.run("qemu-agent-command", name, `{"execute":"guest-ping"}`), `guest agent is not responding: the guest has not opened its agent channel`)
		s.ok("Domain '"+name+"' resumed\n\n", "resume", name)
		s.ok("running (unpaused)\n\n", "domstate", name, "--reason")
	})

	t.Run("QEMU killed with SIGKILL", func(t *testing.T) {
		syscall.Kill(pidOf(t, name, false), syscall.SIGKILL)
		s.waitState(name, "shut off (crashed)")
	})

	t.Run("killed supervisor", func(t *testing.T) {
		s.ok("Domain '"+name+"' started\n\n", "start", name)
		syscall.Kill(pidOf(t, name, true), syscall.SIGKILL)
		time.Sleep(100 * time.Millisecond)
		expect(t, s.run("list"), ` \d+ +`+name+` +running`)
		s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
		s.ok("shut off (destroyed)\n\n", "domstate", name, "--reason")
	})

	t.Run("destroy", func(t *testing.T) {
		s.ok("Domain '"+name+"' started\n\n", "start", name)
		s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
		s.ok("shut off (destroyed)\n\n", "domstate", name, "--reason")
		expectError(t, s.run("vncdisplay", name), `^error: Domain is not running\n$`)
	})

	t.Run("destroy --graceful", func(t *testing.T) {
		s.ok("Domain '"+name+"' started\n\n", "start", name)
		s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name, "--graceful")
		s.ok("shut off (destroyed)\n\n", "domstate", name, "--reason")
		// SIGTERM only: QEMU said why it ended.
		b, _ := os.ReadFile(filepath.Join(s.root, "system/var/log/virtsh/qemu", name+".log"))
		if !bytes.Contains(b, []byte("terminating on signal 15")) {
			t.Errorf("QEMU did not end on SIGTERM; its log ends:\n%s", b[max(0, len(b)-2000):])
		}
	})

	t.Run("start --console", func(t *testing.T) {
		c := openConsole(t, s, "start", name, "--console")
		c.await(t, "echo sum-$((40+3))", "sum-43", 3*time.Minute)
		c.leave(t, "Domain '"+name+"' started\nConnected to domain '"+name+"'\nEscape character is ^] (Ctrl + ])\n")
		s.ok("running (booted)\n\n", "domstate", name, "--reason")
	})

	t.Run("agent shutdown", func(t *testing.T) {
		awaitAgent(t, s, name)
		s.ok("Domain '"+name+"' is being shutdown\n\n", "shutdown", name, "--mode", "agent")
		s.waitState(name, "shut off (shutdown)")
	})

	s.ok("Domain '"+name+"' has been undefined\n\n", "undefine", name)
	if r := s.run("list", "--all", "--name"); r.stdout != "\n" {
		t.Errorf("list after undefine: %q", r.stdout)
	}

	t.Run("create --console", func(t *testing.T) {
		c := openConsole(t, s, "create", xml, "--console")
		c.await(t, "echo sum-$((40+4))", "sum-44", 3*time.Minute)
		c.leave(t, "Domain '"+name+"' created from "+xml+"\nConnected to domain '"+name+"'\n")
		s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
		if r := s.run("list", "--all", "--name"); r.stdout != "\n" {
			t.Errorf("the transient domain outlived destroy: %q", r.stdout)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for len(processesOf(name)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if procs := processesOf(name); len(procs) > 0 {
		t.Errorf("processes left behind: %q", procs)
	}
}

// TestQEMUBridgeInterface starts a guest with <interface type='bridge'>
// inside a network namespace of its own, with virtsh run there (never on
// the host's links): its tap has the guest's MAC with FE as first byte,
// is enslaved to the bridge, counts the guest's traffic (domifstat), and
// the guest's address shows in the ARP table (domifaddr --source arp).
func TestQEMUBridgeInterface(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	ns, inNS := bridgeNamespace(t, "br", "10.99.0.1/24")
	dir := t.TempDir()
	s, name := qemuDomain(t, filepath.Join(dir, "root"), "br", "ip", "netns", "exec", ns)
	xml := filepath.Join(dir, "br.xml")
	os.WriteFile(xml, []byte(guest.DomainXML(name, kernel, initrd, "virtsh.ip=10.99.0.2/24 virtsh.peer=10.99.0.1", `
    <interface type='bridge'><source bridge='br0'/><mac address='52:54:00:aa:bb:01'/><model type='e1000'/></interface>`)), 0o644)
	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain '"+name+"' started\n\n", "start", name)

	out, err := inNS("ip", "-o", "link", "show", "master", "br0")
	if err != nil || !regexp.MustCompile(`: vnet0: .* master br0 .*link/ether fe:54:00:aa:bb:01 `).MatchString(out) {
		t.Fatalf("the bridge's ports: %v\n%s", err, out)
	}
	expect(t, s.run("domiflist", name), `(?m)^ vnet0 +bridge +br0 +e1000 +52:54:00:aa:bb:01$`)

	var r result
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if r = s.run("domifaddr", name, "--source", "arp"); strings.Contains(r.stdout, "10.99.0.2") {
			break
		}
	}
	expect(t, r, `(?m)^ vnet0 +52:54:00:aa:bb:01 +ipv4 +10\.99\.0\.2/0$`)
	expect(t, s.run("domifstat", name, "vnet0"), `^vnet0 rx_bytes [1-9]\d*\nvnet0 rx_packets [1-9]\d*\n`)
	expect(t, s.run("domifstat", name, "52:54:00:aa:bb:01"), `^52:54:00:aa:bb:01 rx_bytes [1-9]\d*\n`)
	expect(t, s.run("domstats", name, "--interface"), `net.0.name=vnet0\n`)

	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	if out, err := inNS("ip", "link", "show", "vnet0"); err == nil {
		t.Errorf("the tap outlived its guest:\n%s", out)
	}
	s.ok("Domain '"+name+"' has been undefined\n\n", "undefine", name)
	if procs := processesOf(name); len(procs) > 0 {
		t.Errorf("processes left behind: %q", procs)
	}
}

// TestQEMUStartFailureSaysWhy: when QEMU refuses to start, start says
// what QEMU said, and leaves no process behind.
func TestQEMUStartFailureSaysWhy(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	dir := t.TempDir()
	s := lxcShell{t: t, root: filepath.Join(dir, "root"), uri: "qemu:///system"}
	name := "vt-fail-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() { killAll(name) })
	missing := filepath.Join(dir, "nobody-listens.sock")
	xml := filepath.Join(dir, "fail.xml")
	os.WriteFile(xml, []byte(guest.DomainXML(name, kernel, initrd, "", `
    <channel type='unix'><source mode='connect' path='`+missing+`'/><target type='virtio' name='org.example.0'/></channel>`)), 0o644)
	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	expectError(t, s.run("start", name), `^error: Failed to start domain '`+name+`'\nerror: operation failed: QEMU failed to start: qemu-system-x86_64: -chardev socket,id=charchannel0,path=`+regexp.QuoteMeta(missing)+`: Failed to connect to '`+regexp.QuoteMeta(missing)+`': No such file or directory\n$`)
	s.ok("shut off (unknown)\n\n", "domstate", name, "--reason")
	if procs := processesOf(name); len(procs) > 0 {
		t.Errorf("processes left behind: %q", procs)
	}
}

// TestQEMUStartAutostart: start-autostart starts the inactive autostart
// domains, reports each, and goes on past one that fails.
func TestQEMUStartAutostart(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	dir := t.TempDir()
	s := lxcShell{t: t, root: filepath.Join(dir, "root"), uri: "qemu:///system"}
	good, bad, manual := "vt-as-good-"+strconv.Itoa(os.Getpid()), "vt-as-bad-"+strconv.Itoa(os.Getpid()), "vt-as-manual-"+strconv.Itoa(os.Getpid())
	t.Cleanup(func() { killAll(good); killAll(bad); killAll(manual) })
	for _, d := range []struct{ name, kernel string }{{good, kernel}, {bad, filepath.Join(dir, "missing-kernel")}, {manual, kernel}} {
		xml := filepath.Join(dir, d.name+".xml")
		os.WriteFile(xml, []byte(guest.DomainXML(d.name, d.kernel, initrd, "", "")), 0o644)
		if r := s.run("define", xml); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	s.ok("Domain '"+good+"' marked as autostarted\n\n", "autostart", good)
	s.ok("Domain '"+bad+"' marked as autostarted\n\n", "autostart", bad)

	r := s.run("start-autostart")
	if r.code != 1 || r.stdout != "Domain '"+good+"' started\n\n" ||
		!strings.HasPrefix(r.stderr, "error: Failed to start domain '"+bad+"'\n") ||
		!strings.HasSuffix(r.stderr, "error: 1 of 2 autostart objects failed to start\n") {
		t.Errorf("start-autostart: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	s.ok("running (booted)\n\n", "domstate", good, "--reason")
	expectError(t, s.run("qemu-agent-command", good, `{"execute":"guest-ping"}`), `the domain has no guest agent channel`)
	s.ok("shut off (unknown)\n\n", "domstate", manual, "--reason")
	s.ok("Domain '"+bad+"' unmarked as autostarted\n\n", "autostart", bad, "--disable")
	expect(t, s.run("start-autostart", "-o", "json"), `^\[\]\n$`) // nothing left to start
	s.ok("Domain '"+good+"' destroyed\n\n", "destroy", good)
	if procs := processesOf(good); len(procs) > 0 {
		t.Errorf("processes left behind: %q", procs)
	}
}
