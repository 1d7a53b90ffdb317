#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A small CRI client for the tests (what crictl does, for what they need).

The messages come from cri.proto, compiled at run time into a descriptor
set (grpc_tools' protoc, --descriptor_set_out) and turned into classes by
protobuf's message factory: no generated Python, so no mismatch between an
old protoc and the protobuf runtime. Calls go over gRPC to a unix socket.

  cri.py SOCK version
  cri.py SOCK pod SPEC.json     run a sandbox and its containers, wait for
                                them to exit; prints the result as JSON
  cri.py SOCK rmpod POD_ID...   stop and remove pod sandboxes (and their containers)
  cri.py SOCK bench SPEC.json N H1,H2...
                                N rounds of one pod of SPEC's first container
                                per runtime handler Hi, in turn; prints the
                                times of RunPodSandbox, CreateContainer and
                                StartContainer per handler as JSON

SPEC: {"handler": "flap", "pod": <PodSandboxConfig>, "containers":
[<ContainerConfig>, ...], "timeout": 30}, each in proto field names. The
result of `pod`: {"pod_id": ..., "containers": [{"name", "id",
"exit_code"}]}. One line of error on stderr and exit 1 on failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE = "/runtime.v1.RuntimeService/"


def load_messages():
    """The message classes of cri.proto, by name (VersionRequest, ...)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cri.desc")
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", HERE,
                        "--descriptor_set_out=" + out, "cri.proto"], check=True)
        with open(out, "rb") as f:
            fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    fdesc = pool.FindFileByName("cri.proto")
    if hasattr(message_factory, "GetMessageClass"):
        get = message_factory.GetMessageClass
    else:
        factory = message_factory.MessageFactory(pool)
        get = factory.GetPrototype
    return {name: get(d) for name, d in fdesc.message_types_by_name.items()}


class Cri:
    def __init__(self, sock):
        self.m = load_messages()
        self.channel = grpc.insecure_channel("unix://" + sock)

    def call(self, method, req, timeout=30):
        resp_cls = self.m[method + "Response"]
        fn = self.channel.unary_unary(SERVICE + method,
                                      request_serializer=lambda r: r.SerializeToString(),
                                      response_deserializer=resp_cls.FromString)
        return fn(req, timeout=timeout)

    def msg(self, name, d):
        return json_format.ParseDict(d, self.m[name]())

    def run_pod(self, spec):
        pod = self.msg("PodSandboxConfig", spec["pod"])
        req = self.m["RunPodSandboxRequest"](config=pod, runtime_handler=spec.get("handler", ""))
        return pod, self.call("RunPodSandbox", req).pod_sandbox_id

    def create_start(self, pod_id, pod, ctr):
        cfg = self.msg("ContainerConfig", ctr)
        req = self.m["CreateContainerRequest"](pod_sandbox_id=pod_id, config=cfg,
                                               sandbox_config=pod)
        cid = self.call("CreateContainer", req).container_id
        self.call("StartContainer", self.m["StartContainerRequest"](container_id=cid))
        return cid

    def wait_exit(self, cid, deadline):
        exited = self.m["ContainerStatus"]().DESCRIPTOR.fields_by_name["state"] \
            .enum_type.values_by_name["CONTAINER_EXITED"].number
        while True:
            st = self.call("ContainerStatus",
                           self.m["ContainerStatusRequest"](container_id=cid)).status
            if st.state == exited:
                return st.exit_code
            if time.monotonic() > deadline:
                raise TimeoutError("container %s did not exit in time" % cid[:12])
            time.sleep(0.02)

    def remove_pod(self, pod_id):
        self.call("StopPodSandbox", self.m["StopPodSandboxRequest"](pod_sandbox_id=pod_id))
        self.call("RemovePodSandbox", self.m["RemovePodSandboxRequest"](pod_sandbox_id=pod_id))


def cmd_pod(c, spec):
    pod, pod_id = c.run_pod(spec)
    deadline = time.monotonic() + spec.get("timeout", 30)
    ids = [(ctr["metadata"]["name"], c.create_start(pod_id, pod, ctr))
           for ctr in spec.get("containers", [])]
    res = [{"name": n, "id": i, "exit_code": c.wait_exit(i, deadline)} for n, i in ids]
    return {"pod_id": pod_id, "containers": res}


def cmd_bench(c, spec, n, handlers):
    """N rounds; each round runs one pod of one container per handler, in
    turn. The times of each step, in seconds, per handler."""
    out = {h: {"run_pod": [], "create": [], "start": []} for h in handlers}
    base = spec["pod"]["metadata"]["name"]
    for i in range(n):
        for h in handlers:
            spec["handler"] = h
            spec["pod"]["metadata"]["name"] = "%s-%s-%d" % (base, h, i)
            spec["pod"]["metadata"]["uid"] = "%s-%s-uid-%d" % (base, h, i)
            t0 = time.monotonic()
            pod, pod_id = c.run_pod(spec)
            t1 = time.monotonic()
            cfg = c.msg("ContainerConfig", spec["containers"][0])
            cid = c.call("CreateContainer", c.m["CreateContainerRequest"](
                pod_sandbox_id=pod_id, config=cfg, sandbox_config=pod)).container_id
            t2 = time.monotonic()
            c.call("StartContainer", c.m["StartContainerRequest"](container_id=cid))
            t3 = time.monotonic()
            c.wait_exit(cid, time.monotonic() + 30)
            c.remove_pod(pod_id)
            out[h]["run_pod"].append(t1 - t0)
            out[h]["create"].append(t2 - t1)
            out[h]["start"].append(t3 - t2)
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    c = Cri(argv[1])
    cmd = argv[2]
    if cmd == "version":
        r = c.call("Version", c.m["VersionRequest"](version="v1"))
        print(json.dumps(json_format.MessageToDict(r, preserving_proto_field_name=True)))
    elif cmd == "pod" and len(argv) == 4:
        with open(argv[3]) as f:
            print(json.dumps(cmd_pod(c, json.load(f))))
    elif cmd == "rmpod":
        for pod_id in argv[3:]:
            c.remove_pod(pod_id)
    elif cmd == "bench" and len(argv) == 6:
        with open(argv[3]) as f:
            print(json.dumps(cmd_bench(c, json.load(f), int(argv[4]), argv[5].split(","))))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except grpc.RpcError as e:
        sys.stderr.write("cri.py: %s: %s\n" % (e.code().name, e.details()))
    except (OSError, ValueError, KeyError, TimeoutError, json_format.ParseError,
            subprocess.CalledProcessError) as e:
        sys.stderr.write("cri.py: %s\n" % e)
    sys.exit(1)
