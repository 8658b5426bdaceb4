package firestore

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/encoding/protojson"
)

// Export and import of documents, in the emulator's own JSON format
// (INTERNALS.md, "Export format"): Google's emulator writes a managed
// export (LevelDB log files) that we do not reproduce.

// exportFile is the file name inside the export folder.
const exportFile = "roomgate-documents.json"

// exportFormat identifies the file's format.
const exportFormat = "roomgate-firestore-documents/v1"

type exportDoc struct {
	Format     string            `json:"format"`
	Database   string            `json:"database"`
	ExportTime time.Time         `json:"exportTime"`
	Documents  []json.RawMessage `json:"documents"` // protojson of firestorepb.Document
}

// exportDatabase writes every document of database to dir/exportFile.
func (s *server) exportDatabase(database, dir string) (int, error) {
	at := s.st.readTime()
	docs, err := s.st.documentsUnder(database+"/documents", at)
	if err != nil {
		return 0, err
	}
	out := exportDoc{Format: exportFormat, Database: database, ExportTime: at, Documents: make([]json.RawMessage, 0, len(docs))}
	for _, d := range docs {
		b, err := protojson.Marshal(d)
		if err != nil {
			return 0, err
		}
		out.Documents = append(out.Documents, b)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return 0, err
	}
	tmp := filepath.Join(dir, exportFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return 0, err
	}
	return len(docs), os.Rename(tmp, filepath.Join(dir, exportFile))
}

// postExport handles POST …/projects/{p}:export with the Firebase CLI's
// body {database, export_directory, export_name}. The documents land in
// export_directory/export_name/roomgate-documents.json.
func (s *server) postExport(w http.ResponseWriter, r *http.Request, project string) {
	var body struct {
		Database        string `json:"database"`
		ExportDirectory string `json:"export_directory"`
		ExportName      string `json:"export_name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "request body is not valid JSON: "+err.Error())
		return
	}
	db := body.Database
	if db == "" {
		db = "projects/" + project + "/databases/(default)"
	}
	if p, _, err := parseDatabase(db); err != nil || p != project {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("database %q is not a database of project %s", db, project))
		return
	}
	name := body.ExportName
	if name == "" {
		name = "firestore_export"
	}
	if !filepath.IsAbs(body.ExportDirectory) || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		writeError(w, http.StatusBadRequest, "export_directory must be an absolute path and export_name a single folder name")
		return
	}
	dir := filepath.Join(body.ExportDirectory, name)
	n, err := s.exportDatabase(db, dir)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "export failed: "+err.Error())
		return
	}
	s.logf("exported %d documents of %s to %s", n, db, dir)
	writeJSON(w, http.StatusOK, map[string]any{"path": filepath.Join(dir, exportFile), "documents": n})
}

// ExportDocuments writes every document of project's (default) database
// to dir/roomgate-documents.json.
func (srv *Server) ExportDocuments(project, dir string) error {
	_, err := srv.s.exportDatabase("projects/"+project+"/databases/(default)", dir)
	return err
}

// ImportDocuments loads documents exported by ExportDocuments or the
// :export endpoint. dir is the export folder or its parent (holding
// firestore_export/). Documents keep their create and update times;
// existing documents with the same names are replaced.
func (srv *Server) ImportDocuments(dir string) error {
	path := filepath.Join(dir, exportFile)
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(dir, "firestore_export", exportFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var in exportDoc
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	if in.Format != exportFormat {
		return fmt.Errorf("import %s: format %q, want %q", path, in.Format, exportFormat)
	}
	docs := make([]*firestorepb.Document, 0, len(in.Documents))
	for i, raw := range in.Documents {
		d := &firestorepb.Document{}
		if err := protojson.Unmarshal(raw, d); err != nil {
			return fmt.Errorf("import %s: document %d: %w", path, i, err)
		}
		if _, err := parseDocName(d.Name); err != nil {
			return fmt.Errorf("import %s: document %d: %w", path, i, err)
		}
		if err := validateFields(d.Fields, 0); err != nil {
			return fmt.Errorf("import %s: %s: %w", path, d.Name, err)
		}
		if d.CreateTime == nil || d.UpdateTime == nil {
			return fmt.Errorf("import %s: %s lacks create_time or update_time", path, d.Name)
		}
		srv.s.st.clock.advancePast(d.UpdateTime.AsTime())
		docs = append(docs, d)
	}
	_, err = srv.s.st.commit(func(x *stx) error {
		for _, d := range docs {
			x.put(d.Name, d)
		}
		return nil
	})
	return err
}
