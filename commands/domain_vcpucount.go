package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

func init() {
	register("domain", command{"vcpucount", newVcpucountCmd})
}

// vcpuCountJSON is vcpucount's data output: every count it printed
// (the live ones only while the domain runs), or the one asked for.
type vcpuCountJSON struct {
	MaximumConfig *int `json:"maximum_config,omitempty"`
	MaximumLive   *int `json:"maximum_live,omitempty"`
	CurrentConfig *int `json:"current_config,omitempty"`
	CurrentLive   *int `json:"current_live,omitempty"`
	Count         *int `json:"count,omitempty"`
}

// vcpucount reads the counts from the domain's definitions, live and
// persistent, so it works alike on every driver.
func newVcpucountCmd(env *Env) *cobra.Command {
	var o struct {
		domain                                        string
		maximum, active, live, config, current, guest bool
	}
	cmd := &cobra.Command{
		Use:   "vcpucount",
		Short: "domain vcpu counts",
		Long:  "Returns the number of virtual CPUs used by the domain.",
	}
	domainArg(cmd, &o.domain)
	f := cmd.Flags()
	f.BoolVar(&o.maximum, "maximum", false, "get maximum count of vcpus")
	f.BoolVar(&o.active, "active", false, "get number of currently active vcpus")
	f.BoolVar(&o.live, "live", false, "get value from running domain")
	f.BoolVar(&o.config, "config", false, "get value to be used on next boot")
	f.BoolVar(&o.current, "current", false, "get value according to current domain state")
	f.BoolVar(&o.guest, "guest", false, "retrieve vcpu count from the guest instead of the hypervisor")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"live", "config"}, [2]string{"active", "maximum"}, [2]string{"guest", "config"}); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if o.guest {
			return failed(backend.Unsupported("reading the vCPU count from the guest agent is not supported"), "Failed to retrieve vCPU count from the guest")
		}
		running := d.State.Active()
		if !(o.maximum || o.active || o.live || o.config || o.current) {
			var out vcpuCountJSON
			if out.MaximumConfig, out.CurrentConfig, err = vcpuCounts(ctx, conn, d.Name, false); err != nil {
				return backendError(err)
			}
			if running {
				if out.MaximumLive, out.CurrentLive, err = vcpuCounts(ctx, conn, d.Name, true); err != nil {
					return backendError(err)
				}
			}
			return env.emit(out, func(w io.Writer) {
				row := func(kind, scope string, n *int) {
					if n != nil {
						fmt.Fprintf(w, "%-12s %-12s %3d\n", kind, scope, *n)
					}
				}
				row("maximum", "config", out.MaximumConfig)
				row("maximum", "live", out.MaximumLive)
				row("current", "config", out.CurrentConfig)
				row("current", "live", out.CurrentLive)
			})
		}
		live := o.live || (!o.config && running)
		if live && !running {
			return backendError(backend.InvalidState("domain is not running"))
		}
		max, cur, err := vcpuCounts(ctx, conn, d.Name, live)
		if err != nil {
			return backendError(err)
		}
		n := cur
		if o.maximum {
			n = max
		}
		return env.emit(vcpuCountJSON{Count: n}, func(w io.Writer) { fmt.Fprintln(w, *n) })
	}
	return cmd
}

// vcpuCounts returns the maximum and current vCPU counts of the domain's
// live or persistent definition.
func vcpuCounts(ctx context.Context, conn backend.Conn, name string, live bool) (max, cur *int, err error) {
	doc, err := conn.Domains().XML(ctx, name, backend.XMLOptions{Inactive: !live})
	if err != nil {
		return nil, nil, err
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return nil, nil, backend.XMLError("%v", err)
	}
	m, c := 1, 0
	if dom.VCPU != nil {
		m, c = int(dom.VCPU.Value), int(dom.VCPU.Current)
	}
	if c == 0 {
		c = m
	}
	return &m, &c, nil
}
