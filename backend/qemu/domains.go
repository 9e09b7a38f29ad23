package qemu

import (
	"context"
	"encoding/xml"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// domains implements backend.DomainService over the definition store and
// the runtime status files.
type domains struct{ c *Conn }

// definition returns the XML of name: the live one when running (unless
// inactive), else the persistent one; persistent tells whether a
// persistent definition exists.
func (d *domains) definition(name string, inactive bool) (doc string, st status, running, persistent bool, err error) {
	st, hasStatus, err := d.c.readStatus(name)
	if err != nil {
		return "", st, false, false, err
	}
	running = hasStatus && st.State.Active()
	doc, persistent, err = d.c.defs.Read(name)
	if err != nil {
		return "", st, false, false, err
	}
	if running && (!inactive || !persistent) {
		b, rerr := os.ReadFile(d.c.liveXMLPath(name))
		if rerr == nil {
			doc = string(b)
		} else if !persistent {
			return "", st, false, false, backend.OperationFailed("cannot read the live XML of domain '%s': %v", name, rerr)
		}
	}
	if !persistent && !running {
		return "", st, false, false, backend.NoDomain("no domain with matching name '%s'", name)
	}
	return doc, st, running, persistent, nil
}

func (d *domains) info(name string) (backend.DomainInfo, error) {
	doc, st, running, persistent, err := d.definition(name, false)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	var sum domainSummary
	if err := xml.Unmarshal([]byte(doc), &sum); err != nil {
		return backend.DomainInfo{}, backend.XMLError("domain '%s': %v", name, err)
	}
	dom := libvirtxml.Domain{Name: sum.Name, UUID: sum.UUID, Title: sum.Title,
		Memory: sum.Memory, CurrentMemory: sum.CurrentMemory, VCPU: sum.VCPU}
	return d.infoOf(&dom, st, running, persistent), nil
}

// domainSummary is what infoOf reads of a domain's XML. Decoding these
// elements alone spares encoding/xml building its field tables for all of
// libvirtxml.Domain, which is half of what a `virtsh dominfo` process
// does besides starting.
type domainSummary struct {
	XMLName       xml.Name                        `xml:"domain"`
	Name          string                          `xml:"name"`
	UUID          string                          `xml:"uuid"`
	Title         string                          `xml:"title"`
	Memory        *libvirtxml.DomainMemory        `xml:"memory"`
	CurrentMemory *libvirtxml.DomainCurrentMemory `xml:"currentMemory"`
	VCPU          *libvirtxml.DomainVCPU          `xml:"vcpu"`
}

func (d *domains) infoOf(dom *libvirtxml.Domain, st status, running, persistent bool) backend.DomainInfo {
	info := backend.DomainInfo{
		Name: dom.Name, UUID: dom.UUID, ID: -1, OSType: "hvm", State: backend.DomainShutoff,
		Persistent: persistent, Autostart: persistent && d.c.defs.Autostart(dom.Name), Title: dom.Title,
	}
	if st.State != backend.DomainNoState {
		info.State, info.Reason = st.State, st.Reason
	}
	if !running && info.State.Active() {
		info.State, info.Reason = backend.DomainShutoff, backend.ReasonUnknown
	}
	_, info.VCPUs = argv.VCPUs(dom)
	if dom.Memory != nil {
		info.MaxMemKiB, _ = argv.KiB(uint64(dom.Memory.Value), dom.Memory.Unit)
	}
	info.MemKiB = info.MaxMemKiB
	if dom.CurrentMemory != nil {
		info.MemKiB, _ = argv.KiB(uint64(dom.CurrentMemory.Value), dom.CurrentMemory.Unit)
	}
	if running {
		info.ID = st.ID
		info.CPUTime = processCPUTime(st.QEMUPID)
	}
	return info
}

// List returns every persistent domain and every running transient one.
func (d *domains) List(ctx context.Context) ([]backend.DomainInfo, error) {
	lc := d.c.loadListCache()
	defer lc.save()
	names, trusted, err := lc.definitionNames(d.c.defs.Dir(), d.c.defs.Names)
	if err != nil {
		return nil, err
	}
	running, err := d.c.runtimeNames()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	for _, n := range running {
		if !seen[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// One directory read each instead of a lookup per domain: which have
	// runtime state, which are marked for autostart.
	hasStatus := make(map[string]bool, len(running))
	for _, n := range running {
		hasStatus[n] = true
	}
	autostart, err := d.c.defs.AutostartSet()
	if err != nil {
		return nil, err
	}
	out := make([]backend.DomainInfo, 0, len(names))
	for _, n := range names {
		info, err := d.listInfo(lc, trusted, n, hasStatus[n], autostart[n])
		if backend.CodeOf(err) == backend.CodeNotFound {
			continue // undefined or stopped meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

func (d *domains) LookupByName(_ context.Context, name string) (backend.DomainInfo, error) {
	if err := backend.ValidateName("domain", name); err != nil {
		return backend.DomainInfo{}, backend.NoDomain("no domain with matching name '%s'", name)
	}
	return d.info(name)
}

func (d *domains) LookupByID(ctx context.Context, id int) (backend.DomainInfo, error) {
	names, err := d.c.runtimeNames()
	if err != nil {
		return backend.DomainInfo{}, err
	}
	for _, n := range names {
		if st, ok, _ := d.c.readStatus(n); ok && st.State.Active() && st.ID == id {
			return d.info(n)
		}
	}
	return backend.DomainInfo{}, backend.NoDomain("no domain with matching id %d", id)
}

func (d *domains) LookupByUUID(ctx context.Context, uuid string) (backend.DomainInfo, error) {
	all, err := d.List(ctx)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	want := strings.ReplaceAll(strings.ToLower(uuid), "-", "")
	for _, info := range all {
		if strings.ReplaceAll(strings.ToLower(info.UUID), "-", "") == want {
			return info, nil
		}
	}
	return backend.DomainInfo{}, backend.NoDomain("no domain with matching uuid '%s'", uuid)
}

// Define stores a persistent definition, refusing a second domain with
// the same UUID or a new UUID under an existing name, as libvirt does.
func (d *domains) Define(ctx context.Context, doc string, _ backend.DefineOptions) (backend.DomainInfo, error) {
	def, err := d.c.parseDomain(doc)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	dom := def.Domain
	if err := validateUUID(dom.UUID); err != nil {
		return backend.DomainInfo{}, err
	}
	if err := d.c.defs.DefineDomain(def, d.c.runningIdentities); err != nil {
		return backend.DomainInfo{}, err
	}
	st, hasStatus, _ := d.c.readStatus(dom.Name)
	running := hasStatus && st.State.Active()
	return d.infoOf(dom, st, running, true), nil
}

func (d *domains) Undefine(ctx context.Context, name string, opts backend.UndefineOptions) error {
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	doc, ok, err := d.c.defs.Read(name)
	if err != nil {
		return err
	}
	if !ok {
		if st, has, _ := d.c.readStatus(name); has && st.State.Active() {
			return backend.InvalidState("cannot undefine transient domain")
		}
		return backend.NoDomain("no domain with matching name '%s'", name)
	}
	var dom libvirtxml.Domain
	_ = dom.Unmarshal(doc)
	nvram := d.c.paths(name).NVRAM
	if dom.OS != nil && dom.OS.NVRam != nil && dom.OS.NVRam.NVRam != "" {
		nvram = dom.OS.NVRam.NVRam
	}
	if fileExists(nvram) && !opts.NVRAM && !opts.KeepNVRAM {
		return backend.InvalidState("cannot undefine domain with nvram; use --nvram to remove it or --keep-nvram to keep it")
	}
	if err := d.c.defs.Remove(name); err != nil {
		return err
	}
	if opts.NVRAM {
		os.Remove(nvram)
	}
	st, has, _ := d.c.readStatus(name)
	if has && !st.State.Active() {
		os.Remove(d.c.statusPath(name))
	}
	return nil
}

func (d *domains) XML(ctx context.Context, name string, opts backend.XMLOptions) (string, error) {
	doc, _, _, _, err := d.definition(name, opts.Inactive)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(doc, "\n") + "\n", nil
}

func (d *domains) SetAutostart(ctx context.Context, name string, on bool) error {
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok, err := d.c.defs.Read(name); err != nil {
		return err
	} else if !ok {
		if _, has, _ := d.c.readStatus(name); has {
			return backend.InvalidState("cannot set autostart for transient domain")
		}
		return backend.NoDomain("no domain with matching name '%s'", name)
	}
	return d.c.defs.SetAutostart(name, on)
}

func (d *domains) Metadata(ctx context.Context, name string, kind backend.MetadataKind, scope backend.Scope) (string, error) {
	doc, _, _, _, err := d.definition(name, scope.Config)
	if err != nil {
		return "", err
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return "", backend.XMLError("%v", err)
	}
	if kind == backend.MetadataTitle {
		return dom.Title, nil
	}
	return dom.Description, nil
}

// SetMetadata changes the title or description of the persistent
// definition (and of the live one, which only virtsh reads).
func (d *domains) SetMetadata(ctx context.Context, name string, kind backend.MetadataKind, value string, scope backend.Scope) error {
	return d.c.editDefinitions(name, scope, func(dom *libvirtxml.Domain) error {
		if kind == backend.MetadataTitle {
			if strings.ContainsRune(value, '\n') {
				return backend.InvalidArgument("title can't contain newlines")
			}
			dom.Title = value
		} else {
			dom.Description = value
		}
		return nil
	})
}

func (d *domains) Rename(ctx context.Context, name, newName string) error {
	if err := backend.ValidateName("domain", newName); err != nil {
		return err
	}
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	if st, has, _ := d.c.readStatus(name); has && st.State.Active() {
		return backend.InvalidState("cannot rename active domain")
	}
	doc, ok, err := d.c.defs.Read(name)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NoDomain("no domain with matching name '%s'", name)
	}
	unlockNew, err := d.c.defs.Lock(newName)
	if err != nil {
		return err
	}
	defer unlockNew()
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return backend.XMLError("%v", err)
	}
	dom.Name = newName
	out, _ := dom.Marshal()
	if err := d.c.defs.Rename(name, newName); err != nil {
		return err
	}
	os.Remove(d.c.statusPath(name))
	return d.c.defs.Write(newName, out)
}

// editDefinitions applies edit to the persistent definition (scope
// config, or current while shut off) and to the live XML (scope live).
func (c *Conn) editDefinitions(name string, scope backend.Scope, edit func(*libvirtxml.Domain) error) error {
	unlock, err := c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	st, has, err := c.readStatus(name)
	if err != nil {
		return err
	}
	running := has && st.State.Active()
	live, config := scope.Live, scope.Config
	if !live && !config {
		live, config = running, !running
	}
	if live && !running {
		return backend.InvalidState("domain is not running")
	}
	type target struct {
		read  func() (string, bool, error)
		write func(string) error
	}
	var targets []target
	if config {
		targets = append(targets, target{
			func() (string, bool, error) { return c.defs.Read(name) },
			func(s string) error { return c.defs.Write(name, s) },
		})
	}
	if live {
		targets = append(targets, target{
			func() (string, bool, error) {
				b, err := os.ReadFile(c.liveXMLPath(name))
				return string(b), err == nil, nil
			},
			func(s string) error { return writeFile(c.liveXMLPath(name), s) },
		})
	}
	for _, t := range targets {
		doc, ok, err := t.read()
		if err != nil {
			return err
		}
		if !ok {
			if config && !live {
				return backend.InvalidState("cannot change persistent config of a transient domain")
			}
			return backend.NoDomain("no domain with matching name '%s'", name)
		}
		var dom libvirtxml.Domain
		if err := dom.Unmarshal(doc); err != nil {
			return backend.XMLError("%v", err)
		}
		if err := edit(&dom); err != nil {
			return err
		}
		out, err := dom.Marshal()
		if err != nil {
			return backend.Internal("%v", err)
		}
		if err := t.write(out); err != nil {
			return err
		}
	}
	return nil
}

// processCPUTime is the CPU time QEMU has used (user + system), from
// /proc without asking QEMU.
func processCPUTime(pid int) time.Duration {
	user, sys := processTimes(pid)
	return time.Duration(user + sys)
}
