package commands

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() {
	register("domain", command{"qemu-monitor-command", newQemuMonitorCommandCmd}, command{"qemu-agent-command", newQemuAgentCommandCmd})
}

// The QEMU pass-through commands print what QEMU or its guest agent
// answered, as virsh does; with -o json the answer is embedded as JSON
// (docs/qemu.md).

// qemuMonitorJSON is qemu-monitor-command's data output.
type qemuMonitorJSON struct {
	Reply json.RawMessage `json:"reply,omitempty"` // the QMP reply (or its "return" with --return-value)
	Text  *string         `json:"text,omitempty"`  // the human monitor's text (--hmp)
}

func newQemuMonitorCommandCmd(env *Env) *cobra.Command {
	var o struct {
		domain                   string
		hmp, pretty, returnValue bool
		passFDs                  string
		words                    []string
	}
	cmd := &cobra.Command{
		Use:   "qemu-monitor-command",
		Short: "QEMU Monitor Command",
		Long:  "QEMU Monitor Command",
	}
	domainArg(cmd, &o.domain)
	fl := cmd.Flags()
	fl.BoolVar(&o.hmp, "hmp", false, "command is in human monitor protocol")
	fl.BoolVar(&o.pretty, "pretty", false, "pretty-print any qemu monitor protocol output")
	fl.BoolVar(&o.returnValue, "return-value", false, "extract the value of the 'return' key from the returned string")
	fl.StringVar(&o.passFDs, "pass-fds", "", "pass file descriptors N,M,... along with the command")
	argvOption(cmd, &o.words, "cmd", "command")
	unsupported(cmd, "pass-fds")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"hmp", "pretty"}, [2]string{"hmp", "return-value"}); err != nil {
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
		mon, err := domainCapability[backend.DomainMonitor](conn.Domains(), "virDomainQemuMonitorCommand")
		if err != nil {
			return backendError(err)
		}
		result, err := mon.MonitorCommand(ctx, d.Name, strings.Join(o.words, " "), o.hmp)
		if err != nil {
			return backendError(err)
		}
		if o.hmp {
			return env.emit(qemuMonitorJSON{Text: &result}, func(w io.Writer) { fmt.Fprintf(w, "%s\n", result) })
		}
		reply := json.RawMessage(result)
		if o.returnValue {
			var r struct {
				Return json.RawMessage `json:"return"`
			}
			if json.Unmarshal(reply, &r) != nil || r.Return == nil {
				return userError(backend.CodeInternal, "'return' member missing")
			}
			reply = r.Return
		}
		return env.emit(qemuMonitorJSON{Reply: reply}, func(w io.Writer) {
			fmt.Fprintf(w, "%s\n", formatJSON(reply, o.pretty))
		})
	}
	return cmd
}

// formatJSON prints JSON compact, or indented by two spaces with pretty,
// as libvirt's virJSONValueToString does.
func formatJSON(b json.RawMessage, pretty bool) string {
	var out bytes.Buffer
	var err error
	if pretty {
		err = json.Indent(&out, b, "", "  ")
	} else {
		err = json.Compact(&out, b)
	}
	if err != nil {
		return string(b)
	}
	return out.String()
}

// qemuAgentJSON is qemu-agent-command's data output.
type qemuAgentJSON struct {
	Reply json.RawMessage `json:"reply"` // null with --async
}

func newQemuAgentCommandCmd(env *Env) *cobra.Command {
	var o struct {
		domain, timeout      string
		async, block, pretty bool
		words                []string
	}
	cmd := &cobra.Command{
		Use:   "qemu-agent-command",
		Short: "QEMU Guest Agent Command",
		Long:  "Run an arbitrary qemu guest agent command; use at your own risk",
	}
	domainArg(cmd, &o.domain)
	fl := cmd.Flags()
	fl.Var(numberText{&o.timeout}, "timeout", "timeout seconds. must be positive.")
	fl.BoolVar(&o.async, "async", false, "execute command without waiting for timeout")
	fl.BoolVar(&o.block, "block", false, "execute command without timeout")
	fl.BoolVar(&o.pretty, "pretty", false, "pretty-print the output")
	argvOption(cmd, &o.words, "cmd", "command")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		timeout := backend.AgentTimeoutDefault
		if c.Flags().Changed("timeout") {
			n, err := strconv.Atoi(o.timeout)
			if err != nil {
				return userError("", "Numeric value '%s' for <timeout> option is malformed or out of range", o.timeout)
			}
			if n < 1 {
				return userError("", "timeout must be positive")
			}
			timeout = n
		}
		given := 0
		for _, on := range []bool{c.Flags().Changed("timeout"), o.async, o.block} {
			if on {
				given++
			}
		}
		if given > 1 {
			return userError("", "timeout, async and block options are exclusive")
		}
		switch {
		case o.async:
			timeout = backend.AgentTimeoutNoWait
		case o.block:
			timeout = backend.AgentTimeoutBlock
		}
		agent, err := domainCapability[backend.DomainAgent](conn.Domains(), "virDomainQemuAgentCommand")
		if err != nil {
			return backendError(err)
		}
		result, err := agent.AgentCommand(ctx, d.Name, strings.Join(o.words, " "), timeout)
		if err != nil {
			return backendError(err)
		}
		var reply json.RawMessage
		if result != "" {
			reply = json.RawMessage(result)
		}
		return env.emit(qemuAgentJSON{Reply: reply}, func(w io.Writer) {
			fmt.Fprintf(w, "%s\n", formatJSON(reply, o.pretty))
		})
	}
	return cmd
}
