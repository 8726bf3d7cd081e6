"""Options and NIC map input `trunkline plan` must refuse (exit 2, one line) or report as findings."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.support.plan import codes, dvs_inventory, plan_for
from trunkline.errors import BadInputError
from trunkline.openshift.naming import is_ifname
from trunkline.openshift.render import write_plan
from trunkline.vsphere.model import Inventory


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bridge", "br-ex"], "--bridge 'br-ex': OVN-Kubernetes owns that interface on every node"),
        (["--bridge", "br-int"], "--bridge 'br-int': OVN-Kubernetes owns"),
        (["--bridge", "ovs-system"], "--bridge 'ovs-system': OVN-Kubernetes owns"),
        (["--bridge", "ens34"], "--nic-map vmnic1=ens34: the node NIC and --bridge are the same interface"),
        (["--nic-map", "vmnic1=vlan-trunk"], "--nic-map vmnic1=vlan-trunk: the node NIC and --bridge"),
        (["--nic-map", "vmnic1=a", "--nic-map", "vmnic1=b"], "'vmnic1=b': vmnic1 is already mapped to a"),
        (["--mtv-provider", "a", "--mtv-provider", "b"], "'b': every vCenter already has provider 'a'"),
        (["--mtv-provider", "My_Provider"], "'My_Provider' is not a Kubernetes object"),
        (["--backend", "ovn-localnet", "--cni-type", "bridge"], "--cni-type bridge: only for --backend"),
        (["--max-unavailable", "0"], "--max-unavailable '0': a count of at least 1"),
        (["--max-unavailable", "0%"], "--max-unavailable '0%'"),
        (["--max-unavailable", "101%"], "--max-unavailable '101%'"),
    ],
)
def test_option_that_would_break_a_node_or_mean_nothing_is_exit_2(tmp_path, args, message):
    out = tmp_path / "plan"
    result = run_cli("plan", "-o", str(out), *args)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("trunkline: error: ") and message in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00\x01binary", "not UTF-8 text; give a YAML or JSON file"),
        (b"groups: [\n  - name: a\n  nics: {", "not YAML/JSON (line "),
        (b"vmnic1: ens34\nvmnic1: ens35\n", "key 'vmnic1' appears twice"),
        (
            b"groups:\n- name: a\n  nodeSelector: {'bad key!': ''}\n  nics: {vmnic1: ens34}\n",
            "'bad key!' is not a Kubernetes label key",
        ),
        (
            b"groups:\n- name: a\n  nodeSelector: {zone: 5}\n  nics: {vmnic1: ens34}\n",
            "groups.0.nodeSelector.zone",
        ),
        (
            b"groups:\n- name: a\n  nodeSelector: {zone: 'a b'}\n  nics: {vmnic1: ens34}\n",
            "label zone: 'a b' is not a label value",
        ),
    ],
)
def test_bad_nic_map_file_is_one_line_exit_2(tmp_path, content, message):
    bad = tmp_path / "map.yaml"
    bad.write_bytes(content)
    result = run_cli("plan", "-o", str(tmp_path / "plan"), "--nic-map-file", str(bad))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"trunkline: error: NIC map file {bad}: ") and message in line
    assert not (tmp_path / "plan").exists()


@pytest.mark.parametrize("name", ["enP2p1s0", "eth_0", "ENS34", "eth0.100", "a" * 15])
def test_linux_interface_names_are_accepted(name):
    assert is_ifname(name)
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}]), {"vmnic1": name})
    assert [nic for br in plan.bridges for lay in br.layouts for nic in lay.nics] == [name]


@pytest.mark.parametrize("name", ["", "a" * 16, "eth/0", "eth:0", "eth 0", ".", "..", "ä" * 8])
def test_names_the_kernel_refuses_are_not_interface_names(name):
    assert not is_ifname(name)


def test_nic_map_entry_naming_no_uplink_is_a_warning():
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}]), {"vmnic1": "ens34", "vmnic9": "ens40"})
    (finding,) = [f for f in plan.findings if f.code == "nic-map-unknown-uplink"]
    assert (finding.severity, finding.subject) == ("warning", "NIC map entry vmnic9")


def test_mtv_map_naming_no_port_group_is_a_warning():
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}]), network_choices={"nosuch": "pod"})
    (finding,) = [f for f in plan.findings if f.code == "mtv-map-unknown-network"]
    assert (finding.severity, finding.subject) == ("warning", "--mtv-map nosuch")
    assert "mtv-map-unknown-network" not in codes(
        plan_for(dvs_inventory([{"name": "web", "vlan": 40}]), network_choices={"web": "pod"})
    )


@pytest.mark.parametrize("data", [{"version": 1}, {}])
def test_inventory_without_port_groups_is_bad_input(tmp_path, data):
    with pytest.raises(BadInputError, match="^the inventory has no port groups to map: "):
        plan_for(Inventory.model_validate(data))


def test_empty_inventory_file_exits_2(tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text("version: 1\n")
    result = run_cli("plan", str(inv), "-o", str(tmp_path / "plan"))
    assert result.returncode == 2
    assert result.stderr.startswith("trunkline: error: the inventory has no port groups to map: ")
    assert not (tmp_path / "plan").exists()


def test_a_plan_directory_given_as_inventory_is_named_as_such(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(dvs_inventory([{"name": "web", "vlan": 40}])), out)
    result = run_cli("plan", str(out), "-o", str(tmp_path / "again"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"trunkline: error: {out}: is a plan output directory; give an inventory file (YAML/JSON/RVTools) "
        "or nothing for the bundled example"
    )


def test_readme_uplink_name_example_works_on_the_bundled_seed(tmp_path):
    out = tmp_path / "out"
    result = run_cli("plan", "--nic-map", "Uplink 1=ens35", "-o", str(out))
    assert result.returncode == 0, result.stderr
    report = (out / "REPORT.md").read_text()
    assert "| vmnic1 (Uplink 1) | ens35 |" in report
    assert "| nic-map-unknown-uplink |" not in report.split("### Finding codes")[0]
