#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Turn the DaemonSet's pod template into `podman run` arguments.

  pod_args.py DAEMONSET.yaml OUTDIR NODE [--map HOSTPATH=DIR]...

What a kubelet would do with spec.template.spec, one container at a time:
privileged, hostPID, the hostPath volumes (DirectoryOrCreate made,
Directory and File checked) mounted where the containers ask (readOnly,
mountPropagation), the command and args, env (values and the node name),
the image, the termination grace period. Writes OUTDIR/NN-NAME.args per
container, init containers first, each holding the arguments after
`podman run`, NUL-separated. --map moves a host path elsewhere (a test
must not install into the real /usr/local/sbin). Any field of the
template it does not know is an error: the test then runs what the
DaemonSet says or nothing.
"""
import os
import sys

import yaml

# Fields of the pod spec that decide nothing on one node, or that are the
# scheduler's: accepted and ignored.
POD_IGNORED = {"priorityClassName", "tolerations", "nodeSelector"}
CTR_IGNORED = {"imagePullPolicy", "resources", "name"}
PROPAGATION = {"HostToContainer": "rslave", "Bidirectional": "rshared", "None": "rprivate"}


def fail(msg):
    sys.stderr.write("pod_args.py: %s\n" % msg)
    sys.exit(1)


def template_of(path):
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") == "DaemonSet":
                return doc["spec"]["template"]
    fail("%s: no DaemonSet" % path)


def host_path(path, maps):
    for src, dst in maps:
        if path == src or path.startswith(src + "/"):
            return dst + path[len(src):]
    return path


def volumes_of(spec, maps):
    vols = {}
    for v in spec.get("volumes", []):
        hp = v.get("hostPath")
        if not hp or set(v) - {"name", "hostPath"}:
            fail("volume %s: only hostPath volumes are known" % v.get("name"))
        path = host_path(hp["path"], maps)
        kind = hp.get("type", "")
        if kind == "DirectoryOrCreate":
            os.makedirs(path, exist_ok=True)
        elif kind == "Directory" and not os.path.isdir(path):
            fail("hostPath %s (%s): not a directory" % (hp["path"], path))
        elif kind == "File" and not os.path.isfile(path):
            fail("hostPath %s (%s): not a file" % (hp["path"], path))
        elif kind not in ("DirectoryOrCreate", "Directory", "File", ""):
            fail("hostPath %s: type %s is not known" % (hp["path"], kind))
        vols[v["name"]] = path
    return vols


def env_args(ctr, node):
    args = []
    for e in ctr.get("env", []):
        if "value" in e:
            args += ["-e", "%s=%s" % (e["name"], e["value"])]
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName":
            args += ["-e", "%s=%s" % (e["name"], node)]
        else:
            fail("env %s: only values and spec.nodeName are known" % e["name"])
    return args


def container_args(ctr, spec, vols, node):
    unknown = set(ctr) - CTR_IGNORED - {"image", "command", "args", "env", "securityContext",
                                         "volumeMounts"}
    if unknown:
        fail("container %s: fields %s are not known" % (ctr["name"], sorted(unknown)))
    args = []
    sc = ctr.get("securityContext", {})
    if set(sc) - {"privileged"}:
        fail("container %s: only securityContext.privileged is known" % ctr["name"])
    if sc.get("privileged"):
        args.append("--privileged")
    if spec.get("hostPID"):
        args += ["--pid", "host"]
    if "terminationGracePeriodSeconds" in spec:
        args += ["--stop-timeout", str(spec["terminationGracePeriodSeconds"])]
    for m in ctr.get("volumeMounts", []):
        if set(m) - {"name", "mountPath", "readOnly", "mountPropagation"}:
            fail("volumeMount %s: fields %s are not known" % (m["name"], sorted(m)))
        opts = ["rbind", PROPAGATION[m.get("mountPropagation", "None")]]
        if m.get("readOnly"):
            opts.append("ro")
        args += ["-v", "%s:%s:%s" % (vols[m["name"]], m["mountPath"], ",".join(opts))]
    args += env_args(ctr, node)
    args.append(ctr["image"])
    args += ctr.get("command", []) + ctr.get("args", [])
    return args


def main(argv):
    if len(argv) < 4 or len(argv) % 2:
        sys.stderr.write(__doc__)
        return 2
    ds, out, node = argv[1:4]
    maps = []
    for i in range(4, len(argv), 2):
        if argv[i] != "--map" or "=" not in argv[i + 1]:
            sys.stderr.write(__doc__)
            return 2
        maps.append(tuple(argv[i + 1].split("=", 1)))
    spec = template_of(ds)["spec"]
    unknown = set(spec) - POD_IGNORED - {"hostPID", "terminationGracePeriodSeconds", "volumes",
                                          "initContainers", "containers"}
    if unknown:
        fail("pod spec fields %s are not known" % sorted(unknown))
    vols = volumes_of(spec, maps)
    os.makedirs(out, exist_ok=True)
    ctrs = spec.get("initContainers", []) + spec["containers"]
    for i, ctr in enumerate(ctrs):
        with open(os.path.join(out, "%02d-%s.args" % (i, ctr["name"])), "w") as f:
            f.write("\0".join(container_args(ctr, spec, vols, node)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
