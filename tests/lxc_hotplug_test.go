package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Device hot-plug of containers through the virtsh binary: interfaces
// attached to and detached from a running busybox container (a bridge
// and a virtual network in the test's network namespace), and device
// changes of persistent definitions.

func (e *netEnv) veths(name string) []string { return e.lxcState(name).Veths }

// inCT runs a command in container name.
func (e *netEnv) inCT(name string, args ...string) result {
	e.t.Helper()
	return e.lxc(append([]string{"lxc-enter-namespace", name, "--"}, args...)...)
}

// iflist is domiflist's JSON.
type ifRow struct {
	Interface, Type, Source, MAC string
}

func (e *netEnv) iflist(name string) []ifRow {
	e.t.Helper()
	var rows []ifRow
	out := e.lxcMust("domiflist", name, "-o", "json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		e.t.Fatalf("domiflist -o json: %v\n%s", err, out)
	}
	return rows
}

// TestLXCInterfaceHotplug: a running container on a virtual network is
// given a second interface on a bridge (attach-interface --live): the
// container sees it as eth1 with its MAC, a namespace pings it across the
// bridge, domiflist, dumpxml and the runtime state show it; a third, on
// the network, is listed by net-port-list. detach-interface --live
// removes each everywhere (container, host, port records). A plug that
// fails part-way (a route the container cannot have) leaves nothing and
// changes no definition; destroy unplugs what was hot-plugged.
func TestLXCInterfaceHotplug(t *testing.T) {
	needNetworking(t, "busybox", "nsenter")
	e := newNetEnv(t)
	e.startNATNetwork()
	for _, c := range [][]string{
		{"ip", "link", "add", "hpbr0", "type", "bridge"},
		{"ip", "addr", "add", "10.98.0.1/24", "dev", "hpbr0"},
		{"ip", "link", "set", "hpbr0", "up"},
	} {
		if out := e.in(c...); out != "" {
			t.Fatalf("%v: %s", c, out)
		}
	}

	const mac0, mac1, mac2 = "52:54:00:ee:00:01", "52:54:00:ee:00:02", "52:54:00:ee:00:03"
	e.container("hp", netRootfs(t), "vt", mac0)
	boot := e.veths("hp")

	if out := e.lxcMust("attach-interface", "hp", "bridge", "hpbr0", "--mac", mac1, "--live"); out != "Interface attached successfully\n\n" {
		t.Errorf("attach-interface: %q", out)
	}
	veths := e.veths("hp")
	if len(veths) != 2 || veths[0] != boot[0] {
		t.Fatalf("state veths after attach: %v (boot %v)", veths, boot)
	}
	dev1 := veths[1]
	if out := e.in("ip", "-d", "link", "show", dev1); !strings.Contains(out, "master hpbr0") || !strings.Contains(out, "fe:54:00:ee:00:02") {
		t.Errorf("host end %s:\n%s", dev1, out)
	}
	if r := e.inCT("hp", "/bin/ip", "link", "show", "eth1"); r.code != 0 || !strings.Contains(r.stdout, mac1) || !strings.Contains(r.stdout, "UP") {
		t.Errorf("eth1 in the container: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := e.inCT("hp", "/bin/ip", "addr", "add", "10.98.0.2/24", "dev", "eth1"); r.code != 0 {
		t.Fatalf("address on eth1: %s%s", r.stdout, r.stderr)
	}
	if out := e.in("busybox", "ping", "-c", "1", "-W", "5", "10.98.0.2"); !strings.Contains(out, " 1 packets received") {
		t.Errorf("ping of the container across hpbr0:\n%s", out)
	}
	if rows := e.iflist("hp"); len(rows) != 2 || rows[1] != (ifRow{Interface: dev1, Type: "bridge", Source: "hpbr0", MAC: mac1}) {
		t.Errorf("domiflist after attach: %+v", rows)
	}
	if out := e.lxcMust("dumpxml", "hp"); !strings.Contains(out, `<target dev="`+dev1+`">`) || !strings.Contains(out, `<guest dev="eth1">`) {
		t.Errorf("dumpxml lacks the new interface:\n%s", out)
	}
	if out := e.lxcMust("dumpxml", "hp", "--inactive"); strings.Contains(out, mac1) {
		t.Errorf("--live attach changed the persistent definition:\n%s", out)
	}

	// A plug that fails after its veth exists rolls back.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte(`<interface type='bridge'><source bridge='hpbr0'/><mac address='52:54:00:ee:00:09'/>
  <route address='10.77.0.0' prefix='16' gateway='10.66.0.1'/></interface>`), 0o600)
	r := e.lxc("attach-device", "hp", bad, "--live", "--config")
	if r.code != 1 || !strings.Contains(r.stderr, "error: Failed to attach device") || !strings.Contains(r.stderr, "10.66.0.1") {
		t.Errorf("attach with an impossible route: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := e.veths("hp"); !slices.Equal(got, veths) {
		t.Errorf("state veths after the failed attach: %v, want %v", got, veths)
	}
	if out := e.in("ip", "-o", "link", "show"); strings.Count(out, "veth") != 2 {
		t.Errorf("links after the failed attach:\n%s", out)
	}
	if rows := e.iflist("hp"); len(rows) != 2 {
		t.Errorf("domiflist after the failed attach: %+v", rows)
	}
	if out := e.lxcMust("dumpxml", "hp", "--inactive"); strings.Contains(out, "52:54:00:ee:00:09") {
		t.Errorf("a failed --live --config attach changed the definition:\n%s", out)
	}
	if r := e.inCT("hp", "/bin/ip", "-o", "link", "show"); strings.Count(r.stdout, "@if") != 2 {
		t.Errorf("container links after the failed attach:\n%s", r.stdout)
	}

	// On the network, the port is listed; MAC already there is refused.
	e.lxcMust("attach-interface", "hp", "network", "vt", "--mac", mac2, "--live")
	dev2 := e.veths("hp")[2]
	if ports := e.ports("vt"); len(ports) != 2 || !slices.Contains(ports, portRow{Owner: "hp", MAC: mac2, Device: dev2, Bridge: "vtbr0"}) {
		t.Errorf("net-port-list vt after attach: %+v", ports)
	}
	if r := e.inCT("hp", "/bin/ip", "link", "show", "eth2"); r.code != 0 || !strings.Contains(r.stdout, mac2) {
		t.Errorf("eth2 in the container: %s%s", r.stdout, r.stderr)
	}
	r = e.lxc("attach-interface", "hp", "network", "vt", "--mac", mac2, "--live")
	if r.code != 1 || !strings.Contains(r.stderr, "network device with mac "+mac2+" already exists") {
		t.Errorf("duplicate MAC: exit %d %s", r.code, r.stderr)
	}

	if out := e.lxcMust("detach-interface", "hp", "bridge", "--mac", mac1, "--live"); out != "Interface detached successfully\n\n" {
		t.Errorf("detach-interface: %q", out)
	}
	if r := e.inCT("hp", "/bin/ip", "link", "show", "eth1"); r.code == 0 {
		t.Errorf("eth1 still in the container:\n%s", r.stdout)
	}
	if out := e.in("ip", "link", "show", dev1); !strings.Contains(out, "does not exist") {
		t.Errorf("%s left behind:\n%s", dev1, out)
	}
	if got := e.veths("hp"); !slices.Equal(got, []string{boot[0], dev2}) {
		t.Errorf("state veths after detach: %v", got)
	}
	if rows := e.iflist("hp"); len(rows) != 2 || rows[0].MAC != mac0 || rows[1].MAC != mac2 {
		t.Errorf("domiflist after detach: %+v", rows)
	}
	// eth2 keeps its name; the next interface takes the free eth1.
	if out := e.lxcMust("dumpxml", "hp"); strings.Contains(out, mac1) || !strings.Contains(out, `<guest dev="eth2">`) {
		t.Errorf("dumpxml after detach:\n%s", out)
	}
	e.lxcMust("detach-interface", "hp", "network", "--mac", mac2, "--live")
	if ports := e.ports("vt"); len(ports) != 1 || ports[0].MAC != mac0 {
		t.Errorf("net-port-list vt after detach: %+v", ports)
	}
	if out := e.in("ip", "link", "show", dev2); !strings.Contains(out, "does not exist") {
		t.Errorf("%s left behind:\n%s", dev2, out)
	}

	// --live --config: both change; destroy unplugs the hot-plugged one.
	e.lxcMust("attach-interface", "hp", "bridge", "hpbr0", "--mac", mac1, "--live", "--config")
	if r := e.inCT("hp", "/bin/ip", "link", "show", "eth1"); r.code != 0 || !strings.Contains(r.stdout, mac1) {
		t.Errorf("eth1 after attach --live --config: %s%s", r.stdout, r.stderr)
	}
	if out := e.lxcMust("dumpxml", "hp", "--inactive"); !strings.Contains(out, mac1) {
		t.Errorf("attach --live --config left the definition without %s:\n%s", mac1, out)
	}
	veths = e.veths("hp")
	e.lxcMust("destroy", "hp")
	for _, dev := range veths {
		if out := e.in("ip", "link", "show", dev); !strings.Contains(out, "does not exist") {
			t.Errorf("%s left after destroy:\n%s", dev, out)
		}
	}
	if ports := e.ports("vt"); len(ports) != 0 {
		t.Errorf("ports left after destroy: %+v", ports)
	}
	// The definition's new interface is plugged at the next start.
	e.lxcMust("start", "hp")
	if rows := e.iflist("hp"); len(rows) != 2 || rows[1].MAC != mac1 || rows[1].Source != "hpbr0" {
		t.Errorf("domiflist after restart: %+v", rows)
	}
	e.lxcMust("detach-interface", "hp", "bridge", "--mac", mac1, "--config")
	if out := e.lxcMust("dumpxml", "hp", "--inactive"); strings.Contains(out, mac1) {
		t.Errorf("detach --config left %s in the definition:\n%s", mac1, out)
	}
	if rows := e.iflist("hp"); len(rows) != 2 {
		t.Errorf("detach --config changed the running container: %+v", rows)
	}

	// A reboot (busybox reboot -f in the container: its init dies of
	// SIGHUP) plugs the interfaces the container has then, under the
	// names they had.
	e.lxcMust("attach-interface", "hp", "network", "vt", "--mac", mac2, "--live")
	e.lxcMust("detach-interface", "hp", "bridge", "--mac", mac1, "--live")
	init := e.lxcState("hp").InitPID
	e.inCT("hp", "/bin/busybox", "reboot", "-f")
	var out string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if st := e.lxcState("hp"); st.InitPID == init || st.InitPID == 0 {
			continue
		}
		if r := e.inCT("hp", "/bin/ip", "-o", "link", "show"); r.code == 0 {
			if out = r.stdout; strings.Contains(out, mac2) {
				break
			}
		}
	}
	if !strings.Contains(out, "eth2@") || !strings.Contains(out, mac2) || strings.Contains(out, mac1) {
		t.Errorf("container links after reboot:\n%s", out)
	}
	if ports := e.ports("vt"); len(ports) != 2 {
		t.Errorf("net-port-list vt after reboot: %+v", ports)
	}
}

// TestLXCDeviceConfig: device changes of a container's persistent
// definition through the virtsh binary: an interface attached and
// detached with --config (and by default, the container being shut off);
// a duplicate MAC, an interface type containers lack and a disk are
// refused with the definition unchanged; --live on a shut-off container,
// --config on a transient one and any change under -r are refused.
func TestLXCDeviceConfig(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the LXC tests need root (CI runs as root)")
	}
	s := lxcShell{t: t, root: t.TempDir()}
	rootfs := busyboxRootfs(t)
	doc := func(name string) string { return sleeperXML(name, rootfs) }
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Cleanup(func() { s.run("destroy", "cfg"); s.run("undefine", "cfg"); s.run("destroy", "tr") })
	s.ok("Domain 'cfg' defined from "+write("cfg.xml", doc("cfg"))+"\n\n", "define", write("cfg.xml", doc("cfg")))
	inactive := func() string { return s.run("dumpxml", "cfg", "--inactive").stdout }

	const mac = "52:54:00:ab:00:01"
	s.ok("Interface attached successfully\n\n", "attach-interface", "cfg", "bridge", "br7", "--mac", mac, "--config")
	if out := inactive(); !strings.Contains(out, `<mac address="`+mac+`">`) || !strings.Contains(out, `<source bridge="br7">`) {
		t.Errorf("definition after attach --config:\n%s", out)
	}
	before := inactive()
	refusals := []struct {
		args []string
		msg  string
	}{
		{[]string{"attach-interface", "cfg", "network", "default", "--mac", mac, "--config"}, "network device with mac " + mac + " already exists"},
		{[]string{"attach-device", "cfg", write("user.xml", "<interface type='user'/>"), "--config"}, "only interfaces of type 'bridge' and 'network' are supported in containers"},
		{[]string{"attach-disk", "cfg", "/dev/null", "vdb", "--config"}, "disk vdb: only disks of type 'block'"},
		{[]string{"attach-disk", "cfg", "/dev/null", "vdb", "--config", "--sourcetype", "block", "--targetbus", "virtio", "--driver", "qemu"}, "disk vdb: <driver> is not supported in containers"},
		{[]string{"attach-disk", "cfg", "/dev/null", "null", "--config", "--sourcetype", "block"}, "disk /dev/null: /dev/null is the container's own"},
		{[]string{"attach-device", "cfg", write("odd.xml", "<interface type='bridge'><source bridge='br7'/><frobnicate/></interface>"), "--config"}, "frobnicate"},
		{[]string{"attach-interface", "cfg", "bridge", "br7", "--live"}, "domain is not running"},
		{[]string{"-r", "attach-interface", "cfg", "bridge", "br7", "--config"}, "read only"},
		{[]string{"-r", "detach-interface", "cfg", "bridge", "--config"}, "read only"},
		{[]string{"detach-interface", "cfg", "bridge", "--mac", "52:54:00:ab:00:99", "--config"}, "No interface found whose type is bridge and MAC address is 52:54:00:ab:00:99"},
	}
	for _, c := range refusals {
		r := s.run(c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.msg) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.msg)
		}
		if after := inactive(); after != before {
			t.Errorf("%v changed the definition:\n%s", c.args, after)
		}
	}
	// Shut off, the current scope is the definition.
	s.ok("Interface detached successfully\n\n", "detach-interface", "cfg", "bridge", "--mac", mac)
	if out := inactive(); strings.Contains(out, mac) {
		t.Errorf("definition after detach:\n%s", out)
	}

	// A running container without interfaces has its own network
	// namespace (virtsh gives every container one): --config changes
	// only the definition; a disk cannot be attached live.
	s.ok("Domain 'cfg' started\n\n", "start", "cfg")
	s.ok("Interface attached successfully\n\n", "attach-interface", "cfg", "bridge", "br7", "--mac", mac, "--config")
	if out := s.run("dumpxml", "cfg").stdout; strings.Contains(out, mac) {
		t.Errorf("--config changed the running container:\n%s", out)
	}
	if r := s.run("attach-disk", "cfg", "/dev/null", "vdb", "--live", "--sourcetype", "block"); r.code != 1 || !strings.Contains(r.stderr, "Disk source /dev/null must be a block device") {
		t.Errorf("live disk: exit %d %s", r.code, r.stderr)
	}
	if r := s.run("attach-interface", "cfg", "bridge", "no-such-br0", "--live"); r.code != 1 || !strings.Contains(r.stderr, "bridge 'no-such-br0' does not exist") {
		t.Errorf("missing bridge: exit %d %s", r.code, r.stderr)
	}

	// A transient container has no definition to change.
	s.ok("Domain 'tr' created from "+write("tr.xml", doc("tr"))+"\n\n", "create", write("tr.xml", doc("tr")))
	if r := s.run("attach-interface", "tr", "bridge", "br7", "--config"); r.code != 1 || !strings.Contains(r.stderr, "cannot change persistent config of a transient domain") {
		t.Errorf("--config on a transient container: exit %d %s", r.code, r.stderr)
	}
}

// loopDevice attaches a loop device to a 1 MiB file starting with
// content, detached when the test ends.
func loopDevice(t *testing.T, content string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "disk.img")
	data := make([]byte, 1<<20)
	copy(data, content)
	if err := os.WriteFile(img, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dev := strings.TrimSpace(sh(t, "losetup", "-f", "--show", img))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	return dev
}

// TestLXCDiskHotplug: a host block device (a loop device) attached to a
// running container (attach-disk --live) is a node of its /dev that it
// reads and writes, or only reads with --mode readonly (the devices
// cgroup says so); dumpxml and domblklist show it; detach removes the
// node and the cgroup's permission (a node the container makes again
// cannot be opened). A node the container already has makes the attach
// fail and take its permission back. A disk attached with --config is in
// /dev at the next start.
func TestLXCDiskHotplug(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the LXC tests need root (CI runs as root)")
	}
	s := lxcShell{t: t, root: t.TempDir()}
	loop, ro := loopDevice(t, "hello disk"), loopDevice(t, "read only")
	xml := filepath.Join(t.TempDir(), "dk.xml")
	os.WriteFile(xml, []byte(sleeperXML("dk", busyboxRootfs(t))), 0o600)
	t.Cleanup(func() { s.run("destroy", "dk"); s.run("undefine", "dk") })
	s.run("define", xml)
	s.ok("Domain 'dk' started\n\n", "start", "dk")
	in := func(script string) result {
		r := s.run("lxc-enter-namespace", "dk", "--", "/bin/sh", "-c", script)
		r.stdout = strings.TrimSuffix(r.stdout, "\n")
		return r
	}
	// A disk attached with --config is in /dev at the next start.
	configDisk := func() {
		s.ok("Disk attached successfully\n\n", "attach-disk", "dk", loop, "vde", "--config")
		if r := in("[ -e /dev/vde ]"); r.code == 0 {
			t.Error("--config gave the running container /dev/vde")
		}
		s.ok("Domain 'dk' destroyed\n\n", "destroy", "dk")
		s.ok("Domain 'dk' started\n\n", "start", "dk")
		if r := in("/bin/busybox head -c 10 /dev/vde"); r.stdout != "hello disk" {
			t.Errorf("/dev/vde after restart: exit %d %q %s", r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/devices"); err != nil {
		// A cgroup v2 host: the device filter is fixed at start.
		if r := s.run("attach-disk", "dk", loop, "vdb", "--live"); r.code != 1 || !strings.Contains(r.stderr, "live disk changes need the cgroup v1 devices controller") {
			t.Errorf("live disk on cgroup v2: exit %d %s", r.code, r.stderr)
		}
		configDisk()
		return
	}
	devicesList := func() string {
		var st struct {
			Cgroup struct {
				Dirs map[string]string `json:"dirs"`
			} `json:"cgroup"`
		}
		b, _ := os.ReadFile(filepath.Join(s.root, "system/run/virtsh/lxc/dk.json"))
		json.Unmarshal(b, &st)
		list, err := os.ReadFile(filepath.Join(st.Cgroup.Dirs["devices"], "devices.list"))
		if err != nil {
			t.Fatal(err)
		}
		return string(list)
	}
	var major, minor uint32
	fmt.Sscanf(strings.TrimSpace(sh(t, "stat", "-c", "%t:%T", loop)), "%x:%x", &major, &minor)
	rule := fmt.Sprintf("b %d:%d rw", major, minor)

	s.ok("Disk attached successfully\n\n", "attach-disk", "dk", loop, "vdb", "--live")
	if r := in("/bin/busybox head -c 10 /dev/vdb"); r.code != 0 || r.stdout != "hello disk" {
		t.Errorf("reading /dev/vdb: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := in("echo -n written | /bin/busybox dd of=/dev/vdb bs=1 seek=100 conv=notrunc 2>&1"); r.code != 0 {
		t.Errorf("writing /dev/vdb: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(devicesList(), rule) {
		t.Errorf("devices.list lacks %q:\n%s", rule, devicesList())
	}
	if out := s.run("domblklist", "dk").stdout; !strings.Contains(out, "vdb      "+loop) {
		t.Errorf("domblklist:\n%s", out)
	}
	if out := s.run("dumpxml", "dk").stdout; !strings.Contains(out, `<source dev="`+loop+`">`) || !strings.Contains(out, `<target dev="vdb">`) {
		t.Errorf("dumpxml lacks the disk:\n%s", out)
	}
	if r := s.run("attach-disk", "dk", ro, "vdb", "--live"); r.code != 1 || !strings.Contains(r.stderr, "target vdb already exists") {
		t.Errorf("duplicate target: exit %d %s", r.code, r.stderr)
	}
	s.ok("Disk attached successfully\n\n", "attach-disk", "dk", ro, "vdc", "--live", "--mode", "readonly")
	if r := in("/bin/busybox head -c 9 /dev/vdc"); r.stdout != "read only" {
		t.Errorf("reading the read-only /dev/vdc: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := in("echo -n x | /bin/busybox dd of=/dev/vdc conv=notrunc"); r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Errorf("writing the read-only /dev/vdc: exit %d %s", r.code, r.stderr)
	}
	// One host device is one disk: the cgroup allows and denies devices,
	// not nodes.
	if r := s.run("attach-disk", "dk", loop, "vdd", "--live"); r.code != 1 || !strings.Contains(r.stderr, "disk "+loop+" is already attached to the container as vdb") {
		t.Errorf("the same device twice: exit %d %s", r.code, r.stderr)
	}

	s.ok("Disk detached successfully\n\n", "detach-disk", "dk", "vdb", "--live")
	if r := in("[ -e /dev/vdb ]"); r.code == 0 {
		t.Error("/dev/vdb is still in the container")
	}
	if r := in(fmt.Sprintf("/bin/busybox mknod /dev/again b %d %d && /bin/busybox head -c 1 /dev/again", major, minor)); r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Errorf("the container opened the detached disk: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(devicesList(), rule) {
		t.Errorf("devices.list still has %q", rule)
	}
	if out := s.run("domblklist", "dk").stdout; strings.Contains(out, loop) {
		t.Errorf("domblklist after detach:\n%s", out)
	}

	// The container's own /dev/vdd makes the attach fail part-way: the
	// permission it gave is taken back, nothing is recorded.
	in("/bin/busybox mknod /dev/vdd c 1 3")
	if r := s.run("attach-disk", "dk", loop, "vdd", "--live", "--config"); r.code != 1 || !strings.Contains(r.stderr, "/dev/vdd") {
		t.Errorf("attach over an existing node: exit %d %s", r.code, r.stderr)
	}
	if strings.Contains(devicesList(), rule) {
		t.Errorf("devices.list kept %q after the failed attach", rule)
	}
	if out := s.run("dumpxml", "dk").stdout + s.run("dumpxml", "dk", "--inactive").stdout; strings.Contains(out, `"vdd"`) {
		t.Errorf("the failed attach was recorded:\n%s", out)
	}
	if r := s.run("-r", "detach-disk", "dk", "vdc"); r.code != 1 || !strings.Contains(r.stderr, "read only") {
		t.Errorf("detach-disk under -r: exit %d %s", r.code, r.stderr)
	}

	// A disk attached through a link is detached by the device it was
	// given, whatever the link names by then.
	link := filepath.Join(t.TempDir(), "by-id")
	os.Symlink(loop, link)
	s.ok("Disk attached successfully\n\n", "attach-disk", "dk", link, "vdf", "--live")
	os.Remove(link)
	os.Symlink(ro, link)
	s.ok("Disk detached successfully\n\n", "detach-disk", "dk", "vdf", "--live")
	if list := devicesList(); strings.Contains(list, rule) {
		t.Errorf("devices.list still allows %s after the detach of vdf:\n%s", loop, list)
	}
	if r := in("/bin/busybox head -c 9 /dev/vdc"); r.stdout != "read only" {
		t.Errorf("vdc, on the device the link names now, lost its access: exit %d %q %s", r.code, r.stdout, r.stderr)
	}

	configDisk()
	if r := in("[ -e /dev/vdc ]"); r.code == 0 {
		t.Error("the live-only /dev/vdc came back after restart")
	}
}

// sleeperXML is a container of the busybox rootfs whose init sleeps,
// with no device but its root and console.
func sleeperXML(name, rootfs string) string {
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type>exe</type><init>/bin/sleep</init><initarg>1000</initarg></os>
  <devices>
    <filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem>
    <console type='pty'/>
  </devices>
</domain>`, name, rootfs)
}

// TestLXCDetachedVethNameReused: a container's boot interface is detached
// live, another container's veth takes its freed name, and stopping the
// first container leaves the second one's interface and port alone (the
// controller unplugs by owner, not by the names it plugged at boot).
func TestLXCDetachedVethNameReused(t *testing.T) {
	needNetworking(t, "busybox")
	e := newNetEnv(t)
	e.startNATNetwork()
	rootfs := netRootfs(t)
	const macA, macB = "52:54:00:ee:01:01", "52:54:00:ee:01:02"
	e.container("ra", rootfs, "vt", macA)
	freed := e.onlyVeth("ra")
	e.lxcMust("detach-interface", "ra", "network", "--mac", macA, "--live")
	e.container("rb", rootfs, "vt", macB)
	taken := e.onlyVeth("rb")
	if taken != freed {
		t.Logf("rb's veth is %s, not ra's freed %s: the name was not reused", taken, freed)
	}
	e.lxcMust("destroy", "ra")
	if out := e.in("ip", "link", "show", taken); strings.Contains(out, "does not exist") {
		t.Errorf("destroying ra removed rb's %s", taken)
	}
	if ports := e.ports("vt"); len(ports) != 1 || ports[0].MAC != macB || ports[0].Device != taken {
		t.Errorf("net-port-list vt after destroying ra: %+v", ports)
	}
}
