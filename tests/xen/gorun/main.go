// Command gorun runs the command its arguments name and exits with its
// status, and does nothing else: the nested Xen benchmark times it in
// front of xl as the floor of any Go program that drives xl, since
// starting a Go process is itself a sizeable share of an xl command in
// the emulated dom0.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gorun COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "gorun:", err)
		os.Exit(1)
	}
}
