package commands

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func newDefineCmd(env *Env) *cobra.Command {
	var o struct {
		file string
		opts backend.DefineOptions
	}
	cmd := &cobra.Command{
		Use:   "define",
		Short: "define (but don't start) a domain from an XML file",
		Long:  "Define a domain.",
	}
	arg(cmd, &o.file, "file", "file containing an XML domain description", true)
	cmd.Flags().BoolVar(&o.opts.Validate, "validate", false, "validate the XML against the schema")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		return fromXMLFile(c, env, o.file, "defined", func(doms backend.DomainService, doc string) (backend.DomainInfo, error) {
			return doms.Define(c.Context(), doc, o.opts)
		})
	}
	return cmd
}

// fromXMLFile runs define or create (verbed: "defined", "created") of
// the domain XML in file, with virsh's messages.
func fromXMLFile(c *cobra.Command, env *Env, file, verbed string,
	do func(backend.DomainService, string) (backend.DomainInfo, error)) error {
	conn, err := env.Conn(c.Context())
	if err != nil {
		return err
	}
	doc, err := readFileArg(file)
	if err != nil {
		return err
	}
	d, err := do(conn.Domains(), doc)
	if err != nil {
		return failed(err, "Failed to %s domain from %s", strings.TrimSuffix(verbed, "d"), file)
	}
	env.info("Domain '%s' %s from %s\n", d.Name, verbed, file)
	return nil
}

func newCreateCmd(env *Env) *cobra.Command {
	var o struct {
		file    string
		console bool
		opts    backend.StartOptions
	}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "create a domain from an XML file",
		Long:  "Create a domain.",
	}
	arg(cmd, &o.file, "file", "file containing an XML domain description", true)
	cmd.Flags().BoolVar(&o.console, "console", false, "attach to console after creation")
	cmd.Flags().BoolVar(&o.opts.Paused, "paused", false, "leave the guest paused after creation")
	cmd.Flags().BoolVar(&o.opts.Autodestroy, "autodestroy", false, "automatically destroy the guest when virsh disconnects")
	cmd.Flags().String("pass-fds", "", "pass file descriptors N,M,... to the guest")
	cmd.Flags().BoolVar(&o.opts.Validate, "validate", false, "validate the XML against the schema")
	cmd.Flags().Bool("reset-nvram", false, "re-initialize NVRAM from its pristine template")
	unsupported(cmd, "pass-fds", "reset-nvram")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := checkSupported(c); err != nil {
			return err
		}
		if err := checkConsoleEscape(env, o.console); err != nil {
			return err
		}
		ctx := c.Context()
		var created backend.DomainInfo
		err := fromXMLFile(c, env, o.file, "created", func(doms backend.DomainService, doc string) (backend.DomainInfo, error) {
			var err error
			created, err = doms.Create(ctx, doc, o.opts)
			return created, err
		})
		if err != nil || !o.console {
			return err
		}
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		// As virsh's cmdCreate: the domain was created, which is what the
		// exit status tells; a console that fails is reported only.
		if err := runConsole(ctx, env, conn, created, "", false); err != nil {
			ReportError(env, err)
		}
		return nil
	}
	return cmd
}

func newUndefineCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		opts   backend.UndefineOptions
	}
	cmd := &cobra.Command{
		Use:   "undefine",
		Short: "undefine a domain",
		Long:  "Undefine an inactive domain, or convert persistent to transient.",
	}
	domainArg(cmd, &o.domain)
	f := cmd.Flags()
	f.BoolVar(&o.opts.ManagedSave, "managed-save", false, "remove domain managed state file")
	f.String("storage", "", "remove associated storage volumes (comma separated list of targets or source paths) (see domblklist)")
	f.Bool("remove-all-storage", false, "remove all associated storage volumes (use with caution)")
	f.Bool("delete-storage-volume-snapshots", false, "delete snapshots associated with volume(s), requires --remove-all-storage (must be supported by storage driver)")
	f.Bool("wipe-storage", false, "wipe data on the removed volumes")
	f.BoolVar(&o.opts.SnapshotsMetadata, "snapshots-metadata", false, "remove all domain snapshot metadata (vm must be inactive)")
	f.Bool("checkpoints-metadata", false, "remove all domain checkpoint metadata (vm must be inactive)")
	f.BoolVar(&o.opts.NVRAM, "nvram", false, "remove nvram file")
	f.BoolVar(&o.opts.KeepNVRAM, "keep-nvram", false, "keep nvram file")
	f.Bool("tpm", false, "remove TPM state")
	f.Bool("keep-tpm", false, "keep TPM state")
	unsupported(cmd, "storage", "remove-all-storage", "delete-storage-volume-snapshots", "wipe-storage",
		"checkpoints-metadata", "tpm", "keep-tpm")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"nvram", "keep-nvram"}, [2]string{"tpm", "keep-tpm"}); err != nil {
			return err
		}
		if err := checkSupported(c); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := conn.Domains().Undefine(ctx, d.Name, o.opts); err != nil {
			return failed(err, "Failed to undefine domain '%s'", o.domain)
		}
		env.info("Domain '%s' has been undefined\n", o.domain)
		return nil
	}
	return cmd
}

func newDumpxmlCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		opts   backend.XMLOptions
	}
	cmd := &cobra.Command{
		Use:   "dumpxml",
		Short: "domain information in XML",
		Long:  "Output the domain information as an XML dump to stdout.",
	}
	domainArg(cmd, &o.domain)
	f := cmd.Flags()
	f.BoolVar(&o.opts.Inactive, "inactive", false, "show inactive defined XML")
	f.BoolVar(&o.opts.Secure, "security-info", false, "include security sensitive information in XML dump")
	f.Bool("update-cpu", false, "update guest CPU according to host CPU")
	f.Bool("migratable", false, "provide XML suitable for migrations")
	f.String("xpath", "", "xpath expression to filter the XML document")
	f.Bool("wrap", false, "wrap xpath results in an common root element")
	unsupported(cmd, "update-cpu", "migratable", "xpath", "wrap")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := checkSupported(c); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		doc, err := conn.Domains().XML(ctx, d.Name, o.opts)
		if err != nil {
			return backendError(err)
		}
		return emitXML(env, d.Name, doc)
	}
	return cmd
}
