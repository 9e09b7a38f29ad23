package commands

import "github.com/spf13/cobra"

var snapshotCommands = []func(*Env) *cobra.Command{}
