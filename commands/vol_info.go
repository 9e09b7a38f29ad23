package commands

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/format"
)

func newVolInfoCmd(env *Env) *cobra.Command {
	var o struct {
		vol, pool string
		bytes     bool
	}
	cmd := &cobra.Command{
		Use:   "vol-info",
		Short: "storage vol information",
		Long:  "Returns basic information about the storage vol.",
	}
	volumeArgs(cmd, &o.vol, &o.pool)
	cmd.Flags().BoolVar(&o.bytes, "bytes", false, "sizes are represented in bytes rather than pretty units")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		_, v, err := lookupVolume(c.Context(), env, o.vol, o.pool)
		if err != nil {
			return err
		}
		return env.emit(newVolumeJSON(v), func(w io.Writer) {
			size := format.Capacity
			if o.bytes {
				size = func(b uint64) string { return fmt.Sprintf("%d bytes", b) }
			}
			format.KeyValue(w, 15, []format.Field{
				{Key: "Name:", Value: v.Name},
				{Key: "Type:", Value: v.Type},
				{Key: "Capacity:", Value: size(v.Capacity)},
				{Key: "Allocation:", Value: size(v.Allocation)},
			})
		})
	}
	return cmd
}

func newVolDumpXMLCmd(env *Env) *cobra.Command {
	var o struct{ vol, pool string }
	cmd := &cobra.Command{
		Use:   "vol-dumpxml",
		Short: "vol information in XML",
		Long:  "Output the vol information as an XML dump to stdout.",
	}
	volumeArgs(cmd, &o.vol, &o.pool)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, v, err := lookupVolume(ctx, env, o.vol, o.pool)
		if err != nil {
			return err
		}
		doc, err := conn.Pools().VolumeXML(ctx, v.Pool, v.Name)
		if err != nil {
			return err // virsh prints only libvirt's error here
		}
		return emitXML(env, v.Name, doc)
	}
	return cmd
}
