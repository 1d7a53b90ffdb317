#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Write an OCI image archive (image-spec layout, as a tar) without a registry.

  oci_image.py OUT.tar ROOTFS NAME=CMD_JSON...

Every image is the one layer made of the directory ROOTFS, with its own
config (Cmd, a PATH); NAME is the full reference containerd files it under
(docker.io/library/flap-bb:e2e). `ctr -n k8s.io image import OUT.tar`
imports them all and unpacks them for the CRI plugin.
"""
import hashlib
import io
import json
import sys
import tarfile


def blob(tar, data, media_type):
    """Adds @data as blobs/sha256/<digest>; returns its descriptor."""
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def add_file(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def layer_of(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        t.add(rootfs, arcname=".")
    return buf.getvalue()


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    out, rootfs, images = argv[1], argv[2], argv[3:]
    layer = layer_of(rootfs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    manifests = []
    with tarfile.open(out, "w") as tar:
        layer_desc = blob(tar, layer, "application/vnd.oci.image.layer.v1.tar")
        for spec in images:
            name, cmd = spec.split("=", 1)
            config = {"architecture": "amd64", "os": "linux",
                      "config": {"Cmd": json.loads(cmd),
                                 "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                         "/usr/bin:/sbin:/bin"]},
                      "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
            config_desc = blob(tar, json.dumps(config).encode(),
                               "application/vnd.oci.image.config.v1+json")
            manifest = {"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": config_desc, "layers": [layer_desc]}
            desc = blob(tar, json.dumps(manifest).encode(),
                        "application/vnd.oci.image.manifest.v1+json")
            desc["annotations"] = {"io.containerd.image.name": name,
                                   "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}
            manifests.append(desc)
        add_file(tar, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add_file(tar, "index.json",
                 json.dumps({"schemaVersion": 2, "manifests": manifests}).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
