package tests

import (
	"os/exec"
	"testing"
)

// TestUnknownGlobalOption: virsh's message and status for an option it
// does not know, before any command.
func TestUnknownGlobalOption(t *testing.T) {
	for _, opt := range []string{"-x", "--bogus"} {
		got := run(t, virtshBin, "", opt, "uri")
		want := result{stderr: "error: unsupported option '" + opt + "'. See --help.\n", code: 1}
		if got != want {
			t.Errorf("virtsh %s: %+v, want %+v", opt, got, want)
		}
		if virsh, err := exec.LookPath("virsh"); err == nil {
			ref := run(t, virsh, "", opt, "uri")
			if ref.code != got.code || ref.stdout != got.stdout {
				t.Errorf("virsh %s exits %d with stdout %q; virtsh %d, %q", opt, ref.code, ref.stdout, got.code, got.stdout)
			}
		}
	}
}
