package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Domain Management" group (virsh-domain.c).
var domainCommands = []func(*Env) *cobra.Command{
	newDestroyCmd,
}

// domainArg declares the <domain> option every domain command takes.
func domainArg(cmd *cobra.Command, p *string) {
	arg(cmd, p, "domain", "domain name, id or uuid", true)
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
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := conn.Domains().Destroy(ctx, d.Name, backend.DestroyOptions{Graceful: o.graceful}); err != nil {
			return failed(err, "Failed to destroy domain '%s'", o.domain)
		}
		env.info("Domain '%s' destroyed\n", o.domain)
		return nil
	}
	return cmd
}
