package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// CommandLine holds the standard flags of every application, after parsing.
type CommandLine struct {
	Config    string // -c, --config FILE (or ASAB_CONFIG)
	Verbose   bool   // -v, --verbose
	LogFile   string // -l, --log-file FILE
	Syslog    bool   // -s, --syslog
	Daemonize bool   // -d, --daemonize
	Kill      bool   // -k, --kill
	Version   bool   // --version
	Help      bool   // -h, --help
	// Args holds the arguments left after the flags: from the first
	// argument that is not a flag, or from the one after "--".
	Args []string
}

// errUsage marks a command-line error, which exits with code 2.
var errUsage = errors.New("usage error")

// parseCommandLine parses args with the standard flags plus the
// application's own. Help and usage errors print to stderr.
func parseCommandLine(s *settings, stderr io.Writer) (*CommandLine, func(io.Writer), error) {
	cl := &CommandLine{}
	fs := flag.NewFlagSet(s.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	both := func(short, long string, p *string, usage string) {
		fs.StringVar(p, short, "", usage)
		fs.StringVar(p, long, "", usage)
	}
	bothBool := func(short, long string, p *bool, usage string) {
		fs.BoolVar(p, short, false, usage)
		fs.BoolVar(p, long, false, usage)
	}
	both("c", "config", &cl.Config, "load configuration from `FILE` (default: $ASAB_CONFIG)")
	bothBool("v", "verbose", &cl.Verbose, "log at DEBUG level")
	both("l", "log-file", &cl.LogFile, "also log to `FILE`")
	bothBool("s", "syslog", &cl.Syslog, "also log to syslog")
	bothBool("d", "daemonize", &cl.Daemonize, "run in the background as a daemon")
	bothBool("k", "kill", &cl.Kill, "stop the running daemon (pidfile) and exit")
	bothBool("h", "help", &cl.Help, "show this help and exit")
	fs.BoolVar(&cl.Version, "version", false, "print the version and exit")
	standard := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { standard[f.Name] = true })
	for _, add := range s.flags {
		add(fs)
	}
	usage := func(w io.Writer) { printUsage(w, s, fs, standard) }
	// Parse would print the usage itself on an error; it is printed once,
	// below, after the error.
	fs.Usage = func() {}

	args := s.args
	if !s.argsSet {
		args = os.Args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			cl.Help = true
			return cl, usage, nil
		}
		fmt.Fprintf(stderr, "%s: %v\n", s.name, err)
		usage(stderr)
		return nil, usage, fmt.Errorf("%w: %w", errUsage, err)
	}
	cl.Args = fs.Args()
	if cl.Config == "" {
		cl.Config = os.Getenv("ASAB_CONFIG")
	}
	return cl, usage, nil
}

// printUsage writes the help text: the standard flags with short and long
// forms, then the application's own flags.
func printUsage(w io.Writer, s *settings, fs *flag.FlagSet, standard map[string]bool) {
	fmt.Fprintf(w, "usage: %s [flags]\n", s.name)
	if s.description != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(s.description))
	}
	fmt.Fprintf(w, "\nflags:\n")
	pairs := [][2]string{{"h", "help"}, {"c", "config"}, {"v", "verbose"}, {"l", "log-file"},
		{"s", "syslog"}, {"d", "daemonize"}, {"k", "kill"}, {"", "version"}}
	for _, p := range pairs {
		f := fs.Lookup(p[1])
		arg, usage := flag.UnquoteUsage(f)
		names := "    --" + p[1]
		if p[0] != "" {
			names = "-" + p[0] + ", --" + p[1]
		}
		if arg != "" {
			names += " " + arg
		}
		fmt.Fprintf(w, "  %-26s %s\n", names, usage)
	}
	var own []string
	fs.VisitAll(func(f *flag.Flag) {
		if standard[f.Name] {
			return
		}
		arg, usage := flag.UnquoteUsage(f)
		dash := "-"
		if len(f.Name) > 1 {
			dash = "--"
		}
		line := fmt.Sprintf("  %-26s %s", dash+f.Name+" "+arg, usage)
		if f.DefValue != "" && f.DefValue != "false" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		own = append(own, line)
	})
	if len(own) > 0 {
		fmt.Fprintf(w, "\napplication flags:\n%s\n", strings.Join(own, "\n"))
	}
}
