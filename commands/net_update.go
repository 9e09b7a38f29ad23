package commands

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() { register("network", command{"net-update", newNetUpdateCmd}) }

// netUpdateCommands are virsh's words for virNetworkUpdateCommand.
var netUpdateCommands = map[string]backend.NetworkUpdateCommand{
	"add": backend.NetworkUpdateAddLast, "add-last": backend.NetworkUpdateAddLast,
	"add-first": backend.NetworkUpdateAddFirst, "delete": backend.NetworkUpdateDelete,
	"modify": backend.NetworkUpdateModify,
}

// netUpdateSections are the sections virsh knows (virshNetworkSection).
var netUpdateSections = map[string]bool{
	"bridge": true, "domain": true, "ip": true, "ip-dhcp-host": true, "ip-dhcp-range": true,
	"forward": true, "forward-interface": true, "forward-pf": true, "portgroup": true,
	"dns-host": true, "dns-txt": true, "dns-srv": true,
}

func newNetUpdateCmd(env *Env) *cobra.Command {
	var o struct {
		network, command, section, xml string
		parentIndex                    int
		config, live, current          bool
	}
	cmd := &cobra.Command{
		Use:   "net-update",
		Short: "update parts of an existing network's configuration",
	}
	networkArg(cmd, &o.network)
	arg(cmd, &o.command, "command", "type of update (add-first, add-last (add), delete, or modify)", true)
	arg(cmd, &o.section, "section", "which section of network configuration to update", true)
	arg(cmd, &o.xml, "xml", "name of file containing xml (or, if it starts with '<', the complete xml element itself) to add/modify, or to be matched for search", true)
	cmd.Flags().IntVar(&o.parentIndex, "parent-index", -1, "which parent object to search through")
	cmd.Flags().BoolVar(&o.config, "config", false, "affect next network startup")
	cmd.Flags().BoolVar(&o.live, "live", false, "affect running network")
	cmd.Flags().BoolVar(&o.current, "current", false, "affect current state of network")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		for _, pair := range [][2]string{{"current", "live"}, {"current", "config"}} {
			if c.Flags().Changed(pair[0]) && c.Flags().Changed(pair[1]) {
				return userError("", "Options --%s and --%s are mutually exclusive", pair[0], pair[1])
			}
		}
		conn, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		command, ok := netUpdateCommands[o.command]
		if !ok {
			return userError("", "unrecognized command name '%s'", o.command)
		}
		if !netUpdateSections[o.section] {
			return userError("", "unrecognized section name '%s'", o.section)
		}
		doc := o.xml
		if !strings.HasPrefix(doc, "<") {
			if doc, err = readFileArg(doc); err != nil {
				return err
			}
		}
		svc, ok := conn.Networks().(backend.NetworkUpdater)
		if !ok {
			return failed(backend.Unsupported("virNetworkUpdate"), "Failed to update network %s", n.Name)
		}
		u := backend.NetworkUpdate{Command: command, Section: o.section, ParentIndex: o.parentIndex, XML: doc,
			Scope: backend.Scope{Live: o.live, Config: o.config}}
		if err := svc.Update(ctx, n.Name, u); err != nil {
			return failed(err, "Failed to update network %s", n.Name)
		}
		// virsh ends these lines with its blank line after a command only.
		switch {
		case o.config && o.live:
			env.info("Updated network %s persistent config and live state", n.Name)
		case o.config:
			env.info("Updated network %s persistent config", n.Name)
		case o.live:
			env.info("Updated network %s live state", n.Name)
		default:
			if now, err := conn.Networks().LookupByName(ctx, n.Name); err == nil && now.Active {
				env.info("Updated network %s live state", n.Name)
			} else {
				env.info("Updated network %s persistent config", n.Name)
			}
		}
		return nil
	}
	return cmd
}
