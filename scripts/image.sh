#!/usr/bin/env bash
# Build the terminal's bootable disk image: Debian 12 with the kiosk installed the way a technician
# installs it (deploy/README.md: `kiosk install --root / --wheel ...`), the kiosk user, cage on tty1
# (kiosk.service), pcscd and cups. Rebuilt only when its inputs change.
#
#   bash scripts/image.sh          # needs root; prints the image's folder on its last line
#
# Output (outside the repository): $KIOSK_CI_CACHE/image/<key>/ with
#   disk.raw      the root file system (ext4, label kiosk-root): boot it as a virtio disk
#   vmlinuz, initrd.img   Debian's kernel and initramfs from the image, for QEMU's direct kernel boot
#   manifest.txt  what went in: the source's key, the package versions, the wheels
# and $KIOSK_CI_CACHE/image/current pointing at the newest. <key> is a hash of every input: the
# app's sources and deploy/ (as committed, or with KIOSK_IMAGE_SOURCE=worktree as edited), this
# script and deploy/image/. Debian's and PyPI's packages are pinned by the suite and pyproject.toml.
#
# How: debootstrap (minbase + python3), apt-get install deploy/image/packages.txt in the root, the
# project's wheel and its dependencies built here (`pip wheel`, pyscard compiled once) and installed
# in the root with no index, then `kiosk install --root /` run inside the root from the source tree,
# then deploy/image/files/ over it. The file system is made from the folder (mkfs.ext4 -d): no loop
# devices, no mounts outside a private namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KIOSK_CI_CACHE:-/var/cache/kiosk-ci}
SUITE=bookworm
ARCH=$(dpkg --print-architecture)

say() { echo "image: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} on this machine"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
mkdir -p "$CACHE/image" "$CACHE/apt-archives/partial"
exec 8>"$CACHE/image/lock"
flock -w 3600 8 || die "another image build holds $CACHE/image/lock"

t0=$(now)
WORK=$CACHE/image/work
rm -rf "$WORK"
mkdir -p "$WORK/src"
# ---- the inputs: the repository's committed files (or the tracked files as edited)
if [ "${KIOSK_IMAGE_SOURCE:-HEAD}" = worktree ]; then
  git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$WORK/src" -xf -
else
  git archive HEAD | tar -C "$WORK/src" -xf -
fi
INPUTS=(pyproject.toml kiosk drivers screens config refserver deploy scripts/image.sh)
KEY=$(cd "$WORK/src" && for i in "${INPUTS[@]}"; do [ -e "$i" ] && printf '%s\0' "$i"; done |
  xargs -0 -I{} find {} -type f -print0 | sort -z | xargs -0 sha256sum |
  { cat; echo "$SUITE $ARCH"; } | sha256sum | cut -c1-16)
OUT=$CACHE/image/$KEY
if [ -f "$OUT/disk.raw" ] && [ -f "$OUT/manifest.txt" ]; then
  rm -rf "$WORK"
  ln -sfn "$KEY" "$CACHE/image/current"
  say "unchanged inputs: image $KEY already built ($(since "$t0") s)"
  echo "$OUT"
  exit 0
fi
say "building image $KEY (log: $WORK/build.log)"
LOG=$WORK/build.log
: >"$LOG"
logged() {  # logged WHAT CMD...: output into the log; its tail on failure
  local what=$1
  shift
  echo "== $what" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    tail -n 30 "$LOG" | sed 's/^/  | /' >&2
    die "$what failed (log: $LOG)"
  fi
}

# ---- the project's wheel and every dependency's, built on this machine (same Python minor version
# and glibc as Debian 12's): the image installs them with no index and needs no compiler
[ -x .venv/bin/python ] || bash scripts/bootstrap.sh >&2
t=$(now)
logged "pip wheel" .venv/bin/python -m pip wheel --wheel-dir "$WORK/wheels" "$WORK/src"
say "wheels built in $(since "$t") s"

# ---- Debian 12
MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$SUITE" '$2 == s { print $1; exit }')
[ -n "$MIRROR" ] || die "no $SUITE source in this machine's apt configuration"
ROOT=$WORK/root
t=$(now)
logged debootstrap debootstrap --variant=minbase --include=python3 --arch="$ARCH" \
  --cache-dir="$CACHE/apt-archives" "$SUITE" "$ROOT" "$MIRROR"
apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$SUITE" 'index($2, s) == 1' | sort -u |
  while read -r uri release; do echo "deb $uri $release main"; done >"$ROOT/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"  # no service starts while building
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
mkdir -p "$ROOT/var/tmp/wheels" "$ROOT/usr/src/kiosk"
cp "$WORK/wheels"/*.whl "$ROOT/var/tmp/wheels/"
cp -a "$WORK/src/." "$ROOT/usr/src/kiosk/"
say "debootstrap in $(since "$t") s"

# Commands in the root run in private mount and PID namespaces; /proc/sys is read-only there, so
# that `kiosk install`'s `sysctl --system` cannot change this machine's kernel.
in_root() {
  unshare --mount --pid --fork --kill-child --propagation private -- /bin/sh -c '
    set -e; R=$1; shift
    mount -t proc proc "$R/proc"
    mount --bind "$R/proc/sys" "$R/proc/sys"; mount -o remount,bind,ro "$R/proc/sys"
    mount --rbind /dev "$R/dev"
    mount --bind "$1" "$R/var/cache/apt/archives"; shift
    exec chroot "$R" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 /bin/sh -c "$1"' sh "$ROOT" "$CACHE/apt-archives" "$1"
}
t=$(now)
PKGS=$(grep -v "^\s*#" "$WORK/src/deploy/image/packages.txt" | xargs)
logged "apt-get install" in_root "apt-get update -q && apt-get install -y -q --no-install-recommends $PKGS"
say "Debian packages installed in $(since "$t") s"

# ---- the kiosk, installed as deploy/README.md says: the wheel into /opt/kiosk/venv, then
# `kiosk install --root /` from the source tree (it finds deploy/ there), as root on the terminal
t=$(now)
WHEEL=$(cd "$WORK/wheels" && ls liujiang_kiosk-*.whl)
logged "kiosk install" in_root "set -e
export PIP_NO_INDEX=1 PIP_FIND_LINKS=/var/tmp/wheels PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m venv /opt/kiosk/venv
/opt/kiosk/venv/bin/pip install -q /var/tmp/wheels/$WHEEL
cd /usr/src/kiosk
PYTHONPATH=/usr/src/kiosk /opt/kiosk/venv/bin/python -c 'import sys; from kiosk.cli import main; sys.exit(main())' \
  install --root / --wheel /var/tmp/wheels/$WHEEL
/opt/kiosk/venv/bin/kiosk --help >/dev/null"
say "kiosk installed in $(since "$t") s"

# ---- the system around it: deploy/image/files, graphical boot, network, time zone; no build leftovers
cp -a "$WORK/src/deploy/image/files/." "$ROOT/"
logged "system settings" in_root "set -e
systemctl set-default graphical.target
systemctl enable systemd-networkd.service
ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime
echo Asia/Shanghai >/etc/timezone
rm -rf /usr/src/kiosk /var/tmp/wheels /usr/sbin/policy-rc.d /var/lib/apt/lists/*
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id /etc/resolv.conf
passwd -l root"
# (no apt-get clean in the root: its archives folder is this machine's shared download cache there)
rm -f "$ROOT"/var/cache/apt/archives/*.deb
{
  echo "key $KEY"
  echo "source ${KIOSK_IMAGE_SOURCE:-HEAD} $(git rev-parse HEAD)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "== wheels"
  (cd "$WORK/wheels" && ls)
  echo "== Debian packages"
  chroot "$ROOT" dpkg-query -W -f '${Package} ${Version}\n'
} >"$WORK/manifest.txt"

# ---- kernel, initramfs and the disk
t=$(now)
STAGE=$CACHE/image/$KEY.new
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$(ls "$ROOT"/boot/vmlinuz-* | sort -V | tail -n1)" "$STAGE/vmlinuz"
cp "$(ls "$ROOT"/boot/initrd.img-* | sort -V | tail -n1)" "$STAGE/initrd.img"
used_mb=$(du -sm "$ROOT" | cut -f1)
size_mb=$((used_mb * 13 / 10 + 768))
logged mkfs mkfs.ext4 -q -F -L kiosk-root -d "$ROOT" "$STAGE/disk.raw" "${size_mb}M"
mv "$WORK/manifest.txt" "$LOG" "$STAGE/"
rm -rf "$OUT"
mv "$STAGE" "$OUT"
ln -sfn "$KEY" "$CACHE/image/current"
# older images: keep the newest two
find "$CACHE/image" -mindepth 1 -maxdepth 1 -type d ! -name work -printf '%T@ %p\n' | sort -rn | tail -n +3 |
  cut -d' ' -f2- | xargs -r rm -rf
rm -rf "$WORK"
say "disk made in $(since "$t") s (${used_mb} MB used of ${size_mb} MB)"
say "image $KEY built in $(since "$t0") s"
echo "$OUT"
