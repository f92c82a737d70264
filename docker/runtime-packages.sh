#!/bin/sh
# Prints the Debian packages that hold the shared libraries a program links directly (its NEEDED
# entries, resolved by ldd, looked up with dpkg -S), one per line. Fails when a library is not
# found or belongs to no package. Used by docker/Dockerfile: the runtime stage installs these.
set -eu

bin=$1
libs=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
[ -n "$libs" ] || { echo "runtime-packages.sh: $bin links no shared library" >&2; exit 1; }
resolved=$(ldd "$bin")

for lib in $libs; do
	path=$(printf '%s\n' "$resolved" | awk -v lib="$lib" '
		$2 == "=>" && $1 == lib { print $3; exit }
		$2 != "=>" && $1 ~ ("/" lib "$") { print $1; exit }')
	case "$path" in
	/*) ;;
	*) echo "runtime-packages.sh: $lib: not found by ldd" >&2; exit 1 ;;
	esac
	# Debian 12 has a merged /usr but dpkg may know the file under either name.
	pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null) || {
		echo "runtime-packages.sh: $lib ($path) belongs to no package" >&2
		exit 1
	}
	printf '%s\n' "$pkg" | sed -n '1s/^\([^:]*\):.*/\1/p'
done | sort -u
