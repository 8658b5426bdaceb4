package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/roomgate/roomgate/emulator/embedded"
)

// options are the flags shared by start and exec.
type options struct {
	configPath   string
	configGiven  bool
	project      string
	importDir    string
	exportOnExit optionalString
	ephemeral    bool
	only         string
	quiet        bool
	// noFirestore and noAuth are set from --only: an emulator not named
	// there is not started.
	noFirestore, noAuth bool
}

// optionalString is a flag that may be given bare (--export-on-exit) or
// with a value (--export-on-exit=DIR), like the CLI's.
type optionalString struct {
	set   bool
	value string
}

func (o *optionalString) String() string { return o.value }
func (o *optionalString) Set(v string) error {
	o.set = true
	if v != "true" {
		o.value = v
	}
	return nil
}
func (o *optionalString) IsBoolFlag() bool { return true }

// parseFlags parses the flags of start or exec and returns the remaining
// arguments (exec's command).
func parseFlags(name string, args []string, stderr io.Writer) (options, []string, error) {
	var o options
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if name == "exec" {
			fmt.Fprintln(stderr, "usage: roomgate-emulator exec [flags] -- COMMAND [ARG...]")
		} else {
			fmt.Fprintf(stderr, "usage: roomgate-emulator %s [flags]\n", name)
		}
		fs.PrintDefaults()
	}
	fs.StringVar(&o.configPath, "config", "firebase.json", "firebase.json to read")
	fs.StringVar(&o.project, "project", embedded.DefaultProjectID, "project ID (use a demo- project)")
	fs.StringVar(&o.importDir, "import", "", "load an export from `DIR` at start")
	fs.Var(&o.exportOnExit, "export-on-exit", "export at exit to `DIR` (default: the --import DIR)")
	fs.BoolVar(&o.ephemeral, "ephemeral-ports", false, "listen on free loopback ports instead of firebase.json's")
	fs.StringVar(&o.only, "only", "", "start only these emulators (comma-separated: auth, firestore; default both)")
	fs.BoolVar(&o.quiet, "quiet", false, "do not print the emulators' log lines")
	if err := fs.Parse(joinExportDir(args, name == "exec")); err != nil {
		return o, nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			o.configGiven = true
		}
	})
	if o.only != "" {
		o.noFirestore, o.noAuth = true, true
		for _, e := range strings.Split(o.only, ",") {
			switch strings.TrimSpace(e) {
			case "auth":
				o.noAuth = false
			case "firestore":
				o.noFirestore = false
			default:
				return o, nil, fmt.Errorf("--only %s: only the auth and firestore emulators exist here", strings.TrimSpace(e))
			}
		}
	}
	if o.exportOnExit.set && o.exportOnExit.value == "" {
		if o.importDir == "" {
			return o, nil, errors.New("--export-on-exit needs a directory when --import is not given")
		}
		o.exportOnExit.value = o.importDir
	}
	return o, fs.Args(), nil
}

// joinExportDir turns "--export-on-exit DIR" into "--export-on-exit=DIR",
// as the CLI accepts both. A following argument counts as DIR only if it
// is not a flag and, when the command takes a command line (exec), comes
// before "--": without "--" it is the command.
func joinExportDir(args []string, takesCommand bool) []string {
	out := make([]string, 0, len(args))
	dash := len(args)
	if takesCommand {
		dash = -1
	}
	for i, a := range args {
		if a == "--" {
			dash = i
			break
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--export-on-exit" || a == "-export-on-exit") && i+1 < dash && !strings.HasPrefix(args[i+1], "-") {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// startEmulators reads the configuration, starts the emulators --only
// names (both by default) and imports data if asked. Logs go to logger
// unless o.quiet. With the Firestore emulator left out, cfg.RulesPath is
// cleared: there is nothing to load the rules into or watch them for.
func startEmulators(o options, logger *log.Logger) (*embedded.Emulators, config, error) {
	cfg, err := loadConfig(o.configPath, o.configGiven)
	if err != nil {
		return nil, cfg, err
	}
	if cfg.Path == "" {
		logger.Printf("no %s found; using default ports", o.configPath)
	}
	if err := embedded.CheckProjectID(o.project); err != nil {
		return nil, cfg, err
	}
	if !embedded.IsDemoProject(o.project) {
		logger.Printf("WARNING: *** project %q is not a demo- project *** SDKs pointed at it may reach real "+
			"Firebase resources for anything not emulated here. Use --project demo-%s unless you mean it.", o.project, o.project)
	}
	if o.noFirestore {
		cfg.RulesPath = ""
	} else if cfg.RulesPath == "" {
		logger.Printf("WARNING: no Firestore rules file in %s (\"firestore\": {\"rules\": ...})", nonEmpty(cfg.Path, o.configPath))
	}
	fsAddr, authAddr := cfg.FirestoreAddr, cfg.AuthAddr
	if o.ephemeral {
		fsAddr, authAddr = withPortZero(fsAddr), withPortZero(authAddr)
	}
	eo := embedded.Options{
		ProjectID: o.project, RulesPath: cfg.RulesPath,
		FirestoreAddr: fsAddr, AuthAddr: authAddr,
		Logf:        func(string, ...any) {},
		NoFirestore: o.noFirestore, NoAuth: o.noAuth,
	}
	if !o.quiet {
		eo.Logf = logger.Printf
	}
	e, err := embedded.Start(eo)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w\n(another emulator may be running; stop it, change the ports in %s, or pass --ephemeral-ports)", err, nonEmpty(cfg.Path, o.configPath))
		}
		return nil, cfg, err
	}
	if o.importDir != "" {
		imported, err := importData(e, o)
		if err != nil {
			e.Close()
			return nil, cfg, err
		}
		if imported {
			logger.Printf("imported %s", o.importDir)
		} else {
			logger.Printf("nothing imported: %s does not exist yet (--export-on-exit creates it)", o.importDir)
		}
	}
	return e, cfg, nil
}

// importData imports o.importDir and reports whether it did. A missing
// directory is fine when it is also the export target: the first run of
// `--import d --export-on-exit` creates it.
func importData(e *embedded.Emulators, o options) (bool, error) {
	if _, err := os.Stat(o.importDir); errors.Is(err, os.ErrNotExist) && o.exportOnExit.value == o.importDir {
		return false, nil
	}
	return true, e.Import(o.importDir)
}

// exportData runs at exit when --export-on-exit was given.
func exportData(e *embedded.Emulators, o options, logger *log.Logger) error {
	if !o.exportOnExit.set {
		return nil
	}
	if err := e.Export(o.exportOnExit.value); err != nil {
		return err
	}
	logger.Printf("exported to %s", o.exportOnExit.value)
	return nil
}

func withPortZero(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return defaultHost + ":0"
	}
	return net.JoinHostPort(host, "0")
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// newLogger writes timestamped lines to w; log.Logger serialises writers
// from the emulators' goroutines.
func newLogger(w io.Writer) *log.Logger {
	return log.New(w, "roomgate-emulator: ", log.Ltime)
}
