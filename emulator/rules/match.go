package rules

import (
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// This file matches request paths against the nested match patterns
// (match blocks, path patterns and their variables).
//
// Paths are matched as given, segment by segment: a captured segment is
// bound exactly as it appears in the request path, with no URL decoding.
// Decoding would let two different document IDs ("a%2Fb" and a decoded
// "a/b") compare equal to the same wildcard value, and the emulator already
// receives raw document IDs from the protocol, so the raw form is both the
// faithful and the safer choice.

// Sentinel path segments used when deciding queries. Real segments never
// contain "/", so these can never collide with a document ID or a literal
// pattern segment.
const (
	// segUnknownID stands for the ID of any document a query may return.
	// Only a wildcard can match it, and the wildcard's value is unknown.
	segUnknownID = "/?"
	// segAnyParents stands for the parent path of a collection-group
	// query: any run of segments. Only a recursive wildcard can absorb it,
	// which is what makes the match hold for every possible parent.
	segAnyParents = "/*"
)

// binding is one captured variable of a successful match.
type binding struct {
	name      string
	level     int      // depth of the match block that declared the variable
	segs      []string // captured segments (a sub-slice of the request path)
	recursive bool     // {x=**}: bound as a path; otherwise a string
}

// known reports whether the captured value contains no query sentinel.
func (b binding) known() bool {
	for _, s := range b.segs {
		if s == segUnknownID || s == segAnyParents {
			return false
		}
	}
	return true
}

// text renders the captured segments the way the variable sees them: the
// segment itself for {x}, the "/"-joined run for {x=**}.
func (b binding) text() string {
	if len(b.segs) == 1 {
		return b.segs[0]
	}
	return strings.Join(b.segs, "/")
}

// matchNode is one compiled match block.
type matchNode struct {
	decl     *ast.Match
	parent   *matchNode
	level    int // 0 for a top-level match in the service
	children []*matchNode
	allows   []*allowRule
	funcs    []*ast.Function
	// funcIndex finds the block's functions by name (the first of a name
	// wins); nil when the block declares none.
	funcIndex map[string]*ast.Function
	pattern   string // the block's own pattern, as written
}

// applicable is a match block whose full pattern matched the whole path,
// with the variables captured along the way (outermost first).
type applicable struct {
	node     *matchNode
	bindings []binding
}

// splitPath splits "/a/b/c" into [a b c]. It reports false for an empty
// segment, a missing leading slash or a trailing slash.
func splitPath(p string) ([]string, bool) {
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return nil, false
	}
	segs := strings.Split(p[1:], "/")
	for _, s := range segs {
		if s == "" {
			return nil, false
		}
	}
	return segs, true
}

// splitPathInto is splitPath appending the segments to dst, so that a
// caller with room for them allocates nothing.
func splitPathInto(dst []string, p string) ([]string, bool) {
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return nil, false
	}
	segs := dst
	for rest := p[1:]; ; {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			segs = append(segs, rest)
			break
		}
		segs = append(segs, rest[:i])
		rest = rest[i+1:]
	}
	for _, s := range segs[len(dst):] {
		if s == "" {
			return nil, false
		}
	}
	return segs, true
}

// matcher walks the match tree for one path.
type matcher struct {
	path    []string
	version int
	// stack holds the captures of the blocks being matched: the parser
	// allows at most parser.MaxCaptures along a chain; deeper ones, which
	// only a hand-built tree could have, spill into a heap slice.
	stack [parser.MaxCaptures]binding
	spill []binding
	depth int
	out   []applicable
	binds []binding // room for the bindings of out
	// multi is set once a recursive wildcard was tried: from then on a
	// block may be reached more than once at one position (see walk).
	multi  bool
	walked map[walkKey]bool
}

// reported tells whether n is already in the result (a linear scan: the
// list holds a handful of blocks).
func (m *matcher) reported(n *matchNode) bool {
	for _, a := range m.out {
		if a.node == n {
			return true
		}
	}
	return false
}

// findApplicable returns every match block whose full pattern matches the
// whole path, in tree order. A block is reported at most once even when
// its pattern could match in more than one way (several recursive
// wildcards); the first way found, with the shortest leftmost runs, wins.
func findApplicable(roots []*matchNode, path []string, version int) []applicable {
	return findApplicableIn(roots, path, version, nil, nil)
}

// findApplicableIn is findApplicable appending to apps[:0] and taking the
// captured bindings from binds while it has room, so that a caller with
// buffers for them allocates nothing.
func findApplicableIn(roots []*matchNode, path []string, version int, apps []applicable, binds []binding) []applicable {
	m := matcher{path: path, version: version, out: apps[:0], binds: binds[:0]}
	for _, r := range roots {
		m.walk(r, 0)
	}
	return m.out
}

// walk matches block n starting at path[pos]. With recursive wildcards a
// block can be reached at the same position along several ways; the
// first way already reported everything below it (a block is reported
// once), so later ones are skipped. That keeps nested recursive wildcards
// from exploring exponentially many splits of a long path.
func (m *matcher) walk(n *matchNode, pos int) {
	if m.multi {
		k := walkKey{n, pos}
		if m.walked[k] {
			return
		}
		if m.walked == nil {
			m.walked = make(map[walkKey]bool)
		}
		m.walked[k] = true
	}
	m.matchSegs(n, n.decl.Pattern.Segments, 0, pos)
}

// push adds a capture of the block being matched; m.depth-- pops it.
func (m *matcher) push(b binding) {
	if m.depth < len(m.stack) {
		m.stack[m.depth] = b
	} else {
		m.spill = append(m.spill[:m.depth-len(m.stack)], b)
	}
	m.depth++
}

type walkKey struct {
	n   *matchNode
	pos int
}

// matchSegs matches the block's own segments segs[i:] against path[pos:],
// then reports the block and descends into its children.
func (m *matcher) matchSegs(n *matchNode, segs []*ast.Segment, i, pos int) {
	if i == len(segs) {
		m.complete(n, pos)
		return
	}
	seg := segs[i]
	switch seg.Kind {
	case ast.SegLiteral:
		if pos < len(m.path) && m.path[pos] == seg.Text {
			m.matchSegs(n, segs, i+1, pos+1)
		}
	case ast.SegWildcard:
		if pos < len(m.path) && m.path[pos] != segAnyParents {
			m.push(binding{name: seg.Text, level: n.level, segs: m.path[pos : pos+1]})
			m.matchSegs(n, segs, i+1, pos+1)
			m.depth--
		}
	case ast.SegRecursive:
		// v1: one or more segments; v2: zero or more (table 1.3).
		m.multi = true
		min := 1
		if m.version >= 2 {
			min = 0
		}
		for k := min; pos+k <= len(m.path); k++ {
			m.push(binding{name: seg.Text, level: n.level, segs: m.path[pos : pos+k], recursive: true})
			m.matchSegs(n, segs, i+1, pos+k)
			m.depth--
		}
	}
}

// complete is called when the block's own pattern ended at pos: rules of
// the block apply only on a complete match of the whole path (1.2), and
// children continue from pos.
func (m *matcher) complete(n *matchNode, pos int) {
	if pos == len(m.path) && len(n.allows) > 0 && !m.reported(n) {
		var b []binding
		if n := len(m.binds); cap(m.binds)-n >= m.depth {
			b = m.binds[n : n+m.depth : n+m.depth]
			m.binds = m.binds[:n+m.depth]
		} else {
			b = make([]binding, m.depth)
		}
		k := copy(b, m.stack[:min(m.depth, len(m.stack))])
		copy(b[k:], m.spill)
		m.out = append(m.out, applicable{node: n, bindings: b})
	}
	for _, c := range n.children {
		m.walk(c, pos)
	}
}
