package testdrv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

var ctx = context.Background()

// open connects to uri through the registry, as commands do.
func open(t *testing.T, uri string) backend.Conn {
	t.Helper()
	c, err := backend.Open(ctx, uri, backend.OpenOptions{})
	if err != nil {
		t.Fatalf("open %s: %v", uri, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// openNode connects to testdata/node.xml.
func openNode(t *testing.T) backend.Conn {
	t.Helper()
	path, err := filepath.Abs("testdata/node.xml")
	if err != nil {
		t.Fatal(err)
	}
	return open(t, "test://"+path)
}

// golden returns a file of testdata: output recorded from virsh 9.0.0.
func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks an error's kind and its exact message.
func wantErr(t *testing.T, err, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q has code %s, want %s", err, backend.CodeOf(err), backend.CodeOf(kind))
	}
	if err.Error() != msg {
		t.Errorf("error\n got %q\nwant %q", err, msg)
	}
}

func sameText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s differs from virsh's\n--- got\n%s--- want\n%s", what, got, want)
	}
}
