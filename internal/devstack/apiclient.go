package devstack

// apiclient.go calls the roomgate service over HTTP, as a client app does.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// apiClient calls the roomgate service.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 30 * time.Second}}
}

// apiError is a non-2xx answer: the status and the problem's stable code.
type apiError struct {
	Status int
	Code   string
	Detail string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// call sends body (nil for none) as JSON with token as the bearer and
// decodes a 2xx answer into out (nil to ignore it). A non-2xx answer is an
// *apiError. It returns the status.
func (c *apiClient) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("roomgate service: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		ae := &apiError{Status: resp.StatusCode}
		var p struct{ Code, Detail, Title string }
		if json.Unmarshal(b, &p) == nil {
			ae.Code, ae.Detail = p.Code, p.Detail
			if ae.Detail == "" {
				ae.Detail = p.Title
			}
		}
		return resp.StatusCode, ae
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("roomgate service: %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}
