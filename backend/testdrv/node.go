package testdrv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
)

// testNS is the namespace of the test driver's own domain XML elements.
const testNS = "http://libvirt.org/schemas/domain/test/1.0"

var defaultNodeInfo = backend.NodeInfo{
	Model: "i686", CPUs: 16, MHz: 1400, Nodes: 2, Sockets: 2, Cores: 2, Threads: 2, MemoryKiB: 3 * 1024 * 1024,
}

// defaultNodeXML is libvirt's defaultConnXML without the interface and
// node devices, which virtsh does not model.
const defaultNodeXML = `<node>
<domain type='test'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory>8388608</memory>
  <currentMemory>2097152</currentMemory>
  <vcpu>2</vcpu>
  <os>
    <type>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1' function='0x0'/>
    </interface>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x2' function='0x0'/>
    </memballoon>
  </devices>
</domain>
<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <target>
    <path>/default-pool</path>
  </target>
</pool>
</node>`

// openDefault builds the state of test:///default: two NUMA cells of 8
// CPUs, and the objects of defaultNodeXML.
func openDefault(uri string) (*conn, error) {
	c := newConn(uri)
	for i := 0; i < 2; i++ {
		c.cells = append(c.cells, numaCell{memKiB: uint64(i+1) * 2048 * 1024, firstCPU: i * 8, cpus: 8, socket: i})
	}
	root, err := parseTree([]byte(defaultNodeXML))
	if err != nil {
		return nil, err
	}
	return c, c.load(root, "")
}

// openFile loads a node file, as libvirt's testOpenFromFile.
func openFile(uri, path string) (*conn, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, backend.Plain(backend.CodeOperationFailed, "failed to open file '%s': %v", path, err)
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, backend.XMLError("%s: %v", path, err)
	}
	c := newConn(uri)
	return c, c.load(root, path)
}

// load fills the connection from a <node> document; file, when not empty,
// is the node file that relative file='...' references are resolved against.
func (c *conn) load(root *node, file string) error {
	if root.Name.Local != "node" {
		return backend.XMLError("Root element is not 'node'")
	}
	steps := []func(*node, string) error{c.loadNodeInfo, c.loadDomains, c.loadNetworks, c.loadPools}
	for _, step := range steps {
		if err := step(root, file); err != nil {
			return err
		}
	}
	return nil
}

// loadNodeInfo is testParseNodeInfo: every value is optional.
func (c *conn) loadNodeInfo(root *node, _ string) error {
	cpu := root.child("", "cpu")
	if cpu == nil {
		cpu = &node{}
	}
	ni := &c.node
	fields := []struct {
		parent *node
		name   string
		label  string
		dst    *int
	}{
		{cpu, "nodes", "cpu nodes", &ni.Nodes},
		{cpu, "sockets", "cpu sockets", &ni.Sockets},
		{cpu, "cores", "cpu cores", &ni.Cores},
		{cpu, "threads", "cpu threads", &ni.Threads},
	}
	for _, f := range fields {
		if err := parseLong(f.parent, f.name, f.label, f.dst); err != nil {
			return err
		}
	}
	ni.CPUs = ni.Cores * ni.Threads * ni.Sockets * ni.Nodes
	active := ni.CPUs
	if err := parseLong(cpu, "active", "cpu active", &active); err != nil {
		return err
	}
	ni.CPUs = min(ni.CPUs, active)
	if err := parseLong(cpu, "mhz", "cpu mhz", &ni.MHz); err != nil {
		return err
	}
	if model, ok := cpu.childText("model"); ok {
		ni.Model = model
	}
	mem := int(ni.MemoryKiB)
	if err := parseLong(root, "memory", "memory", &mem); err != nil {
		return err
	}
	ni.MemoryKiB = uint64(mem)
	return nil
}

// parseLong stores the integer text of parent's child name in dst when the
// child exists.
func parseLong(parent *node, name, label string, dst *int) error {
	s, ok := parent.childText(name)
	if !ok {
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return backend.XMLError("invalid node %s value", label)
	}
	*dst = v
	return nil
}

// children returns the elements of root named name, with file='...'
// references replaced by the root element of the referenced file.
func children(root *node, name, file string) ([]*node, error) {
	var out []*node
	for _, n := range root.Children {
		if n.Name.Local != name || n.Name.Space != "" {
			continue
		}
		resolved, err := resolveFile(n, file)
		if err != nil {
			return nil, err
		}
		out = append(out, resolved)
	}
	return out, nil
}

func resolveFile(n *node, file string) (*node, error) {
	rel := n.attr("file")
	if rel == "" {
		return n, nil
	}
	path := rel
	if !filepath.IsAbs(rel) {
		path = filepath.Join(filepath.Dir(file), rel)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, backend.Plain(backend.CodeOperationFailed, "failed to open file '%s': %v", path, err)
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, backend.XMLError("%s: %v", path, err)
	}
	if root.Name.Local != n.Name.Local {
		return nil, backend.XMLError("expecting root element of '%s', not '%s'", n.Name.Local, root.Name.Local)
	}
	return root, nil
}

// testNSData is what testDomainDefNamespaceParse reads from a domain.
type testNSData struct {
	runstate       backend.DomainState
	transient      bool
	hasManagedSave bool
	snapshots      []*node
}

func parseTestNS(dom *node) (testNSData, error) {
	ns := testNSData{runstate: backend.DomainRunning}
	for _, c := range dom.Children {
		if c.Name.Space != testNS {
			continue
		}
		switch c.Name.Local {
		case "transient":
			ns.transient = true
		case "hasmanagedsave":
			ns.hasManagedSave = true
		case "domainsnapshot":
			ns.snapshots = append(ns.snapshots, c)
		case "runstate":
			v, err := strconv.ParseUint(strings.TrimSpace(c.Text), 10, 32)
			if err != nil {
				return ns, backend.XMLError("invalid runstate")
			}
			if v > uint64(backend.DomainPMSuspended) {
				return ns, backend.XMLError("runstate '%d' out of range'", v)
			}
			ns.runstate = backend.DomainState(v)
		}
	}
	if ns.transient && ns.runstate == backend.DomainShutoff {
		return ns, backend.XMLError("transient domain cannot have runstate 'shutoff'")
	}
	if ns.hasManagedSave && ns.runstate != backend.DomainShutoff {
		return ns, backend.XMLError("domain with managedsave data can only have runstate 'shutoff'")
	}
	return ns, nil
}

// loadDomains is testParseDomains: running domains get ids in file order.
func (c *conn) loadDomains(root *node, file string) error {
	doms, err := children(root, "domain", file)
	if err != nil {
		return err
	}
	for _, n := range doms {
		if err := c.loadDomain(n, file); err != nil {
			return err
		}
	}
	return nil
}

func (c *conn) loadDomain(n *node, file string) error {
	ns, err := parseTestNS(n)
	if err != nil {
		return err
	}
	def, err := parseDomain(n.rawXML())
	if err != nil {
		return err
	}
	obj, err := c.addDomain(def, false)
	if err != nil {
		return err
	}
	obj.persistent = !ns.transient
	obj.managedSave = ns.hasManagedSave
	if err := obj.loadSnapshots(ns.snapshots, file); err != nil {
		return err
	}
	if ns.runstate != backend.DomainShutoff {
		c.startState(obj, backend.RunningBooted)
	}
	obj.setState(ns.runstate, backend.ReasonUnknown)
	return nil
}

// loadNetworks is testParseNetworks: every network is active and persistent.
func (c *conn) loadNetworks(root *node, file string) error {
	nets, err := children(root, "network", file)
	if err != nil {
		return err
	}
	for _, n := range nets {
		obj, err := c.assignNetwork(n.rawXML(), false)
		if err != nil {
			return err
		}
		obj.active = true
	}
	return nil
}

// loadPools is testParseStorage: every pool is active, with its volumes.
func (c *conn) loadPools(root *node, file string) error {
	pools, err := children(root, "pool", file)
	if err != nil {
		return err
	}
	for _, n := range pools {
		pool, err := parsePool(n)
		if err != nil {
			return err
		}
		vols, err := children(n, "volume", file)
		if err != nil {
			return err
		}
		for _, v := range vols {
			if err := pool.addVolume(v); err != nil {
				return err
			}
		}
		c.pools = append(c.pools, pool)
	}
	return nil
}
