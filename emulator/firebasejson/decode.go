package firebasejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// file is the part of firebase.json read, after decoding.
type file struct {
	// Rules is the rules path of the default database, as written.
	Rules     string
	Emulators struct {
		Firestore *emulator `json:"firestore"`
		Auth      *emulator `json:"auth"`
	}
}

// emulator is one entry of "emulators".
type emulator struct {
	Host string `json:"host"`
	// Port is a number, or a numeric string as the CLI accepts.
	Port json.RawMessage `json:"port"`
}

// database is one entry of "firestore".
type database struct {
	Database string `json:"database"`
	Rules    string `json:"rules"`
}

// decode decodes data. Every decoding pass reads the whole document, so
// the offsets of syntax and type errors are offsets in data and can be
// turned into a line and column.
func decode(data []byte) (file, error) {
	var f file
	var top struct {
		Firestore json.RawMessage `json:"firestore"`
		Emulators *struct {
			Firestore *emulator `json:"firestore"`
			Auth      *emulator `json:"auth"`
		} `json:"emulators"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return f, positioned(data, err)
	}
	if top.Emulators != nil {
		f.Emulators.Firestore, f.Emulators.Auth = top.Emulators.Firestore, top.Emulators.Auth
	}
	switch fs := bytes.TrimSpace(top.Firestore); {
	case len(fs) == 0 || string(fs) == "null":
	case fs[0] == '[':
		var v struct {
			Firestore []database `json:"firestore"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return f, positioned(data, err)
		}
		found := 0
		for _, d := range v.Firestore {
			if isDefault(d.Database) {
				f.Rules = d.Rules
				found++
			}
		}
		switch found {
		case 0:
			return f, errNoDefaultDatabase
		case 1:
		default:
			return f, errors.New(`firestore: more than one entry for the "(default)" database`)
		}
	default:
		var v struct {
			Firestore database `json:"firestore"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return f, positioned(data, err)
		}
		if !isDefault(v.Firestore.Database) {
			return f, fmt.Errorf("firestore: database %q: only the \"(default)\" database is emulated", v.Firestore.Database)
		}
		f.Rules = v.Firestore.Rules
	}
	return f, nil
}

// isDefault reports whether a "database" value names the default
// database; an entry without one is the default database's, as for the
// CLI.
func isDefault(name string) bool { return name == "" || name == "(default)" }

// positioned prefixes a syntax or type error with "line:col: ". For a
// syntax error that is the offending character (or just past the end of
// truncated input); for a type error, where the decoder stopped reading
// the value of the wrong type.
func positioned(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
		if off > 0 && !isEOF(se) {
			off-- // Offset counts the offending byte as read
		}
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err
	}
	line, col := lineCol(data, off)
	return fmt.Errorf("%d:%d: %w", line, col, err)
}

// lineCol converts a byte offset into data to a 1-based line and column
// (in bytes).
func lineCol(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for _, c := range data[:min(int(off), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// isEOF reports whether se is about input that ended too early.
func isEOF(se *json.SyntaxError) bool {
	return se.Error() == "unexpected end of JSON input"
}
