package auth

// createAuthUri for an email identifier: the JS SDK's
// fetchSignInMethodsForEmail. Starting an IdP redirect (providerId) is not
// modelled.

type createAuthURIRequest struct {
	Identifier  *string `json:"identifier"`
	ContinueURI *string `json:"continueUri"`
	ProviderID  *string `json:"providerId"`
	SessionID   *string `json:"sessionId"`
}

type createAuthURIResponse struct {
	Kind          string    `json:"kind"`
	Registered    *bool     `json:"registered,omitempty"`
	AllProviders  *[]string `json:"allProviders,omitempty"`
	SessionID     string    `json:"sessionId"`
	SigninMethods *[]string `json:"signinMethods,omitempty"`
}

// opCreateAuthURI reports whether an email is registered and how it can sign
// in: "password" (has a password), "emailLink" (signed in by link), and each
// linked IdP. With improved email privacy nothing is revealed.
func opCreateAuthURI(s *server, c *call) (any, error) {
	var req createAuthURIRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	sessionID := str(req.SessionID)
	if sessionID == "" {
		sessionID = randomID(27)
	} else if len(sessionID) > maxFieldLength || !printable(sessionID) {
		return nil, badRequest("INVALID_SESSION_ID")
	}
	if str(req.ProviderID) != "" {
		return nil, notImplemented("Sign-in with IDP is not yet supported.")
	}
	if str(req.Identifier) == "" {
		return nil, badRequest("MISSING_IDENTIFIER")
	}
	if str(req.ContinueURI) == "" {
		return nil, badRequest("MISSING_CONTINUE_URI")
	}
	if !validEmail(*req.Identifier) {
		return nil, badRequest("INVALID_IDENTIFIER")
	}
	if !validContinueURL(*req.ContinueURI) {
		return nil, badRequest("INVALID_CONTINUE_URI")
	}
	email := canonicalEmail(*req.Identifier)
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	resp := createAuthURIResponse{Kind: "identitytoolkit#CreateAuthUriResponse", SessionID: sessionID}
	if p.config.EmailPrivacyConfig.EnableImprovedEmailPrivacy {
		return resp, nil
	}
	registered := false
	all, methods := []string{}, []string{}
	u := p.userByEmail(email)
	if u == nil {
		u = p.userByProviderEmail(email)
	}
	if u != nil {
		registered = true
		for _, pi := range u.ProviderUserInfo {
			switch pi.ProviderID {
			case "password":
				all = append(all, "password")
				if u.PasswordHash != "" {
					methods = append(methods, "password")
				}
				if u.EmailLinkSignin {
					methods = append(methods, "emailLink")
				}
			case "phone":
			default:
				all = append(all, pi.ProviderID)
				methods = append(methods, pi.ProviderID)
			}
		}
	}
	resp.Registered, resp.AllProviders, resp.SigninMethods = &registered, &all, &methods
	return resp, nil
}

// userByProviderEmail finds a user with a linked identity of that email.
func (p *project) userByProviderEmail(email string) *UserRecord {
	for _, u := range p.users {
		for _, pi := range u.ProviderUserInfo {
			if canonicalEmail(pi.Email) == email {
				return u
			}
		}
	}
	return nil
}
