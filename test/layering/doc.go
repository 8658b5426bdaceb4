// Package layering checks roomgate's import rules on the output of
// `go list -deps -json`:
//
//   - emulator/rules and its subpackages import only the standard library
//     and each other (test files included);
//   - no emulator/... package imports internal/... (test files included);
//   - no internal/... package imports emulator/... in its non-test files,
//     except internal/devstack, the developer wing;
//   - the production binary cmd/roomgate links no emulator/... package and
//     not the testing package.
//
// Check applies the rules to a list of packages; the test runs it on the
// module and on synthetic lists, so each rule is seen to fail.
package layering
