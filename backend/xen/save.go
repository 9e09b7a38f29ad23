package xen

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"

	"github.com/virtsh/virtsh/backend"
)

// Save stops a running domain, saving its memory to file (xl save).
func (s domains) Save(ctx context.Context, name, file string) error {
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot save")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.c.xl(ctx, "save", a.xl.Arg(), file); err != nil {
		return err
	}
	return s.c.ended(ctx, a, backend.ShutoffSaved)
}

// Restore starts a domain again from a file of Save (xl restore).
func (s domains) Restore(ctx context.Context, file string) (backend.DomainInfo, error) {
	name, err := savedName(file)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	defer unlock()
	if v, err := s.c.view(ctx, name); err == nil && v.xl != nil {
		return backend.DomainInfo{}, backend.OperationFailed("domain '%s' is already active", name)
	}
	if _, err := s.c.xl(ctx, "restore", file); err != nil {
		return backend.DomainInfo{}, err
	}
	def, ok, _ := s.c.defs.Read(name)
	if ok {
		if err := s.c.live.Write(name, def); err != nil {
			return backend.DomainInfo{}, err
		}
	}
	if err := s.c.writeRecord(name, backend.DomainRunning, backend.RunningRestored); err != nil {
		return backend.DomainInfo{}, err
	}
	v, err := s.c.view(ctx, name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	// The saved configuration names the bridges; the ports are recorded
	// again under the vifs' new names.
	if d, err := parseDomain(def); ok && err == nil && hasNetworkVif(d) && v.xl != nil {
		if err := s.c.recordPorts(d, v.xl.ID); err != nil {
			return backend.DomainInfo{}, err
		}
	}
	return v.info(), nil
}

// The header of an xl save file (xl_saverestore.c): a magic string, four
// 32-bit words in the saving host's byte order, then the optional data,
// which starts with the domain's configuration (libxl's JSON when the
// JSON mandatory flag is set).
var saveMagic = []byte("Xen saved domain, xl format\n \x00 \r")

const (
	saveByteOrder = 0x01020304
	saveFlagJSON  = 1
)

// savedName reads the domain name from an xl save file.
func savedName(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", backend.OperationFailed("cannot read saved domain '%s': %v", file, err)
	}
	defer f.Close()
	bad := func(why string) (string, error) {
		return "", backend.OperationFailed("'%s' is not a domain saved by xl: %s", file, why)
	}
	head := make([]byte, len(saveMagic)+16)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head[:len(saveMagic)], saveMagic) {
		return bad("no xl save header")
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if binary.BigEndian.Uint32(head[32:]) == saveByteOrder {
		order = binary.BigEndian
	}
	words := func(i int) uint32 { return order.Uint32(head[32+4*i:]) }
	if words(0) != saveByteOrder {
		return bad("unknown byte order")
	}
	if words(1)&saveFlagJSON == 0 {
		return bad("its configuration is not JSON (saved by an xl older than 4.5)")
	}
	if words(3) < 4 {
		return bad("no configuration in the header")
	}
	var size [4]byte
	if _, err := io.ReadFull(f, size[:]); err != nil {
		return bad("truncated header")
	}
	n := order.Uint32(size[:])
	if n > words(3)-4 || n > 16<<20 {
		return bad("configuration size out of range")
	}
	conf := make([]byte, n)
	if _, err := io.ReadFull(f, conf); err != nil {
		return bad("truncated configuration")
	}
	var cfg struct {
		CInfo struct {
			Name string `json:"name"`
		} `json:"c_info"`
	}
	if err := json.Unmarshal(bytes.TrimRight(conf, "\x00"), &cfg); err != nil || cfg.CInfo.Name == "" {
		return bad("no domain name in its configuration")
	}
	return cfg.CInfo.Name, nil
}
