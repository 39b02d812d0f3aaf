"""
Static validation of ``docker-compose.yaml`` (no Docker engine needed).

1. The schema check validates the file, interpolated with its defaults as Compose does, against the official
   Compose Specification schema, vendored in ``tests/fixtures/compose-spec/`` (its README gives the source).
2. The reference checks cover what a schema cannot: services, volumes, paths and variables that are named
   must exist, and the deployment's own invariants (connections, a scalable worker, the emulator).
3. Each check is shown to fail on a broken copy.

The Compose CLI's own check runs a subprocess, so it lives in ``tests/integration/deploy/``.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO / "docker-compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"

SCHEMA_FILE = REPO / "tests" / "fixtures" / "compose-spec" / "compose-spec.json"
WORKER = "airflow-worker"
EMULATOR = "hume-emulator"

Compose = dict[str, Any]

# Compose's interpolation syntax: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR:+alt}.
_TEMPLATE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_A-Za-z][_A-Za-z0-9]*)"
    r"|\{(?P<braced>[_A-Za-z][_A-Za-z0-9]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<invalid>))"
)


# --- loading and interpolation ---------------------------------------------------------------------------


def load_compose(text: str) -> Compose:
    """Parse a Compose file; PyYAML resolves anchors and ``<<`` merge keys or raises on a broken one."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise yaml.YAMLError("a Compose file is a mapping")
    return document


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Substitute variables as Compose does; ``ValueError`` on bad syntax or a missing required one."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ValueError(f"invalid interpolation in {text!r}")
        name = match["named"] or match["braced"]
        op, arg, value = match["op"], match["arg"] or "", env.get(name)
        if op in (":?", "?") and (value is None or (op == ":?" and not value)):
            raise ValueError(f"required variable {name} is missing: {arg}")
        if op == ":-":
            return value or arg
        if op == "-":
            return arg if value is None else value
        if op == ":+":
            return arg if value else ""
        if op == "+":
            return "" if value is None else arg
        return value or ""

    return _TEMPLATE.sub(replace, text)


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    """Interpolate every string value of a parsed document."""
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, env) for value in node]
    return interpolate(node, env) if isinstance(node, str) else node


def strings(node: Any) -> Iterator[str]:
    """Every string value of a parsed document."""
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of an env file, comments and blank lines skipped."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line.strip() and line[0] != "#")
    return {name.strip(): value.strip() for name, value in pairs}


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment, in either of its two forms."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_line(service: Mapping[str, Any]) -> list[str]:
    """Entrypoint and command of a service as one argument list."""
    args: list[str] = []
    for key in ("entrypoint", "command"):
        value = service.get(key) or []
        args += shlex.split(value) if isinstance(value, str) else [str(item) for item in value]
    return args


# --- the schema check ------------------------------------------------------------------------------------


def schema_errors(document: Compose, schema: Mapping[str, Any]) -> list[str]:
    """Violations of the schema by the document, interpolated with its defaults as Compose does first."""
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    resolved = interpolate_tree(document, {})
    errors = sorted(validator.iter_errors(resolved), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{'.'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors]


# --- the reference checks --------------------------------------------------------------------------------


def _service_names(value: Any) -> list[str]:
    return list(value) if isinstance(value, dict) else [str(item) for item in value or []]


def _dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A ``.dockerignore`` pattern as a regex: ``*`` and ``?`` within one path segment, ``**`` across them."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        else:
            regex, i = regex + {"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i])), i + 1
    return re.compile(regex + r"\Z")


def is_dockerignored(relative: str, patterns: list[str]) -> bool:
    """Whether a context path, or a folder holding it, is excluded; the last matching pattern wins."""
    parts = Path(relative).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        regex = _dockerignore_regex(raw.removeprefix("!").strip("/"))
        if any(regex.match(candidate) for candidate in candidates):
            ignored = not raw.startswith("!")
    return ignored


def dockerfile_errors(context: Path, dockerfile: Path, ignore_patterns: list[str]) -> list[str]:
    """Each ``COPY``/``ADD`` source of the build stage exists in the context and is not dockerignored."""
    errors: list[str] = []
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if len(words) < 3 or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = words[1:]
        if any(arg.startswith("--from") for arg in args):
            continue
        for source in [arg for arg in args if not arg.startswith("--")][:-1]:
            if not (context / source).exists():
                errors.append(f"{dockerfile.name}: COPY source {source} does not exist")
            elif is_dockerignored(source, ignore_patterns):
                errors.append(f"{dockerfile.name}: COPY source {source} is excluded by .dockerignore")
    return errors


def _mount_source(volume: Any) -> tuple[str, str] | None:
    """``(kind, source)`` of a volume entry, kind ``bind`` or ``volume``; ``None`` for an anonymous one."""
    if isinstance(volume, dict):
        source = volume.get("source")
        return (str(volume.get("type", "volume")), str(source)) if source else None
    parts = str(volume).split(":")
    if len(parts) < 2:
        return None
    return ("bind" if parts[0].startswith((".", "/", "~")) else "volume"), parts[0]


def reference_errors(compose: Compose, root: Path, ignore_patterns: list[str] | None = None) -> list[str]:
    """Dangling names: services, named volumes, bind paths, build contexts and Dockerfiles."""
    errors: list[str] = []
    services: dict[str, Any] = compose.get("services") or {}
    declared_volumes = set(compose.get("volumes") or {})
    if not services:
        return ["no services"]
    for name, raw_service in services.items():
        service = interpolate_tree(raw_service, {})
        for dependency in _service_names(service.get("depends_on")):
            if dependency not in services:
                errors.append(f"{name}: depends_on unknown service {dependency}")
        extends = service.get("extends")
        if isinstance(extends, str) or (isinstance(extends, dict) and "file" not in extends):
            target = extends if isinstance(extends, str) else extends.get("service")
            if target not in services:
                errors.append(f"{name}: extends unknown service {target}")
        for link in service.get("links") or []:
            if str(link).split(":")[0] not in services:
                errors.append(f"{name}: links unknown service {link}")
        for source in service.get("volumes_from") or []:
            if not str(source).startswith("container:") and str(source).split(":")[0] not in services:
                errors.append(f"{name}: volumes_from unknown service {source}")
        for volume in service.get("volumes") or []:
            mount = _mount_source(volume)
            if mount and mount[0] == "volume" and mount[1] not in declared_volumes:
                errors.append(f"{name}: volume {mount[1]} is not declared under the top-level volumes")
            if mount and mount[0] == "bind" and not (root / mount[1]).expanduser().exists():
                errors.append(f"{name}: bind-mounted path {mount[1]} does not exist")
        build = service.get("build")
        if build is not None:
            context = root / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = context / (
                "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            )
            if not context.is_dir():
                errors.append(f"{name}: build context {context} does not exist")
            elif not dockerfile.is_file():
                errors.append(f"{name}: Dockerfile {dockerfile} does not exist")
            else:
                patterns = _dockerignore_patterns(context) if ignore_patterns is None else ignore_patterns
                errors += [f"{name}: {error}" for error in dockerfile_errors(context, dockerfile, patterns)]
    return sorted(set(errors))


def variable_errors(compose: Compose, documented: Mapping[str, str]) -> list[str]:
    """Each variable used is documented in ``.env.example`` with its default, and each documented one used."""
    errors: list[str] = []
    defaults: dict[str, set[str]] = {}
    used: set[str] = set()
    for text in strings(compose):
        try:
            interpolate(text, {})
        except ValueError as exc:
            errors.append(str(exc))
            continue
        for match in _TEMPLATE.finditer(text):
            name = match["named"] or match["braced"]
            if not name:
                continue
            used.add(name)
            if match["op"] in (":-", "-"):
                defaults.setdefault(name, set()).add(match["arg"] or "")
    for name in sorted(used - set(documented)):
        kind = "has a default but" if name in defaults else "has no default and"
        errors.append(f"variable {name} {kind} is not documented in .env.example")
    for name in sorted(set(documented) - used):
        errors.append(f".env.example documents {name}, which docker-compose.yaml does not use")
    for name in sorted(used & set(documented)):
        if len(defaults.get(name, set())) > 1:
            errors.append(f"variable {name} has different defaults: {sorted(defaults[name])}")
        elif name in defaults and documented[name] not in defaults[name]:
            errors.append(
                f"variable {name}: .env.example says {documented[name]!r}, the default is {defaults[name]}"
            )
    return errors


def _connection(env: Mapping[str, str], variable: str, conn_type: str) -> tuple[dict[str, Any], list[str]]:
    raw = env.get(variable)
    if raw is None:
        return {}, [f"{variable} is not set"]
    try:
        connection = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, [f"{variable} is not JSON ({exc}): {raw}"]
    if not isinstance(connection, dict) or connection.get("conn_type") != conn_type:
        return {}, [f"{variable} must have conn_type {conn_type!r}: {raw}"]
    return connection, []


def _flag(args: list[str], flag: str) -> str | None:
    """The value after ``flag`` in an argument list."""
    return args[args.index(flag) + 1] if flag in args[:-1] else None


def _published_ports(service: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(host_ip, host_port)`` of each published port; an empty host_ip means all interfaces."""
    published = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            if port.get("published"):
                published.append((str(port.get("host_ip", "")), str(port["published"])))
            continue
        parts = str(port).rsplit(":", 2)
        if len(parts) == 3:
            published.append((parts[0], parts[1]))
        elif len(parts) == 2:
            published.append(("", parts[0]))
        else:
            published.append(("", "ephemeral"))
    return published


def deployment_errors(compose: Compose, env: Mapping[str, str]) -> list[str]:
    """This stack's invariants, with variables from ``env`` (else their defaults)."""
    errors: list[str] = []
    services: dict[str, Any] = interpolate_tree(compose.get("services") or {}, env)
    airflow = {name: s for name, s in services.items() if "AIRFLOW__CORE__EXECUTOR" in environment(s)}
    if not airflow:
        return ["no Airflow service (none sets AIRFLOW__CORE__EXECUTOR)"]
    emulator_args = command_line(services.get(EMULATOR, {}))
    if EMULATOR not in services:
        errors.append(f"no {EMULATOR} service")
    elif not {"--allow-remote", "0.0.0.0"} <= set(emulator_args):
        errors.append(f"{EMULATOR} must bind 0.0.0.0 with --allow-remote: {emulator_args}")
    for name, service in airflow.items():
        service_env = environment(service)
        if service_env["AIRFLOW__CORE__EXECUTOR"] != "CeleryExecutor":
            errors.append(f"{name}: AIRFLOW__CORE__EXECUTOR is not CeleryExecutor")
        for variable in ("AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"):
            host = urlsplit(service_env.get(variable, "")).hostname
            if host not in services:
                errors.append(f"{name}: {variable} points at {host}, which is no service")
        if not any(str(v).startswith("./dags:/opt/airflow/dags") for v in service.get("volumes") or []):
            errors.append(f"{name}: ./dags is not mounted at /opt/airflow/dags")
        hume, hume_errors = _connection(service_env, "AIRFLOW_CONN_HUME_DEFAULT", "hume")
        aws, aws_errors = _connection(service_env, "AIRFLOW_CONN_AWS_DEFAULT", "aws")
        errors += [f"{name}: {error}" for error in hume_errors + aws_errors]
        if hume and not (hume.get("host") and hume.get("password")):
            errors.append(f"{name}: the hume_default connection needs a host and a password (the API key)")
        if hume and urlsplit(str(hume.get("host", ""))).hostname == EMULATOR:
            port = str(urlsplit(hume["host"]).port)
            if _flag(emulator_args, "--port") != port:
                errors.append(f"{name}: hume_default's port {port} is not the emulator's --port")
            if _flag(emulator_args, "--api-key") != hume.get("password"):
                errors.append(f"{name}: hume_default's key is not one the emulator accepts")
            console = urlsplit(str((hume.get("extra") or {}).get("console_url", "")))
            published = _published_ports(services.get(EMULATOR, {}))
            if (console.hostname, str(console.port)) not in published:
                errors.append(f"{name}: hume_default's console_url is not the emulator's published port")
        endpoint = urlsplit(str((aws.get("extra") or {}).get("endpoint_url", ""))).hostname
        if aws and endpoint not in services:
            errors.append(f"{name}: aws_default's endpoint_url points at {endpoint}, which is no service")
        if not service_env.get("AIRFLOW_VAR_HUME_S3_BUCKET"):
            errors.append(f"{name}: AIRFLOW_VAR_HUME_S3_BUCKET is not set")
    worker = services.get(WORKER)
    if worker is None:
        errors.append(f"no {WORKER} service")
    else:
        for key in ("container_name", "hostname", "ports"):
            if worker.get(key):
                errors.append(f"{WORKER} must not set {key}: it would not scale with --scale {WORKER}=N")
        if "celery" not in command_line(worker):
            errors.append(f"{WORKER} does not run a Celery worker")
    for name, service in services.items():
        for host_ip, host_port in _published_ports(service):
            if host_ip != "127.0.0.1":
                errors.append(f"{name}: port {host_port} is published on all interfaces, not 127.0.0.1")
    return errors


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def compose_schema() -> dict[str, Any]:
    """The vendored Compose Specification schema, itself checked against its metaschema."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)
    return schema


@pytest.fixture(scope="session")
def compose_file() -> Compose:
    """The repository's ``docker-compose.yaml``, parsed."""
    return load_compose(COMPOSE_FILE.read_text())


@pytest.fixture
def compose(compose_file: Compose) -> Compose:
    """A copy a test may break."""
    return copy.deepcopy(compose_file)


@pytest.fixture(scope="session")
def documented() -> dict[str, str]:
    """The variables of ``.env.example`` and their values."""
    return read_env_file(ENV_EXAMPLE)


# --- the checks on the repository's files ----------------------------------------------------------------


def test_compose_file_matches_the_compose_specification(
    compose_file: Compose, compose_schema: dict[str, Any]
) -> None:
    assert schema_errors(compose_file, compose_schema) == []


def test_every_referenced_service_volume_path_and_dockerfile_exists(compose_file: Compose) -> None:
    assert reference_errors(compose_file, REPO) == []


def test_every_variable_is_documented_with_its_default(
    compose_file: Compose, documented: dict[str, str]
) -> None:
    assert variable_errors(compose_file, documented) == []


@pytest.mark.parametrize("source", ["defaults", ".env.example"])
def test_deployment_invariants(compose_file: Compose, documented: dict[str, str], source: str) -> None:
    assert deployment_errors(compose_file, {} if source == "defaults" else documented) == []


def test_a_real_endpoint_switches_the_hume_connection(compose_file: Compose) -> None:
    env = {"HUME_API_URL": "https://api.hume.example", "HUME_API_KEY": "real-key"}
    services = interpolate_tree(compose_file["services"], env)
    connection = json.loads(environment(services[WORKER])["AIRFLOW_CONN_HUME_DEFAULT"])
    assert (connection["host"], connection["password"]) == (env["HUME_API_URL"], env["HUME_API_KEY"])


def test_the_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    patterns = _dockerignore_patterns(REPO)
    for path in (
        ".git",
        ".venv",
        ".tools",
        ".env",
        "tests/unit",
        "benchmarks",
        "airflow_provider_hume/__pycache__",
    ):
        assert is_dockerignored(path, patterns), path
    for path in ("pyproject.toml", "README.md", "airflow_provider_hume/hooks"):
        assert not is_dockerignored(path, patterns), path


# --- each check fails on a broken copy -------------------------------------------------------------------


def _set(document: Compose, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


WORKER_PATH = ("services", WORKER)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ((*WORKER_PATH, "imagee"), "typo"),
        ((*WORKER_PATH, "depends_on", "postgres", "condition"), "service_ready"),
        ((*WORKER_PATH, "healthcheck", "test"), 5),
    ],
)
def test_the_schema_check_rejects(
    compose: Compose, compose_schema: dict[str, Any], path: tuple[str, ...], value: Any
) -> None:
    _set(compose, path, value)
    errors = schema_errors(compose, compose_schema)
    assert errors, "the schema check let a broken file through"
    assert any(error.startswith(f"services.{WORKER}") for error in errors), errors


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            (*WORKER_PATH, "depends_on", "ghost"),
            {"condition": "service_started"},
            "depends_on unknown service",
        ),
        ((*WORKER_PATH, "extends"), {"service": "ghost"}, "extends unknown service"),
        ((*WORKER_PATH, "links"), ["ghost:alias"], "links unknown service"),
        ((*WORKER_PATH, "volumes_from"), ["ghost:ro"], "volumes_from unknown service"),
        ((*WORKER_PATH, "volumes"), ["undeclared:/data"], "volume undeclared is not declared"),
        ((*WORKER_PATH, "volumes"), ["./no-such-dir:/data"], "path ./no-such-dir does not exist"),
        ((*WORKER_PATH, "build"), "./no-such-context", "build context"),
        ((*WORKER_PATH, "build"), {"context": ".", "dockerfile": "No.Dockerfile"}, "Dockerfile"),
    ],
)
def test_the_reference_check_rejects(
    compose: Compose, path: tuple[str, ...], value: Any, expected: str
) -> None:
    _set(compose, path, value)
    assert any(expected in error for error in reference_errors(compose, REPO))


def test_the_reference_check_rejects_an_excluded_copy_source(compose: Compose) -> None:
    errors = reference_errors(compose, REPO, ignore_patterns=["airflow_provider_hume"])
    assert any("excluded by .dockerignore" in error for error in errors)


@pytest.mark.parametrize(
    "text",
    [
        "x-a: &a {image: i}\nservices:\n  s:\n    <<: *missing\n",
        "x-a: &a just-a-string\nservices:\n  s:\n    <<: *a\n",
    ],
    ids=["undefined-alias", "merge-of-a-scalar"],
)
def test_loading_rejects_a_broken_anchor(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        load_compose(text)


@pytest.mark.parametrize(
    ("value", "documented_change", "expected"),
    [
        ("${GHOST_VARIABLE}", {}, "GHOST_VARIABLE has no default and is not documented"),
        ("${GHOST_VARIABLE:-x}", {}, "GHOST_VARIABLE has a default but is not documented"),
        ("${BROKEN", {}, "invalid interpolation"),
        ("$ALSO BROKEN $", {}, "invalid interpolation"),
        ("fine", {"UNUSED_VARIABLE": "1"}, "does not use"),
        ("fine", {"HUME_S3_BUCKET": "elsewhere"}, "the default is"),
    ],
)
def test_the_variable_check_rejects(
    compose: Compose, documented: dict[str, str], value: str, documented_change: dict[str, str], expected: str
) -> None:
    _set(compose, (*WORKER_PATH, "environment", "EXTRA"), value)
    errors = variable_errors(compose, {**documented, **documented_change})
    assert any(expected in error for error in errors), errors


def _break_emulator(compose: Compose) -> None:
    compose["services"][EMULATOR]["command"].remove("--allow-remote")


def _set_worker_env(variable: str, value: str) -> Callable[[Compose], None]:
    return lambda compose: _set(compose, (*WORKER_PATH, "environment", variable), value)


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [
        (_set_worker_env("AIRFLOW_CONN_HUME_DEFAULT", '{"conn_type": "hume", "host": '), "is not JSON"),
        (_set_worker_env("AIRFLOW_CONN_HUME_DEFAULT", '{"conn_type": "http"}'), "conn_type 'hume'"),
        (_set_worker_env("AIRFLOW_CONN_HUME_DEFAULT", '{"conn_type": "hume"}'), "needs a host"),
        (
            _set_worker_env(
                "AIRFLOW_CONN_HUME_DEFAULT",
                '{"conn_type": "hume", "host": "http://hume-emulator:9", "password": "k"}',
            ),
            "not the emulator's --port",
        ),
        (
            _set_worker_env(
                "AIRFLOW_CONN_HUME_DEFAULT",
                '{"conn_type": "hume", "host": "http://hume-emulator:8000", "password": "other"}',
            ),
            "not one the emulator accepts",
        ),
        (
            _set_worker_env(
                "AIRFLOW_CONN_HUME_DEFAULT",
                '{"conn_type": "hume", "host": "http://hume-emulator:8000", "password": "emulator-demo-key",'
                ' "extra": {"console_url": "http://hume-emulator:8000/_emulator/console"}}',
            ),
            "console_url is not the emulator's published port",
        ),
        (lambda compose: compose["services"][EMULATOR].pop("ports"), "console_url is not the emulator's"),
        (_set_worker_env("AIRFLOW_CONN_AWS_DEFAULT", "{'conn_type': 'aws'}"), "is not JSON"),
        (
            _set_worker_env(
                "AIRFLOW_CONN_AWS_DEFAULT", '{"conn_type": "aws", "extra": {"endpoint_url": "http://s3"}}'
            ),
            "no service",
        ),
        (_set_worker_env("AIRFLOW__CORE__EXECUTOR", "LocalExecutor"), "not CeleryExecutor"),
        (
            lambda compose: _set(compose, (*WORKER_PATH, "container_name"), "worker"),
            "must not set container_name",
        ),
        (
            lambda compose: _set(compose, (*WORKER_PATH, "ports"), ["127.0.0.1:8793:8793"]),
            "must not set ports",
        ),
        (lambda compose: _set(compose, ("services", "redis", "ports"), ["6379:6379"]), "all interfaces"),
        (lambda compose: _set(compose, (*WORKER_PATH, "volumes"), []), "./dags is not mounted"),
        (_break_emulator, "--allow-remote"),
    ],
)
def test_the_deployment_check_rejects(
    compose: Compose, breaker: Callable[[Compose], None], expected: str
) -> None:
    breaker(compose)
    errors = deployment_errors(compose, {})
    assert any(expected in error for error in errors), errors
