package rules

// This file implements timestamps and durations: construction with range
// checks, arithmetic, and their methods.

import (
	"time"
)

const (
	minTimestampSec = -62135596800 // 0001-01-01T00:00:00Z
	maxTimestampSec = 253402300799 // 9999-12-31T23:59:59Z
	maxDurationSec  = 315576000000
	nanosPerSec     = 1_000_000_000
)

// makeTimestamp normalizes sec/nsec (nsec may be any int64) and checks the
// range.
func makeTimestamp(sec, nsec int64) Value {
	sec += nsec / nanosPerSec
	nsec %= nanosPerSec
	if nsec < 0 {
		nsec += nanosPerSec
		sec--
	}
	if sec < minTimestampSec || sec > maxTimestampSec {
		return errorf("Timestamp out of range error: timestamps must lie in 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z.")
	}
	return timestampV{sec: sec, nsec: int32(nsec)}
}

// time returns the timestamp as a UTC time.Time.
func (t timestampV) time() time.Time {
	return time.Unix(t.sec, int64(t.nsec)).UTC()
}
