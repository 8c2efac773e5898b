"""JSON API of documents and indicators over the same selectors, rules and services as the pages.

Amounts are decimal strings in 元. Service refusals are not caught here: fundflow.platform.handlers answers them
(400/403/409 with ``{"detail", "problems"}``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fundflow.allocations.api import PlanSerializer
from fundflow.allocations.selectors import access_plan
from fundflow.ledger import services
from fundflow.ledger.models import Document, Indicator
from fundflow.ledger.selectors import access_document, access_indicator, documents_visible_to, indicators_visible_to
from fundflow.ledger.views_documents import filter_documents
from fundflow.text_fields import max_length, single_line


def _gate(request: Request, perm: str, obj: Any, message: str) -> None:
    """403 on a visible object the user may not act on (read-only roles, another region's object)."""
    if not request.user.has_perm(perm, obj):
        raise exceptions.PermissionDenied(message)


class Yuan(serializers.DecimalField):
    """Money in 元 as a decimal string with 2 places."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=18, decimal_places=2, coerce_to_string=True, **kwargs)


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    amount = Yuan(read_only=True, help_text="金额（元），扣回为负数")
    issuer = serializers.CharField(source="issuer.code", read_only=True, help_text="下达方区划代码（MOF_DIV_CODE）")
    rec_region = serializers.CharField(
        source="rec_region.code", read_only=True, default=None, help_text="接收地区区划代码（REC_DIV_CODE）"
    )
    rec_unit = serializers.CharField(source="rec_unit.name", read_only=True, default=None, help_text="接收预算单位")
    document = serializers.IntegerField(source="document_id", read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    received_by = serializers.CharField(source="received_by.username", read_only=True, default=None)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "bgt_id",
            "fiscal_year",
            "document",
            "cor_doc_no",
            "sup_doc_no",
            "parent",
            "ori_bgt_id",
            "issuer",
            "rec_region",
            "rec_unit",
            "fund",
            "project_name",
            "project_code",
            "amount",
            "kind",
            "income_code",
            "tp_func_code",
            "exp_func_code",
            "gov_eco_code",
            "dep_eco_code",
            "marker_code",
            "marker_name",
            "advance",
            "status",
            "received_at",
            "received_by",
            "received_income_code",
        ]
        read_only_fields = fields


class IndicatorDetailSerializer(IndicatorSerializer):
    figures = serializers.SerializerMethodField(
        help_text="余额（元）：amount, reductions, issued_children, paid, available"
    )

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    def get_figures(self, indicator: Indicator) -> dict[str, str]:
        f = services.figures_of(indicator)
        return {
            "amount": f"{f.amount:.2f}",
            "reductions": f"{f.reductions:.2f}",
            "issued_children": f"{f.issued_children:.2f}",
            "paid": f"{f.paid_net:.2f}",
            "available": f"{f.available:.2f}",
        }


class DocumentSerializer(serializers.ModelSerializer[Document]):
    issuer = serializers.CharField(source="issuer.code", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    basis = serializers.SlugRelatedField(many=True, read_only=True, slug_field="doc_no")
    amends = serializers.CharField(source="amends.doc_no", read_only=True, default=None)
    plan = serializers.IntegerField(source="plan_id", read_only=True, allow_null=True)
    lines = serializers.SerializerMethodField(help_text="本用户可查看的指标行（下级只见本地区的行）")
    total = serializers.SerializerMethodField(help_text="可查看指标行的合计（元）")

    class Meta:
        model = Document
        fields = [
            "id",
            "doc_no",
            "issuer",
            "issuer_name",
            "issuer_office",
            "title",
            "doc_date",
            "main_recipients",
            "basis",
            "basis_text",
            "cc",
            "attachments",
            "advance",
            "budget_year",
            "kind",
            "amends",
            "plan",
            "fiscal_year",
            "total",
            "lines",
        ]
        read_only_fields = fields

    def _lines(self, document: Document) -> list[Indicator]:
        user = self.context["request"].user
        return list(
            indicators_visible_to(user)
            .filter(document=document)
            .select_related("issuer", "rec_region", "rec_unit", "received_by")
            .order_by("id")
        )

    def get_lines(self, document: Document) -> list[dict[str, Any]]:
        return IndicatorSerializer(self._lines(document), many=True).data  # type: ignore[return-value]

    def get_total(self, document: Document) -> str:
        return f"{sum(i.amount for i in self._lines(document)):.2f}"


class DocumentListSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        fields = [f for f in DocumentSerializer.Meta.fields if f != "lines"]
        read_only_fields = fields


def _text(model: Any, field: str, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=max_length(model, field),
        validators=[single_line],
        **kwargs,
    )


class DocFieldsSerializer(serializers.Serializer[Any]):
    doc_no = _text(Document, "doc_no", help_text="完整文号，如 新财社〔2020〕34号；与 prefix 二选一")
    prefix = _text(Document, "prefix", help_text="文号前缀，按发文年度自动编号，如 塔地财社")
    title = _text(Document, "title")
    doc_date = serializers.DateField(required=False, allow_null=True, default=None)
    issuer_office = _text(Document, "issuer_office")
    main_recipients = serializers.CharField(required=False, allow_blank=True, default="")
    cc = serializers.CharField(required=False, allow_blank=True, default="")
    basis = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="依据：系统内文件的 id"
    )
    basis_text = serializers.CharField(required=False, allow_blank=True, default="", help_text="依据：系统外文件")
    attachments = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    def doc_fields(self, user: Any, **extra: Any) -> services.DocFields:
        data = dict(self.validated_data)
        basis = tuple(access_document(user, pk) for pk in data.pop("basis"))
        data["attachments"] = tuple(data["attachments"])
        return services.DocFields(basis=basis, **data, **extra)


class IssueSerializer(DocFieldsSerializer):
    plan = serializers.IntegerField(help_text="已审定的分配方案 id")
    advance = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="提前下达；省略时按年度判断"
    )
    budget_year = serializers.IntegerField(required=False, allow_null=True, default=None)
    project_name = _text(Indicator, "project_name")
    project_code = _text(Indicator, "project_code")
    income_code = _text(Indicator, "income_code")
    tp_func_code = _text(Indicator, "tp_func_code")
    exp_func_code = _text(Indicator, "exp_func_code")
    gov_eco_code = _text(Indicator, "gov_eco_code")
    dep_eco_code = _text(Indicator, "dep_eco_code")
    marker_code = _text(Indicator, "marker_code", help_text="直达资金标识代码，如 01")
    marker_name = _text(Indicator, "marker_name", help_text="直达资金标识名称，如 中央直达资金")

    ATTRS = (
        "project_name",
        "project_code",
        "income_code",
        "tp_func_code",
        "exp_func_code",
        "gov_eco_code",
        "dep_eco_code",
        "marker_code",
        "marker_name",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from fundflow.ledger.models import DirectFundMarker

        if (attrs["marker_code"] or attrs["marker_name"]) and not DirectFundMarker.objects.filter(
            code=attrs["marker_code"], name=attrs["marker_name"]
        ).exists():
            raise serializers.ValidationError({"marker_name": "直达资金标识不在参考数据中"})
        return attrs

    def split(self, user: Any) -> tuple[int, services.DocFields, services.IndicatorAttrs]:
        data = dict(self.validated_data)
        plan = data.pop("plan")
        attrs = services.IndicatorAttrs(**{k: data.pop(k) for k in self.ATTRS})
        advance, budget_year = data.pop("advance"), data.pop("budget_year")
        body = DocFieldsSerializer(data=self.initial_data)
        body.is_valid(raise_exception=True)
        return plan, body.doc_fields(user, advance=advance, budget_year=budget_year), attrs


class AmendLineSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField(help_text="被调整指标的 id（须属于该文件）")
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        coerce_to_string=True,
        help_text="金额（元，正数）；收回时省略则收回全部可用余额",
    )


class AmendSerializer(DocFieldsSerializer):
    kind = serializers.ChoiceField(
        choices=["add", "reduce", "recall"], help_text="add 追加 / reduce 调减 / recall 收回"
    )
    lines = AmendLineSerializer(many=True)


class ReceiveSerializer(serializers.Serializer[Any]):
    income_code = _text(Indicator, "income_code", help_text="记入的收入科目，省略时用指标的收入科目")


class ReallocateSerializer(serializers.Serializer[Any]):
    spec_yaml = serializers.CharField(help_text="分配参数（方案文件 YAML，不含分配对象）；fund 和 total 取自指标")
    document_number = _text(Document, "doc_no")


DOCUMENT_FILTERS = [
    OpenApiParameter("year", int, description="业务年度"),
    OpenApiParameter("region", str, description="地区（名称或区划代码）：发文地区或本用户可见指标行的接收地区"),
    OpenApiParameter("fund", str, description="资金名称（包含）"),
    OpenApiParameter("direct", str, enum=["1", "0"], description="是否直达资金"),
]


class DocumentViewSet(viewsets.GenericViewSet[Document]):
    """预算指标文件 (documents) with the indicator lines the user may see."""

    serializer_class = DocumentSerializer

    def get_queryset(self) -> Any:
        return documents_visible_to(self.request.user)

    @extend_schema(parameters=DOCUMENT_FILTERS, responses={200: DocumentListSerializer(many=True)})
    def list(self, request: Request) -> Response:
        docs, _ = filter_documents(request.user, request.query_params)
        return Response(DocumentListSerializer(docs, many=True, context={"request": request}).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        document = access_document(request.user, pk)
        return Response(DocumentSerializer(document, context={"request": request}).data)

    @extend_schema(request=IssueSerializer, responses={201: DocumentSerializer, 400: dict, 403: dict, 404: dict})
    def create(self, request: Request) -> Response:
        """下达: issue an approved plan as a document with one indicator per recipient line."""
        body = IssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan_id, doc, attrs = body.split(request.user)
        plan = access_plan(request.user, plan_id)
        _gate(request, "ledger.issue_from_plan", plan, "只有编制该方案地区的财政部门可以下达")
        document = services.issue_plan(user=request.user, plan=plan, doc=doc, attrs=attrs)
        data = DocumentSerializer(document, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AmendSerializer, responses={201: DocumentSerializer, 400: dict, 403: dict, 404: dict})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str) -> Response:
        """追加 / 调减 / 收回: a new document linked to this one."""
        document = access_document(request.user, pk)
        _gate(request, "ledger.amend_document", document, "只有发文地区的财政部门可以调整该文件")
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lines = [
            services.AmendLine(access_indicator(request.user, ln["indicator"]), ln["amount"])
            for ln in body.validated_data["lines"]
        ]
        new = services.amend(
            user=request.user,
            document=document,
            kind=body.validated_data["kind"],
            lines=lines,
            doc=body.doc_fields(request.user),
        )
        return Response(DocumentSerializer(new, context={"request": request}).data, status=status.HTTP_201_CREATED)


class IndicatorViewSet(viewsets.GenericViewSet[Indicator]):
    """指标 (indicators) the user sees; receive and re-allocate."""

    serializer_class = IndicatorDetailSerializer

    def get_queryset(self) -> Any:
        return indicators_visible_to(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["pending", "received"], description="状态"),
            OpenApiParameter("year", int, description="预算年度"),
            OpenApiParameter("fund", str, description="资金名称（包含）"),
        ],
        responses={200: IndicatorSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        inds = self.get_queryset().select_related("issuer", "rec_region", "rec_unit", "received_by")
        params = request.query_params
        if params.get("status") in ("pending", "received"):
            inds = inds.filter(status=params["status"])
        if str(params.get("year", "")).isdigit():
            inds = inds.filter(fiscal_year=int(params["year"]))
        if params.get("fund"):
            inds = inds.filter(fund__icontains=params["fund"])
        return Response(IndicatorSerializer(inds.order_by("id"), many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(IndicatorDetailSerializer(access_indicator(request.user, pk)).data)

    @extend_schema(request=ReceiveSerializer, responses={200: IndicatorDetailSerializer, 400: dict, 403: dict})
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str) -> Response:
        """确认接收 an indicator issued to the user's own region."""
        indicator = access_indicator(request.user, pk)
        _gate(request, "ledger.receive_gate", indicator, "只有接收地区的财政部门可以接收该指标")
        body = ReceiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        got = services.receive(user=request.user, indicator=indicator, income_code=body.validated_data["income_code"])
        return Response(IndicatorDetailSerializer(got).data)

    @extend_schema(request=ReallocateSerializer, responses={201: PlanSerializer, 400: dict, 403: dict})
    @action(detail=True, methods=["post"])
    def reallocate(self, request: Request, pk: str) -> Response:
        """再分配: a new allocation plan whose fund and total are taken from this received indicator."""
        indicator = access_indicator(request.user, pk)
        _gate(request, "ledger.reallocate_gate", indicator, "只有持有该指标地区的财政部门可以再分配")
        body = ReallocateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = services.plan_from_indicator(
            user=request.user,
            indicator=indicator,
            spec_yaml=body.validated_data["spec_yaml"],
            document_number=body.validated_data["document_number"],
        )
        return Response(PlanSerializer(plan, context={"request": request}).data, status=status.HTTP_201_CREATED)
