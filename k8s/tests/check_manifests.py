#!/usr/bin/env python3
"""Checks rendered Kubernetes manifests (kubectl kustomize output) without a cluster.

  check_manifests.py RENDERED.yaml [--external-secret NAME ...] [--topic NAME ...]
                      [--service NAME ...]

Every document must be of a kind this checker knows, with apiVersion, kind and metadata.name, and
a namespace for namespaced kinds. Per kind: workloads have selectors that match their pod labels,
pinned images (a tag that is not `latest`, or a digest), CPU and memory requests, liveness and
readiness probes on a declared port, non-root pods and containers that cannot escalate; every
volume claim and secret they mount or read into the environment exists (or is named with
--external-secret); a claim mounted by more than one pod is ReadWriteMany; a StatefulSet with
several replicas runs breachd --partitioned and gives every replica's stable address in --peers,
leaving itself out with --self_address; claims ask for an access mode and a size; Services select
some workload's pods and target declared ports; PodDisruptionBudgets select some workload and
let a drain proceed without taking every replica down;
NetworkPolicies say their policy types; KafkaTopics name a rendered Kafka cluster, each --topic
exists, replicas do not exceed the brokers and min.insync.replicas is below replicas when
replicated; each --service is hosted by some workload (breachd --services=...). Prints one line
per problem and exits 1 if there is any.
"""
import argparse
import sys

import yaml

NAMESPACED = {"Service", "StatefulSet", "PodDisruptionBudget", "NetworkPolicy", "Secret",
              "ConfigMap", "Kafka", "KafkaTopic", "PersistentVolumeClaim"}
CLUSTER_SCOPED = {"Namespace"}
WORKLOADS = {"StatefulSet"}


def selects(selector, labels):
    """Whether a matchLabels-style selector (a dict) selects pods with `labels`."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


class Checker:
    def __init__(self, documents, external_secrets, topics, services=()):
        self.documents = documents
        self.external_secrets = set(external_secrets)
        self.topics = topics
        self.services = services
        self.problems = []

    def problem(self, doc, message):
        name = f"{doc.get('kind', '?')}/{doc.get('metadata', {}).get('name', '?')}"
        self.problems.append(f"{name}: {message}")

    def named(self, kind):
        return {d["metadata"]["name"]: d for d in self.documents if d.get("kind") == kind}

    def claim_users(self, claim):
        """How many pods mount the PersistentVolumeClaim `claim` (replicas summed)."""
        pods = 0
        for w in self.documents:
            if w.get("kind") not in WORKLOADS:
                continue
            for volume in w["spec"]["template"]["spec"].get("volumes", []):
                if volume.get("persistentVolumeClaim", {}).get("claimName") == claim:
                    pods += w["spec"].get("replicas", 1)
        return pods

    def secret_known(self, name):
        return name in self.named("Secret") or name in self.external_secrets

    def pod_labels(self):
        return [w["spec"]["template"]["metadata"].get("labels", {})
                for w in self.documents if w.get("kind") in WORKLOADS]

    def run(self):
        for doc in self.documents:
            if not self.check_common(doc):
                continue
            getattr(self, "check_" + doc["kind"], lambda d: None)(doc)
        for topic in self.topics:
            if topic not in {t["spec"].get("topicName") for t in self.named("KafkaTopic").values()}:
                self.problems.append(f"KafkaTopic for {topic}: missing")
        hosted = self.hosted_services()
        for service in self.services:
            if service not in hosted:
                self.problems.append(f"service {service}: no workload runs breachd "
                                     f"--services={service}")
        return self.problems

    def hosted_services(self):
        """The services the workloads' containers host (--services=a,b; all is every one)."""
        hosted = set()
        for w in self.documents:
            if w.get("kind") not in WORKLOADS:
                continue
            for container in w["spec"]["template"]["spec"].get("containers", []):
                for arg in container.get("args", []):
                    if arg.startswith("--services="):
                        names = arg.split("=", 1)[1].split(",")
                        hosted |= set(self.services) if "all" in names else set(names)
        return hosted

    def check_common(self, doc):
        for field in ("apiVersion", "kind"):
            if not doc.get(field):
                self.problem(doc, f"no {field}")
                return False
        if not doc.get("metadata", {}).get("name"):
            self.problem(doc, "no metadata.name")
            return False
        if doc["kind"] not in NAMESPACED | CLUSTER_SCOPED:
            self.problem(doc, "a kind this checker does not know: add its rules")
            return False
        if doc["kind"] in NAMESPACED and not doc["metadata"].get("namespace"):
            self.problem(doc, "no metadata.namespace (overlays set it)")
        return True

    def check_StatefulSet(self, doc):
        spec = doc["spec"]
        labels = spec["template"]["metadata"].get("labels", {})
        if not selects(spec.get("selector", {}).get("matchLabels"), labels):
            self.problem(doc, "spec.selector.matchLabels does not select the pod template's labels")
        service = self.named("Service").get(spec.get("serviceName"))
        if service is None:
            self.problem(doc, f"serviceName {spec.get('serviceName')} is not a rendered Service")
        elif service["spec"].get("clusterIP") != "None":
            self.problem(doc, f"serviceName {spec['serviceName']} is not headless")
        pod = spec["template"]["spec"]
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            self.problem(doc, "the pod may run as root (securityContext.runAsNonRoot)")
        claims = {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])}
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for volume in volumes.values():
            secret = volume.get("secret", {}).get("secretName")
            if secret and not self.secret_known(secret):
                self.problem(doc, f"secret {secret} is neither rendered nor declared external")
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            if claim:
                self.check_claim_use(doc, claim)
        for container in pod.get("containers", []):
            self.check_container(doc, container, set(volumes) | claims)
            self.check_replicas(doc, container)

    def check_claim_use(self, doc, claim):
        rendered = self.named("PersistentVolumeClaim").get(claim)
        if rendered is None:
            self.problem(doc, f"claim {claim} is not a rendered PersistentVolumeClaim")
        elif (self.claim_users(claim) > 1
              and "ReadWriteMany" not in rendered["spec"].get("accessModes", [])):
            self.problem(doc, f"claim {claim} is mounted by {self.claim_users(claim)} pods "
                              "but is not ReadWriteMany")

    def check_replicas(self, doc, container):
        """Several replicas of a breachd service: partitioned, each finding the others."""
        replicas = doc["spec"].get("replicas", 1)
        if replicas <= 1:
            return
        args = container.get("args", [])
        flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
        if "partitioned" not in flags:
            self.problem(doc, f"{replicas} replicas without --partitioned: each would hold "
                              "every breach")
        if "self_address" not in flags:
            self.problem(doc, f"{replicas} replicas without --self_address")
        peers = flags.get("peers", "").split(",")
        service = doc["spec"].get("serviceName")
        name = doc["metadata"]["name"]
        for ordinal in range(replicas):
            address = f"{name}-{ordinal}.{service}:"
            if not any(address in peer for peer in peers):
                self.problem(doc, f"--peers does not name replica {name}-{ordinal} "
                                  f"({address}PORT)")

    def check_container(self, doc, container, volume_names):
        where = f"container {container.get('name')}"
        image = container.get("image", "")
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if "@sha256:" not in image and (not tag or tag == "latest"):
            self.problem(doc, f"{where}: image {image!r} is not pinned (no tag, or latest)")
        requests = container.get("resources", {}).get("requests", {})
        for resource in ("cpu", "memory"):
            if resource not in requests:
                self.problem(doc, f"{where}: no {resource} request")
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        for kind in ("livenessProbe", "readinessProbe"):
            probe = container.get(kind)
            if not probe:
                self.problem(doc, f"{where}: no {kind}")
                continue
            if "exec" in probe:
                self.check_exec_probe(doc, where, kind, probe["exec"], ports)
                continue
            handler = next((probe[h] for h in ("grpc", "httpGet", "tcpSocket") if h in probe), None)
            if handler is None:
                self.problem(doc, f"{where}: {kind} has no grpc, httpGet, tcpSocket or exec check")
            elif handler.get("port") not in set(ports) | set(ports.values()):
                self.problem(doc, f"{where}: {kind} port {handler.get('port')} is not declared")
        for env in container.get("env", []):
            secret = env.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
            if secret and not self.secret_known(secret):
                self.problem(doc, f"{where}: env {env.get('name')} reads secret {secret}, "
                                  "neither rendered nor declared external")
        security = container.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False:
            self.problem(doc, f"{where}: allowPrivilegeEscalation is not false")
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volume_names:
                self.problem(doc, f"{where}: mounts {mount['name']}, which is no volume or claim")

    def check_exec_probe(self, doc, where, kind, handler, ports):
        """A command probe: a command, and an --endpoint (breachctl health) on a declared port."""
        command = handler.get("command") or []
        if not command:
            self.problem(doc, f"{where}: {kind} exec has no command")
            return
        if "--endpoint" in command[:-1]:
            endpoint = command[command.index("--endpoint") + 1]
            port = endpoint.rpartition(":")[2]
            if not port.isdigit() or int(port) not in set(ports.values()):
                self.problem(doc, f"{where}: {kind} calls {endpoint}, not a declared port")

    def check_Service(self, doc):
        selector = doc["spec"].get("selector")
        workloads = [w for w in self.documents if w.get("kind") in WORKLOADS
                     and selects(selector, w["spec"]["template"]["metadata"].get("labels", {}))]
        if not workloads:
            self.problem(doc, f"selector {selector} selects no workload's pods")
            return
        declared = set()
        for workload in workloads:
            for container in workload["spec"]["template"]["spec"]["containers"]:
                for port in container.get("ports", []):
                    declared |= {port.get("name"), port["containerPort"]}
        for port in doc["spec"].get("ports", []):
            if port.get("targetPort", port.get("port")) not in declared:
                self.problem(doc, f"port {port.get('name')} targets {port.get('targetPort')}, "
                                  "which the selected pods do not declare")

    def check_PodDisruptionBudget(self, doc):
        spec = doc["spec"]
        if "minAvailable" not in spec and "maxUnavailable" not in spec:
            self.problem(doc, "neither minAvailable nor maxUnavailable")
        selector = spec.get("selector", {}).get("matchLabels")
        if not any(selects(selector, labels) for labels in self.pod_labels()):
            self.problem(doc, f"selector {selector} selects no workload's pods")
            return
        replicas = sum(w["spec"].get("replicas", 1) for w in self.documents
                       if w.get("kind") in WORKLOADS
                       and selects(selector, w["spec"]["template"]["metadata"].get("labels", {})))
        if isinstance(spec.get("minAvailable"), int) and spec["minAvailable"] >= replicas:
            self.problem(doc, f"minAvailable {spec['minAvailable']} of {replicas} replicas: "
                              "no drain can ever proceed")
        if (replicas > 1 and isinstance(spec.get("maxUnavailable"), int)
                and spec["maxUnavailable"] >= replicas):
            self.problem(doc, f"maxUnavailable {spec['maxUnavailable']} lets all {replicas} "
                              "replicas go at once")

    def check_PersistentVolumeClaim(self, doc):
        spec = doc.get("spec", {})
        if not spec.get("accessModes"):
            self.problem(doc, "no spec.accessModes")
        if not spec.get("resources", {}).get("requests", {}).get("storage"):
            self.problem(doc, "no spec.resources.requests.storage")

    def check_NetworkPolicy(self, doc):
        spec = doc["spec"]
        if "podSelector" not in spec:
            self.problem(doc, "no podSelector")
        if not spec.get("policyTypes"):
            self.problem(doc, "no policyTypes")
        selector = spec.get("podSelector", {}).get("matchLabels")
        if selector and not any(selects(selector, labels) for labels in self.pod_labels()):
            self.problem(doc, f"podSelector {selector} selects no workload's pods")

    def check_Kafka(self, doc):
        kafka = doc["spec"].get("kafka", {})
        for field in ("replicas", "listeners", "storage"):
            if not kafka.get(field):
                self.problem(doc, f"no spec.kafka.{field}")

    def check_KafkaTopic(self, doc):
        cluster_name = doc["metadata"].get("labels", {}).get("strimzi.io/cluster")
        cluster = self.named("Kafka").get(cluster_name)
        if cluster is None:
            self.problem(doc, f"label strimzi.io/cluster={cluster_name} names no rendered Kafka")
            return
        spec = doc["spec"]
        for field in ("topicName", "partitions", "replicas"):
            if not spec.get(field):
                self.problem(doc, f"no spec.{field}")
        replicas = spec.get("replicas", 0)
        if replicas > cluster["spec"]["kafka"].get("replicas", 0):
            self.problem(doc, f"{replicas} replicas on {cluster['spec']['kafka']['replicas']} brokers")
        min_isr = int(spec.get("config", {}).get("min.insync.replicas", 1))
        if replicas > 1 and min_isr >= replicas:
            self.problem(doc, f"min.insync.replicas {min_isr} leaves no replica to lose")
        if min_isr > replicas:
            self.problem(doc, f"min.insync.replicas {min_isr} above {replicas} replicas")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rendered")
    parser.add_argument("--external-secret", action="append", default=[])
    parser.add_argument("--topic", action="append", default=[])
    parser.add_argument("--service", action="append", default=[])
    args = parser.parse_args()
    with open(args.rendered) as rendered:
        documents = [d for d in yaml.safe_load_all(rendered) if d]
    if not documents:
        print(f"{args.rendered}: no documents")
        return 1
    problems = Checker(documents, args.external_secret, args.topic, args.service).run()
    for problem in problems:
        print(problem)
    kinds = sorted({d["kind"] for d in documents})
    print(f"{args.rendered}: {len(documents)} documents ({', '.join(kinds)}), "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
