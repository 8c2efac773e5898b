"""JSON API over the same selectors and services as the pages (same scope, same permissions).

Service refusals are not caught here: fundflow.platform.handlers.api_exception_handler answers them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fundflow.allocations import services
from fundflow.allocations.history import history_entries
from fundflow.allocations.models import AllocationPlan
from fundflow.allocations.selectors import access_plan, adjustments_visible_to, plans_visible_to
from fundflow.allocations.visibility import own_lines, restrict_result
from fundflow.platform.uploads import read_upload
from fundflow.text_fields import max_length, single_line


class PlanSerializer(serializers.ModelSerializer[AllocationPlan]):
    region = serializers.CharField(source="region.name", read_only=True)
    total_yuan = serializers.SerializerMethodField(help_text="合计（元），存储单位；预算单位用户不可见")
    total = serializers.SerializerMethodField(help_text="合计，按方案的金额单位（unit_label），与分配表一致")

    class Meta:
        model = AllocationPlan
        fields = [
            "id",
            "region",
            "title",
            "fund",
            "year",
            "document_number",
            "method",
            "status",
            "version",
            "unit_label",
            "total",
            "total_yuan",
            "computed_at",
            "approved_at",
            "spec_yaml",
        ]
        read_only_fields = [
            "id",
            "region",
            "title",
            "fund",
            "year",
            "method",
            "status",
            "version",
            "unit_label",
            "total",
            "computed_at",
            "approved_at",
        ]

    def _own(self, plan: AllocationPlan) -> Any:
        request = self.context.get("request")
        return own_lines(request.user, plan) if request is not None else None

    def get_total(self, plan: AllocationPlan) -> str | None:
        """The plan's total in its unit; a recipient unit sees the total of its own lines only."""
        if not plan.result_json:
            return None
        own = self._own(plan)
        return plan.result_json.get("total") if own is None else restrict_result(plan.result_json, own)["total"]

    def to_representation(self, instance: AllocationPlan) -> dict[str, Any]:
        """A recipient unit gets no ``spec_yaml``: the parameters hold the total and the pots, from which the
        other recipients' shares follow."""
        data: dict[str, Any] = super().to_representation(instance)
        if self._own(instance) is not None:
            data["spec_yaml"] = None
        return data

    def get_total_yuan(self, plan: AllocationPlan) -> str | None:
        if plan.total is None or self._own(plan) is not None:
            return None
        return format(plan.total, "f")


def _document_number() -> serializers.CharField:
    """文号 as the model stores it: its column's length, one line."""
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=max_length(AllocationPlan, "document_number"),
        validators=[single_line],
    )


class PlanCreateSerializer(serializers.Serializer[Any]):
    spec_yaml = serializers.CharField()
    document_number = _document_number()


class SpecSerializer(PlanCreateSerializer):
    version = serializers.IntegerField()


class UploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    version = serializers.IntegerField()


class VersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()


class AdjustmentInSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="要修改或删除的尾差调整的 id；新增时省略"
    )
    recipient = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="分配对象名称；名称在多个分组中重复时写作“分组/名称”"
    )
    part = serializers.CharField(required=False, allow_blank=True, default="", help_text="因素或列名，如 贫困人口因素")
    delta = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='调整数（字符串），按方案的金额单位和保留小数位，正数增加、负数减少，如 "1"、"-1"',
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="理由（必填，最多 255 字）")
    delete = serializers.BooleanField(required=False, default=False, help_text="为 true 时删除 id 所指的调整")


class AdjustmentsSaveSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    adjustments = AdjustmentInSerializer(many=True, help_text="未列出的已有调整保持不变")


class AdjustmentOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    group = serializers.CharField()
    recipient = serializers.CharField()
    part = serializers.CharField()
    delta = serializers.CharField(help_text="调整数，按方案的金额单位（unit）和保留小数位")
    reason = serializers.CharField()


class AdjustmentsSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    unit = serializers.CharField(help_text="金额单位（万元或元）")
    changed = serializers.IntegerField(required=False, help_text="仅保存时：新增、修改、删除的调整数")
    adjustments = AdjustmentOutSerializer(many=True)


def _adjustments_body(user: Any, plan: AllocationPlan) -> dict[str, Any]:
    """The adjustments the user may read (a recipient unit: only those on its own lines)."""
    # Parameters saved before a rule refused them: each delta as stored.
    places = services.stored_places(plan.spec_yaml) or 0
    items = [
        {
            "id": a.pk,
            "group": a.group,
            "recipient": a.recipient,
            "part": a.part,
            "delta": services.delta_text(a.delta, places),
            "reason": a.reason,
        }
        for a in adjustments_visible_to(user, plan)
    ]
    return {"version": plan.version, "unit": plan.unit_label, "adjustments": items}


class PlanViewSet(viewsets.GenericViewSet[AllocationPlan]):
    serializer_class = PlanSerializer

    def get_queryset(self) -> Any:
        return plans_visible_to(self.request.user)

    def get_object(self) -> AllocationPlan:
        return access_plan(self.request.user, self.kwargs["pk"])

    def writable_object(self) -> AllocationPlan:
        """404 when not visible; 403 when visible but not changeable — before the body is even read."""
        plan = self.get_object()
        if not self.request.user.has_perm("allocations.change_plan", plan):
            raise exceptions.PermissionDenied("该分配方案已审定或不在您的修改权限范围内")
        return plan

    def list(self, request: Request) -> Response:
        return Response(PlanSerializer(self.get_queryset(), many=True, context={"request": request}).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PlanSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request: Request) -> Response:
        if not request.user.has_perm("allocations.add_plan"):
            raise exceptions.PermissionDenied("您没有权限进行此操作")
        body = PlanCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = services.plan_create(
            user=request.user,
            spec_yaml=body.validated_data["spec_yaml"],
            document_number=body.validated_data["document_number"],
        )
        return Response(PlanSerializer(plan, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str) -> Response:
        """The computed table in the shape of `fundflow allocate --format json`."""
        plan = self.get_object()
        if plan.result_json is None:
            return Response({"detail": "尚未计算"}, status=status.HTTP_404_NOT_FOUND)
        own = own_lines(request.user, plan)
        return Response(plan.result_json if own is None else restrict_result(plan.result_json, own))

    @extend_schema(request=VersionSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: str) -> Response:
        return self._versioned(request, services.plan_compute, lambda plan: plan.result_json)

    @extend_schema(request=VersionSerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._versioned(
            request, services.plan_approve, lambda plan: PlanSerializer(plan, context={"request": request}).data
        )

    @extend_schema(request=SpecSerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def spec(self, request: Request, pk: str) -> Response:
        """Replace the plan's parameters (plan-file YAML without recipients) — the result is cleared."""
        plan = self.writable_object()
        body = SpecSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fresh = services.plan_update_spec(
            user=request.user,
            plan=plan,
            spec_yaml=body.validated_data["spec_yaml"],
            document_number=body.validated_data["document_number"],
            version=body.validated_data["version"],
        )
        return Response(PlanSerializer(fresh, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={200: dict})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def upload(self, request: Request, pk: str) -> Response:
        """Recipients from an .xlsx or .csv (the plan's template): validated whole, written in one transaction."""
        plan = self.writable_object()
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        filename, content = read_upload(body.validated_data["file"])
        report = services.recipients_import(
            user=request.user, plan=plan, filename=filename, content=content, version=body.validated_data["version"]
        )
        plan.refresh_from_db()
        return Response({"rows": report.rows, "changed": report.changed, "version": plan.version})

    @extend_schema(methods=["GET"], responses={200: AdjustmentsSerializer})
    @extend_schema(
        methods=["POST"],
        request=AdjustmentsSaveSerializer,
        responses={200: AdjustmentsSerializer, 400: dict, 403: dict, 409: dict},
    )
    @action(detail=True, methods=["get", "post"])
    def adjustments(self, request: Request, pk: str) -> Response:
        """Manual tail adjustments (尾差调整). POST adds, edits (with ``id``) and deletes (``id`` and ``delete``)
        in one go, checked by the same rules as a plan file's ``adjustments`` (each group's deltas of one part sum
        to 0); on any problem nothing is saved (400 with the problems). A change clears the result: compute again.
        """
        if request.method == "GET":
            return Response(_adjustments_body(request.user, self.get_object()))
        plan = self.writable_object()
        body = AdjustmentsSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = [services.AdjustmentRow(**item) for item in body.validated_data["adjustments"]]
        changed = services.adjustments_save(
            user=request.user, plan=plan, rows=rows, version=body.validated_data["version"]
        )
        plan.refresh_from_db()
        return Response({**_adjustments_body(request.user, plan), "changed": changed})

    def _versioned(self, request: Request, service: Any, body_of: Any) -> Response:
        """Run a versioned write service (a refusal becomes 400/403/409 in fundflow.platform.handlers)."""
        plan = self.writable_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(user=request.user, plan=plan, version=body.validated_data["version"])
        plan.refresh_from_db()
        return Response(body_of(plan))

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        """Every recorded change of the plan: who, when, what kind, and the changed fields with old/new values."""
        plan = self.get_object()
        entries = history_entries(plan)
        own = own_lines(request.user, plan)
        if own is not None:
            names = {f"{group} {name}".strip() for group, name in own}
            entries = [e for e in entries if e["label"] in names]
        return Response(entries)
