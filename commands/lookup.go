package commands

import (
	"context"
	"errors"
	"strconv"

	"github.com/virtsh/virtsh/backend"
)

// lookupDomain finds a domain the way virsh does (vshLookupDomainBy): a
// non-negative number is tried as an id, a 36-character string as a UUID,
// and then the word as a name.
func lookupDomain(ctx context.Context, env *Env, key string) (backend.Conn, backend.DomainInfo, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, backend.DomainInfo{}, err
	}
	doms := conn.Domains()
	try := func(d backend.DomainInfo, err error) (backend.DomainInfo, bool, error) {
		if err == nil {
			return d, true, nil
		}
		if errors.Is(err, backend.ErrNotFound) {
			return d, false, nil
		}
		return d, false, err
	}
	var d backend.DomainInfo
	found := false
	if id, perr := strconv.Atoi(key); perr == nil && id >= 0 {
		d, found, err = try(doms.LookupByID(ctx, id))
	}
	if !found && err == nil && len(key) == 36 {
		d, found, err = try(doms.LookupByUUID(ctx, key))
	}
	if !found && err == nil {
		d, found, err = try(doms.LookupByName(ctx, key))
	}
	if err != nil {
		return nil, d, failed(err, "failed to get domain '%s'", key)
	}
	if !found {
		return nil, d, userError(backend.CodeNotFound, "failed to get domain '%s'", key)
	}
	return conn, d, nil
}

// lookupNetwork finds a network by UUID or name (vshCommandOptNetworkBy).
func lookupNetwork(ctx context.Context, env *Env, key string) (backend.Conn, backend.NetworkInfo, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, backend.NetworkInfo{}, err
	}
	var n backend.NetworkInfo
	if len(key) == 36 {
		if n, err = conn.Networks().LookupByUUID(ctx, key); err == nil {
			return conn, n, nil
		}
	}
	if n, err = conn.Networks().LookupByName(ctx, key); err == nil {
		return conn, n, nil
	}
	return nil, n, failed(err, "failed to get network '%s'", key)
}

// lookupPool finds a storage pool by UUID or name (virshCommandOptPoolBy).
func lookupPool(ctx context.Context, env *Env, key string) (backend.Conn, backend.PoolInfo, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, backend.PoolInfo{}, err
	}
	var p backend.PoolInfo
	if len(key) == 36 {
		if p, err = conn.Pools().LookupByUUID(ctx, key); err == nil {
			return conn, p, nil
		}
	}
	if p, err = conn.Pools().LookupByName(ctx, key); err == nil {
		return conn, p, nil
	}
	return nil, p, failed(err, "failed to get pool '%s'", key)
}
