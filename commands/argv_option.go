package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// argvOption declares virsh's argv option (VSH_OT_ARGV) of a domain
// command: the words after the domain, also given one by one as --name
// (send-key's keycodes, qemu-monitor-command's cmd). The first
// positional word is the domain unless --domain was given; at least one
// word is required. The words complete to nothing, as virsh's do.
func argvOption(cmd *cobra.Command, p *[]string, name, usage string) {
	named := cmd.Flags().StringArray(name, nil, usage)
	cmd.Args = func(c *cobra.Command, args []string) error {
		if !c.Flags().Changed("domain") {
			if len(args) == 0 {
				return userError("", "command '%s' requires <domain> option", c.Name())
			}
			c.Flags().Set("domain", args[0])
			args = args[1:]
		}
		*p = append(append([]string{}, *named...), args...)
		if len(*p) == 0 {
			return userError("", "command '%s' requires <%s> option", c.Name(), name)
		}
		return nil
	}
}

// domainCapability returns the connection's domain service as the
// optional capability T, or the backend's "not supported by the
// connection driver" error naming the libvirt API.
func domainCapability[T any](doms any, api string) (T, error) {
	t, ok := doms.(T)
	if !ok {
		return t, backend.Unsupported("%s", api)
	}
	return t, nil
}
