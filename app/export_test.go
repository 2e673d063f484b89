package app

// The settings structs of [general] and [daemon], for the tests of package
// app_test (which can import asabtest; package app's own tests cannot).
var (
	GeneralKeysForTest = generalSettings{}
	DaemonKeysForTest  = daemonKeys{}
)
