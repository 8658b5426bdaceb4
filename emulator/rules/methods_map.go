package rules

// This file implements the map, map_diff and path methods
// (map, map_diff and the path helpers that return maps).

import "strconv"

func mapMethod(m mapV, name string, args []Value) Value {
	switch name {
	case "size", "keys", "values":
		if len(args) != 0 {
			return errArgs("map."+name, args, "map."+name+"()")
		}
		switch name {
		case "size":
			return intV(len(m))
		case "keys":
			keys := sortedKeys(m)
			l := make(listV, len(keys))
			for i, k := range keys {
				l[i] = stringV(k)
			}
			return l
		}
		keys := sortedKeys(m)
		l := make(listV, len(keys))
		for i, k := range keys {
			l[i] = m[k]
		}
		return l
	case "get":
		if len(args) != 2 {
			return errArgs("map.get", args, "map.get(string|list, value)")
		}
		return mapGet(m, args[0], args[1])
	case "diff":
		if len(args) == 1 {
			if o, ok := asMapV(args[0]); ok {
				return &mapDiffV{a: m, b: o}
			}
		}
		return errArgs("map.diff", args, "map.diff(map)")
	}
	return errFuncNotFound(name)
}

// mapGet is m.get(key, default). key is a string, or a list of strings
// naming a path through nested maps; a missing step or a non-map
// intermediate yields the default [obs PY map-get-string-and-list-form].
// An empty list yields m itself [inf].
func mapGet(m, key, def Value) Value {
	switch k := key.(type) {
	case stringV:
		if v, found, _ := mapField(m, string(k)); found {
			return v
		}
		return def
	case listV:
		cur := m
		for _, step := range k {
			s, ok := step.(stringV)
			if !ok {
				return errorf("Unsupported operation error. Received: map.get() path holding %s. Expected: a list of strings.", step.typeName())
			}
			v, found, isMap := mapField(cur, string(s))
			if !isMap || !found {
				return def
			}
			cur = v
		}
		return cur
	}
	return errArgs("map.get", []Value{key, def}, "map.get(string|list, value)")
}

// mapDiffMethod returns the key sets of a.diff(b). Values compare as set
// elements do (equalKey: numbers by value at any depth, NaN equal to
// NaN), as Google's emulator answers: {'a': 1}.diff({'a': 1.0}) and
// {'a': [1]}.diff({'a': [1.0]}) change nothing.
func mapDiffMethod(d *mapDiffV, name string, args []Value) Value {
	switch name {
	case "addedKeys", "removedKeys", "changedKeys", "unchangedKeys", "affectedKeys":
	default:
		return errFuncNotFound(name)
	}
	if len(args) != 0 {
		return errArgs("map_diff."+name, args, "map_diff."+name+"()")
	}
	out := newSet(nil)
	added := name == "addedKeys" || name == "affectedKeys"
	changed := name == "changedKeys" || name == "affectedKeys"
	removed := name == "removedKeys" || name == "affectedKeys"
	unchanged := name == "unchangedKeys"
	for _, k := range sortedKeys(d.a) {
		bv, inB := d.b[k]
		switch {
		case !inB:
			if added {
				out.add(stringV(k))
			}
		case diffEqual(d.a[k], bv):
			if unchanged {
				out.add(stringV(k))
			}
		default:
			if changed {
				out.add(stringV(k))
			}
		}
	}
	if removed {
		for _, k := range sortedKeys(d.b) {
			if _, inA := d.a[k]; !inA {
				out.add(stringV(k))
			}
		}
	}
	return out
}

// diffEqual is map_diff's equality: equalKey's, with a shortcut for the
// common scalar case.
func diffEqual(a, b Value) bool {
	switch x := a.(type) {
	case stringV:
		y, ok := b.(stringV)
		return ok && x == y
	case boolV:
		y, ok := b.(boolV)
		return ok && x == y
	case intV:
		if y, ok := b.(intV); ok {
			return x == y
		}
	}
	return equalKey(a) == equalKey(b)
}

// pathMethod implements path.bind(map): every segment written "{name}"
// whose name the map binds is replaced by the bound string (or int), and
// the bindings become readable as p[name] / p.name.
func pathMethod(p *pathV, name string, args []Value) Value {
	if name != "bind" {
		return errFuncNotFound(name)
	}
	var m mapV
	if len(args) == 1 {
		m, _ = asMapV(args[0])
	}
	if m == nil {
		return errArgs("path.bind", args, "path.bind(map)")
	}
	out := &pathV{segs: make([]string, len(p.segs)), binds: make(map[string]Value, len(p.binds)+len(m))}
	for k, v := range p.binds {
		out.binds[k] = v
	}
	for k, v := range m {
		out.binds[k] = v
	}
	for i, seg := range p.segs {
		out.segs[i] = seg
		if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' {
			continue
		}
		v, ok := m[seg[1:len(seg)-1]]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case stringV:
			if v == "" || containsSlash(string(v)) {
				return errorf("Invalid path segment %q: a bound value must be one non-empty segment.", string(v))
			}
			out.segs[i] = string(v)
		case intV:
			out.segs[i] = strconv.FormatInt(int64(v), 10)
		default:
			return errorf("Unsupported operation error. Received: path.bind() value of type %s. Expected: string.", v.typeName())
		}
	}
	return out
}

func containsSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return true
		}
	}
	return false
}
