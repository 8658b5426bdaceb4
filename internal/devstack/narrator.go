package devstack

// narrator.go prints the demo's steps as they happen.

import (
	"fmt"
	"io"
	"time"
)

// narrator prints the steps as they happen.
type narrator struct {
	w     io.Writer
	start time.Time
	step  int
}

// begin prints a numbered step heading with the time since the start.
func (n *narrator) begin(format string, args ...any) {
	n.step++
	fmt.Fprintf(n.w, "\n[%d] %s  (t=%s)\n", n.step, fmt.Sprintf(format, args...), ms(time.Since(n.start)))
}

// detail prints an indented line under the current step.
func (n *narrator) detail(format string, args ...any) {
	fmt.Fprintf(n.w, "    "+format+"\n", args...)
}

// say prints a line as is.
func (n *narrator) say(format string, args ...any) {
	fmt.Fprintf(n.w, format+"\n", args...)
}

// ms formats d in milliseconds with two decimals: the scale of the
// latencies shown.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
