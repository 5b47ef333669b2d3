// Command embedjson writes a compact copy of a JSON document, optionally
// setting its top-level "version" field. build.sh uses it to produce the
// files a provider's main package embeds (they are generated, not shipped,
// in the provider's module zip) and feeds them to `go build -overlay`.
//
// Usage: embedjson -in schema.json -out schema-embed.json [-version 1.2.3]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "", "input JSON file")
	out := flag.String("out", "", "output file")
	version := flag.String("version", "", "value for the top-level \"version\" field (left alone when empty)")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "embedjson: -in and -out are required")
		os.Exit(2)
	}
	if err := run(*in, *out, *version); err != nil {
		fmt.Fprintln(os.Stderr, "embedjson:", err)
		os.Exit(1)
	}
}

func run(in, out, version string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if version == "" {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		return os.WriteFile(out, buf.Bytes(), 0o644)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	doc["version"] = version
	enc, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(out, enc, 0o644)
}
