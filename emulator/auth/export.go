package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AccountsFile is auth_export/accounts.json: the body of
// accounts:batchGet?maxResults=-1, as the Firebase CLI writes it.
type AccountsFile struct {
	Kind  string        `json:"kind"`
	Users []*UserRecord `json:"users"`
}

// Export returns a copy of a project's accounts (ordered by localId) and
// config in the auth_export layout.
func (s *Server) Export(projectID string) (AccountsFile, ConfigFile) {
	s.s.st.mu.Lock()
	defer s.s.st.mu.Unlock()
	p := s.s.st.projectLocked(projectID)
	users := p.sortedUsers("")
	out := AccountsFile{Kind: "identitytoolkit#DownloadAccountResponse", Users: make([]*UserRecord, len(users))}
	for i, u := range users {
		out.Users[i] = u.clone()
	}
	return out, p.config
}

// Import loads accounts and config into a project the way `firebase
// emulators:start --import` replays them: the config replaces the project's,
// then the users go through accounts:batchCreate's checks (an existing uid
// is an error, not overwritten). Users that fail are reported together in
// the returned error; the others are stored.
func (s *Server) Import(projectID string, accounts AccountsFile, config ConfigFile) error {
	if err := checkProject(projectID); err != nil {
		return err
	}
	s.s.st.mu.Lock()
	defer s.s.st.mu.Unlock()
	p := s.s.st.projectLocked(projectID)
	p.config = config
	if len(accounts.Users) == 0 {
		return nil
	}
	var errs []error
	for start := 0; start < len(accounts.Users); start += 1000 {
		end := min(start+1000, len(accounts.Users))
		req := &batchCreateRequest{}
		for _, u := range accounts.Users[start:end] {
			if u == nil {
				return errors.New("auth: import: nil user record")
			}
			req.Users = append(req.Users, toImportUser(u))
		}
		failed, err := batchCreateLocked(p, req, s.s.now())
		if err != nil {
			return fmt.Errorf("auth: import: %w", err)
		}
		for _, f := range failed {
			errs = append(errs, fmt.Errorf("user %q: %s", req.Users[f.Index].LocalID, f.Message))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("auth: import: %w", errors.Join(errs...))
	}
	return nil
}

// toImportUser converts an exported record back into a batchCreate entry.
func toImportUser(u *UserRecord) importUser {
	created, login := flexString(u.CreatedAt), flexString(u.LastLoginAt)
	in := importUser{
		LocalID: u.LocalID, Email: u.Email, DisplayName: u.DisplayName, PhotoURL: u.PhotoURL,
		PhoneNumber: u.PhoneNumber, Disabled: u.Disabled, CustomAttributes: u.CustomAttributes,
		PasswordHash: u.PasswordHash, Salt: u.Salt, ProviderUserInfo: u.ProviderUserInfo,
		TenantID: u.TenantID,
	}
	if u.EmailVerified != nil {
		in.EmailVerified = *u.EmailVerified
	}
	if u.CreatedAt != "" {
		in.CreatedAt = &created
	}
	if u.LastLoginAt != "" {
		in.LastLoginAt = &login
	}
	return in
}

// exportDir is the auth part of an emulator export directory.
const exportDir = "auth_export"

// ExportDir writes a project's accounts and config as dir/auth_export/
// accounts.json and dir/auth_export/config.json, the files `firebase
// emulators:export dir` writes. dir is the export root (the directory that
// also holds firebase-export-metadata.json, which this package does not
// write: it describes every emulator, so the caller owns it).
func (s *Server) ExportDir(dir, projectID string) error {
	accounts, config := s.Export(projectID)
	out := filepath.Join(dir, exportDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(out, "accounts.json"), accounts); err != nil {
		return err
	}
	return writeJSONFile(filepath.Join(out, "config.json"), config)
}

// ImportDir reads dir/auth_export/accounts.json and config.json (as written
// by ExportDir or by the Firebase CLI) into a project. A missing file counts
// as empty; per-tenant files (accounts-<tenant>.json) are rejected because
// tenants are not supported.
func (s *Server) ImportDir(dir, projectID string) error {
	in := filepath.Join(dir, exportDir)
	entries, err := os.ReadDir(in)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "accounts-") && strings.HasSuffix(n, ".json") {
			return fmt.Errorf("auth: import: %s: tenants are not supported", n)
		}
	}
	var accounts AccountsFile
	var config ConfigFile
	if err := readJSONFile(filepath.Join(in, "accounts.json"), &accounts); err != nil {
		return err
	}
	if err := readJSONFile(filepath.Join(in, "config.json"), &config); err != nil {
		return err
	}
	return s.Import(projectID, accounts, config)
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// readJSONFile decodes path into v; a missing file leaves v as is.
func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("auth: import: %s: %w", filepath.Base(path), err)
	}
	return nil
}
