package commands_test

import "testing"

func TestStorageGolden(t *testing.T) { runGoldenDir(t, "storage") }
