package daemon

import (
	"fmt"
	"os/user"
	"strconv"
	"syscall"
)

// Credential resolves the user and group a daemon runs as. Each may be a
// name or a number; empty means "do not change". A user without a group
// takes the user's primary group; a group alone keeps the current user.
// Both empty gives nil. Unknown names are errors naming them.
func Credential(uid, gid string) (*syscall.Credential, error) {
	if uid == "" && gid == "" {
		return nil, nil
	}
	cred := &syscall.Credential{Uid: uint32(syscall.Getuid()), Gid: uint32(syscall.Getgid())}
	if uid != "" {
		u, err := lookupUser(uid)
		if err != nil {
			return nil, err
		}
		n, _ := strconv.ParseUint(u.Uid, 10, 32)
		cred.Uid = uint32(n)
		if gid == "" {
			g, _ := strconv.ParseUint(u.Gid, 10, 32)
			cred.Gid = uint32(g)
		}
	}
	if gid != "" {
		g, err := lookupGroup(gid)
		if err != nil {
			return nil, err
		}
		cred.Gid = g
	}
	return cred, nil
}

func lookupUser(s string) (*user.User, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		if u, err := user.LookupId(s); err == nil {
			return u, nil
		}
		// A numeric uid need not exist in the user database.
		return &user.User{Uid: strconv.FormatUint(n, 10), Gid: strconv.Itoa(syscall.Getgid())}, nil
	}
	u, err := user.Lookup(s)
	if err != nil {
		return nil, fmt.Errorf("uid %q: %w", s, err)
	}
	return u, nil
}

func lookupGroup(s string) (uint32, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n), nil
	}
	g, err := user.LookupGroup(s)
	if err != nil {
		return 0, fmt.Errorf("gid %q: %w", s, err)
	}
	n, err := strconv.ParseUint(g.Gid, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("gid %q: group id %q: %w", s, g.Gid, err)
	}
	return uint32(n), nil
}

// ParseUmask parses an octal umask such as "022", "0027" or "0o077".
// Empty gives -1: leave the umask alone.
func ParseUmask(s string) (int, error) {
	if s == "" {
		return -1, nil
	}
	t := s
	if len(t) > 2 && (t[:2] == "0o" || t[:2] == "0O") {
		t = t[2:]
	}
	n, err := strconv.ParseUint(t, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("umask %q: want an octal number from 000 to 777", s)
	}
	return int(n), nil
}
