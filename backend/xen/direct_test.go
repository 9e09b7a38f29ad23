package xen

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// A command line's lookup and the operation itself start one xl process
// between them: the operation's.
func TestStartDestroyStartOnlyTheirXL(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	doms := c.Domains()
	if _, err := doms.Define(ctx, g1XML, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	if d, err := doms.LookupByName(ctx, "g1"); err != nil || d.ID != -1 {
		t.Fatalf("lookup: %+v %v", d, err)
	}
	f.then["xl create -q "+c.cfgPath("g1")] = []string{guestLine("3", "-b----")}
	if err := doms.Start(ctx, "g1", backend.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := doms.LookupByName(ctx, "g1")
	if err != nil || d.ID != 3 || d.State != backend.DomainRunning || d.CPUTime == 0 {
		t.Fatalf("lookup of the running domain: %+v %v", d, err)
	}
	f.then["xl destroy 3"] = nil
	if err := doms.Destroy(ctx, "g1", backend.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"xl create -q " + c.cfgPath("g1"), "xl destroy 3"}
	if strings.Join(f.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("toolstack commands: %q, want %q", f.calls, want)
	}
}

// Without xenstored (or with a hypervisor interface the reader does not
// know), the domains come from `xl list` as before.
func TestReaderDownFallsBackToXLList(t *testing.T) {
	c, f := newTestConn(t)
	c.reader.(*fakeReader).down = true
	f.guests = []string{guestLine("4", "--p---")}
	d, err := c.Domains().LookupByName(context.Background(), "g1")
	if err != nil || d.ID != 4 || d.State != backend.DomainPaused {
		t.Fatalf("lookup: %+v %v", d, err)
	}
	if !f.ran("xl list -v") {
		t.Errorf("no xl list: %v", f.calls)
	}
}

// fakeXenstored answers the xenstore wire protocol on a unix socket from
// a map of paths, as xenstored does (ENOENT for a missing path).
func fakeXenstored(t *testing.T, tree map[string]string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "socket")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				for {
					hdr := make([]byte, xsHeaderLen)
					if _, err := io.ReadFull(conn, hdr); err != nil {
						return
					}
					body := make([]byte, binary.LittleEndian.Uint32(hdr[12:]))
					io.ReadFull(conn, body)
					path := strings.TrimRight(string(body), "\x00")
					typ := binary.LittleEndian.Uint32(hdr[0:])
					var answer string
					switch typ {
					case xsRead:
						v, ok := tree[path]
						if !ok {
							typ, answer = xsError, "ENOENT\x00"
						} else {
							answer = v
						}
					case xsDirectory:
						seen := map[string]bool{}
						for p := range tree {
							if rest, ok := strings.CutPrefix(p, path+"/"); ok {
								child, _, _ := strings.Cut(rest, "/")
								if !seen[child] {
									seen[child] = true
									answer += child + "\x00"
								}
							}
						}
					default:
						typ, answer = xsError, "EINVAL\x00"
					}
					binary.LittleEndian.PutUint32(hdr[0:], typ)
					binary.LittleEndian.PutUint32(hdr[12:], uint32(len(answer)))
					conn.Write(append(hdr, answer...))
				}
			}()
		}
	}()
	return sock
}

func TestXenstoreClient(t *testing.T) {
	sock := fakeXenstored(t, map[string]string{
		"/local/domain/0/name":   "Domain-0",
		"/local/domain/7/name":   "g1",
		"/local/domain/7/vm":     "/vm/8284b3ee-ea55-11f1-9aba-5e11b7ef43a6",
		"/local/domain/9/device": "",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	xs, err := dialXenstore(ctx, []string{filepath.Join(t.TempDir(), "missing"), sock})
	if err != nil {
		t.Fatal(err)
	}
	defer xs.Close()
	ids, err := xs.directory("/local/domain")
	if err != nil || len(ids) != 3 {
		t.Fatalf("directory: %q %v", ids, err)
	}
	if name, err := xs.read("/local/domain/7/name"); err != nil || name != "g1" {
		t.Errorf("read: %q %v", name, err)
	}
	if _, err := xs.read("/local/domain/9/name"); !errors.Is(err, errXSNoEnt) {
		t.Errorf("read of a missing path: %v", err)
	}
	if _, err := dialXenstore(ctx, []string{filepath.Join(t.TempDir(), "missing")}); err == nil || !strings.Contains(err.Error(), "cannot connect to xenstored") {
		t.Errorf("dial without xenstored: %v", err)
	}
}

// getdomaininfo as Xen 4.17 fills it for a paused guest with 128 MiB.
func TestDecodeDomainInfo(t *testing.T) {
	b := make([]byte, 128)
	le := binary.LittleEndian
	le.PutUint16(b[0:], 3)
	le.PutUint32(b[4:], dominfPaused|dominfBlocked)
	le.PutUint64(b[8:], 32768)       // tot_pages
	le.PutUint64(b[56:], 5300000000) // cpu_time, ns
	le.PutUint32(b[64:], 2)          // nr_online_vcpus
	copy(b[76:], []byte{0x82, 0x84, 0xb3, 0xee, 0xea, 0x55, 0x11, 0xf1, 0x9a, 0xba, 0x5e, 0x11, 0xb7, 0xef, 0x43, 0xa6})
	d, ok := decodeDomainInfo(b)
	if !ok || d.ID != 3 || d.MemMiB != 128 || d.VCPUs != 2 || d.CPUTime != 5300*time.Millisecond ||
		d.UUID != "8284b3ee-ea55-11f1-9aba-5e11b7ef43a6" || d.Flags != "-bp---" || d.State() != backend.DomainPaused {
		t.Errorf("decoded %+v", d)
	}
	crashed := uint32(dominfShutdown | 3<<dominfShutdownShift)
	if f := xlFlags(crashed); f != "---sc-" || (xlDomain{Flags: f}).State() != backend.DomainCrashed {
		t.Errorf("crash flags %q", f)
	}
	if f := xlFlags(dominfShutdown | dominfDying); f != "---s-d" || (xlDomain{Flags: f}).State() != backend.DomainShutdown {
		t.Errorf("poweroff flags %q", f)
	}
}

// A domain virtsh knows nothing of (plain xl create) shows the OS type
// of libxl's domain type, which the direct reader gets from the
// hypervisor's HVM flag and libxl's xenstore record.
func TestOSTypeOfUndefinedDomain(t *testing.T) {
	b := make([]byte, 128)
	binary.LittleEndian.PutUint32(b[4:], dominfHVM)
	if d, _ := decodeDomainInfo(b); d.Type != "hvm" {
		t.Errorf("an HVM container decodes as %q", d.Type)
	}
	if d, _ := decodeDomainInfo(make([]byte, 128)); d.Type != "pv" {
		t.Errorf("a PV domain decodes as %q", d.Type)
	}
	for kind, want := range map[string]string{"pv": "linux", "hvm": "hvm", "pvh": "xenpvh", "": "linux"} {
		v := &view{name: "g", xl: &xlDomain{ID: 4, Type: kind}}
		if got := v.info().OSType; got != want {
			t.Errorf("OS type of a %q domain without XML: %q, want %q", kind, got, want)
		}
	}
}
