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
	"strconv"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"golang.org/x/sys/unix"
)

// enterNamespaces are the namespaces a command joins besides its pid
// namespace, in nsenter's order: the user namespace first (when the
// container has one: joining one's own fails), the mount namespace last.
var enterNamespaces = []string{"user", "ipc", "uts", "net", "mnt"}

// containerPath is where commands are looked up in a container.
var containerPath = []string{"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}

// enterHelper is the process that joins a container for a command: from
// a thread in the container's pid namespace and cgroup (so that the
// command is born there, and the caller never is) it starts util-linux's
// nsenter, which joins the other namespaces and executes the command. The
// kernel lets only a single-threaded process join a user namespace, which
// a Go process never is; nsenter is, and, as root in the container's user
// namespace, it becomes uid and gid 0 there before executing the command
// (libvirt's virsh does the same in its forked child). The helper waits
// for the command and exits with its status. fd 3 carries its errors.
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
	cmd.Env = append(os.Environ(), helperEnv)
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
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return fail(backend.OperationFailed("cannot find nsenter (util-linux), which runs commands in containers: %v", err))
	}
	j, err := openNamespaces(req.InitPID)
	if err != nil {
		return fail(err)
	}
	if !alive(req.InitPID, req.InitStart) { // the pid was reused meanwhile
		return fail(backend.InvalidState("domain is not running"))
	}
	bin, err := findCommand(j.root, req.Argv[0])
	if err != nil {
		return fail(err)
	}
	host, err := cgroup.Detect()
	if err != nil {
		return fail(backend.OperationFailed("%v", err))
	}
	status, err := j.run(host, req.Cgroup, nsenter, bin, req.Argv[1:])
	if err != nil {
		return fail(err)
	}
	return status
}

// joined are the container's namespaces, opened while its init was known
// to be the recorded process.
type joined struct {
	pid   int
	root  int // the container's root directory
	files []*os.File
	flags []string // nsenter's options, naming files by their fd in nsenter
}

func openNamespaces(initPID int) (*joined, error) {
	proc := fmt.Sprintf("/proc/%d/", initPID)
	j := &joined{}
	var err error
	if j.pid, err = unix.Open(proc+"ns/pid", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
		return nil, backend.OperationFailed("cannot open the container's pid namespace: %v", err)
	}
	if j.root, err = unix.Open(proc+"root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		return nil, backend.OperationFailed("cannot open the container's root directory: %v", err)
	}
	for _, ns := range enterNamespaces {
		if ns == "user" && sameNamespace(proc+"ns/user", "/proc/self/ns/user") {
			continue // no <idmap>: the container shares the host's
		}
		f, err := os.Open(proc + "ns/" + ns)
		if err != nil {
			return nil, backend.OperationFailed("cannot open the container's %s namespace: %v", ns, err)
		}
		// j.files[i] is fd 3+i in nsenter, after its stdin, stdout and stderr
		j.flags = append(j.flags, fmt.Sprintf("--%s=/proc/self/fd/%d", nsenterOption[ns], 3+len(j.files)))
		j.files = append(j.files, f)
	}
	return j, nil
}

// nsenterOption is nsenter's option for each namespace.
var nsenterOption = map[string]string{"user": "user", "ipc": "ipc", "uts": "uts", "net": "net", "mnt": "mount"}

func sameNamespace(a, b string) bool {
	var sa, sb unix.Stat_t
	return unix.Stat(a, &sa) == nil && unix.Stat(b, &sb) == nil && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// run starts nsenter in the container's cgroup g and pid namespace and
// returns the command's status, 128+N when a signal N killed it.
func (j *joined) run(host *cgroup.Host, g *cgroup.Group, nsenter, bin string, args []string) (int, error) {
	argv := append(append(append([]string{nsenter}, j.flags...), "--", bin), args...)
	env := []string{"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/", "container=lxc-libvirt"}
	if term := os.Getenv("TERM"); term != "" {
		env = append(env, "TERM="+term)
	}
	files := append([]*os.File{os.Stdin, os.Stdout, os.Stderr}, j.files...)
	// Ctrl-C reaches the command, which decides; caught here (not ignored,
	// which the command would inherit).
	signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGQUIT)
	joinPID := func() error {
		if err := unix.Setns(j.pid, unix.CLONE_NEWPID); err != nil {
			return fmt.Errorf("cannot enter the container's pid namespace: %v", err)
		}
		return nil
	}
	var pid int
	sys := &syscall.SysProcAttr{}
	err := host.Start(g, sys, joinPID, func() (err error) {
		pid, err = startProcess(nsenter, argv, env, files, sys)
		return err
	})
	if err != nil {
		return -1, backend.OperationFailed("cannot run %s in the container: %v", bin, err)
	}
	status, err := waitChild(pid)
	if err != nil {
		return -1, backend.OperationFailed("cannot wait for %s in the container: %v", bin, err)
	}
	return exitStatus(status), nil
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

// findCommand resolves a command in the container's filesystem, whose
// root directory is the fd root: symbolic links resolve inside it.
func findCommand(root int, name string) (string, error) {
	if strings.Contains(name, "/") {
		p := path.Join("/", name)
		if err := executable(root, p); err != nil {
			return "", err
		}
		return p, nil
	}
	for _, dir := range containerPath {
		p := path.Join(dir, name)
		if executable(root, p) == nil {
			return p, nil
		}
	}
	return "", backend.InvalidArgument("command '%s' not found in the container's %v", name, containerPath)
}

func executable(root int, p string) error {
	fd, err := unix.Openat2(root, p, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return backend.InvalidArgument("cannot run '%s' in the container: %v", p, &os.PathError{Op: "stat", Path: p, Err: err})
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return backend.InvalidArgument("cannot run '%s' in the container: %v", p, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0 {
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
