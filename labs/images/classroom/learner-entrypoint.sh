#!/bin/sh
# A learner's server. Without DOCKER_HOST (one machine, DockerSpawner, --privileged):
# start a private dockerd on a unix socket only (no TCP port at all), its data on the
# learner's own volume. With DOCKER_HOST (Kubernetes: the dind sidecar), use that.
# The lesson images come from the classroom's shared image store when there is one
# (DOCKLAB_STORE, read-only, made once by `make-store` below): a fresh engine gets the
# store's image records and, for each layer, a directory of its own whose `diff` is a link
# into the store, so no layer is copied or loaded per learner and the engine still writes
# only to its own volume. Otherwise, or for images the store lacks, they are loaded from
# the bundle the instructor's machine mounted (read-only). The engine starts in the
# background; the progress reporter and the server command (the image's CMD: docklab's
# TUI behind the hub's login, tutor/classroom/learner_app.py) start at once.
set -eu

wait_engine() {
	# A local dockerd makes its socket at once and answers on it when it is ready, so one
	# `docker version` waits for it; a sidecar refuses until it listens: ask every 0.2 s.
	# Never `docker info` in a loop: it reads every CLI plugin (0.04 CPU-s a call), and a
	# class whose servers started at once made dozens of calls each as their engines came up.
	host=${DOCKER_HOST:-unix:///var/run/docker.sock}
	socket=${host#unix://}
	start=$(date +%s)
	until { [ "$socket" = "$host" ] || [ -S "$socket" ]; } && timeout 20 docker version >/dev/null 2>&1; do
		if [ $(($(date +%s) - start)) -gt 60 ]; then
			echo "learner: the engine did not start:" >&2
			tail -20 /var/log/dockerd.log >&2 || true
			return 1
		fi
		if [ "$socket" = "$host" ]; then sleep 0.2; else sleep 0.05; fi
	done
}

bundle=${DOCKLAB_IMAGE_BUNDLE:-/opt/docklab-images/images.tar}
nl='
'

real_names() {
	# An engine of docklab's own: the stand-ins answer to the names the lessons' text gives
	# (`ubuntu`, `mysql:9.2.0`) as well, so a challenge typed as written works.
	python3 -c 'import docker; from tutor.core.engine.images import load_map, tag_real_names
tag_real_names(docker.from_env(), load_map("offline"))'
}

if [ "${1:-}" = make-store ]; then
	# The shared store: an engine's data root with the bundle loaded, every layer marked
	# committed (dockerd writes that mark on a parent layer, which the learners cannot).
	export DOCKER_HOST=unix:///run/store.sock
	dockerd --host="$DOCKER_HOST" --data-root=/store --iptables=false --bridge=none >/var/log/dockerd.log 2>&1 &
	wait_engine || exit 1
	docker load -q -i "$bundle"
	real_names # once, in the store: every learner's engine links its image records
	kill "$!"
	wait "$!" || true
	for layer in /store/overlay2/*/; do [ -d "${layer}diff" ] && touch "${layer}committed"; done
	exit 0
fi

link_store() { # $1: the store (read-only), $2: this engine's data root
	[ -d "$1/image" ] || return 0
	if [ -e "$2/image" ] && [ ! -e "$2/.docklab-store-partial" ]; then return 0; fi
	# One process for it all: as a shell loop it started six a layer (cp, mkdir, ln, basename),
	# 0.16 CPU-s for 18 layers, in every learner's boot.
	python3 -I -S - "$1" "$2" <<-'EOF'
	import os, shutil, sys
	store, root = sys.argv[1:3]
	partial = os.path.join(root, ".docklab-store-partial")
	open(partial, "a").close()
	shutil.rmtree(os.path.join(root, "image"), ignore_errors=True)
	shutil.rmtree(os.path.join(root, "overlay2"), ignore_errors=True)
	os.makedirs(os.path.join(root, "overlay2"))
	shutil.copytree(os.path.join(store, "image"), os.path.join(root, "image"), symlinks=True)
	shutil.copytree(os.path.join(store, "overlay2", "l"), os.path.join(root, "overlay2", "l"), symlinks=True)
	for layer in os.scandir(os.path.join(store, "overlay2")):
	    if layer.name == "l" or layer.name.startswith(".") or not layer.is_dir():
	        continue
	    own = os.path.join(root, "overlay2", layer.name)
	    os.mkdir(own)
	    for name in ("link", "lower", "committed"):
	        if os.path.exists(os.path.join(layer.path, name)):
	            shutil.copy2(os.path.join(layer.path, name), own, follow_symlinks=False)
	    if os.path.isdir(os.path.join(layer.path, "work")):
	        os.mkdir(os.path.join(own, "work"))
	    os.symlink(os.path.join(layer.path, "diff"), os.path.join(own, "diff"))
	os.remove(partial)
	EOF
}

engine() { # this learner's engine, up with the lesson images in it: in the background
	containerd=/var/run/docker/containerd/containerd.sock
	if [ -z "${DOCKER_HOST:-}" ]; then
		if [ -n "${DOCKLAB_STORE:-}" ]; then link_store "$DOCKLAB_STORE" /var/lib/docker; fi
		# iptables inside a container does not work on every host kernel; lessons need no NAT.
		# Its networks keep off 172.16/12, where the host's engine (and so the hub, at the
		# default bridge's gateway) lives: an inner docker0 on 172.17.0.1 would hide the hub.
		# Its containerd as dockerd would start it, but first: dockerd's own is up in 0.02 s,
		# and dockerd, having asked too early, asks again only after a second's back-off.
		mkdir -p /var/run/docker/containerd
		cat >/var/run/docker/containerd/containerd.toml <<-EOF
			version = 2
			disabled_plugins = ["io.containerd.grpc.v1.cri"]
			root = "/var/lib/docker/containerd/daemon"
			state = "/var/run/docker/containerd/daemon"
			[grpc]
			  address = "$containerd"
			[debug]
			  address = "/var/run/docker/containerd/containerd-debug.sock"
		EOF
		containerd --config /var/run/docker/containerd/containerd.toml >/var/log/containerd.log 2>&1 &
		i=0
		until [ -S "$containerd" ] || [ "$i" -gt 500 ]; do sleep 0.02; i=$((i + 1)); done
		dockerd --host=unix:///var/run/docker.sock --containerd="$containerd" --iptables=false --bip=10.201.0.1/24 \
			--default-address-pool base=10.202.0.0/16,size=24 >/var/log/dockerd.log 2>&1 &
	fi
	wait_engine
	if [ -s "$bundle" ]; then
		have=$(docker image ls --format '{{.Repository}}:{{.Tag}}') # one call, not one per image
		for image in $(cat "${bundle%.tar}.list" 2>/dev/null || true); do
			case "$nl$have$nl" in
			*"$nl$image$nl"*) ;; # present: no grep (a process) per image
			*)
				docker load -q -i "$bundle" >/dev/null && real_names
				break
				;;
			esac
		done
	fi
}

# The server starts at once, so the hub finds it up at its first looks (it looks again
# after ever longer waits); a TUI starts only once the engine is (DOCKLAB_ENGINE_READY:
# "ready", or why not, which the TUI then shows as it shows any engine it cannot reach).
ready=$DOCKLAB_ENGINE_READY # set in the image: in /tmp, which a pod's non-root user may write
rm -f "$ready"
(
	trap '[ -e "$ready" ] || echo "the engine did not start" >"$ready"' EXIT
	engine
	echo ready >"$ready"
) &
python3 -m tutor.classroom.reporter & # it reports only once progress changes, engine or none

exec "$@"
