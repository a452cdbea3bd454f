#!/bin/sh
# A learner's server. Without DOCKER_HOST (one machine, DockerSpawner, --privileged):
# start a private dockerd on a unix socket only (no TCP port at all), its data on the
# learner's own volume. With DOCKER_HOST (Kubernetes: the dind sidecar), use that.
# Then load the lesson images that are missing from the bundle the instructor's machine
# mounted (read-only), start the progress reporter, and run the server command (the image's
# CMD: docklab's TUI behind the hub's login, tutor/classroom/learner_app.py).
set -eu

if [ -z "${DOCKER_HOST:-}" ]; then
	# iptables inside a container does not work on every host kernel; lessons need no NAT.
	# Its networks keep off 172.16/12, where the host's engine (and so the hub, at the default
	# bridge's gateway) lives: an inner docker0 on 172.17.0.1 would hide the hub.
	dockerd --host=unix:///var/run/docker.sock --iptables=false --bip=10.201.0.1/24 \
		--default-address-pool base=10.202.0.0/16,size=24 >/var/log/dockerd.log 2>&1 &
fi
i=0
until docker info >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt 300 ]; then echo "learner: the engine did not start:" >&2; tail -20 /var/log/dockerd.log >&2 || true; exit 1; fi
	sleep 0.1
done

bundle=${DOCKLAB_IMAGE_BUNDLE:-/opt/docklab-images/images.tar}
if [ -s "$bundle" ]; then
	for image in $(cat "${bundle%.tar}.list" 2>/dev/null || true); do
		if ! docker image inspect "$image" >/dev/null 2>&1; then docker load -q -i "$bundle" >/dev/null; break; fi
	done
fi

python3 -m tutor.classroom.reporter &

exec "$@"
