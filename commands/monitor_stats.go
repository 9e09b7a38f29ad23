package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// orderedObject is a JSON object whose keys keep the order the backend
// reported them in (a Go map would sort them).
type orderedObject []orderedField

type orderedField struct {
	Key   string
	Value any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// memStatUnits gives the unit suffix of dommemstat's data keys; the
// others are counts.
var memStatUnits = map[string]string{
	"swap_in": "_kib", "swap_out": "_kib", "unused": "_kib", "available": "_kib",
	"actual": "_kib", "usable": "_kib", "disk_caches": "_kib", "rss": "_kib",
	"last_update": "_seconds",
}

func newDommemstatCmd(env *Env) *cobra.Command {
	var o struct {
		domain string
		scope  scopeFlags
	}
	cmd := &cobra.Command{
		Use:   "dommemstat",
		Short: "get memory statistics for a domain",
		Long:  "Get memory statistics for a running domain.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().Int("period", 0, "period in seconds to set collection")
	o.scope.declareAffect(cmd)
	unsupported(cmd, "period")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if _, err := o.scope.scope(c); err != nil {
			return err
		}
		if err := checkSupported(c); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		stats, err := conn.Domains().MemoryStats(ctx, d.Name)
		if err != nil {
			return failed(err, "Failed to get memory statistics for domain %s", o.domain)
		}
		data := make(orderedObject, 0, len(stats))
		for _, s := range stats {
			data = append(data, orderedField{s.Tag + memStatUnits[s.Tag], s.Value})
		}
		return env.emit(data, func(w io.Writer) {
			for _, s := range stats {
				fmt.Fprintf(w, "%s %d\n", s.Tag, s.Value)
			}
		})
	}
	return cmd
}

// domainStatsJSON is one domain in domstats' data output: libvirt's typed
// parameters as an object, in the order the backend reported them.
type domainStatsJSON struct {
	Name  string        `json:"name"`
	Stats orderedObject `json:"stats"`
}

// statsFilter holds domstats' --list-* options
// (VIR_CONNECT_GET_ALL_DOMAINS_STATS_*).
type statsFilter struct {
	active, inactive, persistent, transient, running, paused, shutoff, other bool
}

func (f statsFilter) match(d backend.DomainInfo) bool {
	state := domainFilter{running: f.running, paused: f.paused, shutoff: f.shutoff, other: f.other}
	return pairMatch(f.active, f.inactive, d.State.Active()) &&
		pairMatch(f.persistent, f.transient, d.Persistent) &&
		state.matchState(d.State)
}

func newDomstatsCmd(env *Env) *cobra.Command {
	var o struct {
		groups                backend.StatsGroups
		vm                    bool
		filter                statsFilter
		raw, enforce, backing bool
		nowait                bool
	}
	cmd := &cobra.Command{
		Use:   "domstats",
		Short: "get statistics about one or multiple domains",
		Long:  "Gets statistics about one or more (or all) domains",
	}
	fl := cmd.Flags()
	for _, g := range []struct {
		p           *bool
		name, usage string
	}{
		{&o.groups.State, "state", "report domain state"},
		{&o.groups.CPUTotal, "cpu-total", "report domain physical cpu usage"},
		{&o.groups.Balloon, "balloon", "report domain balloon statistics"},
		{&o.groups.VCPU, "vcpu", "report domain virtual cpu information"},
		{&o.groups.Interface, "interface", "report domain network interface information"},
		{&o.groups.Block, "block", "report domain block device statistics"},
		{&o.groups.Perf, "perf", "report domain perf event statistics"},
		{&o.groups.IOThread, "iothread", "report domain IOThread information"},
		{&o.groups.Memory, "memory", "report domain memory usage"},
		{&o.groups.DirtyRate, "dirtyrate", "report domain dirty rate information"},
		{&o.vm, "vm", "report hypervisor-specific statistics"},
		{&o.filter.active, "list-active", "list only active domains"},
		{&o.filter.inactive, "list-inactive", "list only inactive domains"},
		{&o.filter.persistent, "list-persistent", "list only persistent domains"},
		{&o.filter.transient, "list-transient", "list only transient domains"},
		{&o.filter.running, "list-running", "list only running domains"},
		{&o.filter.paused, "list-paused", "list only paused domains"},
		{&o.filter.shutoff, "list-shutoff", "list only shutoff domains"},
		{&o.filter.other, "list-other", "list only domains in other states"},
		{&o.raw, "raw", "do not pretty-print the fields"},
		{&o.enforce, "enforce", "enforce requested stats parameters"},
		{&o.backing, "backing", "add backing chain information to block stats"},
		{&o.nowait, "nowait", "report only stats that are accessible instantly"},
	} {
		fl.BoolVar(g.p, g.name, false, g.usage)
	}
	addAnnotation(cmd, annotPositional, "domain") // for help and completion
	fl.StringArray("domain", nil, "list of domains to get stats for")
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		ctx := c.Context()
		named, _ := c.Flags().GetStringArray("domain")
		doms, err := statsDomains(ctx, env, append(named, args...))
		if err != nil {
			return err
		}
		names := make([]string, 0, len(doms))
		for _, d := range doms {
			if o.filter.match(d) {
				names = append(names, d.Name)
			}
		}
		conn, err := env.Conn(ctx)
		if err != nil {
			return err
		}
		groups := o.groups
		if o.vm && groups.None() {
			// No backend has hypervisor-specific statistics: ask for
			// the cheapest group and report no field.
			groups.State = true
		}
		recs, err := conn.Domains().Stats(ctx, names, groups)
		if err != nil {
			return backendError(err)
		}
		if o.vm && o.groups.None() {
			for i := range recs {
				recs[i].Params = nil
			}
		}
		return env.emit(domainStatsData(recs), func(w io.Writer) { writeDomainStats(w, recs) })
	}
	return cmd
}

// statsDomains returns the domains named on the command line, or every
// domain when none is.
func statsDomains(ctx context.Context, env *Env, keys []string) ([]backend.DomainInfo, error) {
	if len(keys) == 0 {
		conn, err := env.Conn(ctx)
		if err != nil {
			return nil, err
		}
		doms, err := conn.Domains().List(ctx)
		if err != nil {
			return nil, backendError(err)
		}
		return doms, nil
	}
	doms := make([]backend.DomainInfo, 0, len(keys))
	for _, k := range keys {
		_, d, err := lookupDomain(ctx, env, k)
		if err != nil {
			return nil, err
		}
		doms = append(doms, d)
	}
	return doms, nil
}

func domainStatsData(recs []backend.DomainStats) []domainStatsJSON {
	out := make([]domainStatsJSON, 0, len(recs))
	for _, r := range recs {
		stats := make(orderedObject, 0, len(r.Params))
		for _, p := range r.Params {
			stats = append(stats, orderedField{p.Field, p.Value})
		}
		out = append(out, domainStatsJSON{Name: r.Name, Stats: stats})
	}
	return out
}

// writeDomainStats prints records as virsh does: "Domain: 'x'", then
// "  field=value" lines, and a blank line between domains.
func writeDomainStats(w io.Writer, recs []backend.DomainStats) {
	for i, r := range recs {
		if i > 0 {
			io.WriteString(w, "\n")
		}
		fmt.Fprintf(w, "Domain: '%s'\n", r.Name)
		for _, p := range r.Params {
			fmt.Fprintf(w, "  %s=%s\n", p.Field, typedParamText(p.Value))
		}
	}
}

// typedParamText formats a typed parameter as vshGetTypedParamValue does.
func typedParamText(v any) string {
	switch t := v.(type) {
	case float64:
		return fmt.Sprintf("%f", t)
	case bool:
		if t {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprint(v)
}
