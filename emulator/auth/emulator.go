package auth

import "net/http"

// Emulator-only endpoints below /emulator/v1/projects/{p}.
// They need no credentials, as in Google's emulator.
var emulatorOps = map[string]endpoint{
	http.MethodDelete + " /accounts":       {http.MethodDelete, opClearAccounts},
	http.MethodGet + " /config":            {http.MethodGet, opGetConfig},
	http.MethodPatch + " /config":          {http.MethodPatch, opPatchConfig},
	http.MethodGet + " /oobCodes":          {http.MethodGet, opListOobCodes},
	http.MethodGet + " /verificationCodes": {http.MethodGet, opListVerificationCodes},
}

// ConfigFile is a project's emulator config, the body of
// GET /emulator/v1/projects/{p}/config and of auth_export/config.json.
type ConfigFile struct {
	SignIn             SignInConfig       `json:"signIn"`
	EmailPrivacyConfig EmailPrivacyConfig `json:"emailPrivacyConfig"`
}

// SignInConfig is the signIn part of ConfigFile.
type SignInConfig struct {
	// AllowDuplicateEmails is stored and reported; like Google's emulator,
	// sign-up still refuses an email that is already taken.
	AllowDuplicateEmails bool `json:"allowDuplicateEmails"`
}

// EmailPrivacyConfig is the emailPrivacyConfig part of ConfigFile.
type EmailPrivacyConfig struct {
	// EnableImprovedEmailPrivacy makes password sign-in failures all
	// INVALID_LOGIN_CREDENTIALS.
	EnableImprovedEmailPrivacy bool `json:"enableImprovedEmailPrivacy"`
}

// configPatch is a PATCH body: only the fields present change.
type configPatch struct {
	SignIn *struct {
		AllowDuplicateEmails *bool `json:"allowDuplicateEmails"`
	} `json:"signIn"`
	EmailPrivacyConfig *struct {
		EnableImprovedEmailPrivacy *bool `json:"enableImprovedEmailPrivacy"`
	} `json:"emailPrivacyConfig"`
}

func opClearAccounts(s *server, c *call) (any, error) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.projectLocked(c.project).clear()
	return struct{}{}, nil
}

func opGetConfig(s *server, c *call) (any, error) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return s.st.projectLocked(c.project).config, nil
}

func opPatchConfig(s *server, c *call) (any, error) {
	var req configPatch
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	if req.SignIn != nil && req.SignIn.AllowDuplicateEmails != nil {
		p.config.SignIn.AllowDuplicateEmails = *req.SignIn.AllowDuplicateEmails
	}
	if req.EmailPrivacyConfig != nil && req.EmailPrivacyConfig.EnableImprovedEmailPrivacy != nil {
		p.config.EmailPrivacyConfig.EnableImprovedEmailPrivacy = *req.EmailPrivacyConfig.EnableImprovedEmailPrivacy
	}
	return p.config, nil
}
