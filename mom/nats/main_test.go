package nats_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// childEnv names the scenario a re-executed test binary runs instead of the
// tests (the competing-consumer processes).
const childEnv = "ASAB_MOM_NATS_CHILD"

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		scenario, ok := scenarios[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown scenario %q\n", name)
			os.Exit(99)
		}
		os.Exit(scenario())
	}
	goleak.VerifyTestMain(m)
}
