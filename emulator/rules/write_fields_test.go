package rules

import (
	"slices"
	"testing"
)

// TestWriteFieldsOrder pins request.writeFields for masks the decide format
// cannot express; every expectation is what Google's emulator answered.
func TestWriteFieldsOrder(t *testing.T) {
	segs := func(ps ...string) [][]string {
		var out [][]string
		for _, p := range ps {
			out = append(out, []string{p})
		}
		return out
	}
	cases := []struct {
		name       string
		mask       [][]string // nil: no mask
		transforms [][]string
		want       []string // nil: null
	}{
		{"no mask", nil, nil, nil},
		{"empty mask", [][]string{}, nil, []string{}},
		{"escapes", [][]string{{`a\b`}, {"c`d"}, {"e", "f.g"}}, nil, []string{`e.f\.g`, `a\\b`, "c`d"}},
		{"escapes reversed", [][]string{{"e", "f.g"}, {"c`d"}, {`a\b`}}, nil, []string{`e.f\.g`, "c`d", `a\\b`}},
		{"prefix first", [][]string{{"m"}, {"m", "p"}}, nil, []string{"m"}},
		{"prefix last", [][]string{{"m", "p"}, {"m"}}, nil, []string{"m"}},
		{"nested", [][]string{{"zq"}, {"b"}, {"yy"}, {"a"}, {"m", "q"}, {"m", "p"}, {"ab"}, {"c"}}, nil,
			[]string{"yy", "a", "ab", "b", "c", "zq", "m.p", "m.q"}},
		{"repeats", segs("z", "b", "z"), nil, []string{"b", "z"}},
		{"transforms first, repeats kept", segs("z"), segs("zz", "b", "b"), []string{"zz", "b", "b", "z"}},
		{"transform and mask of one field", segs("z"), segs("z"), []string{"z", "z"}},
		{"transforms without mask", nil, [][]string{{"m", "p"}}, []string{"m.p"}},
		{"resized table", segs("f0", "f7", "f14", "f21", "f28", "f35", "f42", "f49", "f56", "f63", "f70", "f77", "f84", "f91"), nil,
			[]string{"f63", "f84", "f21", "f42", "f56", "f77", "f14", "f35", "f0", "f49", "f28", "f7", "f70", "f91"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := &Request{Method: MethodUpdate, HasUpdateMask: c.mask != nil, UpdateMask: c.mask, Transforms: c.transforms}
			v := writeFieldsValue(req)
			if c.want == nil {
				if v != theNull {
					t.Fatalf("got %v, want null", v)
				}
				return
			}
			l, ok := v.(listV)
			if !ok {
				t.Fatalf("got %v, want a list", v)
			}
			var got []string
			for _, e := range l {
				got = append(got, string(e.(stringV)))
			}
			if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestWriteFieldsUndefinedOnGet: a get has no request.writeFields.
func TestWriteFieldsUndefinedOnGet(t *testing.T) {
	rs, err := Compile("firestore.rules", []byte(`rules_version = '2'; service cloud.firestore { match /databases/{database}/documents {
	  match /c/{d} { allow get: if request.writeFields == null || request.writeFields != null; } }}`))
	if err != nil {
		t.Fatal(err)
	}
	d := rs.Decide(&Request{Method: MethodGet, Path: "/databases/(default)/documents/c/a", HasUpdateMask: true})
	if d.Allowed {
		t.Fatal("a get read request.writeFields")
	}
}
