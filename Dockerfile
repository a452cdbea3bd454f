# docklab in a container, against the host's engine:
#
#   docker build -t docklab .
#   docker run -it --rm -v /var/run/docker.sock:/var/run/docker.sock docklab
#
# The container drives the HOST's engine: what lessons create lives there, and docklab's
# ownership rules apply as usual. Progress is kept in /data (mount a volume to keep it).
# docklab is installed from its wheel, which carries the lessons and labs/: no path variables.
#
# Without a registry, build from local images (tests/engine/test_dockerfile.py does):
#   --build-arg BASE=<an image with python3 and venv>
#   --build-arg CLI_IMAGE=<an image with /usr/local/bin/docker>
#   --build-arg PIP_ARGS="--no-index --find-links /src/wheels"   (wheels in ./wheels)
ARG BASE=python:3.12-slim
ARG CLI_IMAGE=docker:27-cli

FROM ${CLI_IMAGE} AS cli

FROM ${BASE}
ARG PIP_ARGS=""
COPY --from=cli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=cli /usr/local/libexec/docker/cli-plugins /usr/local/libexec/docker/cli-plugins
COPY . /src
RUN python3 -m venv /opt/docklab \
 && /opt/docklab/bin/pip install --no-cache-dir --disable-pip-version-check ${PIP_ARGS} /src \
 && rm -rf /src
ENV PATH=/opt/docklab/bin:$PATH \
    DOCKLAB_HOME=/data \
    TERM=xterm-256color
VOLUME /data
ENTRYPOINT ["docklab"]
