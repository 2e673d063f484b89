package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/asabgo/asab/pubsub"
)

// scenarios are the programs the child-process tests run. Each prints the
// events the test checks, one per line, on stdout.
var scenarios = map[string]func() int{
	"phases":           phasesScenario,
	"slow-stop":        slowStopScenario,
	"main-error":       mainErrorScenario,
	"init-error":       initErrorScenario,
	"hanging-finalize": hangingFinalizeScenario,
	"hup":              hupScenario,
	"ticks":            ticksScenario,
}

// say prints one event line; stdout is unbuffered, so lines arrive at once.
func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// recorder is a module or service that reports its lifecycle calls.
type recorder struct {
	kind, name string
	deps       []string
	initErr    error
	hang       bool
}

func (r *recorder) Initialize(ctx context.Context) error {
	say("%s %s initialize", r.kind, r.name)
	return r.initErr
}

func (r *recorder) Finalize(ctx context.Context) error {
	say("%s %s finalize", r.kind, r.name)
	if r.hang {
		select {} // never returns: the test sends more signals
	}
	return nil
}

func (r *recorder) DependsOn() []string { return r.deps }

func sayMessages(a *Application, types ...string) {
	for _, t := range types {
		a.PubSub().Subscribe(t, func(m pubsub.Message) error {
			if len(m.Args) > 0 {
				say("%s %v", m.Type, m.Args[0])
			} else {
				say("%s", m.Type)
			}
			return nil
		})
	}
}

func recorderModule(name string, services ...*recorder) ModuleFactory {
	return func(a *Application) (any, error) {
		for _, s := range services {
			if err := a.RegisterService(s.name, s); err != nil {
				return nil, err
			}
		}
		return &recorder{kind: "module", name: name}, nil
	}
}

func lifecycleApp(extra ...Option) *Application {
	opts := append([]Option{
		WithName("test"),
		WithArgs(),
		WithConfigString("[general]\ntick_period = 0.05\nshutdown_timeout = 60\n"),
		WithInitialize(func(ctx context.Context, a *Application) error { say("user initialize"); return nil }),
		WithFinalize(func(ctx context.Context, a *Application) error { say("user finalize"); return nil }),
	}, extra...)
	a := New(opts...)
	sayMessages(a, pubsub.Init, pubsub.Run, pubsub.Stop, pubsub.Exit, pubsub.Hup)
	return a
}

// phasesScenario: two modules, three services (the first depends on the
// third), Main stops the application.
func phasesScenario() int {
	a := lifecycleApp(WithMain(func(ctx context.Context, a *Application) error {
		say("main")
		a.Stop()
		return nil
	}))
	_ = a.AddModule(recorderModule("A", &recorder{kind: "service", name: "s1", deps: []string{"s3"}}, &recorder{kind: "service", name: "s2"}))
	_ = a.AddModule(recorderModule("B", &recorder{kind: "service", name: "s3"}))
	return a.Run()
}

// slowStopScenario: Main stops the application and a stop! subscriber
// takes its time; exit! must still come after it.
func slowStopScenario() int {
	a := lifecycleApp(WithMain(func(ctx context.Context, a *Application) error {
		say("main")
		a.Stop()
		return nil
	}))
	a.PubSub().Subscribe(pubsub.Stop, func(pubsub.Message) error {
		time.Sleep(300 * time.Millisecond)
		say("stop! handled")
		return nil
	})
	return a.Run()
}

func mainErrorScenario() int {
	a := lifecycleApp(WithMain(func(ctx context.Context, a *Application) error {
		return errors.New("main broke")
	}))
	return a.Run()
}

func initErrorScenario() int {
	a := lifecycleApp(WithMain(func(ctx context.Context, a *Application) error {
		say("main")
		return nil
	}))
	_ = a.AddModule(recorderModule("A",
		&recorder{kind: "service", name: "good"},
		&recorder{kind: "service", name: "broken", initErr: errors.New("cannot open the database")},
		&recorder{kind: "service", name: "never"},
	))
	return a.Run()
}

func hangingFinalizeScenario() int {
	a := lifecycleApp(WithMain(func(ctx context.Context, a *Application) error {
		say("main")
		return nil
	}))
	_ = a.AddModule(recorderModule("A", &recorder{kind: "service", name: "stuck", hang: true}))
	return a.Run()
}

func hupScenario() int {
	a := lifecycleApp(WithMain(func(ctx context.Context, a *Application) error {
		say("main")
		return nil
	}))
	return a.Run()
}

// ticksScenario prints the offset of every tick from the start, in
// microseconds, and stops after ticks ticks.
func ticksScenario() int {
	period := 20 * time.Millisecond
	const ticks = 100
	a := New(WithName("ticks"), WithArgs(), WithConfigString(fmt.Sprintf("[general]\ntick_period = %gs\n", period.Seconds())))
	var start time.Time
	n := 0
	a.PubSub().Subscribe(pubsub.Run, func(pubsub.Message) error { start = time.Now(); return nil })
	a.PubSub().Subscribe(pubsub.Tick, func(pubsub.Message) error {
		n++
		say("tick %d %d", n, time.Since(start).Microseconds())
		if n == ticks {
			a.Stop()
		}
		return nil
	})
	a.PubSub().Subscribe(pubsub.TickN(10), func(pubsub.Message) error { say("tick/10 after %d", n); return nil })
	return a.Run()
}

// envWith returns the environment plus the scenario switch.
func envWith(scenario string, extra ...string) []string {
	env := append([]string{}, os.Environ()...)
	env = append(env, childEnv+"="+scenario)
	return append(env, extra...)
}

// restartScenario restarts once; the re-executed process sees the variable
// set before the restart and stops.
func restartScenario() int {
	const mark = "ASAB_APP_TEST_RESTARTED"
	a := New(WithName("restart"), WithArgs("--restart-test-flag=kept"),
		WithFlags(func(fs *flag.FlagSet) { fs.String("restart-test-flag", "", "a flag the restart keeps") }),
		WithConfigString("[general]\nshutdown_timeout = 10\n"),
		WithMain(func(ctx context.Context, a *Application) error {
			if os.Getenv(mark) == "" {
				say("first run %d", os.Getpid())
				os.Setenv(mark, "1")
				a.Restart()
				a.SetExitCode(9, true) // a restart outranks every exit code
				return nil
			}
			say("second run %d %s", os.Getpid(), strings.Join(os.Args[1:], " "))
			a.Stop()
			return nil
		}))
	return a.Run()
}

func init() { scenarios["restart"] = restartScenario }
