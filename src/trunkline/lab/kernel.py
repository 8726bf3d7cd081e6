"""Can this machine run the lab directly? Root, bridge VLAN filtering, and the tools the lab runs."""

from __future__ import annotations

import os
import platform
import secrets
import shutil

from trunkline.errors import EnvironmentProblem
from trunkline.lab.cni import CNI_PATH

#: Program -> Debian package that provides it.
TOOLS = {
    "dnsmasq": "dnsmasq-base",
    "busybox": "busybox-static",
    "ip": "iproute2",
    "ping": "iputils-ping",
    "nft": "nftables",
}


def check_tools() -> None:
    """Raise :class:`EnvironmentProblem` naming the package to install when a tool the lab runs is missing."""
    for tool, package in TOOLS.items():
        if shutil.which(tool) is None:
            raise EnvironmentProblem(f"lab: {tool} not found; install it: apt-get install {package}")
    if not (CNI_PATH / "bridge").is_file():
        raise EnvironmentProblem(
            f"lab: the bridge CNI plugin {CNI_PATH / 'bridge'} is missing; "
            "install it: apt-get install containernetworking-plugins"
        )


def vlan_filtering_problem() -> str | None:
    """Why this kernel cannot run the lab (no bridge VLAN filtering), or ``None`` when it can.

    Probed for real: a bridge with ``vlan_filtering 1`` is created in a throwaway network namespace.
    """
    from pyroute2 import IPRoute
    from pyroute2 import netns as pnetns

    name = f"tlprobe{secrets.token_hex(3)}"
    pnetns.create(name)
    try:
        with IPRoute(netns=name) as ipr:
            ipr.link("add", ifname="probe", kind="bridge", br_vlan_filtering=1)
            idx = ipr.link_lookup(ifname="probe")[0]
            vf = ipr.get_links(idx)[0].get_nested("IFLA_LINKINFO", "IFLA_INFO_DATA", "IFLA_BR_VLAN_FILTERING")
            if vf != 1:
                return "bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING) is off"
    except Exception as exc:
        return f"no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): {exc}"
    finally:
        pnetns.remove(name)
    return None


def require_direct() -> str:
    """Check that the lab can run on this kernel; return how it runs (``this kernel 6.1.0``).

    Raises:
        EnvironmentProblem: not root, or the kernel lacks bridge VLAN filtering (the message names ``--vm``).
    """
    if os.geteuid() != 0:
        raise EnvironmentProblem("lab: needs root (network namespaces, bridges); run it with sudo")
    problem = vlan_filtering_problem()
    if problem:
        raise EnvironmentProblem(
            f"lab: this kernel ({platform.release()}) has {problem}; "
            "run the lab in a VM with a full kernel: trunkline lab PLAN_DIR --vm"
        )
    check_tools()
    vm = os.environ.get("TRUNKLINE_IN_VM")
    return f"qemu VM, kernel {vm}" if vm else f"this kernel ({platform.release()})"
