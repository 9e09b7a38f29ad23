package qemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/tests/guest"
)

var ctx = context.Background()

// waitFor polls cond every 20 ms until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// consoleReader collects a console's output in the background.
type consoleReader struct {
	mu   sync.Mutex
	buf  strings.Builder
	rw   io.ReadWriteCloser
	done bool
}

func (cr *consoleReader) ended() bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.done
}

func readConsole(rw io.ReadWriteCloser) *consoleReader {
	cr := &consoleReader{rw: rw}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := rw.Read(b)
			cr.mu.Lock()
			cr.buf.Write(b[:n])
			cr.done = err != nil
			cr.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return cr
}

func (cr *consoleReader) String() string {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.buf.String()
}

func (cr *consoleReader) count(s string) int {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return strings.Count(cr.buf.String(), s)
}

func state(t *testing.T, c *Conn, name string) string {
	t.Helper()
	info, err := c.Domains().LookupByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.String() + " (" + backend.ReasonString(info.State, info.Reason) + ")"
}

// TestRealGuest boots the tiny Debian guest under TCG through the driver
// and its supervisor, and walks it through its life: concurrent starts,
// the console, suspend/resume, an ACPI reboot, an ACPI shutdown, a
// killed supervisor, a killed QEMU. Two boots in all.
func TestRealGuest(t *testing.T) {
	kernel, initrd := guest.MustBuild(t)
	c := openTest(t)
	name := "vt-" + strconv.Itoa(int(time.Now().UnixNano()%1e6))
	guestMark := "guest=" + name + ","
	t.Cleanup(func() {
		for _, p := range pids(guestMark) {
			pid, _ := strconv.Atoi(p)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		for _, p := range pids(supervisorMode + "\x00") {
			if cmdlineHas(atoiInt(p), "\x00"+name+"\x00") {
				syscall.Kill(atoiInt(p), syscall.SIGKILL)
			}
		}
	})
	var con *consoleReader
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(c.logPath(name))
			t.Logf("domain log:\n%s", b)
			if con != nil {
				t.Logf("console:\n%q", con.String())
			}
		}
	})
	doms := c.Domains()
	if _, err := doms.Define(ctx, guest.DomainXML(name, kernel, initrd, "", ""), backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := state(t, c, name); got != "shut off (unknown)" {
		t.Errorf("after define: %s", got)
	}

	t.Run("concurrent starts start one QEMU", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = doms.Start(ctx, name, backend.StartOptions{})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, backend.ErrInvalidState):
				t.Errorf("start: %v", err)
			}
		}
		if ok != 1 || len(pids(guestMark)) != 1 {
			t.Fatalf("%d starts succeeded, %d QEMU processes (errors %v)", ok, len(pids(guestMark)), errs)
		}
		if got := state(t, c, name); got != "running (booted)" {
			t.Errorf("state %s", got)
		}
	})

	rw, err := doms.(backend.DomainConsole).OpenConsole(ctx, name, "", false)
	if err != nil {
		t.Fatal(err)
	}
	con = readConsole(rw)
	defer func() { rw.Close() }()
	t.Run("console shows the guest", func(t *testing.T) {
		waitFor(t, 120*time.Second, "the guest's ready marker", func() bool { return con.count("VIRTSH-GUEST-READY") == 1 })
		// --force takes the console over: the first stream ends.
		rw2, err := doms.(backend.DomainConsole).OpenConsole(ctx, name, "", true)
		if err != nil {
			t.Fatal(err)
		}
		first := con
		waitFor(t, 5*time.Second, "the first console to end", func() bool { return first.ended() })
		if _, err := rw.Write([]byte("x")); !errors.Is(err, backend.ErrInvalidState) {
			t.Errorf("write to a taken-over console: %v", err)
		}
		rw.Close()
		rw, con = rw2, readConsole(rw2)
		if _, err := fmt.Fprintf(rw, "echo sum-$((40+2))\r"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 20*time.Second, "the shell's answer", func() bool { return con.count("sum-42") == 1 })
		t.Logf("console: %q", con.String())
	})

	t.Run("suspend and resume", func(t *testing.T) {
		if err := doms.Suspend(ctx, name); err != nil {
			t.Fatal(err)
		}
		if got := state(t, c, name); got != "paused (user)" {
			t.Errorf("after suspend: %s", got)
		}
		if err := doms.Suspend(ctx, name); !errors.Is(err, backend.ErrInvalidState) {
			t.Errorf("second suspend: %v", err)
		}
		if err := doms.Resume(ctx, name); err != nil {
			t.Fatal(err)
		}
		if got := state(t, c, name); got != "running (unpaused)" {
			t.Errorf("after resume: %s", got)
		}
	})

	t.Run("reboot through ACPI", func(t *testing.T) {
		qemuPid := pids(guestMark)
		if err := doms.Reboot(ctx, name, backend.ShutdownOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 120*time.Second, "the guest to boot again", func() bool { return con.count("VIRTSH-GUEST-READY") == 1 })
		if con.count("VIRTSH-GUEST-POWEROFF") != 1 {
			t.Error("the guest did not see the power button")
		}
		if got := pids(guestMark); fmt.Sprint(got) != fmt.Sprint(qemuPid) {
			t.Errorf("QEMU changed across a reboot: %v -> %v", qemuPid, got)
		}
		if got := state(t, c, name); got != "running (booted)" {
			t.Errorf("after reboot: %s", got)
		}
	})

	t.Run("ACPI shutdown", func(t *testing.T) {
		if err := doms.Shutdown(ctx, name, backend.ShutdownOptions{Modes: []string{"acpi"}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "shut off", func() bool { return state(t, c, name) == "shut off (shutdown)" })
		waitFor(t, 10*time.Second, "QEMU and the supervisor to exit", func() bool {
			return len(pids(guestMark)) == 0 && len(pids("\x00"+name+"\x00")) == 0
		})
		if err := doms.Shutdown(ctx, name, backend.ShutdownOptions{}); !errors.Is(err, backend.ErrInvalidState) {
			t.Errorf("shutdown of a shut off domain: %v", err)
		}
	})

	t.Run("killed supervisor leaves a listed, destroyable guest", func(t *testing.T) {
		if err := doms.Start(ctx, name, backend.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		st, _, _ := c.readStatus(name)
		syscall.Kill(st.SupervisorPID, syscall.SIGKILL)
		waitFor(t, 5*time.Second, "the supervisor to die", func() bool { return processGone(st.SupervisorPID) })
		if !qemuAlive(st.QEMUPID, name) {
			t.Fatal("QEMU died with its supervisor")
		}
		list, err := doms.List(ctx)
		if err != nil || len(list) != 1 || list[0].State != backend.DomainRunning || list[0].ID != st.ID {
			t.Fatalf("list: %+v, %v", list, err)
		}
		if err := doms.Destroy(ctx, name, backend.DestroyOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := state(t, c, name); got != "shut off (destroyed)" {
			t.Errorf("after destroy: %s", got)
		}
		if len(pids(guestMark)) != 0 {
			t.Error("QEMU still runs")
		}
	})

	t.Run("QEMU killed with SIGKILL", func(t *testing.T) {
		if err := doms.Start(ctx, name, backend.StartOptions{Paused: true}); err != nil {
			t.Fatal(err)
		}
		if got := state(t, c, name); got != "paused (user)" {
			t.Errorf("started paused: %s", got)
		}
		st, _, _ := c.readStatus(name)
		syscall.Kill(st.QEMUPID, syscall.SIGKILL)
		waitFor(t, 10*time.Second, "shut off", func() bool { return state(t, c, name) == "shut off (crashed)" })
		waitFor(t, 10*time.Second, "the supervisor to exit", func() bool { return processGone(st.SupervisorPID) })
	})

	t.Run("destroy through the supervisor", func(t *testing.T) {
		if err := doms.Start(ctx, name, backend.StartOptions{Paused: true}); err != nil {
			t.Fatal(err)
		}
		st, _, _ := c.readStatus(name)
		if err := doms.Destroy(ctx, name, backend.DestroyOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := state(t, c, name); got != "shut off (destroyed)" {
			t.Errorf("after destroy: %s", got)
		}
		if !processGone(st.QEMUPID) {
			t.Error("QEMU still runs")
		}
		waitFor(t, 5*time.Second, "the supervisor to exit", func() bool { return processGone(st.SupervisorPID) })
	})
}

func atoiInt(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
