package backend

import (
	"context"
	"io"
)

// Capabilities of the LXC driver alone.

// Stdio are the streams of a command run for the user.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// DomainNamespaces runs commands inside a running container
// (lxc-enter-namespace).
type DomainNamespaces interface {
	// EnterNamespace runs argv in the namespaces and cgroup of the
	// container's init with the given streams, waits for it and returns
	// its exit status (128+N when a signal N killed it). argv[0] is a path
	// in the container, or a command looked up on the container's PATH.
	EnterNamespace(ctx context.Context, name string, argv []string, stdio Stdio) (int, error)
}
