package commands_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/virtsh/virtsh/backend/testdrv"
	"github.com/virtsh/virtsh/commands"
)

// edit runs an editor: these tests set EDITOR to scripts of testdata/edit
// and answer virsh's "Try again?" question through env.In. The expected
// outputs are virsh 9.0.0's on a terminal (the question is asked only
// there), and its own on errors.

func runEdit(t *testing.T, editor, answers, line string) (stdout, stderr string) {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", "edit", editor))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", path)
	var out, errOut bytes.Buffer
	env := &commands.Env{In: strings.NewReader(answers), Out: &out, Err: &errOut, Session: &commands.Session{URI: "test:///default"}}
	runChain(t, env, line)
	tmp := regexp.MustCompile(`/\S*/virsh\w+\.xml`)
	return out.String(), tmp.ReplaceAllString(errOut.String(), "TMP")
}

func TestEditUnchanged(t *testing.T) {
	out, errOut := runEdit(t, "same.sh", "", "edit test")
	if want := "Domain 'test' XML configuration not changed.\n\n"; out != want || errOut != "" {
		t.Errorf("got %q, %q; want %q", out, errOut, want)
	}
}

func TestEditDefines(t *testing.T) {
	out, _ := runEdit(t, "memory.sh", "", "edit test; dumpxml --inactive test")
	if !strings.HasPrefix(out, "Domain 'test' XML configuration edited.\n\n") ||
		!strings.Contains(out, "<currentMemory unit='KiB'>1048576</currentMemory>") {
		t.Errorf("got %q", out)
	}
}

func TestEditEditorFails(t *testing.T) {
	out, errOut := runEdit(t, "fail.sh", "", "edit test")
	want := "error: internal error: Child process (" + filepath.Join(mustAbs(t, "testdata/edit"), "fail.sh") + " TMP) unexpected exit status 3\n"
	if out != "\n" || errOut != want {
		t.Errorf("got %q, %q; want %q", out, errOut, want)
	}
}

// TestEditAskAgain answers: an unknown key (asked again), help, turn off
// validation (asked without "i"), edit again, give up.
func TestEditAskAgain(t *testing.T) {
	out, errOut := runEdit(t, "break.sh", "x?iyn", "edit test; dumpxml --inactive test")
	prompt := "\rFailed. Try again? [y,n,i,f,?]: "
	want := prompt + prompt + "\n" +
		"y - yes, start editor again\n" +
		"n - no, throw away my changes\n" +
		"i - turn off validation and try to redefine again\n" +
		"f - force, try to redefine again\n" +
		"? - print this help\n" +
		prompt + "\r\n" +
		"\rFailed. Try again? [y,n,f,?]: \r\n" +
		prompt + "\r\n\n"
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "<currentMemory unit='KiB'>2097152</currentMemory>") {
		t.Errorf("got %q, want prefix %q and the old definition", out, want)
	}
	if n := strings.Count(errOut, "\n"); n != 3 {
		t.Errorf("want the define error after each of 3 failures, got %q", errOut)
	}
}

func TestEditNoMoreAnswers(t *testing.T) {
	_, errOut := runEdit(t, "break.sh", "f", "edit test")
	if !strings.HasSuffix(errOut, "error: Failed.\n") {
		t.Errorf("got %q", errOut)
	}
}

func TestDescEdit(t *testing.T) {
	out, _ := runEdit(t, "same.sh", "", "desc --edit test; desc --edit test preset; desc test")
	want := "Domain description not changed\n\nDomain description updated successfully\npreset\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func mustAbs(t *testing.T, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
