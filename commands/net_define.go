package commands

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func newNetDefineCmd(env *Env) *cobra.Command {
	return newNetFromFileCmd(env, netFromFile{
		use:   "net-define",
		short: "define an inactive persistent virtual network or modify an existing persistent one from an XML file",
		long:  "Define or modify a persistent virtual network.",
		verb:  "define", done: "defined",
		apply: backend.NetworkService.Define,
	})
}

func newNetCreateCmd(env *Env) *cobra.Command {
	return newNetFromFileCmd(env, netFromFile{
		use:   "net-create",
		short: "create a network from an XML file",
		long:  "Create a network.",
		verb:  "create", done: "created",
		apply: backend.NetworkService.Create,
	})
}

// netFromFile describes net-define and net-create, which differ only in
// their words and the backend call.
type netFromFile struct {
	use, short, long string
	verb, done       string // "define", "defined"
	apply            func(backend.NetworkService, context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error)
}

func newNetFromFileCmd(env *Env, d netFromFile) *cobra.Command {
	var o struct {
		file     string
		validate bool
	}
	cmd := &cobra.Command{Use: d.use, Short: d.short, Long: d.long}
	arg(cmd, &o.file, "file", "file containing an XML network description", true)
	cmd.Flags().BoolVar(&o.validate, "validate", false, "validate the XML against the schema")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		doc, err := readFileArg(o.file)
		if err != nil {
			return err
		}
		n, err := d.apply(conn.Networks(), ctx, doc, backend.DefineOptions{Validate: o.validate})
		if err != nil {
			return failed(err, "Failed to %s network from %s", d.verb, o.file)
		}
		env.info("Network %s %s from %s\n", n.Name, d.done, o.file)
		return nil
	}
	return cmd
}
