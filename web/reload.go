package web

import (
	"context"
	"net"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/module"
)

// Live reconfiguration of a container (module.ConfigValidator and
// module.Reloader; Service has them through its Container). The keys of
// liveKeys change at run time: the middleware that use them read the
// container's live settings, one atomically swapped pointer, when echo
// applies them to a request (echo applies the middleware chain per
// request, as trace relies on too), so each key's value is whole and no
// connection is dropped. Each middleware loads the pointer itself, so a
// request that starts during the swap may see some keys old, others new. The
// other keys are static (staticKeys): the application keeps their old value
// with a WARNING naming section, key, old and new value.

var (
	_ module.ConfigValidator = (*Container)(nil)
	_ module.Reloader        = (*Container)(nil)
)

// liveKeys are the keys of a container's section that a reload applies at
// run time.
var liveKeys = []string{"servertokens", "access_log", "trusted_proxies", "body_max_size", "cors"}

// staticKeys are the keys used once, when the container is built or starts
// serving: the listeners, the http.Server's timeouts and limits, the stop
// budget and the routes of the built-in endpoints.
var staticKeys = []string{
	"listen", "shutdown_timeout", "stop_delay", "read_header_timeout", "read_timeout",
	"write_timeout", "idle_timeout", "max_header_bytes", "health_path", "admin_api",
}

// live are the settings of liveKeys, with the middleware made from them.
type live struct {
	set       *settings
	server    string              // the Server header; "" for none
	accessLog echo.MiddlewareFunc // nil with access_log off
	bodyLimit echo.MiddlewareFunc
	cors      echo.MiddlewareFunc // nil without cors
	ip        echo.IPExtractor
}

// declareStatic tells the application which keys of the container's
// section cannot change at run time.
func (c *Container) declareStatic() {
	c.app.ReloadStatic(c.set.section, staticKeys...)
}

// newLive builds the live settings and their middleware from set.
func (c *Container) newLive(set *settings) *live {
	l := &live{
		set:       set,
		server:    serverHeaderValue(set.serverTokens, c.app),
		bodyLimit: bodyLimit(set.bodyMax),
		ip:        ipExtractor(set.trusted),
	}
	if set.accessLog {
		l.accessLog = accessLog(logging.Get("asab.web.al"))
	}
	if len(set.cors) > 0 {
		l.cors = middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: set.cors, MaxAge: 86400})
	}
	return l
}

// ValidateConfig checks the container's section of a configuration about
// to replace the running one; an error, naming section, key and value,
// refuses the whole reload.
func (c *Container) ValidateConfig(cfg *config.Config) error {
	_, err := parseSettings(cfg, c.set.section)
	return err
}

// Reload applies the live keys of the container's section when it
// changed: the requests that start afterwards use the new Server header,
// access log, client IP rule, body limit and CORS origins; requests in
// flight finish with the old ones. A NOTICE on asab.web names the keys
// that changed.
func (c *Container) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	if !slices.Contains(changed, c.set.section) {
		return nil
	}
	set, err := readSettings(cfg, c.set.section)
	if err != nil {
		return err
	}
	old := c.live.Load()
	keys := changedLiveKeys(old.set, set)
	if len(keys) == 0 {
		return nil
	}
	c.live.Store(c.newLive(set))
	c.log.Notice().Str("section", c.set.section).Strs("keys", keys).Msg("Web container settings applied at run time")
	return nil
}

// changedLiveKeys names the live keys whose values differ between a and b.
func changedLiveKeys(a, b *settings) []string {
	diff := map[string]bool{
		"servertokens":    a.serverTokens != b.serverTokens,
		"access_log":      a.accessLog != b.accessLog,
		"trusted_proxies": !slices.EqualFunc(a.trusted, b.trusted, func(x, y *net.IPNet) bool { return x.String() == y.String() }),
		"body_max_size":   a.bodyMax != b.bodyMax,
		"cors":            !slices.Equal(a.cors, b.cors),
	}
	var out []string
	for _, k := range liveKeys {
		if diff[k] {
			out = append(out, k)
		}
	}
	return out
}

// clientIP is the echo IPExtractor of the container: the one of the live
// trusted_proxies.
func (c *Container) clientIP(r *http.Request) string { return c.live.Load().ip(r) }

// liveServerHeader sets the Server header of the live servertokens.
func (c *Container) liveServerHeader(next echo.HandlerFunc) echo.HandlerFunc {
	v := c.live.Load().server
	if v == "" {
		return next
	}
	return serverHeader(v)(next)
}

// liveAccessLog is the access log while access_log is on.
func (c *Container) liveAccessLog(next echo.HandlerFunc) echo.HandlerFunc {
	if mw := c.live.Load().accessLog; mw != nil {
		return mw(next)
	}
	return next
}

// liveBodyLimit is echo's BodyLimit with the live body_max_size.
func (c *Container) liveBodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return c.live.Load().bodyLimit(next)
}

// liveCORS is echo's CORS with the live origins, or nothing without cors.
func (c *Container) liveCORS(next echo.HandlerFunc) echo.HandlerFunc {
	if mw := c.live.Load().cors; mw != nil {
		return mw(next)
	}
	return next
}
