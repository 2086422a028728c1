"""The console's dashboard: the incidents whose 72-hour clock is nearest its end (for the
DPO and admins), requests per month by kind, the share answered on time, the median
days to answer, and recordings stored and swept by retention, as SVG charts.

The numbers are requests.stats' and retention.stats'; this module only lays
them out as charts (web.charts) with their words in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from voxkeep.incidents.service import READERS as INCIDENT_READERS
from voxkeep.incidents.service import nearest_deadlines
from voxkeep.months import Month
from voxkeep.requests.models import RequestKind
from voxkeep.requests.stats import RequestMonth, request_months
from voxkeep.retention.stats import RetentionMonth, retention_months
from voxkeep.web import i18n
from voxkeep.web.charts import Chart, Series, bar_chart, line_chart
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffPage, render_console

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MONTHS: Final = 12


@dataclass(frozen=True)
class Figure:
    chart: Chart
    svg: Markup
    note: str


def _short(month: Month) -> str:
    """01/26 under a bar: twelve "2026-01" do not fit side by side."""
    return f"{month.month:02d}/{month.year % 100:02d}"


def figures(lang: str, asked: list[RequestMonth], kept: list[RetentionMonth]) -> list[Figure]:
    def t(key: str) -> str:
        return i18n.translate(lang, key)

    labels = [str(m.month) for m in asked]
    short = [_short(m.month) for m in asked]
    kinds = {
        RequestKind.ACCESS: t("dashboard.kind_access"),
        RequestKind.PORTABILITY: t("dashboard.kind_portability"),
        RequestKind.ERASURE: t("dashboard.kind_erasure"),
    }
    received = Chart(
        id="chart-requests",
        title=t("dashboard.requests_title"),
        description=t("dashboard.requests_desc"),
        labels=labels,
        axis_labels=short,
        series=[Series(name, [m.received[kind] for m in asked]) for kind, name in kinds.items()],
    )
    on_time = Chart(
        id="chart-on-time",
        title=t("dashboard.on_time_title"),
        description=t("dashboard.on_time_desc"),
        labels=labels,
        axis_labels=short,
        series=[Series(t("dashboard.on_time_series"), [m.on_time_percent for m in asked])],
        unit="%",
    )
    median = Chart(
        id="chart-median",
        title=t("dashboard.median_title"),
        description=t("dashboard.median_desc"),
        labels=labels,
        axis_labels=short,
        series=[Series(t("dashboard.median_series"), [m.median_days for m in asked])],
    )
    recordings = Chart(
        id="chart-recordings",
        title=t("dashboard.recordings_title"),
        description=t("dashboard.recordings_desc"),
        labels=[str(m.month) for m in kept],
        axis_labels=[_short(m.month) for m in kept],
        series=[
            Series(t("dashboard.stored_series"), [m.stored for m in kept]),
            Series(t("dashboard.swept_series"), [m.swept for m in kept]),
        ],
    )
    return [
        Figure(received, bar_chart(received, stacked=True), t("dashboard.requests_note")),
        Figure(on_time, line_chart(on_time, top=100), t("dashboard.on_time_note")),
        Figure(median, line_chart(median), t("dashboard.median_note")),
        Figure(recordings, bar_chart(recordings), t("dashboard.recordings_note")),
    ]


@router.get("/console/dashboard")
def dashboard_page(request: Request, who: StaffPage, vault: VaultDep) -> Response:
    shown = figures(
        who.lang,
        request_months(vault, months=MONTHS),
        retention_months(vault, months=MONTHS),
    )
    # The 72-hour clocks still running, for those who may see incidents.
    deadlines = nearest_deadlines(vault) if who.has(*INCIDENT_READERS) else None
    return render_console(
        request,
        "console/dashboard.html",
        who,
        active="dashboard",
        months=MONTHS,
        figures=shown,
        deadlines=deadlines,
    )
