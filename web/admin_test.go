package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// adminApp is an application with the web module whose configuration is a
// real file, and a route /work that logs a DEBUG line on admintest.worker.
type adminApp struct {
	*asabtest.App
	svc               *web.Service
	confPath, logPath string
}

func startAdmin(t *testing.T, conf string, more ...app.ModuleFactory) *adminApp {
	t.Helper()
	dir := t.TempDir()
	s := &adminApp{confPath: filepath.Join(dir, "app.conf"), logPath: filepath.Join(dir, "log.json")}
	s.writeConf(t, conf)
	work := logging.Get("admintest.worker")
	s.App = asabtest.New(t, "", app.WithArgs("-c", s.confPath), app.WithInitialize(func(_ context.Context, a *app.Application) error {
		s.svc.Echo().GET("/work", func(c echo.Context) error {
			work.Debug().Str("n", c.QueryParam("n")).Msg("working")
			return c.String(http.StatusOK, "done")
		})
		return nil
	})).AddModule(web.Module).AddModule(more...)
	s.svc = asabtest.Service[*web.Service](t, s.App)
	s.StartUntil(web.StartedMessage, func(m pubsub.Message) bool { return m.Args[0] == s.svc.Container })
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(s.logPath)
			t.Logf("application log:\n%s", b)
		}
	})
	return s
}

func (s *adminApp) writeConf(t *testing.T, conf string) {
	t.Helper()
	text := asabtest.JSONLogConfig(s.logPath) + "[web]\nlisten=127.0.0.1 0\naccess_log=false\n" + conf
	if err := os.WriteFile(s.confPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// send does a request with a JSON body and decodes a JSON answer into out.
func send(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: answer %q: %v", method, url, b, err)
		}
	}
	return res.StatusCode
}

// find returns the threshold of logger in a.
func find(a web.LevelsAnswer, logger string) *web.LevelThreshold {
	for i := range a.Levels {
		if a.Levels[i].Logger == logger {
			return &a.Levels[i]
		}
	}
	return nil
}

// Without admin_api the levels endpoint does not exist.
func TestAdminAPIOffByDefault(t *testing.T) {
	s := startAdmin(t, "")
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if code := send(t, m, s.svc.URL(0)+web.LevelsPath, `{"logger":"x","level":"DEBUG"}`, nil); code != http.StatusNotFound {
			t.Errorf("%s %s without admin_api: %d, want 404", m, web.LevelsPath, code)
		}
	}
	if th := logging.Current().Thresholds(); len(th) != 1 || th[0].Override {
		t.Errorf("thresholds changed: %+v", th)
	}
}

// PUT sets DEBUG for a logger: its DEBUG lines appear; after revert_after
// they stop, GET shows the configured threshold again, and a NOTICE says so.
func TestAdminAPISetsLevelThatReverts(t *testing.T) {
	s := startAdmin(t, "admin_api=true\n")
	base := s.svc.URL(0)
	var before web.LevelsAnswer
	if code := send(t, "GET", base+web.LevelsPath, "", &before); code != 200 || len(before.Levels) != 1 ||
		before.Levels[0] != (web.LevelThreshold{Logger: "root", Level: "NOTICE", Configured: "NOTICE"}) {
		t.Fatalf("GET before: %d %+v", code, before)
	}
	if code, _ := get(t, nil, base+"/work?n=before"); code != 200 {
		t.Fatal(code)
	}
	var put web.LevelsAnswer
	start := time.Now()
	if code := send(t, "PUT", base+web.LevelsPath, `{"logger": "admintest", "level": "debug", "revert_after": "200ms"}`, &put); code != 200 {
		t.Fatalf("PUT: %d", code)
	}
	th := find(put, "admintest")
	if th == nil || th.Level != "DEBUG" || th.Configured != "NOTICE" || !th.Override || th.Until == nil ||
		th.Until.Before(start.Add(150*time.Millisecond)) || th.Until.After(time.Now().Add(250*time.Millisecond)) {
		t.Fatalf("PUT answered %+v", put)
	}
	if code, _ := get(t, nil, base+"/work?n=during"); code != 200 {
		t.Fatal(code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var now web.LevelsAnswer
		send(t, "GET", base+web.LevelsPath, "", &now)
		if find(now, "admintest") == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no revert within 5 s: %+v", now)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if time.Now().Before(start.Add(200 * time.Millisecond)) {
		t.Fatal("reverted before revert_after")
	}
	if code, _ := get(t, nil, base+"/work?n=after"); code != 200 {
		t.Fatal(code)
	}
	if code := s.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var ns []string
	for _, l := range asabtest.ReadLog(t, s.logPath, "admintest.worker") {
		ns = append(ns, l.Fields["n"].(string)+" "+l.Level)
	}
	if strings.Join(ns, ",") != "during DEBUG" {
		t.Errorf("admintest.worker lines %q, want only the one while DEBUG was set", ns)
	}
	var set, reverted bool
	for _, l := range asabtest.ReadLog(t, s.logPath, "") {
		set = set || (l.Logger == "asab.web" && l.Message == "Log level set at run time" && l.Fields["logger"] == "admintest" && l.Fields["level"] == "DEBUG")
		reverted = reverted || (l.Logger == "asab.logging" && l.Message == "Run-time log level reverted to the configured one" && l.Fields["logger"] == "admintest")
	}
	if !set || !reverted {
		t.Errorf("NOTICE of the change %v, of the revert %v", set, reverted)
	}
}

// Bad input is a 400 with a JSON error naming the field and the quoted
// value; nothing changes.
func TestAdminAPIRefusesBadInput(t *testing.T) {
	s := startAdmin(t, "admin_api=true\n")
	url := s.svc.URL(0) + web.LevelsPath
	for _, c := range []struct{ body, field, text string }{
		{`{"logger": "a", "level": "LOUD"}`, "level", `level "LOUD"`},
		{`{"logger": "a"}`, "level", `level ""`},
		{`{"level": "DEBUG"}`, "logger", `logger ""`},
		{`{"logger": "a b", "level": "DEBUG"}`, "logger", `logger "a b"`},
		{`{"logger": "a", "level": "DEBUG", "revert_after": "soon"}`, "revert_after", `revert_after "soon"`},
		{`{"logger": "a", "level": "DEBUG", "revert_after": -1}`, "revert_after", `revert_after "-1"`},
		{`{"logger": "a", "level": "DEBUG", "revert_after": 0}`, "revert_after", `revert_after "0"`},
		{`{"logger": "a", "level": 10}`, "level", `level "number"`},
		{`{"logger": "a", "levl": "DEBUG"}`, "levl", `unknown field "levl"`},
		{`logger=a&level=DEBUG`, "", "body is not a JSON object"},
	} {
		var e web.AdminError
		if code := send(t, "PUT", url, c.body, &e); code != http.StatusBadRequest || e.Field != c.field || !strings.Contains(e.Error, c.text) {
			t.Errorf("PUT %s: %d %+v, want 400 naming %q with %q", c.body, code, e, c.field, c.text)
		}
	}
	var e web.AdminError
	if code := send(t, "DELETE", url+"?logger=a", "", &e); code != http.StatusNotFound || !strings.Contains(e.Error, `logger "a"`) {
		t.Errorf("DELETE of no override: %d %+v", code, e)
	}
	if th := logging.Current().Thresholds(); len(th) != 1 || th[0].Override {
		t.Errorf("refused requests changed the thresholds: %+v", th)
	}
}

// An override without revert_after outlives a SIGHUP-style reload (the
// reload's own rules apply beside it) until DELETE, after which the
// reloaded configuration is in force.
func TestAdminAPIOverrideOutlivesReload(t *testing.T) {
	s := startAdmin(t, "admin_api=true\n")
	url := s.svc.URL(0) + web.LevelsPath
	if code := send(t, "PUT", url, `{"logger":"admintest","level":"INFO"}`, nil); code != 200 {
		t.Fatal(code)
	}
	s.writeConf(t, "admin_api=true\n[logging]\nlevels=\n\tadmintest ERROR\n\tother WARNING\n")
	if _, err := s.Application.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got web.LevelsAnswer
	send(t, "GET", url, "", &got)
	if th := find(got, "admintest"); th == nil || th.Level != "INFO" || th.Configured != "ERROR" || !th.Override || th.Until != nil {
		t.Fatalf("after the reload %+v", got)
	}
	if th := find(got, "other"); th == nil || th.Level != "WARNING" || th.Override {
		t.Fatalf("the reload's rule for other is missing: %+v", got)
	}
	if !logging.Get("admintest.x").Enabled(logging.LevelInfo) {
		t.Fatal("the override does not apply after the reload")
	}
	if code := send(t, "DELETE", url+"?logger=admintest", "", &got); code != 200 || find(got, "admintest").Level != "ERROR" {
		t.Fatalf("DELETE: %d %+v", code, got)
	}
	if logging.Get("admintest.x").Enabled(logging.LevelWarning) {
		t.Fatal("after DELETE admintest does not follow the reloaded ERROR")
	}
}

// The admin API on a container of its own: [web] keeps it off, [web:admin]
// turns it on, so only the admin listener answers.
func TestAdminAPIOnSeparateContainer(t *testing.T) {
	var admin *web.Container
	s := startAdmin(t, "[web:admin]\nlisten=127.0.0.1 0\nadmin_api=true\n", func(a *app.Application) (any, error) {
		var err error
		admin, err = web.NewContainer(a, "web:admin")
		return nil, err
	})
	if code := send(t, "GET", s.svc.URL(0)+web.LevelsPath, "", nil); code != http.StatusNotFound {
		t.Errorf("the public container answers the levels endpoint: %d", code)
	}
	var got web.LevelsAnswer
	if code := send(t, "PUT", admin.URL(0)+web.LevelsPath, `{"logger":"admintest","level":"DEBUG","revert_after":60}`, &got); code != 200 {
		t.Fatalf("PUT on the admin container: %d", code)
	}
	if th := find(got, "admintest"); th == nil || th.Until == nil || time.Until(*th.Until) < 50*time.Second {
		t.Fatalf("revert_after as a number of seconds: %+v", got)
	}
	if !logging.Get("admintest").Enabled(logging.LevelDebug) {
		t.Fatal("the admin container's PUT did not apply")
	}
}
