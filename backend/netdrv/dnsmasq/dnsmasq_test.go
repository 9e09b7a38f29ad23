package dnsmasq

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

func TestContents(t *testing.T) {
	_, n, _ := net.ParseCIDR("192.168.122.0/24")
	c := Config{
		Network: "default", Bridge: "virbr0", Subnet: n,
		Ranges: []Range{{Start: net.ParseIP("192.168.122.2"), End: net.ParseIP("192.168.122.254"), Mask: n.Mask}},
		Hosts:  []Host{{MAC: "52:54:00:00:00:01", IP: "192.168.122.5", Name: "a"}},
	}
	f := FilesFor("/d", "default")
	got := c.Contents(f)
	want := "strict-order\nuser=root\npid-file=/d/default.pid\nexcept-interface=lo\nbind-dynamic\ninterface=virbr0\n" +
		"dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0\ndhcp-no-override\ndhcp-authoritative\n" +
		"dhcp-lease-max=253\ndhcp-hostsfile=/d/default.hostsfile\naddn-hosts=/d/default.addnhosts\n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("config:\n%s\nwant it to end with:\n%s", got, want)
	}
	if h := c.HostsContents(); h != "52:54:00:00:00:01,192.168.122.5,a\n" {
		t.Errorf("hostsfile %q", h)
	}
}

// TestHelper runs the lease helper as dnsmasq does: add, old, init, del.
func TestHelper(t *testing.T) {
	path := filepath.Join(t.TempDir(), "net.status")
	env := map[string]string{"DNSMASQ_LEASE_EXPIRES": "4102444800", "DNSMASQ_CLIENT_ID": "01:52:54:00:00:00:01"}
	run := func(args ...string) string {
		var out bytes.Buffer
		if err := Helper(append([]string{path}, args...), func(k string) string { return env[k] }, &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	run("add", "52:54:00:00:00:01", "10.0.0.5", "vm1")
	run("old", "52:54:00:00:00:01", "10.0.0.5", "vm1")
	run("add", "52:54:00:00:00:02", "10.0.0.6")
	if out := run("init"); out != "4102444800 52:54:00:00:00:01 10.0.0.5 vm1 01:52:54:00:00:00:01\n4102444800 52:54:00:00:00:02 10.0.0.6 * 01:52:54:00:00:00:01\n" {
		t.Errorf("init:\n%s", out)
	}
	run("del", "52:54:00:00:00:01", "10.0.0.5")
	leases, err := ReadLeases(path)
	if err != nil || len(leases) != 1 || leases[0].IP != "10.0.0.6" {
		t.Errorf("after del: %+v %v", leases, err)
	}
	env["DNSMASQ_LEASE_EXPIRES"] = "1"
	run("old", "52:54:00:00:00:02", "10.0.0.6")
	if leases, _ := ReadLeases(path); len(leases) != 0 {
		t.Errorf("an expired lease is still listed: %+v", leases)
	}
}
