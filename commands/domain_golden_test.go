package commands_test

import (
	"regexp"
	"testing"
)

// Golden tests of the domain management and monitoring commands, run by
// the harness of host_golden_test.go over testdata/domain and
// testdata/monitor (recorded with `testdata/record-virsh.sh domain
// monitor`).

func init() {
	// The test driver reports the time of day as a domain's CPU time.
	volatile = append(volatile, struct {
		re   *regexp.Regexp
		with string
	}{regexp.MustCompile(`(CPU time: +)\d+\.\ds`), "${1}T"})
}

func TestDomainGolden(t *testing.T)  { runGoldenDir(t, "domain") }
func TestMonitorGolden(t *testing.T) { runGoldenDir(t, "monitor") }
