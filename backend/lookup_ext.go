package backend

import "context"

// DomainExistence lets a driver say whether a domain of a given name
// exists without describing it: the commands that act on a domain and
// print nothing of it (destroy, shutdown, suspend...) resolve their key
// with it, as virsh resolves it with virDomainLookupByName, and leave
// everything else to the operation, which looks the domain up under its
// lock anyway. A driver whose description costs a hypervisor query (Xen)
// saves one per command line.
type DomainExistence interface {
	// DomainExists returns nil when a domain named name exists, else the
	// error LookupByName would return (ErrNotFound for none).
	DomainExists(ctx context.Context, name string) error
}
