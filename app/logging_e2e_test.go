package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// hupLogScenario logs to the file given by -l and writes one marker line
// per phase: before the first SIGHUP, between the two, after the second.
func hupLogScenario() int {
	a := New(WithName("huplog"), WithArgs("-l", os.Getenv("ASAB_TEST_LOG_FILE")),
		WithConfigString("[logging]\nlevels =\n\ttest.quiet WARNING\n\ttest.loud DEBUG\n[logging:file]\nbackup_count = 3\n"),
		WithMain(func(ctx context.Context, a *Application) error {
			logging.Get("test.loud").Notice().Msg("marker before-first-hup")
			logging.Get("test.loud").Debug().Msg("debug shown for test.loud")
			logging.Get("test.quiet").Notice().Msg("notice hidden for test.quiet")
			say("main")
			return nil
		}))
	hups := 0
	a.PubSub().Subscribe(pubsub.Hup, func(pubsub.Message) error {
		hups++
		marker := map[int]string{1: "marker between-hups", 2: "marker after-second-hup"}[hups]
		logging.Get("test.loud").Notice().Msg(marker)
		say("hup")
		return nil
	})
	return a.Run()
}

func init() { scenarios["hup-log"] = hupLogScenario }

func TestSIGHUPRotatesTheLogFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "logs", "app.log") // parent created by logging
	c := startChild(t, "hup-log", "ASAB_TEST_LOG_FILE="+file)
	c.waitFor("main")
	c.signal(syscall.SIGHUP)
	c.waitFor("hup")
	c.signal(syscall.SIGHUP)
	c.waitFor("hup")
	c.signal(syscall.SIGTERM)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	oldest, middle, newest := read(file+".2"), read(file+".1"), read(file)
	expect := func(name, text string, has, hasNot []string) {
		t.Helper()
		for _, h := range has {
			if !strings.Contains(text, h) {
				t.Errorf("%s lacks %q:\n%s", name, h, text)
			}
		}
		for _, h := range hasNot {
			if strings.Contains(text, h) {
				t.Errorf("%s has %q:\n%s", name, h, text)
			}
		}
	}
	expect(".2", oldest, []string{"is ready.", "marker before-first-hup", "DEBUG test.loud debug shown"},
		[]string{"between-hups", "after-second-hup", "notice hidden"})
	expect(".1", middle, []string{"marker between-hups"}, []string{"before-first-hup", "after-second-hup"})
	expect("current", newest, []string{"marker after-second-hup", "is exiting ..."}, []string{"before-first-hup", "between-hups"})
}
