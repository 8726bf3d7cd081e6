"""The CUDNs trunkline writes against the upstream CRD (tests/data/cudn/), and one Python check per
``x-kubernetes-validations`` rule a Localnet network or its namespace selector can reach."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.support.plan import CUDNS, estate_plan, plan_for
from trunkline.openshift import cudn, cudn_rules
from trunkline.vsphere.sources import load_inventory

CRD_FILE = Path(__file__).parent / "data" / "cudn" / "k8s.ovn.org_clusteruserdefinednetworks.yaml"


def _crd() -> dict[str, Any]:
    return yaml.safe_load(CRD_FILE.read_text(encoding="utf-8"))


def _schema() -> dict[str, Any]:
    (version,) = _crd()["spec"]["versions"]
    assert version["name"] == "v1"
    return version["schema"]["openAPIV3Schema"]


def _rules(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, str, str]]:
    """(schema path, CEL rule with whitespace collapsed, message) of every x-kubernetes-validations rule."""
    for rule in node.get("x-kubernetes-validations", []):
        yield path, " ".join(rule["rule"].split()), rule.get("message", "")
    for key, sub in node.get("properties", {}).items():
        yield from _rules(sub, f"{path}.{key}")
    if isinstance(node.get("items"), dict):
        yield from _rules(node["items"], f"{path}[]")


def _localnet_schema() -> dict[str, Any]:
    return _schema()["properties"]["spec"]["properties"]["network"]["properties"]["localnet"]


def test_crd_copy_is_the_cluster_scoped_v1_clusteruserdefinednetwork():
    crd = _crd()
    assert crd["spec"]["group"] + "/" + crd["spec"]["versions"][0]["name"] == cudn_rules.API_VERSION
    assert crd["spec"]["names"]["kind"] == cudn_rules.KIND
    assert crd["spec"]["scope"] == "Cluster"


def test_every_localnet_reachable_rule_of_the_crd_has_exactly_one_check():
    """Fails when the CRD copy's Localnet-reachable rules change without a matching check."""
    in_crd = sorted((p, r, m) for p, r, m in _rules(_schema()) if cudn_rules.reachable(p, r))
    checked = sorted((rule.path, rule.cel, rule.says) for rule in cudn_rules.LOCALNET_RULES)
    assert checked == in_crd
    assert len({rule.key for rule in cudn_rules.LOCALNET_RULES}) == len(cudn_rules.LOCALNET_RULES)
    assert not [r for r in in_crd if r[1] == "self == oldSelf"]  # needs the stored object: out of scope


def test_the_bounds_trunkline_checks_are_the_crds():
    loc = _localnet_schema()["properties"]
    assert (loc["mtu"]["minimum"], loc["mtu"]["maximum"]) == (cudn_rules.MTU_MIN, cudn_rules.MTU_MAX)
    vid = loc["vlan"]["properties"]["access"]["properties"]["id"]
    assert (vid["minimum"], vid["maximum"]) == (cudn_rules.VLAN_MIN, cudn_rules.VLAN_MAX)
    assert loc["vlan"]["properties"]["mode"]["enum"] == ["Access"]
    assert loc["physicalNetworkName"]["maxLength"] == cudn_rules.PHYSICAL_NETWORK_MAX
    assert loc["physicalNetworkName"]["minLength"] == 1
    assert loc["subnets"]["maxItems"] == cudn_rules.SUBNETS_MAX
    assert loc["excludeSubnets"]["maxItems"] == cudn_rules.EXCLUDE_SUBNETS_MAX
    assert loc["subnets"]["items"]["maxLength"] == cudn_rules.CIDR_MAX
    assert loc["role"]["enum"] == ["Secondary"]
    assert sorted(loc) == sorted(cudn_rules.LOCALNET_FIELDS)
    assert sorted(loc["ipam"]["properties"]) == sorted(cudn_rules.IPAM_FIELDS)
    spec = _schema()["properties"]["spec"]
    assert sorted(spec["properties"]) == sorted(cudn_rules.SPEC_FIELDS)
    assert sorted(spec["properties"]["network"]["properties"]) == sorted(cudn_rules.NETWORK_FIELDS)
    assert spec["properties"]["network"]["properties"]["topology"]["enum"] == list(cudn_rules.TOPOLOGIES)


def _written() -> list[dict[str, Any]]:
    plans = [plan_for(load_inventory(), backend="cudn-localnet", target_namespaces=("vms",)), estate_plan(),
             estate_plan(target_namespaces=("team-a", "team-b"))]
    return [doc for plan in plans for doc in cudn.cudn_manifests(plan)]


def test_every_cudn_trunkline_writes_satisfies_the_crd_schema_and_every_rule():
    validator = jsonschema.Draft7Validator(_schema())
    docs = _written()
    assert len(docs) == 4 + 2 * CUDNS
    for doc in docs:
        assert list(validator.iter_errors(doc)) == [], doc["metadata"]["name"]
        assert cudn_rules.check_cudn(doc) == [], doc["metadata"]["name"]
        loc = doc["spec"]["network"]["localnet"]
        for rule in cudn_rules.LOCALNET_RULES:
            target = {".spec.network": doc["spec"]["network"], ".spec.network.localnet": loc}.get(rule.path)
            if target is not None:
                assert rule.check(target), (rule.key, doc["metadata"]["name"])


def _base() -> dict[str, Any]:
    return {
        "apiVersion": "k8s.ovn.org/v1",
        "kind": "ClusterUserDefinedNetwork",
        "metadata": {"name": "web"},
        "spec": {
            "namespaceSelector": cudn_rules.name_selector(("vms",)),
            "network": {
                "topology": "Localnet",
                "localnet": {
                    "role": "Secondary",
                    "physicalNetworkName": "physnet",
                    "vlan": {"mode": "Access", "access": {"id": 40}},
                    "mtu": 1500,
                    "subnets": ["192.0.2.0/24", "2001:db8::/64"],
                    "excludeSubnets": ["192.0.2.1/32"],
                    "ipam": {"mode": "Enabled", "lifecycle": "Persistent"},
                },
            },
        },
    }


def _net(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["network"]


def _loc(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["network"]["localnet"]


#: rule key -> a change of the valid base object that breaks that rule (and, where possible, no other).
BREAKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "cudn-layer3-mismatch": lambda d: _net(d).update(layer3={"role": "Secondary"}),
    "cudn-layer2-mismatch": lambda d: _net(d).update(layer2={"role": "Secondary"}),
    "cudn-localnet-mismatch": lambda d: _net(d).pop("localnet"),
    "cudn-transport-no-overlay": lambda d: _net(d).update(
        transport="NoOverlay", noOverlayOptions={"outboundSNAT": "Enabled", "routing": "Managed"}
    ),
    "cudn-no-overlay-options-missing": lambda d: _net(d).update(transport="NoOverlay"),
    "cudn-no-overlay-options-forbidden": lambda d: _net(d).update(
        noOverlayOptions={"outboundSNAT": "Enabled", "routing": "Managed"}
    ),
    "cudn-subnets-ipam": lambda d: _loc(d).update(ipam={"mode": "Disabled"}),
    "cudn-exclude-subnets-alone": lambda d: _loc(d).update(ipam={"mode": "Disabled"})
    or _loc(d).pop("subnets"),
    "cudn-mtu-ipv6": lambda d: _loc(d).update(mtu=1200),
    "cudn-exclude-subnet-invalid": lambda d: _loc(d).update(excludeSubnets=["192.0.2.1"]),
    "cudn-ipam-lifecycle": lambda d: _loc(d).update(ipam={"mode": "Disabled", "lifecycle": "Persistent"})
    or _loc(d).pop("subnets")
    or _loc(d).pop("excludeSubnets"),
    "cudn-physical-network-name": lambda d: _loc(d).update(physicalNetworkName="phys:net"),
    "cudn-subnet-families": lambda d: _loc(d).update(subnets=["192.0.2.0/24", "198.51.100.0/24"]),
    "cudn-subnet-invalid": lambda d: _loc(d).update(subnets=["::ffff:192.0.2.0/120"]),
    "cudn-vlan-access": lambda d: _loc(d)["vlan"].pop("access"),
}


def test_the_base_object_is_valid():
    assert list(jsonschema.Draft7Validator(_schema()).iter_errors(_base())) == []
    assert cudn_rules.check_cudn(_base()) == []


@pytest.mark.parametrize("rule", cudn_rules.LOCALNET_RULES, ids=lambda r: r.key)
def test_each_rule_has_a_check_that_catches_its_violation(rule):
    doc = copy.deepcopy(_base())
    BREAKS[rule.key](doc)
    keys = [p.key for p in cudn_rules.check_cudn(doc)]
    assert rule.key in keys
    assert set(BREAKS) == {r.key for r in cudn_rules.LOCALNET_RULES}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("192.0.2.0/24", True), ("192.0.2.7/24", True), ("2001:db8::/64", True), ("0.0.0.0/0", True),
        ("192.0.2.0", False), ("192.0.2.0/33", False), ("192.0.2.0/024", False), ("192.0.2.0/+8", False),
        ("192.0.2.0/255.255.255.0", False), ("fe80::1%eth0/64", False), ("::ffff:192.0.2.0/120", False),
        ("192.000.2.0/24", False), ("2001:db8::/129", False), ("", False),
    ],
)  # fmt: skip
def test_is_cidr_follows_the_api_servers_iscidr(text, ok):
    assert cudn_rules.is_cidr(text) is ok
