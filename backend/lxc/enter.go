package lxc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/virtsh/virtsh/backend/lxc/cgroup"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"golang.org/x/sys/unix"
)

// enterNamespaces are the namespaces a command joins, in the order
// libvirt's virProcessSetNamespaces uses (mount last: it changes the
// root the other paths are read from). The user namespace is not joined:
// the kernel refuses setns(CLONE_NEWUSER) to a multithreaded process, and
// a Go process always is; in an idmap container the command therefore
// runs as the host's root.
var enterNamespaces = []string{"ipc", "uts", "net", "pid", "mnt"}

// containerPath is where commands are looked up in a container.
var containerPath = []string{"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}

// enterHelper is the process that joins a container for a command: it
// moves itself into the container's cgroup (so that the command is born
// there, and the caller never is), enters the namespaces on one thread,
// runs the command and exits with its status. fd 3 carries its errors.
const enterHelper = "__lxc-enter"

func init() {
	backend.RegisterHelper(enterHelper, runEnter)
}

// enterRequest is the helper's argument.
type enterRequest struct {
	InitPID   int           `json:"init_pid"`
	InitStart uint64        `json:"init_start"`
	Cgroup    *cgroup.Group `json:"cgroup"`
	Argv      []string      `json:"argv"`
}

// EnterNamespace implements backend.DomainNamespaces.
func (s *domains) EnterNamespace(ctx context.Context, name string, argv []string, stdio backend.Stdio) (int, error) {
	if len(argv) == 0 {
		return -1, backend.InvalidArgument("no command to run in the container")
	}
	o, err := s.running(name)
	if err != nil {
		return -1, err
	}
	req, _ := json.Marshal(enterRequest{InitPID: o.st.InitPID, InitStart: o.st.InitStart, Cgroup: o.st.Cgroup, Argv: argv})
	self, err := os.Executable()
	if err != nil {
		return -1, backend.OperationFailed("cannot find the virtsh executable: %v", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return -1, backend.OperationFailed("%v", err)
	}
	defer errR.Close()
	cmd := exec.CommandContext(ctx, self, enterHelper, string(req))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.In, stdio.Out, stdio.Err
	cmd.ExtraFiles = []*os.File{errW}
	err = cmd.Start()
	errW.Close()
	if err != nil {
		return -1, backend.OperationFailed("cannot start a process for the container: %v", err)
	}
	msg, _ := io.ReadAll(errR)
	err = cmd.Wait()
	if len(msg) > 0 {
		return -1, &backend.Error{Code: errorCodes[int(msg[0])%len(errorCodes)], Msg: string(msg[1:])}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	} else if err != nil {
		return -1, backend.OperationFailed("%v", err)
	}
	return 0, nil
}

// runEnter is `virtsh __lxc-enter REQUEST`.
func runEnter(args []string) int {
	errPipe := os.NewFile(3, "error pipe")
	unix.CloseOnExec(3)
	fail := func(err error) int {
		code := backend.CodeOf(err)
		errPipe.Write(append([]byte{byte(codeIndex(code))}, err.Error()...))
		return 1
	}
	var req enterRequest
	if len(args) != 1 || json.Unmarshal([]byte(args[0]), &req) != nil || len(req.Argv) == 0 {
		return fail(backend.Internal("bad %s request", enterHelper))
	}
	if req.Cgroup != nil {
		if err := req.Cgroup.AddProcess(os.Getpid()); err != nil {
			return fail(backend.OperationFailed("cannot join the container's cgroup: %v", err))
		}
	}
	var fds []int
	for _, ns := range enterNamespaces {
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/%s", req.InitPID, ns), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail(backend.OperationFailed("cannot open the container's %s namespace: %v", ns, err))
		}
		fds = append(fds, fd)
	}
	if !alive(req.InitPID, req.InitStart) { // the pid was reused meanwhile
		return fail(backend.InvalidState("domain is not running"))
	}
	// The thread's namespaces change for good; it is never unlocked.
	runtime.LockOSThread()
	status, err := runInNamespaces(fds, req.Argv)
	if err != nil {
		return fail(err)
	}
	return status
}

func runInNamespaces(fds []int, argv []string) (int, error) {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return -1, backend.OperationFailed("cannot detach the filesystem context: %v", err)
	}
	for i, fd := range fds {
		if err := unix.Setns(fd, 0); err != nil {
			return -1, backend.OperationFailed("cannot enter the container's %s namespace: %v", enterNamespaces[i], err)
		}
	}
	bin, err := findCommand(argv[0])
	if err != nil {
		return -1, err
	}
	cmd := exec.Command(bin, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/", "container=lxc-libvirt"}
	if term := os.Getenv("TERM"); term != "" {
		cmd.Env = append(cmd.Env, "TERM="+term)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches the command, which decides; caught here (not ignored,
	// which the command would inherit).
	signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGQUIT)
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exit.ExitCode(), nil
	}
	return -1, backend.OperationFailed("cannot run %s in the container: %v", argv[0], err)
}

// errorCodes index backend codes in one byte over the helper's pipe.
var errorCodes = []backend.Code{backend.CodeInternal, backend.CodeNotFound, backend.CodeInvalidState,
	backend.CodeUnsupported, backend.CodeInvalidArgument, backend.CodeOperationFailed}

func codeIndex(c backend.Code) int {
	for i, k := range errorCodes {
		if k == c {
			return i
		}
	}
	return 0
}

// findCommand resolves a command in the container's filesystem (the
// calling thread is in its mount namespace).
func findCommand(name string) (string, error) {
	if strings.Contains(name, "/") {
		if err := executable(name); err != nil {
			return "", err
		}
		return name, nil
	}
	for _, dir := range containerPath {
		p := path.Join(dir, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", backend.InvalidArgument("command '%s' not found in the container's %v", name, containerPath)
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return backend.InvalidArgument("cannot run '%s' in the container: %v", p, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return backend.InvalidArgument("'%s' in the container is not executable", p)
	}
	return nil
}

// OpenConsole implements backend.DomainConsole: the container's one
// console, served by its controller.
func (s *domains) OpenConsole(ctx context.Context, name, dev string, force bool) (io.ReadWriteCloser, error) {
	o, err := s.running(name)
	if err != nil {
		return nil, err
	}
	if dev != "" && dev != "console0" && dev != "console" {
		return nil, backend.OperationFailed("cannot find console device '%s' (a container has console0)", dev)
	}
	if !o.st.controllerAlive() {
		return nil, backend.OperationFailed("the controller of '%s' (pid %s) is gone, and with it the console; destroy and start the container to get it back", name, strconv.Itoa(o.st.ControllerPID))
	}
	return dialConsole(ctx, o.st.ConsoleSocket, force)
}
