package commands

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// domainRefJSON is the data schema of domid, domuuid and domname: the
// three keys of the domain, whichever was asked for.
type domainRefJSON struct {
	ID   *int   `json:"id"` // null when the domain is not running
	Name string `json:"name"`
	UUID string `json:"uuid"`
}

func newDomainRef(d backend.DomainInfo) domainRefJSON {
	ref := domainRefJSON{Name: d.Name, UUID: d.UUID}
	if d.ID >= 0 {
		ref.ID = &d.ID
	}
	return ref
}

// idText is virsh's text for a domain id: "-" when it is not running.
func idText(d backend.DomainInfo) string {
	if d.ID < 0 {
		return "-"
	}
	return fmt.Sprint(d.ID)
}

// newDomainKeyCmd builds domid, domuuid and domname: look the domain up by
// the other keys and print the one asked for.
func newDomainKeyCmd(env *Env, use, short, usage string, by lookupBy, key func(backend.DomainInfo) string) *cobra.Command {
	var o struct{ domain string }
	cmd := &cobra.Command{Use: use, Short: short}
	arg(cmd, &o.domain, "domain", usage, true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		_, d, err := lookupDomainBy(c.Context(), env, o.domain, by)
		if err != nil {
			return err
		}
		return env.emit(newDomainRef(d), func(w io.Writer) {
			fmt.Fprintln(w, key(d))
		})
	}
	return cmd
}

func newDomidCmd(env *Env) *cobra.Command {
	return newDomainKeyCmd(env, "domid", "convert a domain name or UUID to domain id",
		"domain name or uuid", byNameOrUUID, idText)
}

func newDomuuidCmd(env *Env) *cobra.Command {
	return newDomainKeyCmd(env, "domuuid", "convert a domain name or id to domain UUID",
		"domain id or name", byIDOrName, func(d backend.DomainInfo) string { return d.UUID })
}

func newDomnameCmd(env *Env) *cobra.Command {
	return newDomainKeyCmd(env, "domname", "convert a domain id or UUID to domain name",
		"domain id or uuid", byIDOrUUID, func(d backend.DomainInfo) string { return d.Name })
}

func newDomrenameCmd(env *Env) *cobra.Command {
	var o struct{ domain, newName string }
	cmd := &cobra.Command{
		Use:   "domrename",
		Short: "rename a domain",
		Long:  "Rename an inactive domain.",
	}
	arg(cmd, &o.domain, "domain", "domain name or uuid", true)
	arg(cmd, &o.newName, "new-name", "new domain name", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if err := conn.Domains().Rename(ctx, d.Name, o.newName); err != nil {
			return backendError(err)
		}
		env.info("Domain successfully renamed\n")
		return nil
	}
	return cmd
}

func newAutostartCmd(env *Env) *cobra.Command {
	var o struct {
		domain  string
		disable bool
	}
	cmd := &cobra.Command{
		Use:   "autostart",
		Short: "autostart a domain",
		Long:  "Configure a domain to be automatically started at boot.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.disable, "disable", false, "disable autostarting")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		verb := "mark"
		if o.disable {
			verb = "unmark"
		}
		if err := conn.Domains().SetAutostart(ctx, d.Name, !o.disable); err != nil {
			return failed(err, "Failed to %s domain '%s' as autostarted", verb, o.domain)
		}
		env.info("Domain '%s' %sed as autostarted\n", o.domain, verb)
		return nil
	}
	return cmd
}
