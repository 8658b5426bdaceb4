package standalone

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Finding is one reference to something outside the repository.
type Finding struct {
	File string // slash-separated, relative to the repository root
	Line int
	Text string // what was found
	Why  string
}

func (f Finding) String() string { return fmt.Sprintf("%s:%d: %q: %s", f.File, f.Line, f.Text, f.Why) }

var (
	// mdName is a file name ending in .md, with an optional path.
	mdName = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)
	// url is a web address; names inside one are not repository files.
	url = regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^\s)>"'\x60]+`)
	// pointers are phrases that cite what a reader cannot see. The
	// section sign is written as an escape so this file does not match.
	pointers = []struct {
		re  *regexp.Regexp
		why string
	}{
		{regexp.MustCompile(`\x{00A7}\s?\d`), "cites a section of a document that is not in the repository"},
		{regexp.MustCompile(`(?i)\bissue\s+#?\d+`), "cites an issue tracker the repository does not have"},
		{regexp.MustCompile(`(?i)\bhabit\s+\d+`), "cites a style guide that is not in the repository"},
		{regexp.MustCompile(`(?i)\bbrief\b`), "cites instructions that are not in the repository"},
		// The team's notes on the rules language and the emulators'
		// protocols, named without their .md (the character classes keep
		// this line from matching itself).
		{regexp.MustCompile(`(?i)\b(rules-languag[e]|emulator-protocol[s])\b`), "names a document that is not in the repository"},
	}
)

// Check looks at files (path -> content; paths slash-separated and
// relative to the root) and reports every reference to a document outside
// them. exists reports whether a cleaned slash path is a file or folder of
// the repository.
func Check(files map[string][]byte, exists func(string) bool) []Finding {
	bases := map[string]bool{}
	for p := range files {
		bases[path.Base(p)] = true
	}
	var out []Finding
	for p, content := range files {
		for i, line := range strings.Split(string(content), "\n") {
			bare := url.ReplaceAllString(line, "")
			for _, name := range mdName.FindAllString(bare, -1) {
				if !resolves(p, name, exists, bases) {
					out = append(out, Finding{File: p, Line: i + 1, Text: name, Why: "names a document that is not in the repository"})
				}
			}
			for _, ptr := range pointers {
				if m := ptr.re.FindString(bare); m != "" {
					out = append(out, Finding{File: p, Line: i + 1, Text: m, Why: ptr.why})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// resolves reports whether name, mentioned in file, is a repository file.
func resolves(file, name string, exists func(string) bool, bases map[string]bool) bool {
	orig := strings.TrimLeft(name, "/") // "/README.md": from the root
	for _, cand := range []string{path.Join(path.Dir(file), orig), path.Clean(orig)} {
		if exists(cand) {
			return true
		}
	}
	// A bare name ("FIDELITY.md") may mean the file of that name in
	// another folder; a name with a folder must resolve as written.
	return !strings.Contains(orig, "/") && bases[orig]
}

// Load returns the files git tracks below root (content included) and an
// exists function over them. Binary files (a NUL byte) are skipped.
func Load(root string) (map[string][]byte, func(string) bool, error) {
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("git ls-files: %v: %s", err, stderr.Bytes())
	}
	files := map[string][]byte{}
	known := map[string]bool{}
	for _, p := range strings.Split(string(raw), "\x00") {
		if p == "" {
			continue
		}
		for d := p; d != "." && d != "/"; d = path.Dir(d) {
			known[d] = true
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			// Tracked but deleted in the working tree.
			continue
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue
		}
		files[p] = b
	}
	return files, func(p string) bool { return known[p] }, nil
}
