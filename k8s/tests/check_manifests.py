#!/usr/bin/env python3
"""Checks rendered Kubernetes manifests (kubectl kustomize output) without a cluster.

  check_manifests.py RENDERED.yaml [--external-secret NAME ...] [--topic NAME ...]

Every document must be of a kind this checker knows, with apiVersion, kind and metadata.name, and
a namespace for namespaced kinds. Per kind: workloads have selectors that match their pod labels,
pinned images (a tag that is not `latest`, or a digest), CPU and memory requests, liveness and
readiness probes on a declared port, non-root pods and containers that cannot escalate; every
volume claim and secret they mount exists (or is named with --external-secret); Services select
some workload's pods and target declared ports; PodDisruptionBudgets select some workload;
NetworkPolicies say their policy types; KafkaTopics name a rendered Kafka cluster, each --topic
exists, replicas do not exceed the brokers and min.insync.replicas is below replicas when
replicated. Prints one line per problem and exits 1 if there is any.
"""
import argparse
import sys

import yaml

NAMESPACED = {"Service", "StatefulSet", "PodDisruptionBudget", "NetworkPolicy", "Secret",
              "ConfigMap", "Kafka", "KafkaTopic"}
CLUSTER_SCOPED = {"Namespace"}
WORKLOADS = {"StatefulSet"}


def selects(selector, labels):
    """Whether a matchLabels-style selector (a dict) selects pods with `labels`."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


class Checker:
    def __init__(self, documents, external_secrets, topics):
        self.documents = documents
        self.external_secrets = set(external_secrets)
        self.topics = topics
        self.problems = []

    def problem(self, doc, message):
        name = f"{doc.get('kind', '?')}/{doc.get('metadata', {}).get('name', '?')}"
        self.problems.append(f"{name}: {message}")

    def named(self, kind):
        return {d["metadata"]["name"]: d for d in self.documents if d.get("kind") == kind}

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
        return self.problems

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
            if secret and secret not in self.named("Secret") and secret not in self.external_secrets:
                self.problem(doc, f"secret {secret} is neither rendered nor declared external")
        for container in pod.get("containers", []):
            self.check_container(doc, container, set(volumes) | claims)

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
            handler = next((probe[h] for h in ("grpc", "httpGet", "tcpSocket") if h in probe), None)
            if handler is None:
                self.problem(doc, f"{where}: {kind} has no grpc, httpGet or tcpSocket check")
            elif handler.get("port") not in set(ports) | set(ports.values()):
                self.problem(doc, f"{where}: {kind} port {handler.get('port')} is not declared")
        security = container.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False:
            self.problem(doc, f"{where}: allowPrivilegeEscalation is not false")
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volume_names:
                self.problem(doc, f"{where}: mounts {mount['name']}, which is no volume or claim")

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
    args = parser.parse_args()
    with open(args.rendered) as rendered:
        documents = [d for d in yaml.safe_load_all(rendered) if d]
    if not documents:
        print(f"{args.rendered}: no documents")
        return 1
    problems = Checker(documents, args.external_secret, args.topic).run()
    for problem in problems:
        print(problem)
    kinds = sorted({d["kind"] for d in documents})
    print(f"{args.rendered}: {len(documents)} documents ({', '.join(kinds)}), "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
