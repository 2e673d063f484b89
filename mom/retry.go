package mom

import "time"

// LastErrorHeader is the header that carries the handler's last error on a
// message that was dead-lettered after its last attempt.
const LastErrorHeader = "x-asab-last-error"

// AttemptHeader is the header a broker may use to carry the attempt number
// across a redelivery where the engine does not count deliveries itself.
const AttemptHeader = "x-asab-attempt"

// RetryPolicy says how often and how late a message whose handler returned
// Retry(err) is delivered again. The zero value keeps the broker's plain
// behaviour: Retry requeues at once, without a limit.
type RetryPolicy struct {
	// MaxAttempts is the number of deliveries a message gets, the first
	// one included; after the last one fails with Retry the message goes to
	// the subscription's dead-letter destination with LastErrorHeader set.
	// 0 means no limit.
	MaxAttempts int
	// InitialDelay is the wait before the second delivery.
	InitialDelay time.Duration
	// Factor multiplies the delay after each further attempt; values
	// below 1 count as 1 (a constant delay).
	Factor float64
	// MaxDelay caps the delay; 0 means no cap.
	MaxDelay time.Duration
}

// Delay returns the wait before delivery number attempt+1, after delivery
// number attempt (counted from 1) failed with Retry.
func (p RetryPolicy) Delay(attempt int) time.Duration {
	if attempt < 1 || p.InitialDelay <= 0 {
		return 0
	}
	f := p.Factor
	if f < 1 {
		f = 1
	}
	d := float64(p.InitialDelay)
	for i := 1; i < attempt; i++ {
		d *= f
		if p.MaxDelay > 0 && d >= float64(p.MaxDelay) {
			return p.MaxDelay
		}
	}
	if p.MaxDelay > 0 && d > float64(p.MaxDelay) {
		return p.MaxDelay
	}
	return time.Duration(d)
}

// Exhausted reports whether delivery number attempt was the last one the
// policy allows.
func (p RetryPolicy) Exhausted(attempt int) bool {
	return p.MaxAttempts > 0 && attempt >= p.MaxAttempts
}
