package xen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// xlDomain is one line of `xl list -v`: what the hypervisor says about a
// running domain.
type xlDomain struct {
	Name    string
	ID      int
	MemMiB  uint64
	VCPUs   int
	Flags   string // r b p s c d, e.g. "-bp---"
	CPUTime time.Duration
	UUID    string
	Type    string // libxl's domain type: pv, hvm or pvh; "" when unknown (xl list -v does not say)
}

// Arg is the domain as xl's commands take it after virtsh has looked it
// up under its lock: by id, so that xl acts on the very domain virtsh
// checked (a domain of the same name made since then is another one),
// and need not look the name up again, as libvirt's libxl driver acts
// on its domid.
func (d xlDomain) Arg() string { return strconv.Itoa(d.ID) }

// State maps xl's state flags to libvirt's states, as libvirt's libxl
// driver reports them: running and blocked are both "running".
func (d xlDomain) State() backend.DomainState {
	switch {
	case strings.Contains(d.Flags, "c"):
		return backend.DomainCrashed
	case strings.Contains(d.Flags, "d"), strings.Contains(d.Flags, "s"):
		return backend.DomainShutdown
	case strings.Contains(d.Flags, "p"):
		return backend.DomainPaused
	}
	return backend.DomainRunning
}

// parseXLList reads `xl list -v`:
//
//	Name   ID   Mem VCPUs	State	Time(s)   UUID   Reason-Code	Security Label
//	Domain-0  0   512   1     r-----   8.0 00000000-0000-0000-0000-000000000000   -   -
func parseXLList(out []byte) ([]xlDomain, error) {
	var doms []xlDomain
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[0] == "Name" {
			continue
		}
		// The name may hold spaces: the numeric columns are found from
		// the ID, the first all-digit field after the name.
		i := 1
		for i < len(f)-4 && !isDigits(f[i]) {
			i++
		}
		d := xlDomain{Name: strings.Join(f[:i], " "), Flags: f[i+3]}
		var err error
		if d.ID, err = strconv.Atoi(f[i]); err != nil {
			return nil, backend.Internal("cannot parse xl list: %q", sc.Text())
		}
		d.MemMiB, _ = strconv.ParseUint(f[i+1], 10, 64)
		d.VCPUs, _ = strconv.Atoi(f[i+2])
		if secs, err := strconv.ParseFloat(f[i+4], 64); err == nil {
			d.CPUTime = time.Duration(secs * float64(time.Second))
		}
		if len(f) > i+5 && len(f[i+5]) == 36 {
			d.UUID = f[i+5]
		}
		doms = append(doms, d)
	}
	return doms, sc.Err()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// xlConfigJSON is the part of `xl list -l` (libxl_domain_config as JSON)
// the driver reads.
type xlConfigJSON struct {
	DomID  int `json:"domid"`
	Config struct {
		CInfo struct {
			Type string `json:"type"`
			Name string `json:"name"`
			UUID string `json:"uuid"`
		} `json:"c_info"`
		BInfo struct {
			MaxVCPUs   int      `json:"max_vcpus"`
			MaxMemKB   uint64   `json:"max_memkb"`
			TargetKB   uint64   `json:"target_memkb"`
			Kernel     string   `json:"kernel"`
			Cmdline    string   `json:"cmdline"`
			Ramdisk    string   `json:"ramdisk"`
			Bootloader string   `json:"bootloader"`
			AvailVCPUs []int    `json:"avail_vcpus"`
			TypePV     struct{} `json:"type.pv"`
			TypeHVM    struct {
				Serial     string   `json:"serial"`
				SerialList []string `json:"serial_list"`
			} `json:"type.hvm"`
		} `json:"b_info"`
		Disks []struct {
			Backend    string `json:"backend"`
			PdevPath   string `json:"pdev_path"`
			Vdev       string `json:"vdev"`
			Format     string `json:"format"`
			Readwrite  int    `json:"readwrite"`
			IsCDROM    int    `json:"is_cdrom"`
			BackendDom int    `json:"backend_domid"`
		} `json:"disks"`
		NICs []struct {
			DevID   int    `json:"devid"`
			MAC     string `json:"mac"`
			Bridge  string `json:"bridge"`
			IP      string `json:"ip"`
			Script  string `json:"script"`
			IfName  string `json:"ifname"`
			NICType string `json:"nictype"`
			Model   string `json:"model"`
		} `json:"nics"`
		OnPoweroff string `json:"on_poweroff"`
		OnReboot   string `json:"on_reboot"`
		OnCrash    string `json:"on_crash"`
	} `json:"config"`
}

func parseXLListLong(out []byte) ([]xlConfigJSON, error) {
	var doms []xlConfigJSON
	if err := json.Unmarshal(out, &doms); err != nil {
		return nil, backend.Internal("cannot parse the JSON of xl list -l: %v", err)
	}
	return doms, nil
}

// parseXLInfo reads `xl info` ("key : value" lines).
func parseXLInfo(out []byte) map[string]string {
	info := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

// xl runs one xl command. A command that may change a domain forgets
// the remembered domain list.
func (c *Conn) xl(ctx context.Context, args ...string) ([]byte, error) {
	out, err := c.run.Run(ctx, "xl", args...)
	if len(args) > 0 && args[0] != "list" && args[0] != "info" {
		c.listMu.Lock()
		c.listOut = nil
		c.listMu.Unlock()
	}
	if err != nil {
		return out, toolFailed(err)
	}
	return out, nil
}

// listTTL is how long one `xl list` answers for, when the connection
// has no working DomainReader: a command line looks a domain up and then
// acts on it, and each xl list costs a toolstack start (seconds in a
// nested dom0). xl itself rechecks the state of every domain it acts on.
const listTTL = time.Second

// running lists the domains the hypervisor runs: from the reader, or
// from `xl list` when there is none or it fails.
func (c *Conn) running(ctx context.Context) ([]xlDomain, error) {
	if c.reader != nil {
		if doms, err := c.reader.Domains(ctx); err == nil {
			return doms, nil
		}
	}
	c.listMu.Lock()
	out := c.listOut
	if time.Since(c.listAt) > listTTL {
		out = nil
	}
	c.listMu.Unlock()
	if out == nil {
		var err error
		if out, err = c.xl(ctx, "list", "-v"); err != nil {
			return nil, err
		}
		c.listMu.Lock()
		c.listOut, c.listAt = out, time.Now()
		c.listMu.Unlock()
	}
	return parseXLList(out)
}
