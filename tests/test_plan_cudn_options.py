"""cudn-localnet options a user gets wrong: each refused in one line naming the option as given, with
the fix (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline.cli import main


def _err(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code, capsys.readouterr().err


def test_namespace_default_is_named_as_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["plan", "-o", str(tmp_path / "o"), "--backend", "cudn-localnet", "--namespace", "default"]
    assert _err(args, capsys) == (
        2,
        "trunkline: error: --namespace default: namespace 'default': OpenShift forbids CUDNs in 'default' "
        "and 'openshift-*' namespaces; migrate the VMs into a namespace of their own and select that\n",
    )


@pytest.mark.parametrize(
    ("cidrs", "bad", "network"),
    [
        ("10.0.0.1/24", "10.0.0.1/24", "10.0.0.0/24"),
        ("10.0.0.0/24,2001:db8::1/64", "2001:db8::1/64", "2001:db8::/64"),
    ],
)
def test_subnet_with_host_bits_is_refused_with_the_network(
    cidrs: str, bad: str, network: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", "-o", str(tmp_path / "o"), "--backend", "cudn-localnet", "--target-namespace", "vms"]
    args += ["--subnet", f"vm-vlan-10={cidrs}"]
    assert _err(args, capsys) == (
        2,
        f"trunkline: error: --subnet vm-vlan-10={cidrs}: {bad!r} has host bits set (the API server takes it, "
        f"but IPAM allocates from the network); write the network {network!r}\n",
    )
    assert not (tmp_path / "o").exists()


def test_one_port_group_by_name_and_moid_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", "-o", str(tmp_path / "o"), "--backend", "cudn-localnet", "--target-namespace", "vms"]
    args += ["--subnet", "vm-vlan-10=10.0.0.0/24", "--subnet", "dvportgroup-23=10.0.1.0/24"]
    assert _err(args, capsys) == (
        2,
        "trunkline: error: --subnet dvportgroup-23: port group 'vm-vlan-10' has subnets already (as --subnet "
        "vm-vlan-10); give it once\n",
    )


def test_subnet_of_a_port_group_without_cudn_is_a_warning(tmp_path: Path) -> None:
    from trunkline.openshift.cudn import parse_subnets
    from trunkline.openshift.plan import PlanOptions, build_plan
    from trunkline.vsphere.sources import load_inventory

    options = PlanOptions(
        backend="cudn-localnet",
        target_namespaces=("vms",),
        subnets=parse_subnets(["Management Network=10.0.0.0/24", "vm-vlan-10=10.0.1.0/24"]),
    )
    plan = build_plan(load_inventory(), options)
    found = [(f.subject, f.message) for f in plan.findings if f.code == "subnet-unused"]
    assert found == [
        (
            "--subnet Management Network",
            "port group 'Management Network' gets no CUDN (vmkernel port group (no VM NICs)), so its subnets "
            "are not used; drop the --subnet, or map the port group to an access VLAN",
        )
    ]


def test_br_ex_shared_by_switches_on_different_nics_and_a_jumbo_mtu_are_reported() -> None:
    from tests.support.plan import estate_plan

    plan = estate_plan(localnet_bridge="br-ex")
    found = [(f.severity, f.code, f.subject) for f in plan.findings if f.code.startswith("br-ex")]
    assert found == [
        ("warning", "br-ex-shared", "--localnet-bridge br-ex"),
        ("info", "br-ex-mtu", "switch Jumbo"),
    ]
    shared = next(f for f in plan.findings if f.code == "br-ex-shared")
    assert shared.message == (
        "switches DSwitch, Jumbo, Odd use different NICs on vSphere, but all of them would leave through "
        "br-ex's one uplink (the node's default NIC): make sure its switch port carries all their VLANs, or "
        "use --localnet-bridge own to give each its own OVS bridge on its NIC"
    )
    assert not [f for f in estate_plan().findings if f.code.startswith("br-ex")]
