package commands

import "github.com/spf13/cobra"

var poolCommands = []func(*Env) *cobra.Command{}
