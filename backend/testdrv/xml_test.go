package testdrv

import (
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// TestDefaultXML compares the XML of the default objects with virsh's.
func TestDefaultXML(t *testing.T) {
	c := open(t, "test:///default")
	live, err := c.Domains().XML(ctx, "test", backend.XMLOptions{})
	must(t, err)
	sameText(t, "dumpxml test", live, golden(t, "default-test.xml"))
	inactive, err := c.Domains().XML(ctx, "test", backend.XMLOptions{Inactive: true})
	must(t, err)
	sameText(t, "dumpxml --inactive test", inactive, stripID(golden(t, "default-test.xml")))
	net, err := c.Networks().XML(ctx, "default", backend.XMLOptions{})
	must(t, err)
	sameText(t, "net-dumpxml default", net, golden(t, "default-network.xml"))
	pool, err := c.Pools().XML(ctx, "default-pool", backend.XMLOptions{})
	must(t, err)
	sameText(t, "pool-dumpxml default-pool", pool, golden(t, "default-pool.xml"))
	caps, err := c.Host().Capabilities(ctx)
	must(t, err)
	sameText(t, "capabilities", caps, golden(t, "default-capabilities.xml"))
}

func stripID(s string) string {
	return "<domain type='test'>" + s[len("<domain type='test' id='1'>"):]
}

// TestDefineRoundTrip defines typical XML and compares what libvirt adds.
func TestDefineRoundTrip(t *testing.T) {
	c := open(t, "test:///default")
	_, err := c.Domains().Define(ctx, golden(t, "define.xml"), backend.DefineOptions{})
	must(t, err)
	got, err := c.Domains().XML(ctx, "d1", backend.XMLOptions{Inactive: true})
	must(t, err)
	sameText(t, "dumpxml d1", got, golden(t, "define-out.xml"))

	must(t, c.Domains().Start(ctx, "d1", backend.StartOptions{}))
	got, err = c.Domains().XML(ctx, "d1", backend.XMLOptions{})
	must(t, err)
	sameText(t, "dumpxml of running d1", got, golden(t, "define-live.xml"))

	_, err = c.Networks().Define(ctx, golden(t, "network.xml"), backend.DefineOptions{})
	must(t, err)
	got, err = c.Networks().XML(ctx, "n1", backend.XMLOptions{})
	must(t, err)
	sameText(t, "net-dumpxml n1", got, golden(t, "network-out.xml"))
}

func TestDefineErrors(t *testing.T) {
	const os = "<os><type>hvm</type></os>"
	tests := []struct {
		name, xml string
		kind      error
		msg       string
	}{
		{"malformed", "<domain type='test'><name>x</name", backend.ErrXML, "XML error: XML syntax error on line 1: unexpected EOF"},
		{"not a domain", "<network><name>n</name></network>", backend.ErrXML, "XML error: expecting root element of 'domain', not 'network'"},
		{"no type", "<domain><name>m</name><memory>1024</memory>" + os + "</domain>", backend.ErrInternal, "internal error: missing domain type attribute"},
		{"no name", "<domain type='test'><memory>1024</memory>" + os + "</domain>", backend.ErrXML, "missing name information"},
		{"no memory", "<domain type='test'><name>m</name>" + os + "</domain>", backend.ErrXML, "XML error: Memory size must be specified via <memory> or in the <numa> configuration"},
		{"no os", "<domain type='test'><name>m</name><memory>1024</memory></domain>", backend.ErrXML, "XML error: an os <type> must be specified"},
		{"name taken", "<domain type='test'><name>test</name><memory>1024</memory>" + os + "</domain>", backend.ErrOperationFailed,
			"operation failed: domain 'test' already exists with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f"},
		{"uuid taken", "<domain type='test'><name>other</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid><memory>1024</memory>" + os + "</domain>",
			backend.ErrOperationFailed, "operation failed: domain 'test' is already defined with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := open(t, "test:///default")
			_, err := c.Domains().Define(ctx, tt.xml, backend.DefineOptions{})
			wantErr(t, err, tt.kind, tt.msg)
		})
	}
}

func TestNetworkDefineErrors(t *testing.T) {
	c := open(t, "test:///default")
	_, err := c.Networks().Define(ctx, "<network><name>n2</name><forward mode='nat'/></network>", backend.DefineOptions{})
	wantErr(t, err, backend.ErrXML, "XML error: nat forwarding requested, but no IP address provided for network 'n2'")
	_, err = c.Networks().Define(ctx, "<network><name>default</name></network>", backend.DefineOptions{})
	wantErr(t, err, backend.ErrOperationFailed, "operation failed: network 'default' already exists with uuid dd8fe884-6c02-601e-7551-cca97df1c5df")
	_, err = c.Networks().XML(ctx, "default", backend.XMLOptions{Inactive: true})
	wantErr(t, err, backend.ErrUnsupported, "unsupported flags (0x1) in function testNetworkGetXMLDesc")
}
