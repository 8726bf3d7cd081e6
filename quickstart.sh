#!/usr/bin/env bash
# trunkline quick start, for a fresh Debian 12 / Ubuntu machine, as root (root only to install packages).
#   ./quickstart.sh demo   install Python and trunkline, then plan the bundled example design (pure Python)
#   ./quickstart.sh test   install everything the tests need, then run the whole test suite
# Set-up is idempotent: packages already present are not installed again.
set -euo pipefail
cd "$(dirname "$0")"

# What the demo runs: `trunkline plan` is pure Python.
DEMO_APT_PACKAGES=(
  python3 python3-venv python3-pip            # the virtual environment trunkline runs in
)
# What the tests need besides.
TEST_APT_PACKAGES=(
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

# setup PIP_TARGET APT_PACKAGE...: install the missing Debian packages, then trunkline into .venv/.
setup() {
  local target=$1
  shift
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
      echo "quickstart: missing Debian packages ${missing[*]}; run as root or install them first" >&2
      exit 3
    fi
    echo "quickstart: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
}

case "${1:-demo}" in
  demo)
    setup . "${DEMO_APT_PACKAGES[@]}"
    shift || true
    # the main job: the bundled example design -> OpenShift manifests + REPORT.md (extra ARGS go to `plan`)
    out="${TRUNKLINE_DEMO_DIR:-trunkline-plan}"
    .venv/bin/trunkline plan -o "$out" "$@"
    echo
    cat "$out/REPORT.md"
    ;;
  test)
    setup '.[test,docs]' "${DEMO_APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"
    shift || true
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: $0 demo|test [ARGS...]" >&2
    exit 2
    ;;
esac
