package logging

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func (s *setup) addSyslog(p *Pipeline, sdID string) {
	const sec = "logging:syslog"
	if !s.boolean(sec, "enabled", false) && !s.o.Syslog {
		return
	}
	addr, err := parseSyslogAddress(s.str(sec, "address", "/dev/log"))
	if err != nil {
		s.fail(fmt.Errorf("logging: [%s] address: %w", sec, err))
	}
	facility, err := parseFacility(s.str(sec, "facility", "local0"))
	s.fail(err)
	host := s.o.Hostname
	if host == "" {
		if host, err = os.Hostname(); err != nil {
			host = "-"
		}
	}
	hdr, err := newSyslogHeader(s.str(sec, "format", "3"), facility, host, s.appName(), os.Getpid(), sdID)
	s.fail(err)
	newline := addr.network == "unix"
	switch framing := s.str(sec, "framing", ""); strings.ToLower(framing) {
	case "":
	case "octet-counting", "octet":
		newline = false
	case "newline", "non-transparent":
		newline = true
	default:
		s.fail(fmt.Errorf("logging: [%s] framing = %q: want octet-counting or newline", sec, framing))
	}
	qv := s.str(sec, "queue_size", "1000")
	queue, err := strconv.Atoi(qv)
	if err != nil || queue < 1 {
		s.fail(fmt.Errorf("logging: [%s] queue_size = %q: want a positive number of lines", sec, qv))
	}
	if s.err != nil {
		return
	}
	if hdr.format == '3' && !addr.remote() {
		hdr.host = "" // as glibc's syslog(3): the local daemon adds the host name
	}
	sk := newSyslogSink(&syslogSink{addr: addr, newline: newline, errw: s.stderr()})
	s.add(p, newOutput("syslog:"+addr.String(), renderer{format: formatSyslog, hdr: hdr}, sk, queue))
}

// appName is the application's name in syslog and journal lines: Options'
// AppName, else [logging] app_name, else the program's file name.
func (s *setup) appName() string {
	if s.o.AppName != "" {
		return s.o.AppName
	}
	return s.str("logging", "app_name", filepath.Base(os.Args[0]))
}
