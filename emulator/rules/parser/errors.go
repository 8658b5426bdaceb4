package parser

import (
	"fmt"
	"sort"
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// maxErrors is how many errors a parse collects before it stops with a
// final "too many errors".
const maxErrors = 10

// Error is one positioned parse error.
type Error struct {
	Filename string
	Pos      ast.Pos
	Msg      string
	// Line is the text of the source line holding Pos, without the line
	// break; a line longer than MaxExcerpt is cut to a window around the
	// column, "..." marking each cut side (LineIndex.Excerpt).
	Line string
	// LineCol is the source column Line's first byte stands for when Line
	// is such a window (the "..." count as the columns just before it);
	// 0 when Line is the whole line.
	LineCol int
}

// Error renders "file:line:col: msg" (without the source snippet), or
// "file: msg" for an error without a position.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Filename)
	if e.Pos.IsValid() {
		if e.Filename != "" {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%d:%d", e.Pos.Line, e.Pos.Col)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Snippet renders the error followed by its source line and a caret under
// the column. Tabs in the line are kept so the caret lines up.
func (e *Error) Snippet() string {
	s := e.Error()
	if !e.Pos.IsValid() {
		return s
	}
	var caret strings.Builder
	col := 1
	if e.LineCol > 0 {
		col = e.LineCol
	}
	for _, r := range e.Line {
		if col >= e.Pos.Col {
			break
		}
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
		col += len(string(r))
	}
	caret.WriteByte('^')
	return s + "\n" + e.Line + "\n" + caret.String()
}

// ErrorList is the error a parse returns: every problem found, sorted by
// position. It implements sort.Interface.
type ErrorList []*Error

func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i], l[j]
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Pos.Offset != b.Pos.Offset {
		return a.Pos.Offset < b.Pos.Offset
	}
	return a.Msg < b.Msg
}

// Sort sorts the list by file and position.
func (l ErrorList) Sort() { sort.Stable(l) }

// Error renders every error with its source line and caret, separated by
// newlines.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Snippet()
	}
	return strings.Join(parts, "\n")
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
