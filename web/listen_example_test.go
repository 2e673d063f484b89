package web_test

import (
	"fmt"

	"github.com/asabgo/asab/web"
)

// A multi-line listen value, as [web] listen holds it.
func ExampleParseListen() {
	ls, err := web.ParseListen(`
		0.0.0.0 8080     # plain HTTP
		unix:web.sock ssl
	`, "ssl:web")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range ls {
		fmt.Printf("%s %s %q\n", l.Network, l.Address, l.TLS)
	}
	_, err = web.ParseListen("8080\nunix 8080", "ssl:web")
	fmt.Println(err)
	// Output:
	// tcp4 0.0.0.0:8080 ""
	// unix web.sock "ssl:web"
	// line 2: bad listen address "unix 8080": host "unix" is refused: "unix:PATH" names a unix socket, so "unix:PORT" could not name this host; use its address or a longer name
}
