package commands

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// Version is virtsh's version, which version reports where virsh reports
// libvirt's. shell.Version should be set from it.
var Version = "0.1.0"

// Commands of the "Host and Hypervisor" group (virsh-host.c).
var hostCommands = []command{
	{"capabilities", newCapabilitiesCmd}, {"hostname", newHostnameCmd}, {"nodeinfo", newNodeinfoCmd}, {"uri", newURICmd}, {"version", newVersionCmd},
}

// hostValue builds a command that prints one value the host reports
// (uri, hostname), or {key: value} as data.
func hostValue(env *Env, use, short, key, failure string, get func(*cobra.Command, backend.Conn) (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(c *cobra.Command, _ []string) error {
			conn, err := env.Conn(c.Context())
			if err != nil {
				return err
			}
			v, err := get(c, conn)
			if err != nil {
				return failed(err, "%s", failure)
			}
			return emitValue(env, key, v)
		},
	}
}

func newURICmd(env *Env) *cobra.Command {
	return hostValue(env, "uri", "print the hypervisor canonical URI", "uri", "failed to get URI",
		func(_ *cobra.Command, conn backend.Conn) (string, error) { return conn.URI(), nil })
}

func newHostnameCmd(env *Env) *cobra.Command {
	return hostValue(env, "hostname", "print the hypervisor hostname", "hostname", "failed to get hostname",
		func(c *cobra.Command, conn backend.Conn) (string, error) { return conn.Host().Hostname(c.Context()) })
}

func newCapabilitiesCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "capabilities",
		Short: "capabilities",
		Long:  "Returns capabilities of hypervisor/driver.",
		RunE: func(c *cobra.Command, _ []string) error {
			conn, err := env.Conn(c.Context())
			if err != nil {
				return err
			}
			doc, err := conn.Host().Capabilities(c.Context())
			if err != nil {
				return failed(err, "failed to get capabilities")
			}
			// virsh prints the document and then a newline of its own.
			return env.emit(xmlJSON{XML: doc}, func(w io.Writer) {
				io.WriteString(w, strings.TrimSuffix(doc, "\n")+"\n\n")
			})
		},
	}
}

// nodeinfoJSON is nodeinfo's data schema (docs/host.md).
type nodeinfoJSON struct {
	CPUModel        string `json:"cpu_model"`
	CPUs            int    `json:"cpus"`
	CPUFrequencyMHz int    `json:"cpu_frequency_mhz"`
	CPUSockets      int    `json:"cpu_sockets"`
	CoresPerSocket  int    `json:"cores_per_socket"`
	ThreadsPerCore  int    `json:"threads_per_core"`
	NUMACells       int    `json:"numa_cells"`
	MemoryKiB       uint64 `json:"memory_kib"`
}

func newNodeinfoCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "nodeinfo",
		Short: "node information",
		Long:  "Returns basic information about the node.",
		RunE: func(c *cobra.Command, _ []string) error {
			conn, err := env.Conn(c.Context())
			if err != nil {
				return err
			}
			n, err := conn.Host().NodeInfo(c.Context())
			if err != nil {
				return failed(err, "failed to get node information")
			}
			data := nodeinfoJSON{
				CPUModel: n.Model, CPUs: n.CPUs, CPUFrequencyMHz: n.MHz, CPUSockets: n.Sockets,
				CoresPerSocket: n.Cores, ThreadsPerCore: n.Threads, NUMACells: n.Nodes, MemoryKiB: n.MemoryKiB,
			}
			return env.emit(data, func(w io.Writer) {
				format.KeyValue(w, 20, []format.Field{
					{Key: "CPU model:", Value: n.Model},
					{Key: "CPU(s):", Value: strconv.Itoa(n.CPUs)},
					{Key: "CPU frequency:", Value: fmt.Sprintf("%d MHz", n.MHz)},
					{Key: "CPU socket(s):", Value: strconv.Itoa(n.Sockets)},
					{Key: "Core(s) per socket:", Value: strconv.Itoa(n.Cores)},
					{Key: "Thread(s) per core:", Value: strconv.Itoa(n.Threads)},
					{Key: "NUMA cell(s):", Value: strconv.Itoa(n.Nodes)},
					{Key: "Memory size:", Value: fmt.Sprintf("%d KiB", n.MemoryKiB)},
				})
			})
		},
	}
}

// versionJSON is version's data schema (docs/host.md); versions are
// "major.minor.micro" strings.
type versionJSON struct {
	Library           string `json:"library_version"`
	API               string `json:"api_version"`
	Hypervisor        string `json:"hypervisor"`
	HypervisorVersion string `json:"hypervisor_version,omitempty"`
	Daemon            string `json:"daemon_version,omitempty"`
}

func newVersionCmd(env *Env) *cobra.Command {
	var o struct{ daemon bool }
	cmd := &cobra.Command{
		Use:   "version",
		Short: "show version",
		Long:  "Display the system version information.",
	}
	cmd.Flags().BoolVar(&o.daemon, "daemon", false, "report daemon version too")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		conn, err := env.Conn(c.Context())
		if err != nil {
			return err
		}
		v, err := conn.Host().Version(c.Context())
		if err != nil {
			return failed(err, "failed to get the hypervisor version")
		}
		data := versionJSON{Library: Version, API: Version, Hypervisor: v.Hypervisor}
		if v.HypervisorVer != 0 {
			data.HypervisorVersion = libvirtVersion(v.HypervisorVer)
		}
		if o.daemon {
			data.Daemon = libvirtVersion(v.Library)
		}
		return env.emit(data, func(w io.Writer) { writeVersion(w, data) })
	}
	return cmd
}

// writeVersion prints virsh's version lines, with virtsh in libvirt's place.
func writeVersion(w io.Writer, v versionJSON) {
	fmt.Fprintf(w, "Compiled against library: virtsh %s\n", v.Library)
	fmt.Fprintf(w, "Using library: virtsh %s\n", v.Library)
	fmt.Fprintf(w, "Using API: %s %s\n", v.Hypervisor, v.API)
	if v.HypervisorVersion == "" {
		fmt.Fprintf(w, "Cannot extract running %s hypervisor version\n", v.Hypervisor)
	} else {
		fmt.Fprintf(w, "Running hypervisor: %s %s\n", v.Hypervisor, v.HypervisorVersion)
	}
	if v.Daemon != "" {
		fmt.Fprintf(w, "Running against daemon: %s\n", v.Daemon)
	}
}

// libvirtVersion decodes libvirt's major*1000000+minor*1000+micro.
func libvirtVersion(v uint64) string {
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}
