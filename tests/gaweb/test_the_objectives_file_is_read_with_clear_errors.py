"""GAWEB_OBJECTIVES_FILE: code and training commands, one TOML table each; every mistake is named
at once, with its table, before anything runs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from gaweb.objectives_file import read_objectives_file
from tests.processes import ROOT


def test_the_examples_file_names_code_and_a_command_run_in_its_folder():
    code, commands = read_objectives_file(str(ROOT / "examples" / "objectives" / "objectives.toml"))
    assert code == {
        "digits_mlp": "examples.objectives.digits_mlp:train",
        "small_resnet": "examples.objectives.small_resnet:build",
    }
    command = commands["logistic_command"]
    assert command["argv"] == ["python3", "logistic_command.py", "{genome}"]
    assert command["cwd"] == str(ROOT / "examples" / "objectives")
    assert (command["metric"], command["timeout_seconds"]) == ("val_accuracy", 300)
    assert command["traits"] == ["learning_rate", "l2", "features"]
    assert command["trains_final"] is True


def test_a_command_may_be_one_string_split_as_a_shell_would(tmp_path):
    path = tmp_path / "objectives.toml"
    path.write_text('[train]\ncommand = "python3 \'my trainer.py\' {genome}"\ncwd = "runs"\n')
    _, commands = read_objectives_file(str(path))
    assert commands["train"]["argv"] == ["python3", "my trainer.py", "{genome}"]
    assert commands["train"]["cwd"] == str(tmp_path / "runs")


def test_every_mistake_is_named_with_its_table(tmp_path):
    path = tmp_path / "objectives.toml"
    path.write_text(
        "[both]\ncode = 'a:b'\ncommand = ['x']\n"
        "[neither]\ndescription = 'nothing to run'\n"
        "[bad]\ncommand = []\n"
        "[keras]\ncode = 'a:b'\n"
        '["Bad Name"]\ncode = "a:b"\n'
        "[odd]\ncommand = ['x']\ntimeout_seconds = -1\nmetric = 'val accuracy'\ncolour = 'red'\ndirection = 'down'\n"
        "[coded]\ncode = 'a:b'\ndescription = 'ignored if taken'\ntrains_final = true\n"
        "[final]\ncommand = ['x']\ntrains_final = 'yes'\n"
    )
    with pytest.raises(ImproperlyConfigured) as refused:
        read_objectives_file(str(path))
    message = str(refused.value)
    assert message.startswith(f"GAWEB_OBJECTIVES_FILE {path}:")
    for problem in (
        '[both]: give one of code = "module:attribute" or command = [...], not both',
        "[neither]: give one of",
        "[keras]: keras is gaweb's own objective; give yours another name",
        "[Bad Name]: a name is lower-case letters",
        "[bad]: command must be a list of strings",
        "[odd]: timeout_seconds must be a number above 0",
        "[odd]: metric must be a name such as val_accuracy",
        "[odd]: unknown key 'colour'",
        "[odd]: direction must be maximize or minimize",
        "[coded]: description, trains_final: a command's settings; code says them as attributes",
        "[final]: trains_final must be true or false",
    ):
        assert problem in message


@pytest.mark.parametrize(("text", "reason"), [(None, "cannot be read"), ("[x\n", "not valid TOML")])
def test_a_file_that_cannot_be_read_says_so(tmp_path, text, reason):
    path = tmp_path / "objectives.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ImproperlyConfigured, match=reason):
        read_objectives_file(str(path))
