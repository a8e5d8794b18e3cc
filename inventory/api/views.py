from drf_spectacular.utils import OpenApiParameter, extend_schema

from core.api.permissions import LocationPermitted, Perm
from core.api.query import ListPageQuery
from core.api.rows import RowShape
from core.api.schema import list_responses, object_envelope, object_responses, page_envelope
from core.api.views import IntegrationViewSet
from inventory import selectors, services
from inventory.api import filters
from inventory.api import serializers as s
from inventory.models import Product

PRODUCT_SHAPE = RowShape(s.ProductRow)
ProductResponse = object_envelope("ProductResponse", s.ProductRow)
ProductCreatedResponse = object_envelope("ProductCreatedResponse", s.ProductRow, message=True)


@extend_schema(tags=["Products"])
class ProductViewSet(IntegrationViewSet):
    queryset = Product.objects.none()
    export_stem = "products"
    rules = {
        "list": [Perm("product.view"), LocationPermitted()],
        "retrieve": Perm("product.view"),
        "create": Perm("product.create"),
    }
    filterset_classes = {"list": filters.ProductFilter}

    def get_queryset(self):
        return Product.objects.for_business(self.business)

    #: The validated `location_id` stock filter, when the query has one.
    stock_location_id = None

    def row_context(self):
        return {**super().row_context(), "location_id": self.stock_location_id}

    @extend_schema(
        summary="List products",
        description="Products with their variations and stock per location, ordered by id. `q` matches the name, "
        "sku, any variation's sub_sku, or the numeric id. Stock rows are limited to the user's permitted locations.",
        parameters=[ListPageQuery],
        responses=list_responses(page_envelope("ProductListResponse", s.ProductRow), 403, 422),
    )
    def list(self, request):
        products, query = self.filtered_list(selectors.product_list(business=self.business))
        self.stock_location_id = query["location_id"]
        return self.page_response(products, PRODUCT_SHAPE, query)

    @extend_schema(
        summary="Get product",
        description="`location_id` keeps only that location's stock rows.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH), filters.ProductDetailQuery],
        responses=object_responses(ProductResponse, 403, 404, 422),
    )
    def retrieve(self, request, pk):
        product = self.get_object()
        query = self.validated_query(filters.ProductDetailQuery)
        self.stock_location_id = query.get("location_id")
        row = PRODUCT_SHAPE.one(Product.objects.filter(pk=product.pk), self.row_context())
        return self.object_response(row, query, stem=f"product-{product.pk}")

    @extend_schema(
        summary="Add product",
        description="A single product gets one variation (named DUMMY internally, shown with the product's name) "
        "whose sub_sku is the product's sku; a variable product one per `variations` entry.",
        request=s.ProductWrite,
        responses=object_responses(ProductCreatedResponse, 403, 422, csv=False, status=201),
    )
    def create(self, request):
        data = self.validated_body(s.ProductWrite)
        product = services.product_create(business=self.business, user=request.user, data=data)
        row = PRODUCT_SHAPE.one(Product.objects.filter(pk=product.pk), self.row_context())
        return self.object_response(row, message="Product added successfully", status=201)
