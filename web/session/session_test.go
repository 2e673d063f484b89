package session_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/goleak"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
	"github.com/asabgo/asab/web/session"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// counter counts a session's visits.
func counter(c echo.Context) error {
	s := session.Get(c)
	v, _ := s.Get("n")
	n, _ := v.(int)
	s.Set("n", n+1)
	return c.String(http.StatusOK, strconv.Itoa(n+1))
}

// run starts an app with a session store on /count and /peek and returns
// the base URL, the store and a stop function.
func run(t *testing.T, maxAge string) (string, *session.Store, *app.Application) {
	t.Helper()
	conf := "[logging:console]\nenabled=false\n[web]\nlisten=127.0.0.1 0\naccess_log=false\n[web:session]\nmax_age=" + maxAge + "\n"
	var st *session.Store
	var svc *web.Service
	a := app.New(app.WithName("t"), app.WithArgs(), app.WithConfigString(conf),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			var err error
			if svc, err = app.Service[*web.Service](a); err != nil {
				return err
			}
			if st, err = session.New(a, "web:session"); err != nil {
				return err
			}
			svc.Echo().Use(st.Middleware())
			svc.Echo().GET("/count", counter)
			svc.Echo().GET("/peek", func(c echo.Context) error {
				_, ok := session.Lookup(c)
				return c.String(http.StatusOK, strconv.FormatBool(ok))
			})
			return nil
		}))
	if err := a.AddModule(web.Module); err != nil {
		a.Release()
		t.Fatal(err)
	}
	started := make(chan struct{}, 1)
	a.PubSub().Subscribe(web.StartedMessage, func(pubsub.Message) error { started <- struct{}{}; return nil })
	code := make(chan int, 1)
	go func() { code <- a.Run() }()
	select {
	case <-started:
	case c := <-code:
		t.Fatalf("app ended with %d", c)
	}
	t.Cleanup(func() {
		a.Stop()
		if c := <-code; c != 0 {
			t.Errorf("exit code %d", c)
		}
	})
	return svc.URL(0), st, a
}

// visit GETs url with the cookie (if any) and returns the body and the
// session cookie set in the answer (nil if none).
func visit(t *testing.T, url string, cookie *http.Cookie) (string, *http.Cookie) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.Name == "SESSID" {
			return string(b), c
		}
	}
	return string(b), nil
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestSessionCreateReadExpire(t *testing.T) {
	base, st, a := run(t, "1s")
	if body, ck := visit(t, base+"/peek", nil); body != "false" || ck != nil || st.Len() != 0 {
		t.Fatalf("a request that does not use the session created one: %q %v %d", body, ck, st.Len())
	}
	body, ck := visit(t, base+"/count", nil)
	if body != "1" || ck == nil {
		t.Fatalf("first visit: %q, cookie %v", body, ck)
	}
	if !hexID.MatchString(ck.Value) || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" {
		t.Fatalf("cookie %+v: want a 128-bit hex id, HttpOnly, SameSite=Lax, not Secure over plain HTTP", ck)
	}
	body, again := visit(t, base+"/count", ck)
	if body != "2" || again != nil {
		t.Fatalf("second visit: %q, new cookie %v", body, again)
	}
	if body, _ := visit(t, base+"/peek", ck); body != "true" {
		t.Fatalf("lookup with the cookie: %q", body)
	}
	time.Sleep(1100 * time.Millisecond)
	// An expired session is not returned; the sweep on tick/10 frees it.
	if body, _ := visit(t, base+"/peek", &http.Cookie{Name: "SESSID", Value: "0123"}); body != "false" {
		t.Fatalf("unknown id accepted: %q", body)
	}
	if st.Len() != 1 {
		t.Fatalf("Len = %d before the sweep, want 1", st.Len())
	}
	a.PubSub().Publish(pubsub.TickN(10))
	if st.Len() != 0 {
		t.Fatalf("Len = %d after tick/10, want 0", st.Len())
	}
	body, fresh := visit(t, base+"/count", ck)
	if body != "1" || fresh == nil || fresh.Value == ck.Value {
		t.Fatalf("visit with an expired cookie: %q, cookie %v", body, fresh)
	}
}

func TestSecureCookieOverTLS(t *testing.T) {
	a := app.New(app.WithName("t"), app.WithArgs())
	defer a.Release()
	st, err := session.New(a, "session")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.MaxAge() != 15*time.Minute || st.CookieName() != "SESSID" {
		t.Fatalf("defaults: %v %q", st.MaxAge(), st.CookieName())
	}
	e := echo.New()
	e.Use(st.Middleware())
	e.GET("/count", counter)
	req := httptest.NewRequest("GET", "/count", nil)
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	cks := rec.Result().Cookies()
	if len(cks) != 1 || !cks[0].Secure || cks[0].MaxAge != 900 {
		t.Fatalf("cookies over TLS: %+v", cks)
	}
}

// docs/web.md's session key table lists every key of Settings with its
// default.
func TestSettingsKeyTable(t *testing.T) {
	asabtest.CheckKeyTable(t, "../../docs/web.md", "## Sessions", session.Settings{})
}

// A key the store's section does not know is a WARNING naming it and the
// known keys; the store is made all the same.
func TestUnknownKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	r := asabtest.New(t, asabtest.JSONLogConfig(path)+"[s]\ncookie_nam=SID\n").Start()
	st, err := session.New(r.Application, "s")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	r.Stop()
	lines := asabtest.ReadLog(t, path, "asab.web.session")
	if len(lines) != 1 || lines[0].Level != "WARNING" ||
		!strings.Contains(lines[0].Message, `[s] unknown key "cookie_nam" (known keys: max_age, cookie_name)`) {
		t.Errorf("want one WARNING naming cookie_nam and the known keys, got %+v", lines)
	}
}

func TestBadConfig(t *testing.T) {
	for _, conf := range []string{"[s]\nmax_age=never\n", "[s]\nmax_age=0\n", "[s]\ncookie_name=a b\n"} {
		a := app.New(app.WithName("t"), app.WithArgs(), app.WithConfigString(conf))
		_, err := session.New(a, "s")
		a.Release()
		if err == nil {
			t.Errorf("%q accepted", conf)
		}
	}
}

// TestSectionIsStaticAtReload: the store reads its section once, so a
// reload that changes it keeps the old values (the application's WARNING
// names each key) and does not count the section as changed.
func TestSectionIsStaticAtReload(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "app.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(conf, []byte("[logging:console]\nenabled = false\n"+text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[s]\nmax_age = 1m\n")
	var st *session.Store
	r := asabtest.New(t, "", app.WithArgs("-c", conf), app.WithInitialize(func(_ context.Context, a *app.Application) error {
		var err error
		st, err = session.New(a, "s")
		return err
	})).Start()
	defer st.Close()
	write("[s]\nmax_age = 2m\n")
	changed, err := r.Application.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(changed, "s") {
		t.Fatalf("changed = %q: the store's section counted as applied", changed)
	}
	if v, _ := r.Application.Config().Get("s", "max_age"); v != "1m" || st.MaxAge() != time.Minute {
		t.Fatalf("[s] max_age = %q after the reload, the store %v; want the value in force, 1m", v, st.MaxAge())
	}
	if code := r.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
