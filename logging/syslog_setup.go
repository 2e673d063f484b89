package logging

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func (s *setup) addSyslog(p *Pipeline, sdID string) error {
	const sec = "logging:syslog"
	on, err := s.boolean(sec, "enabled", false)
	if err != nil || !(on || s.o.Syslog) {
		return err
	}
	av, err := s.str(sec, "address", "/dev/log")
	if err != nil {
		return err
	}
	addr, err := parseSyslogAddress(av)
	if err != nil {
		return fmt.Errorf("logging: [%s] address: %w", sec, err)
	}
	fv, err := s.str(sec, "facility", "local0")
	if err != nil {
		return err
	}
	facility, err := parseFacility(fv)
	if err != nil {
		return err
	}
	format, err := s.str(sec, "format", "3")
	if err != nil {
		return err
	}
	host := s.o.Hostname
	if host == "" {
		if host, err = os.Hostname(); err != nil {
			host = "-"
		}
	}
	app := s.o.AppName
	if app == "" {
		if app, err = s.str("logging", "app_name", filepath.Base(os.Args[0])); err != nil {
			return err
		}
	}
	hdr, err := newSyslogHeader(format, facility, host, app, os.Getpid(), sdID)
	if err != nil {
		return err
	}
	framing, err := s.str(sec, "framing", "")
	if err != nil {
		return err
	}
	newline := addr.network == "unix"
	switch strings.ToLower(framing) {
	case "":
	case "octet-counting", "octet":
		newline = false
	case "newline", "non-transparent":
		newline = true
	default:
		return fmt.Errorf("logging: [%s] framing = %q: want octet-counting or newline", sec, framing)
	}
	qv, err := s.str(sec, "queue_size", "1000")
	if err != nil {
		return err
	}
	queue, err := strconv.Atoi(qv)
	if err != nil || queue < 1 {
		return fmt.Errorf("logging: [%s] queue_size = %q: want a positive number of lines", sec, qv)
	}
	out := newSyslogOutput(syslogOptions{hdr: hdr, addr: addr, newline: newline, queue: queue,
		clock: p.clock, errw: s.stderr()})
	s.add(p, out)
	p.syslogs = append(p.syslogs, out)
	return nil
}
