// Package nft writes the firewall of virtual networks with nftables
// (github.com/google/nftables, no nft binary), the way libvirt's nftables
// backend does, in a table virtsh owns: `ip virtsh_network`, with a
// `forward` base chain jumping to guest_cross, guest_input and
// guest_output, and a `guest_nat` postrouting chain. Each network's
// rules carry a comment naming it; their handles are returned so that
// stopping the network deletes exactly those rules and never another
// program's. Everything acts in the calling thread's network namespace.
package nft

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"
)

// TableName is the nftables table (family ip) virtsh owns.
const TableName = "virtsh_network"

// The chains of the table.
const (
	ChainForward = "forward"
	ChainCross   = "guest_cross"
	ChainInput   = "guest_input"
	ChainOutput  = "guest_output"
	ChainNAT     = "guest_nat"
)

var table = &nftables.Table{Name: TableName, Family: nftables.TableFamilyIPv4}

// Network says which rules a network needs.
type Network struct {
	Name   string       // the network's name, written in each rule's comment
	Mode   string       // nat, route, or "" for isolated
	Bridge string       // the network's bridge
	Dev    string       // <forward dev=...>: outgoing interface, or ""
	Nets   []*net.IPNet // the IPv4 networks of the network
}

// Rule identifies one rule written for a network: enough to delete it.
type Rule struct {
	Chain  string `json:"chain"`
	Handle uint64 `json:"handle"`
}

// rule is a rule to write: its chain and expressions.
type rule struct {
	chain string
	exprs []expr.Any
}

// Add writes the rules of n (creating the table and its chains if this is
// the first firewalled network) and returns their handles. On failure
// nothing is left behind.
func Add(n Network) ([]Rule, error) {
	br, err := net.InterfaceByName(n.Bridge)
	if err != nil {
		return nil, fmt.Errorf("cannot find bridge %s: %w", n.Bridge, err)
	}
	c, err := nftables.New()
	if err != nil {
		return nil, err
	}
	created, err := ensureTable(c)
	if err != nil {
		return nil, fmt.Errorf("cannot create the nftables table %s: %w", TableName, err)
	}
	rules := rulesOf(n, uint32(br.Index))
	tag := comment(n.Name)
	// Each chain's rules are inserted at its top in reverse order, so they
	// keep their order and come before the rules of networks started
	// earlier, as libvirt does; the accepts precede the rejects.
	for i := len(rules) - 1; i >= 0; i-- {
		c.InsertRule(&nftables.Rule{
			Table: table, Chain: &nftables.Chain{Name: rules[i].chain, Table: table},
			Exprs: rules[i].exprs, UserData: userdata.AppendString(nil, userdata.TypeComment, tag),
		})
	}
	if err := c.Flush(); err != nil {
		if created {
			dropTable(c)
		}
		return nil, fmt.Errorf("cannot add the firewall rules of network '%s': %w", n.Name, err)
	}
	handles, err := Rules(n.Name)
	if err == nil && len(handles) != len(rules) {
		err = fmt.Errorf("found %d rules after adding %d", len(handles), len(rules))
	}
	if err != nil {
		Delete(handles)
		return nil, fmt.Errorf("cannot read back the firewall rules of network '%s': %w", n.Name, err)
	}
	return handles, nil
}

func comment(network string) string { return "virtsh network " + network }

// Rules finds the rules written for network, by their comment.
func Rules(network string) ([]Rule, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, chain := range []string{ChainCross, ChainInput, ChainOutput, ChainNAT} {
		rs, err := c.GetRules(table, &nftables.Chain{Name: chain, Table: table})
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return out, err
		}
		for _, r := range rs {
			if s, ok := userdata.GetString(r.UserData, userdata.TypeComment); ok && s == comment(network) {
				out = append(out, Rule{Chain: chain, Handle: r.Handle})
			}
		}
	}
	return out, nil
}

// Delete removes the rules by handle (rules already gone are skipped),
// then the table itself once no network has rules in it.
func Delete(rules []Rule) error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	exists, err := tableExists(c)
	if err != nil || !exists {
		return err
	}
	if onlyThese(c, rules) {
		// The last network's rules: deleting the table removes them, its
		// chains and its jumps in one transaction (one grace period).
		c.DelTable(table)
		if err := c.Flush(); err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
	}
	// One batch for all rules; if one is gone already (the batch then
	// fails as a whole), each is deleted on its own.
	for _, r := range rules {
		c.DelRule(ruleRef(r))
	}
	var errs []error
	if err := c.Flush(); err != nil {
		for _, r := range rules {
			err := c.DelRule(ruleRef(r))
			if err == nil {
				err = c.Flush()
			}
			if err != nil && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, fmt.Errorf("cannot delete rule %d of chain %s: %w", r.Handle, r.Chain, err))
			}
		}
	}
	if empty, err := tableUnused(c); err == nil && empty {
		dropTable(c)
	}
	return errors.Join(errs...)
}

func ruleRef(r Rule) *nftables.Rule {
	return &nftables.Rule{Table: table, Chain: &nftables.Chain{Name: r.Chain, Table: table}, Handle: r.Handle}
}

func tableExists(c *nftables.Conn) (bool, error) {
	_, err := c.ListTableOfFamily(TableName, nftables.TableFamilyIPv4)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, err
}

// onlyThese reports whether the guest chains hold exactly rules.
func onlyThese(c *nftables.Conn, rules []Rule) bool {
	ours := map[Rule]bool{}
	for _, r := range rules {
		ours[r] = true
	}
	n := 0
	for _, chain := range []string{ChainCross, ChainInput, ChainOutput, ChainNAT} {
		rs, err := c.GetRules(table, &nftables.Chain{Name: chain, Table: table})
		if err != nil {
			return false
		}
		for _, r := range rs {
			if !ours[Rule{Chain: chain, Handle: r.Handle}] {
				return false
			}
			n++
		}
	}
	return n == len(rules)
}

// tableUnused reports whether the guest chains hold no rule any more.
func tableUnused(c *nftables.Conn) (bool, error) {
	for _, chain := range []string{ChainCross, ChainInput, ChainOutput, ChainNAT} {
		rs, err := c.GetRules(table, &nftables.Chain{Name: chain, Table: table})
		if err != nil {
			return false, err
		}
		if len(rs) > 0 {
			return false, nil
		}
	}
	return true, nil
}

func dropTable(c *nftables.Conn) {
	c.DelTable(table)
	c.Flush()
}

// ensureTable creates the table, its chains and the forward chain's jumps
// when the table does not exist; created says whether it did.
func ensureTable(c *nftables.Conn) (created bool, err error) {
	if ok, err := tableExists(c); err != nil || ok {
		return false, err
	}
	accept := nftables.ChainPolicyAccept
	c.AddTable(table)
	fwd := c.AddChain(&nftables.Chain{
		Name: ChainForward, Table: table, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &accept,
	})
	for _, name := range []string{ChainCross, ChainInput, ChainOutput} {
		c.AddChain(&nftables.Chain{Name: name, Table: table})
		c.AddRule(&nftables.Rule{Table: table, Chain: fwd, Exprs: []expr.Any{
			&expr.Counter{}, &expr.Verdict{Kind: expr.VerdictJump, Chain: name},
		}})
	}
	c.AddChain(&nftables.Chain{
		Name: ChainNAT, Table: table, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource, Policy: &accept,
	})
	if err := c.Flush(); err != nil {
		return false, err
	}
	return true, nil
}

// rulesOf lists n's rules in their final order within each chain (the
// rules of libvirt's network_nftables.c).
func rulesOf(n Network, brIndex uint32) []rule {
	iif := matchIndex(expr.MetaKeyIIF, brIndex)
	oif := matchIndex(expr.MetaKeyOIF, brIndex)
	var out []rule
	add := func(chain string, parts ...[]expr.Any) {
		var exprs []expr.Any
		for _, p := range parts {
			exprs = append(exprs, p...)
		}
		out = append(out, rule{chain, exprs})
	}
	var outDev, inDev []expr.Any
	if n.Dev != "" {
		outDev = matchName(expr.MetaKeyOIFNAME, n.Dev)
		inDev = matchName(expr.MetaKeyIIFNAME, n.Dev)
	}
	for _, ipn := range n.Nets {
		switch n.Mode {
		case "nat":
			add(ChainOutput, matchAddr(12, ipn, false), iif, outDev, verdict(expr.VerdictAccept))
			add(ChainInput, inDev, oif, matchAddr(16, ipn, false), ctRelatedEstablished(), verdict(expr.VerdictAccept))
		case "route":
			add(ChainOutput, matchAddr(12, ipn, false), iif, outDev, verdict(expr.VerdictAccept))
			add(ChainInput, inDev, matchAddr(16, ipn, false), oif, verdict(expr.VerdictAccept))
		}
	}
	add(ChainOutput, iif, reject())
	add(ChainInput, oif, reject())
	add(ChainCross, iif, oif, verdict(expr.VerdictAccept))
	if n.Mode != "nat" {
		return out
	}
	for _, ipn := range n.Nets {
		src := matchAddr(12, ipn, false)
		for _, special := range []string{"224.0.0.0/24", "255.255.255.255/32"} {
			_, sn, _ := net.ParseCIDR(special)
			add(ChainNAT, src, matchAddr(16, sn, false), outDev, verdict(expr.VerdictReturn))
		}
		for _, proto := range []byte{unix.IPPROTO_TCP, unix.IPPROTO_UDP} {
			add(ChainNAT, src, matchAddr(16, ipn, true), outDev, matchProto(proto), masqueradePorts(1024, 65535))
		}
		add(ChainNAT, src, matchAddr(16, ipn, true), outDev, []expr.Any{&expr.Masq{}})
	}
	return out
}

func verdict(k expr.VerdictKind) []expr.Any { return []expr.Any{&expr.Verdict{Kind: k}} }

// reject is nft's plain `reject` (ICMP port unreachable).
func reject() []expr.Any {
	return []expr.Any{&expr.Reject{Type: unix.NFT_REJECT_ICMP_UNREACH, Code: 3}}
}

func matchIndex(key expr.MetaKey, index uint32) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(index)},
	}
}

// matchName matches an interface name exactly (NUL-terminated: without
// the NUL it would be a prefix match).
func matchName(key expr.MetaKey, name string) []expr.Any {
	data := make([]byte, unix.IFNAMSIZ)
	copy(data, name)
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: data},
	}
}

// matchAddr matches the IPv4 source (offset 12) or destination (16)
// address against n (or its complement with not).
func matchAddr(offset uint32, n *net.IPNet, not bool) []expr.Any {
	op := expr.CmpOpEq
	if not {
		op = expr.CmpOpNeq
	}
	mask := net.IP(n.Mask).To4()
	if len(n.Mask) == 4 {
		mask = net.IP(n.Mask)
	}
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: []byte(mask), Xor: []byte{0, 0, 0, 0}},
		&expr.Cmp{Op: op, Register: 1, Data: []byte(n.IP.Mask(n.Mask).To4())},
	}
}

func ctRelatedEstablished() []expr.Any {
	return []expr.Any{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(expr.CtStateBitESTABLISHED | expr.CtStateBitRELATED),
			Xor:  binaryutil.NativeEndian.PutUint32(0)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(0)},
	}
}

func matchProto(p byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{p}},
	}
}

// masqueradePorts is `masquerade to :min-max`.
func masqueradePorts(min, max uint16) []expr.Any {
	return []expr.Any{
		&expr.Immediate{Register: 1, Data: binaryutil.BigEndian.PutUint16(min)},
		&expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(max)},
		&expr.Masq{ToPorts: true, RegProtoMin: 1, RegProtoMax: 2},
	}
}
