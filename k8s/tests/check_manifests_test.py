#!/usr/bin/env python3
"""check_manifests.py finds what it promises to find, on small broken manifests."""
import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_manifests import Checker  # noqa: E402

NS = "breachd"
LABELS = {"app.kubernetes.io/name": "breachd", "app.kubernetes.io/component": "intake"}


def good():
    container = {
        "name": "breachd", "image": "registry.example.invalid/breachd/breachd:0.1.0",
        "ports": [{"name": "grpc", "containerPort": 50051}],
        "livenessProbe": {"grpc": {"port": 50051}},
        "readinessProbe": {"grpc": {"port": 50051, "service": "breach.v1.IntakeService"}},
        "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False},
        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/breachd"},
                         {"name": "identity", "mountPath": "/etc/breachd/identity"}],
    }
    return [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "breachd-identity", "namespace": NS}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "pods", "namespace": NS},
         "spec": {"clusterIP": "None", "selector": dict(LABELS),
                  "ports": [{"name": "grpc", "port": 50051, "targetPort": "grpc"}]}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "intake", "namespace": NS},
         "spec": {"serviceName": "pods", "selector": {"matchLabels": dict(LABELS)},
                  "template": {"metadata": {"labels": dict(LABELS)},
                               "spec": {"securityContext": {"runAsNonRoot": True},
                                        "containers": [container],
                                        "volumes": [{"name": "identity",
                                                     "secret": {"secretName": "breachd-identity"}}]}},
                  "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "namespace": NS},
         "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(LABELS)}}},
        {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "Kafka", "metadata": {"name": "k", "namespace": NS},
         "spec": {"kafka": {"replicas": 3, "listeners": [{"name": "plain"}], "storage": {"type": "jbod"}}}},
        {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic",
         "metadata": {"name": "t", "namespace": NS, "labels": {"strimzi.io/cluster": "k"}},
         "spec": {"topicName": "breach.events.v1", "partitions": 12, "replicas": 3,
                  "config": {"min.insync.replicas": 2}}},
    ]


def problems(documents, topics=("breach.events.v1",)):
    return Checker(documents, [], list(topics)).run()


def find(documents, kind):
    return next(d for d in documents if d["kind"] == kind)


class CheckManifestsTest(unittest.TestCase):
    def test_a_good_set_has_no_problem(self):
        self.assertEqual(problems(good()), [])

    def assertFinds(self, documents, phrase, topics=("breach.events.v1",)):
        found = problems(documents, topics)
        self.assertTrue(any(phrase in p for p in found), f"{phrase!r} not in {found}")

    def container(self, documents):
        return find(documents, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]

    def test_latest_and_untagged_images(self):
        for image in ("breachd:latest", "registry.example.invalid:5000/breachd"):
            documents = good()
            self.container(documents)["image"] = image
            self.assertFinds(documents, "is not pinned")

    def test_a_missing_probe_or_an_undeclared_probe_port(self):
        documents = good()
        del self.container(documents)["readinessProbe"]
        self.assertFinds(documents, "no readinessProbe")
        documents = good()
        self.container(documents)["livenessProbe"]["grpc"]["port"] = 50052
        self.assertFinds(documents, "livenessProbe port 50052 is not declared")

    def test_a_command_probe_needs_a_command_on_a_declared_port(self):
        documents = good()
        container = find(documents, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]
        container["readinessProbe"] = {"exec": {"command": [
            "/usr/bin/breachctl", "--endpoint", "127.0.0.1:50051", "health"]}}
        self.assertEqual(problems(documents), [])
        container["readinessProbe"]["exec"]["command"][2] = "127.0.0.1:50099"
        self.assertFinds(documents, "readinessProbe calls 127.0.0.1:50099, not a declared port")
        container["readinessProbe"] = {"exec": {"command": []}}
        self.assertFinds(documents, "readinessProbe exec has no command")

    def test_a_missing_request(self):
        documents = good()
        del self.container(documents)["resources"]["requests"]["memory"]
        self.assertFinds(documents, "no memory request")

    def test_selectors_that_select_nothing(self):
        documents = good()
        find(documents, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]["x"] = "y"
        find(documents, "Service")["spec"]["selector"] = {"app": "other"}
        self.assertFinds(documents, "PodDisruptionBudget/pdb: selector")
        self.assertFinds(documents, "Service/pods: selector")

    def test_a_secret_that_is_not_there(self):
        documents = [d for d in good() if d["kind"] != "Secret"]
        self.assertFinds(documents, "secret breachd-identity is neither rendered nor declared external")
        self.assertEqual(Checker(documents, ["breachd-identity"], []).run(), [])

    def test_topics_replication_and_presence(self):
        documents = good()
        find(documents, "KafkaTopic")["spec"]["replicas"] = 4
        self.assertFinds(documents, "4 replicas on 3 brokers")
        documents = good()
        find(documents, "KafkaTopic")["spec"]["config"]["min.insync.replicas"] = 3
        self.assertFinds(documents, "leaves no replica to lose")
        self.assertFinds(good(), "KafkaTopic for breach.siem.v1: missing",
                         topics=("breach.events.v1", "breach.siem.v1"))

    def with_keyring(self, access_mode="ReadWriteMany"):
        documents = good()
        documents.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                          "metadata": {"name": "keyring", "namespace": NS},
                          "spec": {"accessModes": [access_mode],
                                   "resources": {"requests": {"storage": "1Gi"}}}})
        pod = find(documents, "StatefulSet")["spec"]["template"]["spec"]
        pod["volumes"].append({"name": "keyring", "persistentVolumeClaim": {"claimName": "keyring"}})
        pod["containers"][0]["volumeMounts"].append({"name": "keyring", "mountPath": "/k"})
        return documents

    def test_every_named_service_is_hosted_by_a_workload(self):
        documents = good()
        find(documents, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["args"] = [
            "--services=intake"]
        self.assertEqual(Checker(documents, [], [], ["intake"]).run(), [])
        self.assertIn("service notification: no workload runs breachd --services=notification",
                      Checker(documents, [], [], ["intake", "notification"]).run())
        find(documents, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["args"] = [
            "--services=all"]
        self.assertEqual(Checker(documents, [], [], ["intake", "notification"]).run(), [])

    def test_a_shared_claim_must_be_read_write_many(self):
        self.assertEqual(problems(self.with_keyring()), [])
        documents = self.with_keyring("ReadWriteOnce")
        self.assertEqual(problems(documents), [])  # one pod: any mode
        find(documents, "StatefulSet")["spec"]["replicas"] = 2
        self.assertFinds(documents, "claim keyring is mounted by 2 pods but is not ReadWriteMany")
        documents = self.with_keyring()
        del documents[-1]
        self.assertFinds(documents, "claim keyring is not a rendered PersistentVolumeClaim")
        documents = self.with_keyring()
        del documents[-1]["spec"]["resources"]
        self.assertFinds(documents, "no spec.resources.requests.storage")

    def test_an_environment_secret_that_is_not_there(self):
        documents = good()
        self.container(documents)["env"] = [
            {"name": "BREACHD_MASTER_KEY",
             "valueFrom": {"secretKeyRef": {"name": "breachd-master-key", "key": "master.key"}}}]
        self.assertFinds(documents, "env BREACHD_MASTER_KEY reads secret breachd-master-key")
        self.assertEqual(Checker(documents, ["breachd-master-key"], []).run(), [])

    def test_replicas_are_partitioned_and_find_each_other(self):
        documents = good()
        find(documents, "StatefulSet")["spec"]["replicas"] = 2
        self.container(documents)["args"] = ["--services=register"]
        self.assertFinds(documents, "2 replicas without --partitioned")
        self.assertFinds(documents, "2 replicas without --self_address")
        self.assertFinds(documents, "--peers does not name replica intake-1 (intake-1.pods:PORT)")
        self.container(documents)["args"] = [
            "--services=register", "--partitioned=register",
            "--peers=register=intake-0.pods:50051,register=intake-1.pods:50051",
            "--self_address=$(POD_NAME).pods:50051"]
        self.assertEqual(problems(documents), [])

    def test_a_budget_that_blocks_every_drain_or_allows_every_replica_down(self):
        documents = good()
        find(documents, "PodDisruptionBudget")["spec"] = {
            "minAvailable": 1, "selector": {"matchLabels": dict(LABELS)}}
        self.assertFinds(documents, "minAvailable 1 of 1 replicas: no drain can ever proceed")
        documents = good()
        find(documents, "StatefulSet")["spec"]["replicas"] = 2
        self.container(documents)["args"] = [
            "--partitioned=register", "--self_address=x",
            "--peers=register=intake-0.pods:1,register=intake-1.pods:1"]
        find(documents, "PodDisruptionBudget")["spec"]["maxUnavailable"] = 2
        self.assertFinds(documents, "maxUnavailable 2 lets all 2 replicas go at once")

    def test_unknown_kinds_and_missing_namespaces(self):
        documents = good() + [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}]
        self.assertFinds(documents, "does not know")
        documents = copy.deepcopy(good())
        del find(documents, "Kafka")["metadata"]["namespace"]
        self.assertFinds(documents, "Kafka/k: no metadata.namespace")


if __name__ == "__main__":
    unittest.main()
