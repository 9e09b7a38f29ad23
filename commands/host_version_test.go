package commands_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/commands"
)

// version names virtsh where virsh names libvirt, so it has no virsh
// golden file; the hypervisor and daemon lines still match virsh's.
func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &commands.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, Session: &commands.Session{URI: "test:///default"}}
	if commands.Run(context.Background(), env, []string{"version", "--daemon"}, false) != 0 {
		t.Fatalf("version failed: %s", errOut.String())
	}
	v := commands.Version
	want := "Compiled against library: virtsh " + v + "\n" +
		"Using library: virtsh " + v + "\n" +
		"Using API: TEST " + v + "\n" +
		"Running hypervisor: TEST 0.0.2\n" +
		"Running against daemon: 9.0.0\n\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
