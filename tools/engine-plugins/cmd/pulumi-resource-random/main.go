// pulumi-resource-random: the stand-in for pulumi-random 4.21.2's RandomPassword
// (tools/engine/README.md says what differs from the real provider).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"observability-platform/tools/engine-plugins/random"
)

func main() {
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &random.Provider{}, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
