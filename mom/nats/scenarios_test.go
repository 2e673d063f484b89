package nats_test

// scenarios are the programs a re-executed test binary runs (see TestMain).
var scenarios = map[string]func() int{}
