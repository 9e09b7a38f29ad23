package qemu

import (
	"strconv"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

func itoa(i int) string { return strconv.Itoa(i) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// writeFile writes a runtime file atomically (not synced: it does not
// outlive the boot), readable by its owner only.
func writeFile(path, content string) error {
	if err := fsutil.WriteVolatile(path, []byte(content), 0o600); err != nil {
		return backend.OperationFailed("cannot write %s: %v", path, err)
	}
	return nil
}
