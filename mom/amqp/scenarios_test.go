package amqp_test

var scenarios = map[string]func() int{}
