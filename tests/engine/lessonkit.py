"""Lessons the engine tests share: the shipped lessons the engine can check, and a small
lesson of the tests' own."""

from __future__ import annotations

import textwrap

from tutor.core.lessons import catalog

LESSONS = [
    i
    for i in catalog.ids()  # a quiz asks the learner, not the engine
    if not all(s.is_quiz for s in catalog.find(i).steps)
]


def small_lesson(tmp_path, prefix: str, requires: str = "", sleep: int = 0):
    """A two-step lesson of our own whose names carry the test's unique prefix."""
    body = textwrap.dedent(f"""\
        ---
        id: small
        title: Small
        summary: A volume and a container.
        images: [busybox]
        resources: {{containers: [{prefix}-c], volumes: [{prefix}-vol]}}
        {requires}
        ---

        ## Make a volume

        ```sh
        docker volume create {prefix}-vol
        ```

        ```yaml check
        - volume_exists: {prefix}-vol
        ```

        ## Use it

        ```sh
        docker run --name {prefix}-c -v {prefix}-vol:/data -v /cache busybox sh -c "echo hi > /data/f; sleep {sleep}"
        ```

        ```yaml check
        - mount: {{container: {prefix}-c, destination: /data, volume: {prefix}-vol}}
        ```
        """)
    path = tmp_path / "01-small.md"
    path.write_text(body)
    return path
