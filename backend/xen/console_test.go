package xen

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/virtsh/virtsh/backend"
)

// hvmXML is g1 as an HVM guest whose console is its serial port, as the
// nested test's HVM guest is defined.
const hvmXML = `<domain type='xen'>
  <name>g1</name>
  <uuid>8284b3ee-ea55-11f1-9aba-5e11b7ef43a6</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='xenfv'>hvm</type><kernel>/guest/vmlinuz</kernel><cmdline>console=ttyS0</cmdline></os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>`

// TestOpenConsole checks which pty each console opens: the PV console
// of a PV guest, QEMU's serial port of an HVM guest whose console is the
// serial port (its PV console, which QEMU also serves, on request), read
// from where libxl writes them in xenstore.
func TestOpenConsole(t *testing.T) {
	for _, tc := range []struct {
		name, xml, dev, key string
	}{
		{"PV guest", g1XML, "", "console/tty"},
		{"HVM guest", hvmXML, "", "serial/0/tty"},
		{"HVM guest, serial0", hvmXML, "serial0", "serial/0/tty"},
		{"HVM guest, PV console", strings.Replace(hvmXML, "<target type='serial' port='0'/>", "<target type='xen' port='0'/>", 1), "", "console/tty"},
		{"HVM guest without a serial port", strings.Replace(hvmXML, "<serial type='pty'><target port='0'/></serial>", "", 1), "", "console/tty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, f := newTestConn(t)
			ctx := context.Background()
			doms := c.Domains()
			if _, err := doms.Define(ctx, tc.xml, backend.DefineOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := doms.Start(ctx, "g1", backend.StartOptions{}); err != nil {
				t.Fatal(err)
			}
			f.guests = []string{guestLine("1", "-b----")}
			ptm, pts, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer ptm.Close()
			defer pts.Close()
			f.out["xenstore-read /local/domain/1/"+tc.key] = pts.Name() + "\n"
			cons, err := doms.(backend.DomainConsole).OpenConsole(ctx, "g1", tc.dev, false)
			if err != nil {
				t.Fatalf("%v (ran %v)", err, f.calls)
			}
			defer cons.Close()
			if _, err := ptm.Write([]byte("GUEST-UP\n")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 9)
			if _, err := io.ReadFull(cons, buf); err != nil || string(buf) != "GUEST-UP\n" {
				t.Errorf("read %q, %v", buf, err)
			}
		})
	}
}

// TestDescribeHVMStartedByXL rebuilds the XML of an HVM guest made with
// plain xl create from `xl list -l` (recorded from the nested test's HVM
// guest): an HVM domain whose console is its serial port, which the
// console then opens, as xl console does by default for HVM guests.
func TestDescribeHVMStartedByXL(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	f.guests = []string{strings.Replace(guestLine("1", "-b----"), "g1 ", "g3 ", 1)}
	f.out["xl list -l 1"] = recorded(t, "xl-list-l-hvm.json")
	x, err := c.Domains().XML(ctx, "g3", backend.XMLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<type arch="x86_64" machine="xenfv">hvm</type>`, "<kernel>/guest/vmlinuz</kernel>",
		"<cmdline>console=ttyS0 loglevel=4</cmdline>", `<serial type="pty">`, `<target type="serial" port="0">`} {
		if !strings.Contains(x, w) {
			t.Errorf("XML lacks %s:\n%s", w, x)
		}
	}
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptm.Close()
	defer pts.Close()
	f.out["xenstore-read /local/domain/1/serial/0/tty"] = pts.Name() + "\n"
	cons, err := c.Domains().(backend.DomainConsole).OpenConsole(ctx, "g3", "", false)
	if err != nil {
		t.Fatalf("%v (ran %v)", err, f.calls)
	}
	cons.Close()
}
