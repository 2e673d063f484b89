package web

import (
	"net"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
)

// serverHeaderValue is the Server header for servertokens: "full" names
// the application and its version, "prod" only "asab", "none" sends none
// (the empty string).
func serverHeaderValue(tokens string, a *app.Application) string {
	switch tokens {
	case "full":
		v := a.Name()
		if a.Version() != "" {
			v += "/" + a.Version()
		}
		return v + " asab"
	case "prod":
		return "asab"
	}
	return ""
}

// ipExtractor gives the client IP: the peer address, or, when the peer is
// a trusted proxy, the nearest untrusted address in X-Forwarded-For. echo's
// XFF extractor trusts loopback and private ranges by default; that is
// turned off so only the configured ranges count.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
