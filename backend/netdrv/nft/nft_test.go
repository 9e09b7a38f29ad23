package nft

import (
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend/netdrv/links"
	"github.com/virtsh/virtsh/backend/netdrv/nstest"
)

// listTable is the table as nft prints it (the nft binary only reads
// here, to compare with libvirt's rules as users see them).
func listTable(t *testing.T) string {
	out, err := exec.Command("nft", "list", "table", "ip", TableName).CombinedOutput()
	if err != nil {
		return ""
	}
	return string(out)
}

// TestNATRules writes a NAT network's rules in a private namespace and
// compares them with the spec's, then deletes them by handle while a rule
// of another network stays.
func TestNATRules(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft (Debian package nftables) is needed to read the rules back")
	}
	nstest.Run(t, func() {
		for _, br := range []string{"virbr0", "virbr1"} {
			if err := links.CreateBridge(links.Bridge{Name: br}); err != nil {
				t.Error(err)
				return
			}
		}
		_, ipn, _ := net.ParseCIDR("192.168.122.0/24")
		nat, err := Add(Network{Name: "default", Mode: "nat", Bridge: "virbr0", Nets: []*net.IPNet{ipn}})
		if err != nil {
			t.Error(err)
			return
		}
		if len(nat) != 10 {
			t.Errorf("%d rules, want 10", len(nat))
		}
		other, err := Add(Network{Name: "iso", Bridge: "virbr1"})
		if err != nil {
			t.Error(err)
			return
		}
		got := listTable(t)
		for _, want := range []string{
			"chain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\tcounter packets 0 bytes 0 jump guest_cross\n\t\tcounter packets 0 bytes 0 jump guest_input\n\t\tcounter packets 0 bytes 0 jump guest_output\n",
			"chain guest_output {\n\t\tiif \"virbr1\" reject comment \"virtsh network iso\"\n\t\tip saddr 192.168.122.0/24 iif \"virbr0\" accept comment \"virtsh network default\"\n\t\tiif \"virbr0\" reject comment \"virtsh network default\"\n",
			"oif \"virbr0\" ip daddr 192.168.122.0/24 ct state established,related accept",
			"iif \"virbr0\" oif \"virbr0\" accept",
			"chain guest_nat {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n" +
				"\t\tip saddr 192.168.122.0/24 ip daddr 224.0.0.0/24 return comment \"virtsh network default\"\n" +
				"\t\tip saddr 192.168.122.0/24 ip daddr 255.255.255.255 return comment \"virtsh network default\"\n" +
				"\t\tip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 meta l4proto tcp masquerade to :1024-65535 comment \"virtsh network default\"\n" +
				"\t\tip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 meta l4proto udp masquerade to :1024-65535 comment \"virtsh network default\"\n" +
				"\t\tip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 masquerade comment \"virtsh network default\"\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("nft list table lacks\n%s\ngot:\n%s", want, got)
			}
		}
		if err := Delete(nat); err != nil {
			t.Error(err)
		}
		got = listTable(t)
		if strings.Contains(got, "virbr0") || !strings.Contains(got, "virbr1") {
			t.Errorf("after deleting network default's rules:\n%s", got)
		}
		if err := Delete(other); err != nil {
			t.Error(err)
		}
		if got := listTable(t); got != "" {
			t.Errorf("the table outlived its last rule:\n%s", got)
		}
	})
}
