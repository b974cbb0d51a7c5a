#!/usr/bin/env python3
"""Writes, from deploy/k8s/aduan.yaml, what podman 4.3's `kube play` can run: the ConfigMap
aduan-config and the Deployment gateway, changed only where podman 4.3 cannot follow the manifest
(tests/container/kube-play.sh says why):
  - the image: the image the container test built;
  - the Secret volumes: hostPath directories of this run (podman 4.3.1 panics on a Secret volume,
    a nil pointer in kube.VolumeFromSecret, even when a podman secret of that name exists);
  - the secretKeyRef aduan-db: renamed to the podman secret this run made (a JSON map of base64
    values, the only form 4.3's secretKeyRef reads);
  - the admin and HTTP ports: published on 127.0.0.1 only, at free ports, so one replica instead
    of two (podman plays the replicas as pods on this one host, where they cannot share host ports).
  tests/container/kube_play.py MANIFEST IMAGE HOSTDIR DBSECRET ADMINPORT HTTPPORT > play.yaml
HOSTDIR holds one directory per Secret volume, named after the volume (db-ca, key, peers)."""
import sys

import yaml

manifest, image, hostdir, db_secret, admin_port, http_port = sys.argv[1:7]
with open(manifest, encoding="utf-8") as f:
    docs = [d for d in yaml.safe_load_all(f) if d]

config = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "aduan-config"]
# The gateway is the only Deployment played; the others (aduan-federate) are left out.
deployments = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "gateway"]
if len(config) != 1 or len(deployments) != 1:
    sys.exit("kube_play.py: expected the ConfigMap aduan-config and the Deployment gateway")
gateway = deployments[0]
pod = gateway["spec"]["template"]["spec"]
gateway["spec"]["replicas"] = 1

for volume in pod["volumes"]:
    if "secret" in volume:
        del volume["secret"]
        volume["hostPath"] = {"path": f"{hostdir}/{volume['name']}", "type": "Directory"}
for container in pod["containers"]:
    container["image"] = image
    for env in container.get("env", []):
        ref = env.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref["name"] == "aduan-db":
            ref["name"] = db_secret
    for port in container.get("ports", []):
        host = {8080: http_port, 9180: admin_port}.get(port["containerPort"])
        if host:
            port.update(hostIP="127.0.0.1", hostPort=int(host))

yaml.safe_dump_all([config[0], gateway], sys.stdout, sort_keys=False)
