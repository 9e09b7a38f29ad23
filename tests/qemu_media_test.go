package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/tests/guest"
)

// TestQEMUChangeMedia changes the media of the cdroms of a running TCG
// guest through the virtsh binary: an empty IDE cdrom gets an ISO,
// another, then a SATA cdrom's ISO is ejected and put back with
// update-device. QEMU's query-block, the live XML and domblklist follow
// each change; --config changes the definition alone, which the next
// start shows, and --live --config both; the mistakes a user makes are
// refused and leave QEMU's drives and block nodes as they were.
func TestQEMUChangeMedia(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	dir := shortTempDir(t)
	s, name := qemuDomain(t, filepath.Join(dir, "root"), "cm")
	one, two := isoImage(t, dir, "one"), isoImage(t, dir, "two")
	data := filepath.Join(dir, "data.raw")
	if err := os.WriteFile(data, nil, 0o600); err != nil || os.Truncate(data, 8<<20) != nil {
		t.Fatal("cannot create the disk image")
	}
	disks := fmt.Sprintf(`<disk type='file' device='disk'><source file='%s'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
    <disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/></disk>`, data, two)
	xml := filepath.Join(dir, "g.xml")
	os.WriteFile(xml, []byte(guest.DomainXML(name, kernel, initrd, "", disks)), 0o644)
	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain '"+name+"' started\n\n", "start", name)
	// The firmware closes the trays as it probes the drives: users change
	// media once the guest runs.
	c := openConsole(t, s, "console", name)
	c.await(t, "echo up", "up", 3*time.Minute)
	drives(t, s, name, "hdc= sda="+two)
	nodes := blockNodes(t, s, name)

	expectError(t, s.run("-r", "change-media", name, "hdc", one, "--insert"), `read only access prevents virDomainUpdateDeviceFlags`)
	s.ok("Successfully inserted media.\n", "change-media", name, "hdc", one, "--insert")
	drives(t, s, name, "hdc="+one+" sda="+two)
	expect(t, s.run("domblklist", name), `(?m)^ hdc +`+regexp.QuoteMeta(one)+`$`)
	expect(t, s.run("dumpxml", name), `<source file="`+regexp.QuoteMeta(one)+`"></source>\s*<target dev="hdc" bus="ide">`)
	if r := s.run("dumpxml", name, "--inactive"); strings.Contains(r.stdout, one) {
		t.Errorf("a live change-media changed the definition: %s", r.stdout)
	}

	// Refused, with virsh's and libvirt's messages, changing nothing.
	expectError(t, s.run("change-media", name, "hdc", two, "--insert"), `^error: The disk device 'hdc' already has media\n$`)
	expectError(t, s.run("change-media", name, "hdx", "--eject"), `^error: No disk found whose source path or target is hdx\n$`)
	expectError(t, s.run("change-media", name, "vda", "--eject"), `^error: No disk found whose source path or target is vda\n$`)
	vda := filepath.Join(dir, "vda.xml")
	os.WriteFile(vda, []byte(fmt.Sprintf(`<disk type='file' device='disk'><source file='%s'/><target dev='vda' bus='virtio'/></disk>`, one)), 0o644)
	expectError(t, s.run("update-device", name, vda, "--live"), `Failed to update device from .*\nerror: Operation not supported: disk source can be changed only in removable drives\n$`)
	missing := filepath.Join(dir, "missing.iso")
	expectError(t, s.run("change-media", name, "hdc", missing, "--update"), `^error: Failed to complete action update on media\nerror: Cannot access storage file '`+regexp.QuoteMeta(missing)+`': No such file or directory\n$`)
	nic := filepath.Join(dir, "nic.xml")
	os.WriteFile(nic, []byte(`<interface type='user'/>`), 0o644)
	expectError(t, s.run("update-device", name, nic), `live update of device 'net' is not supported`)
	// QEMU refuses the new medium: the storage node (a directory), or the
	// format node (not qcow2), whose storage node is then deleted again.
	expectError(t, s.run("change-media", name, "hdc", dir, "--update"), `QEMU refused blockdev-add: 'file' driver requires '`+regexp.QuoteMeta(dir)+`' to be a regular file`)
	qcow := filepath.Join(dir, "qcow.xml")
	os.WriteFile(qcow, []byte(fmt.Sprintf(`<disk type='file' device='cdrom'><driver name='qemu' type='qcow2'/><source file='%s'/><target dev='hdc' bus='ide'/></disk>`, two)), 0o644)
	expectError(t, s.run("update-device", name, qcow), `QEMU refused blockdev-add: Image is not in qcow2 format`)
	drives(t, s, name, "hdc="+one+" sda="+two)
	if got := blockNodes(t, s, name); len(got) != len(nodes)+2 {
		t.Errorf("block nodes %q after the refusals; want those of the start %q and two for hdc's medium", got, nodes)
	}

	// --update names the drive by its medium; --eject --force empties one.
	s.ok("Successfully updated media.\n", "change-media", name, one, two, "--update")
	drives(t, s, name, "hdc="+two+" sda="+two)
	s.ok("Successfully ejected media.\n", "change-media", name, "sda", "--eject", "--force")
	drives(t, s, name, "hdc="+two+" sda=")
	expect(t, s.run("domblklist", name), `(?m)^ sda +-$`)
	if got := blockNodes(t, s, name); len(got) != len(nodes) {
		t.Errorf("block nodes %q: the old media's nodes are left behind (at the start: %q)", got, nodes)
	}
	// update-device with a cdrom's XML is change-media's update.
	cd := filepath.Join(dir, "cd.xml")
	os.WriteFile(cd, []byte(fmt.Sprintf(`<disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/></disk>`, one)), 0o644)
	s.ok("Device updated successfully\n\n", "update-device", name, cd, "--live")
	drives(t, s, name, "hdc="+two+" sda="+one)

	// --config: the definition alone, seen at the next start; --print-xml
	// shows the disk and changes nothing.
	expect(t, s.run("change-media", name, "hdc", one, "--config", "--print-xml"), `^<disk type="file" device="cdrom">\s*<source file="`+regexp.QuoteMeta(one)+`"/>\s*<target dev="hdc" bus="ide"/>\s*</disk>\n$`)
	s.ok("Successfully updated media.\n", "change-media", name, "hdc", one, "--config")
	expect(t, s.run("domblklist", name, "--inactive"), `(?m)^ hdc +`+regexp.QuoteMeta(one)+`$`)
	drives(t, s, name, "hdc="+two+" sda="+one)
	// --live --config: the disk of the definition (sda holds two there)
	// applied to both.
	s.ok("Successfully ejected media.\n", "change-media", name, "sda", "--eject", "--live", "--config", "--force")
	drives(t, s, name, "hdc="+two+" sda=")
	expect(t, s.run("domblklist", name, "--inactive"), `(?m)^ sda +-$`)
	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	expectError(t, s.run("change-media", name, "hdc", "--eject", "--live"), `domain is not running`)
	s.ok("Domain '"+name+"' started\n\n", "start", name)
	drives(t, s, name, "hdc="+one+" sda=")
	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	// Shut off, the current scope is the definition.
	s.ok("Successfully ejected media.\n", "change-media", name, "hdc", "--eject")
	expect(t, s.run("domblklist", name, "--inactive"), `(?m)^ hdc +-$`)
	s.ok("Domain '"+name+"' has been undefined\n\n", "undefine", name)
	if procs := processesOf(name); len(procs) > 0 {
		t.Errorf("left running: %q", procs)
	}
}

// isoImage builds a small ISO 9660 image holding one file, labelled.
func isoImage(t *testing.T, dir, label string) string {
	t.Helper()
	src := filepath.Join(dir, label)
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "README.TXT"), []byte("medium "+label+"\n"), 0o644)
	iso := filepath.Join(dir, label+".iso")
	if out, err := exec.Command("genisoimage", "-quiet", "-V", label, "-o", iso, src).CombinedOutput(); err != nil {
		t.Fatalf("genisoimage (apt-get install genisoimage): %v: %s", err, out)
	}
	return iso
}

// qemuDrive is one drive of QEMU's query-block.
type qemuDrive struct {
	QDev     string `json:"qdev"`
	TrayOpen bool   `json:"tray_open"`
	Inserted *struct {
		File string `json:"file"`
	} `json:"inserted"`
}

// queryBlock is QEMU's query-block, read through qemu-monitor-command.
func queryBlock(t *testing.T, s lxcShell, name string) []qemuDrive {
	t.Helper()
	r := s.run("qemu-monitor-command", name, `{"execute":"query-block"}`)
	var reply struct {
		Return []qemuDrive `json:"return"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &reply) != nil {
		t.Fatalf("query-block: %q %q", r.stdout, r.stderr)
	}
	return reply.Return
}

// drives checks what QEMU's cdrom drives hold, as "hdc=FILE sda=FILE"
// (FILE empty for no medium), and that their trays are closed.
func drives(t *testing.T, s lxcShell, name, want string) {
	t.Helper()
	ids := map[string]string{"ide0-1-0": "hdc", "sata0-0-0": "sda"}
	var got []string
	for _, b := range queryBlock(t, s, name) {
		target, ok := ids[b.QDev]
		if !ok {
			continue
		}
		file := ""
		if b.Inserted != nil {
			file = b.Inserted.File
		}
		if b.TrayOpen {
			file += "(tray open)"
		}
		got = append(got, target+"="+file)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != want {
		t.Errorf("QEMU's cdroms hold %q; want %q", strings.Join(got, " "), want)
	}
}

// blockNodes are the names of QEMU's block nodes.
func blockNodes(t *testing.T, s lxcShell, name string) []string {
	t.Helper()
	r := s.run("qemu-monitor-command", name, `{"execute":"query-named-block-nodes","arguments":{"flat":true}}`)
	var reply struct {
		Return []struct {
			Node string `json:"node-name"`
		} `json:"return"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &reply) != nil {
		t.Fatalf("query-named-block-nodes: %q %q", r.stdout, r.stderr)
	}
	var out []string
	for _, n := range reply.Return {
		out = append(out, n.Node)
	}
	return out
}
