package xmlcheck

import (
	"testing"

	"libvirt.org/go/libvirtxml"
)

// BenchmarkDropped checks a small domain definition, as every define does.
func BenchmarkDropped(b *testing.B) {
	user := `<domain type='qemu'><name>d500</name><uuid>00000000-0000-4000-8000-000000000500</uuid><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`
	var d libvirtxml.Domain
	if err := d.Unmarshal(user); err != nil {
		b.Fatal(err)
	}
	back, _ := d.Marshal()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if got, err := Dropped(user, back, "domain/metadata"); err != nil || len(got) != 0 {
			b.Fatal(got, err)
		}
	}
}
