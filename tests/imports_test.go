package tests

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/virtsh/virtsh"

// pkg is what `go list -json` says of one package.
type pkg struct {
	ImportPath string
	Imports    []string
}

// projectPackages lists the module's packages with their direct imports.
func projectPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", module+"/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatal(err)
		}
		if isProject(p.ImportPath) {
			pkgs = append(pkgs, p)
		}
	}
}

func isProject(path string) bool {
	return path == module || strings.HasPrefix(path, module+"/")
}

// rel is path relative to the module ("" for main).
func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
}

// layering knows which packages are drivers: the packages under backend/
// that main imports (drivers register themselves, like database/sql's), and
// their subpackages. Other packages under backend/ are shared helpers
// (backend/fsutil).
type layering struct{ drivers map[string]bool }

func newLayering(pkgs []pkg) layering {
	l := layering{drivers: map[string]bool{}}
	for _, p := range pkgs {
		if p.ImportPath != module {
			continue
		}
		for _, imp := range p.Imports {
			if r := rel(imp); isProject(imp) && strings.HasPrefix(r, "backend/") {
				l.drivers[r] = true
			}
		}
	}
	return l
}

// driver returns the driver rel belongs to, or "".
func (l layering) driver(rel string) string {
	for d := range l.drivers {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return d
		}
	}
	return ""
}

// isHelper says whether rel is a shared helper under backend/.
func (l layering) isHelper(rel string) bool {
	return strings.HasPrefix(rel, "backend/") && l.driver(rel) == ""
}

// networkDriver is both a driver (network:///system) and the network layer
// every hypervisor driver plugs its guests into (its port API, like
// libvirt's virNetworkPort calls from the QEMU and LXC drivers into the
// one network driver): drivers may import it, and only it.
const networkDriver = "backend/netdrv"

// why says why from may not import to (both relative to the module), or "".
func (l layering) why(from, to string) string {
	fromDriver, toDriver := l.driver(from), l.driver(to)
	switch {
	case from == "backend":
		return "backend, the driver API, imports no other project package"
	case l.isHelper(from) && to != "backend" && !l.isHelper(to):
		return "a helper under backend/ imports only backend and other helpers"
	case fromDriver != "" && to != "backend" && !l.isHelper(to) && toDriver != fromDriver && to != networkDriver:
		return "a driver imports only backend, the helpers under backend/ and its own subpackages"
	case from == "format" || strings.HasPrefix(from, "format/"):
		return "format imports no project package"
	case from == "completion" && to != "backend" && !l.isHelper(to):
		return "completion imports only the backend interfaces"
	case from == "commands" && (toDriver != "" || to == "shell"):
		return "commands never imports a driver or shell"
	case toDriver != "" && from != "" && fromDriver == "":
		return "only main imports drivers"
	}
	return ""
}

// TestImportRules enforces the layering of DESIGN.md.
func TestImportRules(t *testing.T) {
	pkgs := projectPackages(t)
	l := newLayering(pkgs)
	if len(l.drivers) == 0 {
		t.Fatal("main imports no driver under backend/")
	}
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		for _, imp := range p.Imports {
			if !isProject(imp) {
				continue
			}
			if why := l.why(from, rel(imp)); why != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, imp, why)
			}
		}
	}
}

// TestImportRuleTable checks the rules themselves on examples of each.
func TestImportRuleTable(t *testing.T) {
	l := layering{drivers: map[string]bool{"backend/testdrv": true, "backend/qemu": true, "backend/lxc": true, "backend/netdrv": true}}
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"", "backend/testdrv", true},
		{"", "shell", true},
		{"backend", "format", false},
		{"backend/testdrv", "backend", true},
		{"backend/qemu", "backend/qemu/qmp", true},
		{"backend/qemu", "backend/testdrv", false},
		{"backend/lxc", "backend/netdrv", true},
		{"backend/lxc", "backend/netdrv/links", false},
		{"commands", "backend/netdrv", false},
		{"backend/testdrv", "commands", false},
		{"backend/testdrv", "backend/fsutil", true},
		{"backend/fsutil", "backend", true},
		{"backend/fsutil", "backend/testdrv", false},
		{"commands", "backend/fsutil", true},
		{"shell", "backend/fsutil", true},
		{"format", "backend", false},
		{"commands", "backend", true},
		{"commands", "format", true},
		{"commands", "backend/testdrv", false},
		{"commands", "shell", false},
		{"shell", "commands", true},
		{"shell", "backend/testdrv", false},
		{"completion", "backend", true},
		{"completion", "commands", false},
	} {
		if got := l.why(c.from, c.to) == ""; got != c.ok {
			t.Errorf("%q importing %q allowed = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}
