package firestore

import (
	"strconv"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// RunAggregationQuery: count, sum and avg over a structured query's
// results (after its filters, orders, cursors, offset and limit).
//
// Result types follow production: count is an integer; sum is an integer
// while every summed value is an integer and the total fits in int64, and
// a double otherwise (0 when nothing numeric was summed); avg is a double,
// or null when nothing numeric was found. Non-numeric values are ignored
// by sum and avg.

// maxAggregations is production's limit per request.
const maxAggregations = 5

type aggKind int

const (
	aggCount aggKind = iota
	aggSum
	aggAvg
)

type aggPlan struct {
	alias string
	kind  aggKind
	upTo  int64    // count: 0 = unbounded
	path  []string // sum, avg
}

// compileAggregations validates the aggregations and assigns production's
// default aliases (field_1, field_2, ... to the unnamed ones, in order).
func compileAggregations(aggs []*firestorepb.StructuredAggregationQuery_Aggregation) ([]aggPlan, error) {
	if len(aggs) == 0 {
		return nil, invalidArg("an aggregation query needs at least one aggregation")
	}
	if len(aggs) > maxAggregations {
		return nil, invalidArg("at most %d aggregations are allowed, got %d", maxAggregations, len(aggs))
	}
	out := make([]aggPlan, len(aggs))
	used := map[string]bool{}
	for i, a := range aggs {
		p := aggPlan{alias: a.GetAlias()}
		switch op := a.GetOperator().(type) {
		case *firestorepb.StructuredAggregationQuery_Aggregation_Count_:
			p.kind = aggCount
			if u := op.Count.GetUpTo(); u != nil {
				if u.GetValue() <= 0 {
					return nil, invalidArg("count up_to must be greater than zero, got %d", u.GetValue())
				}
				p.upTo = u.GetValue()
			}
		case *firestorepb.StructuredAggregationQuery_Aggregation_Sum_:
			p.kind = aggSum
			segs, err := aggField(op.Sum.GetField())
			if err != nil {
				return nil, err
			}
			p.path = segs
		case *firestorepb.StructuredAggregationQuery_Aggregation_Avg_:
			p.kind = aggAvg
			segs, err := aggField(op.Avg.GetField())
			if err != nil {
				return nil, err
			}
			p.path = segs
		default:
			return nil, invalidArg("aggregation %d has no operator", i)
		}
		if p.alias != "" {
			if strings.HasPrefix(p.alias, "__") && strings.HasSuffix(p.alias, "__") {
				return nil, invalidArg("aggregation alias %q is reserved", p.alias)
			}
			if used[p.alias] {
				return nil, invalidArg("duplicate aggregation alias %q", p.alias)
			}
			used[p.alias] = true
		}
		out[i] = p
	}
	n := 0
	for i := range out {
		for out[i].alias == "" {
			n++
			if a := "field_" + strconv.Itoa(n); !used[a] {
				out[i].alias = a
				used[a] = true
			}
		}
	}
	return out, nil
}

func aggField(ref *firestorepb.StructuredQuery_FieldReference) ([]string, error) {
	p := ref.GetFieldPath()
	if p == "__name__" {
		return nil, invalidArg("cannot sum or average __name__")
	}
	segs, err := parseFieldPath(p)
	if err != nil {
		return nil, invalidArg("aggregation: %v", err)
	}
	return segs, nil
}

// aggregate computes every aggregation over docs.
func aggregate(aggs []aggPlan, docs []*firestorepb.Document) map[string]*firestorepb.Value {
	out := make(map[string]*firestorepb.Value, len(aggs))
	for _, a := range aggs {
		switch a.kind {
		case aggCount:
			n := int64(len(docs))
			if a.upTo > 0 && n > a.upTo {
				n = a.upTo
			}
			out[a.alias] = intValue(n)
		case aggSum:
			out[a.alias] = sumValues(numbersAt(docs, a.path))
		case aggAvg:
			nums := numbersAt(docs, a.path)
			if len(nums) == 0 {
				out[a.alias] = nullValue()
				continue
			}
			var sum float64
			for _, v := range nums {
				sum += asDouble(v)
			}
			out[a.alias] = doubleValue(sum / float64(len(nums)))
		}
	}
	return out
}

// numbersAt returns the numeric values at path in docs, skipping the rest.
func numbersAt(docs []*firestorepb.Document, path []string) []*firestorepb.Value {
	var out []*firestorepb.Value
	for _, d := range docs {
		if v, ok := getFieldSegs(d.GetFields(), path); ok && typeOrder(v) == rankNumber {
			out = append(out, v)
		}
	}
	return out
}

// sumValues adds integers exactly until a double appears or the total
// overflows int64; from then on it adds in floating point.
func sumValues(nums []*firestorepb.Value) *firestorepb.Value {
	var isum int64
	var fsum float64
	intMode := true
	for _, v := range nums {
		if intMode {
			if iv, ok := v.ValueType.(*firestorepb.Value_IntegerValue); ok {
				s := isum + iv.IntegerValue
				// Overflow iff both operands share a sign the result lacks.
				if (isum >= 0) == (iv.IntegerValue >= 0) && (s >= 0) != (isum >= 0) {
					intMode = false
					fsum = float64(isum) + float64(iv.IntegerValue)
					continue
				}
				isum = s
				continue
			}
			intMode = false
			fsum = float64(isum)
		}
		fsum += asDouble(v)
	}
	if intMode {
		return intValue(isum)
	}
	return doubleValue(fsum)
}

// RunAggregationQuery answers with exactly one message carrying the
// result and the read time: the JS SDK stops reading after the first
// message.
func (s *server) RunAggregationQuery(req *firestorepb.RunAggregationQueryRequest, stream firestorepb.Firestore_RunAggregationQueryServer) error {
	if req.GetExplainOptions() != nil {
		return status.Error(codes.Unimplemented, "explain_options (query explain) is not supported by this emulator")
	}
	saq := req.GetStructuredAggregationQuery()
	if saq == nil || saq.GetStructuredQuery() == nil {
		return status.Error(codes.InvalidArgument, "RunAggregationQuery needs a structured_aggregation_query with a structured_query")
	}
	aggs, err := compileAggregations(saq.GetAggregations())
	if err != nil {
		return err
	}
	run, err := s.runStructuredQuery(stream.Context(), req.GetParent(), saq.GetStructuredQuery(),
		req.GetTransaction(), req.GetNewTransaction(), req.GetReadTime())
	if err != nil {
		return err
	}
	return stream.Send(&firestorepb.RunAggregationQueryResponse{
		Result:      &firestorepb.AggregationResult{AggregateFields: aggregate(aggs, run.docs)},
		ReadTime:    timestamppb.New(run.readTime),
		Transaction: run.newTxn,
	})
}
