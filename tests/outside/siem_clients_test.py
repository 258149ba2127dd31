#!/usr/bin/env python3
"""The SIEM feed as clients nobody here wrote see it, against a breachd this test starts
(--kafka=embedded, --siem_syslog to a collector) and stops:

* kcat and kafka-python (pure Python) consume breach.siem.v1 and validate every document: the
  ECS fields docs/siem.md promises, the key (the breach id), and no personal data from the
  reports filed;
* rsyslog with imkafka (rsyslog-kafka) ingests the topic to a file;
* rsyslog with imtcp receives the CEF-over-RFC 5424 syslog output to a file;
* a TLS collector (Python's ssl, a CA made with the openssl CLI) receives the CEF lines over
  tls://, and one whose certificate the CA did not sign receives nothing.

Each rsyslogd runs in the foreground with its own configuration and work folder
(rsyslogd -n -f CONF -i PIDFILE) and is stopped at the end.

Run by ctest: siem_clients_test.py --breachd build/bin/breachd --proto_dir proto
Needs kcat, rsyslog, rsyslog-kafka, python3-kafka, python3-grpcio, python3-grpc-tools
(tools/dev/install-deps).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outside_client_test as outside  # noqa: E402  (generate_stubs, Breachd, tokens)

ARGS = None
SCHOOL = "MIIS01200V"
# Recognisable personal data: none of it may reach the feed.
SECRETS = {
    "reporter name": "Ermenegilda Pittaluga",
    "reporter e-mail": "ermenegilda.pittaluga@example.it",
    "reporter phone": "+39 347 9988776",
    "place": "armadietto di Lorenzo Quartieri",
    "description": "Certificato DSA di Ottavio Sbarbaro dimenticato in treno",
    "database": "Fascicolo personale di Ottavio Sbarbaro",
    "actions": "Telefonato alla madre, Rosalba Sbarbaro",
    "department head": "Prof.ssa Clotilde Fumagalli",
}
SECRET_WORDS = ["Ermenegilda", "Pittaluga", "9988776", "Quartieri", "Sbarbaro", "Rosalba",
                "Clotilde", "Fumagalli", "Certificato DSA", "armadietto", "dimenticato"]
# What every document carries (docs/siem.md, "Fields").
REQUIRED = ["@timestamp", "ecs.version", "event.kind", "event.category", "event.type",
            "event.action", "event.outcome", "event.id", "event.created", "event.dataset",
            "user.id", "user.roles", "organization.id", "service.name", "labels",
            "breach.event_type", "breach.stream_version", "breach.position", "breach.hash"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()


def field(document, path):
    node = document
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            raise KeyError(path)
        node = node[key]
    return node


class Rsyslog:
    """rsyslogd in the foreground with `rules` as its configuration, in its own folder."""

    def __init__(self, folder, rules):
        os.makedirs(os.path.join(folder, "work"))
        self.folder = folder
        conf = os.path.join(folder, "rsyslog.conf")
        with open(conf, "w") as out:
            out.write('global(workDirectory="%s" maxMessageSize="256k")\n'
                      % os.path.join(folder, "work"))
            out.write(rules)
        self.log = open(os.path.join(folder, "rsyslogd.log"), "w")
        self.process = subprocess.Popen(
            ["rsyslogd", "-n", "-f", conf, "-i", os.path.join(folder, "rsyslogd.pid")],
            stdout=self.log, stderr=subprocess.STDOUT)

    def lines(self, name):
        path = os.path.join(self.folder, name)
        if not os.path.exists(path):
            return []
        with open(path, errors="replace") as data:
            return [line for line in data.read().split("\n") if line]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def report(intake_pb2, request_id):
    from breach.v1 import intake_pb2 as pb
    form = pb.BreachReport(
        tenant=SCHOOL, place=SECRETS["place"], device_lost=True,
        reporter=pb.Reporter(name=SECRETS["reporter name"], email=SECRETS["reporter e-mail"],
                             phone=SECRETS["reporter phone"]),
        reporter_role=pb.REPORTER_ROLE_DEPARTMENT_HEAD, databases=[SECRETS["database"]],
        description=SECRETS["description"],
        data_subject_categories=[pb.DATA_SUBJECT_CATEGORY_PUPILS], approx_data_subjects=3,
        actions_taken=SECRETS["actions"], department_head=SECRETS["department head"])
    form.discovered_at.FromSeconds(int(time.time()) - 3600)
    return pb.ReportBreachRequest(request_id=request_id, report=form)


class SiemClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = os.path.abspath(tempfile.mkdtemp(prefix="breachd-siem-",
                                                       dir=os.environ.get("TEST_TMPDIR") or None))
        cls.processes = []
        try:
            outside.generate_stubs(ARGS.proto_dir, os.path.join(cls.scratch, "stubs"))
            # The CEF collector first: breachd connects to it at start.
            syslog_port = free_port()
            cls.tcp_collector = Rsyslog(os.path.join(cls.scratch, "imtcp"), (
                'module(load="imtcp")\n'
                'template(name="cef" type="string" string="%syslogfacility% %syslogseverity% '
                '%app-name% %msgid% %msg%\\n")\n'
                'ruleset(name="cef") { action(type="omfile" file="CEF_FILE" template="cef") }\n'
                'input(type="imtcp" address="127.0.0.1" port="PORT" ruleset="cef")\n')
                .replace("CEF_FILE", os.path.join(cls.scratch, "imtcp", "cef.log"))
                .replace("PORT", str(syslog_port)))
            cls.processes.append(cls.tcp_collector)
            wait_for(lambda: cls.port_open(syslog_port), timeout=20)
            cls.server = outside.Breachd(ARGS.breachd, cls.scratch,
                                         ["--siem_syslog=tcp://127.0.0.1:%d" % syslog_port])
            cls.kafka_collector = Rsyslog(os.path.join(cls.scratch, "imkafka"), (
                'module(load="imkafka")\n'
                'template(name="raw" type="string" string="%msg%\\n")\n'
                'ruleset(name="siem") { action(type="omfile" file="SIEM_FILE" template="raw") }\n'
                'input(type="imkafka" topic="breach.siem.v1" broker="BROKER" '
                'consumergroup="rsyslog-siem" ruleset="siem" '
                'confParam=["auto.offset.reset=earliest"])\n')
                .replace("SIEM_FILE", os.path.join(cls.scratch, "imkafka", "siem.log"))
                .replace("BROKER", cls.server.bootstrap_servers))
            cls.processes.append(cls.kafka_collector)
            cls.channel = grpc.secure_channel(
                cls.server.endpoint, grpc.ssl_channel_credentials(cls.server.ca_certificate))
            cls.file_and_read()
        except BaseException:
            cls.cleanup()
            raise

    @staticmethod
    def port_open(port):
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    @classmethod
    def cleanup(cls):
        for process in cls.processes:
            process.stop()
        if getattr(cls, "server", None):
            cls.server.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.cleanup()

    @classmethod
    def file_and_read(cls):
        """Two reports full of personal data, reads of them, a listing and a refusal."""
        from breach.v1 import admin_pb2, admin_pb2_grpc, intake_pb2, intake_pb2_grpc
        from breach.v1 import register_pb2, register_pb2_grpc
        dpo = [("authorization", "Bearer " + outside.DPO_TOKEN)]
        intake = intake_pb2_grpc.IntakeServiceStub(cls.channel)
        cls.breach_ids = []
        for n in range(2):
            filed = intake.ReportBreach(report(intake_pb2, "siem-%d" % n), timeout=10,
                                        metadata=dpo)
            cls.breach_ids.append(filed.breach_id)
            intake.GetReport(intake_pb2.GetReportRequest(breach_id=filed.breach_id), timeout=10,
                             metadata=dpo)
        register = register_pb2_grpc.RegisterServiceStub(cls.channel)
        wait_for(lambda: len(register.ListBreaches(register_pb2.ListBreachesRequest(),
                                                   timeout=10, metadata=dpo).entries) == 2)
        # A school's DPO may not verify whole stores: refused, and recorded in each store.
        with cls.assertRaises(cls(), grpc.RpcError):
            admin_pb2_grpc.AdminServiceStub(cls.channel).VerifyChains(
                admin_pb2.VerifyChainsRequest(), timeout=10, metadata=dpo)

    def kafka_python_documents(self):
        """Every (key, document) on the topic, read by kafka-python without a group."""
        from kafka import KafkaConsumer, TopicPartition
        consumer = KafkaConsumer(bootstrap_servers=self.server.bootstrap_servers,
                                 group_id=None, enable_auto_commit=False,
                                 auto_offset_reset="earliest", consumer_timeout_ms=2000,
                                 api_version_auto_timeout_ms=10000)
        partition = TopicPartition("breach.siem.v1", 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        out = [(m.key.decode() if m.key else "", json.loads(m.value)) for m in consumer]
        consumer.close()
        return out

    def kcat_documents(self):
        result = subprocess.run(
            ["kcat", "-b", self.server.bootstrap_servers, "-C", "-t", "breach.siem.v1",
             "-o", "beginning", "-e", "-q", "-f", "%k\\t%s\\n"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = []
        for line in result.stdout.split("\n"):
            if line:
                key, _, value = line.partition("\t")
                out.append((key, json.loads(value)))
        return out

    def expected_actions(self, documents):
        return {"breach-reported", "breach-viewed", "breaches-listed",
                "access-denied"} <= {d["event"]["action"] for _, d in documents}

    def validate(self, documents):
        self.assertTrue(documents)
        for key, document in documents:
            for path in REQUIRED:
                field(document, path)  # raises KeyError naming what is missing
            self.assertEqual(document["ecs"]["version"], "8.11")
            self.assertIsInstance(document["event"]["category"], list)
            self.assertIn(document["event"]["outcome"], ["success", "failure", "unknown"])
            self.assertEqual(key, document["breach"].get("id", key))
            text = json.dumps(document, ensure_ascii=False)
            for secret in list(SECRETS.values()) + SECRET_WORDS:
                self.assertNotIn(secret, text, "personal data in %s" % text)

    def test_kafka_python_consumes_and_validates_every_document(self):
        documents = wait_for(lambda: (lambda d: d if self.expected_actions(d) else None)(
            self.kafka_python_documents()))
        self.assertTrue(documents, "the feed never carried every expected action")
        self.validate(documents)
        reported = [d for _, d in documents if d["event"]["action"] == "breach-reported"]
        self.assertEqual(sorted(d["breach"]["id"] for d in reported), sorted(self.breach_ids))
        for d in reported:
            self.assertEqual(d["breach"]["status"], "reported")
            self.assertEqual(d["breach"]["report"]["approx_data_subjects"], 3)
        denied = [d for _, d in documents if d["event"]["action"] == "access-denied"]
        self.assertTrue(all(d["event"]["outcome"] == "failure" for d in denied))
        services = {d["service"]["name"] for _, d in documents}
        self.assertLessEqual({"intake", "register"}, services)
        self.assertEqual(len({d["event"]["id"] for _, d in documents}), len(documents),
                         "a document twice")

    def test_kcat_consumes_and_validates_every_document(self):
        documents = wait_for(lambda: (lambda d: d if self.expected_actions(d) else None)(
            self.kcat_documents()))
        self.assertTrue(documents, "the feed never carried every expected action")
        self.validate(documents)

    def test_rsyslog_imkafka_ingests_the_topic_to_a_file(self):
        expected = {d["event"]["id"] for _, d in wait_for(
            lambda: (lambda d: d if self.expected_actions(d) else None)(self.kcat_documents()))}
        lines = wait_for(lambda: (lambda l: l if len(l) >= len(expected) else None)(
            self.kafka_collector.lines("siem.log")), timeout=60)
        self.assertTrue(lines, "rsyslog wrote nothing: " + self.kafka_collector.folder)
        documents = [("", json.loads(line)) for line in lines]
        self.assertLessEqual(expected, {d["event"]["id"] for _, d in documents})
        for _, document in documents:
            for secret in SECRET_WORDS:
                self.assertNotIn(secret, json.dumps(document, ensure_ascii=False))

    def test_rsyslog_imtcp_receives_one_cef_line_per_event(self):
        expected = {d["event"]["id"]: d for _, d in wait_for(
            lambda: (lambda d: d if self.expected_actions(d) else None)(self.kcat_documents()))}
        lines = wait_for(lambda: (lambda l: l if len(l) >= len(expected) else None)(
            self.tcp_collector.lines("cef.log")), timeout=60)
        self.assertTrue(lines, "rsyslog received no CEF line")
        seen = {}
        for line in lines:
            facility, severity, app, msgid, message = line.split(" ", 4)
            self.assertEqual((facility, app), ("13", "breachd"), line)
            self.assertTrue(message.startswith("CEF:0|breachd|breachd|1|" + msgid + "|"), line)
            external_id = [part for part in message.split(" ") if part.startswith("externalId=")]
            self.assertEqual(len(external_id), 1, line)
            seen[external_id[0].split("=", 1)[1]] = (severity, message)
            for secret in SECRET_WORDS:
                self.assertNotIn(secret, line)
        self.assertLessEqual(set(expected), set(seen))
        for event_id, document in expected.items():
            if document["event"]["action"] == "access-denied":
                self.assertIn("|AccessDenied|7|", seen[event_id][1])
                self.assertEqual(seen[event_id][0], "4")  # warning


class TlsCollector:
    """A syslog collector over TLS that keeps the octet-counted frames it receives."""

    def __init__(self, cert, key):
        self.frames = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.context = context
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.read, args=(raw,), daemon=True).start()

    def read(self, raw):
        try:
            connection = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            return
        pending = b""
        while True:
            try:
                data = connection.recv(65536)
            except (ssl.SSLError, OSError):
                return
            if not data:
                return
            pending += data
            while b" " in pending:
                length, _, rest = pending.partition(b" ")
                if len(rest) < int(length):
                    break
                self.frames.append(rest[:int(length)].decode())
                pending = rest[int(length):]

    def close(self):
        self.listener.close()


def make_certificates(folder):
    """A CA, a collector certificate for 127.0.0.1 it signs, and another CA (not trusted)."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=folder)
    for ca in ("ca", "other-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out",
            ca + ".pem", "-subj", "/CN=" + ca, "-days", "2")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "collector.key", "-out",
        "collector.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(folder, "san.ext"), "w") as ext:
        ext.write("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "collector.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "collector.pem", "-days", "2", "-extfile", "san.ext")


class SiemTlsSyslogTest(unittest.TestCase):
    def test_cef_over_tls_reaches_a_verified_collector_only(self):
        scratch = tempfile.mkdtemp(prefix="breachd-siem-tls-",
                                   dir=os.environ.get("TEST_TMPDIR") or None)
        servers = []
        try:
            outside.generate_stubs(ARGS.proto_dir, os.path.join(scratch, "stubs"))
            make_certificates(scratch)
            collector = TlsCollector(os.path.join(scratch, "collector.pem"),
                                     os.path.join(scratch, "collector.key"))
            # Trusting another CA: the handshake fails, nothing is sent, breachd keeps serving.
            untrusting = os.path.join(scratch, "untrusting")
            os.makedirs(untrusting)
            servers.append(outside.Breachd(ARGS.breachd, untrusting, [
                "--siem_syslog=tls://127.0.0.1:%d" % collector.port,
                "--siem_syslog_ca=" + os.path.join(scratch, "other-ca.pem")]))
            trusting = os.path.join(scratch, "trusting")
            os.makedirs(trusting)
            servers.append(outside.Breachd(ARGS.breachd, trusting, [
                "--siem_syslog=tls://127.0.0.1:%d" % collector.port,
                "--siem_syslog_ca=" + os.path.join(scratch, "ca.pem")]))
            from breach.v1 import intake_pb2, intake_pb2_grpc
            for n, server in enumerate(servers):
                channel = grpc.secure_channel(server.endpoint,
                                              grpc.ssl_channel_credentials(server.ca_certificate))
                filed = intake_pb2_grpc.IntakeServiceStub(channel).ReportBreach(
                    report(intake_pb2, "tls-%d" % n), timeout=10,
                    metadata=[("authorization", "Bearer " + outside.DPO_TOKEN)])
                channel.close()
            self.assertTrue(wait_for(lambda: any(filed.breach_id in f and "breach-reported" in f
                                                 for f in collector.frames), timeout=30),
                            collector.frames)
            for frame in collector.frames:
                self.assertTrue(frame.startswith("<"), frame)
                self.assertIn(" breachd - ", frame)
                for secret in SECRET_WORDS:
                    self.assertNotIn(secret, frame)
            self.assertTrue(wait_for(lambda: "TLS handshake" in servers[0].output(), timeout=20),
                            servers[0].output())
            # The collector it cannot reach never holds up its Kafka feed.
            from kafka import KafkaConsumer, TopicPartition

            def untrusting_feed():
                consumer = KafkaConsumer(bootstrap_servers=servers[0].bootstrap_servers,
                                         group_id=None, auto_offset_reset="earliest",
                                         consumer_timeout_ms=2000)
                consumer.assign([TopicPartition("breach.siem.v1", 0)])
                actions = [json.loads(m.value)["event"]["action"] for m in consumer]
                consumer.close()
                return "breach-reported" in actions
            self.assertTrue(wait_for(untrusting_feed, timeout=30))
        finally:
            for server in servers:
                server.stop()
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--breachd", required=True)
    parser.add_argument("--proto_dir", required=True)
    ARGS, rest = parser.parse_known_args()
    outside.ARGS = ARGS
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
