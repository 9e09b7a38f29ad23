package backend

import (
	"context"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
)

// Driver opens connections for one URI scheme.
type Driver interface {
	Open(ctx context.Context, uri *url.URL, opts OpenOptions) (Conn, error)
}

// OpenOptions are the options of a connection.
type OpenOptions struct {
	ReadOnly bool
}

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available for a URI scheme ("test", "qemu", ...).
// Drivers call it from init; main.go imports the drivers it ships.
func Register(scheme string, d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if _, dup := drivers[scheme]; dup {
		panic("backend: driver registered twice for scheme " + scheme)
	}
	drivers[scheme] = d
}

// Schemes lists the registered URI schemes.
func Schemes() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	out := make([]string, 0, len(drivers))
	for s := range drivers {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// DefaultURI is the URI used without -c: VIRTSH_DEFAULT_URI, then
// LIBVIRT_DEFAULT_URI, then qemu:///system for root and qemu:///session for
// other users.
func DefaultURI() string {
	for _, v := range []string{"VIRTSH_DEFAULT_URI", "LIBVIRT_DEFAULT_URI"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	if os.Geteuid() == 0 {
		return "qemu:///system"
	}
	return "qemu:///session"
}

// Open connects to the driver of the URI's scheme. A read-only connection
// refuses every change with ErrReadOnly, whatever the driver.
func Open(ctx context.Context, rawURI string, opts OpenOptions) (Conn, error) {
	u, err := url.Parse(rawURI)
	if err != nil || u.Scheme == "" {
		return nil, InvalidArgument("malformed connection URI '%s'", rawURI)
	}
	scheme, _, _ := strings.Cut(u.Scheme, "+") // qemu+unix etc. name the same driver
	driversMu.RLock()
	d := drivers[scheme]
	driversMu.RUnlock()
	if d == nil {
		return nil, Plain(CodeUnsupported, "no connection driver available for %s (this virtsh has: %s)",
			rawURI, strings.Join(Schemes(), ", "))
	}
	c, err := d.Open(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		c = readOnlyConn{c}
	}
	return c, nil
}

// A helper mode is a hidden entry point of the virtsh binary that a driver
// re-executes itself into: a running domain's supervisor, a container's
// controller, dnsmasq's lease helper. Names start with "__" so they never
// clash with commands.
var (
	helpersMu sync.RWMutex
	helpers   = map[string]func(args []string) int{}
)

// RegisterHelper makes `virtsh NAME ARGS...` run fn(ARGS) and exit with its
// status. Drivers call it from init.
func RegisterHelper(name string, fn func(args []string) int) {
	if !strings.HasPrefix(name, "__") {
		panic("backend: helper mode names start with __: " + name)
	}
	helpersMu.Lock()
	defer helpersMu.Unlock()
	if _, dup := helpers[name]; dup {
		panic("backend: helper mode registered twice: " + name)
	}
	helpers[name] = fn
}

// Helper returns the helper mode registered as name.
func Helper(name string) (func(args []string) int, bool) {
	helpersMu.RLock()
	defer helpersMu.RUnlock()
	fn, ok := helpers[name]
	return fn, ok
}
