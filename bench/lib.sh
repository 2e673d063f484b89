# bench/lib.sh: shell helpers the bench scripts source.

# need COMMAND PACKAGE: installs the Debian package when the command is
# missing (apt-get update once per script).
need() {
	if command -v "$1" >/dev/null 2>&1; then
		return 0
	fi
	echo "$1 not found; installing $2 from Debian packages" >&2
	if [ "${bench_apt_updated:-0}" = 0 ]; then
		apt-get update -qq >/dev/null
		bench_apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# build_web DIR PORT ACCESS_LOG EXTRA: builds bench/webbare and
# examples/webserver into DIR and writes DIR/webserver.conf for the
# example: listening on 127.0.0.1 PORT, access_log ACCESS_LOG, the EXTRA
# lines in [web], the log to the file DIR/access.log only.
build_web() {
	go build -o "$1/webbare" ./bench/webbare
	go build -o "$1/webserver" ./examples/webserver
	{
		printf '[web]\nlisten=127.0.0.1 %s\naccess_log=%s\n' "$2" "$3"
		if [ -n "$4" ]; then printf '%s\n' "$4"; fi
		printf '[logging:console]\nenabled=false\n[logging:file]\npath=%s/access.log\n' "$1"
	} >"$1/webserver.conf"
}

# baseline_args DIR BASELINE: prints bench/webbare's arguments for the
# baseline named: log (bare echo as run in production: the framework's
# default timeouts, echo's Recover and an access log to
# DIR/bare-access.log, one write per request), log-async (the same through
# zerolog's diode writer) or bare (none: bare echo with nothing).
baseline_args() {
	case $2 in
	bare) ;;
	log) echo "-access-log $1/bare-access.log" ;;
	log-async) echo "-access-log $1/bare-access.log -access-log-async" ;;
	*)
		echo "BASELINE must be bare, log or log-async, not $2" >&2
		return 1
		;;
	esac
}
