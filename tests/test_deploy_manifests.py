"""deploy/: the kustomization builds, every object is valid, and the security settings are exactly as meant.

Kubernetes kinds are checked against the API's OpenAPI schemas shipped with ``kubernetes-validate``
(offline). It has no schema for OpenShift's SecurityContextConstraints or prometheus-operator's
ServiceMonitor: those are checked field by field against their API types (sources named below).
"""

from __future__ import annotations

import copy
import shlex
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from tests.support.deploy import DEPLOY, K8S_VERSION, container, load_all, one

CAPABILITIES = ["BPF", "NET_ADMIN", "PERFMON"]


def test_kustomization_lists_every_manifest_in_deploy() -> None:
    listed = set(yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml", "hadolint.yaml"}
    assert listed == on_disk


@pytest.mark.parametrize("kind", ["Namespace", "ServiceAccount", "ClusterRole", "RoleBinding", "ConfigMap",
                                  "DaemonSet", "Service"])
def test_kubernetes_objects_match_the_openapi_schema(kind: str) -> None:
    for doc in (d for d in load_all() if d["kind"] == kind):
        assert kubernetes_validate.validate(doc, K8S_VERSION, strict=True) == K8S_VERSION


def test_schema_check_catches_a_wrong_field() -> None:
    """The validator is really checking: a misspelt and a mistyped field are refused."""
    ds = copy.deepcopy(one("DaemonSet"))
    ds["spec"]["template"]["spec"]["hostNetwrok"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(ds, K8S_VERSION, strict=True)
    ds = copy.deepcopy(one("DaemonSet"))
    ds["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "metrics"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(ds, K8S_VERSION, strict=True)


def test_namespaced_objects_share_one_namespace_and_cluster_objects_have_none() -> None:
    namespace = one("Namespace")["metadata"]["name"]
    cluster_scoped = {"Namespace", "ClusterRole", "SecurityContextConstraints"}
    for doc in load_all():
        expected = None if doc["kind"] in cluster_scoped else namespace
        if doc["metadata"].get("labels", {}).get("console.openshift.io/dashboard") == "true":
            expected = "openshift-config-managed"  # where the console reads dashboards from
        assert doc["metadata"].get("namespace") == expected, doc["kind"]
    subject = one("RoleBinding")["subjects"][0]
    assert (subject["name"], subject["namespace"]) == (one("ServiceAccount")["metadata"]["name"], namespace)


def test_namespace_admits_host_network_pods_under_pod_security() -> None:
    labels = one("Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"
    assert labels["security.openshift.io/scc.podSecurityLabelSync"] == "false"


def test_daemonset_runs_count_with_the_tc_hook_and_serves_metrics_on_its_port() -> None:
    ctr = container()
    assert ctr["command"] == ["/bin/sh", "-c"]
    words = shlex.split(ctr["args"][0])
    assert words[:3] == ["exec", "trunkline", "count"]
    assert words[words.index("--hook") + 1] == "tc"
    port = ctr["ports"][0]
    assert (port["name"], port["containerPort"]) == ("metrics", 9090)
    assert words[words.index("--metrics-port") + 1] == "9090"
    assert words[words.index("--metrics-address") + 1] == "${HOST_IP}"
    assert ctr["env"] == [{"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}}]
    assert words[-1] == "${TRUNK_INTERFACES}"  # unquoted: one argument per NIC
    config = one("ConfigMap", "trunkline-counter")
    assert ctr["envFrom"] == [{"configMapRef": {"name": config["metadata"]["name"]}}]
    assert set(config["data"]) == {"TRUNK_INTERFACES", "LOG_INTERVAL"}


def test_daemonset_readiness_hits_the_health_endpoint_and_liveness_only_the_metrics_port() -> None:
    from trunkline.xdp.exporter import HEALTH_PATH

    ctr = container()
    assert ctr["readinessProbe"]["httpGet"] == {"path": HEALTH_PATH, "port": "metrics"}
    # a vanished NIC turns /healthz 503 while the other NICs are still counted: no restart for that
    assert ctr["livenessProbe"]["tcpSocket"] == {"port": "metrics"}
    assert "httpGet" not in ctr["livenessProbe"]


def test_daemonset_pod_is_host_network_tolerant_and_selected() -> None:
    spec = one("DaemonSet")["spec"]["template"]["spec"]
    assert spec["hostNetwork"] is True
    assert spec["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert spec["nodeSelector"]["kubernetes.io/os"] == "linux"
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == one("ServiceAccount")["metadata"]["name"]
    assert "volumes" not in spec  # nothing pinned: no /sys/fs/bpf, no hostPath
    resources = container()["resources"]
    assert set(resources) == {"requests", "limits"}
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


def test_container_is_root_without_privilege_and_adds_back_exactly_bpf_net_admin_perfmon() -> None:
    pod = one("DaemonSet")["spec"]["template"]["spec"]
    sc = container()["securityContext"]
    assert sc["capabilities"] == {"drop": ["ALL"], "add": CAPABILITIES}
    assert sc["runAsUser"] == 0 and pod["securityContext"]["runAsUser"] == 0
    assert sc["privileged"] is False
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    # CRI-O's default seccomp profile (containers/common pkg/seccomp/seccomp.json) allows bpf() only with
    # CAP_SYS_ADMIN, so RuntimeDefault would refuse loading; capabilities still bound the process.
    assert pod["securityContext"]["seccompProfile"] == {"type": "Unconfined"}
    assert pod["securityContext"]["seLinuxOptions"] == {"type": "spc_t"}


# Fields of security.openshift.io/v1 SecurityContextConstraints (openshift/api security/v1/types.go).
SCC_FIELDS = {
    "apiVersion", "kind", "metadata", "priority", "allowPrivilegedContainer", "defaultAddCapabilities",
    "requiredDropCapabilities", "allowedCapabilities", "allowHostDirVolumePlugin", "volumes",
    "allowedFlexVolumes", "allowHostNetwork", "allowHostPorts", "allowHostPID", "allowHostIPC",
    "defaultAllowPrivilegeEscalation", "allowPrivilegeEscalation", "seLinuxContext", "runAsUser",
    "supplementalGroups", "fsGroup", "readOnlyRootFilesystem", "users", "groups", "seccompProfiles",
    "allowedUnsafeSysctls", "forbiddenSysctls", "userNamespaceLevel",
}
SCC_STRATEGIES = {
    "seLinuxContext": {"MustRunAs", "RunAsAny"},
    "runAsUser": {"MustRunAs", "MustRunAsRange", "MustRunAsNonRoot", "RunAsAny"},
    "fsGroup": {"MustRunAs", "RunAsAny"},
    "supplementalGroups": {"MustRunAs", "RunAsAny"},
}


def test_scc_uses_only_known_fields_and_strategies() -> None:
    scc = one("SecurityContextConstraints")
    assert scc["apiVersion"] == "security.openshift.io/v1"
    assert set(scc) <= SCC_FIELDS
    for field, allowed in SCC_STRATEGIES.items():
        assert scc[field]["type"] in allowed, field


def test_scc_admits_exactly_what_the_daemonset_asks_for() -> None:
    scc = one("SecurityContextConstraints")
    pod = one("DaemonSet")["spec"]["template"]
    sc = container()["securityContext"]
    assert scc["allowedCapabilities"] == sc["capabilities"]["add"] == CAPABILITIES
    assert scc["requiredDropCapabilities"] == ["ALL"]
    assert scc["defaultAddCapabilities"] is None
    assert scc["allowPrivilegedContainer"] is False
    assert scc["allowPrivilegeEscalation"] is False
    assert scc["allowHostNetwork"] is True and scc["allowHostPorts"] is True
    assert scc["allowHostPID"] is False and scc["allowHostIPC"] is False
    assert scc["allowHostDirVolumePlugin"] is False and "hostPath" not in scc["volumes"]
    assert scc["runAsUser"] == {"type": "MustRunAs", "uid": 0}
    assert scc["readOnlyRootFilesystem"] is True
    assert scc["seccompProfiles"] == ["unconfined"]
    assert scc["users"] == [] and scc["groups"] == []  # granted through RBAC only
    assert pod["metadata"]["annotations"]["openshift.io/required-scc"] == scc["metadata"]["name"]
    rule = one("ClusterRole")["rules"][0]
    assert rule == {"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
                    "resourceNames": [scc["metadata"]["name"]], "verbs": ["use"]}
    assert one("RoleBinding")["roleRef"]["name"] == one("ClusterRole")["metadata"]["name"]


# Fields of monitoring.coreos.com/v1 ServiceMonitor spec and endpoints (prometheus-operator
# Documentation/api.md, ServiceMonitorSpec and Endpoint).
SM_SPEC_FIELDS = {"jobLabel", "targetLabels", "podTargetLabels", "endpoints", "selector", "namespaceSelector",
                  "sampleLimit", "targetLimit", "labelLimit", "labelNameLengthLimit",
                  "labelValueLengthLimit", "keepDroppedTargets", "attachMetadata", "scrapeProtocols",
                  "bodySizeLimit", "selectorMechanism", "scrapeClass", "fallbackScrapeProtocol"}
SM_ENDPOINT_FIELDS = {"port", "targetPort", "path", "scheme", "params", "interval", "scrapeTimeout",
                      "tlsConfig", "bearerTokenFile", "bearerTokenSecret", "authorization", "honorLabels",
                      "honorTimestamps", "trackTimestampsStaleness", "basicAuth", "oauth2",
                      "metricRelabelings", "relabelings", "proxyUrl", "followRedirects", "enableHttp2",
                      "filterRunning"}


def test_servicemonitor_selects_the_service_and_its_metrics_port() -> None:
    sm = one("ServiceMonitor")
    svc = one("Service")
    assert sm["apiVersion"] == "monitoring.coreos.com/v1"
    assert set(sm["spec"]) <= SM_SPEC_FIELDS
    (endpoint,) = sm["spec"]["endpoints"]
    assert set(endpoint) <= SM_ENDPOINT_FIELDS
    selector = sm["spec"]["selector"]["matchLabels"]
    assert selector.items() <= svc["metadata"]["labels"].items()
    assert endpoint["port"] == svc["spec"]["ports"][0]["name"] == "metrics"
    assert endpoint["path"] == "/metrics"
    pod_labels = one("DaemonSet")["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    assert svc["spec"]["clusterIP"] == "None"
    assert {"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node",
            "action": "replace"} in endpoint["relabelings"]
    # A scrape must finish before the next one starts.
    assert int(endpoint["scrapeTimeout"].rstrip("s")) < int(endpoint["interval"].rstrip("s"))


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")
def test_kubectl_kustomize_builds_the_same_objects() -> None:
    out = subprocess.run(["kubectl", "kustomize", str(DEPLOY)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    built = [d for d in yaml.safe_load_all(out.stdout) if d]
    image = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["images"][0]
    key = sorted((d["kind"], d["metadata"]["name"]) for d in built)
    assert key == sorted((d["kind"], d["metadata"]["name"]) for d in load_all())
    (ds,) = [d for d in built if d["kind"] == "DaemonSet"]
    assert ds["spec"]["template"]["spec"]["containers"][0]["image"] == f"{image['newName']}:{image['newTag']}"
