#!/bin/sh
# An emulated cluster on one machine: N hosts, each a network namespace with its own hostname,
# linked by veth pairs to a bridge in a "switch" namespace, each link shaped with tc (rate both
# ways: the host's egress and the switch port's egress to it). OpenMPI starts its daemons in the
# hosts through an rsh agent that enters the host's namespace instead of using ssh, and mpirun
# itself runs in host 0, so no traffic ever leaves the namespaces made here: addresses exist only
# on their veths and nothing is routed from the root namespace.
#
#   cluster.sh up    [--name NAME] [--hosts N] [--rate RATE] [--delay DELAY]
#   cluster.sh mpirun [--name NAME] [--np N] [--on K,K,...] [--map] -- [MPIRUN OPTIONS] PROGRAM ARGS...
#                                                             (--on: only these hosts, e.g. survivors)
#   cluster.sh exec  [--name NAME] --host K -- COMMAND ...   (a command in host K)
#   cluster.sh fault [--name NAME] --host K kill|stop|cont|link-down|link-up PATTERN
#   cluster.sh down  [--name NAME]
#   cluster.sh check                                          (exit 77 where namespaces are not allowed)
#   cluster.sh run   [--name NAME] -- COMMAND ...              (COMMAND with the cluster up; 77 if
#                                                              it could not be made: a skip)
#
# NAME defaults to $DECENT_CLUSTER_NAME or "dc" (at most 4 characters: interface names stay short); N to 4 (1..8);
# RATE to 1gbit (tc units; "none" leaves the links unshaped); DELAY to 50us. Every command is
# bounded: "up" cleans up after itself when a step fails, "down" removes every namespace of NAME.
# The one-way delay needs the kernel's netem qdisc: where it is missing, "up" says so and shapes
# the rate only (the veth's own latency is a few microseconds).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
state_root=${DECENT_CLUSTER_STATE:-/run/decent-cluster}
name=${DECENT_CLUSTER_NAME:-dc} hosts=4 rate=1gbit delay=50us np="" host="" map=0 on=""
command=${1:-}
[ $# -gt 0 ] && shift

die() { echo "cluster.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --name) name=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --delay) delay=$2; shift 2 ;;
    --np) np=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --map) map=1; shift ;;
    --on) on=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done

case $name in
  [a-z]|[a-z][a-z0-9]|[a-z][a-z0-9][a-z0-9]|[a-z][a-z0-9][a-z0-9][a-z0-9]) ;;
  *) die "--name '$name': 1 to 4 lower-case letters or digits, starting with a letter" ;;
esac
state=$state_root/$name
switch_ns=$name-switch
host_ns() { echo "$name-h$1"; }
host_ip() { echo "10.213.0.$(($1 + 1))"; }
subnet=10.213.0.0/24

# Whether namespaces, veths, bridges and the tbf qdisc are allowed here (a trial namespace).
check() {
  # (DECENT_CLUSTER_UNAVAILABLE="reason" pretends, to test the skip path.)
  [ -z "${DECENT_CLUSTER_UNAVAILABLE:-}" ] || { echo "$DECENT_CLUSTER_UNAVAILABLE"; return 77; }
  [ "$(id -u)" -eq 0 ] || { echo "not root: network namespaces need root"; return 77; }
  command -v ip > /dev/null && command -v tc > /dev/null || { echo "ip or tc missing (iproute2)"; return 77; }
  probe=$name-probe
  ip netns del "$probe" 2> /dev/null || true
  if ! ip netns add "$probe" 2> /dev/null; then
    echo "network namespaces are not permitted here"
    return 77
  fi
  ok=0
  if ip -n "$probe" link add br0 type bridge 2> /dev/null &&
    ip -n "$probe" link add a0 type veth peer name a1 2> /dev/null &&
    ip netns exec "$probe" tc qdisc add dev a0 root tbf rate 1gbit burst 256kb latency 20ms 2> /dev/null; then
    ok=1
  fi
  ip netns del "$probe"
  [ $ok -eq 1 ] || { echo "veth, bridge or the tbf qdisc is not permitted here"; return 77; }
  return 0
}

# tc on one side of a link: the rate (tbf) and, where netem exists, the delay under it.
shape() { # NS DEV
  [ "$rate" = none ] && return 0
  # A burst of at least 256 KiB: veth hands over segmentation-offloaded packets of up to 64 KiB,
  # and tbf drops what does not fit its bucket; the queue holds 20 ms at the rate.
  if [ "$delay" != 0 ] && [ "$delay" != 0us ] && [ "$netem" -eq 1 ]; then
    ip netns exec "$1" tc qdisc add dev "$2" root handle 1: netem delay "$delay"
    ip netns exec "$1" tc qdisc add dev "$2" parent 1:1 handle 10: tbf rate "$rate" burst 256kb latency 20ms
  else
    ip netns exec "$1" tc qdisc add dev "$2" root tbf rate "$rate" burst 256kb latency 20ms
  fi
}

down() {
  for ns in $(ip netns list 2> /dev/null | awk '{print $1}'); do
    case $ns in "$name"-switch | "$name"-h[0-9]) ip netns del "$ns" ;; esac
  done
  rm -rf "$state" "$state.unavailable"
}

up() {
  case $hosts in [1-8]) ;; *) die "--hosts $hosts: 1 to 8" ;; esac
  mkdir -p "$state_root"
  rm -f "$state.unavailable"
  if ! reason=$(check 2>&1); then
    # Kept for the tests that need the cluster: they skip naming this reason.
    echo "$reason" > "$state.unavailable"
    echo "cluster.sh up: skipped: $reason"
    exit 77
  fi
  down
  trap 'down' EXIT
  mkdir -p "$state"
  # netem present? (tried in a throw-away namespace; nothing else is touched)
  netem=0
  ip netns add "$name-probe"
  ip -n "$name-probe" link add a0 type veth peer name a1
  ip netns exec "$name-probe" tc qdisc add dev a0 root netem delay 1ms 2> /dev/null && netem=1
  ip netns del "$name-probe"
  if [ "$delay" != 0 ] && [ "$delay" != 0us ] && [ $netem -eq 0 ]; then
    echo "cluster.sh: this kernel has no netem qdisc: links get the rate $rate but not the delay $delay" >&2
    applied_delay=none
  else
    applied_delay=$delay
  fi
  ip netns add "$switch_ns"
  ip -n "$switch_ns" link set lo up
  ip -n "$switch_ns" link add br0 type bridge
  ip -n "$switch_ns" link set br0 up
  i=0
  while [ $i -lt "$hosts" ]; do
    ns=$(host_ns $i)
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Both ends made inside namespaces of ours: the root namespace never sees them.
    ip -n "$switch_ns" link add "p$i" type veth peer name eth0 netns "$ns"
    ip -n "$switch_ns" link set "p$i" master br0 up
    ip -n "$ns" addr add "$(host_ip $i)/24" dev eth0
    ip -n "$ns" link set eth0 up
    # A host whose link is down is given up after about 13 s of unanswered retransmissions
    # (5 retries from 200 ms), not the 15 minutes of the default 15: so mpirun, after a rank's
    # error, does not wait that long for the lost host's daemon. Set in our namespaces only.
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=5
    shape "$ns" eth0
    shape "$switch_ns" "p$i"
    echo "h$i $ns $(host_ip $i)" >> "$state/hosts"
    i=$((i + 1))
  done
  cat > "$state/config" << EOF
hosts=$hosts
rate=$rate
delay=$applied_delay
subnet=$subnet
EOF
  trap - EXIT
  echo "cluster $name: $hosts hosts on $subnet, rate $rate, delay $applied_delay"
}

need_state() {
  [ -f "$state/hosts" ] && return 0
  if [ -f "$state.unavailable" ]; then
    echo "SKIP: the emulated cluster cannot be made here: $(cat "$state.unavailable")"
    exit 77
  fi
  die "no cluster '$name' is up (cluster.sh up --name $name)"
}

# The namespace of host K (a number or hK).
ns_of() {
  k=${1#h}
  case $k in [0-9]) ;; *) die "--host '$1': a host number" ;; esac
  ns=$(awk -v h="h$k" '$1 == h {print $2}' "$state/hosts")
  [ -n "$ns" ] || die "host $1 is not in cluster '$name'"
  echo "$ns"
}

# Runs COMMAND in host K's namespace with the host's own hostname (UTS namespace), so OpenMPI's
# session directories and node names do not collide between the emulated hosts.
in_host() { # K COMMAND...
  ns=$(ns_of "$1")
  shift
  exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "h${ns##*-h}" "$@"
}

case $command in
  check) check ;;
  up) up ;;
  down) down ;;
  run)
    need_state
    DECENT_CLUSTER_NAME=$name exec "$@"
    ;;
  exec)
    need_state
    [ -n "$host" ] || die "exec: --host K"
    in_host "$host" "$@"
    ;;
  mpirun)
    need_state
    [ $# -gt 0 ] || die "mpirun: a program after --"
    . "$state/config"
    # Ranks go round-robin over the hosts (--map-by node: rank r on host r mod N), one daemon
    # per host; 8 slots each, so any -np up to 8 x N fits.
    slots=$(awk -v on=",$on," 'on == ",," || index(on, "," substr($1, 2) ",") {
      printf "%s%s:8", (n++ ? "," : ""), $1 }' "$state/hosts")
    [ -n "$slots" ] || die "mpirun --on '$on': no such host"
    # mpirun runs in the first host of the list (h0 unless --on leaves it out).
    first=$(echo "$slots" | cut -d: -f1)
    agent=$here/rsh_agent.sh
    DECENT_CLUSTER_STATE=$state_root DECENT_CLUSTER_NAME=$name \
      in_host "$first" env DECENT_CLUSTER_STATE="$state_root" DECENT_CLUSTER_NAME="$name" \
      mpirun --allow-run-as-root --host "$slots" ${np:+-np "$np"} --map-by node --bind-to none \
      --mca plm_rsh_agent "$agent" --mca btl tcp,self --mca btl_tcp_if_include "$subnet" \
      --mca oob_tcp_if_include "$subnet" --mca pml ob1 --mca osc '^ucx' \
      --mca oob_tcp_keepalive_time 15 --mca oob_tcp_keepalive_intvl 2 \
      --mca oob_tcp_keepalive_probes 3 \
      $( [ $map -eq 1 ] && echo --display-map) "$@"
    ;;
  fault)
    need_state
    [ -n "$host" ] || die "fault: --host K"
    what=${1:-}
    pattern=${2:-}
    ns=$(ns_of "$host")
    k=${host#h}
    case $what in
      link-down) ip -n "$switch_ns" link set "p$k" down ;;
      link-up) ip -n "$switch_ns" link set "p$k" up ;;
      kill | stop | cont)
        [ -n "$pattern" ] || die "fault $what: a process pattern"
        signal=$(echo "$what" | sed 's/kill/KILL/;s/stop/STOP/;s/cont/CONT/')
        # Only processes inside the host's namespace.
        pids=$(ip netns pids "$ns" | while read -r p; do
          tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null | grep -q -- "$pattern" && echo "$p"
        done)
        [ -n "$pids" ] || die "fault $what: no process matching '$pattern' in host $host"
        # shellcheck disable=SC2086
        kill -s "$signal" $pids
        echo "$pids"
        ;;
      *) die "fault: kill|stop|cont PATTERN, link-down or link-up" ;;
    esac
    ;;
  *) die "usage: cluster.sh up|mpirun|exec|fault|down|check [options] (see the script's header)" ;;
esac
