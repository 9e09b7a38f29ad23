package lxc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/virtsh/virtsh/backend"
	"golang.org/x/sys/unix"
)

// openPTY opens a new pseudo-terminal pair on the host; the slave's path
// becomes the container's /dev/console.
func openPTY() (master *os.File, slavePath string, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, "", fmt.Errorf("cannot open /dev/ptmx: %v", err)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, "", fmt.Errorf("cannot unlock the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, "", fmt.Errorf("cannot name the pty: %v", err)
	}
	return master, fmt.Sprintf("/dev/pts/%d", n), nil
}

// consoleServer relays the console pty to one client at a time on a unix
// socket, so that `virtsh console` from any later process attaches. A
// client sends one byte, 'f' to take the console over from another
// client or 'a' otherwise, and reads "ok\n" or "busy\n". Output while no
// client is attached is discarded, so the container never blocks on its
// console.
type consoleServer struct {
	pty *os.File
	ln  net.Listener

	mu     sync.Mutex
	client net.Conn
}

func serveConsole(pty *os.File, socket string) (*consoleServer, error) {
	os.Remove(socket)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on the console socket: %v", err)
	}
	s := &consoleServer{pty: pty, ln: ln}
	go s.pump()
	go s.accept()
	return s, nil
}

// pump copies the container's console output to the attached client.
func (s *consoleServer) pump() {
	buf := make([]byte, 4096)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			s.mu.Lock()
			if c := s.client; c != nil {
				c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if _, werr := c.Write(buf[:n]); werr != nil {
					c.Close()
					s.client = nil
				}
			}
			s.mu.Unlock()
		}
		if err != nil {
			if errors.Is(err, unix.EIO) { // no process has the console open (yet, or between reboots)
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return
		}
	}
}

func (s *consoleServer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.attach(c)
	}
}

func (s *consoleServer) attach(c net.Conn) {
	var mode [1]byte
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, mode[:]); err != nil {
		c.Close()
		return
	}
	c.SetReadDeadline(time.Time{})
	s.mu.Lock()
	if s.client != nil && mode[0] != 'f' {
		s.mu.Unlock()
		io.WriteString(c, "busy\n")
		c.Close()
		return
	}
	if s.client != nil {
		s.client.Close()
	}
	s.client = c
	io.WriteString(c, "ok\n")
	s.mu.Unlock()
	io.Copy(s.pty, c)
	s.mu.Lock()
	if s.client == c {
		s.client = nil
	}
	s.mu.Unlock()
	c.Close()
}

func (s *consoleServer) Close() {
	s.ln.Close()
	s.mu.Lock()
	if s.client != nil {
		s.client.Close()
	}
	s.mu.Unlock()
}

// dialConsole attaches to a container's console socket.
func dialConsole(ctx context.Context, socket string, force bool) (io.ReadWriteCloser, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return nil, backend.OperationFailed("cannot reach the console (is the container's controller running?): %v", err)
	}
	mode := "a"
	if force {
		mode = "f"
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	if _, err = io.WriteString(c, mode); err == nil {
		var line string
		line, err = r.ReadString('\n')
		if err == nil && strings.TrimSpace(line) == "busy" {
			c.Close()
			return nil, backend.OperationFailed("Active console session exists for this domain")
		}
	}
	if err != nil {
		c.Close()
		return nil, backend.OperationFailed("cannot attach to the console: %v", err)
	}
	c.SetDeadline(time.Time{})
	return consoleConn{Reader: r, Conn: c}, nil
}

// consoleConn reads through the buffered reader that read the greeting.
type consoleConn struct {
	*bufio.Reader
	net.Conn
}

func (c consoleConn) Read(p []byte) (int, error) { return c.Reader.Read(p) }
