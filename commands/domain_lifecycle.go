package commands

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// domainAction describes a command that applies one backend call to one
// domain and reports it with one message: suspend, resume, reset.
type domainAction struct {
	use, short, long string
	verb             string // in "Failed to %s domain 'x'"
	done             string // the message, with the domain's name for %s
	apply            func(ctx context.Context, doms backend.DomainService, name string) error
	// check, when set, validates the options before the domain is looked up.
	check func() error
}

func newDomainActionCmd(env *Env, a domainAction, extra func(*cobra.Command)) *cobra.Command {
	var o struct{ domain string }
	cmd := &cobra.Command{Use: a.use, Short: a.short, Long: a.long}
	domainArg(cmd, &o.domain)
	if extra != nil {
		extra(cmd)
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if a.check != nil {
			if err := a.check(); err != nil {
				return err
			}
		}
		ctx := c.Context()
		conn, name, err := lookupDomainName(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := a.apply(ctx, conn.Domains(), name); err != nil {
			return failed(err, "Failed to %s domain '%s'", a.verb, o.domain)
		}
		env.info(a.done, o.domain)
		return nil
	}
	return cmd
}

func newSuspendCmd(env *Env) *cobra.Command {
	return newDomainActionCmd(env, domainAction{
		use: "suspend", short: "suspend a domain", long: "Suspend a running domain.",
		verb: "suspend", done: "Domain '%s' suspended\n",
		apply: func(ctx context.Context, doms backend.DomainService, name string) error {
			return doms.Suspend(ctx, name)
		},
	}, nil)
}

func newResumeCmd(env *Env) *cobra.Command {
	return newDomainActionCmd(env, domainAction{
		use: "resume", short: "resume a domain", long: "Resume a previously suspended domain.",
		verb: "resume", done: "Domain '%s' resumed\n",
		apply: func(ctx context.Context, doms backend.DomainService, name string) error {
			return doms.Resume(ctx, name)
		},
	}, nil)
}

func newResetCmd(env *Env) *cobra.Command {
	return newDomainActionCmd(env, domainAction{
		use: "reset", short: "reset a domain", long: "Reset the target domain as if by power button",
		verb: "reset", done: "Domain '%s' was reset\n",
		apply: func(ctx context.Context, doms backend.DomainService, name string) error {
			return doms.Reset(ctx, name)
		},
	}, nil)
}

// shutdownModes are the words virsh accepts in --mode.
var shutdownModes = []string{"acpi", "agent", "initctl", "signal", "paravirt"}

// parseShutdownModes splits --mode's comma-separated list and checks each
// word, with virsh's message.
func parseShutdownModes(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	modes := strings.Split(s, ",")
	for _, m := range modes {
		if !containsString(shutdownModes, m) {
			return nil, userError("", "Unknown mode %s value, expecting 'acpi', 'agent', 'initctl', 'signal', or 'paravirt'", m)
		}
	}
	return modes, nil
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// newShutdownLikeCmd builds shutdown and reboot, which take a --mode list.
func newShutdownLikeCmd(env *Env, a domainAction, call func(backend.DomainService, context.Context, string, backend.ShutdownOptions) error) *cobra.Command {
	var mode string
	var modes []string
	a.check = func() (err error) {
		modes, err = parseShutdownModes(mode)
		return err
	}
	a.apply = func(ctx context.Context, doms backend.DomainService, name string) error {
		return call(doms, ctx, name, backend.ShutdownOptions{Modes: modes})
	}
	return newDomainActionCmd(env, a, func(cmd *cobra.Command) {
		cmd.Flags().StringVar(&mode, "mode", "", "shutdown mode: acpi|agent|initctl|signal|paravirt")
	})
}

func newShutdownCmd(env *Env) *cobra.Command {
	return newShutdownLikeCmd(env, domainAction{
		use: "shutdown", short: "gracefully shutdown a domain", long: "Run shutdown in the target domain.",
		verb: "shutdown", done: "Domain '%s' is being shutdown\n",
	}, backend.DomainService.Shutdown)
}

func newRebootCmd(env *Env) *cobra.Command {
	return newShutdownLikeCmd(env, domainAction{
		use: "reboot", short: "reboot a domain", long: "Run a reboot command in the target domain.",
		verb: "reboot", done: "Domain '%s' is being rebooted\n",
	}, backend.DomainService.Reboot)
}

func newStartCmd(env *Env) *cobra.Command {
	var o struct {
		domain  string
		console bool
		opts    backend.StartOptions
	}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "start a (previously defined) inactive domain",
		Long:  "Start a domain, either from the last managedsave\n    state, or via a fresh boot if no managedsave state\n    is present.",
	}
	arg(cmd, &o.domain, "domain", "name of the inactive domain", true)
	cmd.Flags().BoolVar(&o.console, "console", false, "attach to console after creation")
	cmd.Flags().BoolVar(&o.opts.Paused, "paused", false, "leave the guest paused after creation")
	cmd.Flags().BoolVar(&o.opts.Autodestroy, "autodestroy", false, "automatically destroy the guest when virsh disconnects")
	cmd.Flags().BoolVar(&o.opts.BypassCache, "bypass-cache", false, "avoid file system cache when loading")
	cmd.Flags().BoolVar(&o.opts.ForceBoot, "force-boot", false, "force fresh boot by discarding any managed save")
	cmd.Flags().String("pass-fds", "", "pass file descriptors N,M,... to the guest")
	cmd.Flags().Bool("reset-nvram", false, "re-initialize NVRAM from its pristine template")
	unsupported(cmd, "pass-fds", "reset-nvram")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := checkSupported(c); err != nil {
			return err
		}
		if err := checkConsoleEscape(env, o.console); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomainBy(ctx, env, o.domain, byNameOrUUID)
		if err != nil {
			return err
		}
		if d.ID >= 0 {
			return userError(backend.CodeInvalidState, "Domain is already active")
		}
		if err := conn.Domains().Start(ctx, d.Name, o.opts); err != nil {
			return failed(err, "Failed to start domain '%s'", d.Name)
		}
		env.info("Domain '%s' started\n", d.Name)
		if !o.console {
			return nil
		}
		// As virsh: a console that fails fails the command.
		if d, err = conn.Domains().LookupByName(ctx, d.Name); err != nil {
			return backendError(err)
		}
		return runConsole(ctx, env, conn, d, "", false)
	}
	return cmd
}
