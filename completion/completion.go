// Package completion holds the completers of virtsh: live object names
// from the backend, fixed words and file names. They are cobra completion
// functions, so the interactive shell and `virtsh completion bash|zsh|fish`
// share them and can never disagree.
package completion

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// Func is a cobra completion function.
type Func = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective)

// ConnFunc returns the live connection completers read from.
type ConnFunc func(ctx context.Context) (backend.Conn, error)

// DomainFilter selects the domains a command accepts (start: inactive ones).
type DomainFilter func(backend.DomainInfo) bool

// Domain filters used by the command tree.
var (
	AnyDomain      DomainFilter = func(backend.DomainInfo) bool { return true }
	ActiveDomain   DomainFilter = func(d backend.DomainInfo) bool { return d.State.Active() }
	InactiveDomain DomainFilter = func(d backend.DomainInfo) bool { return !d.State.Active() }
	RunningDomain  DomainFilter = func(d backend.DomainInfo) bool { return d.State == backend.DomainRunning }
	PausedDomain   DomainFilter = func(d backend.DomainInfo) bool { return d.State == backend.DomainPaused }
)

const noFiles = cobra.ShellCompDirectiveNoFileComp

// matching keeps the candidates that start with prefix, each with its
// description after a tab as cobra expects.
func matching(prefix string, names, descs []string) []cobra.Completion {
	var out []cobra.Completion
	for i, n := range names {
		if strings.HasPrefix(n, prefix) {
			if descs != nil && descs[i] != "" {
				n += "\t" + descs[i]
			}
			out = append(out, n)
		}
	}
	return out
}

// ctxOf returns the command's context, or a background one when cobra was
// run without one (shell completion scripts).
func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// live builds a completer over names read from the connection: list
// returns the candidates and their descriptions (descs may be nil).
func live(conn ConnFunc, list func(ctx context.Context, c backend.Conn, cmd *cobra.Command) (names, descs []string, err error)) Func {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx := ctxOf(cmd)
		c, err := conn(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		names, descs, err := list(ctx, c, cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return matching(toComplete, names, descs), noFiles
	}
}

// Domains completes the names of the domains filter accepts, described by
// their state.
func Domains(conn ConnFunc, filter DomainFilter) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, _ *cobra.Command) (names, descs []string, err error) {
		doms, err := c.Domains().List(ctx)
		for _, d := range doms {
			if filter(d) {
				names = append(names, d.Name)
				descs = append(descs, d.State.String())
			}
		}
		return names, descs, err
	})
}

// Networks completes network names; active selects active (true),
// inactive (false) or all (nil) networks.
func Networks(conn ConnFunc, active *bool) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, _ *cobra.Command) (names, descs []string, err error) {
		nets, err := c.Networks().List(ctx)
		for _, n := range nets {
			if active == nil || *active == n.Active {
				names = append(names, n.Name)
				descs = append(descs, map[bool]string{true: "active", false: "inactive"}[n.Active])
			}
		}
		return names, descs, err
	})
}

// Pools completes storage pool names.
func Pools(conn ConnFunc) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, _ *cobra.Command) (names, descs []string, err error) {
		pools, err := c.Pools().List(ctx)
		for _, p := range pools {
			names = append(names, p.Name)
			descs = append(descs, p.State.String())
		}
		return names, descs, err
	})
}

// flagValue returns the value the user gave the named option so far.
func flagValue(cmd *cobra.Command, name string) string {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// Volumes completes the volume names of the pool given with the option
// poolOpt; without a pool, the volume paths of every pool.
func Volumes(conn ConnFunc, poolOpt string) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, cmd *cobra.Command) (names, _ []string, err error) {
		if pool := flagValue(cmd, poolOpt); pool != "" {
			vols, err := c.Pools().Volumes(ctx, pool)
			for _, v := range vols {
				names = append(names, v.Name)
			}
			return names, nil, err
		}
		pools, err := c.Pools().List(ctx)
		for _, p := range pools {
			vols, _ := c.Pools().Volumes(ctx, p.Name) // an unreadable pool adds nothing
			for _, v := range vols {
				names = append(names, v.Path)
			}
		}
		return names, nil, err
	})
}

// Snapshots completes the snapshots of the domain given with --domain.
func Snapshots(conn ConnFunc) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, cmd *cobra.Command) (names, _ []string, err error) {
		snaps, err := c.Snapshots().List(ctx, flagValue(cmd, "domain"))
		for _, s := range snaps {
			names = append(names, s.Name)
		}
		return names, nil, err
	})
}

// domainDevices completes from the devices of the domain given with
// --domain, as pick lists them.
func domainDevices(conn ConnFunc, pick func(*libvirtxml.DomainDeviceList) []string) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, cmd *cobra.Command) ([]string, []string, error) {
		raw, err := c.Domains().XML(ctx, flagValue(cmd, "domain"), backend.XMLOptions{})
		if err != nil {
			return nil, nil, err
		}
		var d libvirtxml.Domain
		if err := d.Unmarshal(raw); err != nil || d.Devices == nil {
			return nil, nil, err
		}
		return pick(d.Devices), nil, nil
	})
}

// DiskTargets completes the disk targets (vda, sdb) of the domain given.
func DiskTargets(conn ConnFunc) Func {
	return domainDevices(conn, func(devs *libvirtxml.DomainDeviceList) (out []string) {
		for _, d := range devs.Disks {
			if d.Target != nil {
				out = append(out, d.Target.Dev)
			}
		}
		return out
	})
}

// Interfaces completes the interfaces of the domain given: target device
// names and MAC addresses.
func Interfaces(conn ConnFunc) Func {
	return domainDevices(conn, func(devs *libvirtxml.DomainDeviceList) (out []string) {
		for _, i := range devs.Interfaces {
			if i.Target != nil && i.Target.Dev != "" {
				out = append(out, i.Target.Dev)
			}
			if i.MAC != nil {
				out = append(out, i.MAC.Address)
			}
		}
		return out
	})
}

// HostInterfaces completes the host's network interfaces (iface-*).
func HostInterfaces(conn ConnFunc) Func {
	return live(conn, func(ctx context.Context, c backend.Conn, _ *cobra.Command) (names, descs []string, err error) {
		h, ok := c.(backend.HostInterfaces)
		if !ok || h.Interfaces() == nil {
			return nil, nil, nil
		}
		ifaces, err := h.Interfaces().List(ctx)
		for _, i := range ifaces {
			names = append(names, i.Name)
			descs = append(descs, i.MAC)
		}
		return names, descs, err
	})
}

// Words completes a fixed list of words (output formats, shutdown modes).
func Words(words ...string) Func {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return matching(toComplete, words, nil), noFiles
	}
}

// CommaWords completes a comma-separated list of words (shutdown --mode
// acpi,agent): the part after the last comma.
func CommaWords(words ...string) Func {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		head := ""
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			head, toComplete = toComplete[:i+1], toComplete[i+1:]
		}
		var out []cobra.Completion
		for _, w := range matching(toComplete, words, nil) {
			out = append(out, head+w)
		}
		return out, noFiles | cobra.ShellCompDirectiveNoSpace
	}
}

// Files completes file names (define FILE); with extensions, only those.
func Files(exts ...string) Func {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(exts) > 0 {
			return exts, cobra.ShellCompDirectiveFilterFileExt
		}
		return nil, cobra.ShellCompDirectiveDefault
	}
}

// Directories completes directory names (cd).
func Directories() Func {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
}

// Nothing says that the value is free text (a new name, a description): no
// completion, and no file names either.
func Nothing() Func {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, noFiles
	}
}
