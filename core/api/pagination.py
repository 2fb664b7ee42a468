from django.conf import settings
from rest_framework.pagination import PageNumberPagination

from core.api.contract import positive_int

# Pages past the last are a 404 (DRF); numbers beyond this one are not page numbers at all.
MAX_PAGE_NUMBER = 10**9 - 1


class BoundedPageNumberPagination(PageNumberPagination):
    """Page-number pagination; callers choose ``page_size`` up to ``API_MAX_PAGE_SIZE``.

    A ``page_size`` above the maximum is lowered to it; one that is not a positive integer is
    a 400 (rather than a silent fallback to the default, which hides client bugs).
    """

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings:
            # Bounded before conversion: a thousand-digit page is a 400, not a ValueError.
            positive_int(raw, name=self.page_query_param, maximum=MAX_PAGE_NUMBER)
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Any positive integer is taken (a larger one is lowered to the maximum), but its
        # length is bounded before int() reads it.
        value = positive_int(raw, name=self.page_size_query_param, maximum=MAX_PAGE_NUMBER)
        return min(value, self.max_page_size)
