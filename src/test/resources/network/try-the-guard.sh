#!/bin/bash
# For NetworkPolicyIT: what a prompt-injected agent tries on the full policy's guard, as root
# wherever it runs it (the agent with sudo, a root sibling, a build's RUN step), with tools it
# brought along in DIR (the host's nft, ip and iptables with their libraries).
# Prints "attack:WHO:WHAT:EXIT" for each try, then "probe:WHO:" and what a connection to
# this machine's address got.
who=$1; dir=$2; probe=$3
export LD_LIBRARY_PATH=$dir
try() {
  local what=$1; shift
  "$@" >/dev/null 2>&1
  echo "attack:$who:$what:$?"
}
try nft-flush "$dir/nft" flush ruleset
try nft-delete "$dir/nft" delete table inet burrow_guard
try ip-route "$dir/ip" route add 10.99.0.0/16 dev lo
try iptables-flush "$dir/iptables" -F
try iptables-policy "$dir/iptables" -P OUTPUT ACCEPT
echo "probe:$who:$(echo "$probe" | base64 -d | python3)"
