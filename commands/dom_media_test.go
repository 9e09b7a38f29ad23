package commands

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// mediarec:/// is the test driver on ../tests/testdata/media.xml (a
// running domain "cd" with cdroms) with an UpdateDevice that records what
// change-media and update-device ask for.
func init() { backend.Register("mediarec", mediarecDriver{}) }

var mediarecCalls []string

type mediarecDriver struct{}

func (mediarecDriver) Open(ctx context.Context, _ *url.URL, opts backend.OpenOptions) (backend.Conn, error) {
	node, err := filepath.Abs("../tests/testdata/media.xml")
	if err != nil {
		return nil, err
	}
	c, err := backend.Open(ctx, "test://"+node, opts)
	return mediarecConn{c}, err
}

type mediarecConn struct{ backend.Conn }

func (c mediarecConn) Domains() backend.DomainService { return mediarecDomains{c.Conn.Domains()} }

type mediarecDomains struct{ backend.DomainService }

func (mediarecDomains) UpdateDevice(_ context.Context, name, xml string, s backend.Scope, force bool) error {
	mediarecCalls = append(mediarecCalls, fmt.Sprintf("update %s %s force=%v %s", name, scopeText(s), force, xml))
	return nil
}

func TestChangeMediaCalls(t *testing.T) {
	const hdc = `<disk type="file" device="cdrom">
      <source file="/isos/a.iso"/>
      <target dev="hdc" bus="ide"/>
      <readonly/>
      <address type="drive" controller="0" bus="1" target="0" unit="0"/>
    </disk>`
	for _, tc := range []struct {
		argv      []string
		out, call string
	}{
		{[]string{"change-media", "cd", "hdc", "/isos/a.iso"}, "Successfully updated media.", "update cd current force=false " + hdc},
		{[]string{"change-media", "cd", "hdc", "--source", "/isos/a.iso", "--insert", "--live", "--config", "--force"}, "Successfully inserted media.", "update cd live+config force=true " + hdc},
		{[]string{"change-media", "--domain", "cd", "--path", "/isos/install.iso", "--eject", "--config"}, "Successfully ejected media.",
			"update cd config force=false " + `<disk type="file" device="cdrom">
      <driver name="qemu" type="raw"/>
      
      <target dev="sda" bus="sata"/>
      <readonly/>
      <address type="drive" controller="0" bus="0" target="0" unit="0"/>
    </disk>`},
		{[]string{"update-device", "cd", "../tests/testdata/domain.xml", "--persistent", "--force"}, "Device updated successfully\n", "update cd live+config force=true "},
		{[]string{"update-device", "cd", "../tests/testdata/domain.xml", "--config"}, "Device updated successfully\n", "update cd config force=false "},
	} {
		mediarecCalls = nil
		out, errOut, ok := runOne(t, "mediarec:///", tc.argv...)
		if !ok || out != tc.out+"\n" {
			t.Errorf("%v: ok=%v stdout %q stderr %q; want stdout %q", tc.argv, ok, out, errOut, tc.out+"\n")
		}
		if len(mediarecCalls) != 1 || !strings.HasPrefix(mediarecCalls[0], tc.call) {
			t.Errorf("%v:\n calls %q\n want  %q", tc.argv, mediarecCalls, tc.call)
		}
	}
}

// With -q virsh still prints change-media's message (vshPrint), without
// the newline that ends every command's output.
func TestChangeMediaQuiet(t *testing.T) {
	out := &bytes.Buffer{}
	env := &Env{In: strings.NewReader(""), Out: out, Err: &bytes.Buffer{}, Quiet: true, Session: &Session{URI: "mediarec:///"}}
	if Run(context.Background(), env, []string{"change-media", "cd", "sda", "--eject"}, false) != 0 || out.String() != "Successfully ejected media." {
		t.Errorf("-q change-media: %q", out.String())
	}
}

func TestChangeMediaXMLEscapes(t *testing.T) {
	disk, err := findChangeableDisk(`<domain><devices><disk device='cdrom'><!-- c -->
  <target dev='hdc'/></disk></devices></domain>`, "hdc")
	if err != nil {
		t.Fatal(err)
	}
	got, err := changeMediaXML(disk, `/isos/a&b "c".iso`, false, "hdc", mediaInsert)
	want := "<disk device=\"cdrom\" type=\"file\"><!-- c -->\n  <source file=\"/isos/a&amp;b &quot;c&quot;.iso\"/>\n  <target dev=\"hdc\"/></disk>"
	if err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
}

// change-media completes the domain's disk targets as its <path>, the
// domain given by name or by position.
func TestChangeMediaCompletes(t *testing.T) {
	env := &Env{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{},
		Session: &Session{URI: "mediarec:///"}, Aliases: Aliases{}}
	c := NewCompleter(env)
	for _, words := range [][]string{{"change-media", "--domain", "cd"}, {"change-media", "--domain", "cd", "--path"}, {"change-media", "cd"}} {
		var got []string
		for _, s := range c.Complete(context.Background(), words, "") {
			got = append(got, s.Text)
		}
		if strings.Join(got, " ") != "vda vdb hdc sda" {
			t.Errorf("complete %q: %q, want the disk targets", words, got)
		}
	}
}
