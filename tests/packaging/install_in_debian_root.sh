#!/bin/sh
# Installs the .debs into a minimal Debian 12 root made with debootstrap and uses them as a user
# would (docs/packaging.md):
#  - apt installs every package but libdecent-cuda0, with their dependencies from Debian;
#  - no CUDA library is in the root, and `decent train` runs (lenet, 50 steps, 4 nodes, on the
#    packaged Fashion-MNIST);
#  - the C example builds with `pkg-config --cflags --libs decent` and with a CMake project
#    calling find_package(decent 0 REQUIRED), and both run;
#  - Python imports decent and trains briefly; Java runs the example against
#    /usr/share/java/decent.jar and the JNI library in the multiarch jni folder;
#  - `dpkg -L` lists nothing outside the Debian layout; `apt remove --purge` leaves no file.
# The minbase root is cached ($DECENT_DEBIAN_ROOT_CACHE, default /var/cache/decent) as a
# tarball; without it debootstrap makes one from the mirror of this machine's apt sources
# (about 5 minutes). Every chroot command is bounded; /proc is unmounted on any exit.
# Usage: install_in_debian_root.sh SOURCE_DIR BUILD_DIR DIST_DIR WORK_DIR
# Skips (77) when not root or without debootstrap.
set -eu
source=$1 build=$2 dist=$3 work=$4
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root (debootstrap, chroot)"; exit 77; }
command -v debootstrap > /dev/null || { echo "skipped: debootstrap is missing (apt-get install debootstrap)"; exit 77; }
ls "$dist"/libdecent0_*.deb > /dev/null 2>&1 || { echo "FAILED: no packages in $dist"; exit 1; }
fail() { echo "FAILED: $*"; exit 1; }
cache=${DECENT_DEBIAN_ROOT_CACHE:-/var/cache/decent}
tarball=$cache/bookworm-minbase.tar.gz
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /^http/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
if [ ! -f "$tarball" ]; then
  mkdir -p "$cache"
  fresh=$cache/root.$$
  echo "debootstrap --variant=minbase bookworm from $mirror (cached in $tarball)"
  timeout 1200 debootstrap --variant=minbase bookworm "$fresh" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log"; rm -rf "$fresh"; fail "debootstrap"; }
  tar -C "$fresh" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$fresh"
fi
root=$work/root
cleanup() { umount "$root/proc" 2> /dev/null || true; }
trap cleanup EXIT
cleanup
rm -rf "$root" && mkdir -p "$root"
tar -C "$root" -xzf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true
mount -t proc proc "$root/proc"
in_root() { timeout "${limit:-600}" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root DEBIAN_FRONTEND=noninteractive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "$@"; }

mkdir -p "$root/tmp/debs" "$root/tmp/src"
for deb in "$dist"/*.deb; do
  case $(basename "$deb") in libdecent-cuda0_*) ;; *) cp "$deb" "$root/tmp/debs/" ;; esac
done
cp "$source/examples/c/train_fashion_mnist.c" "$root/tmp/src/"
cp "$source/tests/packaging/find_package/CMakeLists.txt" "$root/tmp/src/"
cp "$source/examples/python/train_fashion_mnist.py" "$root/tmp/src/"
cp "$build"/examples/java-classes/TrainFashionMnist.class "$root/tmp/src/" 2> /dev/null ||
  fail "the Java example is not built in $build (examples/java-classes)"

echo "== apt install"
in_root apt-get update -qq > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update"; }
limit=1500 in_root sh -c 'apt-get install -y -qq --no-install-recommends /tmp/debs/*.deb' \
  >> "$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "apt install of the packages"; }
in_root dpkg -L libdecent0 libdecent-dev decent python3-decent libdecent-java libdecent-jni \
  julia-decent | sort -u > "$work/listed"
bad=$(grep -Ev '^/usr/?$|^/usr/(bin|include|lib|share)(/|$)|^/\.$' "$work/listed" || true)
[ -z "$bad" ] || fail "dpkg -L lists files outside the Debian layout: $bad"
in_root sh -c 'ls /usr/lib/*/libcuda* /usr/lib/*/libcudnn* /usr/local/cuda 2> /dev/null' &&
  fail "a CUDA library is in the root"
in_root decent --version | grep -q '"cuda_plugin":"not loaded' || fail "decent found a CUDA plugin"

echo "== decent train on the packaged Fashion-MNIST"
limit=1500 in_root apt-get install -y -qq --no-install-recommends dataset-fashion-mnist gcc libc6-dev \
  pkg-config cmake ninja-build python3-numpy default-jre-headless >> "$work/apt.log" 2>&1 ||
  { tail -30 "$work/apt.log"; fail "apt install of the tools"; }
in_root decent train --model lenet --nodes 4 --max-steps 50 --out "" -q | tee "$work/train.log"
grep -q "final: test accuracy" "$work/train.log" || fail "decent train"

echo "== the C example: pkg-config, then find_package"
in_root sh -c 'cd /tmp/src && cc -std=c11 train_fashion_mnist.c $(pkg-config --cflags --libs decent) -o ex-pc && ./ex-pc lenet 40' ||
  fail "the C example built with pkg-config"
in_root sh -c 'cmake -S /tmp/src -B /tmp/cm -G Ninja -DDECENT_EXAMPLE_SOURCE=/tmp/src/train_fashion_mnist.c > /dev/null && cmake --build /tmp/cm > /dev/null && /tmp/cm/train_fashion_mnist lenet 40' ||
  fail "the C example built with find_package(decent)"

echo "== Python and Java"
in_root python3 /tmp/src/train_fashion_mnist.py lenet 40 || fail "the Python example"
in_root java -cp /usr/share/java/decent.jar:/tmp/src TrainFashionMnist lenet 40 || fail "the Java example"

echo "== apt remove --purge"
limit=900 in_root apt-get remove --purge -y -qq libdecent0 >> "$work/apt.log" 2>&1 || fail "apt remove"
left=$(in_root sh -c 'ls -d /usr/lib/*/libdecent* /usr/lib/*/decent /usr/lib/python3/dist-packages/decent /usr/share/java/decent* /usr/include/decent /usr/bin/decent /usr/share/doc/libdecent* /usr/share/julia/packages/Decent 2> /dev/null' || true)
[ -z "$left" ] || fail "files left after apt remove --purge: $left"
echo "installed, used and removed in a clean Debian 12 root"
