package crash

import (
	"os"
	"testing"
)

func TestPass(t *testing.T) {}

func TestCrash(t *testing.T) {
	t.Log("last words")
	os.Exit(3)
}
