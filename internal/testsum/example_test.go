package testsum_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/asabgo/asab/internal/testsum"
)

func ExampleRead() {
	stream := strings.Join([]string{
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: want 2, got 3\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"--- FAIL: TestA (0.00s)\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestA"}`,
		`{"Action":"pass","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}`,
		`{"Action":"fail","Package":"p"}`,
	}, "\n")
	s, _ := testsum.Read(strings.NewReader(stream), os.Stdout)
	fmt.Println(s.Line("make test"))
	// Output:
	//     a_test.go:9: want 2, got 3
	// --- FAIL: TestA (0.00s)
	// FAIL	p	0.01s
	// make test: 1 passed, 1 failed, 0 skipped (1 packages)
}
