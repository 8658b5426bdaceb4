package firestore

import (
	"context"
	"math"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// This file applies writes: the shared engine behind Commit, the Write
// stream, BatchWrite and the single-document RPCs. A batch is applied atomically under the store lock: preconditions
// and transforms see the batch's earlier writes, rules see the whole
// batch (getAfter), and nothing is stored unless every write succeeds.

type opKind int

const (
	opUpdate opKind = iota // update (with or without mask), or transform-only
	opDelete
	opVerify // JS-only Write.verify (field 5): a precondition check only
)

// writeOp is one validated write.
type writeOp struct {
	kind       opKind
	name       docName
	fields     map[string]*firestorepb.Value // update: new values
	hasMask    bool                          // update_mask present (even if empty)
	mask       [][]string
	transforms []parsedTransform
	precond    *firestorepb.Precondition
}

// maxDocBytes is production's document size limit (1 MiB).
const maxDocBytes = 1 << 20

// verifyField is the field number of the JS SDK's Write.verify, which the
// public v1 proto lacks.
const verifyField = 5

// parseWrite validates w, which must belong to database.
func parseWrite(w *firestorepb.Write, database string) (writeOp, error) {
	var op writeOp
	var name string
	switch x := w.GetOperation().(type) {
	case *firestorepb.Write_Update:
		op.kind = opUpdate
		name = x.Update.GetName()
		op.fields = x.Update.GetFields()
		if err := validateFields(op.fields, 0); err != nil {
			return op, err
		}
		truncateTimestamps(op.fields)
	case *firestorepb.Write_Delete:
		op.kind = opDelete
		name = x.Delete
	case *firestorepb.Write_Transform:
		// Legacy separate transform write: an update with an empty mask.
		op.kind = opUpdate
		op.hasMask = true
		name = x.Transform.GetDocument()
		ts, err := parseTransforms(x.Transform.GetFieldTransforms())
		if err != nil {
			return op, err
		}
		op.transforms = ts
	case nil:
		v, ok := verifyName(w)
		if !ok {
			return op, status.Error(codes.InvalidArgument, "write has no operation")
		}
		op.kind = opVerify
		name = v
	}
	n, err := parseDocName(name)
	if err != nil {
		return op, err
	}
	if n.database != database {
		return op, status.Errorf(codes.InvalidArgument, "document %q is not in database %q", name, database)
	}
	op.name = n
	op.precond = w.GetCurrentDocument()
	if op.precond != nil && op.precond.GetConditionType() == nil {
		op.precond = nil
	}
	if ut := op.precond.GetUpdateTime(); ut != nil && ut.GetNanos()%1000 != 0 {
		// Google's emulator's answer (observed): stored times are
		// microseconds, so such a precondition could never hold.
		return op, status.Error(codes.InvalidArgument, "timestamp cannot have more than microseconds precision")
	}
	if m := w.GetUpdateMask(); m != nil {
		if op.kind != opUpdate {
			return op, status.Error(codes.InvalidArgument, "update_mask is only allowed with update")
		}
		op.hasMask = true
		for _, p := range m.GetFieldPaths() {
			segs, err := parseFieldPath(p)
			if err != nil {
				return op, status.Error(codes.InvalidArgument, err.Error())
			}
			if err := reservedPath(segs); err != nil {
				return op, err
			}
			op.mask = append(op.mask, segs)
		}
	}
	if len(w.GetUpdateTransforms()) > 0 {
		if op.kind != opUpdate || op.transforms != nil {
			return op, status.Error(codes.InvalidArgument, "update_transforms are only allowed with update")
		}
		ts, err := parseTransforms(w.GetUpdateTransforms())
		if err != nil {
			return op, err
		}
		op.transforms = ts
	}
	return op, nil
}

// verifyName reads Write.verify (field 5, a document name) from w's
// unknown fields.
func verifyName(w *firestorepb.Write) (string, bool) {
	b := w.ProtoReflect().GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", false
		}
		b = b[n:]
		if num == verifyField && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return "", false
			}
			return string(v), true
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return "", false
		}
		b = b[n:]
	}
	return "", false
}

// validateFields rejects values the client could not have meant: unset
// values, empty or over-long field names, nesting deeper than 20.
func validateFields(fields map[string]*firestorepb.Value, depth int) error {
	if depth > 20 {
		return status.Error(codes.InvalidArgument, "document nests maps deeper than 20 levels")
	}
	for k, v := range fields {
		if k == "" {
			return status.Error(codes.InvalidArgument, "field names must not be empty")
		}
		if len(k) > 1500 {
			return status.Error(codes.InvalidArgument, "field name longer than 1500 bytes")
		}
		// Reserved names (__x__) are refused with Google's emulator's
		// wording, which differs at the top level and below it; a
		// vector's __type__ is the encoding itself.
		if isReservedName(k) && !(k == "__type__" && isVector(&firestorepb.MapValue{Fields: fields})) {
			if depth == 0 {
				return status.Errorf(codes.InvalidArgument, "field name %s is reserved", k)
			}
			return status.Errorf(codes.InvalidArgument, "field name '%s' is reserved.", k)
		}
		if err := validateValue(v, depth); err != nil {
			return err
		}
	}
	return nil
}

// truncateTimestamps rounds every timestamp in fields down to whole
// microseconds, in place (fields belong to the request being applied):
// Firestore stores timestamps with microsecond precision, rounding extra
// digits down, and Google's emulator does the same (observed).
func truncateTimestamps(fields map[string]*firestorepb.Value) {
	for _, v := range fields {
		truncateTimestamp(v)
	}
}

func truncateTimestamp(v *firestorepb.Value) {
	switch x := v.GetValueType().(type) {
	case *firestorepb.Value_TimestampValue:
		if ts := x.TimestampValue; ts != nil {
			ts.Nanos -= ts.Nanos % 1000
		}
	case *firestorepb.Value_ArrayValue:
		for _, e := range x.ArrayValue.GetValues() {
			truncateTimestamp(e)
		}
	case *firestorepb.Value_MapValue:
		truncateTimestamps(x.MapValue.GetFields())
	}
}

func validateValues(vs []*firestorepb.Value, depth int) error {
	for _, v := range vs {
		if err := validateValue(v, depth); err != nil {
			return err
		}
	}
	return nil
}

func validateValue(v *firestorepb.Value, depth int) error {
	switch x := v.GetValueType().(type) {
	case nil:
		return status.Error(codes.InvalidArgument, "value has no type")
	case *firestorepb.Value_ArrayValue:
		for _, e := range x.ArrayValue.GetValues() {
			if _, nested := e.GetValueType().(*firestorepb.Value_ArrayValue); nested {
				return status.Error(codes.InvalidArgument, "Cannot have nested arrays")
			}
		}
		return validateValues(x.ArrayValue.GetValues(), depth+1)
	case *firestorepb.Value_MapValue:
		if isVector(x.MapValue) {
			return validateVector(x.MapValue)
		}
		return validateFields(x.MapValue.GetFields(), depth+1)
	case *firestorepb.Value_ReferenceValue:
		if _, err := parseDocName(x.ReferenceValue); err != nil {
			return status.Errorf(codes.InvalidArgument, "invalid reference value %q", x.ReferenceValue)
		}
	case *firestorepb.Value_FieldReferenceValue, *firestorepb.Value_FunctionValue, *firestorepb.Value_PipelineValue:
		return status.Error(codes.InvalidArgument, "pipeline expressions are not document data")
	}
	return nil
}

// validateVector refuses, with Google's emulator's wording, a vector
// (a map {__type__: "__vector__", value: [...]}) that is empty, holds
// anything but doubles or a NaN, or has other entries.
func validateVector(m *firestorepb.MapValue) error {
	if len(m.GetFields()) != 2 {
		return status.Error(codes.InvalidArgument, "Vector Value map has extraneous entries.")
	}
	comps := m.GetFields()["value"].GetArrayValue().GetValues()
	if len(comps) == 0 {
		return status.Error(codes.InvalidArgument, "Cannot have a zero length vector.")
	}
	for _, c := range comps {
		d, ok := c.GetValueType().(*firestorepb.Value_DoubleValue)
		if !ok {
			return status.Error(codes.InvalidArgument, "Vector must only contain values of type 'double'")
		}
		if math.IsNaN(d.DoubleValue) {
			return status.Error(codes.InvalidArgument, "Vector cannot contain NaN values.")
		}
	}
	return nil
}

// isCreate reports whether op carries an exists:false precondition (a
// client's create).
func isCreate(op *writeOp) bool {
	c, ok := op.precond.GetConditionType().(*firestorepb.Precondition_Exists)
	return ok && !c.Exists
}

// mustExist reports whether op carries an exists:true precondition (an
// update).
func mustExist(op *writeOp) bool {
	c, ok := op.precond.GetConditionType().(*firestorepb.Precondition_Exists)
	return ok && c.Exists
}

// checkPrecondition applies a write's precondition to the document as
// the batch sees it: exists:false on an existing document is
// ALREADY_EXISTS, exists:true on a missing one NOT_FOUND, an update_time
// mismatch FAILED_PRECONDITION. A verify reports the same codes, as
// Google's emulator does (observed); the JS SDK retries a transaction on
// each of ALREADY_EXISTS and FAILED_PRECONDITION, and never sends a
// verify with exists:true.
func checkPrecondition(op *writeOp, cur *firestorepb.Document) error {
	p := op.precond
	if p == nil {
		return nil
	}
	switch c := p.GetConditionType().(type) {
	case *firestorepb.Precondition_Exists:
		switch {
		case c.Exists && cur == nil:
			return status.Errorf(codes.NotFound, "no document to update: %s", op.name.full)
		case !c.Exists && cur != nil:
			return status.Errorf(codes.AlreadyExists, "Document already exists: %s", op.name.full)
		}
	case *firestorepb.Precondition_UpdateTime:
		if cur == nil || !cur.GetUpdateTime().AsTime().Equal(c.UpdateTime.AsTime()) {
			return status.Errorf(codes.FailedPrecondition, "the stored version of %s does not match the required base version", op.name.full)
		}
	}
	return nil
}

// applyOp computes the document after op (nil: deleted) and op's
// WriteResult. cur is the document before op as the batch sees it. The
// precondition is checked separately (applyWrites).
func applyOp(op *writeOp, cur *firestorepb.Document, t time.Time) (*firestorepb.Document, *firestorepb.WriteResult, error) {
	switch op.kind {
	case opVerify:
		return cur, &firestorepb.WriteResult{UpdateTime: cur.GetUpdateTime()}, nil
	case opDelete:
		return nil, &firestorepb.WriteResult{}, nil
	}
	var fields map[string]*firestorepb.Value
	if !op.hasMask {
		fields = cloneFields(op.fields)
	} else {
		fields = cloneFields(cur.GetFields())
		for _, segs := range op.mask {
			if v, ok := getFieldSegs(op.fields, segs); ok {
				setFieldSegs(fields, segs, proto.Clone(v).(*firestorepb.Value))
			} else {
				deleteFieldSegs(fields, segs)
			}
		}
	}
	res := &firestorepb.WriteResult{}
	rt := requestTime(t)
	for _, tr := range op.transforms {
		base, _ := getFieldSegs(fields, tr.segs)
		v, r := tr.apply(base, rt)
		setFieldSegs(fields, tr.segs, v)
		res.TransformResults = append(res.TransformResults, r)
	}
	if cur != nil && fieldsEqual(cur.GetFields(), fields) {
		// A no-op keeps the stored document, and its update time
		// (write.proto WriteResult.update_time).
		res.UpdateTime = cur.GetUpdateTime()
		return cur, res, nil
	}
	ts := timestamppb.New(t)
	doc := &firestorepb.Document{Name: op.name.full, Fields: fields, CreateTime: ts, UpdateTime: ts}
	if cur != nil {
		doc.CreateTime = cur.GetCreateTime()
	}
	if proto.Size(doc) > maxDocBytes {
		return nil, nil, status.Errorf(codes.InvalidArgument, "document %s exceeds the maximum size of 1 MiB", op.name.full)
	}
	res.UpdateTime = ts
	return doc, res, nil
}

// fieldsEqual reports whether a write leaves the fields exactly as they
// were (a no-op). Doubles compare by bits, at any depth: proto.Equal
// holds 0.0 equal to -0.0, and keeping a stored -0.0 when 0.0 is written
// would show rules (request.resource) and readers the old value.
func fieldsEqual(a, b map[string]*firestorepb.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || !sameValue(va, vb) {
			return false
		}
	}
	return true
}

// sameValue is proto.Equal with doubles compared by their bits.
func sameValue(a, b *firestorepb.Value) bool {
	switch x := a.GetValueType().(type) {
	case *firestorepb.Value_DoubleValue:
		y, ok := b.GetValueType().(*firestorepb.Value_DoubleValue)
		return ok && math.Float64bits(x.DoubleValue) == math.Float64bits(y.DoubleValue)
	case *firestorepb.Value_ArrayValue:
		y, ok := b.GetValueType().(*firestorepb.Value_ArrayValue)
		if !ok || len(x.ArrayValue.GetValues()) != len(y.ArrayValue.GetValues()) {
			return false
		}
		for i, e := range x.ArrayValue.GetValues() {
			if !sameValue(e, y.ArrayValue.GetValues()[i]) {
				return false
			}
		}
		return true
	case *firestorepb.Value_MapValue:
		y, ok := b.GetValueType().(*firestorepb.Value_MapValue)
		return ok && fieldsEqual(x.MapValue.GetFields(), y.MapValue.GetFields())
	}
	return proto.Equal(a, b)
}

func cloneFields(f map[string]*firestorepb.Value) map[string]*firestorepb.Value {
	out := make(map[string]*firestorepb.Value, len(f))
	for k, v := range f {
		out[k] = proto.Clone(v).(*firestorepb.Value)
	}
	return out
}

// setFieldSegs sets the value at segs, creating maps on the way and
// replacing non-map values that are in the way.
func setFieldSegs(fields map[string]*firestorepb.Value, segs []string, v *firestorepb.Value) {
	for _, s := range segs[:len(segs)-1] {
		m, ok := fields[s].GetValueType().(*firestorepb.Value_MapValue)
		if !ok {
			m = &firestorepb.Value_MapValue{MapValue: &firestorepb.MapValue{}}
			fields[s] = &firestorepb.Value{ValueType: m}
		}
		if m.MapValue.Fields == nil {
			m.MapValue.Fields = map[string]*firestorepb.Value{}
		}
		fields = m.MapValue.Fields
	}
	fields[segs[len(segs)-1]] = v
}

// deleteFieldSegs removes the value at segs if present.
func deleteFieldSegs(fields map[string]*firestorepb.Value, segs []string) {
	for _, s := range segs[:len(segs)-1] {
		m, ok := fields[s].GetValueType().(*firestorepb.Value_MapValue)
		if !ok {
			return
		}
		fields = m.MapValue.GetFields()
	}
	delete(fields, segs[len(segs)-1])
}

// applyWrites commits ops atomically for caller c. ts, when not nil, is
// the transaction being committed: its reads are validated first. It
// returns the commit time and one WriteResult per op.
func (s *server) applyWrites(c caller, ops []writeOp, ts *txnState) (time.Time, []*firestorepb.WriteResult, error) {
	results := make([]*firestorepb.WriteResult, len(ops))
	var rulesSet *rules.Ruleset
	if len(ops) > 0 {
		rulesSet = s.rulesFor(c)
	}
	t, err := s.st.commit(func(x *stx) error {
		if ts != nil {
			if err := ts.validateReads(x); err != nil {
				return err
			}
		}
		var reqs []*rules.Request
		project := ""
		// A failed precondition is reported only after the rules allowed
		// the batch, so a caller the rules deny cannot probe whether a
		// document exists (ALREADY_EXISTS / NOT_FOUND). Inferred: the
		// safer order; the batch is judged as if the precondition held.
		var precondErr error
		for i := range ops {
			op := &ops[i]
			cur := x.lookup(op.name.full)
			if err := checkPrecondition(op, cur); err != nil {
				if rulesSet == nil {
					return err
				}
				if precondErr == nil {
					precondErr = err
				}
			}
			after, res, err := applyOp(op, cur, x.t)
			if err != nil {
				return err
			}
			results[i] = res
			if op.kind != opVerify {
				x.put(op.name.full, after)
			}
			if rulesSet == nil || op.kind == opVerify {
				continue
			}
			project = op.name.project
			req := &rules.Request{Path: op.name.rulesPath(), Auth: c.auth, Time: requestTime(x.t), Resource: toRulesDoc(cur, project)}
			switch {
			case op.kind == opDelete:
				req.Method = rules.MethodDelete
			case (cur == nil && !mustExist(op)) || isCreate(op):
				// A create (exists:false) on an existing document is
				// judged by the create rule, as Google's emulator does:
				// denied, PERMISSION_DENIED; allowed, ALREADY_EXISTS.
				// An update (exists:true) of a missing document is
				// judged by the update rule, with resource null (then
				// NOT_FOUND), as Google's emulator does.
				req.Method = rules.MethodCreate
				req.Incoming = toRulesDoc(after, project)
			default:
				req.Method = rules.MethodUpdate
				req.Incoming = toRulesDoc(after, project)
			}
			if op.kind == opUpdate {
				// request.writeFields: the mask and the transformed paths.
				req.HasUpdateMask, req.UpdateMask = op.hasMask, op.mask
				for _, tr := range op.transforms {
					req.Transforms = append(req.Transforms, tr.segs)
				}
			}
			reqs = append(reqs, req)
		}
		if len(reqs) == 0 {
			return precondErr
		}
		before, afterView := commitView{x: x, project: project}, commitView{x: x, project: project, after: true}
		for _, r := range reqs {
			r.Before, r.After = before, afterView
		}
		if d := rulesSet.DecideBatch(reqs); !d.Allowed {
			// The client's message does not name the write (as in
			// Google's emulator); the log does.
			s.logf("write denied: %s", d.Reason())
			return denied(d.Denial)
		}
		return precondErr
	})
	if err != nil {
		return time.Time{}, nil, err
	}
	return t, results, nil
}

// parseWrites validates every write of a request against database.
func parseWrites(ws []*firestorepb.Write, database string) ([]writeOp, error) {
	ops := make([]writeOp, 0, len(ws))
	for _, w := range ws {
		op, err := parseWrite(w, database)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// Commit applies writes atomically, optionally committing a transaction.
func (s *server) Commit(ctx context.Context, req *firestorepb.CommitRequest) (*firestorepb.CommitResponse, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	_, db, err := parseDatabase(req.GetDatabase())
	if err != nil {
		return nil, err
	}
	ops, err := parseWrites(req.GetWrites(), db)
	if err != nil {
		return nil, err
	}
	var ts *txnState
	if id := req.GetTransaction(); len(id) > 0 {
		// A commit attempt ends the transaction whatever its outcome;
		// the Go client begins a new one to retry.
		if ts, err = s.txns.end(id, db); err != nil {
			return nil, err
		}
		if ts.readOnly {
			if len(ops) > 0 {
				return nil, status.Error(codes.InvalidArgument, "Cannot modify entities in a read-only transaction.")
			}
			return &firestorepb.CommitResponse{CommitTime: timestamppb.New(s.st.readTime())}, nil
		}
	}
	t, results, err := s.applyWrites(c, ops, ts)
	if err != nil {
		return nil, err
	}
	return &firestorepb.CommitResponse{WriteResults: results, CommitTime: timestamppb.New(t)}, nil
}
