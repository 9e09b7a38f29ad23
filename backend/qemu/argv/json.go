package argv

import (
	"encoding/json"
	"strings"
)

// jsonObject renders key/value pairs as a JSON object in the given order,
// the form -blockdev and -object take (and libvirt writes).
func jsonObject(kv ...any) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			sb.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		sb.Write(k)
		sb.WriteByte(':')
		sb.Write(v)
	}
	sb.WriteByte('}')
	return sb.String()
}

// rawJSON is a value jsonObject writes as it is (a nested object).
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
