// Package daemon holds the reusable pieces behind an application's -d and -k
// flags: the pidfile (probing whether a daemon holds it, reading it, removing
// it at exit), the user and group a daemon drops to, the command line the
// daemon process keeps, the readiness channel between the starting process
// and the daemon, and the logic of stopping a daemon through its pidfile.
//
// A pidfile belongs to a running daemon exactly while the daemon holds an
// exclusive flock(2) on it (github.com/sevlyar/go-daemon takes that lock in
// the starting process and hands the descriptor to the daemon). The pid
// written in the file is only used to name and signal the process; whether
// the file is live or stale is decided by the lock, so a recycled pid never
// receives a signal meant for a daemon that is gone.
//
// Nothing here is meant to be imported outside this module; package app
// wires it to the command line and the configuration.
package daemon
