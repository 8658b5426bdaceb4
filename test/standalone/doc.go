// Package standalone checks that the repository stands alone: no tracked
// file points a reader at a document that is not in the repository.
//
// Check reports, for each file:
//   - a name ending in .md that resolves to no file of the repository
//     (relative to the file's folder, to the repository's root, or, for a
//     bare name, to any folder); names inside URLs are left alone;
//   - a section sign followed by a number (a citation of sections of some
//     other document), "issue N", "habit N", "brief", and the names of the
//     team's notes on the rules language and the emulator protocols, which
//     point at a tracker, a style guide, instructions or notes a reader of
//     the repository does not have.
//
// Load lists the files git tracks; the test runs Check on the repository
// and on synthetic files, so each rule is seen to fail.
package standalone
