package backend

import (
	"errors"
	"regexp"
	"testing"
)

func TestValidateName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", "../etc", "a\nb", string(make([]byte, 256))} {
		if err := ValidateName("domain", bad); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ValidateName(%q) = %v, want invalid argument", bad, err)
		}
	}
	for _, good := range []string{"web", "web-1.example", "Ünïcode", "a b"} {
		if err := ValidateName("domain", good); err != nil {
			t.Errorf("ValidateName(%q) = %v", good, err)
		}
	}
}

func TestGeneratedIDs(t *testing.T) {
	if u := NewUUID(); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Errorf("NewUUID() = %q", u)
	}
	if m := NewMAC(); !regexp.MustCompile(`^52:54:00(:[0-9a-f]{2}){3}$`).MatchString(m) {
		t.Errorf("NewMAC() = %q", m)
	}
	if NewUUID() == NewUUID() {
		t.Error("two UUIDs are equal")
	}
}
