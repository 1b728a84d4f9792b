#!/usr/bin/env bash
# Builds the GCS NAT lab from scratch (removing any earlier lab first, so running it twice gives the same lab):
#
#   gcsl-inet   bridge br0: the fake internet 203.0.113.0/24 (TEST-NET-3); no address, no link to the host
#   gcsl-node   203.0.113.10   the GCS node            gcsl-turn  203.0.113.20   coturn
#   gcsl-hole   203.0.113.254  default gateway of every public namespace: drops everything
#   per device (see LAB_DEVICES in lab-common.sh):
#     none      gcsl-<dev>      public address on the bridge, no filter
#     firewall  gcsl-<dev>      public address on the bridge, stateful filter: inbound UDP only as a reply
#     cone      gcsl-<dev>-nat  wan 203.0.113.1xx, lan 192.168.N.1; masquerade (endpoint-independent mapping)
#               gcsl-<dev>      eth0 192.168.N.2, default via 192.168.N.1
#     symmetric as cone, with "masquerade random,fully-random" (address-and-port-dependent mapping)
# Every namespace gets lo up, IPv6 off (IPv4-only lab, no link-local candidates) and a default route.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lab-common.sh"
if [ "$(id -u)" -ne 0 ]; then
  echo "lab-up: needs root (network namespaces, nftables)" >&2
  exit 2
fi
for tool in ip nft; do
  command -v "$tool" >/dev/null || { echo "lab-up: $tool missing (run scripts/install-test-deps.sh)" >&2; exit 2; }
done
"$here/lab-down.sh"

P=$LAB_PREFIX
INET=${P}inet
ns_new() {   # ns_new NAME: a namespace with lo up, IPv6 off
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
attach() {   # attach NS IFNAME PORTNAME ADDR/LEN: a veth from NS (as IFNAME) to the bridge (as PORTNAME)
  ip link add "$3" netns "$INET" type veth peer name "$2" netns "$1"
  ip -n "$INET" link set "$3" master br0 up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n "$1" addr add "$4" dev "$2"
  ip -n "$1" link set "$2" up
}

ns_new "$INET"
ip -n "$INET" link add br0 type bridge
ip -n "$INET" link set br0 up
ip -n "$INET" route add blackhole default   # the bridge namespace itself has no address; it routes nothing

ns_new "${P}hole"
attach "${P}hole" eth0 b-hole "$LAB_HOLE_IP/24"
ip -n "${P}hole" route add blackhole default
ip netns exec "${P}hole" nft -f - <<'NFT'
table inet gcsl {
  chain input   { type filter hook input priority filter; policy drop; }
  chain forward { type filter hook forward priority filter; policy drop; }
}
NFT

public_ns() {   # public_ns NS ADDR PORTNAME [IFNAME]
  ns_new "$1"
  attach "$1" "${4:-eth0}" "$3" "$2/24"
  ip -n "$1" route add default via "$LAB_HOLE_IP"
}
public_ns "${P}node" "$LAB_NODE_IP" b-node
public_ns "${P}turn" "$LAB_TURN_IP" b-turn
# Per-device byte counters at coturn (which end used the relay): counters in_<dev> / out_<dev> in table inet gcsl-acct.
{
  echo "table inet gcsl-acct {"
  for spec in $LAB_DEVICES; do
    IFS=: read -r dev kind host lan <<<"$spec"
    echo "  counter in_$dev { }"
    echo "  counter out_$dev { }"
  done
  echo "  chain input {"
  echo "    type filter hook input priority filter; policy accept;"
  for spec in $LAB_DEVICES; do
    IFS=: read -r dev kind host lan <<<"$spec"
    echo "    ip saddr $LAB_NET.$host counter name in_$dev"
  done
  echo "  }"
  echo "  chain output {"
  echo "    type filter hook output priority filter; policy accept;"
  for spec in $LAB_DEVICES; do
    IFS=: read -r dev kind host lan <<<"$spec"
    echo "    ip daddr $LAB_NET.$host counter name out_$dev"
  done
  echo "  }"
  echo "}"
} | ip netns exec "${P}turn" nft -f -

for spec in $LAB_DEVICES; do
  IFS=: read -r dev kind host lan <<<"$spec"
  pub="$LAB_NET.$host"
  case "$kind" in
    none)
      public_ns "$P$dev" "$pub" "b-$dev"
      ;;
    firewall)
      public_ns "$P$dev" "$pub" "b-$dev"
      ip netns exec "$P$dev" nft -f - <<'NFT'
table inet gcsl {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "lo" accept
    ct state established,related accept
    meta l4proto udp drop
  }
}
NFT
      ;;
    cone|symmetric)
      nat="$P$dev-nat"
      public_ns "$nat" "$pub" "b-$dev" wan
      ns_new "$P$dev"
      ip link add lan netns "$nat" type veth peer name eth0 netns "$P$dev"
      ip netns exec "$nat" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.ip_forward=1
      ip netns exec "$P$dev" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
      ip -n "$nat" addr add "192.168.$lan.1/24" dev lan
      ip -n "$nat" link set lan up
      ip -n "$P$dev" addr add "192.168.$lan.2/24" dev eth0
      ip -n "$P$dev" link set eth0 up
      ip -n "$P$dev" route add default via "192.168.$lan.1"
      if [ "$kind" = cone ]; then masq="masquerade"; else masq="masquerade random,fully-random"; fi
      ip netns exec "$nat" nft -f - <<NFT
table ip gcsl-nat {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "wan" $masq; }
}
table inet gcsl {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
  chain input {
    type filter hook input priority filter; policy drop;
    iifname "lo" accept
    ct state established,related accept
    iifname "lan" accept
  }
}
NFT
      ;;
    *) echo "lab-up: unknown kind $kind" >&2; exit 2 ;;
  esac
done
echo "lab-up: $(ip netns list | awk '{print $1}' | grep -c "^$P") namespaces ready (${P}*)"
