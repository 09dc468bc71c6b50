"""The `msip` command line: help everywhere, one-line errors, non-zero exit codes."""

import subprocess
import sys

import pytest

MSIP = [sys.executable, "-m", "msip"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MSIP, *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("args", [[], ["db"], ["db", "start"], ["db", "status"], ["db", "migrate"],
                                  ["db", "reset"], ["sample"], ["demo"], ["load"], ["run"], ["serve"]])
def test_help_on_every_command(args):
    result = run(*args, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: msip" in result.stdout


def test_wrong_subcommand_exits_non_zero_with_one_line_reason():
    result = run("dbx")
    assert result.returncode == 2
    assert "No such command 'dbx'" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_option_value_is_explained():
    result = run("sample", "--size", "huge")
    assert result.returncode == 2
    assert "'huge' is not one of 'small', 'medium', 'large'" in result.stderr


def test_msip_error_prints_one_line_without_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MSIP_HOME": str(tmp_path), "MSIP_PG_PORT": "99999"}
    result = run("db", "status", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: MSIP_PG_PORT='99999' is not a port number")
    assert len(result.stderr.strip().splitlines()) == 1


def test_lazy_commands_only_a_missing_command_module_is_not_available(tmp_path, monkeypatch, capsys):
    from msip.cli import LOAD_COMMANDS, main
    from msip.core.errors import MsipError

    (tmp_path / "msip_test_broken_command.py").write_text("import msip_test_no_such_library\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(LOAD_COMMANDS, "gone", "msip_test_absent_command:cmd")
    monkeypatch.setitem(LOAD_COMMANDS, "broken", "msip_test_broken_command:cmd")

    with pytest.raises(SystemExit) as exited:
        main(["load", "gone"])
    assert exited.value.code == 1
    assert capsys.readouterr().err.strip() == "error: `gone` is not available in this version of MSIP"

    with pytest.raises(SystemExit) as exited:
        main(["load", "broken"])
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err == ("error: `broken` could not be loaded: No module named 'msip_test_no_such_library' "
                   "(msip -v shows the traceback)")

    with pytest.raises(MsipError, match="`broken` could not be loaded") as raised:
        main(["-v", "load", "broken"])
    assert isinstance(raised.value.__cause__, ModuleNotFoundError)
    assert raised.value.__cause__.name == "msip_test_no_such_library"
