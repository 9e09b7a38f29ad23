package xen

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// A minimal client of xenstored's wire protocol (xen/include/public/io/
// xs_wire.h): each message is a 16-byte header {type, req_id, tx_id, len},
// little-endian on x86, then len bytes of payload. The driver only reads:
// the names of the running domains, as libxl does (libxl_domid_to_name).

const (
	xsDirectory = 1
	xsRead      = 2
	xsError     = 16

	xsHeaderLen  = 16
	xsPayloadMax = 4096
)

// xenstoreSockets are where xenstored listens (Xen's XEN_RUN_STORED, with
// /var/run a link to /run on current systems); /dev/xen/xenbus speaks the
// same protocol through the kernel when no socket is there.
var xenstoreSockets = []string{"/run/xenstored/socket", "/var/run/xenstored/socket", "/dev/xen/xenbus"}

// errXSNoEnt is xenstored's ENOENT: the path does not exist.
var errXSNoEnt = errors.New("xenstore: no such path")

// xsTimeout bounds one conversation with xenstored.
const xsTimeout = 10 * time.Second

type xenstore struct {
	rw    io.ReadWriteCloser
	reqID uint32
}

// dialXenstore connects to the first of paths that answers.
func dialXenstore(ctx context.Context, paths []string) (*xenstore, error) {
	deadline := time.Now().Add(xsTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var firstErr error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if st.Mode()&os.ModeSocket != 0 {
			c, err := (&net.Dialer{Deadline: deadline}).DialContext(ctx, "unix", p)
			if err != nil {
				firstErr = err
				continue
			}
			c.SetDeadline(deadline)
			return &xenstore{rw: c}, nil
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			firstErr = err
			continue
		}
		f.SetDeadline(deadline) // ignored where the device cannot poll
		return &xenstore{rw: f}, nil
	}
	return nil, fmt.Errorf("cannot connect to xenstored: %v", firstErr)
}

func (x *xenstore) Close() error { return x.rw.Close() }

// request sends one message outside any transaction and returns the
// payload of its answer.
func (x *xenstore) request(typ uint32, payload string) ([]byte, error) {
	if len(payload) > xsPayloadMax {
		return nil, fmt.Errorf("xenstore: request too long")
	}
	x.reqID++
	msg := make([]byte, xsHeaderLen+len(payload))
	binary.LittleEndian.PutUint32(msg[0:], typ)
	binary.LittleEndian.PutUint32(msg[4:], x.reqID)
	binary.LittleEndian.PutUint32(msg[12:], uint32(len(payload)))
	copy(msg[xsHeaderLen:], payload)
	if _, err := x.rw.Write(msg); err != nil {
		return nil, fmt.Errorf("xenstore: %v", err)
	}
	hdr := make([]byte, xsHeaderLen)
	if _, err := io.ReadFull(x.rw, hdr); err != nil {
		return nil, fmt.Errorf("xenstore: %v", err)
	}
	rtyp, rid, n := binary.LittleEndian.Uint32(hdr[0:]), binary.LittleEndian.Uint32(hdr[4:]), binary.LittleEndian.Uint32(hdr[12:])
	if n > xsPayloadMax {
		return nil, fmt.Errorf("xenstore: answer of %d bytes", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(x.rw, body); err != nil {
		return nil, fmt.Errorf("xenstore: %v", err)
	}
	if rid != x.reqID {
		return nil, fmt.Errorf("xenstore: answer to request %d, expected %d", rid, x.reqID)
	}
	if rtyp == xsError {
		code := strings.TrimRight(string(body), "\x00")
		if code == "ENOENT" {
			return nil, errXSNoEnt
		}
		return nil, fmt.Errorf("xenstore: %s", code)
	}
	if rtyp != typ {
		return nil, fmt.Errorf("xenstore: answer of type %d to a request of type %d", rtyp, typ)
	}
	return body, nil
}

// read returns the value at path.
func (x *xenstore) read(path string) (string, error) {
	b, err := x.request(xsRead, path+"\x00")
	return string(b), err
}

// directory lists the children of path.
func (x *xenstore) directory(path string) ([]string, error) {
	b, err := x.request(xsDirectory, path+"\x00")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range strings.Split(string(b), "\x00") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names, nil
}
