package mom

import (
	"testing"
	"time"
)

func TestRetryPolicyDelay(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, InitialDelay: 100 * time.Millisecond, Factor: 2, MaxDelay: 350 * time.Millisecond}
	want := []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 350 * time.Millisecond, 350 * time.Millisecond}
	for attempt, w := range want {
		if got := p.Delay(attempt); got != w {
			t.Errorf("Delay(%d) = %v, want %v", attempt, got, w)
		}
	}
	if (RetryPolicy{InitialDelay: time.Second, Factor: 0.5}).Delay(3) != time.Second {
		t.Error("a factor below 1 must count as 1")
	}
	if (RetryPolicy{}).Delay(4) != 0 {
		t.Error("the zero policy must not delay")
	}
}

func TestRetryPolicyExhausted(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 3}
	for attempt, want := range map[int]bool{1: false, 2: false, 3: true, 4: true} {
		if got := p.Exhausted(attempt); got != want {
			t.Errorf("Exhausted(%d) = %v, want %v", attempt, got, want)
		}
	}
	if (RetryPolicy{}).Exhausted(1000) {
		t.Error("MaxAttempts 0 must mean no limit")
	}
}
