// Command testsum runs `go test -json` with the arguments it is given and
// prints the package result lines, the output of failed tests and one
// closing line "make test: N passed, N failed, N skipped (N packages)". It
// exits 1 when a test or package failed or go test itself failed. It runs
// $GO when set, else go.
//
//	go run ./scripts/testsum -race -count=1 ./...
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/asabgo/asab/internal/testsum"
)

func main() {
	goCmd := os.Getenv("GO") // the Makefile's $(GO)
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testsum: start go test:", err)
		os.Exit(1)
	}
	s, rerr := testsum.Read(out, os.Stdout)
	werr := cmd.Wait()
	var exit *exec.ExitError
	if werr != nil && !errors.As(werr, &exit) {
		fmt.Fprintln(os.Stderr, "testsum: go test:", werr)
	}
	if rerr != nil {
		fmt.Fprintln(os.Stderr, "testsum:", rerr)
	}
	for _, pkg := range s.FailedPackages {
		fmt.Printf("FAIL %s\n", pkg)
	}
	if werr != nil && s.OK() {
		// go test failed without reporting a failure (e.g. a bad flag).
		s.Failed++
	}
	fmt.Println(s.Line("make test"))
	if werr != nil || rerr != nil || !s.OK() {
		os.Exit(1)
	}
}
