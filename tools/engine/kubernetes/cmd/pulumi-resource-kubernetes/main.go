// Command pulumi-resource-kubernetes serves the Kubernetes provider from
// github.com/pulumi/pulumi-kubernetes/provider/v4.
//
// Upstream's main package embeds two JSON files that its Makefile generates
// before `go build` and that are not part of the module zip, and the Go
// command refuses -overlay replacements under GOMODCACHE. So this repository
// has its own main package: ../../build.sh generates the two files into the
// engine cache and lays them into this directory with `go build -overlay`.
// A plain `go build` here fails with "no matching files found" by design.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
