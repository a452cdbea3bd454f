"""A small lesson of the tests' own with every block that makes the learner think: a prediction, hints,
a challenge with a hidden solution, a quiz and a recap. Names carry the test's unique
prefix; the content/ lessons are not used (they change with the course)."""

from __future__ import annotations

import textwrap
from pathlib import Path

ANOTHER_WAY = "docker run -d --name {p}-box -v {p}-vol:/data:ro docklab/busybox:stand-in sleep 600"


def lesson_text(p: str) -> str:
    return textwrap.dedent(f"""\
        ---
        id: think
        title: Thinking about volumes
        summary: A prediction, hints, a challenge and a quiz.
        images: [busybox]
        resources: {{containers: [{p}-box], volumes: [{p}-vol]}}
        ---

        # Thinking about volumes

        ## Make a volume

        ```yaml hints
        - Volumes have a command of their own.
        - "`docker volume create NAME` makes a named volume."
        ```

        ```yaml predict
        question: Does creating a volume start a container?
        choices: [a helper container runs, "no, only the volume is made"]
        answer: "no, only the volume is made"
        explain: A volume is an object of its own; no container is involved.
        ```

        ```sh
        docker volume create {p}-vol
        ```

        Only the volume was made: `docker ps -a` lists no container.

        ```yaml check
        - volume_exists: {p}-vol
        ```

        ## Challenge: mount it read-only

        Start a container named `{p}-box` from busybox, running `sleep 600`, with `{p}-vol`
        mounted read-only at `/data`.

        ```yaml hints
        - Read-only is an option of the mount.
        - "`--mount` takes `readonly`; `-v` takes `:ro`."
        - "docker run -d --name {p}-box --mount type=volume,src={p}-vol,dst=/data,readonly busybox sleep 600"
        ```

        ```sh solution
        docker run -d --name {p}-box --mount type=volume,src={p}-vol,dst=/data,readonly busybox sleep 600
        ```

        ```yaml check
        - mount: {{container: {p}-box, destination: /data, volume: {p}-vol, read_only: true}}
        ```

        ## Quiz

        ```yaml quiz
        - question: Which flag makes a `-v` mount read-only?
          choices: [":ro", ":rw", "--readonly"]
          answer: ":ro"
          explain: "`:ro` after the destination; `--mount` says `readonly`."
        - question: Does `docker rm` remove a named volume?
          choices: ["yes", "no"]
          answer: "no"
          explain: Named volumes are removed only by `docker volume rm` or a prune.
        ```

        ## What to take away

        - A read-only mount is asked for with `:ro` or `readonly`; the engine records `RW: false`.
        - Named volumes outlive their containers.
        """)


def write(folder: Path, prefix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "01-think.md"
    path.write_text(lesson_text(prefix))
    return path
