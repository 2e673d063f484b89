package sample

import "testing"

func TestPass(t *testing.T) { t.Log("quiet when passing") }

func TestSkip(t *testing.T) { t.Skip("skipped on purpose") }

func TestFail(t *testing.T) { t.Error("failed on purpose") }

func TestSub(t *testing.T) {
	t.Run("ok", func(t *testing.T) {})
	t.Run("bad", func(t *testing.T) { t.Error("sub failed on purpose") })
}
