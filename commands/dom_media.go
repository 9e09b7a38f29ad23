package commands

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// change-media and update-device, over backend.DomainDeviceUpdate, as
// virsh's cmdChangeMedia and cmdUpdateDevice: change-media edits the
// domain's own <disk> and hands it to the driver as update-device would.

func init() {
	register("domain", command{"change-media", newChangeMediaCmd}, command{"update-device", newUpdateDeviceCmd})
}

// deviceUpdater returns the connection's device-update capability.
func deviceUpdater(conn backend.Conn) (backend.DomainDeviceUpdate, error) {
	if u, ok := conn.Domains().(backend.DomainDeviceUpdate); ok {
		return u, nil
	}
	return nil, backend.Unsupported("virDomainUpdateDeviceFlags")
}

// printAlways prints what virsh prints with vshPrint: even with -q, the
// line ending coming from the newline virsh prints after each command.
func printAlways(env *Env, text string) {
	if env.Quiet && env.Format == format.Text {
		fmt.Fprint(env.Out, text)
		return
	}
	env.info("%s", text)
}

func newChangeMediaCmd(env *Env) *cobra.Command {
	var o struct {
		domain, path, source                                                 string
		eject, insert, update, current, live, config, force, printXML, block bool
	}
	cmd := &cobra.Command{
		Use:   "change-media",
		Short: "Change media of CD or floppy drive",
		Long:  "Change media of CD or floppy drive.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.path, "path", "Fully-qualified path or target of disk device", true)
	arg(cmd, &o.source, "source", "source of the media", false)
	f := cmd.Flags()
	f.BoolVar(&o.eject, "eject", false, "Eject the media")
	f.BoolVar(&o.insert, "insert", false, "Insert the media")
	f.BoolVar(&o.update, "update", false, "Update the media")
	f.BoolVar(&o.current, "current", false, "can be either or both of --live and --config, depends on implementation hypervisor driver")
	f.BoolVar(&o.live, "live", false, "alter live configuration of running domain")
	f.BoolVar(&o.config, "config", false, "alter persistent configuration, effect observed on next boot")
	f.BoolVar(&o.force, "force", false, "force media changing")
	f.BoolVar(&o.printXML, "print-xml", false, "print XML document rather than change media")
	f.BoolVar(&o.block, "block", false, "source media is a block device")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"eject", "insert"}, [2]string{"eject", "update"}, [2]string{"insert", "update"}, [2]string{"eject", "block"}); err != nil {
			return err
		}
		action, verb, done := mediaUpdate, "update", "Successfully updated media."
		switch {
		case o.eject || o.update && o.source == "": // update without a source is eject, as virsh's docs say
			action, verb, done = mediaEject, "eject", "Successfully ejected media."
		case o.insert:
			action, verb, done = mediaInsert, "insert", "Successfully inserted media."
		}
		if err := exclusive(c, [2]string{"current", "live"}, [2]string{"current", "config"}); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		doc, err := conn.Domains().XML(ctx, d.Name, backend.XMLOptions{Inactive: o.config})
		if err != nil {
			return err
		}
		disk, err := findChangeableDisk(doc, o.path)
		if err != nil {
			return err
		}
		diskXML, err := changeMediaXML(disk, o.source, o.block, o.path, action)
		if err != nil {
			return err
		}
		if o.printXML {
			printAlways(env, diskXML)
			return nil
		}
		u, err := deviceUpdater(conn)
		if err == nil {
			err = u.UpdateDevice(ctx, d.Name, diskXML, backend.Scope{Live: o.live, Config: o.config}, o.force)
		}
		if err != nil {
			return failed(err, "Failed to complete action %s on media", verb)
		}
		printAlways(env, done)
		return nil
	}
	return cmd
}

func newUpdateDeviceCmd(env *Env) *cobra.Command {
	var o struct {
		domain, file string
		force        bool
		scope        scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "update-device",
		Short: "update device from an XML file",
		Long:  "Update device from an XML <file>.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.file, "file", "XML file", true)
	o.scope.declareAttach(cmd, "make live change persistent")
	cmd.Flags().BoolVar(&o.force, "force", false, "force device update")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		if err := exclusive(c, [2]string{"persistent", "current"}); err != nil {
			return err
		}
		if _, err := o.scope.scope(c); err != nil {
			return err
		}
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		scope, err := o.scope.attachScope(c, d)
		if err != nil {
			return err
		}
		xml, err := readFileArg(o.file)
		if err != nil {
			return err
		}
		u, err := deviceUpdater(conn)
		if err == nil {
			err = u.UpdateDevice(ctx, d.Name, xml, scope, o.force)
		}
		if err != nil {
			return failed(err, "Failed to update device from %s", o.file)
		}
		env.info("Device updated successfully\n")
		return nil
	}
	return cmd
}
