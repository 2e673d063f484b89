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
	app, err := s.appName()
	if err != nil {
		return err
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
	if hdr.format == '3' && !addr.remote() {
		hdr.host = "" // as glibc's syslog(3): the local daemon adds the host name
	}
	sk := newSyslogSink(&syslogSink{addr: addr, newline: newline, errw: s.stderr()})
	s.add(p, newOutput("syslog:"+addr.String(), renderer{format: formatSyslog, hdr: hdr}, sk, queue))
	return nil
}

// appName is the application's name in syslog and journal lines: Options'
// AppName, else [logging] app_name, else the program's file name.
func (s *setup) appName() (string, error) {
	if s.o.AppName != "" {
		return s.o.AppName, nil
	}
	return s.str("logging", "app_name", filepath.Base(os.Args[0]))
}
