package format

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Data writes v as JSON, YAML or CSV. v is marshalled with encoding/json
// first, so struct tags define the keys of every format and their order.
func Data(w io.Writer, f Format, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	switch f {
	case JSON:
		var b bytes.Buffer
		if err := json.Indent(&b, raw, "", "  "); err != nil {
			return err
		}
		b.WriteByte('\n')
		_, err = w.Write(b.Bytes())
		return err
	case YAML:
		tree, err := decodeOrdered(raw)
		if err != nil {
			return err
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(toYAML(tree)); err != nil {
			return err
		}
		return enc.Close()
	case CSV:
		tree, err := decodeOrdered(raw)
		if err != nil {
			return err
		}
		return writeCSV(w, tree)
	}
	return fmt.Errorf("format %s is not a data format", f)
}

// object is a JSON object with its key order kept.
type object struct {
	keys []string
	vals map[string]any
}

// decodeOrdered decodes JSON into object, []any, json.Number, string, bool
// and nil, keeping the key order that encoding/json produced.
func decodeOrdered(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.vals[k] = v
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
	}
	return tok, nil
}

func toYAML(v any) *yaml.Node {
	switch t := v.(type) {
	case *object:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range t.keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, toYAML(t.vals[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range t {
			n.Content = append(n.Content, toYAML(e))
		}
		return n
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}
	default:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
}

// writeCSV writes a list of objects as a header row and one row per object
// (nested values flattened to dotted keys: "devices.0.name"); a single
// object is a one-row table, and a list of scalars a one-column table
// headed "value".
func writeCSV(w io.Writer, v any) error {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	default:
		items = []any{t}
	}
	var header []string
	seen := map[string]bool{}
	rows := make([]map[string]string, 0, len(items))
	for _, it := range items {
		row := map[string]string{}
		flatten("", it, func(k, s string) {
			if k == "" {
				k = "value"
			}
			if !seen[k] {
				seen[k] = true
				header = append(header, k)
			}
			row[k] = s
		})
		rows = append(rows, row)
	}
	cw := csv.NewWriter(w)
	if len(header) > 0 {
		cw.Write(header)
	}
	rec := make([]string, len(header))
	for _, row := range rows {
		for i, k := range header {
			rec[i] = row[k]
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func flatten(prefix string, v any, emit func(key, val string)) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch t := v.(type) {
	case *object:
		for _, k := range t.keys {
			flatten(join(k), t.vals[k], emit)
		}
	case []any:
		if len(t) == 0 {
			emit(prefix, "")
		}
		for i, e := range t {
			flatten(join(strconv.Itoa(i)), e, emit)
		}
	case json.Number:
		emit(prefix, t.String())
	case string:
		emit(prefix, t)
	case bool:
		emit(prefix, strconv.FormatBool(t))
	default:
		emit(prefix, "")
	}
}

// ErrorObject is the JSON shape of an error on stderr:
// {"error": {"code": "not_found", "message": "..."}}.
func ErrorObject(w io.Writer, code, message string) {
	b, _ := json.Marshal(map[string]map[string]string{"error": {"code": code, "message": message}})
	fmt.Fprintf(w, "%s\n", b)
}
