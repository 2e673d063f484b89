package metrics

import (
	"slices"
	"testing"

	"github.com/asabgo/asab/config"
)

// Every key of Settings but log_every_minute is declared static.
func TestEveryKeyIsLiveOrStatic(t *testing.T) {
	keys, err := config.KeysOf(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if static := slices.Contains(staticKeys, k.Key); static == (k.Key == "log_every_minute") {
			t.Errorf("[%s] %s: static %v", Section, k.Key, static)
		}
	}
	if len(staticKeys) != len(keys)-1 {
		t.Errorf("%d static keys for %d keys", len(staticKeys), len(keys))
	}
}
