// Package nstest runs test code inside a fresh network namespace, so that
// networking tests never touch the host's links, routes or firewall.
package nstest

import (
	"os"
	"runtime"
	"testing"

	"github.com/vishvananda/netns"
)

// Run calls fn on a goroutine whose OS thread is switched into a new,
// empty network namespace (with its loopback down), and waits for it.
// The namespace disappears with the thread's reference to it: the thread
// is never switched back and never reused, because it stays locked.
// Run skips the test when not root.
func Run(t *testing.T, fn func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	done := make(chan struct{})
	var setupErr error
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: Go retires the thread
		ns, err := netns.New()
		if err != nil {
			setupErr = err
			return
		}
		ns.Close()
		fn()
	}()
	<-done
	if setupErr != nil {
		t.Fatalf("cannot create a network namespace: %v", setupErr)
	}
}
