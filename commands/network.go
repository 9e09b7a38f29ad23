package commands

import "github.com/spf13/cobra"

var networkCommands = []func(*Env) *cobra.Command{}
