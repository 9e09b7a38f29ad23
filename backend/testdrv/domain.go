package testdrv

import (
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// domainObj is one domain. config is the persistent definition (nil for a
// transient domain); live is the running definition (nil when inactive).
type domainObj struct {
	config      *libvirtxml.Domain
	live        *libvirtxml.Domain
	id          int
	state       backend.DomainState
	reason      int
	persistent  bool
	autostart   bool
	managedSave bool
	snapshots   []*snapshotObj
	current     *snapshotObj
}

func (o *domainObj) active() bool { return o.live != nil }

// def is the definition in effect: the live one when running.
func (o *domainObj) def() *libvirtxml.Domain {
	if o.live != nil {
		return o.live
	}
	return o.config
}

func (o *domainObj) name() string { return o.def().Name }

func (o *domainObj) setState(s backend.DomainState, reason int) {
	o.state, o.reason = s, reason
}

// checkActive is libvirt's virDomainObjCheckActive.
func (o *domainObj) checkActive() error {
	if !o.active() {
		return backend.InvalidState("domain is not running")
	}
	return nil
}

// defs returns the definitions a change with scope applies to, as
// libvirt's virDomainObjGetDefs: live, config, or either may be nil.
func (o *domainObj) defs(scope backend.Scope) (live, config *libvirtxml.Domain, err error) {
	if !scope.Live && !scope.Config {
		scope.Live = o.active()
		scope.Config = !scope.Live
	}
	if scope.Live {
		if err := o.checkActive(); err != nil {
			return nil, nil, err
		}
		live = o.live
	}
	if scope.Config {
		if !o.persistent {
			return nil, nil, backend.InvalidState("transient domains do not have any persistent config")
		}
		config = o.config
	}
	return live, config, nil
}

// oneDef is virDomainObjGetOneDefState: exactly one definition, and
// whether it is the live one.
func (o *domainObj) oneDef(scope backend.Scope) (*libvirtxml.Domain, bool, error) {
	if scope.Live && scope.Config {
		return nil, false, backend.InvalidArgument("Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive")
	}
	live, config, err := o.defs(scope)
	if err != nil {
		return nil, false, err
	}
	if live != nil {
		return live, true, nil
	}
	return config, false, nil
}

// info builds the DomainInfo of a domain. Like libvirt's test driver, CPU
// time is the current time of day.
func (o *domainObj) info() backend.DomainInfo {
	d := o.def()
	id := -1
	sec := backend.SecurityLabel{Model: securityModel}
	if o.active() {
		id = o.id
		sec.Label, sec.Enforcing = "libvirt-test", true
	}
	return backend.DomainInfo{
		Name:        d.Name,
		UUID:        d.UUID,
		ID:          id,
		OSType:      "linux",
		State:       o.state,
		Reason:      o.reason,
		VCPUs:       vcpus(d),
		CPUTime:     time.Duration(time.Now().UnixNano()),
		MaxMemKiB:   uint64(d.Memory.Value),
		MemKiB:      uint64(d.CurrentMemory.Value),
		Persistent:  o.persistent,
		Autostart:   o.autostart,
		ManagedSave: o.managedSave,
		Snapshots:   len(o.snapshots),
		Title:       d.Title,
		Security:    []backend.SecurityLabel{sec},
	}
}

// parseDomain parses domain XML with libvirt's checks and defaults.
func parseDomain(xmlText string) (*libvirtxml.Domain, error) {
	root, err := parseTree([]byte(xmlText))
	if err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if root.Name.Local != "domain" {
		return nil, backend.XMLError("expecting root element of 'domain', not '%s'", root.Name.Local)
	}
	d := &libvirtxml.Domain{}
	if err := d.Unmarshal(xmlText); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if err := checkDomain(d); err != nil {
		return nil, err
	}
	d.ID = nil
	applyDomainDefaults(d)
	generateIfnames(d)
	return d, nil
}

// checkDomain reports what libvirt's parser refuses, in its words.
func checkDomain(d *libvirtxml.Domain) error {
	switch {
	case d.Type == "":
		return backend.Internal("missing domain type attribute")
	case d.Name == "":
		return backend.Plain(backend.CodeXML, "missing name information")
	case strings.Contains(d.Name, "\n"):
		return backend.XMLError("name %s cannot contain '\\n'", d.Name)
	case d.Memory == nil || d.Memory.Value == 0:
		return backend.XMLError("Memory size must be specified via <memory> or in the <numa> configuration")
	case d.OS == nil || d.OS.Type == nil || d.OS.Type.Type == "":
		return backend.XMLError("an os <type> must be specified")
	case d.UUID != "" && !validUUID(d.UUID):
		return backend.XMLError("malformed uuid element")
	}
	return nil
}

func validUUID(s string) bool {
	hex := strings.ReplaceAll(s, "-", "")
	if len(hex) != 32 {
		return false
	}
	for _, r := range hex {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// cloneDomain deep-copies a definition.
func cloneDomain(d *libvirtxml.Domain) *libvirtxml.Domain {
	s, err := d.Marshal()
	if err != nil {
		panic("testdrv: marshal of a parsed domain failed: " + err.Error())
	}
	out := &libvirtxml.Domain{}
	if err := out.Unmarshal(s); err != nil {
		panic("testdrv: unmarshal of a marshalled domain failed: " + err.Error())
	}
	return out
}

// formatDomain prints a definition as virDomainDefFormat; id > 0 adds id=.
func formatDomain(d *libvirtxml.Domain, id int) (string, error) {
	c := *d
	c.ID = nil
	if id > 0 {
		c.ID = &id
	}
	tree, err := marshalTree(&c)
	if err != nil {
		return "", backend.Internal("cannot format domain '%s': %v", d.Name, err)
	}
	return tree.format(), nil
}

// Lookups, with libvirt's messages.

func (c *conn) domainByName(name string) (*domainObj, error) {
	if o := find(c.domains, func(o *domainObj) bool { return o.name() == name }); o != nil {
		return o, nil
	}
	return nil, backend.NoDomain("no domain with matching name '%s'", name)
}

func (c *conn) domainByID(id int) (*domainObj, error) {
	if o := find(c.domains, func(o *domainObj) bool { return o.active() && o.id == id }); o != nil {
		return o, nil
	}
	return nil, backend.NoDomain("no domain with matching id %d", id)
}

func (c *conn) domainByUUID(uuid string) (*domainObj, error) {
	if o := find(c.domains, func(o *domainObj) bool { return strings.EqualFold(o.def().UUID, uuid) }); o != nil {
		return o, nil
	}
	return nil, backend.NoDomain("no domain with matching uuid '%s'", uuid)
}

// addDomain is virDomainObjListAdd: a definition with a known UUID replaces
// that domain's (persistent, or with live its running) definition; a new
// name adds a domain.
func (c *conn) addDomain(def *libvirtxml.Domain, live bool) (*domainObj, error) {
	if o, err := c.domainByUUID(def.UUID); err == nil {
		return o, replaceDef(o, def, live)
	}
	if o, err := c.domainByName(def.Name); err == nil {
		return nil, backend.OperationFailed("domain '%s' already exists with uuid %s", def.Name, o.def().UUID)
	}
	o := &domainObj{id: -1, state: backend.DomainShutoff}
	if live {
		o.live = def
	} else {
		o.config = def
	}
	c.domains = append(c.domains, o)
	return o, nil
}

func replaceDef(o *domainObj, def *libvirtxml.Domain, live bool) error {
	if o.name() != def.Name {
		return backend.OperationFailed("domain '%s' is already defined with uuid %s", o.name(), def.UUID)
	}
	if !live {
		o.config = def
		return nil
	}
	if o.active() {
		return backend.InvalidState("domain '%s' is already active", def.Name)
	}
	o.live = def
	return nil
}

// startState is testDomainStartState: a new id on every start.
func (c *conn) startState(o *domainObj, reason int) {
	if o.live == nil {
		o.live = cloneDomain(o.config)
	}
	o.id = c.nextID
	c.nextID++
	o.setState(backend.DomainRunning, reason)
	o.managedSave = false
}

// shutdownState is testDomainShutdownState; a transient domain vanishes.
func (c *conn) shutdownState(o *domainObj, reason int) {
	o.live = nil
	o.id = -1
	o.setState(backend.DomainShutoff, reason)
	if !o.persistent {
		c.domains = remove(c.domains, o)
	}
}

// lifecycleAction is testDomainActionSetState: what on_poweroff or
// on_reboot does to the domain.
func (c *conn) lifecycleAction(o *domainObj, action string) {
	switch action {
	case "restart", "rename-restart":
		o.setState(backend.DomainRunning, backend.RunningBooted)
	default:
		c.shutdownState(o, backend.ShutoffShutdown)
	}
}
