package commands

import (
	"context"
	"io"
	"sort"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// The Interface group: the host's network interfaces (virsh-interface.c).
func init() {
	register("interface",
		command{"iface-list", newIfaceListCmd}, command{"iface-dumpxml", newIfaceDumpXMLCmd}, command{"iface-start", newIfaceStartCmd}, command{"iface-destroy", newIfaceDestroyCmd},
		command{"iface-bridge", newIfaceBridgeCmd}, command{"iface-unbridge", newIfaceUnbridgeCmd})
}

// ifaceJSON is a host interface in iface-list's data output (docs/interface.md).
type ifaceJSON struct {
	Name  string `json:"name"`
	State string `json:"state"`
	MAC   string `json:"mac"`
}

func newIfaceListCmd(env *Env) *cobra.Command {
	var o struct{ inactive, all bool }
	cmd := &cobra.Command{
		Use:   "iface-list",
		Short: "list physical host interfaces",
		Long:  "Returns list of physical host interfaces.",
	}
	cmd.Flags().BoolVar(&o.inactive, "inactive", false, "list inactive interfaces")
	cmd.Flags().BoolVar(&o.all, "all", false, "list inactive & active interfaces")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		svc, err := hostInterfaces(c.Context(), env)
		var all []backend.HostInterface
		if err == nil {
			all, err = svc.List(c.Context())
		}
		if err != nil {
			return failed(err, "Failed to list interfaces")
		}
		var data []ifaceJSON
		for _, i := range all {
			if o.all || i.Active != o.inactive {
				data = append(data, ifaceJSON{Name: i.Name, State: activeWord(i.Active), MAC: i.MAC})
			}
		}
		sort.Slice(data, func(i, j int) bool { return lessFold(data[i].Name, data[j].Name) })
		return env.emit(data, func(w io.Writer) {
			rows := make([][]string, len(data))
			for i, d := range data {
				rows[i] = []string{d.Name, d.State, d.MAC}
			}
			format.Table(w, []string{"Name", "State", "MAC Address"}, rows, env.Quiet)
		})
	}
	return cmd
}

// interfaceArg declares the <interface> option of the iface commands.
func interfaceArg(cmd *cobra.Command, p *string) {
	arg(cmd, p, "interface", "interface name or MAC address", true)
}

// lookupInterface finds a host interface by name or MAC address.
func lookupInterface(ctx context.Context, env *Env, key string) (backend.InterfaceService, backend.HostInterface, error) {
	svc, err := hostInterfaces(ctx, env)
	if err != nil {
		return nil, backend.HostInterface{}, failed(err, "failed to get interface '%s'", key)
	}
	i, err := svc.Lookup(ctx, key)
	if err != nil {
		return nil, i, failed(err, "failed to get interface '%s'", key)
	}
	return svc, i, nil
}

func newIfaceDumpXMLCmd(env *Env) *cobra.Command {
	var o struct {
		iface    string
		inactive bool
	}
	cmd := &cobra.Command{
		Use:   "iface-dumpxml",
		Short: "interface information in XML",
		Long:  "Output the physical host interface information as an XML dump to stdout.",
	}
	interfaceArg(cmd, &o.iface)
	cmd.Flags().BoolVar(&o.inactive, "inactive", false, "show inactive defined XML")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		svc, i, err := lookupInterface(c.Context(), env, o.iface)
		if err != nil {
			return err
		}
		doc, err := svc.XML(c.Context(), i.Name, backend.XMLOptions{Inactive: o.inactive})
		if err != nil {
			return err
		}
		return emitXML(env, i.Name, doc)
	}
	return cmd
}

func newIfaceStartCmd(env *Env) *cobra.Command {
	return newIfaceActionCmd(env, "iface-start", "start a physical host interface (enable it / \"if-up\")",
		"start a physical host interface.", "Failed to start interface %s", "Interface %s started\n",
		backend.InterfaceService.Start)
}

func newIfaceDestroyCmd(env *Env) *cobra.Command {
	return newIfaceActionCmd(env, "iface-destroy", "destroy a physical host interface (disable it / \"if-down\")",
		"forcefully stop a physical host interface.", "Failed to destroy interface %s", "Interface %s destroyed\n",
		backend.InterfaceService.Destroy)
}

func newIfaceActionCmd(env *Env, use, short, long, failure, success string,
	apply func(backend.InterfaceService, context.Context, string) error) *cobra.Command {
	var o struct{ iface string }
	cmd := &cobra.Command{Use: use, Short: short, Long: long}
	interfaceArg(cmd, &o.iface)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		svc, i, err := lookupInterface(c.Context(), env, o.iface)
		if err != nil {
			return err
		}
		if err := apply(svc, c.Context(), i.Name); err != nil {
			return failed(err, failure, o.iface)
		}
		env.info(success, o.iface)
		return nil
	}
	return cmd
}

func newIfaceBridgeCmd(env *Env) *cobra.Command {
	var o struct {
		iface, bridge  string
		noSTP, noStart bool
		delay          uint32
	}
	cmd := &cobra.Command{
		Use:   "iface-bridge",
		Short: "create a bridge device and attach an existing network device to it",
		Long:  "bridge an existing network device",
	}
	arg(cmd, &o.iface, "interface", "existing interface name", true)
	arg(cmd, &o.bridge, "bridge", "new bridge device name", true)
	cmd.Flags().BoolVar(&o.noSTP, "no-stp", false, "do not enable STP for this bridge")
	cmd.Flags().Uint32Var(&o.delay, "delay", 0, "number of seconds to squelch traffic on newly connected ports")
	cmd.Flags().BoolVar(&o.noStart, "no-start", false, "don't start the bridge immediately")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		svc, i, err := lookupInterface(c.Context(), env, o.iface)
		if err != nil {
			return err
		}
		opts := backend.BridgeOptions{STP: !o.noSTP, Delay: o.delay, NoStart: o.noStart}
		if err := svc.Bridge(c.Context(), i.Name, o.bridge, opts); err != nil {
			return failed(err, "Failed to define new bridge interface %s", o.bridge)
		}
		env.info("Created bridge %s with attached device %s\n", o.bridge, i.Name)
		if !o.noStart {
			env.info("Bridge interface %s started\n", o.bridge)
		}
		return nil
	}
	return cmd
}

func newIfaceUnbridgeCmd(env *Env) *cobra.Command {
	var o struct {
		bridge  string
		noStart bool
	}
	cmd := &cobra.Command{
		Use:   "iface-unbridge",
		Short: "undefine a bridge device after detaching its device(s)",
		Long:  "unbridge a network device",
	}
	arg(cmd, &o.bridge, "bridge", "current bridge device name", true)
	cmd.Flags().BoolVar(&o.noStart, "no-start", false, "don't start the detached interface immediately (not recommended)")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		svc, br, err := lookupInterface(c.Context(), env, o.bridge)
		if err != nil {
			return err
		}
		port, err := svc.Unbridge(c.Context(), br.Name, o.noStart)
		if err != nil {
			return failed(err, "Failed to undefine bridge interface %s", o.bridge)
		}
		env.info("Device %s un-attached from bridge %s\n", port, o.bridge)
		if !o.noStart {
			env.info("Interface %s started\n", port)
		}
		return nil
	}
	return cmd
}
