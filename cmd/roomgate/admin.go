package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"

	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/config"
)

func init() {
	register(command{
		name:    "admin",
		summary: "administration with the service credentials: grant-role --uid X --role admin",
		run:     runAdmin,
	})
}

const adminUsage = "usage: roomgate admin grant-role --uid UID --role user|moderator|admin [service flags]"

func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stderr, adminUsage)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "grant-role" {
		fmt.Fprintln(stderr, adminUsage)
		return errors.New("unknown or missing admin action")
	}
	uid, role, rest, err := splitAdminFlags(args[1:])
	if err != nil {
		return err
	}
	// -h anywhere among the flags (not as a --uid or --role value) prints
	// the usage and the service flags, before the checks below can fail.
	if slices.ContainsFunc(rest, isHelp) {
		fmt.Fprintln(stderr, adminUsage+"\n\nservice flags:")
		_, err := config.Load([]string{"-h"}, func(string) string { return "" }, stderr)
		return err
	}
	if uid == "" || role == "" {
		return errors.New("--uid and --role are required")
	}
	cfg, err := config.Load(rest, os.Getenv, stderr)
	if err != nil {
		return err
	}
	actor := "unknown"
	if u, err := user.Current(); err == nil {
		actor = u.Username
	}
	res, err := app.GrantRole(ctx, cfg, uid, role, actor)
	if err != nil {
		return err
	}
	out, _ := json.Marshal(map[string]any{"uid": uid, "claims": res.Claims, "claimsVersion": res.Version})
	fmt.Fprintln(stdout, string(out))
	return nil
}

// isHelp reports whether a is a request for usage, as the flag package
// reads one.
func isHelp(a string) bool {
	return a == "-h" || a == "--h" || a == "-help" || a == "--help" || a == "help"
}

// splitAdminFlags takes --uid and --role (as "-uid X", "--uid=X", ...) out
// of args and leaves the rest, the service's configuration flags, for
// config.Load.
func splitAdminFlags(args []string) (uid, role string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if name == a { // not a flag
			rest = append(rest, a)
			continue
		}
		key, val, hasVal := strings.Cut(name, "=")
		if key != "uid" && key != "role" {
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", "", nil, fmt.Errorf("--%s needs a value", key)
			}
			i++
			val = args[i]
		}
		if key == "uid" {
			uid = val
		} else {
			role = val
		}
	}
	return uid, role, rest, nil
}
