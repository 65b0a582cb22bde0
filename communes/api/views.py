from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from accounts.scope import communes_visible_to, districts_visible_to, get_commune_for_read
from communes import selectors
from communes.models import Province, Recognition

from .serializers import (
    CommuneDetailSerializer,
    CommuneFilterInput,
    CommuneSerializer,
    DistrictSerializer,
    ProvinceSerializer,
    UnitDayQuery,
)


class ProvinceList(generics.ListAPIView):
    serializer_class = ProvinceSerializer

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Province.objects.none()
        return Province.objects.order_by("code")


class DistrictList(generics.ListAPIView):
    serializer_class = DistrictSerializer

    @extend_schema(parameters=[
        OpenApiParameter("province", str),
        OpenApiParameter("on", OpenApiTypes.DATE, description="only the district-level units valid that day "
                         "(none on a two-level map); without it, every district ever recorded"),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        from criteria.frame import valid_on

        qs = districts_visible_to(self.request.user).select_related("province").order_by("code")
        province = self.request.query_params.get("province")
        if province:
            qs = qs.filter(province__code=province)
        if "on" in self.request.query_params:
            qs = qs.filter(valid_on(_day(self.request)))
        return qs


def _day(request):
    """The ``on`` query parameter (a 400 when malformed), default today: the day whose map is read."""
    params = UnitDayQuery(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("on") or timezone.localdate()


class CommuneList(generics.ListAPIView):
    """The units of the map valid on ``on`` (default today), with their validity and lineage."""

    serializer_class = CommuneSerializer

    @extend_schema(parameters=[OpenApiParameter(name, str) for name in ("district", "province", "level", "kind", "search")]
                   + [OpenApiParameter("on", OpenApiTypes.DATE, description="YYYY-MM-DD; default today")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = CommuneFilterInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        qs = selectors.commune_list(
            user=self.request.user, kind=filters.get("kind"), level=filters.get("level"), search=filters.get("search"),
            on=_day(self.request),
        ).prefetch_related(*selectors.lineage_prefetch())
        if filters.get("district"):
            qs = qs.filter(district__code=filters["district"])
        if filters.get("province"):
            qs = qs.filter(province__code=filters["province"])
        return qs


class CommuneDetail(generics.RetrieveAPIView):
    """The unit with this code valid on ``on`` (default today): codes are reused, so the day decides."""

    serializer_class = CommuneDetailSerializer

    @extend_schema(parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="YYYY-MM-DD; default today")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        commune = get_commune_for_read(self.request.user, self.kwargs["code"], _day(self.request))
        return (
            communes_visible_to(self.request.user)
            .select_related("district", "province")
            .prefetch_related(
                Prefetch("recognitions", queryset=Recognition.objects.order_by("-decision_date", "-id")),
                *selectors.lineage_prefetch(),
            )
            .get(pk=commune.pk)
        )
