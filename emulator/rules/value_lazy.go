package rules

// This file holds goMapV, document and token data read lazily: a rule
// that reads two fields of a ten-field document, or one claim of an ID
// token, converts those and nothing else.
//
// It behaves exactly like the mapV fromGo would build:
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
	"sort"
	"strings"
	"time"
)

// goMapV is a map value backed by Go data (map[string]any of request.go's
// table) that has passed goDataErr. Values are read-only, like every
// value: src is never changed.
type goMapV struct {
	src map[string]any
	// keyList memoizes keys(): a value is used by one decision at a time,
	// and the list, like every value, is never changed once built.
	keyList listV
}

func (*goMapV) typeName() string { return "map" }

// lazyData converts Go data like fromGo, keeping maps lazy. It returns
// fromGo's error when the data holds an unsupported value anywhere.
func lazyData(v any) Value {
	if err := goDataErr(v); err != nil {
		return err
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
		float64, float32, string, []byte, LatLng, *LatLng:
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

// eager converts the whole map, as fromGo does.
func (m *goMapV) eager() mapV {
	return fromGo(m.src).(mapV)
}

// keys returns m.keys(): the keys in ascending order, as strings.
func (m *goMapV) keys() listV {
	if m.keyList != nil {
		return m.keyList
	}
	keys := make([]string, 0, len(m.src))
	for k := range m.src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	l := make(listV, len(keys))
	for i, k := range keys {
		l[i] = stringV(k)
	}
	m.keyList = l
	return l
}

// goMapMethod implements the map methods on a lazy map: size(), keys()
// and get() read only what they need; the rest run on the converted map.
func goMapMethod(m *goMapV, name string, args []Value) Value {
	switch {
	case name == "size" && len(args) == 0:
		return intV(len(m.src))
	case name == "keys" && len(args) == 0:
		return m.keys()
	case name == "get" && len(args) == 2:
		return mapGet(m, args[0], args[1])
	}
	return mapMethod(m.eager(), name, args)
}

// asMapV returns v as a mapV, converting a lazy map; ok is false when v
// is not a map.
func asMapV(v Value) (mapV, bool) {
	switch x := v.(type) {
	case mapV:
		return x, true
	case *goMapV:
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
	case *goMapV:
		e, found = x.field(k)
		return e, found, true
	}
	return nil, false, false
}
