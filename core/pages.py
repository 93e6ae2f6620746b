"""Page-number pagination for the HTML list pages: no list page renders every row."""

from django.core.paginator import Page, Paginator


def page_of(request, object_list, per_page: int, param: str = "page") -> tuple[Page, str]:
    """(the page asked for by ?<param>=N — the last one if N is too big, the first if not a number —,
    the rest of the query string, for the pager's links)."""
    page = Paginator(object_list, per_page).get_page(request.GET.get(param))
    rest = request.GET.copy()
    rest.pop(param, None)
    return page, rest.urlencode()
