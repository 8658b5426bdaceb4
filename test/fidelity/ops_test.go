package fidelity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/genproto/googleapis/type/latlng"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Values of the corpus before they meet a client: JSON types plus these
// markers, turned into client values by materialize.
type (
	refVal     string // a document reference, path relative to the root
	serverTime struct{}
	bytesVal   []byte
	geoVal     struct{ lat, lng float64 }
	vectorVal  []float64 // written as the client's firestore.Vector64
)

// decideTime is what "$time" means in a stored document (decide_test.go's
// request time); in a write it is the server timestamp.
var decideTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// parseValue decodes the decide format's JSON (decide_test.go): integers
// are int64, numbers with '.' or an exponent float64, and the $-markers.
func parseValue(js string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("bad JSON %s: %w", js, err)
	}
	return convertJSON(v)
}

func convertJSON(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return x.Float64()
		}
		return x.Int64()
	case string:
		if x == "$time" {
			return serverTime{}, nil
		}
		return x, nil
	case []any:
		out := make([]any, len(x))
		for i := range x {
			e, err := convertJSON(x[i])
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, e := range x {
				switch k {
				case "$ts":
					s, _ := e.(string)
					return time.Parse(time.RFC3339Nano, s)
				case "$ref":
					s, _ := e.(string)
					return refVal(strings.TrimPrefix(s, "/")), nil
				case "$bytes":
					s, _ := e.(string)
					b, err := base64.StdEncoding.DecodeString(s)
					return bytesVal(b), err
				case "$latlng":
					ll, _ := e.([]any)
					if len(ll) != 2 {
						return nil, fmt.Errorf("bad $latlng %v", e)
					}
					lat, _ := ll[0].(json.Number).Float64()
					lng, _ := ll[1].(json.Number).Float64()
					return geoVal{lat, lng}, nil
				case "$float": // "NaN", "Infinity", "-Infinity"
					s, _ := e.(string)
					return strconv.ParseFloat(s, 64)
				case "$vector":
					l, _ := e.([]any)
					vec := make(vectorVal, len(l))
					for i, n := range l {
						var f float64
						var err error
						switch x := n.(type) {
						case json.Number:
							f, err = x.Float64()
						case string: // "NaN", "Infinity", "-Infinity"
							f, err = strconv.ParseFloat(x, 64)
						default:
							err = fmt.Errorf("bad $vector %v", e)
						}
						if err != nil {
							return nil, err
						}
						vec[i] = f
					}
					return vec, nil
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := convertJSON(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return v, nil
}

// materialize turns corpus values into Go client values. write says
// whether "$time" is the server timestamp (a write) or decideTime (a
// stored document).
func materialize(c *firestore.Client, v any, write bool) any {
	switch x := v.(type) {
	case serverTime:
		if write {
			return firestore.ServerTimestamp
		}
		return decideTime
	case refVal:
		return c.Doc(string(x))
	case bytesVal:
		return []byte(x)
	case geoVal:
		return &latlng.LatLng{Latitude: x.lat, Longitude: x.lng}
	case vectorVal:
		return firestore.Vector64(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = materialize(c, x[i], write)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = materialize(c, e, write)
		}
		return out
	}
	return v
}

// plainJSON turns corpus values into JSON values for token claims.
func plainJSON(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = plainJSON(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainJSON(e)
		}
		return out
	case refVal:
		return string(x)
	}
	return v
}

// storedDoc is one document of the state before a request.
type storedDoc struct {
	path string
	data map[string]any
}

// op is one request made through the client.
type op struct {
	kind  string // get, create, set, update, delete, list, group, batch
	path  string // document path; collection path (list); collection ID (group)
	data  map[string]any
	query *querySpec
	batch []op
}

func (o op) isWrite() bool {
	switch o.kind {
	case "get", "list", "group":
		return false
	}
	return true
}

// querySpec is the decide format's {"where", "limit", "offset", "orderBy"}.
type querySpec struct {
	where   any
	limit   *int
	offset  int
	orderBy []string
}

// verdict is what an emulator answered: a gRPC status code and message.
type verdict struct {
	code codes.Code
	msg  string
}

// class is the comparable part of a verdict: "allow" (OK, or NOT_FOUND on
// a get: the rules let the read through), "deny" (PERMISSION_DENIED) or
// another status code.
func (v verdict) class(kind string) string {
	switch {
	case v.code == codes.OK, v.code == codes.NotFound && kind == "get":
		return "allow"
	case v.code == codes.PermissionDenied:
		return "deny"
	}
	return v.code.String()
}

func (v verdict) String() string {
	if v.code == codes.OK {
		return "OK"
	}
	return v.code.String() + ": " + v.msg
}

func toVerdict(err error) verdict {
	if err == nil {
		return verdict{code: codes.OK}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return verdict{code: codes.DeadlineExceeded, msg: err.Error()}
	}
	s, ok := status.FromError(err)
	if !ok {
		// A client-side refusal (e.g. a batch writing one document twice).
		return verdict{code: codes.Unknown, msg: "client: " + err.Error()}
	}
	return verdict{code: s.Code(), msg: s.Message()}
}

// run performs o as the caller with token tok.
func run(ctx context.Context, c *firestore.Client, tok string, o op) verdict {
	ctx = withToken(ctx, tok)
	switch o.kind {
	case "get":
		_, err := c.Doc(o.path).Get(ctx)
		return toVerdict(err)
	case "list", "group":
		q, err := buildQuery(c, o)
		if err != nil {
			return verdict{code: codes.Unknown, msg: "client: " + err.Error()}
		}
		_, err = q.Documents(ctx).GetAll()
		return toVerdict(err)
	case "batch":
		b := c.Batch()
		for _, w := range o.batch {
			addWrite(c, b, w)
		}
		_, err := b.Commit(ctx)
		return toVerdict(err)
	default:
		b := c.Batch()
		addWrite(c, b, o)
		_, err := b.Commit(ctx)
		return toVerdict(err)
	}
}

// addWrite adds one write as the decide format means it: create with an
// exists:false precondition, set replacing the document, update setting
// the given top-level fields of an existing document, delete with no
// precondition.
func addWrite(c *firestore.Client, b *firestore.WriteBatch, o op) {
	ref := c.Doc(o.path)
	switch o.kind {
	case "create":
		b.Create(ref, materialize(c, o.data, true))
	case "set":
		b.Set(ref, materialize(c, o.data, true))
	case "update":
		var ups []firestore.Update
		for k, v := range o.data {
			ups = append(ups, firestore.Update{FieldPath: firestore.FieldPath{k}, Value: materialize(c, v, true)})
		}
		if len(ups) == 0 {
			// An update with no fields still needs a mask; rewrite a field to itself is not
			// expressible, so touch a marker the rules under test do not read.
			ups = append(ups, firestore.Update{FieldPath: firestore.FieldPath{"__fidelity_touch"}, Value: true})
		}
		b.Update(ref, ups)
	case "delete":
		b.Delete(ref)
	}
}

func buildQuery(c *firestore.Client, o op) (firestore.Query, error) {
	var q firestore.Query
	if o.kind == "group" {
		q = c.CollectionGroup(o.path).Query
	} else {
		q = c.Collection(o.path).Query
	}
	s := o.query
	if s == nil {
		return q, nil
	}
	if s.where != nil {
		f, err := buildFilter(c, s.where)
		if err != nil {
			return q, err
		}
		q = q.WhereEntity(f)
	}
	for _, ob := range s.orderBy {
		dir := firestore.Asc
		if strings.HasPrefix(ob, "-") {
			dir, ob = firestore.Desc, ob[1:]
		}
		q = q.OrderByPath(firestore.FieldPath(strings.Split(ob, ".")), dir)
	}
	if s.offset > 0 {
		q = q.Offset(s.offset)
	}
	if s.limit != nil {
		q = q.Limit(*s.limit)
	}
	return q, nil
}

func buildFilter(c *firestore.Client, f any) (firestore.EntityFilter, error) {
	switch x := f.(type) {
	case []any:
		if len(x) < 2 {
			return nil, fmt.Errorf("bad filter %v", x)
		}
		field, _ := x[0].(string)
		opName, _ := x[1].(string)
		path := firestore.FieldPath(strings.Split(field, "."))
		switch opName {
		case "is-null":
			return firestore.PropertyPathFilter{Path: path, Operator: "==", Value: nil}, nil
		case "is-not-null":
			return firestore.PropertyPathFilter{Path: path, Operator: "!=", Value: nil}, nil
		case "is-nan":
			return firestore.PropertyPathFilter{Path: path, Operator: "==", Value: math.NaN()}, nil
		case "is-not-nan":
			return firestore.PropertyPathFilter{Path: path, Operator: "!=", Value: math.NaN()}, nil
		}
		if len(x) < 3 {
			return nil, fmt.Errorf("filter %v has no value", x)
		}
		return firestore.PropertyPathFilter{Path: path, Operator: opName, Value: materialize(c, x[2], false)}, nil
	case map[string]any:
		for k, sub := range x {
			list, _ := sub.([]any)
			var fs []firestore.EntityFilter
			for _, e := range list {
				ef, err := buildFilter(c, e)
				if err != nil {
					return nil, err
				}
				fs = append(fs, ef)
			}
			switch k {
			case "and":
				return firestore.AndFilter{Filters: fs}, nil
			case "or":
				return firestore.OrFilter{Filters: fs}, nil
			}
		}
	}
	return nil, fmt.Errorf("bad filter %v", f)
}
