package commands

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() {
	register("domain", command{"start-autostart", newStartAutostartCmd})
}

// autostartResultJSON is one object in start-autostart's data output.
type autostartResultJSON struct {
	Kind   string `json:"kind"` // network or domain
	Name   string `json:"name"`
	Result string `json:"result"` // started, failed
	Error  string `json:"error,omitempty"`
}

// start-autostart does what libvirt's daemons do when they start: it
// starts every inactive autostart network, then every inactive autostart
// domain, of the connection. With no daemon, the systemd unit in
// docs/autostart.md runs it at boot. Each object's result is reported;
// the others still start when one fails.
func newStartAutostartCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start-autostart",
		Short: "start every autostart network and domain",
		Long:  "Start the inactive networks and domains marked autostart, as libvirt's daemons do when they start (docs/autostart.md).",
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		results, err := startAutostart(ctx, env, conn)
		if err != nil {
			return err
		}
		failures := 0
		for _, r := range results {
			if r.Result == "failed" {
				failures++
			}
		}
		if err := env.emit(results, func(io.Writer) {}); err != nil {
			return err
		}
		if failures > 0 {
			return userError(backend.CodeOperationFailed, "%d of %d autostart objects failed to start", failures, len(results))
		}
		return nil
	}
	return cmd
}

// startAutostart starts the autostart networks (when the connection
// manages networks) and domains, printing virsh's message or error for
// each as it goes.
func startAutostart(ctx context.Context, env *Env, conn backend.Conn) ([]autostartResultJSON, error) {
	results := []autostartResultJSON{}
	report := func(kind, name string, err error, done, failure string) {
		r := autostartResultJSON{Kind: kind, Name: name, Result: "started"}
		if err != nil {
			r.Result, r.Error = "failed", err.Error()
			ReportError(env, failed(err, failure, name))
		} else {
			env.info(done, name)
		}
		results = append(results, r)
	}
	nets, err := conn.Networks().List(ctx)
	switch {
	case errors.Is(err, backend.ErrUnsupported):
		env.debugf("start-autostart: no networks on %s: %v", conn.URI(), err)
	case err != nil:
		return nil, failed(err, "Failed to list networks")
	}
	for _, n := range nets {
		if n.Autostart && !n.Active {
			report("network", n.Name, conn.Networks().Start(ctx, n.Name), "Network %s started\n", "Failed to start network %s")
		}
	}
	doms, err := conn.Domains().List(ctx)
	if err != nil {
		return nil, failed(err, "Failed to list domains")
	}
	for _, d := range doms {
		if d.Autostart && !d.State.Active() {
			err := conn.Domains().Start(ctx, d.Name, backend.StartOptions{})
			report("domain", d.Name, err, "Domain '%s' started\n", "Failed to start domain '%s'")
		}
	}
	return results, nil
}
