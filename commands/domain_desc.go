package commands

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// descJSON is desc's data schema when it reads.
type descJSON struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // "description" or "title"
	Value string `json:"value"`
}

func newDescCmd(env *Env) *cobra.Command {
	var o struct {
		domain      string
		scope       scopeFlags
		title, edit bool
	}
	cmd := &cobra.Command{
		Use:   "desc",
		Short: "show or set domain's description or title",
		Long:  "Allows setting or modifying the description or title of a domain.",
	}
	domainArg(cmd, &o.domain)
	o.scope.declareModify(cmd)
	cmd.Flags().BoolVar(&o.title, "title", false, "modify/get the title instead of description")
	cmd.Flags().BoolVar(&o.edit, "edit", false, "open an editor to modify the description")
	newDesc := cmd.Flags().StringArray("new-desc", nil, "message")
	cmd.Args = descArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		scope, err := o.scope.scope(c)
		if err != nil {
			return err
		}
		if o.domain == "" {
			o.domain, args = args[0], args[1:]
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		m := metadata{env: env, doms: conn.Domains(), name: d.Name, title: o.title, scope: scope}
		words := append(*newDesc, args...)
		if !o.edit && len(words) == 0 {
			return m.show(ctx)
		}
		return m.set(ctx, strings.Join(words, " "), len(words) > 0, o.edit)
	}
	return cmd
}

// descArgs accepts any number of words, as virsh's argv option does: the
// first is the domain unless --domain was given, the others the new
// description.
func descArgs(cmd *cobra.Command, args []string) error {
	if !cmd.Flags().Changed("domain") && len(args) == 0 {
		return userError("", "command 'desc' requires <domain> option")
	}
	return nil
}

// metadata reads and writes one domain's description or title.
type metadata struct {
	env   *Env
	doms  backend.DomainService
	name  string
	title bool
	scope backend.Scope
}

func (m metadata) kind() backend.MetadataKind {
	if m.title {
		return backend.MetadataTitle
	}
	return backend.MetadataDescription
}

func (m metadata) word() string {
	if m.title {
		return "title"
	}
	return "description"
}

// get returns the text, empty when there is none.
func (m metadata) get(ctx context.Context) (string, error) {
	v, err := m.doms.Metadata(ctx, m.name, m.kind(), backend.Scope{Config: m.scope.Config})
	if errors.Is(err, backend.ErrNotFound) {
		return "", nil
	}
	return v, err
}

// show prints the text as virsh does: without a final newline.
func (m metadata) show(ctx context.Context) error {
	v, err := m.get(ctx)
	if err != nil {
		return backendError(err)
	}
	return m.env.emit(descJSON{Name: m.name, Kind: m.word(), Value: v}, func(w io.Writer) {
		if v != "" {
			io.WriteString(w, v)
			return
		}
		m.env.info("No %s for domain: %s", m.word(), m.name)
	})
}

// set stores text, or with edit what the user makes of it (of the
// current text when no text was given); as in virsh, an edit that ends
// where the current text is changes nothing.
func (m metadata) set(ctx context.Context, text string, given, edit bool) error {
	if edit {
		current, err := m.get(ctx)
		if err != nil {
			return backendError(err)
		}
		if !given {
			text = current
		}
		if text, err = editText(text); err != nil {
			return err
		}
		if m.title {
			text = strings.TrimSuffix(text, "\n")
		}
		if text == current {
			m.env.info("Domain %s not changed\n", m.word())
			return nil
		}
	}
	if err := m.doms.SetMetadata(ctx, m.name, m.kind(), text, m.scope); err != nil {
		return failed(err, "Failed to set new domain %s", m.word())
	}
	m.env.info("Domain %s updated successfully", m.word())
	return nil
}

// editText lets the user edit text in their editor and returns the result.
func editText(text string) (string, error) {
	f, err := newEditorFile(text)
	if err != nil {
		return "", err
	}
	defer f.remove()
	return f.edit()
}
