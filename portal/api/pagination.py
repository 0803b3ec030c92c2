from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Cursor pages: no COUNT(*) over large tables, stable under inserts. A `page_size` or `cursor` that is
    not what we hand out is a 400 that says so, never silently the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return min(int(raw), self.max_page_size)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._bad_cursor() from None
        # Positions are ids (the ordering is by id): anything else was not handed out by us.
        if cursor is not None and cursor.position is not None and not cursor.position.isdigit():
            raise self._bad_cursor()
        return cursor

    def _bad_cursor(self) -> serializers.ValidationError:
        return serializers.ValidationError(
            {self.cursor_query_param: ["Not a cursor from this list: follow the `next` link as given."]}
        )
