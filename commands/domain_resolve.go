package commands

import (
	"context"
	"errors"
	"strconv"

	"github.com/virtsh/virtsh/backend"
)

// lookupDomainName resolves key to a domain's name, as lookupDomain does,
// for the commands that act on the domain and print nothing of it: a key
// that can only be a name (not a non-negative number, not 36 characters
// long) is checked with the driver's DomainExists when it has one, which
// costs no description of the domain; the operation then looks the domain
// up under its lock. The errors are lookupDomain's.
func lookupDomainName(ctx context.Context, env *Env, key string) (backend.Conn, string, error) {
	if id, err := strconv.Atoi(key); (err != nil || id < 0) && len(key) != 36 {
		conn, err := env.Conn(ctx)
		if err != nil {
			return nil, "", err
		}
		if ex, ok := conn.Domains().(backend.DomainExistence); ok {
			switch err := ex.DomainExists(ctx, key); {
			case errors.Is(err, backend.ErrNotFound):
				return nil, "", userError(backend.CodeNotFound, "failed to get domain '%s'", key)
			case err != nil:
				return nil, "", failed(err, "failed to get domain '%s'", key)
			}
			return conn, key, nil
		}
	}
	conn, d, err := lookupDomain(ctx, env, key)
	return conn, d.Name, err
}
