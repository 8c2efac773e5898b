"""Plan parameters entered on the web never name a file, whatever the YAML spelling (issue 13, item 1).

Each test plants a CSV whose cell would show up in an error message if the server read it, and a second
path that does not exist: the answer for both must be the same refusal, naming the key, never the file.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.web.conftest import FACTOR_SPEC
from tests.web.test_pages import _form

pytestmark = pytest.mark.django_db

SECRET = "机密单元格"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text(f"name,列\n{SECRET},{SECRET}\n", encoding="utf-8")
    return path


def spellings(path):
    """Every way of writing a top-level key the web must refuse (key text, extra lines after it)."""
    return [
        ("recipients_file", f"recipients_file : {path}\n"),
        ("recipients_file", f'"recipients_file": {path}\n'),
        ("recipients_file", f"'recipients_file': {path}\n"),
        ("recipients_file", f"? recipients_file\n: {path}\n"),
        ("recipients_file", f"!!str recipients_file: {path}\n"),
        ("recipients_file", f"recipients_file:\t{path}\n"),
        ("recipients", "recipients : [{name: 额敏县, 低保对象人数: 1}]\n"),
        ("recipients", '"recipients": []\n'),
        ("adjustments", "adjustments : [{recipient: 额敏县, part: 补助资金, delta: 1, reason: x}]\n"),
    ]


def _no_file_read(monkeypatch):
    """Any attempt to read a recipients file during a web request fails the test outright."""
    import fundflow.io.plan_yaml as plan_yaml

    def refuse(path):
        raise AssertionError(f"the web read a file: {path}")

    monkeypatch.setattr(plan_yaml, "read_recipients_file", refuse)


def _refused(text, key):
    assert SECRET not in text
    assert "找不到" not in text  # no hint whether the path exists
    assert f"分配参数中不应包含“{key}”" in text


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users["tacheng"])
    return client


@pytest.mark.parametrize("index", range(9))
def test_web_page_refuses_file_and_row_keys_in_any_spelling(tacheng, secret, tmp_path, index):
    from fundflow.allocations.models import AllocationPlan

    for path in (secret, tmp_path / "nowhere.csv"):
        key, line = spellings(path)[index]
        response = tacheng.post("/allocations/new/", _form(params=_form()["params"] + line))
        assert response.status_code == 200
        _refused(response.content.decode(), key)
    assert not AllocationPlan.objects.filter(title="2025年测试资金分配表").exists()


@pytest.mark.parametrize("index", range(9))
def test_api_create_refuses_file_and_row_keys_in_any_spelling(api, secret, tmp_path, index):
    from fundflow.allocations.models import AllocationPlan

    for path in (secret, tmp_path / "nowhere.csv"):
        key, line = spellings(path)[index]
        response = api.post("/api/plans/", {"spec_yaml": FACTOR_SPEC + line}, format="json")
        assert response.status_code == 400
        _refused(response.content.decode(), key)
        assert any(p["rule"] == "plan.forbidden-key" for p in response.json()["problems"])
    assert not AllocationPlan.objects.filter(title="测试因素法分配表").exists()


@pytest.mark.parametrize("index", range(9))
def test_api_spec_update_refuses_file_and_row_keys_in_any_spelling(api, plans, secret, tmp_path, index):
    plan = plans["tacheng"]
    for path in (secret, tmp_path / "nowhere.csv"):
        key, line = spellings(path)[index]
        response = api.post(
            f"/api/plans/{plan.pk}/spec/", {"spec_yaml": FACTOR_SPEC + line, "version": plan.version}, format="json"
        )
        assert response.status_code == 400
        _refused(response.content.decode(), key)
    before = plan.spec_yaml
    plan.refresh_from_db()
    assert plan.spec_yaml == before


def test_flow_mapping_merge_key_and_alias_spellings_are_refused_without_touching_files(api, secret, monkeypatch):
    """Whole-document flow mappings, merge keys and aliased keys are all the parser's keys, not lines of text."""
    _no_file_read(monkeypatch)
    flow = (
        f"{{title: t, unit: 万元, method: fixed, rounding: {{places: 2, mode: half_up}}, recipients_file: {secret}}}\n"
    )
    merged = FACTOR_SPEC + f"<<: {{recipients_file: {secret}}}\n"
    aliased = FACTOR_SPEC.replace("fund: 测试资金", "fund: &k recipients_file") + f"*k : {secret}\n"
    for text in (flow, merged, aliased):
        response = api.post("/api/plans/", {"spec_yaml": text}, format="json")
        assert response.status_code == 400, text
        body = response.content.decode()
        assert SECRET not in body
        assert "找不到" not in body
    assert "plan.forbidden-key" in api.post("/api/plans/", {"spec_yaml": flow}, format="json").content.decode()


def test_the_web_parser_never_touches_the_filesystem(secret, monkeypatch):
    from fundflow.allocations.services import ServiceError, parse_spec

    _no_file_read(monkeypatch)
    with pytest.raises(ServiceError) as err:
        parse_spec(FACTOR_SPEC + f"recipients_file : {secret}\n")
    assert [p.rule for p in err.value.problems] == ["plan.forbidden-key"]
    assert err.value.problems[0].location.row == FACTOR_SPEC.count("\n") + 1


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "title: t\n? {x: 1}\n: 2\n", "title: \x07\n"])
def test_odd_yaml_is_a_chinese_refusal_not_a_server_error(api, text):
    response = api.post("/api/plans/", {"spec_yaml": text}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["rule"].startswith("yaml.")


@pytest.mark.parametrize("line", ["title : 另一个标题\n", '"title": 另一个标题\n', "? total\n: 999\n"])
def test_common_keys_in_the_parameter_text_are_refused_in_any_spelling(tacheng, line):
    from fundflow.allocations.models import AllocationPlan

    page = tacheng.post("/allocations/new/", _form(params=line + _form()["params"])).content.decode()
    assert "请在上方表单中填写" in page
    assert not AllocationPlan.objects.exists()


def test_a_flow_mapping_stored_through_the_api_edits_cleanly(tacheng, api):
    from fundflow.allocations.services import parse_spec
    from fundflow.allocations.spec_form import join_spec, split_spec

    flow = (
        "{title: 流式方案, fund: 测试资金, year: 2025, unit: 万元, total: 48.5, method: fixed,"
        " rounding: {places: 2, mode: half_up}, apportion: per_line, part: 拨付资金, labels: {amount: 金额}}\n"
    )
    created = api.post("/api/plans/", {"spec_yaml": flow}, format="json")
    assert created.status_code == 201
    common, params = split_spec(created.json()["spec_yaml"])
    assert params == "part: 拨付资金\nlabels: {amount: 金额}\n"
    rebuilt, _ = join_spec(common, params)
    assert parse_spec(rebuilt).labels == {"amount": "金额"}
    assert tacheng.get(f"/allocations/{created.json()['id']}/edit/").status_code == 200
