// Package random is this repository's stand-in for the one resource of pulumi-random 4.21.2
// that the program uses, random:index/randomPassword:RandomPassword. The Go module proxy does
// not serve pulumi-random, so CI cannot build the real provider; users get the real one.
//
// What it follows, read in the sources (not copied):
//   - pulumi-random v4.21.x provider/cmd/pulumi-resource-random/schema.json: the input and
//     output properties, `length` the only required input, `result` and `bcryptHash` secret;
//   - terraform-provider-random internal/provider/resource_password.go (what the bridge
//     wraps): the defaults (upper, lower, numeric, special true; every min 0), `number` and
//     `numeric` taking each other's value when one is unset, every input change replacing the
//     resource, the id "none", the result generated once at create and kept in state, and the
//     bcrypt hash (default cost) of the result's first 72 bytes;
//   - its internal/random/string.go: the character classes and the default special set.
package random

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
)

// Token is the one resource type this provider implements.
const Token = "random:index/randomPassword:RandomPassword"

// ID is what terraform-provider-random gives every password.
const ID = "none"

const (
	lowerChars     = "abcdefghijklmnopqrstuvwxyz"
	upperChars     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars   = "0123456789"
	defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

// Inputs, in the schema's names. Every one of them replaces the password when it changes.
var (
	boolInputs = []resource.PropertyKey{"lower", "number", "numeric", "special", "upper"}
	intInputs  = []resource.PropertyKey{"length", "minLower", "minNumeric", "minSpecial", "minUpper"}
)

// Spec is a password's inputs with the real provider's defaults applied.
type Spec struct {
	Length, MinLower, MinNumeric, MinSpecial, MinUpper int64
	Lower, Upper, Number, Numeric, Special             bool
	// OverrideSpecial is empty when unset ("" and unset mean the same to the real provider).
	OverrideSpecial string
	// Keepers, without null values (a null keeper never replaces the real one's password).
	Keepers map[string]string
}

// Failure is one input the real provider would refuse, as the engine's CheckFailure wants it.
type Failure struct{ Property, Reason string }

func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// ParseSpec reads the inputs as the real provider does, with its validation. It must not be
// called with unknown inputs.
func ParseSpec(inputs resource.PropertyMap) (Spec, []Failure) {
	s := Spec{Lower: true, Upper: true, Special: true}
	var failures []Failure
	ints := map[resource.PropertyKey]*int64{"length": &s.Length, "minLower": &s.MinLower, "minNumeric": &s.MinNumeric, "minSpecial": &s.MinSpecial, "minUpper": &s.MinUpper}
	bools := map[resource.PropertyKey]*bool{"lower": &s.Lower, "upper": &s.Upper, "special": &s.Special}
	set := map[resource.PropertyKey]bool{}
	for _, k := range intInputs {
		v := plain(inputs[k])
		if v.IsNull() {
			continue
		}
		if !v.IsNumber() || v.NumberValue() != float64(int64(v.NumberValue())) {
			failures = append(failures, Failure{string(k), fmt.Sprintf("%s must be an integer", k)})
			continue
		}
		*ints[k] = int64(v.NumberValue())
		set[k] = true
	}
	var number, numeric *bool
	for _, k := range boolInputs {
		v := plain(inputs[k])
		if v.IsNull() {
			continue
		}
		if !v.IsBool() {
			failures = append(failures, Failure{string(k), fmt.Sprintf("%s must be a boolean", k)})
			continue
		}
		b := v.BoolValue()
		switch k {
		case "number":
			number = &b
		case "numeric":
			numeric = &b
		default:
			*bools[k] = b
		}
	}
	// NumberNumericAttributePlanModifier: an unset one takes the other's value; both default true.
	switch {
	case number == nil && numeric == nil:
		s.Number, s.Numeric = true, true
	case number == nil:
		s.Number, s.Numeric = *numeric, *numeric
	case numeric == nil:
		s.Number, s.Numeric = *number, *number
	default:
		s.Number, s.Numeric = *number, *numeric
	}
	if v := plain(inputs["overrideSpecial"]); !v.IsNull() {
		if !v.IsString() {
			failures = append(failures, Failure{"overrideSpecial", "overrideSpecial must be a string"})
		} else {
			s.OverrideSpecial = v.StringValue()
		}
	}
	if v := plain(inputs["keepers"]); !v.IsNull() {
		if !v.IsObject() {
			failures = append(failures, Failure{"keepers", "keepers must be a map of strings"})
		} else {
			s.Keepers = map[string]string{}
			for k, e := range v.ObjectValue() {
				e = plain(e)
				switch {
				case e.IsNull():
				case e.IsString():
					s.Keepers[string(k)] = e.StringValue()
				default:
					failures = append(failures, Failure{"keepers", fmt.Sprintf("keepers.%s must be a string", k)})
				}
			}
		}
	}
	if !set["length"] {
		failures = append(failures, Failure{"length", "length is required"})
	} else if s.Length < 1 {
		failures = append(failures, Failure{"length", "length must be at least 1"})
	} else if sum := s.MinLower + s.MinNumeric + s.MinSpecial + s.MinUpper; s.Length < sum {
		failures = append(failures, Failure{"length", fmt.Sprintf("length must be at least the sum of minUpper, minLower, minNumeric and minSpecial (%d)", sum)})
	}
	if (number != nil || numeric != nil) && !s.Numeric && !s.Number && !s.Special && !s.Upper && !s.Lower {
		failures = append(failures, Failure{"numeric", "at least one of numeric, special, upper and lower must be true"})
	}
	return s, failures
}

// Equal reports whether two specs keep the same password: the real provider
// replaces it on any change of an input (keepers compared by value).
func (s Spec) Equal(o Spec) bool {
	if s.Length != o.Length || s.MinLower != o.MinLower || s.MinNumeric != o.MinNumeric || s.MinSpecial != o.MinSpecial || s.MinUpper != o.MinUpper ||
		s.Lower != o.Lower || s.Upper != o.Upper || s.Number != o.Number || s.Numeric != o.Numeric || s.Special != o.Special ||
		s.OverrideSpecial != o.OverrideSpecial || len(s.Keepers) != len(o.Keepers) {
		return false
	}
	for k, v := range s.Keepers {
		if w, ok := o.Keepers[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Changed names the inputs whose normalised value differs between two specs.
func (s Spec) Changed(o Spec) []string {
	var keys []string
	add := func(differs bool, k string) {
		if differs {
			keys = append(keys, k)
		}
	}
	add(s.Length != o.Length, "length")
	add(s.MinLower != o.MinLower, "minLower")
	add(s.MinNumeric != o.MinNumeric, "minNumeric")
	add(s.MinSpecial != o.MinSpecial, "minSpecial")
	add(s.MinUpper != o.MinUpper, "minUpper")
	add(s.Lower != o.Lower, "lower")
	add(s.Upper != o.Upper, "upper")
	add(s.Number != o.Number, "number")
	add(s.Numeric != o.Numeric, "numeric")
	add(s.Special != o.Special, "special")
	add(s.OverrideSpecial != o.OverrideSpecial, "overrideSpecial")
	add(!Spec{Keepers: s.Keepers}.Equal(Spec{Keepers: o.Keepers}), "keepers")
	return keys
}

// Generate makes a password: the minimum count of each class first, the rest from every
// enabled class, then shuffled, all from crypto/rand.
func Generate(s Spec) (string, error) {
	special := defaultSpecial
	if s.OverrideSpecial != "" {
		special = s.OverrideSpecial
	}
	pool := ""
	if s.Upper {
		pool += upperChars
	}
	if s.Lower {
		pool += lowerChars
	}
	if s.Numeric {
		pool += numericChars
	}
	if s.Special {
		pool += special
	}
	if pool == "" {
		return "", fmt.Errorf("the character set specified is empty")
	}
	out := make([]rune, 0, s.Length)
	for _, m := range []struct {
		chars string
		n     int64
	}{{upperChars, s.MinUpper}, {lowerChars, s.MinLower}, {numericChars, s.MinNumeric}, {special, s.MinSpecial}} {
		r, err := pick(m.chars, m.n)
		if err != nil {
			return "", err
		}
		out = append(out, r...)
	}
	r, err := pick(pool, s.Length-int64(len(out)))
	if err != nil {
		return "", err
	}
	out = append(out, r...)
	keys := make([]*big.Int, len(out))
	for i := range keys {
		if keys[i], err = rand.Int(rand.Reader, big.NewInt(1<<62)); err != nil {
			return "", err
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]].Cmp(keys[idx[b]]) < 0 })
	shuffled := make([]rune, len(out))
	for i, j := range idx {
		shuffled[i] = out[j]
	}
	return string(shuffled), nil
}

func pick(chars string, n int64) ([]rune, error) {
	set := []rune(chars)
	out := make([]rune, 0, max(n, 0))
	for i := int64(0); i < n; i++ {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return nil, err
		}
		out = append(out, set[k.Int64()])
	}
	return out, nil
}

// Hash is the bcrypt hash (default cost) of the password's first 72 bytes, bcrypt's limit.
func Hash(password string) (string, error) {
	b := []byte(password)
	if len(b) > 72 {
		b = b[:72]
	}
	h, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	return string(h), err
}

// Outputs is the state the real provider keeps: every input with its default applied, and the
// result and its hash as secrets (unknown while previewing a create).
func Outputs(s Spec, result, hash *string) resource.PropertyMap {
	out := resource.PropertyMap{
		"length": resource.NewNumberProperty(float64(s.Length)), "minLower": resource.NewNumberProperty(float64(s.MinLower)),
		"minNumeric": resource.NewNumberProperty(float64(s.MinNumeric)), "minSpecial": resource.NewNumberProperty(float64(s.MinSpecial)),
		"minUpper": resource.NewNumberProperty(float64(s.MinUpper)), "lower": resource.NewBoolProperty(s.Lower),
		"upper": resource.NewBoolProperty(s.Upper), "number": resource.NewBoolProperty(s.Number),
		"numeric": resource.NewBoolProperty(s.Numeric), "special": resource.NewBoolProperty(s.Special),
	}
	if s.OverrideSpecial != "" {
		out["overrideSpecial"] = resource.NewStringProperty(s.OverrideSpecial)
	}
	if s.Keepers != nil {
		k := resource.PropertyMap{}
		for name, v := range s.Keepers {
			k[resource.PropertyKey(name)] = resource.NewStringProperty(v)
		}
		out["keepers"] = resource.NewObjectProperty(k)
	}
	for key, v := range map[resource.PropertyKey]*string{"result": result, "bcryptHash": hash} {
		if v == nil {
			out[key] = resource.MakeSecret(resource.MakeComputed(resource.NewStringProperty("")))
		} else {
			out[key] = resource.MakeSecret(resource.NewStringProperty(*v))
		}
	}
	return out
}
