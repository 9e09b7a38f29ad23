package commands

import (
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

func newPoolInfoCmd(env *Env) *cobra.Command {
	var o struct {
		pool  string
		bytes bool
	}
	cmd := &cobra.Command{
		Use:   "pool-info",
		Short: "storage pool information",
		Long:  "Returns basic information about the storage pool.",
	}
	poolArg(cmd, &o.pool)
	cmd.Flags().BoolVar(&o.bytes, "bytes", false, "Return pool info in bytes")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		_, p, err := lookupPool(c.Context(), env, o.pool)
		if err != nil {
			return err
		}
		return env.emit(newPoolJSON(p), func(w io.Writer) {
			size := format.Capacity
			if o.bytes {
				size = func(b uint64) string { return strconv.FormatUint(b, 10) }
			}
			fields := []format.Field{
				{Key: "Name:", Value: p.Name},
				{Key: "UUID:", Value: p.UUID},
				{Key: "State:", Value: p.State.String()},
				{Key: "Persistent:", Value: format.YesNo(p.Persistent)},
				{Key: "Autostart:", Value: format.YesNo(p.Autostart)},
			}
			if poolHasSizes(p.State) {
				fields = append(fields,
					format.Field{Key: "Capacity:", Value: size(p.Capacity)},
					format.Field{Key: "Allocation:", Value: size(p.Allocation)},
					format.Field{Key: "Available:", Value: size(p.Available)})
			}
			format.KeyValue(w, 15, fields)
		})
	}
	return cmd
}

func newPoolDumpXMLCmd(env *Env) *cobra.Command {
	var o struct {
		pool     string
		inactive bool
	}
	cmd := &cobra.Command{
		Use:   "pool-dumpxml",
		Short: "pool information in XML",
		Long:  "Output the pool information as an XML dump to stdout.",
	}
	poolArg(cmd, &o.pool)
	cmd.Flags().BoolVar(&o.inactive, "inactive", false, "show inactive defined XML")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, p, err := lookupPool(ctx, env, o.pool)
		if err != nil {
			return err
		}
		doc, err := conn.Pools().XML(ctx, p.Name, backend.XMLOptions{Inactive: o.inactive})
		if err != nil {
			return err // virsh prints only libvirt's error here
		}
		return emitXML(env, p.Name, doc)
	}
	return cmd
}
