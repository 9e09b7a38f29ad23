package commands

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// scopeFlags are the --config, --live and --current options of the
// commands that change a live domain, its persistent definition, or both,
// and the --persistent option of the device commands.
type scopeFlags struct{ persistent, config, live, current bool }

// declareAffect adds the options as setmem, setvcpus and dommemstat
// show them.
func (s *scopeFlags) declareAffect(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&s.config, "config", false, "affect next boot")
	cmd.Flags().BoolVar(&s.live, "live", false, "affect running domain")
	cmd.Flags().BoolVar(&s.current, "current", false, "affect current domain")
}

// declareModify adds the options as desc shows them.
func (s *scopeFlags) declareModify(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&s.live, "live", false, "modify/get running state")
	cmd.Flags().BoolVar(&s.config, "config", false, "modify/get persistent configuration")
	cmd.Flags().BoolVar(&s.current, "current", false, "modify/get current state configuration")
}

// scope checks virsh's exclusions and returns the backend scope; with
// neither --config nor --live it is the current one.
func (s scopeFlags) scope(c *cobra.Command) (backend.Scope, error) {
	if err := exclusive(c, [2]string{"current", "live"}, [2]string{"current", "config"}); err != nil {
		return backend.Scope{}, err
	}
	return backend.Scope{Live: s.live, Config: s.config}, nil
}

// declareAttach adds the options as the attach and detach commands show
// them.
func (s *scopeFlags) declareAttach(cmd *cobra.Command, persistentHelp string) {
	cmd.Flags().BoolVar(&s.persistent, "persistent", false, persistentHelp)
	s.declareAffect(cmd)
}

// attachScope is scope for the device commands: --persistent means the
// definition, and the running domain too when it runs.
func (s scopeFlags) attachScope(c *cobra.Command, d backend.DomainInfo) (backend.Scope, error) {
	if err := exclusive(c, [2]string{"persistent", "current"}); err != nil {
		return backend.Scope{}, err
	}
	scope, err := s.scope(c)
	scope.Config = scope.Config || s.persistent
	scope.Live = scope.Live || s.persistent && d.State.Active()
	return scope, err
}

// liveByDefault is scope for setmem and setvcpus: given none of the three
// options, virsh calls the old APIs (virDomainSetMemory,
// virDomainSetVcpus), which change the running domain only.
func (s scopeFlags) liveByDefault(c *cobra.Command) (backend.Scope, error) {
	scope, err := s.scope(c)
	if !s.config && !s.live && !s.current {
		scope.Live = true
	}
	return scope, err
}

// newMemoryCmd builds setmem and setmaxmem, which differ in their words
// and backend call.
func newMemoryCmd(env *Env, use, short, long, usage, failure string, liveDefault bool,
	set func(backend.DomainService, context.Context, string, uint64, backend.Scope) error) *cobra.Command {
	var o struct {
		domain, size string
		scope        scopeFlags
	}
	cmd := &cobra.Command{Use: use, Short: short, Long: long}
	domainArg(cmd, &o.domain)
	numberArg(cmd, &o.size, "size", usage)
	o.scope.declareAffect(cmd)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		scope, err := o.scope.scope(c)
		if liveDefault {
			scope, err = o.scope.liveByDefault(c)
		}
		if err != nil {
			return err
		}
		conn, d, err := lookupDomain(c.Context(), env, o.domain)
		if err != nil {
			return err
		}
		kib, err := parseKiB("size", o.size)
		if err != nil {
			return err
		}
		if err := setMemory(c.Context(), conn.Domains(), set, d.Name, kib, scope); err != nil {
			if failure == "" {
				return backendError(err)
			}
			return failed(err, "%s", failure)
		}
		return nil
	}
	return cmd
}

// setMemory checks the size as libvirt's API does, then sets it.
func setMemory(ctx context.Context, doms backend.DomainService,
	set func(backend.DomainService, context.Context, string, uint64, backend.Scope) error,
	name string, kib uint64, scope backend.Scope) error {
	if kib == 0 {
		return backend.Plain(backend.CodeInvalidArgument, "memory in virDomainSetMemoryFlags must not be zero")
	}
	return set(doms, ctx, name, kib, scope)
}

func newSetmemCmd(env *Env) *cobra.Command {
	return newMemoryCmd(env, "setmem", "change memory allocation", "Change the current memory allocation in the guest domain.",
		"new memory size, as scaled integer (default KiB)", "", true, backend.DomainService.SetMemory)
}

func newSetmaxmemCmd(env *Env) *cobra.Command {
	return newMemoryCmd(env, "setmaxmem", "change maximum memory limit", "Change the maximum memory allocation limit in the guest domain.",
		"new maximum memory size, as scaled integer (default KiB)", "Unable to change MaxMemorySize", false, backend.DomainService.SetMaxMemory)
}

func newSetvcpusCmd(env *Env) *cobra.Command {
	var o struct {
		domain, count string
		opts          backend.VCPUOptions
		scope         scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "setvcpus",
		Short: "change number of virtual CPUs",
		Long:  "Change the number of virtual CPUs in the guest domain.",
	}
	domainArg(cmd, &o.domain)
	numberArg(cmd, &o.count, "count", "number of virtual CPUs")
	cmd.Flags().BoolVar(&o.opts.Maximum, "maximum", false, "set maximum limit on next boot")
	o.scope.declareAffect(cmd)
	cmd.Flags().BoolVar(&o.opts.Guest, "guest", false, "modify cpu state in the guest")
	cmd.Flags().Bool("hotpluggable", false, "make added vcpus hot(un)pluggable")
	unsupported(cmd, "hotpluggable")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		scope, err := o.scope.liveByDefault(c)
		if err != nil {
			return err
		}
		if err := exclusive(c, [2]string{"guest", "config"}); err != nil {
			return err
		}
		if o.opts.Maximum && !o.scope.config {
			return userError("", "Option --config is required by option --maximum")
		}
		if err := checkSupported(c); err != nil {
			return err
		}
		conn, d, err := lookupDomain(c.Context(), env, o.domain)
		if err != nil {
			return err
		}
		count, err := parseCount("count", o.count)
		if err != nil {
			return err
		}
		if count == 0 {
			return userError(backend.CodeInvalidArgument, "Can't set 0 processors for a VM")
		}
		o.opts.Scope = scope
		if err := conn.Domains().SetVCPUs(c.Context(), d.Name, count, o.opts); err != nil {
			return backendError(err)
		}
		return nil
	}
	return cmd
}
