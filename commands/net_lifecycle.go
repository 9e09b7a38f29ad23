package commands

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// netAction describes a command that looks a network up and changes it:
// net-start, net-destroy, net-undefine.
type netAction struct {
	use, short, long string
	failure          string // virsh's error line, with %s for the network
	success          string // virsh's message, with %s for the network
	apply            func(backend.NetworkService, context.Context, string) error
}

func newNetStartCmd(env *Env) *cobra.Command {
	return newNetActionCmd(env, netAction{
		use: "net-start", short: "start a (previously defined) inactive network", long: "Start a network.",
		failure: "Failed to start network %s", success: "Network %s started\n",
		apply: backend.NetworkService.Start,
	})
}

func newNetDestroyCmd(env *Env) *cobra.Command {
	return newNetActionCmd(env, netAction{
		use: "net-destroy", short: "destroy (stop) a network", long: "Forcefully stop a given network.",
		failure: "Failed to destroy network %s", success: "Network %s destroyed\n",
		apply: backend.NetworkService.Destroy,
	})
}

func newNetUndefineCmd(env *Env) *cobra.Command {
	return newNetActionCmd(env, netAction{
		use: "net-undefine", short: "undefine a persistent network", long: "Undefine the configuration for a persistent network.",
		failure: "Failed to undefine network %s", success: "Network %s has been undefined\n",
		apply: backend.NetworkService.Undefine,
	})
}

// newNetActionCmd builds a netAction command. Like virsh, its messages name
// the network as the user did (name or UUID).
func newNetActionCmd(env *Env, a netAction) *cobra.Command {
	var o struct{ network string }
	cmd := &cobra.Command{Use: a.use, Short: a.short, Long: a.long}
	networkArg(cmd, &o.network)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		if err := a.apply(conn.Networks(), ctx, n.Name); err != nil {
			return failed(err, a.failure, o.network)
		}
		env.info(a.success, o.network)
		return nil
	}
	return cmd
}

func newNetAutostartCmd(env *Env) *cobra.Command {
	var o struct {
		network string
		disable bool
	}
	cmd := &cobra.Command{
		Use:   "net-autostart",
		Short: "autostart a network",
		Long:  "Configure a network to be automatically started at boot.",
	}
	networkArg(cmd, &o.network)
	cmd.Flags().BoolVar(&o.disable, "disable", false, "disable autostarting")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		verb := "mark"
		if o.disable {
			verb = "unmark"
		}
		if err := conn.Networks().SetAutostart(ctx, n.Name, !o.disable); err != nil {
			return failed(err, "failed to %s network %s as autostarted", verb, o.network)
		}
		env.info("Network %s %sed as autostarted\n", o.network, verb)
		return nil
	}
	return cmd
}
