"""The scheduled review run on the forge: the GitHub Actions and GitLab CI files `isa init` writes, their script
steps run here with bash against a bare remote and a real SMTP server on 127.0.0.1, and the pinned toolkit they
install."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from isa_toolkit import __version__
from isa_toolkit.cli import main
from isa_toolkit.register import create, vcs

from .conftest import git

VENV_BIN = Path(sys.executable).parent  # first on PATH, so the steps' `isa` is this checkout's
TOOLKIT = Path(__file__).resolve().parent.parent  # a local folder to name as the toolkit to install
FILES = {"github": ".github/workflows/isa-review.yml", "gitlab": ".gitlab-ci.yml"}
HEAD = "hana.head@example.org"
SMTP_USER = "isa-mailer"
SECRETS = {"ISA_SMTP_USERNAME": SMTP_USER, "ISA_SMTP_PASSWORD": "pw-5f0c9e1d-never-printed",
           "ISA_PUSH_TOKEN": "glpat-7d3a55b2-never-printed"}


# -- a mail server that wants a login ---------------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler and authenticator: keeps every message, refuses the recipients in ``refuse``, and lets
    in only SMTP_USER with the secret password."""

    def __init__(self):
        self.recipients: list[str] = []
        self.logins: list[bool] = []
        self.refuse: set[str] = set()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(), SECRETS["ISA_SMTP_PASSWORD"].encode())
        self.logins.append(ok)
        return AuthResult(success=ok)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.recipients += envelope.rcpt_tos
        return "250 Message accepted"


@pytest.fixture
def smtp():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    # A login over a plain connection is fine on 127.0.0.1 in a test; the forge's server would use starttls.
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox,
                            auth_require_tls=False)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


# -- a register shared through a bare remote, as the forge holds it ----------------------------------------------


def init(target: Path, **env: str):
    return CliRunner(env=env).invoke(main, ["init", str(target), "--organisation", "Testshire Council", "--by", "Kim"])


@pytest.fixture
def shared(tmp_path, monkeypatch, smtp):
    """A register made by `isa init`, with the classification table's review overdue (one reminder to the head of
    information management) and an smtp section with a login, synced to a bare remote."""
    monkeypatch.setenv("ISA_TOOLKIT_REQUIREMENT", str(TOOLKIT))
    root = tmp_path / "register"
    result = init(root)
    assert result.exit_code == 0, result.output
    settings = yaml.safe_load((root / "register.yaml").read_text(encoding="utf-8"))
    settings["contacts"] = {"head_of_information_management": {"name": "Hana Head", "email": HEAD}}
    settings["smtp"] = {"host": "127.0.0.1", "port": smtp.port, "tls": "none", "sender": "register@example.org",
                        "username_env": "ISA_SMTP_USERNAME", "password_env": "ISA_SMTP_PASSWORD"}
    (root / "register.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    table = root / "classification.yaml"
    last = (dt.date.today() - dt.timedelta(days=400)).isoformat()  # reviewed every six months: overdue today
    text, count = re.subn(r"(?m)^  last: .*$", f"  last: {last}", table.read_text(encoding="utf-8"))
    assert count == 1
    table.write_text(text, encoding="utf-8")
    vcs.commit_all(root, "Mail server and head of information management [by Kim]")

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    git(remote, "config", "core.logAllRefUpdates", "always")  # the remote's reflog shows any forced update
    git(root, "remote", "add", "origin", str(remote))
    synced = CliRunner().invoke(main, ["-R", str(root), "sync"])
    assert synced.exit_code == 0, synced.output
    return root, remote


def checkout(remote: Path, folder: Path) -> Path:
    """The forge's checkout of the register's main branch."""
    git(remote.parent, "clone", "-q", "--branch", "main", str(remote), str(folder))
    return folder


def colleague_pushes(remote: Path, tmp_path: Path) -> str:
    """Someone pushes while the run is on its way: the run's log commit must go on top, not over it."""
    other = checkout(remote, tmp_path / "colleague")
    with open(other / ".gitignore", "a", encoding="utf-8") as handle:
        handle.write("/exports/\n")
    git(other, "-c", "user.name=Col League", "-c", "user.email=col@example.org", "commit", "-q", "-am",
        "Ignore exports [by Col League]")
    git(other, "push", "-q", "origin", "HEAD:main")
    return git(other, "rev-parse", "HEAD").strip()


# -- running a job's script steps as the forge would ------------------------------------------------------------


def forge_env(tmp_path: Path, forge: str, doc: dict, runner: Path, remote: Path) -> dict[str, str]:
    """An environment like the forge's: its own variables, the file's variables, the secrets, this venv first."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir(exist_ok=True)
    temp.mkdir(exist_ok=True)
    env = {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(home),
           "TMPDIR": str(temp), "LANG": "C.UTF-8", "XDG_CACHE_HOME": str(tmp_path / "cache"), "CI": "true",
           "GIT_CONFIG_NOSYSTEM": "1", "BARE_REMOTE": str(remote)}
    if forge == "github":
        (tmp_path / "runner-temp").mkdir(exist_ok=True)
        env |= {"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main", "GITHUB_WORKSPACE": str(runner),
                "RUNNER_TEMP": str(tmp_path / "runner-temp"), "GITHUB_OUTPUT": str(tmp_path / "github-output")}
        env |= {name: str(value) for name, value in doc["env"].items()}
    else:
        env |= {"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_PIPELINE_SOURCE": "schedule",
                "CI_SERVER_HOST": "gitlab.example.invalid", "CI_PROJECT_PATH": "team/register",
                "CI_PROJECT_DIR": str(runner)}
        env |= {name: str(value) for name, value in doc["variables"].items()}
        env |= SECRETS  # GitLab gives every job its CI/CD variables
    return env


def secret(value: str) -> str:
    """A step's env value: `${{ secrets.NAME }}` is the secret, anything else is taken as it is."""
    found = re.fullmatch(r"\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}", str(value))
    assert found or "${{" not in str(value), value
    return SECRETS[found.group(1)] if found else str(value)


def bash(script: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    # As both forges run a script: `bash -eo pipefail`, no profile.
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    return done.returncode, done.stdout


def github_steps(doc: dict, name: str = "remind") -> list[dict]:
    """The `run:` steps of the job, less the install (nothing is installed here: the venv's isa is on PATH)."""
    job = doc["jobs"][name]  # the pages job only publishes what this one (or the site job) built
    return [step for step in job["steps"] if "run" in step and "pip install" not in step["run"]]


def gitlab_lines(doc: dict, name: str = "isa-review-run") -> list[str]:
    """The job's before_script and script, less apt-get and pip install; the line that puts the push token in
    origin's URL runs, is checked, and origin is then set back to the bare remote."""
    job = doc[name]
    lines = []
    for line in [*job["before_script"], *job["script"]]:
        if "apt-get" in line or "pip install" in line:
            continue
        if "git remote set-url origin" in line:
            expected = "https://oauth2:${ISA_PUSH_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"
            line += f'\ntest "$(git remote get-url origin)" = "{expected}"\ngit remote set-url origin "$BARE_REMOTE"'
        lines.append(line)
    return lines


def run_job(forge: str, root: Path, runner: Path, remote: Path, tmp_path: Path, *,
            push: bool = False) -> tuple[int, str]:
    """Run the job's script steps in ``runner`` as ``forge`` would (the daily run's job, or with ``push`` the job a
    push to the default branch runs); the exit code of the job and all it printed."""
    doc = yaml.safe_load((root / FILES[forge]).read_text(encoding="utf-8"))
    env = forge_env(tmp_path, forge, doc, runner, remote)
    if forge == "gitlab":  # one shell for before_script and script, as the runner does
        if push:
            env["CI_PIPELINE_SOURCE"] = "push"
        return bash("\n".join(gitlab_lines(doc, "isa-site" if push else "isa-review-run")), runner, env)
    printed = []
    for step in github_steps(doc, "site" if push else "remind"):  # each step its own shell; the job stops at the first that fails
        code, out = bash(step["run"], runner, env | {k: secret(v) for k, v in step.get("env", {}).items()})
        printed.append(out)
        if code:
            return code, "\n".join(printed)
    return 0, "\n".join(printed)


def never_forced(remote: Path) -> None:
    """Every update of the remote's main, in its reflog, moved it forward."""
    log = (remote / "logs" / "refs" / "heads" / "main").read_text(encoding="utf-8").splitlines()
    assert len(log) >= 2
    for entry in log:
        old, new = entry.split()[:2]
        if set(old) != {"0"}:
            assert subprocess.run(["git", "merge-base", "--is-ancestor", old, new], cwd=remote).returncode == 0, entry


def log_on_main(remote: Path) -> list[dict]:
    return [json.loads(line) for line in git(remote, "show", "main:reminders.log").splitlines() if line.strip()]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for value in SECRETS.values():
            assert value not in text


# -- the tests ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_the_job_sends_pushes_the_log_on_top_and_prints_no_secret(forge, shared, smtp, tmp_path):
    root, remote = shared
    runner = checkout(remote, tmp_path / "runner")
    theirs = colleague_pushes(remote, tmp_path)

    code, printed = run_job(forge, root, runner, remote, tmp_path)
    assert code == 0, printed
    assert smtp.recipients == [HEAD] and smtp.logins == [True]  # really sent, after a login with the secret
    assert [(e["to"], e["status"]) for e in log_on_main(remote)] == [(HEAD, "sent")]
    subjects = git(remote, "log", "--format=%s", "main").splitlines()
    assert subjects[0].startswith(f"review run {dt.date.today().isoformat()}: 1 reminder(s) sent")
    assert git(remote, "rev-parse", "main~1").strip() == theirs  # the log commit went on top of the colleague's
    assert git(runner, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")
    never_forced(remote)
    assert_no_secret(printed, git(remote, "log", "-p", "--all"), (runner / ".git" / "config").read_text())

    # The next run, from a fresh checkout, knows from the pushed log what went: it sends nothing and runs clean.
    again = checkout(remote, tmp_path / "runner-next-day")
    code, printed = run_job(forge, root, again, remote, tmp_path)
    assert code == 0, printed
    assert smtp.recipients == [HEAD]
    assert git(remote, "log", "--format=%s", "-1", "main").strip() == subjects[0]
    assert_no_secret(printed)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_a_failed_send_is_still_logged_and_pushed_then_the_job_fails(forge, shared, smtp, tmp_path):
    root, remote = shared
    smtp.refuse.add(HEAD)
    runner = checkout(remote, tmp_path / "runner")
    code, printed = run_job(forge, root, runner, remote, tmp_path)
    assert code == 1, printed
    assert [(e["to"], e["status"]) for e in log_on_main(remote)] == [(HEAD, "failed")]
    assert "1 failed" in git(remote, "log", "--format=%s", "-1", "main")
    never_forced(remote)
    assert_no_secret(printed)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_a_push_builds_the_site_sends_nothing_and_pushes_nothing(forge, shared, smtp, tmp_path):
    root, remote = shared
    runner = checkout(remote, tmp_path / "runner")
    before = git(remote, "rev-parse", "main")
    code, printed = run_job(forge, root, runner, remote, tmp_path, push=True)
    assert code == 0, printed
    site = tmp_path / "runner-temp" / "site" if forge == "github" else runner / "public"
    for lang in ("en", "fr"):
        assert (site / lang / "index.html").is_file() and (site / lang / "register.html").is_file()
    assert (site / "index.html").is_file() and (site / "reviews.ics").is_file()
    assert smtp.recipients == [] and smtp.logins == []  # the reminders are the daily run's alone
    assert git(remote, "rev-parse", "main") == before  # nothing written back
    assert git(runner, "status", "--porcelain", "--", ".", ":!public") == ""
    assert_no_secret(printed)


def test_the_files_pin_the_toolkit_in_one_variable_with_least_privilege(tmp_path, monkeypatch):
    requirement = "isa-toolkit @ https://files.example.org/isa_toolkit-0.1.0-py3-none-any.whl#sha256=ab12&x=1"
    monkeypatch.setenv("ISA_TOOLKIT_REQUIREMENT", requirement)
    root = tmp_path / "register"
    assert init(root).exit_code == 0
    github = yaml.safe_load((root / FILES["github"]).read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((root / FILES["gitlab"]).read_text(encoding="utf-8"))
    assert github["env"]["ISA_TOOLKIT"] == gitlab["variables"]["ISA_TOOLKIT"] == requirement
    assert github[True]["schedule"] == [{"cron": "0 7 * * *"}]  # YAML 1.1 reads the key `on` as true
    assert github["permissions"] == {"contents": "read"}
    assert github["jobs"]["remind"]["permissions"] == {"contents": "write"}
    # The site is published by a job of its own, the only one allowed to (and it checks out and installs nothing).
    assert github["jobs"]["pages"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert [step.get("uses") for step in github["jobs"]["pages"]["steps"]] == ["actions/deploy-pages@v4"]
    assert any(step.get("uses") == "actions/upload-pages-artifact@v3" for step in github["jobs"]["remind"]["steps"])
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"] == gitlab["isa-review-run"]["artifacts"]["paths"]
    assert "script" in gitlab["pages"] and "pip" not in str(gitlab["pages"])
    assert gitlab["isa-review-run"]["resource_group"] == "isa-review-run"
    # A push's run never takes the place of a daily run waiting for its turn: a group each.
    assert github["concurrency"]["group"] == ("${{ github.event_name == 'push' && format('isa-site-{0}', github.ref) "
                                              "|| 'isa-review-run' }}")
    assert github["jobs"]["pages"]["concurrency"] == {"group": "isa-pages", "cancel-in-progress": False}
    # A push builds the site (on the default branch only) and sends nothing; the pages job publishes either's site.
    assert "push" in github[True] and github["jobs"]["remind"]["if"] == "${{ github.event_name != 'push' }}"
    assert "default_branch" in github["jobs"]["site"]["if"] and "permissions" not in github["jobs"]["site"]
    assert github["jobs"]["pages"]["needs"] == ["remind", "site"]
    assert gitlab["isa-site"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'}]
    assert [n["job"] for n in gitlab["pages"]["needs"] if n["optional"]] == ["isa-review-run", "isa-site"]
    assert "python-version: \"3.12\"" in (root / FILES["github"]).read_text(encoding="utf-8")
    assert gitlab["isa-review-run"]["image"] == "python:3.12-slim"
    assert "write_repository" in (root / FILES["gitlab"]).read_text(encoding="utf-8")
    for forge, name in FILES.items():
        text = (root / name).read_text(encoding="utf-8")
        installs = [line for line in text.splitlines() if "pip install" in line]
        assert len(installs) == 2, forge  # the review job's and the site job's
        assert all(line.endswith('"$ISA_TOOLKIT"') and "isa-toolkit" not in line for line in installs)
        assert "set -x" not in text and "git push" not in text and "pull --rebase" not in text
        assert "isa -R . sync" in text


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_the_first_step_stops_the_job_until_the_toolkit_is_named(forge, tmp_path, monkeypatch):
    monkeypatch.delenv("ISA_TOOLKIT_REQUIREMENT", raising=False)  # an editable install here: nothing to pin
    root = tmp_path / "register"
    assert init(root).exit_code == 0
    doc = yaml.safe_load((root / FILES[forge]).read_text(encoding="utf-8"))
    value = doc["env" if forge == "github" else "variables"]["ISA_TOOLKIT"]
    assert value == f"isa-toolkit @ git+https://REPLACE-WITH-YOUR-TOOLKIT-REPOSITORY@v{__version__}"
    first = github_steps(doc)[0]["run"] if forge == "github" else doc["isa-review-run"]["before_script"][0]
    # The job a push runs checks the toolkit with the very same words (the two copies must not drift apart).
    pushed = github_steps(doc, "site")[0]["run"] if forge == "github" else doc["isa-site"]["before_script"][0]
    assert pushed.partition("esac")[0] == first.partition("esac")[0] and "esac" in pushed
    env = {"PATH": os.environ["PATH"], "ISA_PUSH_TOKEN": "x"}
    code, printed = bash(first, tmp_path, env | {"ISA_TOOLKIT": value})
    assert code == 1 and "ISA_TOOLKIT" in printed and "docs/team.md" in printed, printed
    code, printed = bash(first, tmp_path, env | {"ISA_TOOLKIT": "isa-toolkit==0.1.0"})  # a bare name: not pinned
    assert code == 1 and "ISA_TOOLKIT" in printed and "package index" in printed, printed
    code, printed = bash(first, tmp_path, env | {"ISA_TOOLKIT": "isa-toolkit @ git+https://host/g/isa-toolkit@v1"})
    assert code == 0, printed
    if forge == "gitlab":
        code, printed = bash(first, tmp_path, {"PATH": os.environ["PATH"], "ISA_TOOLKIT": "./tools/x.whl"})
        assert code == 1 and "ISA_PUSH_TOKEN" in printed and "write_repository" in printed


@pytest.mark.parametrize("hostile", ["x; rm -rf /", "isa-toolkit @ git+https://host/x@v1\nrm -rf /",
                                     "isa-toolkit @ git+https://host/$(id)@v1", "`id`/x.whl", "./x.whl' && id '",
                                     'a"/b.whl', "--index-url=https://evil.example/simple/", "${{ secrets.X }}/a.whl",
                                     "isa-toolkit", "isa-toolkit==0.1.0", "  "])
def test_a_hostile_or_unpinned_requirement_is_refused(hostile, tmp_path):
    target = tmp_path / "register"
    result = init(target, ISA_TOOLKIT_REQUIREMENT=hostile)
    assert result.exit_code == 1
    assert "ISA_TOOLKIT_REQUIREMENT" in result.output and "git URL with a tag or commit" in result.output
    assert not target.exists()  # nothing left half-made


class Installed:
    def __init__(self, direct_url: dict | None, version: str = "0.2.0"):
        self.version, self.direct_url = version, direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self.direct_url is None else json.dumps(self.direct_url)


@pytest.mark.parametrize(("direct_url", "expected"), [
    ({"url": "https://github.com/org/isa-toolkit.git",
      "vcs_info": {"vcs": "git", "commit_id": "a" * 40, "requested_revision": "v0.2.0"}},
     f"isa-toolkit @ git+https://github.com/org/isa-toolkit.git@{'a' * 40}"),
    ({"url": "https://files.example.org/isa_toolkit-0.2.0-py3-none-any.whl", "archive_info": {"hashes": {"sha256": "b" * 64}}},
     f"isa-toolkit @ https://files.example.org/isa_toolkit-0.2.0-py3-none-any.whl#sha256={'b' * 64}"),
    ({"url": "file:///home/kim/isa-toolkit", "dir_info": {"editable": True}},
     "isa-toolkit @ git+https://REPLACE-WITH-YOUR-TOOLKIT-REPOSITORY@v0.2.0"),
    ({"url": "file:///home/kim/dist/isa_toolkit-0.2.0-py3-none-any.whl", "archive_info": {}},
     "isa-toolkit @ git+https://REPLACE-WITH-YOUR-TOOLKIT-REPOSITORY@v0.2.0"),
    (None, "isa-toolkit @ git+https://REPLACE-WITH-YOUR-TOOLKIT-REPOSITORY@v0.2.0"),  # from an index: no URL
])
def test_init_pins_the_toolkit_it_was_installed_from(direct_url, expected, tmp_path, monkeypatch):
    monkeypatch.delenv("ISA_TOOLKIT_REQUIREMENT", raising=False)
    real = importlib.metadata.distribution
    monkeypatch.setattr(importlib.metadata, "distribution",
                        lambda name: Installed(direct_url) if name == "isa-toolkit" else real(name))
    root = tmp_path / "register"
    assert init(root).exit_code == 0
    doc = yaml.safe_load((root / FILES["github"]).read_text(encoding="utf-8"))
    assert doc["env"]["ISA_TOOLKIT"] == expected


def test_without_the_distribution_the_placeholder_names_this_version(monkeypatch):
    monkeypatch.delenv("ISA_TOOLKIT_REQUIREMENT", raising=False)

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    assert create._toolkit_requirement() == f"isa-toolkit @ git+https://REPLACE-WITH-YOUR-TOOLKIT-REPOSITORY@v{__version__}"
