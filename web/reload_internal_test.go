package web

import (
	"slices"
	"testing"

	"github.com/asabgo/asab/config"
)

// Every key of Settings is either applied at run time or declared static,
// so that a new key cannot be left changing in Config while the container
// keeps the old value without a WARNING.
func TestEveryKeyIsLiveOrStatic(t *testing.T) {
	keys, err := config.KeysOf(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		live, static := slices.Contains(liveKeys, k.Key), slices.Contains(staticKeys, k.Key)
		if live == static {
			t.Errorf("[web] %s: live %v, static %v; want exactly one", k.Key, live, static)
		}
	}
	if n := len(liveKeys) + len(staticKeys); n != len(keys) {
		t.Errorf("%d live and static keys, Settings has %d", n, len(keys))
	}
}
