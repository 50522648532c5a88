import json

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.commands import DatabaseCommand
from workflow.errors import InvalidInput
from workflow.kpi import compute_kpis, parse_filters, percent, rebuild_rollup

# (key in the report, label, the share, the count shown beside it)
TABLE = [
    ("online_rate", gettext_lazy("Online rate"), "rate", lambda k: f"{k['online']}/{k['total']}"),
    ("on_time_rate", gettext_lazy("On-time rate"), "rate", lambda k: f"{k['on_time']}/{k['finished']}"),
    (
        "dossier_digitisation",
        gettext_lazy("Dossier digitisation"),
        "rate",
        lambda k: f"{k['digitised']}/{k['received']}",
    ),
    ("result_digitisation", gettext_lazy("Result digitisation"), "rate", lambda k: f"{k['digitised']}/{k['returned']}"),
    ("online_payment", gettext_lazy("Online payment rate"), "rate", lambda k: f"{k['paid_online']}/{k['with_fee']}"),
    (
        "full_online_coverage",
        gettext_lazy("Full-online coverage"),
        "rate",
        lambda k: f"{k['full_online']}/{k['published']}",
    ),
]


class Command(DatabaseCommand):
    help = "Print the KPIs for a period (Vietnam local dates), optionally for one agency, level or channel."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="date_from", metavar="YYYY-MM-DD", help="First day (default: 11 months ago, 1st)."
        )
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="Last day, included (default: today).")
        parser.add_argument("--agency", help="Agency code.")
        parser.add_argument("--level", help="Administrative level code (city, province, district, commune).")
        parser.add_argument("--channel", help="online, counter or postal.")
        parser.add_argument(
            "--format", choices=["table", "json"], default="table", help="A table to read, or JSON (default: table)."
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Recount the daily KPI table from the dossiers first."
        )

    def handle(self, *args, date_from, date_to, agency, level, channel, format, rebuild, **options):
        try:
            filters = parse_filters(
                {"from": date_from, "to": date_to, "agency": agency, "level": level, "channel": channel}
            )
        except InvalidInput as exc:
            raise CommandError(
                "; ".join(f"--{name}: {' '.join(messages)}" for name, messages in exc.fields.items())
            ) from None
        if rebuild:
            rebuild_rollup()
        report = compute_kpis(filters)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
            return
        self.stdout.write(
            _("KPIs from %(from)s to %(to)s") % {"from": filters.date_from, "to": filters.date_to}
            + "".join(f" {k}={v}" for k, v in filters.as_params().items() if k not in ("from", "to"))
        )
        # The label column fits the longest label in the active language.
        width = max(len(str(label)) for label in [*(row[1] for row in TABLE), _("Overdue now"), _("Satisfaction")])
        for key, label, field, count in TABLE:
            values = report[key]
            self.stdout.write(self._line(str(label), percent(values[field]), count(values), values, width=width))
        overdue = report["overdue"]
        self.stdout.write(f"{_('Overdue now'):<{width}} {overdue['overdue']:>8} {overdue['in_flow']:>14}")
        satisfaction = report["satisfaction"]
        mean = "—" if satisfaction["mean"] is None else f"{satisfaction['mean']:.2f}"
        self.stdout.write(
            self._line(_("Satisfaction"), mean, str(satisfaction["count"]), satisfaction, share=False, width=width)
        )

    @staticmethod
    def _line(label, value, count, values, *, width, share=True):
        target = values.get("target")
        shown = "—" if target is None else (percent(target) if share else f"{target:.2f}")
        met = {True: _("met"), False: _("not met"), None: ""}[values.get("met")]
        return f"{label:<{width}} {value:>8} {count:>14}  {_('target')} {shown:>6}  {met}"
