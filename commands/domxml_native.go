package commands

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() {
	register("domain", command{"domxml-to-native", newDomXMLToNativeCmd}, command{"domxml-from-native", newDomXMLFromNativeCmd})
}

// nativeConfig returns the connection's converter, or virsh's unsupported
// error naming the libvirt API.
func nativeConfig(conn backend.Conn, api string) (backend.NativeConfig, error) {
	if nc, ok := conn.(backend.NativeConfig); ok {
		return nc, nil
	}
	return nil, &cmdError{err: backend.Unsupported("%s", api)}
}

func newDomXMLToNativeCmd(env *Env) *cobra.Command {
	var o struct{ format, xml, domain string }
	cmd := &cobra.Command{
		Use:   "domxml-to-native",
		Short: "Convert domain XML to native config",
		Long:  "Convert domain XML config to a native guest configuration format.",
	}
	arg(cmd, &o.format, "format", "target config data type format", true)
	arg(cmd, &o.xml, "xml", "xml data file to export from", false)
	cmd.Flags().StringVar(&o.domain, "domain", "", "domain name, id or uuid")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		if (o.xml == "") == (o.domain == "") {
			return userError(backend.CodeInvalidArgument, "Exactly one of --domain and --xml is required")
		}
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		var xml string
		if o.domain != "" {
			var d backend.DomainInfo
			if conn, d, err = lookupDomain(ctx, env, o.domain); err != nil {
				return err
			}
			if xml, err = conn.Domains().XML(ctx, d.Name, backend.XMLOptions{Inactive: true}); err != nil {
				return failed(err, "Failed to get XML of domain '%s'", o.domain)
			}
		} else if xml, err = readFileArg(o.xml); err != nil {
			return err
		}
		nc, err := nativeConfig(conn, "virConnectDomainXMLToNative")
		if err != nil {
			return err
		}
		native, err := nc.DomainXMLToNative(ctx, o.format, xml)
		if err != nil {
			return &cmdError{err: err}
		}
		env.Out.Write([]byte(strings.TrimSuffix(native, "\n") + "\n"))
		return nil
	}
	return cmd
}

func newDomXMLFromNativeCmd(env *Env) *cobra.Command {
	var o struct{ format, config string }
	cmd := &cobra.Command{
		Use:   "domxml-from-native",
		Short: "Convert native config to domain XML",
		Long:  "Convert native guest configuration format to domain XML format.",
	}
	arg(cmd, &o.format, "format", "source config data format", true)
	arg(cmd, &o.config, "config", "config data file to import from", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		config, err := readFileArg(o.config)
		if err != nil {
			return err
		}
		nc, err := nativeConfig(conn, "virConnectDomainXMLFromNative")
		if err != nil {
			return err
		}
		xml, err := nc.DomainXMLFromNative(ctx, o.format, config)
		if err != nil {
			return &cmdError{err: err}
		}
		env.Out.Write([]byte(strings.TrimSuffix(xml, "\n") + "\n"))
		return nil
	}
	return cmd
}
