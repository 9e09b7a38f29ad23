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

// isDriver says whether rel names a driver: a package under backend/.
func isDriver(rel string) bool { return strings.HasPrefix(rel, "backend/") }

// driverRoot is the driver a package under backend/ belongs to ("backend/testdrv").
func driverRoot(rel string) string {
	parts := strings.SplitN(rel, "/", 3)
	return parts[0] + "/" + parts[1]
}

// importRule says why from may not import to (both relative), or "".
func importRule(from, to string) string {
	switch {
	case from == "backend":
		return "backend, the driver API, imports no other project package"
	case isDriver(from) && to != "backend" && !(isDriver(to) && driverRoot(to) == driverRoot(from)):
		return "a driver imports only backend and its own subpackages"
	case from == "format" || strings.HasPrefix(from, "format/"):
		return "format imports no project package"
	case from == "completion" && to != "backend":
		return "completion imports only the backend interfaces"
	case from == "commands" && (isDriver(to) || to == "shell"):
		return "commands never imports a driver or shell"
	case isDriver(to) && from != "" && !isDriver(from):
		return "only main imports drivers"
	}
	return ""
}

// TestImportRules enforces the layering of DESIGN.md.
func TestImportRules(t *testing.T) {
	for _, p := range projectPackages(t) {
		from := rel(p.ImportPath)
		for _, imp := range p.Imports {
			if !isProject(imp) {
				continue
			}
			if why := importRule(from, rel(imp)); why != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, imp, why)
			}
		}
	}
}

// TestImportRuleTable checks importRule itself on examples of each rule.
func TestImportRuleTable(t *testing.T) {
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
		{"backend/testdrv", "commands", false},
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
		if got := importRule(c.from, c.to) == ""; got != c.ok {
			t.Errorf("%q importing %q allowed = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}
