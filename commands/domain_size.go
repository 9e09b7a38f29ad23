package commands

import (
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// numberArg declares a required positional option holding a number that
// the command parses itself (so that its errors are virsh's, at run
// time); help shows it as <number>, as virsh does.
func numberArg(cmd *cobra.Command, p *string, name, usage string) {
	arg(cmd, p, name, usage, true)
	cmd.Flags().Lookup(name).Value = numberText{p}
}

// numberText is a string option that calls itself a number.
type numberText struct{ p *string }

func (n numberText) String() string     { return *n.p }
func (n numberText) Set(s string) error { *n.p = s; return nil }
func (n numberText) Type() string       { return "int" }

// parseScaled reads a scaled integer the way virsh's
// vshCommandOptScaledInt does: digits, then an optional case-insensitive
// unit (b/byte/bytes; k, M, G, T, P, E alone or with "iB" for powers of
// 1024; with "B" for powers of 1000); a bare number is in units of scale.
// It returns bytes, at most limit.
func parseScaled(option, s string, scale, limit uint64) (uint64, error) {
	malformed := func(detail error) error {
		return &cmdError{msg: "Scaled numeric value '" + s + "' for <" + option + "> option is malformed or out of range", err: detail}
	}
	digits := strings.TrimLeft(s, " \t\n\v\f\r")
	digits = strings.TrimPrefix(digits, "+")
	end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(digits)
	}
	value, err := strconv.ParseUint(digits[:end], 10, 64)
	if err != nil {
		return 0, malformed(nil)
	}
	suffix := digits[end:]
	unit, err := unitScale(suffix, scale)
	if err != nil {
		return 0, malformed(err)
	}
	if value != 0 && value > limit/unit {
		return 0, malformed(backend.Plain(backend.CodeInvalidArgument, "numerical overflow: value too large: %d%s", value, suffix))
	}
	return value * unit, nil
}

// unitScale is virScaleInteger's multiplier for a unit suffix.
func unitScale(suffix string, scale uint64) (uint64, error) {
	switch strings.ToLower(suffix) {
	case "":
		return scale, nil
	case "b", "byte", "bytes":
		return 1, nil
	}
	var base uint64
	switch rest := suffix[1:]; {
	case rest == "" || strings.EqualFold(rest, "iB"):
		base = 1024
	case strings.EqualFold(rest, "b"):
		base = 1000
	default:
		return 0, backend.InvalidArgument("unknown suffix '%s'", suffix)
	}
	power := strings.IndexByte("kmgtpe", byte(strings.ToLower(suffix[:1])[0]))
	if power < 0 {
		return 0, backend.InvalidArgument("unknown suffix '%s'", suffix)
	}
	unit := uint64(1)
	for i := 0; i <= power; i++ {
		unit *= base
	}
	return unit, nil
}

// parseKiB reads a memory size option: a scaled integer, KiB when bare,
// rounded up to whole KiB.
func parseKiB(option, s string) (uint64, error) {
	b, err := parseScaled(option, s, 1024, math.MaxUint64)
	if err != nil {
		return 0, err
	}
	return b/1024 + min(b%1024, 1), nil
}

// parseCount reads an unsigned number option (vshCommandOptUInt).
func parseCount(option, s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, userError("", "Numeric value '%s' for <%s> option is malformed or out of range", s, option)
	}
	return int(n), nil
}
