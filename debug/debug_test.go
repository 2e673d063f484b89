package debug_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/debug"
	"github.com/asabgo/asab/web"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// debugServer returns the debug module of a running application.
func debugServer(t *testing.T, r *asabtest.App) *debug.Server {
	t.Helper()
	for _, m := range r.Application.Modules() {
		if s, ok := m.(*debug.Server); ok {
			return s
		}
	}
	t.Fatal("no debug module")
	return nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServesProfilesOnItsOwnListener(t *testing.T) {
	r := asabtest.Start(t, "[debug]\nlisten = 127.0.0.1:0\n[web]\nlisten = 127.0.0.1:0\n", debug.Module, web.Module)
	addr := debugServer(t, r).Addr()
	if addr == nil {
		t.Fatal("the debug listener is not open")
	}
	base := "http://" + addr.String()

	code, body := get(t, base+"/debug/pprof/")
	if code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Fatalf("pprof index: %d %.200q", code, body)
	}
	code, body = get(t, base+"/debug/pprof/heap?debug=1")
	if code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Fatalf("heap profile: %d %.200q", code, body)
	}
	code, body = get(t, base+"/debug/goroutines")
	if code != http.StatusOK || !strings.Contains(body, "goroutine ") || !strings.Contains(body, "debug_test.TestServesProfilesOnItsOwnListener") {
		t.Fatalf("goroutine dump: %d %.300q", code, body)
	}

	// The public web container does not serve them.
	svc := asabtest.Service[*web.Service](t, r)
	code, _ = get(t, "http://"+svc.Addrs()[0].String()+"/debug/pprof/")
	if code != http.StatusNotFound {
		t.Fatalf("the web container answered /debug/pprof/ with %d, want 404", code)
	}
	if got := r.Stop(); got != 0 {
		t.Fatalf("exit code %d", got)
	}
}

func TestOffByDefault(t *testing.T) {
	r := asabtest.Start(t, "", debug.Module)
	if addr := debugServer(t, r).Addr(); addr != nil {
		t.Fatalf("listening on %v without [debug] listen", addr)
	}
	r.Stop()
}

func TestBadListenFailsStartUp(t *testing.T) {
	r := asabtest.New(t, "[debug]\nlisten = 127.0.0.1 port\n")
	err := r.Application.AddModule(debug.Module)
	if err == nil || !strings.Contains(err.Error(), "[debug] listen") || !strings.Contains(err.Error(), `"127.0.0.1 port"`) {
		t.Fatalf("got %v, want an error naming [debug] listen and the quoted value", err)
	}
}
