package nats_test

import (
	"testing"

	"github.com/asabgo/asab/mom/momtest"
)

func TestNATSContract(t *testing.T) {
	needServer(t)
	momtest.Run(t, &natsEnv{spaces: make(map[*testing.T]space)})
}
