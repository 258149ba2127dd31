#!/usr/bin/env python3
"""breachd as an outside client sees it: Python gRPC stubs generated from proto/ at test time,
against a breachd this test starts (--kafka=embedded, port 0, data in a scratch folder) and stops.

Checks what a C++ client linked with our own code could miss: every service that reflection lists
answers SERVING to grpc.health.v1.Health/Check, reflection can describe each of them (including
grpc.health.v1.Health itself), a call with two authorization headers is refused, bytes that are
not the request message are INVALID_ARGUMENT, and --services refuses a service this build cannot
host.

Run by ctest: outside_client_test.py --breachd build/bin/breachd --proto_dir proto
Needs the Debian packages python3-grpcio and python3-grpc-tools (tools/dev/install-deps).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

ARGS = None
OPERATOR_TOKEN = "outside-operator-token"
DPO_TOKEN = "outside-dpo-token"
REFLECTION_METHOD = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"


def generate_stubs(proto_dir, out_dir):
    """Compiles proto/ to Python modules in out_dir and puts them on the import path."""
    # Debian's protoc (3.21) with gRPC's Python plugin: the protoc bundled in Debian's grpc_tools
    # (1.14) predates proto3 `optional` (protobuf 3.15), which the assessment API uses.
    protoc = ["protoc", "--plugin=protoc-gen-grpc_python=" + shutil.which("grpc_python_plugin"),
              "--python_out=" + out_dir, "--grpc_python_out=" + out_dir]
    os.makedirs(out_dir)
    breach = os.path.join(proto_dir, "breach", "v1")
    subprocess.run(protoc + ["-I", proto_dir] +
                   [os.path.join(breach, name) for name in sorted(os.listdir(breach))
                    if name.endswith(".proto")], check=True)
    # Compiled from its own folder: a generated "grpc" package would hide the real grpc module.
    health = os.path.join(proto_dir, "grpc", "health", "v1")
    subprocess.run(protoc + ["-I", health, os.path.join(health, "health.proto")], check=True)
    sys.path.insert(0, out_dir)


# --- the few protobuf wire-format bits the reflection check needs (grpc_reflection, the Python
# --- reflection client, is not packaged in Debian 12)

def encode_varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def decode_fields(buf):
    """Yields (field number, value) of a serialized message: ints for varints, bytes otherwise."""
    i = 0
    while i < len(buf):
        key, i = _varint_at(buf, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, i = _varint_at(buf, i)
        elif wire_type == 2:
            length, i = _varint_at(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire_type == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire_type == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("unsupported wire type %d" % wire_type)
        yield number, value


def _varint_at(buf, i):
    value, shift = 0, 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def reflect(channel, field_number, text):
    """One ServerReflectionRequest whose string field `field_number` is `text`; returns the
    response's fields as a dict of lists."""
    data = text.encode()
    request = encode_varint(field_number << 3 | 2) + encode_varint(len(data)) + data
    call = channel.stream_stream(REFLECTION_METHOD)
    response = next(iter(call(iter([request]), timeout=10)))
    fields = {}
    for number, value in decode_fields(response):
        fields.setdefault(number, []).append(value)
    return fields


class Breachd:
    """A breachd process over the embedded bus, in its own scratch folder."""

    def __init__(self, binary, folder, extra_flags=()):
        self.folder = folder
        identity = os.path.join(folder, "identity.json")
        with open(identity, "w") as out:
            json.dump({"tenants": [{"code": "MIIS01200V", "name": "Ist. Amerigo Vespucci"}],
                       "tokens": [{"token": OPERATOR_TOKEN, "subject": "user:ops",
                                   "tenant": "provider", "roles": ["provider-operator"]},
                                  {"token": DPO_TOKEN, "subject": "user:dpo",
                                   "tenant": "MIIS01200V", "roles": ["school-dpo"]},
                                  {"token": "outside-test-service", "subject": "service:breachd",
                                   "tenant": "provider", "roles": ["service"]}]}, out)
        ready = os.path.join(folder, "ready.json")
        self.log = open(os.path.join(folder, "breachd.log"), "w")
        self.process = subprocess.Popen(
            [binary, "--services=all", "--listen=127.0.0.1:0", "--kafka=embedded",
             "--data_dir=" + os.path.join(folder, "data"), "--identity_file=" + identity,
             "--ready_file=" + ready, "--dev_tls"] + list(extra_flags),
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not (os.path.exists(ready) and os.path.getsize(ready) > 0):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("breachd did not start:\n" + self.output())
            time.sleep(0.05)
        with open(ready) as ready_file:
            ready_json = json.load(ready_file)
        self.endpoint = ready_json["endpoint"]
        self.bootstrap_servers = ready_json["bootstrap_servers"]
        # --dev_tls made a local CA: an outside client trusts it like any other CA.
        with open(os.path.join(folder, "data", "tls", "ca.pem"), "rb") as ca:
            self.ca_certificate = ca.read()

    def output(self):
        with open(os.path.join(self.folder, "breachd.log")) as log:
            return log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


class OutsideClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="breachd-outside-",
                                       dir=os.environ.get("TEST_TMPDIR") or None)
        try:
            generate_stubs(ARGS.proto_dir, os.path.join(cls.scratch, "stubs"))
            cls.server = Breachd(ARGS.breachd, cls.scratch)
        except BaseException:
            shutil.rmtree(cls.scratch, ignore_errors=True)
            raise
        cls.channel = grpc.secure_channel(
            cls.server.endpoint, grpc.ssl_channel_credentials(cls.server.ca_certificate))

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        exit_code = cls.server.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)
        if exit_code != 0:
            raise AssertionError("breachd exited with %s" % exit_code)

    def listed_services(self):
        """The services reflection lists, but reflection itself."""
        fields = reflect(self.channel, 7, "*")  # list_services
        self.assertIn(6, fields, "no list_services_response")
        names = []
        for number, service in decode_fields(fields[6][0]):
            if number == 1:
                names.extend(value.decode() for n, value in decode_fields(service) if n == 1)
        return [name for name in names if not name.startswith("grpc.reflection.")]

    def test_every_hosted_service_answers_serving(self):
        import health_pb2
        import health_pb2_grpc
        health = health_pb2_grpc.HealthStub(self.channel)
        listed = self.listed_services()
        for name in ["breach.v1.IntakeService", "breach.v1.AssessmentService",
                     "breach.v1.RegisterService",
                     "breach.v1.AdminService", "grpc.health.v1.Health"]:
            self.assertIn(name, listed)
        for name in [""] + [name for name in listed if name != "grpc.health.v1.Health"]:
            with self.subTest(service=name):
                answer = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=10)
                self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)

    def test_plaintext_client_is_refused_by_the_tls_port(self):
        import health_pb2
        import health_pb2_grpc
        with grpc.insecure_channel(self.server.endpoint) as plaintext:
            with self.assertRaises(grpc.RpcError) as refused:
                health_pb2_grpc.HealthStub(plaintext).Check(health_pb2.HealthCheckRequest(),
                                                            timeout=10)
        self.assertEqual(refused.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_reflection_describes_every_listed_service(self):
        from google.protobuf import descriptor_pb2
        listed = self.listed_services()
        self.assertIn("grpc.health.v1.Health", listed)  # the loop below must not be vacuous
        for name in listed:
            with self.subTest(service=name):
                fields = reflect(self.channel, 4, name)  # file_containing_symbol
                self.assertNotIn(7, fields, "error_response for %s" % name)
                files = [descriptor_pb2.FileDescriptorProto.FromString(value)
                         for number, value in decode_fields(fields[4][0]) if number == 1]
                package, _, service = name.rpartition(".")
                self.assertTrue(any(f.package == package and
                                    any(s.name == service for s in f.service) for f in files),
                                [f.name for f in files])

    def test_two_authorization_headers_are_unauthenticated(self):
        from breach.v1 import admin_pb2
        from breach.v1 import admin_pb2_grpc
        admin = admin_pb2_grpc.AdminServiceStub(self.channel)
        with self.assertRaises(grpc.RpcError) as refused:
            admin.WhoAmI(admin_pb2.WhoAmIRequest(), timeout=10,
                         metadata=[("authorization", "Bearer " + DPO_TOKEN),
                                   ("authorization", "Bearer " + OPERATOR_TOKEN)])
        self.assertEqual(refused.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(refused.exception.details(), "more than one authorization header")
        me = admin.WhoAmI(admin_pb2.WhoAmIRequest(), timeout=10,
                          metadata=[("authorization", "Bearer " + DPO_TOKEN)])
        self.assertEqual(me.subject, "user:dpo")

    def test_bytes_that_are_not_the_request_message_are_invalid_argument(self):
        report_breach = self.channel.unary_unary("/breach.v1.IntakeService/ReportBreach")
        not_utf8 = b"\x0a\x02\xc3\x28"  # request_id = two bytes that are not UTF-8
        for name, body in [("invalid UTF-8", not_utf8), ("garbage", b"\xff\xff\xff\xff")]:
            with self.subTest(body=name):
                with self.assertRaises(grpc.RpcError) as refused:
                    report_breach(body, timeout=10,
                                  metadata=[("authorization", "Bearer " + DPO_TOKEN)])
                self.assertEqual(refused.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
                self.assertIn("/breach.v1.IntakeService/ReportBreach", refused.exception.details())

    def test_services_flag_refuses_a_service_without_grpc_service(self):
        folder = os.path.join(self.scratch, "refused")
        os.makedirs(folder)
        result = subprocess.run([ARGS.breachd, "--services=intake,notifier",
                                 "--listen=127.0.0.1:0", "--data_dir=" + folder, "--insecure"],
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("'notifier'", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(folder, "intake")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--breachd", required=True)
    parser.add_argument("--proto_dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
