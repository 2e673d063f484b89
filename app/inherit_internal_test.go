package app

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPrepareRestartKeepsListenersNonBlocking: duplicating a listener's
// descriptor for a restart leaves the listener's socket non-blocking (the
// flag belongs to the socket, which the duplicate shares). os.File.Fd
// would clear it: the listener's Accept would then block in the kernel,
// where closing the listener at the stop does not end it, and take one
// more connection that the exec then cuts off unanswered.
func TestPrepareRestartKeepsListenersNonBlocking(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var s sockets
	s.keep("tcp 127.0.0.1:0", 0, ln, false)
	defer s.release()
	s.prepareRestart()
	if s.kept[0].file == nil || s.kept[0].FD <= 0 {
		t.Fatalf("no duplicate kept: %+v", s.kept[0])
	}
	if _, err := s.handover(); err != nil {
		t.Fatal(err)
	}
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil {
		t.Fatal(err, ferr)
	}
	if flags&unix.O_NONBLOCK == 0 {
		t.Fatal("the listener's socket is blocking after the restart's preparation")
	}
}
