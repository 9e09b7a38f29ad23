package cgroup

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// Device rules on cgroup v2. v2 has no devices controller: the kernel asks
// the BPF_PROG_TYPE_CGROUP_DEVICE programs attached to a process's cgroup
// (and to its ancestors) whether it may open or mknod a device node. The
// container's rules, written in v1's syntax ("c 1:3 rwm"), become such a
// program, the way runc, crun and systemd do it: deny unless a rule allows.

// deviceRule is one parsed v1 rule; a major or minor of -1 is "*".
type deviceRule struct {
	blockDev     bool
	major, minor int64
	access       int32 // BPF_DEVCG_ACC_* bits
}

// parseDeviceRule reads "TYPE MAJOR:MINOR ACCESS" (type c or b, "*" for any
// major or minor, access a subset of "rwm"), as devices.allow takes it.
func parseDeviceRule(s string) (deviceRule, error) {
	bad := func(why string) (deviceRule, error) {
		return deviceRule{}, fmt.Errorf("bad device rule %q: %s", s, why)
	}
	f := strings.Fields(s)
	if len(f) != 3 {
		return bad("want TYPE MAJOR:MINOR ACCESS")
	}
	var r deviceRule
	switch f[0] {
	case "c":
	case "b":
		r.blockDev = true
	default:
		return bad("the type must be c or b")
	}
	maj, mnr, ok := strings.Cut(f[1], ":")
	if !ok {
		return bad("want MAJOR:MINOR")
	}
	var err error
	if r.major, err = deviceNumber(maj); err != nil {
		return bad(err.Error())
	}
	if r.minor, err = deviceNumber(mnr); err != nil {
		return bad(err.Error())
	}
	for _, c := range f[2] {
		switch c {
		case 'r':
			r.access |= unix.BPF_DEVCG_ACC_READ
		case 'w':
			r.access |= unix.BPF_DEVCG_ACC_WRITE
		case 'm':
			r.access |= unix.BPF_DEVCG_ACC_MKNOD
		default:
			return bad("the access must be made of r, w and m")
		}
	}
	if r.access == 0 {
		return bad("no access given")
	}
	return r, nil
}

func deviceNumber(s string) (int64, error) {
	if s == "*" {
		return -1, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > math.MaxInt32 {
		return 0, fmt.Errorf("%q is not a device number", s)
	}
	return int64(n), nil
}

// deviceProgram is the filter allowing exactly rules. The kernel passes
// struct bpf_cgroup_dev_ctx { u32 access_type (type | access<<16); u32
// major; u32 minor; } in R1; the program returns 1 to allow, 0 to deny.
func deviceProgram(rules []string) (asm.Instructions, error) {
	insts := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word), // R2: device type
		asm.And.Imm32(asm.R2, 0xffff),
		asm.LoadMem(asm.R3, asm.R1, 0, asm.Word), // R3: requested access
		asm.RSh.Imm32(asm.R3, 16),
		asm.LoadMem(asm.R4, asm.R1, 4, asm.Word), // R4: major
		asm.LoadMem(asm.R5, asm.R1, 8, asm.Word), // R5: minor
	}
	for i, s := range rules {
		r, err := parseDeviceRule(s)
		if err != nil {
			return nil, err
		}
		next := "rule-" + strconv.Itoa(i+1)
		typ := int32(unix.BPF_DEVCG_DEV_CHAR)
		if r.blockDev {
			typ = unix.BPF_DEVCG_DEV_BLOCK
		}
		block := asm.Instructions{
			asm.JNE.Imm(asm.R2, typ, next).WithSymbol("rule-" + strconv.Itoa(i)),
			// the access asked for must be within the rule's
			asm.Mov.Reg32(asm.R1, asm.R3),
			asm.And.Imm32(asm.R1, r.access),
			asm.JNE.Reg(asm.R1, asm.R3, next),
		}
		if r.major >= 0 {
			block = append(block, asm.JNE.Imm(asm.R4, int32(r.major), next))
		}
		if r.minor >= 0 {
			block = append(block, asm.JNE.Imm(asm.R5, int32(r.minor), next))
		}
		insts = append(insts, append(block, asm.Mov.Imm32(asm.R0, 1), asm.Return())...)
	}
	return append(insts,
		asm.Mov.Imm32(asm.R0, 0).WithSymbol("rule-"+strconv.Itoa(len(rules))),
		asm.Return()), nil
}

// attachDeviceFilter loads the program allowing rules and attaches it to
// the v2 cgroup dir. The attachment holds the program: it lives as long
// as the cgroup, whatever becomes of the process that attached it.
// BPF_F_ALLOW_MULTI keeps the programs of the parents in force (a device
// must pass them all) and lets systemd or a parent manager add theirs.
func attachDeviceFilter(dir string, rules []string) error {
	insts, err := deviceProgram(rules)
	if err != nil {
		return err
	}
	prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Type:         ebpf.CGroupDevice,
		Name:         "virtsh_devices",
		License:      "Apache",
		Instructions: insts,
	}, ebpf.ProgramOptions{})
	if err != nil {
		return fmt.Errorf("cannot load the device filter of cgroup %s: %w", dir, err)
	}
	defer prog.Close()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cannot open cgroup %s: %w", dir, err)
	}
	defer unix.Close(fd)
	err = link.RawAttachProgram(link.RawAttachProgramOptions{
		Target:  fd,
		Program: prog,
		Attach:  ebpf.AttachCGroupDevice,
		Flags:   unix.BPF_F_ALLOW_MULTI,
	})
	if errors.Is(err, os.ErrPermission) || errors.Is(err, unix.EPERM) {
		return fmt.Errorf("cannot attach the device filter to cgroup %s: %w (it needs CAP_SYS_ADMIN and CAP_BPF)", dir, err)
	}
	if err != nil {
		return fmt.Errorf("cannot attach the device filter to cgroup %s: %w", dir, err)
	}
	return nil
}
