package dnsmasq

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/virtsh/virtsh/backend/fsutil"
)

// HelperName is the hidden virtsh mode dnsmasq runs as its --dhcp-script
// (through the network's small wrapper script, since dnsmasq passes no
// arguments of our own): `virtsh __dnsmasq-lease-helper STATUSFILE
// add|old|del MAC IP [HOSTNAME]`, or `... STATUSFILE init`.
const HelperName = "__dnsmasq-lease-helper"

// Lease is one DHCP lease, with the JSON keys of libvirt's lease files
// (leaseshelper.c), so the files read the same.
type Lease struct {
	IP       string `json:"ip-address"`
	MAC      string `json:"mac-address"`
	Hostname string `json:"hostname,omitempty"`
	ClientID string `json:"client-id,omitempty"`
	IAID     string `json:"iaid,omitempty"`
	Expiry   int64  `json:"expiry-time"` // Unix seconds; 0: never
}

// Expired reports whether the lease has expired at now.
func (l Lease) Expired(now time.Time) bool {
	return l.Expiry != 0 && l.Expiry < now.Unix()
}

// ReadLeases returns the unexpired leases of a status file (none when the
// file does not exist).
func ReadLeases(path string) ([]Lease, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var all []Lease
	if len(b) > 0 {
		if err := json.Unmarshal(b, &all); err != nil {
			return nil, fmt.Errorf("malformed lease file %s: %w", path, err)
		}
	}
	now := time.Now()
	out := all[:0]
	for _, l := range all {
		if !l.Expired(now) {
			out = append(out, l)
		}
	}
	return out, nil
}

// Helper is the lease helper: it updates the status file for add, old
// and del, and for init prints the leases in dnsmasq's lease file format.
// env reads dnsmasq's DNSMASQ_* variables.
func Helper(args []string, env func(string) string, out io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: " + HelperName + " STATUSFILE add|old|del MAC IP [HOSTNAME] | STATUSFILE init")
	}
	path, action := args[0], args[1]
	unlock, err := fsutil.Lock(path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	leases, err := ReadLeases(path)
	if err != nil {
		return err
	}
	switch action {
	case "init":
		for _, l := range leases {
			fmt.Fprintf(out, "%d %s %s %s %s\n", l.Expiry, l.MAC, l.IP, orStar(l.Hostname), orStar(l.ClientID))
		}
		return nil
	case "add", "old", "del":
	default:
		return nil // dnsmasq's other actions (tftp, arp...) need nothing
	}
	if len(args) < 4 {
		return fmt.Errorf("%s needs MAC and IP", action)
	}
	mac, ip := args[2], args[3]
	kept := leases[:0]
	for _, l := range leases {
		if l.IP != ip && l.MAC != mac {
			kept = append(kept, l)
		}
	}
	leases = kept
	if action != "del" {
		l := Lease{IP: ip, MAC: mac, ClientID: env("DNSMASQ_CLIENT_ID"), IAID: env("DNSMASQ_IAID")}
		if len(args) > 4 {
			l.Hostname = args[4]
		} else {
			l.Hostname = env("DNSMASQ_SUPPLIED_HOSTNAME")
		}
		if exp := env("DNSMASQ_LEASE_EXPIRES"); exp != "" {
			l.Expiry, _ = strconv.ParseInt(exp, 10, 64)
		} else if rem := env("DNSMASQ_TIME_REMAINING"); rem != "" {
			secs, _ := strconv.ParseInt(rem, 10, 64)
			l.Expiry = time.Now().Unix() + secs
		}
		leases = append(leases, l)
	}
	sort.Slice(leases, func(i, j int) bool { return leases[i].IP < leases[j].IP })
	if leases == nil {
		leases = []Lease{}
	}
	b, _ := json.MarshalIndent(leases, "", "  ")
	return fsutil.WriteAtomic(path, append(b, '\n'), 0o600)
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}
