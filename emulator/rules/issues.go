package rules

import (
	"fmt"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// This file collects the problems a compile finds (errors, and the
// warnings of check.go) and turns them into the sorted lists callers see.
// A hostile ruleset can hold a problem every few bytes, so each list is
// cut to its first maxIssues entries by position, followed by one entry
// without a position saying how many were left out, and each entry
// carries a bounded excerpt of its line (parser.LineIndex): compiling
// and reporting stay linear in the size of the source.

// maxIssues is how many errors, and how many warnings, one compile
// reports at most.
const maxIssues = 100

// issueList gathers problems as they are found.
type issueList struct {
	items parser.ErrorList // without source excerpts until list
	// uncounted counts problems found but not recorded (findCycles stops
	// recording past its limit).
	uncounted int
}

// add records a problem at pos.
func (l *issueList) add(pos ast.Pos, format string, args ...any) {
	l.items = append(l.items, &parser.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// len is the number of problems found, recorded or not.
func (l *issueList) len() int { return len(l.items) + l.uncounted }

// list returns the problems sorted by position, at most maxIssues of
// them with their source excerpts, then, when some were left out, an
// entry without a position such as "... and 12 more warnings" (noun is
// "warning" or "error"). It is nil when no problem was found.
func (l *issueList) list(name string, lines *parser.LineIndex, noun string) parser.ErrorList {
	if l.len() == 0 {
		return nil
	}
	l.items.Sort()
	kept := l.items[:min(len(l.items), maxIssues)]
	out := make(parser.ErrorList, len(kept), len(kept)+1)
	for i, e := range kept {
		e.Filename = name
		e.Line, e.LineCol = lines.Excerpt(e.Pos)
		out[i] = e
	}
	if more := l.len() - len(kept); more > 0 {
		if more != 1 {
			noun += "s"
		}
		out = append(out, &parser.Error{Filename: name, Msg: fmt.Sprintf("... and %d more %s", more, noun)})
	}
	return out
}
