package commands

import (
	"errors"
	"math"
	"testing"
)

// The cases virsh 9.0.0's setmem was run with (vshCommandOptScaledInt,
// virScaleInteger), in bytes with KiB as the bare unit.
func TestParseScaled(t *testing.T) {
	for _, c := range []struct {
		in    string
		bytes uint64
		lines []string // error lines; nil for success
	}{
		{"1024", 1024 * 1024, nil},
		{"1G", 1 << 30, nil},
		{"512MiB", 512 << 20, nil},
		{"1b", 1, nil},
		{"1000B", 1000, nil},
		{"2bytes", 2, nil},
		{"1k", 1024, nil},
		{"1KB", 1000, nil},
		{"3mb", 3000000, nil},
		{"1E", 1 << 60, nil},
		{"+7", 7 * 1024, nil},
		{"1x", 0, []string{"Scaled numeric value '1x' for <size> option is malformed or out of range", "invalid argument: unknown suffix 'x'"}},
		{"1.5G", 0, []string{"Scaled numeric value '1.5G' for <size> option is malformed or out of range", "invalid argument: unknown suffix '.5G'"}},
		{"1Z", 0, []string{"Scaled numeric value '1Z' for <size> option is malformed or out of range", "invalid argument: unknown suffix 'Z'"}},
		{"1GX", 0, []string{"Scaled numeric value '1GX' for <size> option is malformed or out of range", "invalid argument: unknown suffix 'GX'"}},
		{"-5", 0, []string{"Scaled numeric value '-5' for <size> option is malformed or out of range"}},
		{"x", 0, []string{"Scaled numeric value 'x' for <size> option is malformed or out of range"}},
		{"9999999999999999999999", 0, []string{"Scaled numeric value '9999999999999999999999' for <size> option is malformed or out of range"}},
		{"99999999999E", 0, []string{"Scaled numeric value '99999999999E' for <size> option is malformed or out of range", "numerical overflow: value too large: 99999999999E"}},
		{"20000000000000000", 0, []string{"Scaled numeric value '20000000000000000' for <size> option is malformed or out of range", "numerical overflow: value too large: 20000000000000000"}},
	} {
		got, err := parseScaled("size", c.in, 1024, math.MaxUint64)
		if c.lines == nil {
			if err != nil || got != c.bytes {
				t.Errorf("parseScaled(%q) = %d, %v; want %d", c.in, got, err, c.bytes)
			}
			continue
		}
		var ce *cmdError
		if !errors.As(err, &ce) {
			t.Errorf("parseScaled(%q) = %d, %v; want an error", c.in, got, err)
			continue
		}
		if lines := ce.Lines(); !equalStrings(lines, c.lines) {
			t.Errorf("parseScaled(%q) error lines %q, want %q", c.in, lines, c.lines)
		}
	}
}

func TestParseKiBRoundsUp(t *testing.T) {
	for in, want := range map[string]uint64{"1b": 1, "1025b": 2, "1M": 1024, "7": 7} {
		if got, err := parseKiB("size", in); err != nil || got != want {
			t.Errorf("parseKiB(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
