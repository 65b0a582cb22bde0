"""OCOP API (API.md): groups, producers, products, ratings, summary. Parse, fetch through scope, call, present."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import (
    ensure_can_create_ocop_records,
    get_product_for_rating,
    get_product_for_read,
    products_visible_to,
)
from communes.api.serializers import AsOfQuery
from communes.periods import parse_day
from ocop import rules, selectors, services
from ocop.models import Rating

from .serializers import (
    GroupSerializer,
    ProducerInput,
    ProducerSerializer,
    ProductDetailSerializer,
    ProductFilterInput,
    ProductInput,
    ProductSerializer,
    RatingInput,
    RatingSerializer,
)


class GroupList(generics.ListAPIView):
    """The product groups, nhóm and phân nhóm of the rating regime in force (QĐ 148 since 24/02/2023)."""

    serializer_class = GroupSerializer

    def get_queryset(self):
        return selectors.groups_in_force(on=rules.programme_today())


class ProducerListCreate(generics.ListCreateAPIView):
    serializer_class = ProducerSerializer

    @extend_schema(parameters=[OpenApiParameter("district", str), OpenApiParameter("kind", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.producer_list(
            user=self.request.user, district=params.get("district") or None, kind=params.get("kind") or None,
            search=params.get("search") or None,
        )

    @extend_schema(request=ProducerInput, responses={201: ProducerSerializer})
    def post(self, request, *args, **kwargs):
        ensure_can_create_ocop_records(request.user)
        data = ProducerInput(data=request.data)
        data.is_valid(raise_exception=True)
        producer = services.producer_create(by=request.user, **data.validated_data)
        return Response(ProducerSerializer(producer).data, status=status.HTTP_201_CREATED)


class ProductListCreate(generics.ListCreateAPIView):
    serializer_class = ProductSerializer

    @extend_schema(parameters=[ProductFilterInput])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["as_of"] = self._on.isoformat()
        return response

    def get_queryset(self):
        params = ProductFilterInput(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        today = rules.programme_today()
        self._on = parse_day(filters.pop("on", None), today=today) or today
        return selectors.product_registry(user=self.request.user, on=self._on, **filters)

    @extend_schema(request=ProductInput, responses={201: ProductSerializer})
    def post(self, request, *args, **kwargs):
        ensure_can_create_ocop_records(request.user)
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["is_district_flagship"] = fields.pop("flagship")
        product = services.product_create(by=request.user, **fields)
        product = get_product_for_read(request.user, product.pk)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetail(generics.RetrieveAPIView):
    """A product with its rating history (newest decision first, revoked ones included)."""

    serializer_class = ProductDetailSerializer

    def get_object(self):
        product = get_product_for_read(self.request.user, self.kwargs["pk"])
        return (
            products_visible_to(self.request.user)
            .for_listing()
            .prefetch_related(
                Prefetch("ratings", queryset=Rating.objects.select_related("created_by").latest_first())
            )
            .get(pk=product.pk)
        )


class ProductRatingListCreate(generics.ListCreateAPIView):
    """GET: a product's rating history. POST: record a council decision (province staff)."""

    serializer_class = RatingSerializer

    def get_queryset(self):
        product = get_product_for_read(self.request.user, self.kwargs["pk"])
        return selectors.product_ratings(product=product)

    @extend_schema(request=RatingInput, responses={201: RatingSerializer})
    def post(self, request, *args, **kwargs):
        product = get_product_for_rating(request.user, self.kwargs["pk"])
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_record(product=product, by=request.user, **data.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class Summary(APIView):
    """OCOP figures on a day (default today): certified products by stars and district, expiring
    certificates, flagships; ``as_of`` says the day."""

    @extend_schema(
        parameters=[
            OpenApiParameter("district", str),
            OpenApiParameter("on", OpenApiTypes.DATE, description="the day counted (default today)"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        on = AsOfQuery(data=request.query_params).day(today=rules.programme_today())
        summary = selectors.ocop_summary(on=on, district=request.query_params.get("district") or None)
        return Response(summary.as_api_dict())
