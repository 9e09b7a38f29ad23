package commands

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

func newNetInfoCmd(env *Env) *cobra.Command {
	var o struct{ network string }
	cmd := &cobra.Command{
		Use:   "net-info",
		Short: "network information",
		Long:  "Returns basic information about the network",
	}
	networkArg(cmd, &o.network)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		_, n, err := lookupNetwork(c.Context(), env, o.network)
		if err != nil {
			return err
		}
		data := newNetworkJSON(n)
		return env.emit(data, func(w io.Writer) {
			fields := []format.Field{
				{Key: "Name:", Value: n.Name},
				{Key: "UUID:", Value: n.UUID},
				{Key: "Active:", Value: format.YesNo(n.Active)},
				{Key: "Persistent:", Value: format.YesNo(n.Persistent)},
				{Key: "Autostart:", Value: format.YesNo(n.Autostart)},
			}
			if n.Bridge != "" {
				fields = append(fields, format.Field{Key: "Bridge:", Value: n.Bridge})
			}
			format.KeyValue(w, 15, fields)
		})
	}
	return cmd
}

func newNetDumpXMLCmd(env *Env) *cobra.Command {
	var o struct {
		network  string
		inactive bool
	}
	cmd := &cobra.Command{
		Use:   "net-dumpxml",
		Short: "network information in XML",
		Long:  "Output the network information as an XML dump to stdout.",
	}
	networkArg(cmd, &o.network)
	cmd.Flags().BoolVar(&o.inactive, "inactive", false, "show inactive defined XML")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		doc, err := conn.Networks().XML(ctx, n.Name, backend.XMLOptions{Inactive: o.inactive})
		if err != nil {
			return err // virsh prints only libvirt's error here
		}
		return emitXML(env, n.Name, doc)
	}
	return cmd
}

// newNetUUIDCmd is net-uuid: virsh looks the network up by name only.
func newNetUUIDCmd(env *Env) *cobra.Command {
	var o struct{ network string }
	cmd := &cobra.Command{
		Use:   "net-uuid",
		Short: "convert a network name to network UUID",
	}
	arg(cmd, &o.network, "network", "network name", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		n, err := lookupNetworkBy(c.Context(), env, o.network, false)
		if err != nil {
			return err
		}
		return emitValue(env, "uuid", n.UUID)
	}
	return cmd
}

// newNetNameCmd is net-name: virsh looks the network up by UUID only.
func newNetNameCmd(env *Env) *cobra.Command {
	var o struct{ network string }
	cmd := &cobra.Command{
		Use:   "net-name",
		Short: "convert a network UUID to network name",
	}
	arg(cmd, &o.network, "network", "network uuid", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		n, err := lookupNetworkBy(c.Context(), env, o.network, true)
		if err != nil {
			return err
		}
		return emitValue(env, "name", n.Name)
	}
	return cmd
}

// lookupNetworkBy finds a network by UUID only or by name only, as net-name
// and net-uuid do. A key that is not a UUID finds nothing by UUID, and
// virsh then has no detail line to print.
func lookupNetworkBy(ctx context.Context, env *Env, key string, byUUID bool) (backend.NetworkInfo, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return backend.NetworkInfo{}, err
	}
	var n backend.NetworkInfo
	switch {
	case !byUUID:
		n, err = conn.Networks().LookupByName(ctx, key)
	case isUUID(key):
		n, err = conn.Networks().LookupByUUID(ctx, key)
	default:
		return n, userError(backend.CodeNotFound, "failed to get network '%s'", key)
	}
	if err != nil {
		return n, failed(err, "failed to get network '%s'", key)
	}
	return n, nil
}

// isUUID reports whether s is a UUID as libvirt parses one (virUUIDParse):
// 32 hex digits, optionally separated by dashes.
func isUUID(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r == '-':
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
			digits++
		default:
			return false
		}
	}
	return digits == 32
}

// emitValue prints one value on a line, or {key: value} as data.
func emitValue(env *Env, key, value string) error {
	return env.emit(map[string]string{key: value}, func(w io.Writer) {
		io.WriteString(w, value+"\n")
	})
}
