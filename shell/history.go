package shell

import (
	"github.com/virtsh/virtsh/backend/fsutil"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// history is the shell's command history, kept in
// $XDG_STATE_HOME/virtsh/history (~/.local/state/virtsh/history), at most
// VIRTSH_HISTSIZE lines (default 500, as virsh's VIRSH_HISTSIZE).
type history struct {
	path  string
	size  int
	lines []string
}

const defaultHistSize = 500

func historySize() int {
	if n, err := strconv.Atoi(os.Getenv("VIRTSH_HISTSIZE")); err == nil && n >= 0 {
		return n
	}
	return defaultHistSize
}

// stateDir is $XDG_STATE_HOME/virtsh, or ~/.local/state/virtsh.
func stateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "virtsh")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "virtsh")
}

// loadHistory reads the history file; a missing file is an empty history.
func loadHistory() *history {
	h := &history{path: filepath.Join(stateDir(), "history"), size: historySize()}
	if b, err := os.ReadFile(h.path); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				h.lines = append(h.lines, l)
			}
		}
	}
	h.trim()
	return h
}

func (h *history) trim() {
	if len(h.lines) > h.size {
		h.lines = h.lines[len(h.lines)-h.size:]
	}
}

// add records a line and saves the file (atomically, readable only by the
// user: a history can hold secrets typed on a command line).
func (h *history) add(line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	h.lines = append(h.lines, line)
	h.trim()
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return err
	}
	return fsutil.WriteAtomic(h.path, []byte(strings.Join(h.lines, "\n")+"\n"), 0o600)
}
