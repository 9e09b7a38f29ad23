// Command virtsh is a virsh-style shell for virtual machines and containers
// that needs no daemon. main wires the drivers in and runs the shell.
package main

import (
	"os"

	_ "github.com/virtsh/virtsh/backend/lxc"
	_ "github.com/virtsh/virtsh/backend/netdrv"
	_ "github.com/virtsh/virtsh/backend/qemu"
	_ "github.com/virtsh/virtsh/backend/testdrv"
	_ "github.com/virtsh/virtsh/backend/xen"
	"github.com/virtsh/virtsh/shell"
)

func main() {
	os.Exit(shell.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
