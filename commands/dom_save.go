package commands

import (
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() {
	register("domain", command{"save", newSaveCmd}, command{"restore", newRestoreCmd})
}

// saveRestore returns the connection's save/restore capability, or
// virsh's unsupported error naming the libvirt API.
func saveRestore(conn backend.Conn, api string) (backend.DomainSaveRestore, error) {
	if sr, ok := conn.Domains().(backend.DomainSaveRestore); ok {
		return sr, nil
	}
	return nil, backend.Unsupported("%s", api)
}

// absPath makes a file argument absolute: the driver may run the
// hypervisor's tools from another directory.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func newSaveCmd(env *Env) *cobra.Command {
	var o struct{ domain, file string }
	cmd := &cobra.Command{
		Use:   "save",
		Short: "save a domain state to a file",
		Long:  "Save the RAM state of a running domain.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.file, "file", "where to save the data", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		sr, err := saveRestore(conn, "virDomainSaveFlags")
		if err == nil {
			err = sr.Save(ctx, d.Name, absPath(o.file))
		}
		if err != nil {
			return failed(err, "Failed to save domain '%s' to %s", o.domain, o.file)
		}
		env.info("\nDomain '%s' saved to %s\n", o.domain, o.file)
		return nil
	}
	return cmd
}

func newRestoreCmd(env *Env) *cobra.Command {
	var o struct{ file string }
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "restore a domain from a saved state in a file",
		Long:  "Restore a domain.",
	}
	arg(cmd, &o.file, "file", "the state to restore", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		sr, err := saveRestore(conn, "virDomainRestoreFlags")
		if err == nil {
			_, err = sr.Restore(ctx, absPath(o.file))
		}
		if err != nil {
			return failed(err, "Failed to restore domain from %s", o.file)
		}
		env.info("Domain restored from %s\n", o.file)
		return nil
	}
	return cmd
}
