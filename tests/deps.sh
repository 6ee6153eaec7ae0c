#!/bin/sh
# Installs the Debian packages that the build, the tests and the demo need,
# when some are missing: with apt-get when run as root, otherwise it says
# which packages to install and stops.
PKGS="build-essential pkg-config zlib1g-dev libdeflate-dev librrd-dev rrdtool libssh2-1-dev libcmocka-dev
      gnuplot-nox rsync openssh-server openssh-client python3 chromium clang libclang-rt-14-dev
      valgrind time procps file imagemagick util-linux rrdcached mawk prometheus"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "pxstats: missing Debian packages:$missing" >&2
    echo "pxstats: install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "pxstats: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
