package links

import (
	"bufio"
	"compress/gzip"
	"os"
	"strings"
)

// KernelLacks reports whether the running kernel's configuration
// (/proc/config.gz) says option is not set. Without that file it cannot
// tell and says false.
func KernelLacks(option string) bool {
	f, err := os.Open("/proc/config.gz")
	if err != nil {
		return false
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, option+"=") {
			return false
		}
	}
	return true
}
