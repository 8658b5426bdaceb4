package auth

import (
	"errors"
	"fmt"
	"net/http"
)

// apiError is an error in the Auth emulator's wire format
// (`{"error":{"code","message","errors":[...],"status"?}}`).
// Handlers return it; the router writes it. The Admin SDK splits Message at
// the first ':' and maps the left part (USER_NOT_FOUND, EMAIL_EXISTS, ...) to
// its own error codes, so the message text is part of the contract.
type apiError struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors"`
	// Status is absent for the 400 "BadRequest" errors of Identity Toolkit and
	// set for the google.rpc style ones (INVALID_ARGUMENT, NOT_FOUND, ...).
	Status string `json:"status,omitempty"`
}

type errorItem struct {
	Message      string `json:"message"`
	Reason       string `json:"reason"`
	Domain       string `json:"domain,omitempty"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// badRequest is the emulator's assert(): HTTP 400 with "CODE[ : detail]".
func badRequest(message string) *apiError {
	return &apiError{
		Code:    http.StatusBadRequest,
		Message: message,
		Errors:  []errorItem{{Message: message, Reason: "invalid", Domain: "global"}},
	}
}

func badRequestf(format string, args ...any) *apiError {
	return badRequest(fmt.Sprintf(format, args...))
}

// invalidJSON reports a body that is not JSON or has a field of the wrong type.
func invalidJSON(detail string) *apiError {
	msg := "Invalid JSON payload received. " + detail
	return &apiError{
		Code:    http.StatusBadRequest,
		Message: msg,
		Errors:  []errorItem{{Message: msg, Reason: "parseError", Domain: "global"}},
		Status:  "INVALID_ARGUMENT",
	}
}

func notFound(message string) *apiError {
	return &apiError{
		Code:    http.StatusNotFound,
		Message: message,
		Errors:  []errorItem{{Message: message, Reason: "notFound"}},
		Status:  "NOT_FOUND",
	}
}

// notImplemented marks a real Identity Toolkit feature this emulator does not
// model. It fails loudly instead of answering something plausible.
func notImplemented(message string) *apiError {
	return &apiError{
		Code:    http.StatusNotImplemented,
		Message: message,
		Errors:  []errorItem{{Message: message, Reason: "unimplemented"}},
		Status:  "NOT_IMPLEMENTED",
	}
}

func permissionDenied(message string) *apiError {
	return &apiError{
		Code:    http.StatusForbidden,
		Message: message,
		Errors:  []errorItem{{Message: message, Reason: "forbidden", Domain: "global"}},
		Status:  "PERMISSION_DENIED",
	}
}

// unauthenticated is what the real emulator answers for a Bearer token that
// is neither "owner" nor a ya29. token, and for admin-only calls without one.
func unauthenticated(message, reason string) *apiError {
	return &apiError{
		Code:    http.StatusUnauthorized,
		Message: message,
		Errors: []errorItem{{
			Message: reason, Domain: "global", Reason: "required",
			Location: "Authorization", LocationType: "header",
		}},
		Status: "UNAUTHENTICATED",
	}
}

func tooLarge() *apiError {
	const msg = "Request payload size exceeds the limit."
	return &apiError{
		Code:    http.StatusRequestEntityTooLarge,
		Message: msg,
		Errors:  []errorItem{{Message: msg, Reason: "badRequest", Domain: "global"}},
		Status:  "INVALID_ARGUMENT",
	}
}

func internalError(message string) *apiError {
	return &apiError{
		Code:    http.StatusInternalServerError,
		Message: message,
		Errors:  []errorItem{{Message: message, Reason: "internal"}},
		Status:  "INTERNAL",
	}
}

// asAPIError converts any handler error into the wire format; errors that
// are not apiErrors are bugs and become 500 without leaking their text.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return internalError("INTERNAL_ERROR")
}
