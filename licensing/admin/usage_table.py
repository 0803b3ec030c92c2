"""The allotment dashboard's table: search, sort (pending demand included), pages and a CSV of what is shown.

Pure functions over the dashboard's rows (licensing.admin.policy_side builds them in a constant number of queries):
no ORM here. "Most used" counts what is committed and what pending applications ask for, so a country about to be
exhausted by open cases is not listed as idle."""

import csv
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpResponse

from agreements.admin.display import percent
from agreements.choices import Region

PER_PAGE = 50


def demand_share(row: dict) -> float:
    """Committed plus pending, as a share of capacity: how close the country is to running out."""
    return percent(row["committed_tpp"] + row["pending_tpp"], row["capacity_tpp"])


# Column → (heading, key). Every numeric column sorts by its exact TPP, not by its rounded H100e text.
COLUMNS = {
    "country": ("Country", lambda row: row["country"].name),
    "capacity": ("Capacity", lambda row: row["capacity_tpp"]),
    "committed": ("Committed", lambda row: row["committed_tpp"]),
    "pending": ("Pending", lambda row: row["pending_tpp"]),
    "remaining": ("Remaining", lambda row: row["remaining_tpp"]),
    "use": ("Use", demand_share),
}
DEFAULT_SORT = "-use"  # most used first, pending demand included


@dataclass(frozen=True)
class TableQuery:
    search: str = ""
    sort: str = DEFAULT_SORT
    page: str = "1"
    region: str = ""  # a UN M49 region (agreements.choices.Region); empty: every region

    @classmethod
    def from_params(cls, params) -> "TableQuery":
        sort = params.get("sort", DEFAULT_SORT)
        if sort.lstrip("-") not in COLUMNS:
            sort = DEFAULT_SORT
        region = params.get("region", "")
        region = region if region in Region.values else ""
        return cls(search=params.get("q", "").strip(), sort=sort, page=params.get("page", "1"), region=region)

    def kept(self) -> dict[str, str]:
        """The filters a link to another sort, page or chart keeps."""
        return {**({"q": self.search} if self.search else {}), **({"region": self.region} if self.region else {})}

    @property
    def column(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


def select(rows: list[dict], query: TableQuery) -> list[dict]:
    """The rows matching the search (country name, or its code exactly) and the region, in the chosen order; ties by
    name."""
    if query.region:
        rows = [r for r in rows if r["country"].region == query.region]
    needle = query.search.casefold()
    if needle:
        rows = [r for r in rows if needle in r["country"].name.casefold() or needle == r["country"].code.casefold()]
    rows = sorted(rows, key=lambda r: r["country"].name)
    return sorted(rows, key=COLUMNS[query.column][1], reverse=query.descending)


def paginate(rows: list[dict], query: TableQuery) -> Page:
    return Paginator(rows, PER_PAGE).get_page(query.page)


def headers(query: TableQuery, base: dict[str, str]) -> list[dict]:
    """Each sortable column's link (first click: largest first; again: the other way) and its aria-sort."""
    out = []
    for name, (heading, _key) in COLUMNS.items():
        current = query.column == name
        first = name if name == "country" else f"-{name}"
        next_sort = (name if query.descending else f"-{name}") if current else first
        out.append(
            {
                "name": name,
                "heading": heading,
                "url": "?" + urlencode({**base, "sort": next_sort}),
                "aria_sort": ("descending" if query.descending else "ascending") if current else "none",
            }
        )
    return out


def csv_response(rows: list[dict], filename: str) -> HttpResponse:
    """Every matching row (not only this page), exact TPP beside rounded H100e, for a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "country_code",
            "country",
            "source",
            "period",
            "capacity_tpp",
            "committed_tpp",
            "pending_tpp",
            "remaining_tpp",
            "capacity_h100e",
            "committed_h100e",
            "pending_h100e",
            "remaining_h100e",
            "committed_and_pending_percent",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row["country"].code,
                row["country"].name,
                row["source"],
                row["period"],
                row["capacity_tpp"],
                row["committed_tpp"],
                row["pending_tpp"],
                row["remaining_tpp"],
                *(row[name].replace(",", "") for name in ("capacity", "committed", "pending", "remaining")),
                f"{demand_share(row):.1f}",
            ]
        )
    return response
