package commands

import "github.com/spf13/cobra"

var volumeCommands = []func(*Env) *cobra.Command{}
