from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """Page-number pagination; callers choose ``page_size`` up to ``API_MAX_PAGE_SIZE``.

    A ``page_size`` above the maximum is lowered to it; one that is not a positive integer is
    a 400 (rather than a silent fallback to the default, which hides client bugs).
    """

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (
            (raw.isascii() and raw.isdigit()) or raw in self.last_page_strings
        ):
            raise serializers.ValidationError(
                {self.page_query_param: [_("page doit être un entier positif (1, 2, …).")]}
            )
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # ASCII digits only: int() would also take " 5", "+5", "5_0" or Arabic-Indic digits.
        value = int(raw) if raw.isascii() and raw.isdigit() else 0
        if value < 1:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        _("page_size doit être un entier positif (au plus %(max)d).")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return min(value, self.max_page_size)
