package random

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is the provider version @pulumi/random 4.21.2 asks the engine for (its package.json
// `pulumi.version`); a Go test holds it to the repository's package.json.
const Version = "4.21.2"

// Provider serves random:index/randomPassword:RandomPassword over the plain provider protocol.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer
}

var (
	// What the engine sends: secrets and unknowns kept, so a secret input stays one.
	unmarshal = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}
	marshal   = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}
)

func props(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, unmarshal)
}

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// GetSchema gives the one resource's properties with the schema's types and secretness.
func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	typ := func(t string) map[string]any { return map[string]any{"type": t} }
	inputs := map[string]any{"keepers": map[string]any{"type": "object", "additionalProperties": typ("string")}, "overrideSpecial": typ("string")}
	for _, k := range intInputs {
		inputs[string(k)] = typ("integer")
	}
	for _, k := range boolInputs {
		inputs[string(k)] = typ("boolean")
	}
	outputs := map[string]any{"result": map[string]any{"type": "string", "secret": true}, "bcryptHash": map[string]any{"type": "string", "secret": true}}
	for k, v := range inputs {
		outputs[k] = v
	}
	schema, err := json.Marshal(map[string]any{
		"name": "random", "version": Version,
		"resources": map[string]any{Token: map[string]any{
			"inputProperties": inputs, "requiredInputs": []string{"length"}, "properties": outputs,
			"required": []string{"bcryptHash", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number", "numeric", "result", "special", "upper"},
		}},
	})
	return &pulumirpc.GetSchemaResponse{Schema: string(schema)}, err
}

// The provider has no configuration.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *Provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func checkType(t string) error {
	if t != Token {
		return fmt.Errorf("the random stand-in implements only %s, not %s (tools/engine/README.md)", Token, t)
	}
	return nil
}

func typeOf(urn string) string { return string(resource.URN(urn).Type()) }

// Check validates the inputs as the real provider does and returns them as given.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(typeOf(req.GetUrn())); err != nil {
		return nil, err
	}
	news, err := props(req.GetNews())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: req.GetNews()}
	if news.ContainsUnknowns() {
		return resp, nil
	}
	_, failures := ParseSpec(news)
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

// Diff: any input change replaces the password (every attribute RequiresReplace); an unchanged
// one keeps its state, so the result is the one made at create.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldStruct := req.GetOldInputs()
	if oldStruct == nil {
		oldStruct = req.GetOlds()
	}
	olds, err := props(oldStruct)
	if err != nil {
		return nil, err
	}
	news, err := props(req.GetNews())
	if err != nil {
		return nil, err
	}
	var replaces []string
	if news.ContainsUnknowns() {
		for k, v := range news {
			if v.ContainsUnknowns() {
				replaces = append(replaces, string(k))
			}
		}
	} else {
		o, _ := ParseSpec(olds)
		n, _ := ParseSpec(news)
		replaces = o.Changed(n)
	}
	if len(replaces) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: replaces, Diffs: replaces}, nil
}

// Create makes the password once; a preview shows it unknown.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(typeOf(req.GetUrn())); err != nil {
		return nil, err
	}
	inputs, err := props(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if inputs.ContainsUnknowns() {
		if !req.GetPreview() {
			return nil, fmt.Errorf("unknown inputs outside a preview")
		}
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	spec, failures := ParseSpec(inputs)
	if len(failures) > 0 {
		return nil, fmt.Errorf("%s: %s", failures[0].Property, failures[0].Reason)
	}
	var outputs resource.PropertyMap
	if req.GetPreview() {
		outputs = Outputs(spec, nil, nil)
	} else {
		result, err := Generate(spec)
		if err != nil {
			return nil, err
		}
		hash, err := Hash(result)
		if err != nil {
			return nil, err
		}
		outputs = Outputs(spec, &result, &hash)
	}
	s, err := plugin.MarshalProperties(outputs, marshal)
	if err != nil {
		return nil, err
	}
	id := ID
	if req.GetPreview() {
		id = ""
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, nil
}

// Read keeps the state as it is: nothing outside it holds a password (the real Read is empty).
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if len(req.GetProperties().GetFields()) == 0 {
		return nil, fmt.Errorf("the random stand-in cannot import a password (the real provider can: pulumi import %s)", Token)
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Update happens only for changes that do not replace (none in the normalised inputs, e.g.
// overrideSpecial "" to unset): the new inputs with the kept result and hash.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := props(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := props(req.GetNews())
	if err != nil {
		return nil, err
	}
	spec, failures := ParseSpec(news)
	if len(failures) > 0 {
		return nil, fmt.Errorf("%s: %s", failures[0].Property, failures[0].Reason)
	}
	result, hash := plain(olds["result"]), plain(olds["bcryptHash"])
	if !result.IsString() || !hash.IsString() {
		return nil, fmt.Errorf("the state holds no result to keep")
	}
	r, h := result.StringValue(), hash.StringValue()
	s, err := plugin.MarshalProperties(Outputs(spec, &r, &h), marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: s}, nil
}

// Delete has nothing to remove outside the state.
func (p *Provider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
