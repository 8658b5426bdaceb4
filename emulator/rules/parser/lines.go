package parser

import (
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file finds the source text shown under a positioned message. The
// line starts are found once per source, so each message costs time and
// memory bounded by the excerpt, not by the size of the source: a ruleset
// written on one long line with thousands of problems stays linear to
// compile and to report.

// MaxExcerpt is the longest source line an Error carries whole. A longer
// line (minified rules, hostile input) is cut to a window of about
// MaxExcerpt bytes around the column, marked with "..." on each side that
// was cut.
const MaxExcerpt = 512

// excerptBefore is how many bytes of a cut line are kept before the
// column; the rest of the window follows it.
const excerptBefore = 200

// ellipsis marks where an excerpt was cut.
const ellipsis = "..."

// LineIndex locates the lines of a source. Build it once per source with
// NewLineIndex; Excerpt then costs O(MaxExcerpt) per call.
type LineIndex struct {
	src    []byte
	starts []int // offset of the first byte of each line, in order
}

// NewLineIndex indexes the line starts of src in one pass.
func NewLineIndex(src []byte) *LineIndex {
	starts := make([]int, 1, 1+len(src)/32)
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &LineIndex{src: src, starts: starts}
}

// Excerpt returns the source text to show under a message at pos and the
// source column of its first byte (see Error.LineCol: 0 when the text is
// the whole line). The line is returned whole, without its line break,
// up to MaxExcerpt bytes; a longer one is cut around pos.Col. An invalid
// position, or one past the source, has no text.
func (x *LineIndex) Excerpt(pos ast.Pos) (text string, lineCol int) {
	if !pos.IsValid() || pos.Line > len(x.starts) {
		return "", 0
	}
	start := x.starts[pos.Line-1]
	end := len(x.src)
	if pos.Line < len(x.starts) {
		end = x.starts[pos.Line] - 1 // the '\n'
	}
	if end > start && x.src[end-1] == '\r' {
		end--
	}
	off := start + max(pos.Col, 1) - 1
	return excerpt(x.src, start, end, min(off, end))
}

// excerpt returns src[start:end] (one line) whole when it is short, else
// a window around off, with the column of the returned text's first byte
// (0 for the whole line).
func excerpt(src []byte, start, end, off int) (string, int) {
	if end-start <= MaxExcerpt {
		return string(src[start:end]), 0
	}
	ws := max(start, off-excerptBefore)
	we := min(end, ws+MaxExcerpt)
	ws = max(start, min(ws, we-MaxExcerpt))
	if ws-start <= len(ellipsis) {
		ws = start // not worth marking: keep the line's start
	}
	// Cut at rune boundaries so the excerpt stays valid text.
	for ws > start && ws < off && isContinuation(src[ws]) {
		ws++
	}
	for we < end && we > ws && isContinuation(src[we]) {
		we--
	}
	var b strings.Builder
	b.Grow(we - ws + 2*len(ellipsis))
	col := 0
	if ws > start {
		b.WriteString(ellipsis)
		// The dots stand in the columns just before the window.
		col = ws - start + 1 - len(ellipsis)
	}
	b.Write(src[ws:we])
	if we < end {
		b.WriteString(ellipsis)
	}
	return b.String(), col
}

// isContinuation reports whether c is a UTF-8 continuation byte.
func isContinuation(c byte) bool { return c&0xC0 == 0x80 }
