package xen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// The hypervisor's own view of a domain (running, paused, shut down, CPU
// time, memory) comes from the XEN_DOMCTL_getdomaininfo hypercall, which
// dom0 makes through the kernel's privcmd driver, as libxenctrl's
// xc_domain_getinfo does under xl. The argument lives in a buffer from
// /dev/xen/hypercall, memory the hypervisor may always read and write.

const (
	hypervisorDomctl    = 36 // __HYPERVISOR_domctl
	domctlGetDomainInfo = 5  // XEN_DOMCTL_getdomaininfo
	// IOCTL_PRIVCMD_HYPERCALL: _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall)).
	ioctlPrivcmdHypercall = 0x305000

	// struct xen_domctl: cmd, interface_version, domain, padding, then
	// the union of 128 bytes.
	domctlSize    = 16 + 128
	domctlPayload = 16
)

// domctlVersions are the interfaces whose getdomaininfo layout this file
// reads (the fields up to the handle have not moved since Xen 4.2): Xen
// 4.17 (0x15, the one the nested test runs), 4.18 (0x16) and 4.19 (0x17).
// The hypervisor refuses any other version with EACCES.
var domctlVersions = []uint32{0x15, 0x16, 0x17}

// XEN_DOMINF_* flags of getdomaininfo.
const (
	dominfDying         = 1 << 0
	dominfHVM           = 1 << 1 // an HVM container: an HVM or a PVH guest
	dominfShutdown      = 1 << 2
	dominfPaused        = 1 << 3
	dominfBlocked       = 1 << 4
	dominfRunning       = 1 << 5
	dominfShutdownShift = 16
)

// errNoDomain is the hypervisor's ESRCH: no domain with that id.
var errNoDomain = errors.New("no such domain")

// hypervisor makes domctl hypercalls; it opens the devices on first use.
type hypervisor struct {
	mu      sync.Mutex
	privcmd *os.File
	buf     []byte // one page mapped from /dev/xen/hypercall
	version uint32 // the domctl interface version the hypervisor accepted
}

func (h *hypervisor) open() error {
	if h.privcmd != nil {
		return nil
	}
	p, err := os.OpenFile("/dev/xen/privcmd", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	hc, err := os.OpenFile("/dev/xen/hypercall", os.O_RDWR, 0)
	if err != nil {
		p.Close()
		return err
	}
	defer hc.Close() // the mapping outlives the descriptor
	buf, err := syscall.Mmap(int(hc.Fd()), 0, os.Getpagesize(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		p.Close()
		return fmt.Errorf("mmap /dev/xen/hypercall: %v", err)
	}
	h.privcmd, h.buf = p, buf
	return nil
}

func (h *hypervisor) close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.privcmd == nil {
		return nil
	}
	syscall.Munmap(h.buf)
	err := h.privcmd.Close()
	h.privcmd, h.buf, h.version = nil, nil, 0
	return err
}

// domainInfo returns what getdomaininfo says of domain id, in the form
// of an `xl list -v` line; the name is the caller's (xenstore's).
func (h *hypervisor) domainInfo(id int) (xlDomain, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.open(); err != nil {
		return xlDomain{}, err
	}
	versions := domctlVersions
	if h.version != 0 {
		versions = []uint32{h.version}
	}
	for _, v := range versions {
		err := h.getDomainInfo(v, id)
		if errors.Is(err, syscall.EACCES) {
			continue // another interface version
		}
		if errors.Is(err, syscall.ESRCH) {
			return xlDomain{}, errNoDomain
		}
		if err != nil {
			return xlDomain{}, fmt.Errorf("getdomaininfo of domain %d: %v", id, err)
		}
		h.version = v
		d, ok := decodeDomainInfo(h.buf[domctlPayload:domctlSize])
		if !ok || d.ID != id {
			// Older hypervisors answer with the next domain up.
			return xlDomain{}, errNoDomain
		}
		return d, nil
	}
	return xlDomain{}, fmt.Errorf("the hypervisor accepts none of the domctl interface versions %#x", domctlVersions)
}

func (h *hypervisor) getDomainInfo(version uint32, id int) error {
	b := h.buf[:domctlSize]
	clear(b)
	binary.LittleEndian.PutUint32(b[0:], domctlGetDomainInfo)
	binary.LittleEndian.PutUint32(b[4:], version)
	binary.LittleEndian.PutUint16(b[8:], uint16(id))
	// struct privcmd_hypercall { u64 op; u64 arg[5]; }
	call := [6]uint64{hypervisorDomctl, uint64(uintptr(unsafe.Pointer(&h.buf[0])))}
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, h.privcmd.Fd(), ioctlPrivcmdHypercall, uintptr(unsafe.Pointer(&call)))
	if errno != 0 {
		return errno
	}
	return nil
}

// decodeDomainInfo reads struct xen_domctl_getdomaininfo: domain (u16),
// pad, flags (u32), then u64 tot_pages, max_pages, outstanding_pages,
// shr_pages, paged_pages, shared_info_frame, cpu_time, then u32
// nr_online_vcpus, max_vcpu_id, ssidref, and the 16-byte handle (the
// domain's UUID).
func decodeDomainInfo(b []byte) (xlDomain, bool) {
	if len(b) < 92 {
		return xlDomain{}, false
	}
	le := binary.LittleEndian
	flags := le.Uint32(b[4:])
	pages := le.Uint64(b[8:]) + le.Uint64(b[24:])
	h := b[76:92]
	kind := "pv"
	if flags&dominfHVM != 0 {
		kind = "hvm" // or pvh: the reader asks libxl's record in xenstore
	}
	return xlDomain{
		ID:      int(le.Uint16(b[0:])),
		MemMiB:  pages * 4 / 1024,
		VCPUs:   int(le.Uint32(b[64:])),
		Flags:   xlFlags(flags),
		CPUTime: time.Duration(le.Uint64(b[56:])),
		UUID:    fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16]),
		Type:    kind,
	}, true
}

// xlFlags writes the hypervisor's flags as `xl list` does: r b p s, the
// shutdown reason's letter (c for a crash), d.
func xlFlags(f uint32) string {
	flag := func(bit uint32, c byte) byte {
		if f&bit != 0 {
			return c
		}
		return '-'
	}
	reason := byte('-')
	if f&dominfShutdown != 0 {
		const letters = "-rscwS" // poweroff reboot suspend crash watchdog soft_reset
		if r := f >> dominfShutdownShift & 0xff; int(r) < len(letters) {
			reason = letters[r]
		} else {
			reason = '?'
		}
	}
	return string([]byte{flag(dominfRunning, 'r'), flag(dominfBlocked, 'b'), flag(dominfPaused, 'p'),
		flag(dominfShutdown, 's'), reason, flag(dominfDying, 'd')})
}
