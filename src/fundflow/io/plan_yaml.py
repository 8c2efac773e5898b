"""Load allocation plans from YAML (format: docs/plan-format.md).

Every problem found is collected with its file, line and column and raised together as one PlanError, so a
user fixes a plan in one pass. Numbers are read from their source text as Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from fundflow.core.apportion import Apportion
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.money import Rounding, RoundingMode, Unit
from fundflow.core.plan import (
    Adjustment,
    Component,
    Factor,
    FactorMethod,
    FixedMethod,
    Method,
    MethodSpec,
    Plan,
    Recipient,
    SettlementMethod,
    ShareComponent,
    StandardComponent,
    StandardShareMethod,
)
from fundflow.io.numbers import parse_decimal, parse_weight
from fundflow.io.recipients_file import RESERVED, read_recipients_file
from fundflow.io.yamlnodes import Y, compose

TOP_KEYS = {
    "title",
    "fund",
    "year",
    "unit",
    "total",
    "method",
    "rounding",
    "apportion",
    "factors",
    "components",
    "advance_document",
    "standard_yuan",
    "settlement",
    "part",
    "recipients",
    "recipients_file",
    "adjustments",
    "groups",
    "labels",
    "total_label",
    "document",
}
# What a plan names besides its parameters: its rows and the file they are in. The web stores rows in the
# database, so parameters entered there must never carry these (a file path would be read on the server).
ROW_KEYS = ("recipients", "recipients_file", "adjustments")
PARAMETER_KEYS = TOP_KEYS - set(ROW_KEYS)


class _Reader:
    def __init__(self, file: str, base_dir: Path, *, parameters_only: bool = False) -> None:
        self.file = file
        self.base_dir = base_dir
        self.parameters_only = parameters_only
        self.problems: list[Problem] = []

    def fail(self, rule: str, message: str, where: Y | Location | None) -> None:
        loc = where.location if isinstance(where, Y) else where
        self.problems.append(Problem(rule, message, loc))

    def text(self, node: Y, what: str) -> str:
        if not node.is_scalar:
            self.fail("yaml.type", f"“{what}”应为文字", node)
            return ""
        return node.text().strip()

    def number(self, node: Y, what: str) -> Decimal | None:
        if not node.is_scalar:
            self.fail("yaml.type", f"“{what}”应为数字", node)
            return None
        try:
            return parse_decimal(node.text())
        except ValueError:
            self.fail("yaml.number", f"“{what}”应为数字，实为“{node.text()}”", node)
            return None

    def integer(self, node: Y, what: str) -> int | None:
        value = self.number(node, what)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.fail("yaml.integer", f"“{what}”应为整数", node)
            return None
        return int(value)

    def items(self, node: Y, what: str) -> list[Y]:
        if not node.is_sequence:
            self.fail("yaml.type", f"“{what}”应为列表", node)
            return []
        return list(node.elements())

    def mapping(self, node: Y, what: str) -> dict[str, tuple[Y, Y]]:
        if not node.is_mapping:
            self.fail("yaml.type", f"“{what}”应为键值映射", node)
            return {}
        return node.mapping()


def load_plan(path: str | Path) -> Plan:
    """Read a plan file. Raises PlanError (with locations) for any problem, including a missing file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError.single("file.missing", "找不到计划文件", Location(str(path))) from None
    except UnicodeDecodeError:
        raise PlanError.single("file.encoding", "计划文件不是 UTF-8 编码", Location(str(path))) from None
    return parse_plan(text, str(path), path.parent)


def parse_plan(text: str, file: str = "<plan>", base_dir: Path | None = None, *, parameters_only: bool = False) -> Plan:
    """Parse a plan file's text; ``recipients_file`` is read from ``base_dir`` (and never from outside it).

    ``parameters_only`` parses the parameters alone (the web): ``recipients``, ``recipients_file`` and
    ``adjustments`` are refused as ``plan.forbidden-key`` however they are spelled, and no file is ever read.
    """
    try:
        root = compose(text, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        raise PlanError.single("yaml.syntax", f"YAML 格式错误：{exc.problem}", loc) from None
    except yaml.YAMLError as exc:  # e.g. control characters, caught by the reader before any mark exists
        raise PlanError.single("yaml.syntax", f"YAML 格式错误：{exc}", Location(file)) from None
    if root is None or not root.is_mapping:
        raise PlanError.single("yaml.root", "计划文件应为键值映射（title、method、recipients 等）", Location(file))
    if (odd := _complex_key(root)) is not None:
        raise PlanError.single("yaml.key", "键应为文字（不能是列表或映射）", odd.location)
    reader = _Reader(file, base_dir or Path("."), parameters_only=parameters_only)
    plan = _plan(reader, root)
    if reader.problems or plan is None:
        raise PlanError(reader.problems)
    return plan


def _complex_key(root: Y) -> Y | None:
    """The first mapping key anywhere that is not a scalar (``? [a, b]``), which no part of a plan accepts.

    Aliases may share (or even contain) nodes, so each node is visited once.
    """
    seen: set[int] = set()
    todo = [root.node]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    return Y(key, root.file)
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return None


def _plan(rd: _Reader, root: Y) -> Plan | None:
    keys = root.mapping()
    allowed = PARAMETER_KEYS if rd.parameters_only else TOP_KEYS
    for name, (knode, _) in keys.items():
        if rd.parameters_only and name in ROW_KEYS:
            hint = "分配对象请通过 Excel 模板上传或在页面中编辑"
            rd.fail("plan.forbidden-key", f"分配参数中不应包含“{name}”：{hint}", knode)
        elif name not in allowed:
            rd.fail("plan.unknown-key", f"未知的键“{name}”（可用：{'、'.join(sorted(allowed))}）", knode)

    def get(name: str) -> Y | None:
        return keys[name][1] if name in keys else None

    locations = {name: v.location for name, (_, v) in keys.items()}
    title = rd.text(n, "title") if (n := get("title")) else ""
    if not title:
        rd.fail("plan.title-missing", "缺少标题（title）", get("title") or root)
    method_name = rd.text(n, "method") if (n := get("method")) else ""
    method_kind: Method | None
    try:
        method_kind = Method(method_name)
    except ValueError:
        # Keep going: every other problem of the plan is reported together with this one.
        rd.fail(
            "plan.method",
            f"分配方法“{method_name}”无效，可选：factor、standard_share、settlement、fixed",
            get("method") or root,
        )
        method_kind = None
    unit = Unit.WAN
    if (n := get("unit")) is not None:
        try:
            unit = Unit.parse(rd.text(n, "unit"))
        except ValueError as exc:
            rd.fail("plan.unit", str(exc), n)
    total = rd.number(n, "total") if (n := get("total")) is not None else None
    rounding = _rounding(rd, get("rounding"))
    apportion = Apportion.PER_LINE
    if (n := get("apportion")) is not None:
        try:
            apportion = Apportion.parse(rd.text(n, "apportion"))
        except ValueError as exc:
            rd.fail("plan.apportion", str(exc), n)
    year = rd.integer(n, "year") if (n := get("year")) is not None else None
    labels = (
        {k: rd.text(v, f"labels.{k}") for k, (_, v) in rd.mapping(n, "labels").items()}
        if (n := get("labels")) is not None
        else {}
    )
    groups = tuple(rd.text(g, "groups") for g in rd.items(n, "groups")) if (n := get("groups")) is not None else ()

    method = _method(rd, method_kind, get, root) if method_kind is not None else None
    if rd.parameters_only:  # refused above; never read, least of all a file
        recipients: tuple[Recipient, ...] = ()
        adjustments: tuple[Adjustment | None, ...] = ()
    else:
        recipients = _recipients(rd, get("recipients"), get("recipients_file"), root)
        adjustments = (
            tuple(_adjustment(rd, a) for a in rd.items(n, "adjustments"))
            if (n := get("adjustments")) is not None
            else ()
        )
    fund = rd.text(n, "fund") if (n := get("fund")) is not None else ""
    total_label = rd.text(n, "total_label") if (n := get("total_label")) is not None else "合计"
    if method is None:
        return None
    return Plan(
        title=title,
        method=method,
        recipients=recipients,
        unit=unit,
        total=total,
        rounding=rounding,
        apportion=apportion,
        fund=fund,
        year=year,
        groups=groups,
        labels=labels,
        adjustments=tuple(a for a in adjustments if a is not None),
        total_label=total_label,
        source=rd.file,
        location=locations,
    )


def _rounding(rd: _Reader, node: Y | None) -> Rounding:
    if node is None:
        return Rounding()
    keys = rd.mapping(node, "rounding")
    places = 0
    mode = RoundingMode.HALF_UP
    if "places" in keys:
        value = rd.integer(keys["places"][1], "rounding.places")
        if value is not None:
            if 0 <= value <= 6:
                places = value
            else:
                rd.fail("plan.places", "保留小数位数（rounding.places）应在 0 到 6 之间", keys["places"][1])
    if "mode" in keys:
        try:
            mode = RoundingMode.parse(rd.text(keys["mode"][1], "rounding.mode"))
        except ValueError as exc:
            rd.fail("plan.rounding-mode", str(exc), keys["mode"][1])
    for name, (knode, _) in keys.items():
        if name not in ("places", "mode"):
            rd.fail("plan.unknown-key", f"rounding 中未知的键“{name}”（可用：places、mode）", knode)
    return Rounding(places, mode)


def _method(rd: _Reader, kind: Method, get: object, root: Y) -> MethodSpec | None:
    assert callable(get)
    if kind is Method.FACTOR:
        node = get("factors")
        if node is None:
            rd.fail("factor.none", "因素法需要 factors 列表", root)
            return None
        return FactorMethod(tuple(f for f in (_factor(rd, x) for x in rd.items(node, "factors")) if f))
    if kind is Method.STANDARD_SHARE:
        node = get("components")
        if node is None:
            rd.fail("share.none", "定额标准加比例分配需要 components 列表", root)
            return None
        return StandardShareMethod(tuple(c for c in (_component(rd, x) for x in rd.items(node, "components")) if c))
    if kind is Method.SETTLEMENT:
        return _settlement(rd, get, root)
    part = rd.text(n, "part") if (n := get("part")) is not None else "拨付资金"
    return FixedMethod(part=part or "拨付资金")


def _settlement(rd: _Reader, get: object, root: Y) -> SettlementMethod:
    assert callable(get)
    sub = rd.mapping(n, "settlement") if (n := get("settlement")) is not None else {}
    doc_node = sub["advance_document"][1] if "advance_document" in sub else get("advance_document")
    std_node = sub["standard_yuan"][1] if "standard_yuan" in sub else get("standard_yuan")
    document = rd.text(doc_node, "advance_document") if doc_node is not None else ""
    if not document:
        rd.fail("settlement.document", "结算须写明预拨文件文号（advance_document），扣回时据此注明", doc_node or root)
    standard = rd.number(std_node, "standard_yuan") if std_node is not None else None
    return SettlementMethod(advance_document=document, standard_yuan=standard)


def _factor(rd: _Reader, node: Y) -> Factor | None:
    keys = rd.mapping(node, "factors")
    allowed = {"name", "weight", "counts", "count", "count_label", "amount_label"}
    for name, (knode, _) in keys.items():
        if name not in allowed:
            rd.fail("plan.unknown-key", f"因素中未知的键“{name}”（可用：{'、'.join(sorted(allowed))}）", knode)
    name = rd.text(keys["name"][1], "name") if "name" in keys else ""
    if not name:
        rd.fail("factor.name", "因素缺少名称（name）", node)
    weight: Decimal | None = None
    if "weight" not in keys:
        rd.fail("factor.weight", f"因素“{name}”缺少权重（weight，如 0.50 或 50%）", node)
    else:
        wnode = keys["weight"][1]
        try:
            weight = parse_weight(rd.text(wnode, "weight"))
        except ValueError:
            rd.fail("factor.weight", f"因素“{name}”的权重“{wnode.text()}”无效，应写作 0.50 或 50%", wnode)
    counts: list[str] = []
    if "counts" in keys:
        cnode = keys["counts"][1]
        counts = [rd.text(c, "counts") for c in cnode.elements()] if cnode.is_sequence else [rd.text(cnode, "counts")]
    elif "count" in keys:
        counts = [rd.text(keys["count"][1], "count")]
    if weight is None or not name:
        return None
    return Factor(
        name=name,
        weight=weight,
        counts=tuple(counts),
        count_label=rd.text(keys["count_label"][1], "count_label") if "count_label" in keys else None,
        amount_label=rd.text(keys["amount_label"][1], "amount_label") if "amount_label" in keys else "补助资金",
        location=node.location,
    )


def _component(rd: _Reader, node: Y) -> Component | None:
    keys = rd.mapping(node, "components")
    allowed = {"name", "kind", "count", "standard_yuan", "pot_yuan", "share_percent", "base", "share_places"}
    for name, (knode, _) in keys.items():
        if name not in allowed:
            rd.fail("plan.unknown-key", f"组成部分中未知的键“{name}”（可用：{'、'.join(sorted(allowed))}）", knode)

    def txt(key: str) -> str | None:
        return rd.text(keys[key][1], key) if key in keys else None

    def num(key: str) -> Decimal | None:
        return rd.number(keys[key][1], key) if key in keys else None

    name = txt("name") or ""
    kind = txt("kind")
    if not name:
        rd.fail("share.name", "组成部分缺少名称（name）", node)
    if kind == "standard":
        count, standard = txt("count"), num("standard_yuan")
        if not count or standard is None:
            rd.fail("share.standard", f"“{name}”（standard）需要 count 与 standard_yuan", node)
            return None
        return StandardComponent(name, count, standard, node.location)
    if kind == "share":
        pot = num("pot_yuan")
        if pot is None:
            rd.fail("share.pot", f"“{name}”（share）需要资金池 pot_yuan（元）", node)
            return None
        base: Decimal | None = None
        if "base" in keys and txt("base") not in ("sum", "合计"):
            base = num("base")
        places = rd.integer(keys["share_places"][1], "share_places") if "share_places" in keys else 2
        return ShareComponent(name, pot, txt("share_percent"), txt("count"), base, places or 0, node.location)
    rd.fail(
        "share.kind", f"组成部分“{name}”的 kind 应为 standard 或 share", keys["kind"][1] if "kind" in keys else node
    )
    return None


def _recipients(rd: _Reader, inline: Y | None, file_node: Y | None, root: Y) -> tuple[Recipient, ...]:
    if inline is not None and file_node is not None:
        rd.fail("plan.recipients-twice", "recipients 与 recipients_file 只能二选一", file_node)
    if file_node is not None:
        path = _inside(rd, file_node)
        if path is None:
            return ()
        try:
            return read_recipients_file(path)
        except PlanError as exc:
            rd.problems.extend(exc.problems)
            return ()
    if inline is None:
        rd.fail("plan.no-recipients", "缺少分配对象（recipients 或 recipients_file）", root)
        return ()
    return tuple(r for r in (_recipient(rd, x) for x in rd.items(inline, "recipients")) if r is not None)


def _inside(rd: _Reader, node: Y) -> Path | None:
    """The recipients file named by ``node``, relative to the plan's folder — refused unless inside that folder.

    A plan is a document that travels; it may name its own data, never other files on the machine (``..``,
    absolute paths elsewhere, symbolic links leading out).
    """
    name = rd.text(node, "recipients_file")
    folder = rd.base_dir.resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        rd.fail(
            "plan.recipients-file-outside",
            f"recipients_file “{name}”不在计划文件所在文件夹内：只能引用计划文件所在文件夹（或其子文件夹）中的文件",
            node,
        )
        return None
    return path


def _recipient(rd: _Reader, node: Y) -> Recipient | None:
    keys = rd.mapping(node, "recipients")
    if not keys:
        return None
    values: dict[str, Decimal] = {}
    duplicates: dict[str, Decimal] = {}
    cells: dict[str, Location] = {}
    texts: dict[str, str] = {}
    for name, (_, vnode) in keys.items():
        cells[name] = vnode.location
        if name in RESERVED:
            texts[RESERVED[name]] = rd.text(vnode, name)
        elif name == "duplicates":
            for cat, (_, dnode) in rd.mapping(vnode, "duplicates").items():
                cells[f"duplicates.{cat}"] = dnode.location
                if (d := rd.number(dnode, f"duplicates.{cat}")) is not None:
                    duplicates[cat] = d
        elif (v := _cell_number(rd, vnode, name, texts.get("name", ""))) is not None:
            values[name] = v
    if not texts.get("name"):
        rd.fail("recipient.name-missing", "分配对象缺少名称（name）", node)
        return None
    return Recipient(
        name=texts["name"],
        group=texts.get("group") or None,
        values=values,
        duplicates=duplicates,
        note=texts.get("note", ""),
        location=node.location,
        cell_locations=cells,
    )


def _cell_number(rd: _Reader, node: Y, column: str, who: str) -> Decimal | None:
    if not node.is_scalar or node.text() == "":
        rd.fail("input.blank", f"“{who}”的“{column}”为空，应填写数字（无则填 0）", node)
        return None
    try:
        return parse_decimal(node.text())
    except ValueError:
        rd.fail("input.not-number", f"“{who}”的“{column}”应为数字，实为“{node.text()}”", node)
        return None


def _adjustment(rd: _Reader, node: Y) -> Adjustment | None:
    keys = rd.mapping(node, "adjustments")
    allowed = {"group", "recipient", "part", "delta", "reason"}
    for name, (knode, _) in keys.items():
        if name not in allowed:
            rd.fail("plan.unknown-key", f"尾差调整中未知的键“{name}”（可用：{'、'.join(sorted(allowed))}）", knode)
    missing = [k for k in ("recipient", "part", "delta", "reason") if k not in keys]
    if missing:
        rd.fail("adjustment.incomplete", f"尾差调整缺少：{'、'.join(missing)}", node)
        return None
    delta = rd.number(keys["delta"][1], "delta")
    if delta is None:
        return None
    return Adjustment(
        recipient=rd.text(keys["recipient"][1], "recipient"),
        part=rd.text(keys["part"][1], "part"),
        delta=delta,
        reason=rd.text(keys["reason"][1], "reason"),
        group=(rd.text(keys["group"][1], "group") or None) if "group" in keys else None,
        location=node.location,
    )
