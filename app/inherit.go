package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/coreos/go-systemd/v22/activation"
	"golang.org/x/sys/unix"

	"github.com/asabgo/asab/pubsub"
)

// handoverEnv is the variable a restart passes its listening sockets to the
// re-executed image in: a JSON handoverList.
const handoverEnv = "ASAB_LISTEN_FDS"

// handoverList is the value of handoverEnv: the pid of the process, which a
// restart keeps (so that a variable set by anything but a restart of this
// process is not trusted, as LISTEN_PID does for LISTEN_FDS), and the
// sockets.
type handoverList struct {
	PID     int            `json:"pid"`
	Sockets []handedSocket `json:"sockets"`
}

// handedSocket is one listening socket passed across a restart: the
// descriptor number (open in the new image, FD_CLOEXEC cleared), the key of
// the listen line it belongs to and the listener's place among that key's.
type handedSocket struct {
	FD     int    `json:"fd"`
	Key    string `json:"key"`
	N      int    `json:"n"`
	Unlink bool   `json:"unlink,omitempty"` // a unix socket file this app created
	Name   string `json:"name,omitempty"`   // of a systemdPassed socket: its FileDescriptorName=
}

// systemdPassed is the key of a socket systemd passed that no listen line
// claimed: a restart hands it on too, for a line the new configuration may
// have for it.
const systemdPassed = "systemd-passed"

// keptSocket is a listener handed out by Listen and, once a restart was
// asked for, a duplicate of its descriptor, which keeps the socket open
// after the listener closes.
type keptSocket struct {
	handedSocket
	file *os.File
	ln   net.Listener
}

// sockets is the application's set of listening sockets: those inherited
// from the image before a restart, those systemd passed, and those handed
// out by Listen, to pass on at the next restart.
type sockets struct {
	mu        sync.Mutex
	loaded    bool
	inherited []handedSocket // not yet claimed by a listen line
	kept      []keptSocket
	calls     map[string]int // Listen calls by key, for the n of each socket

	sdOnce  sync.Once
	systemd []*os.File // passed by systemd, until claimed

	restarting bool // prepareRestart ran: a listener made since is kept at once
}

// Listen returns the listeners of one listen line. key names the line
// (web and sock use "NETWORK ADDRESS" as configured, e.g. "tcp4
// 127.0.0.1:8080" or "systemd web"). After a restart the sockets the image
// before handed over for the same key (and the same call count of that
// key) are returned; otherwise open makes them. Either way the listeners
// are recorded: Restart duplicates their descriptors, so that the sockets
// stay open across the exec and the kernel queues new connections
// meanwhile. A stop without a restart closes the sockets with the
// listeners, as before.
func (a *Application) Listen(ctx context.Context, key string, open func(context.Context) ([]net.Listener, error)) ([]net.Listener, error) {
	s := &a.socks
	s.mu.Lock()
	defer s.mu.Unlock()
	a.loadHandover()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	n := s.calls[key]
	s.calls[key]++
	lns, unlink, err := s.claim(key, n)
	if err != nil {
		return nil, err
	}
	if lns == nil {
		lns, err = open(ctx)
		unlink = !strings.HasPrefix(key, "systemd")
		if err != nil {
			// A line respelled since the restart: its address may be
			// held by an inherited socket that no line claimed by key.
			if taken, takenUnlink, retry := s.inTheWay(err); taken != nil {
				lns, unlink, err = []net.Listener{taken}, takenUnlink, nil
			} else if retry {
				lns, err = open(ctx)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, ln := range lns {
		if ul, ok := ln.(*net.UnixListener); ok && unlink {
			ul.SetUnlinkOnClose(true)
		}
		s.keep(key, n, ln, unlink)
	}
	return lns, nil
}

// loadHandover loads the sockets the image before handed over (the
// caller holds a.socks.mu) and logs why some or all were not taken.
func (a *Application) loadHandover() {
	if err := a.socks.load(); err != nil {
		a.log.Warning().Err(err).Msg("Inherited sockets ignored; their listen lines bind anew")
	}
}

// load reads the sockets the image before handed over, once, and unsets
// the variable so that child processes do not see it. It takes only a
// variable that a restart of this process set, and of that only the
// descriptors that are listening sockets: a variable set by mistake must
// not make the application use, or close, descriptors it does not own.
func (s *sockets) load() error {
	if s.loaded {
		return nil
	}
	s.loaded = true
	v := os.Getenv(handoverEnv)
	if v == "" {
		return nil
	}
	_ = os.Unsetenv(handoverEnv)
	var list handoverList
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return fmt.Errorf("%s=%q is not the list a restart sets: %w", handoverEnv, v, err)
	}
	if list.PID != os.Getpid() {
		return fmt.Errorf("%s=%q: set for process %d, not by a restart of this one (%d)", handoverEnv, v, list.PID, os.Getpid())
	}
	var errs []error
	for _, h := range list.Sockets {
		if err := listeningSocket(h.FD); err != nil {
			errs = append(errs, fmt.Errorf("%s: fd %d (%q): %w", handoverEnv, h.FD, h.Key, err))
			continue
		}
		unix.CloseOnExec(h.FD)
		if h.Key == systemdPassed {
			s.systemd = append(s.systemd, os.NewFile(uintptr(h.FD), h.Name))
			continue
		}
		s.inherited = append(s.inherited, h)
	}
	return errors.Join(errs...)
}

// listeningSocket reports why fd is not a listening socket, nil if it is.
func listeningSocket(fd int) error {
	if fd <= 2 {
		return errors.New("standard input, output or error, not a socket")
	}
	on, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return fmt.Errorf("not a socket: %w", err)
	}
	if on == 0 {
		return errors.New("not a listening socket")
	}
	return nil
}

// claim takes the inherited sockets of key and n; it returns nil when there
// are none.
func (s *sockets) claim(key string, n int) ([]net.Listener, bool, error) {
	var lns []net.Listener
	var unlink bool
	rest := s.inherited[:0]
	var err error
	for _, h := range s.inherited {
		if h.Key != key || h.N != n {
			rest = append(rest, h)
			continue
		}
		f := os.NewFile(uintptr(h.FD), key)
		ln, ferr := net.FileListener(f)
		_ = f.Close()
		if ferr != nil {
			err = errors.Join(err, fmt.Errorf("inherited socket %d of %q: %w", h.FD, key, ferr))
			continue
		}
		lns, unlink = append(lns, ln), h.Unlink
	}
	s.inherited = rest
	if err != nil {
		for _, ln := range lns {
			_ = ln.Close()
		}
		return nil, false, err
	}
	return lns, unlink, nil
}

// inTheWay looks, after a bind that failed with EADDRINUSE, for the
// inherited socket (not claimed by key) on the address of the failed bind:
// a listen line edited before the restart so that it names the same socket
// otherwise ("localhost 8080" for "127.0.0.1 8080") gets that socket, which
// inTheWay returns with its unlink flag. Failing that, the inherited TCP
// sockets of the same port on another address (the host changed) are
// closed, as they would be when run-time begins, and retry is true: bind
// again.
func (s *sockets) inTheWay(err error) (ln net.Listener, unlink, retry bool) {
	var op *net.OpError
	if !errors.Is(err, syscall.EADDRINUSE) || !errors.As(err, &op) {
		return nil, false, false
	}
	want, ok := op.Addr.(*net.TCPAddr)
	if !ok || len(s.inherited) == 0 {
		return nil, false, false
	}
	closed := false
	rest := s.inherited[:0]
	for i, h := range s.inherited {
		sa, gerr := unix.Getsockname(h.FD)
		var ip net.IP
		var port int
		switch sa := sa.(type) {
		case *unix.SockaddrInet4:
			ip, port = net.IP(sa.Addr[:]), sa.Port
		case *unix.SockaddrInet6:
			ip, port = net.IP(sa.Addr[:]), sa.Port
		}
		if gerr != nil || port != want.Port {
			rest = append(rest, h)
			continue
		}
		if ip.Equal(want.IP) || (ip.IsUnspecified() && want.IP.IsUnspecified()) {
			f := os.NewFile(uintptr(h.FD), h.Key)
			ln, ferr := net.FileListener(f)
			_ = f.Close()
			if ferr == nil {
				s.inherited = append(rest, s.inherited[i+1:]...)
				return ln, h.Unlink, false
			}
		}
		_ = unix.Close(h.FD)
		closed = true
	}
	s.inherited = rest
	return nil, false, closed
}

// keep records ln, to be duplicated at a restart, or at once when a
// restart was asked for already (during init-time).
func (s *sockets) keep(key string, n int, ln net.Listener, unlink bool) {
	s.kept = append(s.kept, keptSocket{handedSocket: handedSocket{Key: key, N: n, Unlink: unlink}, ln: ln})
	if s.restarting {
		s.kept[len(s.kept)-1].dup()
	}
}

// SystemdListeners returns listeners on the sockets systemd passed (socket
// activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES): those whose
// FileDescriptorName= is name, or all of them for name "". Each socket is
// given out once. Use it as the open function of Listen, so that a restart
// hands the sockets on.
func (a *Application) SystemdListeners(name string) ([]net.Listener, error) {
	s := &a.socks
	// Those handed on by a restart (load) follow those of LISTEN_FDS,
	// which a restart does not pass on (it was unset).
	s.sdOnce.Do(func() { s.systemd = append(activation.Files(true), s.systemd...) })
	if len(s.systemd) == 0 {
		return nil, errors.New("systemd passed no sockets (LISTEN_FDS is not set for this process; start it from a .socket unit or systemd-socket-activate)")
	}
	var lns []net.Listener
	var names []string
	rest := s.systemd[:0]
	for _, f := range s.systemd {
		names = append(names, f.Name())
		if name != "" && f.Name() != name {
			rest = append(rest, f)
			continue
		}
		fd := rawFD(f)
		ln, err := net.FileListener(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("systemd socket %q (fd %d): %w", f.Name(), fd, err)
		}
		lns = append(lns, ln)
	}
	s.systemd = rest
	if len(lns) == 0 {
		sort.Strings(names)
		return nil, fmt.Errorf("systemd passed no socket named %q (unclaimed: %s)", name, strings.Join(quoteAll(names), ", "))
	}
	return lns, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// startHandover closes, once init-time is over, the inherited sockets no
// listen line claimed, so that no connection waits on a socket nobody
// accepts on; and turns SIGUSR2 into Restart until the returned function is
// called.
func (a *Application) startHandover() func() {
	a.ps.Subscribe(pubsub.Run, func(pubsub.Message) error {
		a.closeUnclaimed()
		return nil
	})
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR2)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-ch:
				a.log.Notice().Str("signal", "SIGUSR2").Msg("Signal received, restarting")
				a.Restart()
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		<-finished
	}
}

func (a *Application) closeUnclaimed() {
	s := &a.socks
	s.mu.Lock()
	defer s.mu.Unlock()
	a.loadHandover()
	for _, h := range s.inherited {
		_ = unix.Close(h.FD)
	}
	s.inherited = nil
}

// prepareRestart duplicates the descriptor of every listener still open
// (close-on-exec until the exec), so that its socket outlives the listener,
// and stops the unix listeners from removing their socket files, so that
// the file still leads to the socket the next image inherits. Restart calls
// it before the stop; a listener already closed is bound anew by the next
// image.
func (s *sockets) prepareRestart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restarting = true
	for i := range s.kept {
		s.kept[i].dup()
	}
}

// dup duplicates the listener's descriptor, once, unless it is closed.
func (k *keptSocket) dup() {
	if k.file != nil {
		return
	}
	fl, ok := k.ln.(interface{ File() (*os.File, error) })
	if !ok {
		return
	}
	f, err := fl.File()
	if err != nil {
		return // closed already
	}
	k.file, k.FD = f, rawFD(f)
	if ul, ok := k.ln.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false)
	}
}

// handover clears FD_CLOEXEC on the kept sockets and returns the
// environment for the re-executed image.
func (s *sockets) handover() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, handoverEnv+"=") {
			env = append(env, kv)
		}
	}
	list := make([]handedSocket, 0, len(s.kept))
	for _, k := range s.kept {
		if k.file == nil {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(k.FD), unix.F_SETFD, 0); err != nil {
			return nil, fmt.Errorf("pass socket %d (%s) on: %w", k.FD, k.Key, err)
		}
		list = append(list, k.handedSocket)
	}
	for _, f := range s.systemd {
		fd := rawFD(f)
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			return nil, fmt.Errorf("pass socket %d (systemd %q) on: %w", fd, f.Name(), err)
		}
		list = append(list, handedSocket{FD: fd, Key: systemdPassed, Name: f.Name()})
	}
	if len(list) == 0 {
		return env, nil
	}
	b, err := json.Marshal(handoverList{PID: os.Getpid(), Sockets: list})
	if err != nil {
		return nil, err
	}
	return append(env, handoverEnv+"="+string(b)), nil
}

// release closes the kept duplicates when Run ends without a restart (or
// the exec failed), so that the sockets close with their listeners; a unix
// listener still open removes its file as it closes, and the file of one
// kept for a restart that did not happen (a stop signal turned it into a
// stop) is removed too.
func (s *sockets) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.kept {
		_ = k.ln.Close()
		if k.file == nil {
			continue
		}
		_ = k.file.Close()
		if ul, ok := k.ln.(*net.UnixListener); ok && k.Unlink {
			if path := ul.Addr().String(); path != "" && path[0] != '@' {
				_ = os.Remove(path)
			}
		}
	}
	s.kept = nil
	for _, f := range s.systemd {
		_ = f.Close()
	}
	s.systemd = nil
}

// rawFD returns f's descriptor. Unlike os.File.Fd it leaves the descriptor
// non-blocking: the flag belongs to the socket, which a duplicate shares
// with its listener, and a listener on a blocking socket accepts in the
// kernel, where closing the listener at a stop does not end the call, so it
// would take one more connection that the exec then cuts off unanswered.
func rawFD(f *os.File) int {
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(p uintptr) { fd = int(p) })
	}
	return fd
}
