"""fundflow.platform: the one error path, scoping, uploads and downloads every app shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from fundflow.core.errors import Location, Problem
from fundflow.platform.errors import ActionNotAllowed, ConflictError, ServiceError

SRC = Path(__file__).resolve().parents[2] / "src" / "fundflow"


@pytest.mark.urls("tests.web.platform_urls")
@pytest.mark.parametrize(
    ("kind", "status", "text"),
    [
        ("invalid", 400, "应为数字，实为“十”"),
        ("conflict", 409, "该账目已被他人修改"),
        ("forbidden", 403, "您没有权限修改该账目"),
    ],
)
def test_a_view_that_handles_nothing_still_answers_in_chinese(client, users, kind, status, text):
    client.force_login(users["tacheng"])
    response = client.get(f"/refuse/{kind}/")
    assert response.status_code == status
    assert text in response.content.decode()


@pytest.mark.urls("tests.web.platform_urls")
def test_the_refusal_page_lists_each_problem_at_its_place(client, users):
    client.force_login(users["tacheng"])
    page = client.get("/refuse/invalid/").content.decode()
    assert "有 1 处输入错误，未保存任何修改" in page
    assert "文件 测试.xlsx 第 3 行 “金额”列" in page
    assert "应为数字，实为“十”" in page


@pytest.mark.urls("tests.web.platform_urls")
def test_on_refusal_redraws_but_never_turns_a_permission_refusal_into_a_form_error(client, users):
    client.force_login(users["tacheng"])
    redrawn = client.get("/redraw/invalid/")
    assert (redrawn.status_code, redrawn.content.decode()) == (400, "redrawn: 有 1 处输入错误，未保存任何修改 / 1")
    forbidden = client.get("/redraw/forbidden/")
    assert forbidden.status_code == 403
    assert "您没有权限修改该账目" in forbidden.content.decode()


def test_api_refusals_have_one_shape():
    from fundflow.platform.handlers import api_exception_handler

    problem = Problem("input.not-number", "应为数字", Location("预算行", 2, "金额"))
    answers = {
        type(exc).__name__: api_exception_handler(exc, {})
        for exc in (ServiceError("有错误", [problem]), ConflictError("已被他人修改"), ActionNotAllowed("没有权限"))
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "ServiceError": 400,
        "ConflictError": 409,
        "ActionNotAllowed": 403,
    }
    assert answers["ServiceError"].data == {
        "detail": "有错误",
        "problems": [{"rule": "input.not-number", "message": "应为数字", "where": problem.location.describe()}],
    }
    assert answers["ActionNotAllowed"].data == {"detail": "没有权限", "problems": []}


def test_region_subtree_is_the_region_and_everything_below_it(reference):
    from fundflow.platform.scope import in_region_subtree
    from fundflow.regions.models import Region

    tacheng = Region.objects.get(code="654200")
    found = set(Region.objects.filter(in_region_subtree(tacheng, field="parent")).values_list("code", flat=True))
    below = {
        r.code
        for r in Region.objects.select_related("parent")
        if r.parent and (r.parent.path == tacheng.path or r.parent.path.startswith(tacheng.path + "/"))
    }
    assert found == below
    assert "654221" in found
    assert not found & set(Region.objects.filter(parent__code="654300").values_list("code", flat=True))


def test_access_object_answers_404_alike_for_missing_malformed_and_not_yours(reference):
    from django.http import Http404

    from fundflow.platform.scope import access_object
    from fundflow.regions.models import Region

    mine = Region.objects.filter(code="654221")
    other = Region.objects.get(code="654300")
    assert access_object(mine, str(mine.get().pk), "未找到").code == "654221"
    for pk in (other.pk, 10**9, "1; drop table", None):
        with pytest.raises(Http404, match="未找到该地区"):
            access_object(mine, pk, "未找到该地区")


def test_an_upload_over_the_limit_is_refused_before_it_is_read(settings):
    from fundflow.platform.uploads import read_upload

    settings.FUNDFLOW_UPLOAD_MAX_BYTES = 1024

    class Upload:
        name = "大文件.xlsx"
        size = 2 * 1024 * 1024

        def read(self):
            raise AssertionError("read before the size check")

    with pytest.raises(ServiceError, match=r"文件 大文件.xlsx 大小为 2 MB，超过上传上限"):
        read_upload(Upload())

    class Small(Upload):
        size = 3

        def read(self):
            return b"abc"

    assert read_upload(Small()) == ("大文件.xlsx", b"abc")


def test_download_names_the_file_in_chinese_and_safely():
    from fundflow.platform.downloads import download

    response = download(b"data", "塔城/2025年\n分配表.xlsx")
    assert response.content == b"data"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''"
        "%E5%A1%94%E5%9F%8E_2025%E5%B9%B4_%E5%88%86%E9%85%8D%E8%A1%A8.xlsx"
    )


def test_no_app_writes_its_own_error_translation_or_imports_another_apps_errors():
    """The web layer raises and lets platform answer: no view or API catches a service refusal by hand."""
    for path in [*SRC.glob("*/views.py"), *SRC.glob("*/api.py")]:
        text = path.read_text(encoding="utf-8")
        assert "except ServiceError" not in text, path
        assert "except services." not in text, path
        assert "PermissionDenied)" not in text.replace("DjangoPermissionDenied", ""), path
    for path in (SRC / "disclosure").rglob("*.py"):
        assert "fundflow.allocations" not in path.read_text(encoding="utf-8"), path
