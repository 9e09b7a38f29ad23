package qemu

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/keycodes"
	"libvirt.org/go/libvirtxml"
)

// Screenshot implements backend.DomainScreenshot: QEMU dumps the screen
// into the domain's runtime directory (PNG when it can, else PPM), and
// the file is copied to w and removed.
func (d *domains) Screenshot(ctx context.Context, name string, screen uint, w io.Writer) (string, error) {
	doc, _, running, _, err := d.definition(name, false)
	if err != nil {
		return "", err
	}
	if !running {
		return "", backend.InvalidState("domain is not running")
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return "", backend.XMLError("%v", err)
	}
	args, err := screendumpArgs(&dom, screen)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Join(d.c.dirs.Run, name), "screenshot-*")
	if err != nil {
		return "", backend.OperationFailed("cannot create a file for the screenshot: %v", err)
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	args["filename"] = path
	args["format"] = "png"
	if _, err := d.qmp(name, "screendump", args); err != nil {
		delete(args, "format") // a QEMU without PNG support writes PPM
		if _, err := d.qmp(name, "screendump", args); err != nil {
			return "", err
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", backend.OperationFailed("cannot read the screenshot: %v", err)
	}
	mime := "image/x-portable-pixmap"
	if bytes.HasPrefix(b, []byte("\x89PNG")) {
		mime = "image/png"
	}
	if _, err := w.Write(b); err != nil {
		return "", backend.OperationFailed("cannot write the screenshot: %v", err)
	}
	return mime, nil
}

// screendumpArgs picks the video card and head showing screen, counting
// the heads of every card in order, as libvirt does.
func screendumpArgs(dom *libvirtxml.Domain, screen uint) (map[string]any, error) {
	videos := dom.Devices.Videos
	if len(videos) == 0 && len(dom.Devices.Graphics) > 0 {
		videos = []libvirtxml.DomainVideo{{Model: libvirtxml.DomainVideoModel{Type: "vga"}}}
	}
	if len(videos) == 0 || videos[0].Model.Type == "none" {
		return nil, backend.OperationFailed("no screens to take screenshot from")
	}
	args := map[string]any{}
	if screen == 0 {
		return args, nil
	}
	left := screen
	for i, v := range videos {
		heads := v.Model.Heads
		if heads == 0 {
			heads = 1
		}
		if left < heads {
			args["device"] = "video" + strconv.Itoa(i)
			args["head"] = left
			return args, nil
		}
		left -= heads
	}
	return nil, backend.InvalidArgument("no screen with index %d", screen)
}

// SendKey implements backend.DomainSendKey with QMP's send-key, which
// takes QEMU's qnum numbers.
func (d *domains) SendKey(ctx context.Context, name, codeset string, holdMS uint, keys []uint) error {
	type keyValue struct {
		Type string `json:"type"`
		Data uint   `json:"data"`
	}
	var qkeys []keyValue
	for _, k := range keys {
		q, err := keycodes.ToQnum(codeset, k)
		if err != nil {
			return backend.ConfigUnsupported("%v", err)
		}
		qkeys = append(qkeys, keyValue{"number", q})
	}
	args := map[string]any{"keys": qkeys}
	if holdMS > 0 {
		args["hold-time"] = holdMS
	}
	_, err := d.qmp(name, "send-key", args)
	return err
}

// recordVNC writes the VNC port and address QEMU chose (autoport) into
// the live XML, where vncdisplay reads them.
func (s *supervisor) recordVNC() {
	g := s.dom.Devices.Graphics
	if len(g) == 0 || g[0].VNC == nil || g[0].VNC.Socket != "" {
		return
	}
	ret, err := runQMP(s.mon, "query-vnc", nil)
	if err != nil {
		return
	}
	var vnc struct {
		Enabled bool   `json:"enabled"`
		Host    string `json:"host"`
		Service string `json:"service"`
		Family  string `json:"family"`
	}
	json.Unmarshal(ret, &vnc)
	port, err := strconv.Atoi(vnc.Service)
	if !vnc.Enabled || err != nil || vnc.Family == "unix" {
		return
	}
	v := g[0].VNC
	v.Port = port
	if v.Listen == "" {
		v.Listen = vnc.Host
	}
}
