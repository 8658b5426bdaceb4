// Package scripts holds the repository's shell scripts; its tests run
// them (there is no Go code here to import).
package scripts
