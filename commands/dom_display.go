package commands

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/keycodes"
	"libvirt.org/go/libvirtxml"
)

func init() {
	register("domain", command{"vncdisplay", newVNCDisplayCmd}, command{"screenshot", newScreenshotCmd}, command{"send-key", newSendKeyCmd})
}

// vncDisplayJSON is vncdisplay's data output (docs/domain.md).
type vncDisplayJSON struct {
	Listen  string `json:"listen"` // "" when listening on every address
	Display int    `json:"display"`
	Port    int    `json:"port"`
}

// vncdisplay reads the live XML, as virsh does.
func newVNCDisplayCmd(env *Env) *cobra.Command {
	var o struct{ domain string }
	cmd := &cobra.Command{
		Use:   "vncdisplay",
		Short: "vnc display",
		Long:  "Output the IP address and port number for the VNC display.",
	}
	domainArg(cmd, &o.domain)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if !d.State.Active() {
			return userError(backend.CodeInvalidState, "Domain is not running")
		}
		doc, err := conn.Domains().XML(ctx, d.Name, backend.XMLOptions{})
		if err != nil {
			return backendError(err)
		}
		var def libvirtxml.Domain
		if err := def.Unmarshal(doc); err != nil {
			return backendError(backend.XMLError("%v", err))
		}
		var vnc *libvirtxml.DomainGraphicVNC
		if def.Devices != nil {
			for _, g := range def.Devices.Graphics {
				if g.VNC != nil {
					vnc = g.VNC
					break
				}
			}
		}
		if vnc == nil || vnc.Port <= 0 {
			return userError(backend.CodeOperationFailed, "Failed to get VNC port. Is this domain using VNC?")
		}
		listen := vnc.Listen
		if listen == "" {
			for _, l := range vnc.Listeners {
				if l.Address != nil {
					listen = l.Address.Address
					break
				}
			}
		}
		if listen == "0.0.0.0" {
			listen = ""
		}
		data := vncDisplayJSON{Listen: listen, Display: vnc.Port - 5900, Port: vnc.Port}
		return env.emit(data, func(w io.Writer) { fmt.Fprintf(w, "%s:%d\n", listen, data.Display) })
	}
	return cmd
}

// screenshotJSON is screenshot's data output (docs/domain.md).
type screenshotJSON struct {
	File string `json:"file"`
	MIME string `json:"mime_type"`
}

func newScreenshotCmd(env *Env) *cobra.Command {
	var o struct{ domain, file, screen string }
	cmd := &cobra.Command{
		Use:   "screenshot",
		Short: "take a screenshot of a current domain console and store it into a file",
		Long:  "screenshot of a current domain console",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().StringVar(&o.file, "file", "", "where to store the screenshot")
	cmd.Flags().Var(numberText{&o.screen}, "screen", "ID of a screen to take screenshot of")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		screen := 0
		if c.Flags().Changed("screen") {
			var err error
			if screen, err = parseCount("screen", o.screen); err != nil {
				return err
			}
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		shooter, err := domainCapability[backend.DomainScreenshot](conn.Domains(), "virDomainScreenshot")
		if err != nil {
			return failed(err, "could not take a screenshot of %s", o.domain)
		}
		tmp, err := os.CreateTemp("", "virtsh-screenshot-*")
		if err != nil {
			return userError(backend.CodeOperationFailed, "cannot create a temporary file: %v", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		mime, err := shooter.Screenshot(ctx, d.Name, uint(screen), tmp)
		if err != nil {
			return failed(err, "could not take a screenshot of %s", o.domain)
		}
		file := o.file
		if file == "" {
			file = screenshotName(d.Name, mime, time.Now())
		}
		if err := copyInto(file, tmp); err != nil {
			return userError(backend.CodeOperationFailed, "cannot create file %s: %v", file, err)
		}
		return env.emit(screenshotJSON{File: file, MIME: mime}, func(w io.Writer) {
			env.info("Screenshot saved to %s, with type of %s", file, mime)
		})
	}
	return cmd
}

// screenshotName is virsh's default file name: DOMAIN-DATE-TIME.EXT.
func screenshotName(domain, mime string, now time.Time) string {
	ext := map[string]string{"image/x-portable-pixmap": ".ppm", "image/png": ".png"}[mime]
	return domain + "-" + now.Format("2006-01-02-15:04:05") + ext
}

// copyInto writes the whole of src (read from its start) to path,
// creating or truncating it; a file it created is removed on failure.
func copyInto(path string, src *os.File) error {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	created := false
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err == nil {
		created = true
	} else if os.IsExist(err) {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o666)
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil && created {
		os.Remove(path)
	}
	return err
}

// maxSendKeys is libvirt's VIR_DOMAIN_SEND_KEY_MAX_KEYS.
const maxSendKeys = 16

func newSendKeyCmd(env *Env) *cobra.Command {
	var o struct {
		domain, codeset, holdtime string
		keys                      []string
	}
	cmd := &cobra.Command{
		Use:   "send-key",
		Short: "Send keycodes to the guest",
		Long:  "Send keycodes (integers or symbolic names) to the guest",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().StringVar(&o.codeset, "codeset", "", "the codeset of keycodes, default:linux")
	cmd.Flags().Var(numberText{&o.holdtime}, "holdtime", "the time (in milliseconds) how long the keys will be held")
	argvOption(cmd, &o.keys, "keycode", "the key code")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		codeset := o.codeset
		if codeset == "" {
			codeset = "linux"
		}
		hold := 0
		if c.Flags().Changed("holdtime") {
			if hold, err = parseCount("holdtime", o.holdtime); err != nil {
				return err
			}
		}
		if codeset == "rfb" { // qnum's old name
			codeset = "qnum"
		}
		if !keycodes.Known(codeset) {
			return userError("", "unknown codeset: '%s'", codeset)
		}
		var keys []uint
		for _, k := range o.keys {
			if len(keys) == maxSendKeys {
				return userError("", "too many keycodes")
			}
			code, ok := keyCode(codeset, k)
			if !ok {
				return userError("", "invalid keycode: '%s'", k)
			}
			keys = append(keys, code)
		}
		sender, err := domainCapability[backend.DomainSendKey](conn.Domains(), "virDomainSendKey")
		if err != nil {
			return backendError(err)
		}
		if err := sender.SendKey(ctx, d.Name, codeset, uint(hold), keys); err != nil {
			return backendError(err)
		}
		return nil
	}
	return cmd
}

// keyCode reads a key as virsh does: a number up to 0xffff (decimal,
// 0x hex or 0 octal), else a name of the codeset.
func keyCode(codeset, key string) (uint, bool) {
	if n, err := strconv.ParseUint(key, 0, 32); err == nil {
		return uint(n), n <= 0xffff
	}
	return keycodes.ByName(codeset, key)
}
