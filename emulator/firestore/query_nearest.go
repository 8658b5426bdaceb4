package firestore

import (
	"math"
	"slices"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/proto"
)

// find_nearest (vector search). Production semantics, from the
// StructuredQuery.FindNearest reference: only documents whose vector
// field holds a vector of the query vector's dimension are candidates
// (after the where filter); the nearest-neighbour order supersedes
// order_by; EUCLIDEAN and COSINE keep distance <= threshold and order
// nearest first, DOT_PRODUCT keeps distance >= threshold and orders the
// largest first; distance_result_field receives the distance, replacing
// any value already there. Cursors and offset are rejected with
// find_nearest [inf: production documents no meaning for them]; a query
// limit, if also set, caps the result further.

const (
	maxVectorDims    = 2048
	maxNearestLimit  = 1000
	nearestEuclidean = firestorepb.StructuredQuery_FindNearest_EUCLIDEAN
	nearestCosine    = firestorepb.StructuredQuery_FindNearest_COSINE
	nearestDot       = firestorepb.StructuredQuery_FindNearest_DOT_PRODUCT
)

type nearestPlan struct {
	field        []string
	query        []float64
	measure      firestorepb.StructuredQuery_FindNearest_DistanceMeasure
	limit        int
	resultField  []string // nil: none
	threshold    float64
	hasThreshold bool
}

func compileNearest(p *queryPlan, q *firestorepb.StructuredQuery) error {
	fn := q.GetFindNearest()
	if q.GetStartAt() != nil || q.GetEndAt() != nil || q.GetOffset() != 0 {
		return invalidArg("find_nearest cannot be combined with cursors or offset")
	}
	np := &nearestPlan{measure: fn.GetDistanceMeasure()}
	path := fn.GetVectorField().GetFieldPath()
	if path == "__name__" {
		return invalidArg("find_nearest vector_field cannot be __name__")
	}
	var err error
	if np.field, err = parseFieldPath(path); err != nil {
		return invalidArg("find_nearest: %v", err)
	}
	qv := fn.GetQueryVector()
	if typeOrder(qv) != rankVector {
		return invalidArg("find_nearest query_vector must be a vector")
	}
	if np.query = vectorOf(qv); len(np.query) == 0 || len(np.query) > maxVectorDims {
		return invalidArg("find_nearest query_vector must have 1 to %d dimensions, got %d", maxVectorDims, len(np.query))
	}
	switch np.measure {
	case nearestEuclidean, nearestCosine, nearestDot:
	default:
		return invalidArg("find_nearest needs a distance_measure")
	}
	if l := fn.GetLimit(); l == nil || l.GetValue() <= 0 || l.GetValue() > maxNearestLimit {
		return invalidArg("find_nearest limit must be between 1 and %d", maxNearestLimit)
	}
	np.limit = int(fn.GetLimit().GetValue())
	if rf := fn.GetDistanceResultField(); rf != "" {
		if np.resultField, err = parseFieldPath(rf); err != nil {
			return invalidArg("find_nearest distance_result_field: %v", err)
		}
		if p.projection != nil {
			p.projection = dropCoveredPaths(append(p.projection, np.resultField))
		}
	}
	if t := fn.GetDistanceThreshold(); t != nil {
		np.threshold, np.hasThreshold = t.GetValue(), true
	}
	p.nearest = np
	return nil
}

// vectorOf returns the components of a vector value (integers widened).
func vectorOf(v *firestorepb.Value) []float64 {
	vals := v.GetMapValue().GetFields()["value"].GetArrayValue().GetValues()
	out := make([]float64, len(vals))
	for i, e := range vals {
		if typeOrder(e) != rankNumber {
			return nil
		}
		out[i] = asDouble(e)
	}
	return out
}

// distance returns the measure between a and b, and false when it is
// undefined (cosine with a zero vector).
func (np *nearestPlan) distance(a []float64) (float64, bool) {
	var dot, na, nb, sq float64
	for i, x := range a {
		y := np.query[i]
		dot += x * y
		na += x * x
		nb += y * y
		sq += (x - y) * (x - y)
	}
	switch np.measure {
	case nearestEuclidean:
		return math.Sqrt(sq), true
	case nearestCosine:
		if na == 0 || nb == 0 {
			return 0, false
		}
		return 1 - dot/(math.Sqrt(na)*math.Sqrt(nb)), true
	}
	return dot, true
}

// executeNearest runs a find_nearest plan over docs (already in scope).
// Result documents are copies carrying the distance field when asked.
func (p *queryPlan) executeNearest(docs []*firestorepb.Document) []*firestorepb.Document {
	np := p.nearest
	type hit struct {
		doc  *firestorepb.Document
		dist float64
	}
	var hits []hit
	for _, d := range docs {
		if p.where != nil && !p.where.matches(d) {
			continue
		}
		v, ok := getFieldSegs(d.GetFields(), np.field)
		if !ok || typeOrder(v) != rankVector {
			continue
		}
		vec := vectorOf(v)
		if len(vec) != len(np.query) {
			continue
		}
		dist, ok := np.distance(vec)
		if !ok || math.IsNaN(dist) {
			continue
		}
		if np.hasThreshold {
			if (np.measure == nearestDot && dist < np.threshold) || (np.measure != nearestDot && dist > np.threshold) {
				continue
			}
		}
		hits = append(hits, hit{d, dist})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		c := cmpFloat(a.dist, b.dist)
		if np.measure == nearestDot {
			c = -c
		}
		if c == 0 {
			c = compareReferences(a.doc.GetName(), b.doc.GetName())
		}
		return c
	})
	n := np.limit
	if p.limit >= 0 && p.limit < n {
		n = p.limit
	}
	if len(hits) > n {
		hits = hits[:n]
	}
	out := make([]*firestorepb.Document, len(hits))
	for i, h := range hits {
		d := h.doc
		if np.resultField != nil {
			// Stored documents are immutable: write the distance into a copy.
			d = proto.Clone(d).(*firestorepb.Document)
			if d.Fields == nil {
				d.Fields = map[string]*firestorepb.Value{}
			}
			putField(d.Fields, np.resultField, doubleValue(h.dist))
		}
		out[i] = d
	}
	return out
}
