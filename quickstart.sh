#!/usr/bin/env bash
# trunkline quick start, for a fresh Debian 12 / Ubuntu machine, as root.
#   ./quickstart.sh demo   install everything, then run the main job on the built-in default
#   ./quickstart.sh test   install everything, then run the whole test suite
# Set-up is idempotent: packages already present are not installed again.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  python3 python3-venv python3-pip            # the virtual environment trunkline runs in
  libbpf1 iproute2 ethtool iputils-ping       # runtime: libbpf.so.1, ip, tc, ethtool
  clang llvm libbpf-dev                       # rebuilding and checking the eBPF object
  make                                        # `make bpf` (the eBPF object's build, checked by tests)
  golang-go golang-github-vmware-govmomi-dev golang-github-google-uuid-dev  # vcsim, VMware's simulator
  openssl                                     # self-signed certificates for the vcsim TLS tests
  containernetworking-plugins                 # the real bridge CNI plugin
  nftables                                    # nft: the bridge CNI's macspoofchk rules (tests/test_cni_bridge.py)
  dnsmasq-base                                # DHCP in the lab
  busybox-static                              # lab --vm: the initramfs shell; udhcpc, the lab VMs' DHCP client
  qemu-system-x86 linux-image-amd64           # trunkline lab --vm: a full kernel with 802.1Q
  prometheus                                  # a real Prometheus 2.42 and promtool (verify --prometheus, rules)
)

setup() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "quickstart: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
}

case "${1:-demo}" in
  demo)
    setup
    shift || true
    # the main job: the bundled seed example -> OpenShift manifests + REPORT.md (extra ARGS go to `plan`)
    out="${TRUNKLINE_DEMO_DIR:-trunkline-plan}"
    .venv/bin/trunkline plan -o "$out" "$@"
    echo
    cat "$out/REPORT.md"
    ;;
  test)
    setup
    shift || true
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: $0 demo|test [ARGS...]" >&2
    exit 2
    ;;
esac
