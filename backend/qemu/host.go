package qemu

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/hostinfo"
	"libvirt.org/go/libvirtxml"
)

// hostService is the host's facts with QEMU's version read only when asked.
type hostService struct{ hostinfo.Service }

func (c *Conn) Host() backend.HostService {
	return hostService{hostinfo.Service{Caps: guestCaps}}
}

func (hostService) Version(context.Context) (backend.Version, error) {
	v, err := qemuVersion()
	if err != nil {
		return backend.Version{}, err
	}
	return backend.Version{Hypervisor: "QEMU", HypervisorVer: v, Library: libraryVersion}, nil
}

// libraryVersion is the libvirt API level virtsh reports (libvirt 9.0.0).
const libraryVersion = 9000000

var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`version (\d+)\.(\d+)\.(\d+)`) }) // compiled when first used, not at every start

// qemuVersion asks the QEMU binary for its version, in libvirt's encoding.
func qemuVersion() (uint64, error) {
	bin, err := emulator()
	if err != nil {
		return 0, err
	}
	out, err := exec.Command(bin, "--version").Output()
	m := versionRE().FindStringSubmatch(string(out))
	if err != nil || m == nil {
		return 0, backend.OperationFailed("cannot read the version of %s: %v", bin, err)
	}
	var v uint64
	for _, p := range m[1:] {
		n, _ := strconv.ParseUint(p, 10, 64)
		v = v*1000 + n
	}
	return v, nil
}

// emulator is the QEMU binary domains run when their XML names none.
func emulator() (string, error) {
	if p := os.Getenv("VIRTSH_QEMU"); p != "" {
		return p, nil
	}
	if p, ok := foundEmulator.Load().(string); ok {
		return p, nil
	}
	p, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return "", backend.OperationFailed("cannot find qemu-system-x86_64: install QEMU (Debian package qemu-system-x86)")
	}
	foundEmulator.Store(p)
	return p, nil
}

// foundEmulator keeps the path search's answer for the process (a batch of
// a thousand defines searched $PATH a thousand times); only a found one,
// so that QEMU installed during a shell session is seen.
var foundEmulator atomic.Value

// kvmDevice is KVM's device; tests point it elsewhere to act out a host
// without KVM.
var kvmDevice = "/dev/kvm"

// kvmUsable reports whether /dev/kvm can be opened for reading and writing.
func kvmUsable() bool {
	fd, err := syscall.Open(kvmDevice, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	syscall.Close(fd)
	return true
}

// guestCaps describes the guests this driver runs: x86_64 hvm on the pc
// and q35 machines, with TCG always and KVM when /dev/kvm is usable.
func guestCaps(host libvirtxml.CapsHost) (*libvirtxml.Caps, error) {
	bin, _ := emulator()
	domains := []libvirtxml.CapsGuestDomain{{Type: "qemu"}}
	if kvmUsable() {
		domains = append(domains, libvirtxml.CapsGuestDomain{Type: "kvm"})
	}
	return &libvirtxml.Caps{
		Host: host,
		Guests: []libvirtxml.CapsGuest{{
			OSType: "hvm",
			Arch: libvirtxml.CapsGuestArch{
				Name: "x86_64", WordSize: "64", Emulator: bin,
				Machines: []libvirtxml.CapsGuestMachine{{Name: "pc", MaxCPUs: 255}, {Name: "q35", MaxCPUs: 288}},
				Domains:  domains,
			},
			Features: &libvirtxml.CapsGuestFeatures{
				CPUSelection: &libvirtxml.CapsGuestFeatureCPUSelection{},
				DeviceBoot:   &libvirtxml.CapsGuestFeatureDeviceBoot{},
				ACPI:         &libvirtxml.CapsGuestFeatureACPI{Default: "on", Toggle: "yes"},
				APIC:         &libvirtxml.CapsGuestFeatureAPIC{Default: "on", Toggle: "no"},
			},
		}},
	}, nil
}
