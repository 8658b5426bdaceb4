package rules

// This file implements timestamps, durations and latlngs: construction with
// range checks, and their methods.

import (
	"math"
	"time"
)

const (
	minTimestampSec = -62135596800 // 0001-01-01T00:00:00Z
	maxTimestampSec = 253402300799 // 9999-12-31T23:59:59Z
	maxDurationSec  = 315576000000
	nanosPerSec     = 1_000_000_000

	// earthRadiusMeters is the mean radius used by latlng.distance(); the
	// reference does not name one, so this is S2's value [inf].
	earthRadiusMeters = 6371010.0
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

// makeDuration normalizes sec/nsec so both share a sign and checks the
// range (±315,576,000,000 s).
func makeDuration(sec, nsec int64) Value {
	sec += nsec / nanosPerSec
	nsec %= nanosPerSec
	switch {
	case sec > 0 && nsec < 0:
		sec--
		nsec += nanosPerSec
	case sec < 0 && nsec > 0:
		sec++
		nsec -= nanosPerSec
	}
	if sec > maxDurationSec || sec < -maxDurationSec {
		return errorf("Duration out of range error: durations must lie within ±%d seconds.", maxDurationSec)
	}
	return durationV{sec: sec, nsec: int32(nsec)}
}

// time returns the timestamp as a UTC time.Time.
func (t timestampV) time() time.Time {
	return time.Unix(t.sec, int64(t.nsec)).UTC()
}

func timestampMethod(t timestampV, name string, args []Value) Value {
	if len(args) != 0 {
		return errArgs("timestamp."+name, args, "timestamp."+name+"()")
	}
	tt := t.time()
	switch name {
	case "year":
		return intV(tt.Year())
	case "month":
		return intV(tt.Month())
	case "day":
		return intV(tt.Day())
	case "hours":
		return intV(tt.Hour())
	case "minutes":
		return intV(tt.Minute())
	case "seconds":
		return intV(tt.Second())
	case "nanos":
		return intV(t.nsec)
	case "dayOfWeek": // 1 = Monday .. 7 = Sunday
		return intV((int(tt.Weekday())+6)%7 + 1)
	case "dayOfYear":
		return intV(tt.YearDay())
	case "toMillis":
		return intV(t.sec*1000 + int64(t.nsec)/1_000_000)
	case "date":
		return timestampValue(time.Date(tt.Year(), tt.Month(), tt.Day(), 0, 0, 0, 0, time.UTC))
	case "time":
		since := int64(tt.Hour()*3600 + tt.Minute()*60 + tt.Second())
		return makeDuration(since, int64(t.nsec))
	}
	return errFuncNotFound(name)
}

func durationMethod(d durationV, name string, args []Value) Value {
	if len(args) != 0 {
		return errArgs("duration."+name, args, "duration."+name+"()")
	}
	switch name {
	case "seconds":
		return intV(d.sec)
	case "nanos":
		return intV(d.nsec)
	}
	return errFuncNotFound(name)
}

// durationUnitNanos maps duration.value() units that are shorter than a
// second to nanoseconds, and longer ones to seconds.
var (
	durationSubSecond = map[string]int64{"ms": 1_000_000, "ns": 1}
	durationSeconds   = map[string]int64{"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
)

// durationOf is duration.value(magnitude, unit).
func durationOf(args []Value) Value {
	const expected = "duration.value(int, string)"
	if len(args) != 2 {
		return errArgs("duration.value", args, expected)
	}
	mag, ok1 := args[0].(intV)
	unit, ok2 := args[1].(stringV)
	if !ok1 || !ok2 {
		return errArgs("duration.value", args, expected)
	}
	if per, ok := durationSeconds[string(unit)]; ok {
		sec, ok := mulInt(int64(mag), per)
		if !ok {
			return makeDuration(math.MaxInt64, 0) // out of range error
		}
		return makeDuration(sec, 0)
	}
	if per, ok := durationSubSecond[string(unit)]; ok {
		perSec := nanosPerSec / per
		return makeDuration(int64(mag)/perSec, (int64(mag)%perSec)*per)
	}
	return errorf("Invalid duration unit %q: expected one of w, d, h, m, s, ms, ns.", string(unit))
}

// intArgs returns args as int64s if there are exactly n of them and all
// are ints.
func intArgs(args []Value, n int) ([]int64, bool) {
	if len(args) != n {
		return nil, false
	}
	out := make([]int64, n)
	for i, a := range args {
		v, ok := a.(intV)
		if !ok {
			return nil, false
		}
		out[i] = int64(v)
	}
	return out, true
}

// durationTime is duration.time(hours, mins, secs, nanos).
func durationTime(args []Value) Value {
	const expected = "duration.time(int, int, int, int)"
	n, ok := intArgs(args, 4)
	if !ok {
		return errArgs("duration.time", args, expected)
	}
	h, ok1 := mulInt(n[0], 3600)
	m, ok2 := mulInt(n[1], 60)
	if !ok1 || !ok2 {
		return makeDuration(math.MaxInt64, 0)
	}
	sec, ok := addInt(h, m)
	if !ok {
		return makeDuration(math.MaxInt64, 0)
	}
	if sec, ok = addInt(sec, n[2]); !ok {
		return makeDuration(math.MaxInt64, 0)
	}
	sec, ok = addInt(sec, n[3]/nanosPerSec)
	if !ok {
		return makeDuration(math.MaxInt64, 0)
	}
	return makeDuration(sec, n[3]%nanosPerSec)
}

func addInt(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// timestampDate is timestamp.date(year, month, day); an impossible date
// (month 13, February 30) is an error rather than normalized.
func timestampDate(args []Value) Value {
	const expected = "timestamp.date(int, int, int)"
	n, ok := intArgs(args, 3)
	if !ok {
		return errArgs("timestamp.date", args, expected)
	}
	y, mo, d := n[0], n[1], n[2]
	if y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return errorf("Invalid date error: %d-%d-%d.", y, mo, d)
	}
	t := time.Date(int(y), time.Month(mo), int(d), 0, 0, 0, 0, time.UTC)
	if t.Day() != int(d) {
		return errorf("Invalid date error: %d-%d-%d.", y, mo, d)
	}
	return timestampValue(t)
}

// timestampOfMillis is timestamp.value(epochMillis).
func timestampOfMillis(args []Value) Value {
	if len(args) == 1 {
		if ms, ok := args[0].(intV); ok {
			sec := int64(ms) / 1000
			rem := int64(ms) % 1000
			return makeTimestamp(sec, rem*1_000_000)
		}
	}
	return errArgs("timestamp.value", args, "timestamp.value(int)")
}

// durationAbs is duration.abs(d).
func durationAbs(args []Value) Value {
	if len(args) == 1 {
		if d, ok := args[0].(durationV); ok {
			if d.sec < 0 || d.nsec < 0 {
				return durationV{sec: -d.sec, nsec: -d.nsec}
			}
			return d
		}
	}
	return errArgs("duration.abs", args, "duration.abs(duration)")
}

// latlngOf is latlng.value(lat, lng); ints are accepted as floats.
func latlngOf(args []Value) Value {
	const expected = "latlng.value(float, float)"
	if len(args) != 2 {
		return errArgs("latlng.value", args, expected)
	}
	lat, ok1 := asNumber(args[0])
	lng, ok2 := asNumber(args[1])
	if !ok1 || !ok2 {
		return errArgs("latlng.value", args, expected)
	}
	la, lo := lat.float(), lng.float()
	if !(la >= -90 && la <= 90) {
		return errorf("Latitude should be in [-90,90] range, was: %v.", la)
	}
	if !(lo >= -180 && lo <= 180) {
		return errorf("Longitude should be in [-180,180] range, was: %v.", lo)
	}
	return latlngV{lat: la, lng: lo}
}

func latlngMethod(p latlngV, name string, args []Value) Value {
	switch name {
	case "latitude", "longitude":
		if len(args) != 0 {
			return errArgs("latlng."+name, args, "latlng."+name+"()")
		}
		if name == "latitude" {
			return floatV(p.lat)
		}
		return floatV(p.lng)
	case "distance":
		if len(args) == 1 {
			if q, ok := args[0].(latlngV); ok {
				return floatV(haversine(p, q))
			}
		}
		return errArgs("latlng.distance", args, "latlng.distance(latlng)")
	}
	return errFuncNotFound(name)
}

// haversine is the great-circle distance in meters.
func haversine(p, q latlngV) float64 {
	rad := math.Pi / 180
	dLat := (q.lat - p.lat) * rad
	dLng := (q.lng - p.lng) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(p.lat*rad)*math.Cos(q.lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(a)))
}
