package xen

import (
	"context"
	"errors"
	"strconv"
)

// DomainReader lists the running domains, with what `xl list -v` shows of
// each, without starting a toolstack process: every xl process costs a
// toolstack start (seconds in a nested dom0), and a command line looks its
// domain up before acting on it. The connection falls back to `xl list`
// when its reader fails (not a dom0, an unknown hypervisor interface).
type DomainReader interface {
	Domains(ctx context.Context) ([]xlDomain, error)
}

// directReader reads the domains as libxl does: their ids and names from
// xenstore (/local/domain/ID/name), everything else from the hypervisor
// (getdomaininfo).
type directReader struct {
	hv hypervisor
}

func (r *directReader) Domains(ctx context.Context) ([]xlDomain, error) {
	xs, err := dialXenstore(ctx, xenstoreSockets)
	if err != nil {
		return nil, err
	}
	defer xs.Close()
	ids, err := xs.directory("/local/domain")
	if err != nil {
		return nil, err
	}
	var doms []xlDomain
	for _, s := range ids {
		id, err := strconv.Atoi(s)
		if err != nil {
			continue
		}
		name, err := xs.read("/local/domain/" + s + "/name")
		if errors.Is(err, errXSNoEnt) {
			continue // still being built or torn down: not a domain yet
		}
		if err != nil {
			return nil, err
		}
		d, err := r.hv.domainInfo(id)
		if errors.Is(err, errNoDomain) {
			continue // xenstore outlived the domain
		}
		if err != nil {
			return nil, err
		}
		d.Name = name
		if d.Type == "hvm" {
			// The hypervisor does not tell HVM from PVH; libxl records
			// the type it built (libxl__domain_type).
			if t, err := xs.read("/libxl/" + s + "/type"); err == nil {
				d.Type = t
			}
		}
		doms = append(doms, d)
	}
	return doms, nil
}

func (r *directReader) Close() error { return r.hv.close() }
