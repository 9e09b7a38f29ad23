package commands

import (
	"os"
	"os/exec"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() { register("network", command{"net-edit", newNetEditCmd}) }

func newNetEditCmd(env *Env) *cobra.Command {
	var o struct{ network string }
	cmd := &cobra.Command{
		Use:   "net-edit",
		Short: "edit XML configuration for a network",
		Long:  "Edit the XML configuration for a network.",
	}
	networkArg(cmd, &o.network)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		doc, err := conn.Networks().XML(ctx, n.Name, backend.XMLOptions{Inactive: true})
		if err != nil {
			return err
		}
		edited, err := editInEditor(doc)
		if err != nil {
			return err
		}
		if edited == doc {
			env.info("Network %s XML configuration not changed.\n", n.Name)
			return nil
		}
		def, err := conn.Networks().Define(ctx, edited, backend.DefineOptions{})
		if err != nil {
			return failed(err, "")
		}
		env.info("Network %s XML configuration edited.\n", def.Name)
		return nil
	}
	return cmd
}

// editInEditor lets the user edit doc in $VISUAL or $EDITOR (vi by
// default), run through sh as virsh does, and returns the result.
func editInEditor(doc string) (string, error) {
	f, err := os.CreateTemp("", "virtsh*.xml")
	if err != nil {
		return "", userError(backend.CodeOperationFailed, "cannot create a temporary file: %v", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(doc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", userError(backend.CodeOperationFailed, "cannot write %s: %v", f.Name(), err)
	}
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	cmd := exec.Command("sh", "-c", editor+` "$1"`, "sh", f.Name())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", userError(backend.CodeOperationFailed, "%s: command failed: %v", editor, err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return "", userError(backend.CodeOperationFailed, "cannot read %s: %v", f.Name(), err)
	}
	return string(b), nil
}
