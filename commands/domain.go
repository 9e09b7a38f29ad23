package commands

import (
	"context"
	"errors"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Domain Management" group (virsh-domain.c).
var domainCommands = []command{
	{"autostart", newAutostartCmd}, {"create", newCreateCmd}, {"define", newDefineCmd}, {"desc", newDescCmd}, {"destroy", newDestroyCmd},
	{"domid", newDomidCmd}, {"domname", newDomnameCmd}, {"domrename", newDomrenameCmd}, {"domuuid", newDomuuidCmd}, {"dumpxml", newDumpxmlCmd},
	{"edit", newEditCmd}, {"reboot", newRebootCmd}, {"reset", newResetCmd}, {"resume", newResumeCmd}, {"setmaxmem", newSetmaxmemCmd},
	{"setmem", newSetmemCmd}, {"setvcpus", newSetvcpusCmd}, {"shutdown", newShutdownCmd}, {"start", newStartCmd}, {"suspend", newSuspendCmd},
	{"undefine", newUndefineCmd},
}

// domainArg declares the <domain> option every domain command takes.
func domainArg(cmd *cobra.Command, p *string) {
	arg(cmd, p, "domain", "domain name, id or uuid", true)
}

// lookupBy says which keys a domain command accepts (virsh's VIRSH_BYID,
// VIRSH_BYUUID, VIRSH_BYNAME); most take all three (lookupDomain).
type lookupBy struct{ id, uuid, name bool }

var (
	byNameOrUUID = lookupBy{uuid: true, name: true} // start, domid
	byIDOrUUID   = lookupBy{id: true, uuid: true}   // domname
	byIDOrName   = lookupBy{id: true, name: true}   // domuuid
)

// lookupDomainBy finds a domain by the kinds of key in by, in virsh's
// order: id, then UUID, then name.
func lookupDomainBy(ctx context.Context, env *Env, key string, by lookupBy) (backend.Conn, backend.DomainInfo, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, backend.DomainInfo{}, err
	}
	doms := conn.Domains()
	var d backend.DomainInfo
	err = backend.ErrNotFound
	if id, perr := strconv.Atoi(key); by.id && perr == nil && id >= 0 {
		d, err = doms.LookupByID(ctx, id)
	}
	if by.uuid && len(key) == 36 && errors.Is(err, backend.ErrNotFound) {
		d, err = doms.LookupByUUID(ctx, key)
	}
	if by.name && errors.Is(err, backend.ErrNotFound) {
		d, err = doms.LookupByName(ctx, key)
	}
	switch {
	case errors.Is(err, backend.ErrNotFound):
		return nil, d, userError(backend.CodeNotFound, "failed to get domain '%s'", key)
	case err != nil:
		return nil, d, failed(err, "failed to get domain '%s'", key)
	}
	return conn, d, nil
}

// backendError reports a backend error alone, as virsh does for the
// commands that add no line of their own (setmem, domrename, dumpxml...).
func backendError(err error) error {
	return &cmdError{err: err}
}

// annotUnsupported lists the options virsh has that virtsh's backend
// cannot serve: they parse and show in help like virsh's, and fail with a
// clear error when given.
const annotUnsupported = "virtsh/unsupported"

// unsupported marks already declared options as unsupported.
func unsupported(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		addAnnotation(cmd, annotUnsupported, n)
	}
}

// checkSupported fails when an option marked unsupported was given.
func checkSupported(c *cobra.Command) error {
	for _, name := range annotationList(c, annotUnsupported) {
		if c.Flags().Changed(name) {
			return userError(backend.CodeUnsupported, "option --%s of %s is not supported by virtsh", name, c.Name())
		}
	}
	return nil
}

func newDestroyCmd(env *Env) *cobra.Command {
	var o struct {
		domain   string
		graceful bool
	}
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "destroy (stop) a domain",
		Long:  "Forcefully stop a given domain, but leave its resources intact.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.graceful, "graceful", false, "terminate gracefully")
	cmd.Flags().Bool("remove-logs", false, "remove domain logs")
	unsupported(cmd, "remove-logs")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := checkSupported(c); err != nil {
			return err
		}
		ctx := c.Context()
		conn, name, err := lookupDomainName(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := conn.Domains().Destroy(ctx, name, backend.DestroyOptions{Graceful: o.graceful}); err != nil {
			return failed(err, "Failed to destroy domain '%s'", o.domain)
		}
		env.info("Domain '%s' destroyed\n", o.domain)
		return nil
	}
	return cmd
}
