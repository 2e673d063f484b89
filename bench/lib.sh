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
