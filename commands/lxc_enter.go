package commands

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() {
	register("domain", command{"lxc-enter-namespace", newLXCEnterNamespaceCmd})
}

// exitStatusError is a command that ran and failed with its own exit
// status, which virtsh should exit with (lxc-enter-namespace).
type exitStatusError struct{ status int }

func (e *exitStatusError) Error() string {
	return fmt.Sprintf("command exited with status %d", e.status)
}

// ExitStatus is the status the process should exit with.
func (e *exitStatusError) ExitStatus() int { return e.status }

func newLXCEnterNamespaceCmd(env *Env) *cobra.Command {
	var o struct {
		domain     string
		noSecLabel bool
	}
	cmd := &cobra.Command{
		Use:   "lxc-enter-namespace",
		Short: "LXC Guest Enter Namespace",
		Long:  "Run an arbitrary command in a lxc guest namespace; use at your own risk",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.noSecLabel, "noseclabel", false, "Do not change process security label")
	cmd.Args = func(c *cobra.Command, args []string) error {
		dash := c.ArgsLenAtDash()
		if dash < 0 || dash == len(args) {
			return fmt.Errorf("command 'lxc-enter-namespace' requires <cmd> option: give it after --")
		}
		return fillPositional(c, args[:dash])
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		argv := args[c.ArgsLenAtDash():]
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		ns, ok := conn.Domains().(backend.DomainNamespaces)
		if !ok {
			return failed(backend.Unsupported("lxc-enter-namespace needs a container (lxc:///system), not %s", conn.URI()), "")
		}
		// virtsh applies no security labels, so --noseclabel changes nothing.
		status, err := ns.EnterNamespace(ctx, d.Name, argv, backend.Stdio{In: env.In, Out: env.Out, Err: env.Err})
		if err != nil {
			return failed(err, "")
		}
		if status != 0 {
			return &exitStatusError{status}
		}
		return nil
	}
	return cmd
}
