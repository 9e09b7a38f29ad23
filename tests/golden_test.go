package tests

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goldenCases are the data-printing commands whose -o json, yaml and csv
// output is kept under testdata/golden/NAME.FORMAT. A case is one command
// string; commands before the last one set the stage and print only
// informational messages, which go to stderr in data formats. node, when
// set, is a node XML file for test:///PATH instead of test:///default.
var goldenCases = []struct{ name, node, commands string }{
	{"list", "", "list --all"},
	{"list-two", "", "define testdata/domain.xml; list --all"},
	{"dominfo", "", "dominfo test"},
	{"domstate", "", "domstate test --reason"},
	{"net-list", "", "net-list --all"},
	{"net-info", "", "net-info default"},
	{"pool-list", "", "pool-list --all --details"},
	{"pool-info", "", "pool-info default-pool"},
	{"vol-list", "", "vol-list default-pool --details"},
	{"vol-list-node", "testdata/node.xml", "vol-list vols --details"},
	{"vol-info-node", "testdata/node.xml", "vol-info web.qcow2 --pool vols"},
	{"pool-list-node", "testdata/node.xml", "pool-list --all --details"},
	{"nodeinfo", "", "nodeinfo"},
	{"domstats", "", "domstats"},
	{"dommemstat", "", "dommemstat test"},
	{"snapshot-list", "", "snapshot-create-as test s1; snapshot-create-as test s2; snapshot-list test"},
	{"domblklist", "", "domblklist test"},
	{"domiflist", "", "domiflist test"},
}

var dataFormats = []string{"json", "yaml", "csv"}

// TestGolden compares virtsh's data output with the golden files; run
// `go test ./tests -run TestGolden -update` to rewrite them, then review
// the diff.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		for _, f := range dataFormats {
			t.Run(c.name+"."+f, func(t *testing.T) {
				t.Parallel()
				uri := testURI
				if c.node != "" {
					var err error
					if uri, err = nodeURI(c.node); err != nil {
						t.Fatal(err)
					}
				}
				r := run(t, virtshBin, "", "-c", uri, "-o", f, c.commands)
				if r.code != 0 {
					t.Fatalf("virtsh -o %s %q: exit status %d, stderr:\n%s", f, c.commands, r.code, r.stderr)
				}
				checkGolden(t, filepath.Join("testdata", "golden", c.name+"."+f), maskData(f, r.stdout))
			})
		}
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	summary.golden.Add(1)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tests -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (- golden, + virtsh):\n%s", path, diff(string(want), got))
	}
}

// maskedKey matches the data keys whose values vary between runs: CPU
// times, memory statistics' timestamps, snapshot creation times.
var maskedKey = regexp.MustCompile(`(?:^|[._])(?:cpu_time|last_update|creation_time)\w*$`)

// maskedValue matches a JSON or YAML line "key: value" whose key is masked.
var maskedValue = regexp.MustCompile(`(?m)^(\s*(?:- )?"?([\w.]+)"?: )([^,\n]*)`)

// maskData replaces the values of masked keys with 0 (numbers) in JSON and
// YAML, and the masked columns' cells in CSV.
func maskData(format, s string) string {
	if format == "csv" {
		return maskCSV(s)
	}
	return maskedValue.ReplaceAllStringFunc(s, func(line string) string {
		m := maskedValue.FindStringSubmatch(line)
		if !maskedKey.MatchString(m[2]) {
			return line
		}
		return m[1] + "0"
	})
}

func maskCSV(s string) string {
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil || len(rows) == 0 {
		return s // not CSV: leave it for the comparison to show
	}
	for col, key := range rows[0] {
		if !maskedKey.MatchString(key) {
			continue
		}
		for _, row := range rows[1:] {
			if col < len(row) && row[col] != "" {
				row[col] = "0"
			}
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.String()
}

// TestJQNames is the pipeline of the issue, exactly:
// virtsh -c test:///default list --all -o json | jq '.[].name' prints "test".
func TestJQNames(t *testing.T) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Skip("jq is not installed (Debian package jq)")
	}
	r := virtsh(t, "list", "--all", "-o", "json")
	if r.code != 0 {
		t.Fatalf("list --all -o json: exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(jq, ".[].name")
	cmd.Stdin = strings.NewReader(r.stdout)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq on %q: %v", r.stdout, err)
	}
	if string(out) != "\"test\"\n" {
		t.Errorf("jq '.[].name' printed %q, want %q", out, "\"test\"\n")
	}
}
