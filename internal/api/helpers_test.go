package api

import "context"

// contextT shortens check signatures in tests.
type contextT = context.Context
