package commands

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// devrec:/// is test:///default with hot-plug and save/restore that record
// what the commands ask for, so that the device XML and scopes the
// commands build can be checked for any driver.
func init() { backend.Register("devrec", devrecDriver{}) }

var devrecCalls []string

type devrecDriver struct{}

func (devrecDriver) Open(ctx context.Context, _ *url.URL, opts backend.OpenOptions) (backend.Conn, error) {
	c, err := backend.Open(ctx, "test:///default", opts)
	return devrecConn{c}, err
}

type devrecConn struct{ backend.Conn }

func (c devrecConn) Domains() backend.DomainService { return devrecDomains{c.Conn.Domains()} }

type devrecDomains struct{ backend.DomainService }

func scopeText(s backend.Scope) string {
	return map[backend.Scope]string{{}: "current", {Live: true}: "live", {Config: true}: "config", {Live: true, Config: true}: "live+config"}[s]
}

func (devrecDomains) AttachDevice(_ context.Context, name, xml string, s backend.Scope) error {
	devrecCalls = append(devrecCalls, "attach "+name+" "+scopeText(s)+" "+xml)
	return nil
}
func (devrecDomains) DetachDevice(_ context.Context, name, xml string, s backend.Scope) error {
	devrecCalls = append(devrecCalls, "detach "+name+" "+scopeText(s)+" "+xml)
	return nil
}
func (devrecDomains) Save(_ context.Context, name, file string) error {
	devrecCalls = append(devrecCalls, "save "+name+" "+file)
	return nil
}
func (devrecDomains) Restore(_ context.Context, file string) (backend.DomainInfo, error) {
	devrecCalls = append(devrecCalls, "restore "+file)
	return backend.DomainInfo{Name: "test"}, nil
}

func runOne(t *testing.T, uri string, argv ...string) (stdout, stderr string, ok bool) {
	t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	env := &Env{In: strings.NewReader(""), Out: out, Err: errOut, Session: &Session{URI: uri}}
	ok = Run(context.Background(), env, argv, false) == 0
	return out.String(), errOut.String(), ok
}

func TestAttachCommands(t *testing.T) {
	for _, tc := range []struct {
		argv       []string
		out, call  string
		wantFailed bool
	}{
		{[]string{"attach-disk", "test", "/var/lib/x.img", "xvdb"}, "Disk attached successfully\n",
			`attach test current <disk type="file" device="disk"><source file="/var/lib/x.img"></source><target dev="xvdb"></target></disk>`, false},
		{[]string{"attach-disk", "test", "/dev/null", "xvdc", "--targetbus", "xen", "--driver", "phy", "--mode", "readonly", "--config"}, "Disk attached successfully\n",
			`attach test config <disk type="file" device="disk"><driver name="phy"></driver><source file="/dev/null"></source><target dev="xvdc" bus="xen"></target><readonly></readonly></disk>`, false},
		{[]string{"attach-disk", "test", "/iso", "hdc", "--type", "cdrom", "--persistent"}, "Disk attached successfully\n",
			`attach test live+config <disk type="file" device="cdrom"><source file="/iso"></source><target dev="hdc"></target></disk>`, false},
		{[]string{"attach-interface", "test", "bridge", "xenbr0", "--mac", "00:16:3e:00:00:09", "--live"}, "Interface attached successfully\n",
			`attach test live <interface type="bridge"><mac address="00:16:3e:00:00:09"></mac><source bridge="xenbr0"></source></interface>`, false},
		{[]string{"attach-device", "test", "testdata/xen/disk.xml"}, "Device attached successfully\n",
			`attach test current <disk type='file' device='disk'><source file='/tmp/d.img'/><target dev='xvdb'/></disk>` + "\n", false},
		{[]string{"detach-device", "test", "testdata/xen/disk.xml", "--config"}, "Device detached successfully\n",
			`detach test config <disk type='file' device='disk'><source file='/tmp/d.img'/><target dev='xvdb'/></disk>` + "\n", false},
		{[]string{"save", "test", "/tmp/test.save"}, "\nDomain 'test' saved to /tmp/test.save\n", "save test /tmp/test.save", false},
		{[]string{"restore", "/tmp/test.save"}, "Domain restored from /tmp/test.save\n", "restore /tmp/test.save", false},
		{[]string{"attach-disk", "test", "/x", "xvdb", "--current", "--live"}, "", "", true},
		{[]string{"attach-interface", "test", "vhostuser", "x"}, "", "", true},
		{[]string{"detach-disk", "test", "vdz"}, "", "", true},
	} {
		devrecCalls = nil
		out, errOut, ok := runOne(t, "devrec:///", tc.argv...)
		if ok == tc.wantFailed {
			t.Errorf("%v: ok=%v, stderr %q", tc.argv, ok, errOut)
			continue
		}
		if tc.wantFailed {
			continue
		}
		if out != tc.out+"\n" {
			t.Errorf("%v: stdout %q, want %q", tc.argv, out, tc.out+"\n")
		}
		call := strings.ReplaceAll(strings.Join(devrecCalls, ""), "\n  ", "")
		call = strings.ReplaceAll(call, "\n", "")
		if want := strings.ReplaceAll(tc.call, "\n", ""); call != want {
			t.Errorf("%v:\n call %s\n want %s", tc.argv, call, want)
		}
	}
}

func TestAttachCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		err  string
	}{
		{[]string{"attach-disk", "test", "/x", "xvdb", "--current", "--live"}, "error: Options --current and --live are mutually exclusive\n"},
		{[]string{"attach-interface", "test", "vhostuser", "x"}, "error: No support for vhostuser in command 'attach-interface'\n"},
		{[]string{"detach-disk", "test", "vdz"}, "error: No disk found whose source path or target is vdz\n"},
		{[]string{"detach-interface", "test", "bridge"}, "error: No interface found whose type is bridge\n"},
	} {
		_, errOut, ok := runOne(t, "devrec:///", tc.argv...)
		if ok || errOut != tc.err {
			t.Errorf("%v: ok=%v stderr %q, want %q", tc.argv, ok, errOut, tc.err)
		}
	}
	// A driver without the capability: libvirt's unsupported error.
	_, errOut, _ := runOne(t, "test:///default", "save", "test", "/tmp/x")
	if want := "error: Failed to save domain 'test' to /tmp/x\nerror: this function is not supported by the connection driver: virDomainSaveFlags\n"; errOut != want {
		t.Errorf("save on test:///default: %q, want %q", errOut, want)
	}
	_, errOut, _ = runOne(t, "test:///default", "attach-disk", "test", "/x", "xvdb")
	if !strings.Contains(errOut, "virDomainAttachDeviceFlags") {
		t.Errorf("attach-disk on test:///default: %q", errOut)
	}
}

func TestAttachDiskPrintXML(t *testing.T) {
	devrecCalls = nil
	out, _, ok := runOne(t, "devrec:///", "attach-disk", "test", "/x.img", "vdb", "--subdriver", "qcow2", "--print-xml")
	want := "<disk type=\"file\" device=\"disk\">\n  <driver type=\"qcow2\"></driver>\n  <source file=\"/x.img\"></source>\n  <target dev=\"vdb\"></target>\n</disk>\n\n"
	if !ok || out != want || devrecCalls != nil {
		t.Errorf("print-xml: %q, calls %v", out, devrecCalls)
	}
}
