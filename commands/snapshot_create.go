package commands

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func newSnapshotCreateAsCmd(env *Env) *cobra.Command {
	var o struct {
		domain, name, description, memspec string
		diskspecs                          []string
		printXML                           bool
		opts                               backend.SnapshotCreateOptions
	}
	cmd := &cobra.Command{
		Use:   "snapshot-create-as",
		Short: "Create a snapshot from a set of args",
		Long:  "Create a snapshot (disk and RAM) from arguments",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.name, "name", "name of snapshot", false)
	arg(cmd, &o.description, "description", "description of snapshot", false)
	fl := cmd.Flags()
	fl.BoolVar(&o.printXML, "print-xml", false, "print XML document rather than create")
	fl.BoolVar(&o.opts.NoMetadata, "no-metadata", false, "take snapshot but create no metadata")
	fl.BoolVar(&o.opts.Halt, "halt", false, "halt domain after snapshot is created")
	fl.BoolVar(&o.opts.DiskOnly, "disk-only", false, "capture disk state but not vm state")
	fl.BoolVar(&o.opts.ReuseExt, "reuse-external", false, "reuse any existing external files")
	fl.BoolVar(&o.opts.Quiesce, "quiesce", false, "quiesce guest's file systems")
	fl.BoolVar(&o.opts.Atomic, "atomic", false, "require atomic operation")
	fl.BoolVar(&o.opts.Live, "live", false, "take a live snapshot")
	fl.BoolVar(&o.opts.Validate, "validate", false, "validate the XML against the schema")
	fl.StringVar(&o.memspec, "memspec", "", "memory attributes: [file=]name[,snapshot=type]")
	fl.StringArrayVar(&o.diskspecs, "diskspec", nil, "disk attributes: disk[,snapshot=type][,driver=type][,stype=type][,file=name]")
	// --diskspec is virsh's argv option: words left over after <domain>,
	// --name and --description are diskspecs too.
	cmd.Args = func(c *cobra.Command, args []string) error {
		n := min(len(args), freePositional(c))
		o.diskspecs = append(o.diskspecs, args[n:]...)
		return fillPositional(c, args[:n])
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		doc, err := snapshotXML(o.name, o.description, o.memspec, o.diskspecs)
		if err != nil {
			return err
		}
		if o.printXML {
			return env.emit(xmlJSON{Name: o.name, XML: doc}, func(w io.Writer) { io.WriteString(w, doc+"\n") })
		}
		name, err := conn.Snapshots().Create(ctx, d.Name, doc, o.opts)
		if err != nil {
			return err // virsh prints only libvirt's error here
		}
		// virsh's message has no newline; the blank line after the
		// command ends it.
		env.info("Domain snapshot %s created", name)
		return nil
	}
	return cmd
}

// freePositional counts the positional options not given by name.
func freePositional(c *cobra.Command) int {
	n := 0
	for _, name := range annotationList(c, annotPositional) {
		if !c.Flags().Changed(name) {
			n++
		}
	}
	return n
}

// snapshotXML builds the <domainsnapshot> document of snapshot-create-as
// exactly as virsh does (cmdSnapshotCreateAs).
func snapshotXML(name, description, memspec string, diskspecs []string) (string, error) {
	var b strings.Builder
	b.WriteString("<domainsnapshot>\n")
	if name != "" {
		fmt.Fprintf(&b, "  <name>%s</name>\n", escapeXML(name))
	}
	if description != "" {
		fmt.Fprintf(&b, "  <description>%s</description>\n", escapeXML(description))
	}
	if memspec != "" {
		if err := writeMemspec(&b, memspec); err != nil {
			return "", err
		}
	}
	if len(diskspecs) > 0 {
		b.WriteString("  <disks>\n")
		for _, spec := range diskspecs {
			if err := writeDiskspec(&b, spec); err != nil {
				return "", err
			}
		}
		b.WriteString("  </disks>\n")
	}
	b.WriteString("</domainsnapshot>\n")
	return b.String(), nil
}

// writeMemspec writes <memory> from "[file=]name[,snapshot=type]".
func writeMemspec(b *strings.Builder, spec string) error {
	var snapshot, file string
	for _, f := range splitSpec(spec) {
		switch {
		case snapshot == "" && strings.HasPrefix(f, "snapshot="):
			snapshot = strings.TrimPrefix(f, "snapshot=")
		case file == "" && strings.HasPrefix(f, "file="):
			file = strings.TrimPrefix(f, "file=")
		case file == "" && strings.HasPrefix(f, "/"):
			file = f
		default:
			return userError("", "unable to parse memspec: %s", spec)
		}
	}
	b.WriteString("  <memory")
	if snapshot != "" {
		fmt.Fprintf(b, " snapshot='%s'", escapeXML(snapshot))
	}
	if file != "" {
		fmt.Fprintf(b, " file='%s'", escapeXML(file))
	}
	b.WriteString("/>\n")
	return nil
}

var diskspecKeys = map[string]bool{"snapshot": true, "driver": true, "stype": true, "file": true}

// writeDiskspec writes one <disk> from
// "disk[,snapshot=type][,driver=type][,stype=type][,file=name]".
func writeDiskspec(b *strings.Builder, spec string) error {
	fields := splitSpec(spec)
	attrs := map[string]string{}
	for _, f := range fields[1:] {
		key, value, ok := strings.Cut(f, "=")
		if _, seen := attrs[key]; !ok || seen || !diskspecKeys[key] {
			return userError("", "unable to parse diskspec: %s", spec)
		}
		attrs[key] = value
	}
	fmt.Fprintf(b, "    <disk name='%s'", escapeXML(fields[0]))
	if v, ok := attrs["snapshot"]; ok {
		fmt.Fprintf(b, " snapshot='%s'", v)
	}
	source := "file"
	if v, ok := attrs["stype"]; ok {
		if v != "file" && v != "block" {
			// virsh reports the type, then the diskspec.
			return failed(backend.Plain(backend.CodeInvalidArgument, "unable to parse diskspec: %s", spec), "Unknown storage type: '%s'", v)
		}
		if v == "block" {
			source = "dev"
		}
		fmt.Fprintf(b, " type='%s'", v)
	}
	driver, hasDriver := attrs["driver"]
	file, hasFile := attrs["file"]
	if !hasDriver && !hasFile {
		b.WriteString("/>\n")
		return nil
	}
	b.WriteString(">\n")
	if hasDriver {
		fmt.Fprintf(b, "      <driver type='%s'/>\n", driver)
	}
	if hasFile {
		fmt.Fprintf(b, "      <source %s='%s'/>\n", source, escapeXML(file))
	}
	b.WriteString("    </disk>\n")
	return nil
}

// splitSpec splits a comma-separated spec, ",," standing for a comma
// (vshStringToArray).
func splitSpec(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ',' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case s[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, cur.String())
}

// escapeXML escapes text and attribute values as libvirt's
// virBufferEscapeString does.
func escapeXML(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.NewReplacer("&#34;", "&quot;", "&#39;", "&apos;", "&#xA;", "\n", "&#x9;", "\t", "&#xD;", "\r").Replace(b.String())
}
