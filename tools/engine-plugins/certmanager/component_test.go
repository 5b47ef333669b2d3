package certmanager

import (
	"reflect"
	"testing"

	"observability-platform/tools/engine-plugins/internal/npmpin"
)

// The program's arguments (components/tls certManagerArgs), trimmed to what each case needs.
func args() map[string]any {
	return map[string]any{
		"replicaCount": 1.0,
		"prometheus":   map[string]any{"enabled": true},
		"helmOptions": map[string]any{
			"chart": "/charts/cert-manager-v1.19.1.tgz", "repositoryOpts": map[string]any{"repo": ""},
			"namespace": "cert-manager", "name": "cert-manager", "skipAwait": false, "timeout": 900.0,
			"values": map[string]any{"crds": map[string]any{"enabled": true, "keep": true}},
		},
	}
}

func releaseOf(t *testing.T, in map[string]any) map[string]any {
	t.Helper()
	out, err := ReleaseInputs(in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTheReleaseGetsHelmOptionsAndTheTypedArgumentsOverTheLooseValues(t *testing.T) {
	want := map[string]any{
		"chart": "/charts/cert-manager-v1.19.1.tgz", "repositoryOpts": map[string]any{"repo": ""},
		"namespace": "cert-manager", "name": "cert-manager", "skipAwait": false, "timeout": 900.0, "compat": "true",
		"values": map[string]any{"crds": map[string]any{"enabled": true, "keep": true}, "replicaCount": 1.0, "prometheus": map[string]any{"enabled": true}},
	}
	if got := releaseOf(t, args()); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestATypedArgumentIsPassedToTheChartVerbatim(t *testing.T) {
	in := args()
	in["prometheus"] = map[string]any{"enabled": true, "serviceMonitor": map[string]any{"enabled": true}}
	got := releaseOf(t, in)["values"].(map[string]any)["prometheus"]
	if !reflect.DeepEqual(got, in["prometheus"]) {
		t.Fatalf("got %v", got)
	}
}

func TestALooseValueNamedLikeATypedArgumentNeverReachesTheChart(t *testing.T) {
	in := args()
	delete(in, "replicaCount")
	in["helmOptions"].(map[string]any)["values"].(map[string]any)["replicaCount"] = 3.0
	if _, ok := releaseOf(t, in)["values"].(map[string]any)["replicaCount"]; ok {
		t.Fatal("helmOptions.values.replicaCount reached the chart")
	}
}

func TestWithoutAChartOrRepositoryTheReleaseUsesJetstacksCertManager(t *testing.T) {
	in := args()
	delete(in["helmOptions"].(map[string]any), "chart")
	delete(in["helmOptions"].(map[string]any), "repositoryOpts")
	got := releaseOf(t, in)
	if got["chart"] != "cert-manager" || !reflect.DeepEqual(got["repositoryOpts"], map[string]any{"repo": "https://charts.jetstack.io"}) {
		t.Fatalf("chart %v, repositoryOpts %v", got["chart"], got["repositoryOpts"])
	}
}

func TestValueYamlFilesAndUnknownArgumentsAreDroppedAsHelmbaseDoes(t *testing.T) {
	in := args()
	in["notAnArgument"] = "x"
	in["helmOptions"].(map[string]any)["valueYamlFiles"] = []any{"values.yaml"}
	got := releaseOf(t, in)
	if _, ok := got["valueYamlFiles"]; ok {
		t.Fatal("valueYamlFiles reached the Release")
	}
	if _, ok := got["values"].(map[string]any)["notAnArgument"]; ok {
		t.Fatal("an unknown argument reached the chart")
	}
}

func TestEveryReleaseInputIsAmongTheRegisteredKeys(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range ReleaseKeys() {
		keys[k] = true
	}
	for k := range releaseOf(t, args()) {
		if !keys[k] {
			t.Errorf("%s is computed but never registered", k)
		}
	}
}

func TestTheReportedVersionIsTheOneTheSdkAsksFor(t *testing.T) {
	got, err := npmpin.Of("@pulumi/kubernetes-cert-manager")
	if err != nil {
		t.Fatal(err)
	}
	if got != Version {
		t.Fatalf("package.json pins @pulumi/kubernetes-cert-manager %s, the stand-in reports %s", got, Version)
	}
}
