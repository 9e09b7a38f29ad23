package fsutil

import (
	"os"
	"path/filepath"
	"strconv"
)

// Dirs are the directories where a driver keeps its state.
type Dirs struct {
	Config string // persistent definitions (/etc/virtsh/<driver>)
	Run    string // runtime state, sockets, pid files (/run/virtsh/<driver>)
	Lib    string // images, leases, dnsmasq state (/var/lib/virtsh/<driver>)
	Log    string // logs (/var/log/virtsh/<driver>)
}

// RootEnv names the environment variable that moves every path of every
// driver under one directory, so tests and benchmarks run side by side
// without touching the host's real state.
const RootEnv = "VIRTSH_ROOT"

// DirsFor returns the directories of driver: the system ones for a
// privileged connection (qemu:///system), the user's XDG ones otherwise
// (qemu:///session). With VIRTSH_ROOT=DIR both live under DIR.
func DirsFor(driver string, system bool) Dirs {
	if root := os.Getenv(RootEnv); root != "" {
		scope := "system"
		if !system {
			scope = "session"
		}
		base := filepath.Join(root, scope)
		return Dirs{
			Config: filepath.Join(base, "etc", "virtsh", driver),
			Run:    filepath.Join(base, "run", "virtsh", driver),
			Lib:    filepath.Join(base, "var", "lib", "virtsh", driver),
			Log:    filepath.Join(base, "var", "log", "virtsh", driver),
		}
	}
	if system {
		return Dirs{
			Config: filepath.Join("/etc/virtsh", driver),
			Run:    filepath.Join("/run/virtsh", driver),
			Lib:    filepath.Join("/var/lib/virtsh", driver),
			Log:    filepath.Join("/var/log/virtsh", driver),
		}
	}
	home, _ := os.UserHomeDir()
	xdg := func(env, fallback string) string {
		if d := os.Getenv(env); d != "" {
			return d
		}
		return fallback
	}
	run := xdg("XDG_RUNTIME_DIR", filepath.Join(os.TempDir(), "virtsh-"+strconv.Itoa(os.Getuid())))
	state := xdg("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	return Dirs{
		Config: filepath.Join(xdg("XDG_CONFIG_HOME", filepath.Join(home, ".config")), "virtsh", driver),
		Run:    filepath.Join(run, "virtsh", driver),
		Lib:    filepath.Join(xdg("XDG_DATA_HOME", filepath.Join(home, ".local", "share")), "virtsh", driver),
		Log:    filepath.Join(state, "virtsh", "log", driver),
	}
}

// Create makes every directory, mode 0711: nobody else may list them, and
// every file in them is 0600 (definitions and runtime state can hold
// secrets such as VNC passwords), but a container's root in a user
// namespace, an unprivileged host uid, must be able to pass through to
// its own mount point under Run.
func (d Dirs) Create() error {
	for _, dir := range []string{d.Config, d.Run, d.Lib, d.Log} {
		if err := os.MkdirAll(dir, 0o711); err != nil {
			return err
		}
	}
	return nil
}
