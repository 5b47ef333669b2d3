package random

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/types/known/structpb"

	"observability-platform/tools/engine-plugins/internal/npmpin"
)

const urn = "urn:pulumi:dev::observability-platform::" + Token + "::p"

func inputs(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func wire(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, marshal)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUnsetInputsTakeTheRealProvidersDefaults(t *testing.T) {
	s, failures := ParseSpec(inputs(map[string]any{"length": 24}))
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	want := Spec{Length: 24, Lower: true, Upper: true, Number: true, Numeric: true, Special: true}
	if !s.Equal(want) {
		t.Fatalf("got %+v, want %+v", s, want)
	}
}

func TestAnUnsetNumberTakesNumericsValueAndTheOtherWayRound(t *testing.T) {
	a, _ := ParseSpec(inputs(map[string]any{"length": 8, "numeric": false}))
	b, _ := ParseSpec(inputs(map[string]any{"length": 8, "number": false}))
	if a.Number || a.Numeric || b.Number || b.Numeric {
		t.Fatalf("got %+v and %+v", a, b)
	}
}

func TestInputsTheRealProviderRefusesAreCheckFailures(t *testing.T) {
	for name, in := range map[string]map[string]any{
		"length missing":            {"special": false},
		"length below one":          {"length": 0},
		"length below the minimums": {"length": 3, "minUpper": 2, "minNumeric": 2},
		"every class off":           {"length": 8, "numeric": false, "special": false, "upper": false, "lower": false},
		"length not an integer":     {"length": 8.5},
	} {
		if _, failures := ParseSpec(inputs(in)); len(failures) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAPasswordHasItsLengthItsMinimumsAndOnlyItsClasses(t *testing.T) {
	s, _ := ParseSpec(inputs(map[string]any{"length": 32, "special": false, "minNumeric": 5, "minUpper": 5}))
	for i := 0; i < 20; i++ {
		p, err := Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 32 || strings.ContainsAny(p, defaultSpecial) {
			t.Fatalf("%d characters, or a special one", len(p))
		}
		count := func(chars string) (n int) {
			for _, r := range p {
				if strings.ContainsRune(chars, r) {
					n++
				}
			}
			return n
		}
		if count(numericChars) < 5 || count(upperChars) < 5 {
			t.Fatal("fewer digits or capitals than asked for")
		}
	}
}

func TestTheHashIsBcryptOfTheFirst72Bytes(t *testing.T) {
	long := strings.Repeat("a", 72) + "tail"
	h, err := Hash(long)
	if err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte(long[:72])) != nil {
		t.Fatal("the hash does not match the first 72 bytes")
	}
	if cost, _ := bcrypt.Cost([]byte(h)); cost != bcrypt.DefaultCost {
		t.Fatalf("cost %d", cost)
	}
}

func create(t *testing.T, preview bool, in map[string]any) resource.PropertyMap {
	t.Helper()
	resp, err := (&Provider{}).Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: wire(t, inputs(in)), Preview: preview})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[bool]string{true: "", false: ID}[preview]; resp.GetId() != want {
		t.Fatalf("id %q, want %q", resp.GetId(), want)
	}
	out, err := props(resp.GetProperties())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreateReturnsTheResultAndItsHashAsSecrets(t *testing.T) {
	out := create(t, false, map[string]any{"length": 24, "special": false})
	for _, k := range []resource.PropertyKey{"result", "bcryptHash"} {
		if !out[k].IsSecret() || !plain(out[k]).IsString() {
			t.Fatalf("%s is %v", k, out[k])
		}
	}
	if len(plain(out["result"]).StringValue()) != 24 || !out["special"].IsBool() || out["special"].BoolValue() {
		t.Fatalf("outputs %v", out)
	}
}

func TestAPreviewedCreateShowsTheResultUnknownAndSecret(t *testing.T) {
	out := create(t, true, map[string]any{"length": 24})
	if !out["result"].IsSecret() || !out["result"].ContainsUnknowns() {
		t.Fatalf("result is %v", out["result"])
	}
}

func diff(t *testing.T, olds, news map[string]any) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := (&Provider{}).Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urn, OldInputs: wire(t, inputs(olds)), News: wire(t, inputs(news))})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestUnchangedInputsKeepThePassword(t *testing.T) {
	if d := diff(t, map[string]any{"length": 24, "special": false}, map[string]any{"length": 24, "special": false}); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("diff %v", d)
	}
}

func TestADefaultWrittenOutKeepsThePassword(t *testing.T) {
	if d := diff(t, map[string]any{"length": 24}, map[string]any{"length": 24, "special": true, "minUpper": 0}); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("diff %v", d)
	}
}

func TestAnyInputChangeReplacesThePassword(t *testing.T) {
	for name, news := range map[string]map[string]any{
		"length":  {"length": 25, "keepers": map[string]any{"k": "a"}},
		"special": {"length": 24, "special": false, "keepers": map[string]any{"k": "a"}},
		"keepers": {"length": 24, "keepers": map[string]any{"k": "b"}},
	} {
		d := diff(t, map[string]any{"length": 24, "keepers": map[string]any{"k": "a"}}, news)
		if d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(d.GetReplaces()) != 1 || d.GetReplaces()[0] != name {
			t.Errorf("%s: diff %v", name, d)
		}
	}
}

func TestTheReportedVersionIsTheOneTheSdkAsksFor(t *testing.T) {
	got, err := npmpin.Of("@pulumi/random")
	if err != nil {
		t.Fatal(err)
	}
	if got != Version {
		t.Fatalf("package.json pins @pulumi/random %s, the stand-in reports %s", got, Version)
	}
}
