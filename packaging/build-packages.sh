#!/usr/bin/env bash
# Builds every package of docs/packaging.md into dist/ from this checkout: a release build with
# the /usr prefix (its own folder, build-packages/), CPack's .deb and .rpm components, then the
# gates: lintian on every .deb (no errors, no warnings left without a written override) and
# rpmlint on every .rpm (no errors).
#   bash packaging/build-packages.sh [DIST_DIR]      (default dist/; about 10 minutes on 2 cores,
#   2 when ccache holds the objects of a build of the same checkout: DECENT_CCACHE)
# Needs the build's Debian packages (packaging/setup.sh) and dpkg-dev, lintian, rpm, rpmlint,
# help2man.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$(realpath -m "${1:-$root/dist}")
build=${DECENT_PACKAGE_BUILD_DIR:-$root/build-packages}
for tool in cmake ninja cpack dpkg-shlibdeps lintian rpmbuild rpmlint help2man; do
  command -v "$tool" > /dev/null ||
    { echo "build-packages: $tool is missing (apt-get install dpkg-dev lintian rpm rpmlint help2man)"; exit 1; }
done
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DDECENT_BUILD_TESTS=OFF -DDECENT_BUILD_EXAMPLES=OFF > "$build/configure.log"
cmake --build "$build"
rm -rf "$build/dist" "$dist"
(cd "$build" && cpack -G DEB > cpack-deb.log && cpack -G RPM > cpack-rpm.log)
mkdir -p "$dist"
cp "$build"/dist/*.deb "$build"/dist/*.rpm "$dist"/
echo "== lintian"
lintian --fail-on error,warning \
  "$dist"/*.deb
echo "== rpmlint"
# rpmlint exits 64 when it finds errors (66 for badness); warnings alone pass.
rpmlint -r "$root/packaging/rpmlintrc" "$dist"/*.rpm || { echo "rpmlint: errors"; exit 1; }
ls -l "$dist"
