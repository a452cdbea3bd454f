"""Parse a lesson file (Markdown that reads well on GitHub) into the typed model.

The format is documented in content/README.md. Parsing never raises for a bad file:
every problem is collected with its line, so `docklab validate` can report them all.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from tutor.core import checks
from tutor.core.checks import facts
from tutor.core.errors import ContentError
from tutor.core.lessons import thinking
from tutor.core.paths import labs_dir
from tutor.core.model import (
    CHALLENGE,
    Answer,
    CheckSpec,
    Command,
    FactSpec,
    Lesson,
    Problem,
    Question,
    Requirements,
    Resources,
    Role,
    Step,
    usable_name,
)

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FILENAME = re.compile(r"^(\d\d)-([a-z0-9-]+)\.md$")
FACT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
COMMAND_LANGS = {"sh", "shell", "bash"}
SPECIAL = {"check", "answers", "remember", "predict", "hints", "quiz"}  # `yaml check` and friends
HIDDEN = re.compile(
    r"^```(?:yaml (?:check|answers|remember|predict|hints|quiz)|(?:sh|shell|bash) solution)\b"
    r".*?^```\s*$\n?",
    re.S | re.M,
)  # blocks for docklab, not for the learner's eyes
FRONT_KEYS = {"id", "title", "summary", "images", "requires", "resources", "secrets", "workdir", "roles"}
ROLE_KEYS = {
    "container": str,
    "volume": str,
    "about": str,
    "image": str,
    "mount": str,
    "volume_at_mount": str,
    "anonymous": bool,
    "service": str,
    "fixed": bool,
    "syntax": str,
    "read_only": bool,
    "label": str,
    "unused": bool,
}
REQUIRE_KEYS = {"api": str, "engine": str, "cli": str, "compose": bool}
RESOURCE_KEYS = {"containers", "volumes", "networks", "images"}

_md = MarkdownIt("commonmark").use(front_matter_plugin)


def markdown() -> MarkdownIt:
    """The one parser configuration, shared with whoever renders lessons."""
    return _md


class LessonFileError(ContentError):
    """A lesson file with problems; the message lists each (file:line: message)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def load(path: Path) -> Lesson:
    """Parse or raise LessonFileError with every problem found."""
    lesson, problems = parse(path)
    if problems:
        raise LessonFileError(problems)
    return lesson


def parse(path: Path, text: str | None = None) -> tuple[Lesson, list[Problem]]:
    """The lesson in a file, and every problem found in it (file:line: message)."""
    path = Path(path)
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problem(1, f"cannot read the file: {err}")
            return Lesson("", "", "", path), problems
    lines = text.splitlines()
    lesson = Lesson(id="", title="", summary="", path=path)
    try:
        tokens = _md.parse(text)
    except Exception as err:  # markdown-it is forgiving; this is a last resort
        problem(1, f"cannot parse the Markdown: {err}")
        return lesson, problems

    if not tokens or tokens[0].type != "front_matter":
        problem(1, "missing front matter: the file must start with a `---` block (id, title, summary, ...)")
    reader = _Reader(lesson, lines, tokens, problem)
    for i, tok in enumerate(tokens):
        line = (tok.map[0] + 1) if tok.map else 1
        if tok.type == "front_matter":
            _front_matter(lesson, tok.content, line, problem)
            reader.defined.update(lesson.roles)
        elif tok.type == "heading_open" and tok.tag in ("h1", "h2"):
            reader.heading(tok, tokens[i + 1].content.strip(), line)
        elif tok.type == "fence":
            reader.fence(tok, line)
    reader.close(len(lines))
    for s_ in lesson.steps:
        if s_.implied_by is not None and not s_.number < s_.implied_by <= len(lesson.steps):
            problem(
                s_.line,
                f"step {s_.title!r}: `implied_by: {s_.implied_by}` must name a later step "
                f"({s_.number + 1} to {len(lesson.steps)})",
            )
    if not lesson.steps:
        if not reader.recap_line:
            lesson.intro = _body(lines, _after_front_matter(tokens), len(lines))
        problem(1, "no steps: a lesson needs `## Step` headings, each with commands and checks")
    m = FILENAME.match(path.name)
    if lesson.id and path.suffix == ".md" and m and m.group(2) != lesson.id:
        problem(1, f"id {lesson.id!r} does not match the file name {path.name!r} (expected NN-{lesson.id}.md)")
    return lesson, problems


class _Reader:
    """What parsing remembers between tokens: the step being read, its last command block
    (a `yaml answers` block belongs to its last command), a prediction waiting for its
    command block, which steps have checks or a quiz, the facts defined so far, the recap."""

    def __init__(self, lesson: Lesson, lines: list[str], tokens, problem) -> None:
        self.lesson, self.lines, self.tokens, self.problem = lesson, lines, tokens, problem
        self.step: Step | None = None
        self.last_block: list[Command] | None = None
        self.last_list: list[Command] = []  # where last_block sits: the step's commands or its solution
        self.defined: set[str] = set()
        self.body_start = 0
        self.recap_line = 0  # the `## What to take away` heading, once met
        self.pending: Question | None = None  # a prediction waiting for its command block
        self.reveal_from = 0  # the line after the command block a step's last prediction asks about
        self.check_blocks: set[int] = set()  # steps with a check block, valid or not
        self.quiz_blocks: set[int] = set()

    def heading(self, tok, title: str, line: int) -> None:
        lesson, problem = self.lesson, self.problem
        if tok.tag == "h1":
            if self.step is None and not lesson.intro:
                lesson.title = lesson.title or title
            return
        if self.step is None and not self.recap_line:
            lesson.intro = _body(self.lines, _after_front_matter(self.tokens), line - 1)
        self.close(line - 1)
        self.body_start = tok.map[1] if tok.map else line
        self.last_block = None
        if self.recap_line:
            problem(line, f"`## {thinking.RECAP}` must be the lesson's last section")
        if title == thinking.RECAP:
            self.step, self.recap_line = None, self.recap_line or line
            return
        if any(s.title == title for s in lesson.steps):
            problem(line, f"duplicate step {title!r}: step titles must be unique")
        self.step = Step(number=len(lesson.steps) + 1, title=title, line=line)
        lesson.steps.append(self.step)

    def close(self, end: int) -> None:
        """The step (or the recap) read so far ends at line `end`."""
        step, problem = self.step, self.problem
        if self.recap_line and step is None:
            self.lesson.recap = thinking.recap(_body(self.lines, self.body_start, end), self.recap_line, problem)
        if step is None:
            return
        split = self.reveal_from or end
        step.body, step.after = _body(self.lines, self.body_start, split), _body(self.lines, split, end)
        self.reveal_from = 0
        self._unplaced_prediction()
        for prediction in step.predictions:
            if told := thinking.gives_away(prediction, step.title, step.body):
                problem(
                    prediction.line,
                    f"this prediction's answer is given away before it is asked: {told}; give the step a "
                    "neutral title, and put what tells the answer after the command it asks about",
                )
        if step.number in self.quiz_blocks:
            if step.commands or step.solution:
                problem(step.line, f"quiz step {step.title!r} has commands: a quiz step only asks questions")
        elif step.number not in self.check_blocks:
            problem(step.line, f"step {step.title!r} has no checks: add a ```yaml check``` block")
        if step.challenge and not step.solution:
            problem(
                step.line,
                f"challenge {step.title!r} has no hidden solution: add a ```sh solution``` block "
                "(`run --auto` runs it; the learner sees it only on asking)",
            )

    def _unplaced_prediction(self) -> None:
        if self.pending is not None:
            self.problem(
                self.pending.line,
                "a `yaml predict` block must come directly before the ```sh``` block whose first command it asks about",
            )
            self.pending = None

    def fence(self, tok, line: int) -> None:
        words = tok.info.split()
        lang = words[0] if words else ""
        tag = words[1] if len(words) > 1 else ""
        if lang in COMMAND_LANGS:
            role = "solution" if tag == "solution" else None
        elif lang == "yaml" and tag in SPECIAL:
            role = tag
        else:
            return  # any other fence is just shown
        what = (
            "command block"
            if role is None
            else "```sh solution``` block"
            if role == "solution"
            else f"`yaml {role}` block"
        )
        if self.step is None:
            self.problem(
                line,
                f"{what} in `## {thinking.RECAP}`: the recap is a few lines of text, with no commands or checks"
                if self.recap_line
                else f"{what} outside a step: put it under a `## Step title` heading",
            )
            return
        if role is not None:
            self._unplaced_prediction()
        if role is None:
            asked = len(self.step.predictions)
            self._commands(tok.content, line)
            if len(self.step.predictions) > asked and tok.map:  # the rest of the text tells the answer
                self.reveal_from = tok.map[1]
        elif role == "solution":
            self._solution(tok.content, line)
        else:
            data, item_lines = _yaml(tok.content, line + 1, self.problem)
            if data is not None:
                self._block(role, data, item_lines, line)

    def _commands(self, content: str, line: int) -> None:
        step = self.step
        if step.challenge:
            self.problem(
                line,
                f"challenge {step.title!r} has a ```sh``` block: a challenge states the goal, "
                "not the command; put the commands in a hidden ```sh solution``` block",
            )
            return
        block = len({c.block for c in step.commands})
        self.last_block = _commands(content, line + 1, step, block, self.defined, self.problem)
        self.last_list = step.commands
        step.commands.extend(self.last_block)
        if self.pending is not None:
            step.predictions.append(replace(self.pending, block=block))
            self.pending = None

    def _solution(self, content: str, line: int) -> None:
        step = self.step
        if not step.challenge:
            self.problem(
                line,
                f"a ```sh solution``` block belongs in a challenge (a step titled "
                f"`## {CHALLENGE}...`), not in {step.title!r}",
            )
        elif step.solution:
            self.problem(line, f"challenge {step.title!r} has a second ```sh solution``` block: one is run")
        else:
            self.last_block = _commands(content, line + 1, step, 0, self.defined, self.problem)
            self.last_list = step.solution
            step.solution.extend(self.last_block)

    def _block(self, role: str, data: Any, item_lines: list[int], line: int) -> None:
        """A `yaml ROLE` block of the step: check, answers, remember, predict, hints, quiz."""
        step, problem = self.step, self.problem
        if role == "check":
            self.check_blocks.add(step.number)
            step.checks.extend(_checks(data, item_lines, line, self.defined, problem, step))
        elif role == "answers":
            if not self.last_block:
                problem(line, "`yaml answers` block with no command block before it in this step")
                return
            answers = _answers(data, item_lines, line, problem)
            cmd = self.last_block[-1]
            self.last_list[self.last_list.index(cmd)] = self.last_block[-1] = replace(cmd, answers=answers)
        elif role == "predict":
            self.pending = thinking.question(data, line, "prediction", problem)
        elif role == "hints":
            if step.hints:
                problem(line, f"step {step.title!r} has a second `yaml hints` block: put every hint in one")
            else:
                step.hints = thinking.hints(data, line, problem)
        elif role == "quiz":
            self.quiz_blocks.add(step.number)
            step.quiz.extend(thinking.quiz(data, item_lines, line, problem))
        else:
            step.facts.extend(_facts(data, item_lines, line, problem))
            if isinstance(data, dict):  # even a broken fact is "defined": one mistake, one message
                self.defined.update(k for k in data if isinstance(k, str))


def _after_front_matter(tokens) -> int:
    return tokens[0].map[1] if tokens and tokens[0].type == "front_matter" and tokens[0].map else 0


def _body(lines: list[str], start: int, end: int) -> str:
    """The Markdown between two lines, without the machine-only yaml blocks."""
    text = "\n".join(lines[start:end])
    return HIDDEN.sub("", text).strip()


def _yaml(content: str, first_line: int, problem) -> tuple[Any, list[int]]:
    """Load YAML; also return the file line of each top-level item (list or mapping). One
    parse for both, by libyaml where PyYAML has it: every TUI start reads every lesson."""
    loader = LOADER(content)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = first_line + (mark.line if mark else 0)
        problem(where, f"invalid YAML: {getattr(err, 'problem', None) or err}")
        return None, []
    finally:
        loader.dispose()
    item_lines: list[int] = []
    if isinstance(node, yaml.SequenceNode):
        item_lines = [first_line + n.start_mark.line for n in node.value]
    elif isinstance(node, yaml.MappingNode):
        item_lines = [first_line + k.start_mark.line for k, _ in node.value]
    return data, item_lines


def _front_matter(lesson: Lesson, content: str, start: int, problem) -> None:
    data, key_lines = _yaml(content, start + 1, problem)
    if data is None:
        return
    if not isinstance(data, dict):
        problem(start, "front matter must be a mapping of keys (id, title, summary, ...)")
        return
    lines = dict(zip(data, key_lines))
    for key in data:
        if key not in FRONT_KEYS:
            problem(lines[key], f"unknown front matter key {key!r} (known: {', '.join(sorted(FRONT_KEYS))})")
    for key in ("id", "title", "summary"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problem(lines.get(key, start), f"front matter needs `{key}` (a non-empty string)")
        elif key != "id" or SLUG.match(value.strip()):
            setattr(lesson, key, value.strip())
        else:
            problem(lines[key], f"id {value!r} must be a short slug: lowercase letters, digits and hyphens")
    line = start
    lesson.images = _strings(data, "images", line, problem)
    lesson.secrets = _strings(data, "secrets", line, problem)
    req = data.get("requires") or {}
    if not isinstance(req, dict):
        problem(line, "`requires` must be a mapping (api, engine, cli, compose)")
        req = {}
    for key, value in req.items():
        want = REQUIRE_KEYS.get(key)
        if want is None:
            problem(line, f"unknown requirement {key!r} (known: {', '.join(REQUIRE_KEYS)})")
        elif want is str and isinstance(value, (int, float)):
            req[key] = str(value)
        elif not isinstance(value, want):
            problem(line, f"requirement {key!r} must be a {want.__name__}")
    lesson.requires = Requirements(**{k: v for k, v in req.items() if k in REQUIRE_KEYS})
    res = data.get("resources") or {}
    if not isinstance(res, dict):
        problem(line, "`resources` must be a mapping (containers, volumes, networks)")
        res = {}
    for key in res:
        if key not in RESOURCE_KEYS:
            problem(line, f"unknown resource kind {key!r} (known: {', '.join(sorted(RESOURCE_KEYS))})")
    lesson.resources = Resources(**{k: _strings(res, k, line, problem) for k in RESOURCE_KEYS})
    lesson.roles = _roles(data.get("roles"), lines.get("roles", start), problem)
    for kind in ("containers", "volumes"):  # a role's suggested name is a name the lesson creates
        extra = tuple(
            r.name
            for r in lesson.roles.values()
            if r.kind + "s" == kind
            and r.name not in getattr(lesson.resources, kind)
            and not r.service
            and usable_name(r.name)  # `(nameless)`: the engine names it
        )
        lesson.resources = replace(lesson.resources, **{kind: getattr(lesson.resources, kind) + extra})
    workdir = data.get("workdir")
    if workdir is not None:
        where = lines.get("workdir", start)
        if not isinstance(workdir, str) or not SLUG.match(workdir):
            problem(where, "`workdir` must name a folder of labs/ (a slug such as compose-volumes)")
        elif not (labs_dir() / workdir).is_dir():
            problem(where, f"`workdir` {workdir!r}: there is no folder labs/{workdir}")
        else:
            lesson.workdir = workdir


def _roles(data: Any, line: int, problem) -> dict[str, Role]:
    """`roles:` maps a key to `container: NAME` or `volume: NAME` plus what identifies it."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        problem(line, "`roles` must map a role's key to its description, e.g. `db: {container: mydb, image: ...}`")
        return {}
    out = {}
    for key, spec in data.items():
        if not isinstance(key, str) or not FACT_NAME.match(key):
            problem(line, f"role key {key!r} must be lowercase letters, digits and underscores")
            continue
        if not isinstance(spec, dict):
            problem(line, f"role {key!r} must be a mapping (container or volume, about, ...)")
            continue
        bad = [k for k, v in spec.items() if k not in ROLE_KEYS or not isinstance(v, ROLE_KEYS[k])]
        kinds = [k for k in ("container", "volume") if k in spec]
        if bad or len(kinds) != 1 or not spec.get("about"):
            problem(
                line,
                f"role {key!r}: needs exactly one of `container: NAME` / `volume: NAME` and `about:`; "
                f"known keys: {', '.join(sorted(ROLE_KEYS))}"
                + (f" (wrong: {', '.join(map(str, bad))})" if bad else ""),
            )
            continue
        out[key] = Role(
            key=key,
            kind=kinds[0],
            name=spec[kinds[0]],
            about=spec["about"],
            image=spec.get("image"),
            mount=spec.get("mount"),
            volume=spec.get("volume_at_mount"),
            anonymous=spec.get("anonymous"),
            service=spec.get("service"),
            fixed=bool(spec.get("fixed")),
            syntax=spec.get("syntax"),
            read_only=spec.get("read_only"),
            label=spec.get("label"),
            unused=spec.get("unused"),
            line=line,
        )
    return out


def _strings(data: dict, key: str, line: int, problem) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problem(line, f"`{key}` must be a list of strings")
        return ()
    return tuple(value)


def _placeholders(value: Any, line: int, defined: set[str], problem) -> None:
    for name in PLACEHOLDER.findall(str(value)):
        if name not in defined:
            problem(line, f"{{{name}}} is not remembered by an earlier step (add it to a `yaml remember` block)")


def _commands(content: str, first_line: int, step: Step, block: int, defined: set[str], problem) -> list[Command]:
    out: list[Command] = []
    pending, start = "", 0
    for offset, raw in enumerate(content.splitlines()):
        text = raw.rstrip()
        if not pending and (not text.strip() or text.lstrip().startswith("#")):
            continue
        if not pending:
            start = first_line + offset
        if text.endswith("\\"):
            pending += text[:-1].rstrip() + " "
            continue
        full = (pending + text.strip()).strip()
        pending = ""
        _placeholders(full, start, defined, problem)
        out.append(Command(full, start, block=block))
    if pending:
        problem(start, "command ends with a `\\` continuation and nothing after it")
    if not out:
        problem(first_line - 1, f"empty command block in step {step.title!r}")
    return out


def _checks(data: Any, item_lines: list[int], line: int, defined: set[str], problem, step: Step) -> list[CheckSpec]:
    if not isinstance(data, list):
        problem(line, "a `yaml check` block must be a list, e.g. `- volume_exists: mysql_data`")
        return []
    out = []
    for item, where in zip(data, item_lines):
        if not isinstance(item, dict):
            problem(where, f"a check must be a mapping like `- volume_exists: NAME`, not {item!r}")
            continue
        if "implied_by" in item:  # not a check: a later step whose outcome proves this one
            later, because = item.get("implied_by"), item.get("because", "")
            if (
                set(item) - {"implied_by", "because"}
                or not isinstance(later, int)
                or isinstance(later, bool)
                or not isinstance(because, str)
                or not because.strip()
            ):
                problem(where, "`implied_by: N` takes a later step's number and `because:` (a sentence)")
            else:
                step.implied_by, step.implied_because = later, because.strip()
            continue
        wait = item.get("wait", 0)
        kinds = [k for k in item if k != "wait"]
        if len(kinds) != 1:
            problem(where, f"a check names exactly one check type (got {', '.join(map(str, kinds)) or 'none'})")
            continue
        name = kinds[0]
        kind = checks.KINDS.get(name)
        if kind is None:
            problem(where, f"unknown check type {name!r} (known: {', '.join(sorted(checks.KINDS))})")
            continue
        if not isinstance(wait, (int, float)) or isinstance(wait, bool) or wait < 0:
            problem(where, "`wait` must be a number of seconds")
            wait = 0
        params = item[name]
        if not isinstance(params, dict):
            if kind.shorthand is None:
                problem(where, f"{name} needs a mapping of parameters ({', '.join(kind.fields)})")
                continue
            params = {kind.shorthand: params}
        if _fields_ok(name, params, kind.fields, where, problem):
            _placeholders(params, where, defined, problem)
            out.append(CheckSpec(name, params, where, float(wait)))
    return out


def _fields_ok(name: str, params: dict, fields: dict, where: int, problem) -> bool:
    ok = True
    for key, value in params.items():
        spec = fields.get(key)
        if spec is None:
            problem(where, f"{name}: unknown parameter {key!r} (known: {', '.join(fields)})")
            ok = False
        elif not isinstance(value, spec.type) or (spec.type is int and isinstance(value, bool)):
            want = spec.type.__name__ if isinstance(spec.type, type) else " or ".join(t.__name__ for t in spec.type)
            problem(where, f"{name}: parameter {key!r} must be a {want}, not {value!r}")
            ok = False
    for key, spec in fields.items():
        if spec.required and key not in params:
            problem(where, f"{name}: missing parameter {key!r}")
            ok = False
    return ok


def _answers(data: Any, item_lines: list[int], line: int, problem) -> tuple[Answer, ...]:
    if not isinstance(data, list):
        problem(line, "a `yaml answers` block must be a list of `- expect: REGEX` / `send: TEXT` pairs")
        return ()
    out = []
    for item, where in zip(data, item_lines):
        if not (
            isinstance(item, dict)
            and set(item) == {"expect", "send"}
            and all(isinstance(v, str) for v in item.values())
        ):
            problem(where, "each answer needs exactly `expect` (a regex) and `send` (text), both strings")
            continue
        try:
            re.compile(item["expect"])
        except re.error as err:
            problem(where, f"`expect` is not a valid regex: {err}")
            continue
        out.append(Answer(item["expect"], item["send"]))
    return tuple(out)


def _facts(data: Any, item_lines: list[int], block_line: int, problem) -> list[FactSpec]:
    if not isinstance(data, dict):
        problem(
            block_line,
            "a `yaml remember` block must map fact names to a fact, e.g. "
            "`old_volume: {removed_container_volume: {container: mydb, destination: /data}}`",
        )
        return []
    out = []
    for (name, spec), line in zip(data.items(), item_lines):
        if not isinstance(name, str) or not FACT_NAME.match(name):
            problem(line, f"fact name {name!r} must be lowercase letters, digits and underscores")
            continue
        if not (isinstance(spec, dict) and len(spec) == 1):
            problem(line, f"fact {name!r} must name one fact kind ({', '.join(facts.FACTS)})")
            continue
        kind, params = next(iter(spec.items()))
        if kind not in facts.FACTS:
            problem(line, f"fact {name!r}: unknown fact kind {kind!r} (known: {', '.join(facts.FACTS)})")
            continue
        if not isinstance(params, dict):
            problem(line, f"fact {name!r}: {kind} needs a mapping of parameters")
            continue
        if _fields_ok(kind, params, facts.FACTS[kind], line, problem):
            out.append(FactSpec(name, kind, params, line))
    return out


def validate(paths: list[Path], course: Path | None = None) -> list[Problem]:
    """Every problem in these files, including ids used twice; for the files in the
    `course` folder (content/), also what the course asks beyond a valid file."""
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    course = course.resolve() if course is not None else None
    for path in paths:
        lesson, found = parse(path)
        problems.extend(found)
        if not found and Path(path).resolve().parent == course:
            problems.extend(thinking.course_problems(lesson))
        if lesson.id:
            if lesson.id in seen:
                problems.append(Problem(path, 1, f"id {lesson.id!r} is already used by {seen[lesson.id]}"))
            seen.setdefault(lesson.id, path)
    return problems
