package commands_test

import "testing"

func TestNetworkGolden(t *testing.T) { runGoldenDir(t, "network") }
