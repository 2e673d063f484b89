package amqp_test

import (
	"testing"

	"github.com/asabgo/asab/mom/momtest"
)

func TestAMQPContract(t *testing.T) {
	needServer(t)
	momtest.Run(t, amqpEnv{})
}
