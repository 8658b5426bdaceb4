package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Export and import use the directory layout of `firebase emulators:export`:
// firebase-export-metadata.json at the root
// and auth_export/ with accounts.json and config.json, byte-compatible with
// Google's CLI. Google's Firestore export is a LevelDB managed export that
// we do not reproduce, so Firestore documents go to
// firestore_export/roomgate-documents.json and are recorded under a private
// "roomgate" metadata key: Google's CLI then imports the auth data and
// ignores the documents instead of failing on a format it cannot read.

// MetadataFile is the name of the export's root metadata file.
const MetadataFile = "firebase-export-metadata.json"

const (
	authExportDir      = "auth_export"
	firestoreExportDir = "firestore_export"
	documentsFile      = "roomgate-documents.json" // written by emulator/firestore
	// exportVersion stands in for the CLI and emulator versions Google
	// writes; tools only echo them.
	exportVersion = "roomgate-1"
)

// exportMetadata is firebase-export-metadata.json.
type exportMetadata struct {
	Version   string            `json:"version"`
	Auth      *metadataEntry    `json:"auth,omitempty"`
	Firestore *metadataEntry    `json:"firestore,omitempty"` // read only: Google's exports
	Roomgate  *roomgateMetadata `json:"roomgate,omitempty"`
}

type metadataEntry struct {
	Version      string `json:"version"`
	Path         string `json:"path"`
	MetadataFile string `json:"metadata_file,omitempty"`
}

type roomgateMetadata struct {
	Firestore *metadataEntry `json:"firestore,omitempty"`
}

// Export writes the project's Auth accounts and config and its Firestore
// documents under dir (created if needed), replacing an earlier export.
// An emulator left out (Options.NoAuth, NoFirestore) is not exported.
func (e *Emulators) Export(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("embedded: export: %w", err)
	}
	md := exportMetadata{Version: exportVersion}
	if e.Auth != nil {
		if err := e.Auth.ExportDir(dir, e.ProjectID); err != nil {
			return fmt.Errorf("embedded: export auth: %w", err)
		}
		md.Auth = &metadataEntry{Version: exportVersion, Path: authExportDir}
	}
	if e.Firestore != nil {
		if err := e.Firestore.ExportDocuments(e.ProjectID, filepath.Join(dir, firestoreExportDir)); err != nil {
			return fmt.Errorf("embedded: export firestore: %w", err)
		}
		md.Roomgate = &roomgateMetadata{Firestore: &metadataEntry{
			Version: exportVersion, Path: firestoreExportDir, MetadataFile: firestoreExportDir + "/" + documentsFile,
		}}
	}
	b, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return err
	}
	// The metadata goes last: a directory with it is a complete export.
	if err := os.WriteFile(filepath.Join(dir, MetadataFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("embedded: export: %w", err)
	}
	return nil
}

// Import loads an export made by Export, or the auth part of one made by
// `firebase emulators:export`, into the project. Auth accounts whose uid
// already exists are reported as errors, as the CLI's batchCreate replay
// does. Firestore documents must have been exported from the same project:
// document names carry their project, and moving them silently would make
// them invisible. The part for an emulator left out is skipped, as the
// CLI's --only skips it.
func (e *Emulators) Import(dir string) error {
	var md exportMetadata
	b, err := os.ReadFile(filepath.Join(dir, MetadataFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		// Like the CLI: without metadata, look for the usual folders.
	case err != nil:
		return fmt.Errorf("embedded: import: %w", err)
	default:
		if err := json.Unmarshal(b, &md); err != nil {
			return fmt.Errorf("embedded: import: %s: %w", MetadataFile, err)
		}
	}
	if md.Auth != nil && md.Auth.Path != authExportDir {
		return fmt.Errorf("embedded: import: auth path %q is not supported (want %q)", md.Auth.Path, authExportDir)
	}
	if e.Auth != nil && (md.Auth != nil || isDir(filepath.Join(dir, authExportDir))) {
		if err := e.Auth.ImportDir(dir, e.ProjectID); err != nil {
			return fmt.Errorf("embedded: import auth: %w", err)
		}
	}
	if e.Firestore == nil {
		return nil
	}
	docs := filepath.Join(dir, firestoreExportDir, documentsFile)
	if _, err := os.Stat(docs); err == nil {
		if err := checkExportProject(docs, e.ProjectID); err != nil {
			return err
		}
		if err := e.Firestore.ImportDocuments(filepath.Join(dir, firestoreExportDir)); err != nil {
			return fmt.Errorf("embedded: import firestore: %w", err)
		}
	} else if md.Firestore != nil {
		return errors.New("embedded: import: this export holds Firestore data in Google's managed-export (LevelDB) format, which roomgate cannot read; export it again with roomgate-emulator, or import auth only by removing the \"firestore\" key")
	}
	return nil
}

// checkExportProject checks that the documents file belongs to project.
func checkExportProject(path, project string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("embedded: import: %w", err)
	}
	var head struct {
		Database string `json:"database"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("embedded: import: %s: %w", path, err)
	}
	if want := "projects/" + project + "/databases/(default)"; head.Database != want {
		return fmt.Errorf("embedded: import: %s holds documents of %q, not of %q; start with --project matching the export", path, head.Database, want)
	}
	return nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
