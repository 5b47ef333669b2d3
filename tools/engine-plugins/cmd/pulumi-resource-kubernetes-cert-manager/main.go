// pulumi-resource-kubernetes-cert-manager: the stand-in for kubernetes-cert-manager 0.2.0's
// CertManager component (tools/engine/README.md says what differs from the real provider).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"observability-platform/tools/engine-plugins/certmanager"
)

func main() {
	if err := provider.ComponentMain(certmanager.Name, certmanager.Version, nil, certmanager.Construct); err != nil {
		cmdutil.ExitError(err.Error())
	}
}
