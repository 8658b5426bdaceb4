package api

import (
	"context"
	"strings"
)

// contextT shortens check signatures in tests.
type contextT = context.Context

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
