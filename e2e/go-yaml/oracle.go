// The go-yaml oracle of Manifold's tests: reads a JSON array of YAML documents on stdin and writes,
// for each, what go-yaml v3 makes of it, as a JSON array: the node tree with its head, line and foot
// comments, the decoded value (as JSON, for comparing what a reader sees), and the document written
// back by go-yaml's encoder with indent 2 (as kyaml writes a file in wide sequence style), or the
// error go-yaml gives. Built from Debian's golang-go and golang-gopkg-yaml.v3-dev (go-yaml v3.0.1).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"gopkg.in/yaml.v3"
)

type tree struct {
	Kind    string  `json:"kind"`
	Style   string  `json:"style,omitempty"`
	Tag     string  `json:"tag,omitempty"`
	Value   string  `json:"value,omitempty"`
	Anchor  string  `json:"anchor,omitempty"`
	Head    string  `json:"head,omitempty"`
	Line    string  `json:"line,omitempty"`
	Foot    string  `json:"foot,omitempty"`
	Content []*tree `json:"content,omitempty"`
}

type result struct {
	Text  string      `json:"text,omitempty"`
	Tree  *tree       `json:"tree,omitempty"`
	Value interface{} `json:"value,omitempty"`
	Error string      `json:"error,omitempty"`
}

var kinds = map[yaml.Kind]string{yaml.DocumentNode: "document", yaml.SequenceNode: "sequence", yaml.MappingNode: "mapping", yaml.ScalarNode: "scalar", yaml.AliasNode: "alias"}

func styleOf(style yaml.Style) string {
	names := ""
	for _, s := range []struct {
		flag yaml.Style
		name string
	}{{yaml.TaggedStyle, "tagged"}, {yaml.DoubleQuotedStyle, "double"}, {yaml.SingleQuotedStyle, "single"}, {yaml.LiteralStyle, "literal"}, {yaml.FoldedStyle, "folded"}, {yaml.FlowStyle, "flow"}} {
		if style&s.flag != 0 {
			if names != "" {
				names += ","
			}
			names += s.name
		}
	}
	return names
}

func treeOf(node *yaml.Node) *tree {
	t := &tree{Kind: kinds[node.Kind], Style: styleOf(node.Style), Tag: node.Tag, Value: node.Value, Anchor: node.Anchor, Head: node.HeadComment, Line: node.LineComment, Foot: node.FootComment}
	for _, child := range node.Content {
		t.Content = append(t.Content, treeOf(child))
	}
	return t
}

// jsonable turns decoded YAML into values encoding/json can write: mapping keys become their text,
// infinities and NaN their YAML spelling.
func jsonable(value interface{}) interface{} {
	switch v := value.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for key, item := range v {
			out[key] = jsonable(item)
		}
		return out
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for key, item := range v {
			out[fmt.Sprint(key)] = jsonable(item)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, item := range v {
			out[i] = jsonable(item)
		}
		return out
	case float64:
		// JSON has no infinities or NaN: they are given as YAML writes them.
		if math.IsInf(v, 1) {
			return ".inf"
		} else if math.IsInf(v, -1) {
			return "-.inf"
		} else if math.IsNaN(v) {
			return ".nan"
		}
		return v
	default:
		return v
	}
}

func oracle(document string) (r result) {
	defer func() {
		if recovered := recover(); recovered != nil {
			r = result{Error: fmt.Sprint(recovered)}
		}
	}()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(document), &node); err != nil {
		return result{Error: err.Error()}
	}
	// A mapping with a key twice is a node tree to go-yaml (kyaml reads it), not a value: then there is none.
	var value interface{}
	if err := yaml.Unmarshal([]byte(document), &value); err != nil {
		value = nil
	}
	var written bytes.Buffer
	encoder := yaml.NewEncoder(&written)
	encoder.SetIndent(2)
	if err := encoder.Encode(&node); err != nil {
		return result{Error: err.Error()}
	}
	encoder.Close()
	return result{Text: written.String(), Tree: treeOf(&node), Value: jsonable(value)}
}

func main() {
	var documents []string
	if err := json.NewDecoder(os.Stdin).Decode(&documents); err != nil {
		fmt.Fprintln(os.Stderr, "oracle: expected a JSON array of strings on stdin:", err)
		os.Exit(2)
	}
	results := make([]result, len(documents))
	for i, document := range documents {
		results[i] = oracle(document)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}
