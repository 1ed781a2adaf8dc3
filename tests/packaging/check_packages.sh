#!/bin/sh
# Builds every package (packaging/build-packages.sh: its own release build, lintian and rpmlint
# gates), then checks them without installing into this system:
#  - every file of every .deb and .rpm is under /usr's standard folders (no /usr/local, no build
#    paths), the plugins only in libdecent-cuda0 / decent-cuda;
#  - no package but libdecent-cuda0 depends on or ships CUDA;
#  - the .debs but libdecent-cuda0, unpacked into a scratch root, run `decent train` (lenet, a few
#    steps) and import the Python package, and the command reports its CUDA plugin absent;
#  - the .rpms install into an `rpm --root` (--nodeps: no RPM-based root can be built here) and
#    `rpm -V` finds every file as packaged.
# Usage: check_packages.sh SOURCE_DIR WORK_DIR; skips (77) without the packaging tools.
set -eu
source=$1 work=$2
for tool in lintian rpmbuild rpmlint help2man dpkg-shlibdeps; do
  command -v $tool > /dev/null ||
    { echo "skipped: $tool is missing (apt-get install lintian rpm rpmlint help2man dpkg-dev)"; exit 77; }
done
fail() { echo "FAILED: $*"; exit 1; }
dist=$work/dist
DECENT_PACKAGE_BUILD_DIR=$work/build bash "$source/packaging/build-packages.sh" "$dist"

echo "== layout"
for deb in "$dist"/*.deb; do
  bad=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\.||' |
    grep -Ev '^/usr/?$|^/usr/(bin|include|lib|share)(/|$)' || true)
  [ -z "$bad" ] || fail "$(basename "$deb") has files outside /usr's folders: $bad"
  dpkg-deb -c "$deb" | grep -q '/usr/local\|/work/\|lib64' && fail "$(basename "$deb"): bad path"
  case $(basename "$deb") in
    libdecent-cuda0_*) ;;
    *) dpkg-deb -c "$deb" | grep -q 'libdecent_cuda\|libdecent_gpu' &&
         fail "$(basename "$deb") ships a CUDA plugin"
       dpkg-deb -f "$deb" Depends | grep -qi 'cuda\|cudnn\|nccl' &&
         fail "$(basename "$deb") depends on CUDA: $(dpkg-deb -f "$deb" Depends)" ;;
  esac
done
for rpm in "$dist"/*.rpm; do
  bad=$(rpm -qlp "$rpm" 2>/dev/null | grep -Ev '^/usr/(bin|include|lib|share)(/|$)' || true)
  [ -z "$bad" ] || fail "$(basename "$rpm") has files outside /usr's folders: $bad"
done

echo "== the .debs without libdecent-cuda0, unpacked"
root=$work/unpacked
rm -rf "$root" && mkdir -p "$root"
for deb in "$dist"/*.deb; do
  case $(basename "$deb") in libdecent-cuda0_*) ;; *) dpkg-deb -x "$deb" "$root" ;; esac
done
"$root/usr/bin/decent" --version | grep -q '"cuda_plugin":"not loaded' ||
  fail "the unpacked decent found a CUDA plugin: $("$root/usr/bin/decent" --version)"
if [ -d /usr/share/datasets/fashion-mnist ]; then
  "$root/usr/bin/decent" train --model lenet --nodes 4 --max-steps 20 --train-limit 2000 \
    --test-limit 500 --out "" -q | grep -q "final: test accuracy" || fail "decent train"
else
  echo "(no Fashion-MNIST here: decent train on synthetic data instead)"
  "$root/usr/bin/decent" train --model lenet --data synthetic --nodes 4 --max-steps 20 --out "" -q |
    grep -q "final: test accuracy" || fail "decent train"
fi
PYTHONPATH=$root/usr/lib/python3/dist-packages /usr/bin/python3 -c \
  "import decent; assert decent.__file__.startswith('$root'); assert decent.Topology('base:k=1', 12).period == 5" ||
  fail "the unpacked Python package"

echo "== the .rpms into an rpm --root"
rroot=$work/rpmroot
rm -rf "$rroot" && mkdir -p "$rroot"
rpm --root "$rroot" --initdb
rpm --root "$rroot" -i --nodeps --noscripts "$dist"/*.rpm
rpm --root "$rroot" -Va --nodeps --noscripts > "$work/rpm-verify.txt" 2>&1 ||
  fail "rpm -V: $(cat "$work/rpm-verify.txt")"
echo "packages: $(ls "$dist" | wc -l) built, lint-clean, laid out as Debian and RPM expect"
