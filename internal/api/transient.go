package api

import (
	"context"
	"errors"
	"net"

	"firebase.google.com/go/v4/errorutils"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errBackendDown is the cancellation cause of requests cut short because
// a critical dependency was found unreachable while they ran.
var errBackendDown = errors.New("api: a backend is unreachable")

// isTransient reports whether err says a dependency was unreachable or
// overloaded rather than that the request was wrong: gRPC UNAVAILABLE or
// RESOURCE_EXHAUSTED, a DEADLINE_EXCEEDED that is not the request's own
// deadline (a backend's deadline ran out first), a Firebase Auth call that
// failed in transport, or a plain network error. These answer 503 with
// Retry-After, never 500.
func isTransient(ctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errBackendDown) || errors.Is(context.Cause(ctx), errBackendDown) {
		return true
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable, codes.ResourceExhausted:
			return true
		case codes.DeadlineExceeded:
			return ctx.Err() == nil
		}
	}
	// The Admin SDK's auth errors are matched by type assertion, so walk
	// the chain ourselves.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errorutils.IsUnavailable(e) || errorutils.IsDeadlineExceeded(e) && ctx.Err() == nil {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne)
}
