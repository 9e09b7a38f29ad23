package commands

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

// Helpers shared by the commands of every group.

// xmlJSON is the data schema of the dumpxml commands: the object's name and
// its XML document.
type xmlJSON struct {
	Name string `json:"name,omitempty"`
	XML  string `json:"xml"`
}

// emitXML prints an object's XML document as virsh does (the document and
// its final newline), or as xmlJSON.
func emitXML(env *Env, name, doc string) error {
	return env.emit(xmlJSON{Name: name, XML: doc}, func(w io.Writer) {
		io.WriteString(w, doc)
		if !strings.HasSuffix(doc, "\n") {
			io.WriteString(w, "\n")
		}
	})
}

// readFileArg reads the XML file named by a command's <file> option, with
// virsh's error when it cannot (virFileReadAll).
func readFileArg(path string) (string, error) {
	b, err := fsutil.ReadFile(path)
	if err != nil {
		verb := "open"
		if pe := (*os.PathError)(nil); errors.As(err, &pe) && pe.Op == "read" {
			verb = "read" // a directory opens, and reading it fails
		}
		return "", userError(backend.CodeInvalidArgument, "Failed to %s file '%s': %s", verb, path, errnoText(err))
	}
	return string(b), nil
}
