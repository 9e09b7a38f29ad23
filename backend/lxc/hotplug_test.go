package lxc

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func TestParseDisks(t *testing.T) {
	d, err := parseDomain(withDevices(`<disk type='block' device='disk'><source dev='/dev/sdb'/><target dev='vdb'/><readonly/></disk>`))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Devices.Disks) != 1 || d.Devices.Disks[0].Target.Dev != "vdb" {
		t.Errorf("disks %+v", d.Devices.Disks)
	}
	for _, c := range []struct{ disk, err string }{
		{`<disk type='file'><source file='/img'/><target dev='vdb'/></disk>`, "disk vdb: only disks of type 'block'"},
		{`<disk type='block'><source dev='sdb'/><target dev='vdb'/></disk>`, "must be an absolute host path"},
		{`<disk type='block' device='cdrom'><source dev='/dev/sr0'/><target dev='hdc'/></disk>`, "device 'cdrom' is not supported"},
		{`<disk type='block'><source dev='/dev/sdb'/><target dev='a/b'/></disk>`, "names its node in the container's /dev"},
		{`<disk type='block'><source dev='/dev/sdb'/><target dev='console'/></disk>`, "/dev/console is the container's own"},
		{`<disk type='block'><driver name='qemu'/><source dev='/dev/sdb'/><target dev='vdb'/></disk>`, "<driver> is not supported"},
		{`<disk type='block'><source dev='/dev/sdb'/><target dev='vdb'/></disk><disk type='block'><source dev='/dev/sdc'/><target dev='vdb'/></disk>`, "two disks have the target vdb"},
	} {
		if _, err := parseDomain(withDevices(c.disk)); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.disk, err, c.err)
		}
	}
}

func TestDiskRule(t *testing.T) {
	if r := (diskNode{Major: 7, Minor: 3}).rule(); r != "b 7:3 rw" {
		t.Errorf("rule %q", r)
	}
	if r := (diskNode{Major: 8, Minor: 16, ReadOnly: true}).rule(); r != "b 8:16 r" {
		t.Errorf("read-only rule %q", r)
	}
}

// Interfaces keep the names they have when hot-plug moves them in the
// list; a new one takes the first free ethN.
func TestGuestNames(t *testing.T) {
	d := &libvirtxml.Domain{Devices: &libvirtxml.DomainDeviceList{Interfaces: []libvirtxml.DomainInterface{
		{}, {Guest: &libvirtxml.DomainInterfaceGuest{Dev: "wan"}}, {},
	}}}
	nameGuestInterfaces(d)
	var got []string
	for _, n := range d.Devices.Interfaces {
		got = append(got, n.Guest.Dev)
	}
	if strings.Join(got, ",") != "eth0,wan,eth2" {
		t.Errorf("names %v", got)
	}
	if n := freeGuestName([]string{"lo", "eth0", "eth2"}); n != "eth1" {
		t.Errorf("free name %s", n)
	}
}

// sameNetns tells a process in a network namespace of its own from one
// in this process's, and ownNetns refuses the latter for live interface
// attach (every container virtsh starts has its own: this is the check
// for one that would not).
func TestSameNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a new network namespace needs root")
	}
	if same, err := sameNetns(os.Getpid(), os.Getpid()); err != nil || !same {
		t.Errorf("this process against itself: %v %v", same, err)
	}
	for _, flags := range []uintptr{0, syscall.CLONE_NEWNET} {
		cmd := exec.Command("sleep", "10")
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		same, err := sameNetns(cmd.Process.Pid, os.Getpid())
		refused := ownNetns(cmd.Process.Pid, os.Getpid())
		cmd.Process.Kill()
		cmd.Wait()
		if err != nil || same != (flags == 0) {
			t.Errorf("clone flags %#x: same %v, err %v", flags, same, err)
		}
		if shared := flags == 0; shared != (refused != nil) || shared && !strings.Contains(refused.Error(), "shares the host's network namespace") {
			t.Errorf("clone flags %#x: ownNetns %v", flags, refused)
		}
	}
}
