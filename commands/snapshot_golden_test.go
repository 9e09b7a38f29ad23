package commands_test

import "testing"

func TestSnapshotGolden(t *testing.T) { runGoldenDir(t, "snapshot") }
