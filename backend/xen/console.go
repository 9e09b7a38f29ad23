package xen

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// OpenConsole connects to a running domain's first console, as libvirt's
// libxl driver opens it: the pty named in xenstore, of the PV console
// (made by xenconsoled) or, for an HVM guest whose console is its serial
// port, of its device model's (QEMU's) first serial port.
func (s domains) OpenConsole(ctx context.Context, name, dev string, force bool) (io.ReadWriteCloser, error) {
	if dev != "" && dev != "console0" && dev != "serial0" {
		return nil, backend.Plain(backend.CodeUnsupported, "the Xen driver opens the first console only, not '%s'", dev)
	}
	v, err := s.c.active(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := notDom0(v.xl, "Cannot open the console of"); err != nil {
		return nil, err
	}
	def, err := s.c.definition(ctx, v)
	if err != nil {
		return nil, err
	}
	out, err := s.c.run.Run(ctx, "xenstore-read", "/local/domain/"+strconv.Itoa(v.xl.ID)+"/"+consoleKey(def, dev))
	if err != nil {
		return nil, toolFailed(err)
	}
	tty := strings.TrimSpace(string(out))
	if tty == "" {
		return nil, backend.OperationFailed("domain '%s' has no console pty yet (is xenconsoled running?)", name)
	}
	f, err := os.OpenFile(tty, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, backend.OperationFailed("cannot open console %s of domain '%s': %v", tty, name, err)
	}
	if err := makeRaw(int(f.Fd())); err != nil {
		f.Close()
		return nil, backend.OperationFailed("cannot set console %s to raw mode: %v", tty, err)
	}
	return f, nil
}

// consoleKey is where xenstore names the pty of console dev ("",
// "console0" or "serial0") of a domain defined as def (nil when it has no
// definition): an HVM guest's serial port 0 when dev asks for it, or
// when its first console is the serial port (<console><target
// type='serial'>, which libvirt adds for an HVM guest with a serial port)
// or it has serial ports but no console, as libxl_console_get_tty reads
// it for LIBXL_CONSOLE_TYPE_SERIAL; otherwise the PV console.
func consoleKey(def *libvirtxml.Domain, dev string) string {
	if def == nil || osType(def) != "hvm" || def.Devices == nil || len(def.Devices.Serials) == 0 {
		return "console/tty"
	}
	cs := def.Devices.Consoles
	if dev == "serial0" || len(cs) == 0 || cs[0].Target != nil && cs[0].Target.Type == "serial" {
		return "serial/0/tty"
	}
	return "console/tty"
}

// makeRaw puts a pty in raw mode (cfmakeraw), as libvirt does before it
// relays a console.
func makeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}
