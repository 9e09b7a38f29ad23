package commands

import "github.com/spf13/cobra"

var hostCommands = []func(*Env) *cobra.Command{}
