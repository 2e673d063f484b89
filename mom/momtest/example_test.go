package momtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/momtest"
)

// localEnv runs the contract suite against the in-process broker; a broker
// for another server implements the same three methods.
type localEnv struct{}

func (localEnv) NewBroker(t *testing.T) mom.Broker {
	b := mom.NewLocalBroker(mom.LocalOptions{})
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	return b
}

func (localEnv) Queue(t *testing.T) string    { return "q." + unique() }
func (localEnv) Exchange(t *testing.T) string { return "x." + unique() }

func unique() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// A broker implementation passes the contract when this test passes:
//
//	func TestContract(t *testing.T) { momtest.Run(t, localEnv{}) }
//
// (Examples cannot take a *testing.T, so this one only compiles.)
func Example() {
	var _ momtest.Env = localEnv{}
	_ = momtest.Run
}
