// Package certmanager is this repository's stand-in for the kubernetes-cert-manager 0.2.0
// provider, whose Go module the proxy does not serve; users get the real one.
//
// What it follows, read in the sources (not copied): pulumi-kubernetes-cert-manager v0.2.0
// provider/pkg/provider (the component token, its typed arguments, its default chart and
// repository) and pulumi-go-helmbase v0.2.0 base.go (`Construct`, `InitDefaults`, `To`): the
// component registers one child, a kubernetes:helm.sh/v3:Release named `<name>-helm`, whose
// values are `helmOptions.values` with every typed argument laid over it verbatim, and whose
// other inputs are `helmOptions`' fields as given.
package certmanager

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

const (
	// Name is the plugin's package name.
	Name = "kubernetes-cert-manager"
	// Token is the component's type.
	Token = Name + ":index:CertManager"
	// Version is the provider version @pulumi/kubernetes-cert-manager 0.2.0 asks the engine for;
	// a Go test holds it to the repository's package.json.
	Version = "0.2.0"
	// ReleaseToken is the child's type, served by the kubernetes provider.
	ReleaseToken = "kubernetes:helm.sh/v3:Release"

	defaultChart = "cert-manager"
	defaultRepo  = "https://charts.jetstack.io"
)

// TypedKeys are the component's typed arguments (CertManagerArgs' `pulumi` tags, helmOptions
// aside). InitDefaults decodes each of them into the values map, an unset one as nil, so a
// same-named key of `helmOptions.values` never reaches the chart.
var TypedKeys = []string{
	"global", "installCRDs", "replicaCount", "strategy", "featureGates", "image", "clusterResourceNamespace", "serviceAccount",
	"extraArgs", "extraEnv", "resources", "securityContext", "containerSecurityContext", "extraVolumes", "extraVolumeMounts",
	"deploymentAnnotations", "podAnnotations", "podLabels", "serviceLabels", "serviceAnnotations", "podDnsPolicy", "podDnsConfig",
	"nodeSelector", "ingressShim", "prometheus", "http_proxy", "https_proxy", "no_proxy", "affinity", "tolerations", "webhook",
	"cainjector", "startupapicheck",
}

// releaseFields are the helmOptions fields helmbase's `To` hands to the Release. valueYamlFiles
// is not among them (`To` always passes an empty list), nor status (an output).
var releaseFields = []string{
	"atomic", "chart", "cleanupOnFail", "createNamespace", "dependencyUpdate", "description", "devel", "disableCRDHooks",
	"disableOpenapiValidation", "disableWebhooks", "forceUpdate", "keyring", "lint", "manifest", "maxHistory", "name",
	"namespace", "postrender", "recreatePods", "renderSubchartNotes", "replace", "repositoryOpts", "resetValues",
	"resourceNames", "reuseValues", "skipAwait", "skipCrds", "timeout", "verify", "version", "waitForJobs",
}

// ReleaseKeys are every input ReleaseInputs can give the Release.
func ReleaseKeys() []string {
	keys := append([]string{"compat", "values"}, releaseFields...)
	sort.Strings(keys)
	return keys
}

// ReleaseInputs is what the component gives its Release, from its own (resolved) inputs.
func ReleaseInputs(inputs map[string]any) (map[string]any, error) {
	helm := map[string]any{}
	if h, ok := inputs["helmOptions"]; ok && h != nil {
		m, ok := h.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("helmOptions must be an object")
		}
		helm = m
	}
	out := map[string]any{}
	for _, k := range releaseFields {
		if v, ok := helm[k]; ok && v != nil {
			out[k] = v
		}
	}
	// InitDefaults: the chart and the repository only where unset (an empty repository URL is
	// set: helm.v3.Release then reads a local chart).
	if _, ok := out["chart"]; !ok {
		out["chart"] = defaultChart
	}
	repo := map[string]any{}
	if r, ok := out["repositoryOpts"].(map[string]any); ok {
		for k, v := range r {
			repo[k] = v
		}
	}
	if v, ok := repo["repo"]; !ok || v == nil {
		repo["repo"] = defaultRepo
	}
	out["repositoryOpts"] = repo

	values := map[string]any{}
	if v, ok := helm["values"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("helmOptions.values must be an object")
		}
		for k, e := range m {
			values[k] = e
		}
	}
	for _, k := range TypedKeys {
		delete(values, k)
		if v, ok := inputs[k]; ok && v != nil {
			values[k] = v
		}
	}
	out["values"] = values
	// The Go SDK's helm/v3 NewRelease sets it on every Release.
	out["compat"] = "true"
	return out, nil
}

// CertManager is the component, with the Release's status as its output.
type CertManager struct {
	pulumi.ResourceState
	Status pulumi.AnyOutput `pulumi:"status"`
}

type release struct {
	pulumi.CustomResourceState
	Status pulumi.AnyOutput `pulumi:"status"`
}

// Construct registers the component and its Release.
func Construct(ctx *pulumi.Context, typ, name string, inputs provider.ConstructInputs, opts pulumi.ResourceOption) (*provider.ConstructResult, error) {
	if typ != Token {
		return nil, fmt.Errorf("unknown resource type %s; expected %s", typ, Token)
	}
	in, err := inputs.Map()
	if err != nil {
		return nil, fmt.Errorf("setting args: %w", err)
	}
	c := &CertManager{}
	if err := ctx.RegisterComponentResource(typ, name, c, opts); err != nil {
		return nil, err
	}
	resolved := in.ToMapOutput().ApplyT(func(v map[string]any) (map[string]any, error) {
		return ReleaseInputs(v)
	}).(pulumi.MapOutput)
	args := pulumi.Map{}
	for _, k := range ReleaseKeys() {
		args[k] = resolved.MapIndex(pulumi.String(k))
	}
	var rel release
	if err := ctx.RegisterResource(ReleaseToken, name+"-helm", args, &rel, pulumi.Parent(c)); err != nil {
		return nil, err
	}
	c.Status = rel.Status
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"status": rel.Status}); err != nil {
		return nil, err
	}
	return provider.NewConstructResult(c)
}
