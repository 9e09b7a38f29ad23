package format

import (
	"fmt"

	"bytes"
	"go.yaml.in/yaml/v3"
	"testing"
)

// Expected layouts are copied from virsh 9.0 (`virsh -c test:///default ...`).
func TestTableMatchesVirsh(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header []string
		rows   [][]string
		quiet  bool
		want   string
	}{
		{"list", []string{"Id", "Name", "State"}, [][]string{{"1", "test", "running"}}, false,
			" Id   Name   State\n----------------------\n 1    test   running\n"},
		{"list --title", []string{"Id", "Name", "State", "Title"}, [][]string{{"1", "test", "running", ""}}, false,
			" Id   Name   State     Title\n------------------------------\n 1    test   running   \n"},
		{"net-list", []string{"Name", "State", "Autostart", "Persistent"}, [][]string{{"default", "active", "no", "yes"}}, false,
			" Name      State    Autostart   Persistent\n--------------------------------------------\n default   active   no          yes\n"},
		{"empty", []string{"Name", "Path"}, nil, false, " Name   Path\n--------------\n"},
		{"quiet", []string{"Id", "Name", "State"}, [][]string{{"-", "test", "shut off"}}, true, " -   test   shut off\n"},
	} {
		var b bytes.Buffer
		Table(&b, tc.header, tc.rows, tc.quiet)
		if b.String() != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, b.String(), tc.want)
		}
	}
}

func TestKeyValue(t *testing.T) {
	var b bytes.Buffer
	KeyValue(&b, 15, []Field{{"Id:", "1"}, {"Security DOI:", ""}})
	if want := "Id:             1\nSecurity DOI:   \n"; b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
}

func TestCapacity(t *testing.T) {
	for in, want := range map[uint64]string{
		0: "0.00 B", 1023: "1023.00 B", 1024: "1.00 KiB", 107374182400: "100.00 GiB", 1536 << 20: "1.50 GiB",
	} {
		if got := Capacity(in); got != want {
			t.Errorf("Capacity(%d) = %q, want %q", in, got, want)
		}
	}
}

type row struct {
	Name  string         `json:"name"`
	ID    *int           `json:"id"`
	Size  uint64         `json:"size_bytes"`
	On    bool           `json:"on"`
	Stats map[string]any `json:"stats,omitempty"`
}

func TestData(t *testing.T) {
	one := 1
	rows := []row{{Name: "a", ID: &one, Size: 10, On: true, Stats: map[string]any{"x": 1.5}}, {Name: "b, c", Size: 0}}
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{JSON, "[\n  {\n    \"name\": \"a\",\n    \"id\": 1,\n    \"size_bytes\": 10,\n    \"on\": true,\n    \"stats\": {\n      \"x\": 1.5\n    }\n  },\n  {\n    \"name\": \"b, c\",\n    \"id\": null,\n    \"size_bytes\": 0,\n    \"on\": false\n  }\n]\n"},
		{YAML, "- name: a\n  id: 1\n  size_bytes: 10\n  on: true\n  stats:\n    x: 1.5\n- name: b, c\n  id: null\n  size_bytes: 0\n  on: false\n"},
		{CSV, "name,id,size_bytes,on,stats.x\na,1,10,true,1.5\n\"b, c\",,0,false,\n"},
	} {
		var b bytes.Buffer
		if err := Data(&b, tc.f, rows); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.f, b.String(), tc.want)
		}
	}
}

// Every string comes back from the YAML output as it went in, however
// much it looks like another YAML type or syntax, and so do numbers,
// with the key order kept.
func TestYAMLRoundTrip(t *testing.T) {
	strs := []string{"", "yes", "on", "No", "1", "1.0", "0x10", "1e3", ".inf", "null", "~", "a: b", "- x", "#c", "a #c",
		" lead", "trail ", "multi\nline\n", "two\nlines", "tab\tx", "é", "'q'", `"dq"`, "@at", "`bt`", "%pct", "*star",
		"&amp", "!bang", "[x]", "{y}", "2001-12-14", "<domain type='kvm'>\n  <name>x</name>\n</domain>\n", "?", ":", "-"}
	in := map[string]any{"nums": []any{0, -3, 1.5, 1e21, uint64(1) << 63}}
	for i, s := range strs {
		in[fmt.Sprintf("s%02d", i)] = s
	}
	var b bytes.Buffer
	if err := Data(&b, YAML, in); err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	m := doc.Content[0].Content // key, value, key, value...
	if len(m) != 2*(len(strs)+1) || m[0].Value != "nums" {
		t.Fatalf("keys of:\n%s", b.String())
	}
	for i, s := range strs {
		var got any
		if err := m[2*i+3].Decode(&got); err != nil || m[2*i+2].Value != fmt.Sprintf("s%02d", i) || got != s {
			t.Errorf("%q came back as %s: %#v %v", s, m[2*i+2].Value, got, err)
		}
	}
	var nums []any
	if err := m[1].Decode(&nums); err != nil || fmt.Sprint(nums) != "[0 -3 1.5 1e+21 9223372036854775808]" {
		t.Errorf("numbers came back as %v %v\n%s", nums, err, b.String())
	}
}

func TestErrorObject(t *testing.T) {
	var b bytes.Buffer
	ErrorObject(&b, "not_found", "failed to get domain 'x'")
	if want := `{"error":{"code":"not_found","message":"failed to get domain 'x'"}}` + "\n"; b.String() != want {
		t.Errorf("got %q", b.String())
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"table", "text", "json", "yaml", "csv"} {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
	if _, err := Parse("xml"); err == nil {
		t.Error("Parse(xml) succeeded")
	}
}
