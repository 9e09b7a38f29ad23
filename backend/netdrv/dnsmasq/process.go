package dnsmasq

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Binary is the dnsmasq program, found in PATH or in /usr/sbin.
func Binary() (string, error) {
	if p, err := exec.LookPath("dnsmasq"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/dnsmasq", "/sbin/dnsmasq"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("cannot find dnsmasq: install it (Debian package dnsmasq-base)")
}

// Start runs dnsmasq on the files (already written) and returns its pid.
// dnsmasq daemonizes: its first process exits once the daemon has bound
// its sockets and written the pid file, or with the reason it could not.
func Start(f Files) (int, error) {
	bin, err := Binary()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, "--conf-file="+f.Conf, "--leasefile-ro", "--dhcp-script="+f.Helper)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(f.PID)
		return 0, fmt.Errorf("dnsmasq failed to start: %s", firstLine(stderr.String(), err))
	}
	pid, err := PID(f)
	if err != nil {
		return 0, fmt.Errorf("dnsmasq started but left no pid file: %w", err)
	}
	return pid, nil
}

func firstLine(s string, fallback error) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "dnsmasq: "))
	if s == "" {
		return fallback.Error()
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// PID returns the pid of the network's dnsmasq if it runs: the pid file
// names a live process whose command line has our configuration file.
func PID(f Files) (int, error) {
	b, err := os.ReadFile(f.PID)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("malformed pid file %s", f.PID)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("--conf-file="+f.Conf+"\x00")) {
		return 0, fmt.Errorf("dnsmasq %d of %s is not running", pid, f.Conf)
	}
	return pid, nil
}

// Stop ends the network's dnsmasq: SIGTERM, then SIGKILL if it is still
// alive after a second. A dnsmasq that does not run is not an error.
func Stop(f Files) error { return Terminate(f)() }

// Terminate sends SIGTERM to the network's dnsmasq and returns at once,
// so that the caller can tear the rest down while it exits; the returned
// function waits for it (up to a second, then SIGKILL) and removes the
// pid file.
func Terminate(f Files) (wait func() error) {
	pid, err := PID(f)
	if err != nil || syscall.Kill(pid, syscall.SIGTERM) != nil {
		os.Remove(f.PID)
		return func() error { return nil }
	}
	return func() error {
		defer os.Remove(f.PID)
		if waitExit(pid, time.Second) {
			return nil
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("cannot kill dnsmasq %d: %w", pid, err)
		}
		if waitExit(pid, time.Second) {
			return nil
		}
		return fmt.Errorf("dnsmasq %d did not exit after SIGKILL", pid)
	}
}

func waitExit(pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return !alive(pid)
}

// alive reports whether pid exists and is not a zombie (dnsmasq is not
// our child: init reaps it).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// Reload makes dnsmasq re-read its hosts files (SIGHUP).
func Reload(f Files) error {
	pid, err := PID(f)
	if err != nil {
		return err
	}
	return syscall.Kill(pid, syscall.SIGHUP)
}
