package rules

// This file holds the map values that are not a mapV (lazyMap): goMapV,
// document and token data read lazily, and recordV, the fixed records a
// decision builds (request, request.auth, resource). A rule that reads two
// fields of a ten-field document, or one claim of an ID token, converts
// those and nothing else; and no Go map is built for request.
//
// Both behave exactly like the mapV they stand for. For goMapV, that is
// the mapV fromGo would build:
//   - Whether the data converts at all is checked up front (goDataErr),
//     without converting anything: fromGo turns the whole map into an
//     error when any value in it is unsupported, so a goMapV is only ever
//     built for data that fromGo would convert without error.
//   - Reading a field (v.name, v['name'], v.get('name', d), 'name' in v,
//     size(), keys()) converts just that field, or just the keys; a nested
//     map stays lazy.
//   - Every other use (==, diff, values(), sets, debug output) converts
//     the whole map with fromGo and works on the result.

import (
	"math"
	"slices"
	"strings"
	"time"
)

// goMapV is a map value backed by Go data (map[string]any of request.go's
// table) that has passed goDataErr. Values are read-only, like every
// value: src is never changed.
type goMapV struct {
	src map[string]any
	// keyList memoizes keys() as a Value (boxing a list allocates): a
	// value is used by one decision at a time, and the list, like every
	// value, is never changed once built.
	keyList Value
}

// lazyMap is a map value held in another form than mapV. Reading a field,
// testing a key, size() and keys() work on that form; everything else
// works on eager(), the equivalent mapV.
type lazyMap interface {
	Value
	field(k string) (Value, bool)
	has(k string) bool
	size() int
	keys() Value // a listV
	eager() mapV
}

func (*goMapV) typeName() string { return "map" }

// lazyData converts Go data like fromGo, keeping maps lazy. It returns
// fromGo's error when the data holds an unsupported value anywhere.
func lazyData(v any) Value {
	return lazyDataIn(nil, v)
}

// lazyDataIn is lazyData with the top-level lazy map taken from a (which
// may be nil).
func lazyDataIn(a *valueArena, v any) Value {
	if err := goDataErr(v); err != nil {
		return err
	}
	if m, ok := v.(map[string]any); ok {
		return a.goMap(m)
	}
	return lazyFromGo(v)
}

// lazyFromGo converts data that passed goDataErr: like fromGo, but a map
// becomes a goMapV (also inside lists).
func lazyFromGo(v any) Value {
	switch x := v.(type) {
	case map[string]any:
		return &goMapV{src: x}
	case []any:
		l := make(listV, len(x))
		for i, e := range x {
			l[i] = lazyFromGo(e)
		}
		return l
	}
	return fromGo(v)
}

// goDataErr returns the error value fromGo(v) would return, or nil when
// fromGo converts v without error. It allocates only to build an error.
func goDataErr(v any) Value {
	switch x := v.(type) {
	case nil, bool, int64, int, int32, int16, int8, uint8, uint16, uint32,
		float64, float32, string, []byte, LatLng, *LatLng, Vector:
		return nil
	case Value:
		if isError(x) {
			return x
		}
		return nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return fromGo(x)
		}
		return nil
	case uint64:
		if x > math.MaxInt64 {
			return fromGo(x)
		}
		return nil
	case time.Time:
		// timestampValue fails only outside the seconds range
		// (Nanosecond is already in [0, 1e9)).
		if s := x.Unix(); s < minTimestampSec || s > maxTimestampSec {
			return fromGo(x)
		}
		return nil
	case Reference:
		if !validPathText(string(x)) {
			return fromGo(x)
		}
		return nil
	case []any:
		for _, e := range x {
			if err := goDataErr(e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, e := range x {
			if err := goDataErr(e); err != nil {
				return err
			}
		}
		return nil
	}
	return fromGo(v) // an unsupported Go type: fromGo's error
}

// validPathText reports whether parsePath accepts s: after dropping one
// leading and one trailing slash, no segment is empty.
func validPathText(s string) bool {
	s = strings.TrimPrefix(s, "/")
	s = strings.TrimSuffix(s, "/")
	if s == "" {
		return true
	}
	return s[0] != '/' && s[len(s)-1] != '/' && !strings.Contains(s, "//")
}

// field returns the value of key k, converted.
func (m *goMapV) field(k string) (Value, bool) {
	e, ok := m.src[k]
	if !ok {
		return nil, false
	}
	return lazyFromGo(e), true
}

// has reports whether k is a key of m.
func (m *goMapV) has(k string) bool {
	_, ok := m.src[k]
	return ok
}

func (m *goMapV) size() int { return len(m.src) }

// eager converts the whole map, as fromGo does.
func (m *goMapV) eager() mapV {
	return fromGo(m.src).(mapV)
}

// keys returns m.keys(): the keys in ascending order, as strings.
func (m *goMapV) keys() Value {
	if m.keyList != nil {
		return m.keyList
	}
	l := make(listV, 0, len(m.src))
	for k := range m.src {
		l = append(l, stringV(k))
	}
	sortStrings(l)
	m.keyList = l
	return m.keyList
}

// sortStrings sorts a list of strings in ascending byte order, the order
// of sortedKeys.
func sortStrings(l listV) {
	slices.SortFunc(l, func(a, b Value) int {
		return strings.Compare(string(a.(stringV)), string(b.(stringV)))
	})
}

// lazyMapMethod implements the map methods on a lazy map: size(), keys()
// and get() read only what they need; the rest run on the converted map.
func lazyMapMethod(m lazyMap, name string, args []Value) Value {
	switch {
	case name == "size" && len(args) == 0:
		return intV(m.size())
	case name == "keys" && len(args) == 0:
		return m.keys()
	case name == "get" && len(args) == 2:
		return mapGet(m, args[0], args[1])
	case name == "values" && len(args) == 0:
		switch l := m.(type) {
		case *litMapV:
			return l.values()
		case *goMapV:
			return unorderedValues(l)
		}
	}
	return mapMethod(m.eager(), name, args)
}

// asMapV returns v as a mapV, converting a lazy map; ok is false when v
// is not a map.
func asMapV(v Value) (mapV, bool) {
	switch x := v.(type) {
	case mapV:
		return x, true
	case lazyMap:
		return x.eager(), true
	}
	return nil, false
}

// mapField returns key k of a map value (mapV or lazy); isMap is false
// when v is not a map.
func mapField(v Value, k string) (e Value, found, isMap bool) {
	switch x := v.(type) {
	case mapV:
		e, found = x[k]
		return e, found, true
	case lazyMap:
		e, found = x.field(k)
		return e, found, true
	}
	return nil, false, false
}

// recordV is a map with a few fixed keys, such as request: a list of
// entries (keys unique), cheaper to build and read than a Go map.
type recordV struct {
	fields []namedValue
}

func (*recordV) typeName() string { return "map" }

func (r *recordV) field(k string) (Value, bool) {
	for _, f := range r.fields {
		if f.name == k {
			return f.v, true
		}
	}
	return nil, false
}

func (r *recordV) has(k string) bool {
	_, ok := r.field(k)
	return ok
}

func (r *recordV) size() int { return len(r.fields) }

func (r *recordV) keys() Value {
	l := make(listV, len(r.fields))
	for i, f := range r.fields {
		l[i] = stringV(f.name)
	}
	sortStrings(l)
	return l
}

func (r *recordV) eager() mapV {
	m := make(mapV, len(r.fields))
	for _, f := range r.fields {
		m[f.name] = f.v
	}
	return m
}

// valueArena holds the records, their entries and the lazy maps of one
// decision's root variables, so that building them allocates nothing
// more. A nil arena allocates each one on the heap.
type valueArena struct {
	records [4]recordV
	entries [16]namedValue
	maps    [3]goMapV
	nr, ne  int
	nm      int
}

// reset returns a to its zero state, clearing only what was handed out.
func (a *valueArena) reset() {
	clear(a.records[:a.nr])
	clear(a.entries[:a.ne])
	clear(a.maps[:a.nm])
	a.nr, a.ne, a.nm = 0, 0, 0
}

// record returns a record holding fields (copied).
func (a *valueArena) record(fields ...namedValue) *recordV {
	if a == nil || a.nr == len(a.records) || a.ne+len(fields) > len(a.entries) {
		return &recordV{fields: append([]namedValue(nil), fields...)}
	}
	r := &a.records[a.nr]
	a.nr++
	r.fields = a.entries[a.ne : a.ne+len(fields) : a.ne+len(fields)]
	a.ne += copy(r.fields, fields)
	return r
}

// goMap returns a lazy map over src, which must have passed goDataErr.
func (a *valueArena) goMap(src map[string]any) *goMapV {
	if a == nil || a.nm == len(a.maps) {
		return &goMapV{src: src}
	}
	m := &a.maps[a.nm]
	a.nm++
	m.src = src
	return m
}
