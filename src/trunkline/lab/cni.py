"""Run the real bridge CNI plugin the way Multus does: ``CNI_COMMAND=ADD``/``DEL``, config on stdin.

The CNI spec (containernetworking/cni ``SPEC.md``): the plugin reads ``CNI_COMMAND``,
``CNI_CONTAINERID``, ``CNI_NETNS``, ``CNI_IFNAME``, ``CNI_PATH`` from its environment and the network
configuration (the NAD's ``spec.config``) from stdin; on error it prints ``{"code", "msg"}`` and exits
non-zero. The plugin runs in the node's network namespace (where the bridge is), like Multus on a node.

OpenShift's ``cnv-bridge`` is the bridge plugin under another name (docs/design.md); Debian ships only
``bridge``, so ``"type": "cnv-bridge"`` is run as ``bridge`` and the lab says so.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.lab.netns import ns_exec

CNI_PATH = Path(os.environ.get("TRUNKLINE_CNI_PATH", "/usr/lib/cni"))


@dataclass(frozen=True)
class CniResult:
    """Outcome of one plugin call: ok, the parsed stdout (result or error object) and a one-line message."""

    ok: bool
    output: dict[str, Any]
    message: str


def plugin_config(config: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The config to feed Debian's plugin, and a note when ``type`` was rewritten (cnv-bridge -> bridge)."""
    if config.get("type") == "cnv-bridge":
        return {
            **config,
            "type": "bridge",
        }, "cnv-bridge NADs run with the upstream bridge plugin (/usr/lib/cni/bridge)"
    return dict(config), None


def call(
    command: str, config: dict[str, Any], node_ns: str, vm_ns: str, container_id: str, ifname: str = "eth0",
    mac: str | None = None,
) -> CniResult:
    """Run the plugin named by ``config["type"]`` with *command* (``ADD``/``DEL``) for netns *vm_ns*.

    *mac*: the VM's MAC, passed as Multus passes a network's ``mac`` (``CNI_ARGS`` ``MAC=``; the bridge
    plugin gives the interface that MAC, and ``macspoofchk`` allows exactly it).
    """
    plugin = CNI_PATH / str(config.get("type", ""))
    env = {
        **os.environ,
        "CNI_COMMAND": command,
        "CNI_CONTAINERID": container_id,
        "CNI_NETNS": f"/run/netns/{vm_ns}",
        "CNI_IFNAME": ifname,
        "CNI_PATH": str(CNI_PATH),
    }
    if mac:
        env["CNI_ARGS"] = f"IgnoreUnknown=true;MAC={mac}"
    proc = subprocess.run(
        ns_exec(node_ns, str(plugin)),
        input=json.dumps(config),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    try:
        output = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        output = {"msg": proc.stdout.strip()}
    if proc.returncode == 0:
        return CniResult(True, output, "ok")
    msg = output.get("msg") or proc.stderr.strip() or f"exit {proc.returncode}"
    details = output.get("details")
    return CniResult(False, output, f"{msg}{': ' + details if details else ''}")
