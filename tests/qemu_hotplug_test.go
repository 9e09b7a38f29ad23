package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/tests/guest"
)

// TestQEMUHotplugDisk plugs a virtio disk into the running TCG guest and
// unplugs it again, through the virtsh binary: the live XML, domblklist
// and the guest's own /sys/block follow; a disk attached with --config
// alone appears only at the next start; failures leave nothing behind.
func TestQEMUHotplugDisk(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	dir := shortTempDir(t)
	s, name := qemuDomain(t, filepath.Join(dir, "root"), "hp")
	image := func(file string, mib int64) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, nil, 0o600); err != nil || os.Truncate(p, mib<<20) != nil {
			t.Fatal("cannot create the disk image")
		}
		return p
	}
	data, later := image("data.raw", 16), image("later.raw", 4)
	xml := filepath.Join(dir, "g.xml")
	os.WriteFile(xml, []byte(guest.DomainXML(name, kernel, initrd, "", "")), 0o644)
	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain '"+name+"' started\n\n", "start", name)
	c := openConsole(t, s, "console", name)
	guestDisks(t, c, "")

	// Refused before anything happens.
	expectError(t, s.run("-r", "attach-disk", name, data, "vdb", "--live"), `read only access prevents virDomainAttachDeviceFlags`)
	expectError(t, s.run("attach-disk", name, data, "hdb", "--live"), `disk bus 'ide' cannot be hotplugged`)
	// QEMU's own error is passed on, and the storage node it had added is gone.
	expectError(t, s.run("attach-disk", name, filepath.Join(dir, "missing.raw"), "vdb", "--live"), `missing\.raw.*No such file or directory`)
	if r := s.run("qemu-monitor-command", name, `{"execute":"query-named-block-nodes"}`); r.code != 0 || strings.Contains(r.stdout, "libvirt-") {
		t.Errorf("a failed attach left block nodes behind: %q %q", r.stdout, r.stderr)
	}

	s.ok("Disk attached successfully\n\n", "attach-disk", name, data, "vdb", "--live")
	expect(t, s.run("domblklist", name), `(?m)^ vdb +`+regexp.QuoteMeta(data)+`$`)
	expect(t, s.run("dumpxml", name), `(?s)<target dev="vdb"></target>\s*<address type="pci" domain="0x0000" bus="0x00" slot="0x0\d" function="0x0"></address>`)
	if r := s.run("dumpxml", name, "--inactive"); strings.Contains(r.stdout, "vdb") {
		t.Errorf("--live alone changed the definition: %s", r.stdout)
	}
	guestDisks(t, c, "vda=32768 ")
	expect(t, s.run("domblkstat", name, "vdb"), `^vdb rd_req [1-9]\d*\n`) // the guest's kernel read its partition table
	expectError(t, s.run("attach-disk", name, later, "vdb", "--live"), `target vdb already exists`)
	// device_add fails (the image is in use by vdb): the nodes blockdev-add
	// added for it (libvirt-2-...) are deleted again.
	expectError(t, s.run("attach-disk", name, data, "vdc", "--live"), `Failed to get "write" lock`)
	if r := s.run("qemu-monitor-command", name, `{"execute":"query-named-block-nodes"}`); r.code != 0 || strings.Contains(r.stdout, "libvirt-2-") || !strings.Contains(r.stdout, "libvirt-1-format") {
		t.Errorf("a failed device_add left block nodes behind: %q %q", r.stdout, r.stderr)
	}

	// --config alone: the definition only.
	s.ok("Disk attached successfully\n\n", "attach-disk", name, later, "vdc", "--config")
	expect(t, s.run("dumpxml", name, "--inactive"), `<target dev="vdc">`)
	if r := s.run("domblklist", name); strings.Contains(r.stdout, "vdc") {
		t.Errorf("--config alone changed the running domain: %s", r.stdout)
	}

	s.ok("Disk detached successfully\n\n", "detach-disk", name, "vdb", "--live")
	if r := s.run("domblklist", name); r.code != 0 || strings.Contains(r.stdout, "vdb") {
		t.Errorf("vdb still listed: %q %q", r.stdout, r.stderr)
	}
	guestDisks(t, c, "")
	if r := s.run("qemu-monitor-command", name, `{"execute":"query-named-block-nodes"}`); r.code != 0 || strings.Contains(r.stdout, "libvirt-") {
		t.Errorf("detach left block nodes behind: %q %q", r.stdout, r.stderr)
	}
	expectError(t, s.run("detach-disk", name, "vdb", "--live"), `No disk found whose source path or target is vdb|disk vdb not found`)
	// The same slot and node names serve a second plug.
	s.ok("Disk attached successfully\n\n", "attach-disk", name, data, "vdb", "--live", "--config")
	guestDisks(t, c, "vda=32768 ")

	// The persistent disks come back at the next start.
	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	c.cmd.Process.Kill()
	s.ok("Domain '"+name+"' started\n\n", "start", name)
	expect(t, s.run("domblklist", name), `(?s) vdc +`+regexp.QuoteMeta(later)+`\n vdb +`+regexp.QuoteMeta(data)+`\n`)
	c = openConsole(t, s, "console", name)
	guestDisks(t, c, "vda=8192 vdb=32768 ")
	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	s.ok(fmt.Sprintf("Domain '%s' has been undefined\n\n", name), "undefine", name)
	if procs := processesOf(name); len(procs) > 0 {
		t.Errorf("left running: %q", procs)
	}
}

// TestQEMUHotplugInterface plugs a bridge interface into the running
// guest and out again, inside a network namespace of its own: the tap
// joins the bridge, the guest gets an eth0 and pings the host over it,
// and after the detach the tap and the guest's eth0 are gone.
func TestQEMUHotplugInterface(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	ns, inNS := bridgeNamespace(t, "hp", "10.99.1.1/24")
	dir := shortTempDir(t)
	s, name := qemuDomain(t, filepath.Join(dir, "root"), "hpn", "ip", "netns", "exec", ns)
	xml := filepath.Join(dir, "g.xml")
	userNIC := `<interface type='user'><mac address='52:54:00:aa:bb:01'/><model type='e1000'/></interface>`
	os.WriteFile(xml, []byte(guest.DomainXML(name, kernel, initrd, "", userNIC)), 0o644)
	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain '"+name+"' started\n\n", "start", name)
	c := openConsole(t, s, "console", name)
	c.await(t, `echo "nics:$(ls /sys/class/net | grep -v lo):"`, "nics:eth0:", 3*time.Minute)
	// An interface the domain started with leaves with detach-device.
	nicXML := filepath.Join(dir, "nic.xml")
	os.WriteFile(nicXML, []byte(userNIC), 0o644)
	s.ok("Device detached successfully\n\n", "detach-device", name, nicXML, "--live")
	c.await(t, `echo "nics:$(ls /sys/class/net | grep -v lo):"`, "nics::", time.Minute)
	expect(t, s.run("dumpxml", name, "--inactive"), `52:54:00:aa:bb:01`)

	const mac = "52:54:00:aa:bb:02"
	expectError(t, s.run("-r", "attach-interface", name, "--type", "bridge", "--source", "br0", "--live"), `read only access prevents virDomainAttachDeviceFlags`)
	s.ok("Interface attached successfully\n\n", "attach-interface", name, "--type", "bridge", "--source", "br0", "--model", "e1000", "--mac", mac, "--live")
	out, err := inNS("ip", "-o", "link", "show", "master", "br0")
	if err != nil || !regexp.MustCompile(`: vnet0: .* master br0 .*link/ether fe:54:00:aa:bb:02 `).MatchString(out) {
		t.Fatalf("the bridge's ports: %v\n%s", err, out)
	}
	expect(t, s.run("domiflist", name), `(?m)^ vnet0 +bridge +br0 +e1000 +`+mac+`$`)
	expectError(t, s.run("attach-interface", name, "--type", "bridge", "--source", "br0", "--mac", mac, "--live"), `network device with mac `+mac+` already exists`)
	c.await(t, `ip link set eth0 up; ip addr add 10.99.1.2/24 dev eth0 2>/dev/null; ping -c 1 -W 2 10.99.1.1 | grep -o "1 packets received"`, "1 packets received", 3*time.Minute)

	s.ok("Interface detached successfully\n\n", "detach-interface", name, "--type", "bridge", "--mac", mac, "--live")
	if out, err := inNS("ip", "link", "show", "vnet0"); err == nil {
		t.Errorf("the tap outlived its interface:\n%s", out)
	}
	if r := s.run("domiflist", name); strings.Contains(r.stdout, mac) {
		t.Errorf("still listed: %q", r.stdout)
	}
	c.await(t, `echo "nics:$(ls /sys/class/net | grep -v lo):"`, "nics::", time.Minute)
	// Plugged again, it gets the same names back.
	s.ok("Interface attached successfully\n\n", "attach-interface", name, "--type", "bridge", "--source", "br0", "--model", "e1000", "--mac", mac, "--live", "--config")
	expect(t, s.run("domiflist", name), `(?m)^ vnet0 +bridge +br0 +e1000 +`+mac+`$`)
	expect(t, s.run("dumpxml", name, "--inactive"), `<mac address="`+mac+`">`)
	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	if out, err := inNS("ip", "link", "show", "vnet0"); err == nil {
		t.Errorf("the tap outlived its guest:\n%s", out)
	}
	s.ok("Domain '"+name+"' has been undefined\n\n", "undefine", name)
}

// TestQEMUHotplugDiskQ35: on q35 a disk is hot-plugged into an empty
// pcie-root-port of the definition, and refused when none is left.
func TestQEMUHotplugDiskQ35(t *testing.T) {
	t.Parallel()
	kernel, initrd := guest.MustBuild(t)
	dir := shortTempDir(t)
	s, name := qemuDomain(t, filepath.Join(dir, "root"), "hq")
	data := filepath.Join(dir, "data.raw")
	if err := os.WriteFile(data, nil, 0o600); err != nil || os.Truncate(data, 8<<20) != nil {
		t.Fatal("cannot create the disk image")
	}
	doc := strings.Replace(guest.DomainXML(name, kernel, initrd, "", `
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'/>`), "machine='pc'", "machine='q35'", 1)
	xml := filepath.Join(dir, "g.xml")
	os.WriteFile(xml, []byte(doc), 0o644)
	s.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain '"+name+"' started\n\n", "start", name)
	c := openConsole(t, s, "console", name)
	guestDisks(t, c, "")
	s.ok("Disk attached successfully\n\n", "attach-disk", name, data, "vdb", "--live")
	expect(t, s.run("dumpxml", name), `<address type="pci" domain="0x0000" bus="0x01" slot="0x00" function="0x0">`)
	guestDisks(t, c, "vda=16384 ")
	expectError(t, s.run("attach-disk", name, filepath.Join(dir, "other.raw"), "vdc", "--live"), `hot-plug on a q35 machine needs an empty pcie-root-port`)
	s.ok("Disk detached successfully\n\n", "detach-disk", name, "vdb", "--live")
	guestDisks(t, c, "")
	s.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	s.ok("Domain '"+name+"' has been undefined\n\n", "undefine", name)
}

// guestDisks waits until the guest behind console c sees exactly the
// virtio disks want lists, as "vda=SECTORS vdb=SECTORS ".
func guestDisks(t *testing.T, c *console, want string) {
	t.Helper()
	c.await(t, `echo "disks:$(for d in /sys/block/vd*; do [ -e $d ] && echo -n "${d##*/}=$(cat $d/size) "; done):"`, "disks:"+want+":", 3*time.Minute)
}
