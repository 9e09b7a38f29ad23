package commands

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// domstateJSON is domstate's data schema.
type domstateJSON struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

func newDomstateCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		reason bool
	}
	cmd := &cobra.Command{
		Use:   "domstate",
		Short: "domain state",
		Long:  "Returns state about a domain.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.reason, "reason", false, "also print reason for the state")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		_, d, err := lookupDomain(c.Context(), env, o.domain)
		if err != nil {
			return err
		}
		reason := backend.ReasonString(d.State, d.Reason)
		return env.emit(domstateJSON{Name: d.Name, State: d.State.String(), Reason: reason}, func(w io.Writer) {
			if o.reason {
				fmt.Fprintf(w, "%s (%s)\n", d.State, reason)
				return
			}
			fmt.Fprintln(w, d.State)
		})
	}
	return cmd
}
