package listen_test

import (
	"fmt"

	"github.com/asabgo/asab/internal/listen"
)

func ExampleParseLines() {
	lines, err := listen.ParseLines(`
		0.0.0.0 8080
		[::1]:8443 ssl   # TLS from [ssl:web]
		unix:app.sock
	`, ssl)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range lines {
		fmt.Printf("%d %s %s %q\n", l.N, l.Network, l.Address, l.Suffix)
	}
	_, err = listen.Parse("localhost http", listen.Options{})
	fmt.Println(err)
	// Output:
	// 1 tcp4 0.0.0.0:8080 ""
	// 2 tcp6 [::1]:8443 "ssl"
	// 3 unix app.sock ""
	// bad listen address "localhost http": port "http" is not a number from 0 to 65535
}
