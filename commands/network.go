package commands

import (
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Networking" group (virsh-network.c).
var networkCommands = []func(*Env) *cobra.Command{
	newNetListCmd, newNetInfoCmd, newNetDumpXMLCmd,
	newNetDefineCmd, newNetCreateCmd,
	newNetUndefineCmd, newNetStartCmd, newNetDestroyCmd, newNetAutostartCmd,
	newNetUUIDCmd, newNetNameCmd,
}

// networkArg declares the <network> option of the network commands.
func networkArg(cmd *cobra.Command, p *string) {
	arg(cmd, p, "network", "network name or uuid", true)
}

// networkJSON is a network's data schema in net-list and net-info
// (docs/network.md).
type networkJSON struct {
	Name       string `json:"name"`
	UUID       string `json:"uuid"`
	State      string `json:"state"`
	Autostart  bool   `json:"autostart"`
	Persistent bool   `json:"persistent"`
	Bridge     string `json:"bridge,omitempty"`
}

func newNetworkJSON(n backend.NetworkInfo) networkJSON {
	return networkJSON{
		Name: n.Name, UUID: n.UUID, State: activeWord(n.Active),
		Autostart: n.Autostart, Persistent: n.Persistent, Bridge: n.Bridge,
	}
}

// activeWord is virsh's state word for networks and pools.
func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}

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
	b, err := os.ReadFile(path)
	if err != nil {
		return "", userError(backend.CodeInvalidArgument, "Failed to open file '%s': %s", path, errnoText(err))
	}
	return string(b), nil
}

// nonEmpty rejects string options given with an empty value, as virsh's
// vshCommandOptStringReq does.
func nonEmpty(c *cobra.Command, names ...string) error {
	for _, name := range names {
		if f := c.Flags().Lookup(name); f.Changed && f.Value.String() == "" {
			return userError("", "Failed to get option '%s': Option argument is empty", name)
		}
	}
	return nil
}
