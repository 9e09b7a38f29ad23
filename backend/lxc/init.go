package lxc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"golang.org/x/sys/unix"
)

// The container's first process: the controller starts it in new pid,
// mount, uts, ipc and net (and user) namespaces; it reads the container
// spec from fd 3, assembles the root filesystem, pivots into it, sets the
// hostname and executes the container's init, which thereby is pid 1.
// fd 3 carries the spec as one JSON line, then a "go" byte once the
// controller has placed the process in its cgroups and plugged its
// interfaces. Errors go to fd 4 (closed on exec, so the controller reads EOF when the
// init started), as libvirt's lxc_container.c reports them to
// libvirt_lxc.

const initHelper = "__lxc-init"

func init() {
	backend.RegisterHelper(initHelper, runInit)
}

func runInit([]string) int {
	errPipe := os.NewFile(4, "error pipe")
	unix.CloseOnExec(4)
	fail := func(err error) int {
		fmt.Fprintf(errPipe, "%v", err)
		return 1
	}
	specPipe := bufio.NewReader(os.NewFile(3, "spec pipe"))
	line, err := specPipe.ReadBytes('\n')
	if err != nil {
		return 1 // the controller gave up before sending the spec
	}
	var s containerSpec
	if err := json.Unmarshal(line, &s); err != nil {
		return fail(fmt.Errorf("bad container spec: %v", err))
	}
	if err := setupRoot(&s); err != nil {
		return fail(err)
	}
	if err := unix.Sethostname([]byte(s.Name)); err != nil {
		return fail(fmt.Errorf("cannot set the hostname: %v", err))
	}
	if err := os.Chdir(s.Dir); err != nil {
		return fail(fmt.Errorf("cannot enter initdir: %v", err))
	}
	argv0, err := lookPath(s.Argv[0])
	if err != nil {
		return fail(err)
	}
	// Wait for the controller: cgroups and interfaces are ready.
	if b, err := specPipe.ReadByte(); err != nil || string(b) != goByte {
		return 1
	}
	os.NewFile(3, "spec pipe").Close()
	err = unix.Exec(argv0, s.Argv, s.Env)
	return fail(fmt.Errorf("cannot execute init %s: %v", s.Argv[0], err))
}

// lookPath checks that init exists and is executable in the container.
func lookPath(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("init %s not found in the container: %v", p, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("init %s is not executable", p)
	}
	return p, nil
}

// oldRoot is where the host's root stays reachable between pivot_root and
// its unmounting.
const oldRoot = "/.oldroot"

// setupRoot assembles the container's root on the staging directory and
// pivots into it. Everything the user named is mounted after the pivot,
// so that symlinks in the container's tree resolve inside it, never on
// the host.
func setupRoot(s *containerSpec) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("cannot make the mounts private: %v", err)
	}
	if err := unix.Mount(s.Root, s.Staging, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("cannot bind the root filesystem %s: %v", s.Root, err)
	}
	put := filepath.Join(s.Staging, oldRoot)
	if err := os.Mkdir(put, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cannot create %s in the root filesystem: %v", oldRoot, err)
	}
	if err := unix.PivotRoot(s.Staging, put); err != nil {
		return fmt.Errorf("cannot pivot into the root filesystem: %v", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	for _, m := range s.Mounts {
		if err := mountFilesystem(m); err != nil {
			return err
		}
	}
	if err := mountKernelFS(); err != nil {
		return err
	}
	if err := setupDev(s); err != nil {
		return err
	}
	if s.RootReadOnly {
		if err := unix.Mount("", "/", "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("cannot make the root filesystem read-only: %v", err)
		}
	}
	// The empty directory stays, as with libvirt: removing a mount point
	// just detached waits for the kernel to release it (1-2 ms here), on
	// the path of every start.
	if err := unix.Unmount(oldRoot, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("cannot detach the host's root: %v", err)
	}
	return nil
}

func mountFilesystem(m mountSpec) error {
	if err := os.MkdirAll(m.Target, 0o755); err != nil {
		return fmt.Errorf("cannot create mount point %s: %v", m.Target, err)
	}
	var err error
	switch m.Kind {
	case "host":
		err = unix.Mount(filepath.Join(oldRoot, m.Source), m.Target, "", unix.MS_BIND|unix.MS_REC, "")
	case "bind":
		err = unix.Mount(m.Source, m.Target, "", unix.MS_BIND|unix.MS_REC, "")
	case "ram":
		err = unix.Mount("tmpfs", m.Target, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, fmt.Sprintf("size=%d,mode=755", m.SizeBytes))
	}
	if err != nil {
		return fmt.Errorf("cannot mount %s on %s: %v", m.Source, m.Target, err)
	}
	if m.ReadOnly {
		flags := uintptr(unix.MS_REMOUNT | unix.MS_RDONLY)
		if m.Kind != "ram" {
			flags |= unix.MS_BIND
		}
		if err := unix.Mount("", m.Target, "", flags, ""); err != nil {
			return fmt.Errorf("cannot make %s read-only: %v", m.Target, err)
		}
	}
	return nil
}

// mountKernelFS mounts the container's own /proc (with /proc/sys
// read-only) and a read-only /sys, as libvirt does.
func mountKernelFS() error {
	const common = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	steps := []struct {
		src, dst, fstype string
		flags            uintptr
	}{
		{"proc", "/proc", "proc", common},
		{"/proc/sys", "/proc/sys", "", unix.MS_BIND},
		{"", "/proc/sys", "", unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | common},
		{"sysfs", "/sys", "sysfs", common | unix.MS_RDONLY},
	}
	for _, st := range steps {
		os.MkdirAll(st.dst, 0o755)
		if err := unix.Mount(st.src, st.dst, st.fstype, st.flags, ""); err != nil {
			return fmt.Errorf("cannot mount %s: %v", st.dst, err)
		}
	}
	return nil
}

// devNode is a character device of the container's /dev.
type devNode struct {
	name         string
	major, minor uint32
}

// devNodes are the character devices of the container's /dev and the
// device cgroup rules that allow them (libvirt's lxcContainerPopulateDevices).
var devNodes = []devNode{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

// devLinks are the symbolic links of the container's /dev, and devOthers
// the rest of its entries beside devNodes (setupDev).
var (
	devLinks = map[string]string{"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "tty1": "console"}
	devOthers = []string{"pts", "shm", "console"}
)

// setupDev makes a minimal /dev: a tmpfs with the standard nodes, a
// private devpts instance, and /dev/console bound to the console pty.
func setupDev(s *containerSpec) error {
	os.MkdirAll("/dev", 0o755)
	if err := unix.Mount("devfs", "/dev", "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536"); err != nil {
		return fmt.Errorf("cannot mount /dev: %v", err)
	}
	for _, n := range devNodes {
		p := "/dev/" + n.name
		if s.UserNS { // no mknod in a user namespace: bind the host's node
			if err := bindFile(filepath.Join(oldRoot, "dev", n.name), p); err != nil {
				return err
			}
			continue
		}
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(n.major, n.minor))); err != nil {
			return fmt.Errorf("cannot create %s: %v", p, err)
		}
		os.Chmod(p, 0o666) // mknod applies the umask
	}
	if err := makeDiskNodes(s); err != nil {
		return err
	}
	os.MkdirAll("/dev/pts", 0o755)
	opts := "newinstance,ptmxmode=0666,mode=0620"
	if !s.UserNS {
		opts += ",gid=5"
	}
	if err := unix.Mount("devpts", "/dev/pts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, opts); err != nil {
		return fmt.Errorf("cannot mount /dev/pts: %v", err)
	}
	for link, target := range devLinks {
		if err := os.Symlink(target, "/dev/"+link); err != nil {
			return fmt.Errorf("cannot create /dev/%s: %v", link, err)
		}
	}
	os.Mkdir("/dev/shm", 0o1777)
	if err := unix.Mount("shm", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=65536k"); err != nil {
		return fmt.Errorf("cannot mount /dev/shm: %v", err)
	}
	if err := bindFile(filepath.Join(oldRoot, s.Console), "/dev/console"); err != nil {
		return err
	}
	return nil
}

func bindFile(src, dst string) error {
	// unix.Open, not os.OpenFile: this process never needs Go's poller,
	// which os.OpenFile would set up.
	fd, err := unix.Open(dst, unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create %s: %v", dst, err)
	}
	unix.Close(fd)
	if err := unix.Mount(src, dst, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("cannot bind %s on %s: %v", strings.TrimPrefix(src, oldRoot), dst, err)
	}
	return nil
}
