#!/usr/bin/env bash
# `./burrow test`: the whole suite. Run as root (as CI does), it installs what the host
# needs, then runs the suite as an unprivileged user with rootless Podman, because that
# is how Burrow runs in production. Run as a normal user, it runs the suite as that user.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$root/scripts/lib.sh"

# --fast: the unit tests alone (no Podman, no runner image, no browser), in about a minute.
FAST=
for arg in "$@"; do
  case "$arg" in
    --fast) FAST=1 ;;
    *) echo "burrow test: unknown option $arg (use --fast for the unit tests alone)" >&2; exit 2 ;;
  esac
done

TEST_USER=${BURROW_TEST_USER:-burrow-ci}
CACHE=/var/cache/burrow-test
BASE_IMAGE_OFFLINE=localhost/burrow-base:bookworm
# A second glibc for the environment tests (a user's own image): Debian trixie, made the same way.
TRIXIE_IMAGE=localhost/burrow-base:trixie

log() { echo "burrow test: $*" >&2; }

install_host_packages() {
  local need=()
  # systemd: systemd-analyze checks the user unit `burrow service install` writes.
  # iptables, iproute2: NetworkPolicyIT hands their tools to the agent, which tries them on the guard.
  for p in podman runc uidmap slirp4netns nftables iptables iproute2 fuse-overlayfs debootstrap git maven tmux chromium systemd; do
    # "install ok installed" only: a removed package keeps its config files and dpkg -s still succeeds.
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# Quirks of the build machines (see shared/PODMAN-HERE.md), confined to the test user:
# crun fails on their hybrid cgroups, the default rlimits exceed the hard ones, and
# rootless Podman would fall back to the slow vfs driver.
configure_test_user() {
  if ! id "$TEST_USER" >/dev/null 2>&1; then
    log "creating the unprivileged user $TEST_USER"
    useradd -m -s /bin/bash "$TEST_USER"
  fi
  local home; home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  local conf="$home/.config/containers"
  mkdir -p "$conf"
  local hn hu; hn=$(ulimit -Hn); hu=$(ulimit -Hu)
  [ "$hn" = unlimited ] && hn=65536; [ "$hu" = unlimited ] && hu=65536
  cat > "$conf/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(( hn < 4096 ? hn : 4096 )):$(( hn < 4096 ? hn : 4096 ))", "nproc=$(( hu < 4096 ? hu : 4096 )):$(( hu < 4096 ? hu : 4096 ))"]
[engine]
runtime = "runc"
CONF
  if [ ! -f "$conf/storage.conf" ]; then
    printf '[storage]\ndriver = "overlay"\n' > "$conf/storage.conf"
  fi
  chown -R "$TEST_USER:" "$home/.config"
  # slirp4netns needs the tun device; on these machines it is root-only.
  [ -e /dev/net/tun ] && chmod 666 /dev/net/tun
  mkdir -p "$CACHE/m2"
  chown "$TEST_USER:" "$CACHE" "$CACHE/m2"
}

as_user() { su - "$TEST_USER" -s /bin/bash -c "$1"; }

# No registry is reachable here, so the runner image's base is made with debootstrap.
# On a machine that can pull, set BURROW_BASE_IMAGE=docker.io/library/debian:bookworm.
# debootstrapped SUITE IMAGE WHY: a minimal Debian of that suite imported as IMAGE, its tree kept in the cache.
debootstrapped() {
  local suite=$1 image=$2 why=$3
  if as_user "podman image exists $image"; then return; fi
  local rootfs="$CACHE/$suite-rootfs"
  if [ ! -f "$rootfs/.complete" ]; then
    log "making a Debian $suite image with debootstrap for $why (about a minute)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase "$suite" "$rootfs" http://deb.debian.org/debian >/dev/null
    touch "$rootfs/.complete"
  fi
  log "importing it as $image"
  tar -C "$rootfs" --exclude=./.complete -c . | as_user "podman import - $image" >/dev/null
}
ensure_offline_base_image() { debootstrapped bookworm "$BASE_IMAGE_OFFLINE" "the runner image's base"; }
# A second glibc for the environment tests (a user's own image).
ensure_trixie_image() { debootstrapped trixie "$TRIXIE_IMAGE" "the environment tests"; }

# A small filesystem for the test of a full disk (FaultsIT): a loop-mounted ext4 image, or a
# size-limited tmpfs where loop devices are not available. Kept mounted between runs.
SMALL_FS=$CACHE/small-fs
prepare_small_fs() {
  mkdir -p "$SMALL_FS"
  if ! mountpoint -q "$SMALL_FS"; then
    local image=$CACHE/small-fs.img
    rm -f "$image"
    truncate -s 384M "$image"
    # -m 0: no blocks kept for root; the test user can fill it to the last byte, as a session could.
    if mkfs.ext4 -q -F -m 0 "$image" >/dev/null 2>&1 && mount -o loop "$image" "$SMALL_FS" 2>/dev/null; then
      echo "loop-mounted ext4, 384 MiB" > "$CACHE/small-fs.kind"
    else
      rm -f "$image"
      mount -t tmpfs -o size=384m tmpfs "$SMALL_FS"
      echo "tmpfs, 384 MiB" > "$CACHE/small-fs.kind"
    fi
    log "prepared a small filesystem for the full-disk test at $SMALL_FS ($(cat "$CACHE/small-fs.kind"))"
  fi
  chown "$TEST_USER:" "$SMALL_FS"
  chmod 700 "$SMALL_FS"
  # Rootless Podman works in a mount namespace of its own, copied when the user's first Podman
  # process started: on a host whose mounts do not propagate, a later mount is missing there
  # until that namespace is made again (this stops the test user's containers).
  if ! as_user "podman unshare mountpoint -q '$SMALL_FS'" >/dev/null 2>&1; then
    log "making the test user's Podman namespace again, so that it sees $SMALL_FS"
    as_user "podman system migrate" >/dev/null 2>&1 || true
  fi
}

run_as_root() {
  install_host_packages
  configure_test_user
  if [ -z "$FAST" ]; then prepare_small_fs; fi
  require_java_home
  if [ -z "${BURROW_BASE_IMAGE:-}" ] && [ -z "$FAST" ]; then
    ensure_offline_base_image
    BURROW_BASE_IMAGE=$BASE_IMAGE_OFFLINE
  fi
  if [ -z "$FAST" ]; then ensure_trixie_image; fi
  local home; home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  local work="$home/burrow-src"
  log "copying the tree to $work"
  rm -rf "$work"
  mkdir -p "$work"
  tar -C "$root" --exclude=./target --exclude=./.git --exclude=./node_modules -c . | tar -C "$work" -x
  chown -R "$TEST_USER:" "$work"
  local rc=0
  as_user "cd '$work' && BURROW_TEST_SMALL_FS='$SMALL_FS' BURROW_TEST_SMALL_FS_KIND='$(cat "$CACHE/small-fs.kind" 2>/dev/null)' JAVA_HOME='$JAVA_HOME' BURROW_BASE_IMAGE='${BURROW_BASE_IMAGE:-}' BURROW_TEST_TRIXIE_IMAGE='$TRIXIE_IMAGE' MAVEN_OPTS='-Dmaven.repo.local=$CACHE/m2' scripts/test.sh ${FAST:+--fast}" || rc=$?
  mkdir -p "$root/target"
  for d in surefire-reports failsafe-reports screenshots; do
    if [ -d "$work/target/$d" ]; then cp -r "$work/target/$d" "$root/target/"; fi
  done
  return $rc
}

run_as_user() {
  require_java_home
  require_maven
  cd "$root"
  if [ -n "$FAST" ]; then
    log "running the unit tests"
    mvn -B test
    return
  fi
  log "building the jar"
  mvn -B -q -DskipTests package
  log "checking the host (./burrow doctor)"
  "$root/burrow" doctor || true
  log "making sure the runner image exists"
  "$root/burrow" image build --if-missing ${BURROW_BASE_IMAGE:+--base-image "$BURROW_BASE_IMAGE"}
  log "running the suite"
  mvn -B verify
}

if [ "$(id -u)" = 0 ] && [ -z "${BURROW_TEST_AS_ROOT:-}" ]; then
  run_as_root
else
  run_as_user
fi
