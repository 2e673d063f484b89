// Package momtest is the contract test suite of mom.Broker: the same tests
// run against the in-process broker (package mom) and the AMQP broker
// (package mom/amqp, on a real RabbitMQ). A new Broker implementation
// passes it before it is used.
package momtest
