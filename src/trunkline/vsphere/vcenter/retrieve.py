"""Property collection: one ContainerView and ``RetrievePropertiesEx`` (paged) per vCenter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from trunkline.errors import BadInputError
from trunkline.vsphere.model import (
    VCenter,
)
from trunkline.vsphere.vcenter.build import build_vcenter
from trunkline.vsphere.vcenter.common import _fault_text, _log, _type_name, unescape_name
from trunkline.vsphere.vcenter.connect import Target

#: The properties read per managed object type (vSphere Web Services API property paths). A
#: ContainerView of a type also holds its subtypes (Network holds DistributedVirtualPortgroup and
#: OpaqueNetwork; ComputeResource holds ClusterComputeResource), and their property sets add up.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "Folder": ("name", "parent"),
    "Datacenter": ("name", "parent", "vmFolder"),
    "ComputeResource": ("name", "parent"),
    "HostSystem": (
        "name",
        "parent",
        "config.network.pnic",
        "config.network.vswitch",
        "config.network.portgroup",
        "config.network.vnic",
        "config.network.proxySwitch",
        "config.virtualNicManagerInfo.netConfig",
    ),
    "DistributedVirtualSwitch": ("name", "parent", "uuid", "config"),
    "Network": ("name", "parent"),
    "DistributedVirtualPortgroup": ("config",),
    "OpaqueNetwork": ("summary",),
    "VirtualMachine": (
        "name",
        "parent",
        "config.template",
        "config.hardware.device",
        "runtime.powerState",
        "runtime.host",
        "guest.net",
    ),
}

#: The ContainerView's types (subtypes come with them).
_VIEW_TYPES = (
    "Folder",
    "Datacenter",
    "ComputeResource",
    "HostSystem",
    "DistributedVirtualSwitch",
    "Network",
    "VirtualMachine",
)


def retrieve_all(collector: Any, filter_spec: Any, page_size: int | None = None) -> list[Any]:
    """Every ``ObjectContent`` of *filter_spec*: ``RetrievePropertiesEx``, then
    ``ContinueRetrievePropertiesEx`` while the answer carries a ``token`` (one call per page).

    *page_size*: ``RetrieveOptions.maxObjects`` (``None``: the server's choice). A page left unread after
    an error is released with ``CancelRetrievePropertiesEx``.
    """
    from pyVmomi import vmodl

    options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=page_size)
    result = collector.RetrievePropertiesEx(specSet=[filter_spec], options=options)
    objects: list[Any] = []
    while result is not None:
        objects.extend(result.objects or ())
        token = result.token
        if not token:
            break
        try:
            result = collector.ContinueRetrievePropertiesEx(token=token)
        except BaseException:
            try:
                collector.CancelRetrievePropertiesEx(token=token)
            except Exception as exc:  # the original error matters more
                _log.debug("CancelRetrievePropertiesEx failed: %s", _fault_text(exc))
            raise
    return objects


def _filter_spec(view: Any, properties: Mapping[str, Sequence[str]]) -> Any:
    """Every object in *view* (not the view itself), with the *properties* of its type."""
    from pyVmomi import vim, vmodl

    pc = vmodl.query.PropertyCollector
    traversal = pc.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
    return pc.FilterSpec(
        objectSet=[pc.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[pc.PropertySpec(type=getattr(vim, t), pathSet=list(p)) for t, p in properties.items()],
    )


def _triples(objects: Iterable[Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for content in objects:
        props = {prop.name: prop.val for prop in content.propSet or ()}
        out.append((_type_name(content.obj), content.obj._moId, props))
    return out


def _read_one(si: Any, target: Target, datacenter: str | None, progress: Callable[[str], None]) -> VCenter:
    from pyVmomi import vim

    content = si.RetrieveContent()
    about = content.about
    root = content.rootFolder
    triples: list[tuple[str, str, dict[str, Any]]] = []
    if datacenter is not None:
        dcs = _triples(_collect(content, root, ["Datacenter"], {"Datacenter": PROPERTIES["Datacenter"]}))
        names = {unescape_name(p.get("name", "")): (moid, p) for _, moid, p in dcs}
        if datacenter not in names:
            known = ", ".join(sorted(names)) or "none"
            raise BadInputError(
                f"vCenter {target.name} has no datacenter {datacenter!r} (it has: {known}); "
                "check --datacenter"
            )
        moid, props = names[datacenter]
        triples.append(("Datacenter", moid, props))
        root = vim.Datacenter(moid, si._stub)
    progress(f"reading {target.name} (vCenter {about.version})")
    triples.extend(_triples(_collect(content, root, list(_VIEW_TYPES), PROPERTIES)))
    progress(f"read {len(triples)} objects from {target.name}")
    return build_vcenter(target.name, about.instanceUuid, about.version, triples)


def _collect(content: Any, root: Any, types: list[str], properties: Mapping[str, Sequence[str]]) -> list[Any]:
    """The *properties* of every object of *types* below *root*: one ContainerView, one retrieval."""
    from pyVmomi import vim

    view = content.viewManager.CreateContainerView(root, [getattr(vim, t) for t in types], True)
    try:
        spec = _filter_spec(view, properties)
        return retrieve_all(content.propertyCollector, spec)
    finally:
        try:
            view.DestroyView()
        except Exception as exc:  # views die with the session
            _log.debug("DestroyView failed: %s", _fault_text(exc))
