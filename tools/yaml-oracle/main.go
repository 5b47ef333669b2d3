// Command yaml-oracle reads a multi-document YAML (or JSON) stream on stdin the way the
// Kubernetes provider reads Helm's output, and prints each document as one line of JSON.
//
// The provider (pulumi-kubernetes provider/pkg/provider/yaml/v2, yaml.go yamlDecode), Helm and
// kubectl decode with k8s.io/apimachinery's YAMLOrJSONDecoder: documents are split at lines
// that start with "---", each is read by sigs.k8s.io/yaml (goyaml.v2, YAML 1.1 scalars, keys
// made strings) and re-read from JSON into a map[string]interface{}, so every number is a
// float64. Documents that decode to an empty or null map are skipped, as the provider does. A
// document that is not a mapping, or that JSON cannot hold (.inf, .nan, a null key), is an
// error, as it is for the provider: the message goes to stderr and the exit status is 1.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/util/yaml"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-oracle:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	// 128 bytes of look-ahead to tell JSON from YAML, as the provider uses.
	dec := yaml.NewYAMLOrJSONDecoder(in, 128)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		var doc map[string]interface{}
		if err := dec.Decode(&doc); err != nil {
			if err == io.EOF { // the provider's own test: only a clean end of stream ends it
				return w.Flush()
			}
			w.Flush()
			return err
		}
		if len(doc) == 0 {
			continue
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	}
}
