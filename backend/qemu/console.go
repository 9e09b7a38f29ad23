package qemu

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/virtsh/virtsh/backend"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// OpenConsole implements backend.DomainConsole: it opens the pty QEMU
// gave the domain's console (or the serial port dev, "serial1", ...).
// One client at a time: the holder's pid is kept in RUN/NAME.console;
// force takes the console over, and the previous holder's stream ends.
func (d *domains) OpenConsole(ctx context.Context, name, dev string, force bool) (io.ReadWriteCloser, error) {
	doc, _, running, _, err := d.definition(name, false)
	if err != nil {
		return nil, err
	}
	if !running {
		return nil, backend.InvalidState("domain is not running")
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	path, err := ptyOf(&dom, dev)
	if err != nil {
		return nil, err
	}
	holderPath := d.c.runPath(name, ".console")
	if b, err := os.ReadFile(holderPath); err == nil {
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if pid != os.Getpid() && !processGone(pid) && !force {
			return nil, backend.InvalidState("Active console session exists for this domain")
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, backend.OperationFailed("cannot open console %s: %v", path, err)
	}
	if t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
		// Raw, as libvirt's virFDStream sets the console pty.
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t)
	}
	token := strconv.Itoa(os.Getpid()) + "\n" + strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := writeFile(holderPath, token); err != nil {
		f.Close()
		return nil, err
	}
	return &console{f: f, fd: f.Fd(), holderPath: holderPath, token: token}, nil
}

// ptyOf finds the pty of dev: "" is the first console (else serial0),
// "serialN" and "consoleN" name one by alias.
func ptyOf(dom *libvirtxml.Domain, dev string) (string, error) {
	d := dom.Devices
	pty := func(s *libvirtxml.DomainChardevSource) string {
		if s != nil && s.Pty != nil {
			return s.Pty.Path
		}
		return ""
	}
	var path string
	switch {
	case dev == "" && len(d.Consoles) > 0:
		path = pty(d.Consoles[0].Source)
	case dev == "" && len(d.Serials) > 0:
		path = pty(d.Serials[0].Source)
	case strings.HasPrefix(dev, "serial"):
		if i, err := strconv.Atoi(dev[6:]); err == nil && i < len(d.Serials) {
			path = pty(d.Serials[i].Source)
		}
	case strings.HasPrefix(dev, "console"):
		if i, err := strconv.Atoi(dev[7:]); err == nil && i < len(d.Consoles) {
			path = pty(d.Consoles[i].Source)
		}
	}
	if path == "" {
		if dev == "" {
			return "", backend.OperationFailed("cannot find a console of type pty for the domain")
		}
		return "", backend.OperationFailed("cannot find character device %s of type pty", dev)
	}
	return path, nil
}

// console is one client's stream on the console pty.
type console struct {
	f          *os.File
	fd         uintptr
	holderPath string
	token      string
}

// Read returns the guest's output; it ends (EOF) when another client took
// the console over with force, which it notices within a quarter second.
func (c *console) Read(p []byte) (int, error) {
	fd := int(c.fd)
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 250)
		if err != nil && err != unix.EINTR {
			return 0, err
		}
		if n == 0 || err == unix.EINTR {
			if !c.holding() {
				return 0, io.EOF
			}
			continue
		}
		if fds[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0 && fds[0].Revents&unix.POLLIN == 0 {
			return 0, io.EOF
		}
		r, err := unix.Read(fd, p)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if r == 0 {
			return 0, io.EOF
		}
		return r, nil
	}
}

func (c *console) Write(p []byte) (int, error) {
	if !c.holding() {
		return 0, backend.InvalidState("the console was taken over by another client")
	}
	return c.f.Write(p)
}

func (c *console) holding() bool {
	b, err := os.ReadFile(c.holderPath)
	return err == nil && string(b) == c.token
}

func (c *console) Close() error {
	if c.holding() {
		os.Remove(c.holderPath)
	}
	return c.f.Close()
}
