#!/usr/bin/env bash
# The README's first command on a clean Debian 12 with only python3, to the kiosk's first drawn frame.
#
# WHY: CI's own machine already has every package the project needs, so a green CI could hide a
# missing install step. This builds a bare Debian 12 root (debootstrap, variant minbase, plus
# python3: nothing else a fresh machine would lack), copies the repository's committed files into it
# and runs `bash scripts/demo.sh` there as root, exactly as the README tells a new user. It passes
# when the app sends READY=1 (kiosk/ops/watchdog.py: after its first frame is drawn) to the
# NOTIFY_SOCKET this script listens on, and when Ctrl+C (SIGINT) then stops the demo.
#
# Only the base root is cached (keyed by the debootstrap parameters below): what bootstrap.sh
# installs is what is being tested, so it is installed afresh each run. Downloads are cached to
# save time: apt's .deb files and pip's cache are bind-mounted into the root.
#
#   bash scripts/ci-clean-root.sh            # needs root; prints timings; exit 0 = pass
#   KIOSK_CI_CACHE=/var/cache/kiosk-ci       # where the root tarball and download caches live
#   KIOSK_ARTIFACTS=artifacts                # the demo's output and bootstrap.log go to clean-root/
#   KIOSK_CLEAN_ROOT_TIMEOUT=1500            # seconds allowed from `bash scripts/demo.sh` to READY=1
#   KIOSK_CLEAN_ROOT_SOURCE=HEAD|worktree    # the committed files (default) or the tracked files as edited
#
# The run happens in private mount and PID namespaces (unshare): the mounts of /proc, /sys, /dev and
# the caches vanish with it, and every process it started dies with it.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

CACHE=${KIOSK_CI_CACHE:-/var/cache/kiosk-ci}
OUT=${KIOSK_ARTIFACTS:-$REPO/artifacts}/clean-root
TIMEOUT=${KIOSK_CLEAN_ROOT_TIMEOUT:-1500}

# ---- the base root's recipe: every input of the cached root is here, and in its cache key
SUITE=bookworm
VARIANT=minbase
INCLUDE=python3
ARCH=$(dpkg --print-architecture)
RECIPE="debootstrap --variant=$VARIANT --include=$INCLUDE --arch=$ARCH $SUITE; apt lists and .debs removed; v1"

say() { echo "clean-root: $*"; }
die() { say "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
command -v git >/dev/null || die "needs git (the tracked files are what is copied into the root)"
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v zstd >/dev/null || need+=(zstd)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} on this machine"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$CACHE/apt-archives/partial" "$CACHE/pip" "$OUT"
exec 9>"$CACHE/lock"
flock -w 1800 9 || die "another clean-root run holds $CACHE/lock"

# The Debian mirror this machine's apt uses (its own sources: no host is named in this script).
MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$SUITE" '$2 == s { print $1; exit }')
[ -n "$MIRROR" ] || die "no $SUITE source in this machine's apt configuration"

KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -c1-16)
TARBALL=$CACHE/$SUITE-root-$KEY.tar.zst
WORK=$CACHE/work
ROOT=$WORK/root

cleanup_work() {
  # Mounts live only in the run's private namespace; refuse to delete anything still mounted here.
  if [ -d "$WORK" ]; then
    if findmnt -rn -o TARGET | grep -q "^$WORK"; then
      die "something is still mounted under $WORK: not deleting it"
    fi
    rm -rf "$WORK"
  fi
}
cleanup_work

t0=$(now)
if [ ! -f "$TARBALL" ]; then
  say "building the base root ($RECIPE) from $MIRROR"
  mkdir -p "$WORK"
  if ! debootstrap --variant="$VARIANT" --include="$INCLUDE" --arch="$ARCH" "$SUITE" "$ROOT" "$MIRROR" \
    >"$OUT/debootstrap.log" 2>&1; then
    tail -n 20 "$OUT/debootstrap.log"
    die "debootstrap failed (log: $OUT/debootstrap.log)"
  fi
  # a fresh machine has no package lists or downloads yet
  rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/archives/*.deb
  tar -C "$ROOT" --numeric-owner --xattrs -cf - . | zstd -q -T0 -3 -o "$TARBALL.new" -f
  mv "$TARBALL.new" "$TARBALL"
  find "$CACHE" -maxdepth 1 -name "$SUITE-root-*.tar.zst" ! -path "$TARBALL" -delete  # older recipes
  rm -rf "$WORK"
  say "base root built and cached in $(since "$t0") s ($TARBALL)"
fi
t1=$(now)
mkdir -p "$ROOT"
zstd -dc "$TARBALL" | tar -C "$ROOT" --numeric-owner --xattrs -xf -
say "clean root unpacked in $(since "$t1") s"

# ---- what a fresh machine of this kind has besides the base system: DNS, the apt sources, and the
# certificate authorities it trusts beyond Debian's (TLS to PyPI may pass through a proxy of its own)
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$SUITE" 'index($2, s) == 1' | sort -u |
  while read -r uri release; do echo "deb $uri $release main"; done >"$ROOT/etc/apt/sources.list"
python3 - "$ROOT/usr/local/share/ca-certificates" <<'EOF'
"""Copy the CAs this machine trusts beyond Debian's own set into the root (none on most machines)."""
import pathlib, re, sys
pem = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
def certs(path):
    try:
        return pem.findall(path.read_text(errors="replace"))
    except OSError:
        return []
known = set()  # Debian's own set (package ca-certificates), which the root gets from apt
for f in pathlib.Path("/usr/share/ca-certificates").rglob("*.crt"):
    known.update(certs(f))
extra = [c for c in certs(pathlib.Path("/etc/ssl/certs/ca-certificates.crt")) if c not in known]
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for i, c in enumerate(extra):
    (out / f"machine-extra-{i}.crt").write_text(c + "\n")
EOF
# services installed by bootstrap.sh must not start inside the chroot (they would run on this host)
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

# ---- the repository as a user gets it: its committed files (HEAD), or with
# KIOSK_CLEAN_ROOT_SOURCE=worktree its tracked files as they are now (to try a change before committing)
mkdir -p "$ROOT/srv/kiosk" "$ROOT/root/.cache/pip" "$ROOT/run/kiosk-ci"
if [ "${KIOSK_CLEAN_ROOT_SOURCE:-HEAD}" = worktree ]; then
  git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$ROOT/srv/kiosk" -xf -
else
  git archive HEAD | tar -C "$ROOT/srv/kiosk" -xf -
fi
say "the repository's $([ "${KIOSK_CLEAN_ROOT_SOURCE:-HEAD}" = worktree ] && echo "tracked files" || echo "commit $(git rev-parse --short HEAD)") copied into the root"

# ---- the README's first command, with the machine's certificate settings and nothing else
ENVS=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb
  NOTIFY_SOCKET=/run/kiosk-ci/notify)
for v in PIP_CERT SSL_CERT_FILE SSL_CERT_DIR REQUESTS_CA_BUNDLE CURL_CA_BUNDLE PIP_DEFAULT_TIMEOUT; do
  if [ -n "${!v:-}" ]; then ENVS+=("$v=${!v}"); fi
done
# shellcheck disable=SC2016  # expanded by the inner shell
INNER='set -e
R=$1
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount --bind "$2" "$R/var/cache/apt/archives"
mount --bind "$3" "$R/root/.cache/pip"
COMMAND=$4
shift 4
chroot "$R" /usr/bin/env -i "$@" /bin/bash -c "cd /srv/kiosk && $COMMAND"'
root_cmd() {  # root_cmd LINE: sets RUN to the command that runs LINE in /srv/kiosk of the root, as root
  RUN=(unshare --mount --pid --fork --kill-child --propagation private -- /bin/sh -c "$INNER" sh
    "$ROOT" "$CACHE/apt-archives" "$CACHE/pip" "$1" "${ENVS[@]}")
}
root_cmd "bash scripts/demo.sh"

say "running 'bash scripts/demo.sh' as root in the clean root (output: $OUT/demo.log)"
set +e
python3 - "$ROOT/run/kiosk-ci/notify" "$TIMEOUT" "$OUT/demo.log" "${RUN[@]}" <<'EOF'
"""Run the demo; wait for READY=1 on the notify socket; then Ctrl+C the app and wait for it to end."""
import os, signal, socket, struct, subprocess, sys, time
sock_path, timeout, log_path, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sock_path)
os.chmod(sock_path, 0o666)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # the sender's pid, as this namespace sees it
sock.settimeout(1.0)
start = time.monotonic()
with open(log_path, "wb") as log:
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    app_pid = None
    try:
        while app_pid is None:
            if proc.poll() is not None:
                print(f"clean-root: FAIL: the demo ended (exit {proc.returncode}) before its first frame")
                sys.exit(1)
            if time.monotonic() - start > timeout:
                print(f"clean-root: FAIL: no first frame within {timeout:.0f} s")
                sys.exit(1)
            try:
                msg, anc, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(12))
            except socket.timeout:
                continue
            if b"READY=1" in msg.split(b"\n"):
                for level, kind, data in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                        app_pid = struct.unpack("iII", data[:12])[0]
                app_pid = app_pid or -1
        print(f"clean-root: first frame drawn (READY=1) {time.monotonic() - start:.1f} s after "
              "'bash scripts/demo.sh' started, set-up included")
        if app_pid <= 0:
            print("clean-root: FAIL: READY=1 came without the sender's pid: cannot send Ctrl+C to it")
            sys.exit(1)
        os.kill(app_pid, signal.SIGINT)  # what Ctrl+C at the terminal sends the demo
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            print("clean-root: FAIL: the demo did not stop within 60 s of Ctrl+C (SIGINT)")
            sys.exit(1)
        print(f"clean-root: Ctrl+C stopped the demo (exit {code})")
        sys.exit(0)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # unshare --kill-child takes the whole namespace down
            proc.wait()
EOF
rc=$?
set -e
cp -f "$ROOT/srv/kiosk/bootstrap.log" "$OUT/bootstrap.log" 2>/dev/null || true
if [ "$rc" -eq 0 ]; then
  # The same command's other mode: one scripted citizen session saved as screenshots. They show what
  # the clean machine really draws (the Chinese font, the software renderer), not only that it drew.
  t2=$(now)
  rm -rf "$OUT/walkthrough"
  root_cmd "bash scripts/demo.sh --walkthrough /srv/walkthrough"
  if timeout 300 "${RUN[@]}" </dev/null >"$OUT/walkthrough.log" 2>&1; then
    cp -r "$ROOT/srv/walkthrough" "$OUT/walkthrough"
    say "walkthrough played in $(since "$t2") s: $(find "$OUT/walkthrough" -name '*.png' | wc -l) screenshots in $OUT/walkthrough"
  else
    say "FAIL: the walkthrough failed (the end of $OUT/walkthrough.log follows)"
    rc=1
    tail -n 30 "$OUT/walkthrough.log" | sed 's/^/  | /'
  fi
fi
if [ "$rc" -ne 0 ]; then
  say "the end of $OUT/demo.log:"
  tail -n 30 "$OUT/demo.log" | sed 's/^/  | /'
  if [ -f "$OUT/bootstrap.log" ]; then
    say "the end of $OUT/bootstrap.log:"
    tail -n 15 "$OUT/bootstrap.log" | sed 's/^/  | /'
  fi
fi
cleanup_work
say "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL) in $(since "$t0") s in all (base root included)"
exit "$rc"
