package emuclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// httpClient bounds every REST call; a test's context may bound it more.
var httpClient = &http.Client{Timeout: 60 * time.Second}

// restCall sends one request to an emulator's REST surface, with the
// owner's bearer when owner is set (the emulator-only endpoints; a client
// call must go without, as the Auth emulator treats a bearer on its
// client endpoints as an admin call), and decodes a JSON answer into out (when not nil). body
// is JSON-encoded unless it is url.Values, which is sent as a form.
func restCall(ctx context.Context, owner bool, method, u string, body, out any) error {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if owner {
		req.Header.Set("Authorization", "Bearer "+OwnerToken)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// retried runs an idempotent REST step up to five times. Google's
// emulator now and then answers 499 CANCELLED (or 500) to a delete while
// a listener of the previous test is being torn down.
func retried(ctx context.Context, step func() error) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		if err = step(); err == nil {
			return nil
		}
	}
	return err
}

// LoadRules installs src as projectID's Firestore rules on the emulator
// at addr (PUT /emulator/v1/projects/P:securityRules, under the file name
// firestore.rules). A compile error is returned with the emulator's
// message. New rules start with zero coverage.
func LoadRules(ctx context.Context, addr, projectID, src string) error {
	body := map[string]any{"rules": map[string]any{"files": []map[string]string{{"name": "firestore.rules", "content": src}}}}
	return restCall(ctx, true, http.MethodPut, "http://"+addr+"/emulator/v1/projects/"+projectID+":securityRules", body, nil)
}

// ClearDocuments deletes every document of projectID's default database
// on the Firestore emulator at addr, retrying a failed attempt.
func ClearDocuments(ctx context.Context, addr, projectID string) error {
	return retried(ctx, func() error {
		return restCall(ctx, true, http.MethodDelete, "http://"+addr+"/emulator/v1/projects/"+projectID+"/databases/(default)/documents", nil, nil)
	})
}

// ClearAccounts deletes every account of projectID on the Auth emulator
// at authAddr, retrying a failed attempt.
func ClearAccounts(ctx context.Context, authAddr, projectID string) error {
	return retried(ctx, func() error {
		return restCall(ctx, true, http.MethodDelete, "http://"+authAddr+"/emulator/v1/projects/"+projectID+"/accounts", nil, nil)
	})
}

// Call sends one request to an emulator-only REST endpoint (rawURL is
// absolute, e.g. http://127.0.0.1:8080/emulator/v1/projects/P:ruleCoverage)
// as the owner, JSON-encoding body (when not nil) and decoding a JSON
// answer into out (when not nil). An answer other than 2xx is an error
// carrying the emulator's message.
func Call(ctx context.Context, method, rawURL string, body, out any) error {
	return restCall(ctx, true, method, rawURL, body, out)
}
