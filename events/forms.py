from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Sector

from . import recurrence
from .models import Event, Venue

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WEEKDAY_CHOICES = list(zip(recurrence.WEEKDAYS, recurrence.WEEKDAY_NAMES, strict=True))
ORDINAL_CHOICES = [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (-1, "last")]
MONTH_CHOICES = [(i + 1, name) for i, name in enumerate(recurrence.MONTH_NAMES)]
PATTERN_CHOICES = [
    ("weekday", "On a weekday of the month (e.g. the first Wednesday, the last Friday)"),
    ("month_day", "On a day of the month (e.g. the 15th)"),
    ("weekly", "Every few weeks on a weekday"),
    ("custom", "Custom rule (RFC 5545 RRULE, below)"),
]
END_CHOICES = [("until", "Until a date"), ("count", "After a number of sessions")]


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class SessionContentForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text="Markdown: **bold**, *italic*, lists."
    )
    topics = forms.CharField(
        required=False, max_length=500, help_text="Separate topics with commas, e.g. “Referral pathways, Child safety”."
    )
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Intended sectors",
    )
    cohosts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Co-hosting organisations",
        help_text="One per line.",
    )
    facilitators = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Facilitators or presenters",
        help_text="One per line.",
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "cohosts": lines(data["cohosts"]),
            "facilitators": lines(data["facilitators"]),
        }


class SeriesForm(SessionContentForm):
    default_venue = forms.ModelChoiceField(queryset=Venue.objects.none(), required=False, empty_label="No venue yet")
    default_capacity = forms.IntegerField(min_value=1, max_value=100000, initial=50, label="Capacity")
    start_time = forms.TimeField(widget=TIME_INPUT, initial="09:30", label="Start time (local)")
    duration_minutes = forms.IntegerField(min_value=15, max_value=1440, initial=120, label="Length in minutes")
    start_date = forms.DateField(widget=DATE_INPUT, label="First possible date")
    pattern = forms.ChoiceField(choices=PATTERN_CHOICES, initial="weekday", widget=forms.RadioSelect, label="Repeats")
    ordinal = forms.TypedChoiceField(choices=ORDINAL_CHOICES, coerce=int, initial=1, required=False, label="Which")
    weekday = forms.ChoiceField(choices=WEEKDAY_CHOICES, initial="WE", required=False, label="Weekday")
    month_day = forms.IntegerField(min_value=1, max_value=31, required=False, label="Day of the month")
    interval = forms.IntegerField(
        min_value=1, max_value=12, initial=1, label="Every", help_text="Every 1 month (or week), every 2 …"
    )
    months = forms.TypedMultipleChoiceField(
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="In these months",
        help_text="Leave all unticked for every month.",
    )
    end = forms.ChoiceField(choices=END_CHOICES, initial="until", widget=forms.RadioSelect, label="Ends")
    until = forms.DateField(widget=DATE_INPUT, required=False, label="Last possible date")
    count = forms.IntegerField(min_value=1, max_value=recurrence.MAX_OCCURRENCES, required=False, label="Sessions")
    exdates = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Leave out these dates",
        help_text="One date per line, as YYYY-MM-DD (e.g. a public holiday).",
    )
    rrule = forms.CharField(
        required=False,
        max_length=500,
        label="Custom rule (RRULE)",
        help_text="Only for “Custom rule”, e.g. FREQ=MONTHLY;BYDAY=-1FR;COUNT=6.",
    )
    publish = forms.BooleanField(required=False, label="Publish the sessions now")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_venue"].queryset = Venue.objects.filter(partnership=self.partnership)

    def clean_exdates(self) -> list[date]:
        result = []
        for line in lines(self.cleaned_data["exdates"]):
            try:
                result.append(date.fromisoformat(line))
            except ValueError:
                raise ValidationError(f"“{line}” is not a date: use YYYY-MM-DD.")
        return result

    def clean(self):
        cleaned = super().clean()
        pattern = cleaned.get("pattern")
        if pattern == "custom":
            if not cleaned.get("rrule"):
                self.add_error("rrule", "Enter a rule, or choose one of the patterns above.")
            else:
                cleaned["rule"] = recurrence.normalise_rrule(cleaned["rrule"])
        elif pattern:
            if pattern == "month_day" and not cleaned.get("month_day"):
                self.add_error("month_day", "Choose the day of the month.")
            if pattern in ("weekday", "weekly") and not cleaned.get("weekday"):
                self.add_error("weekday", "Choose a weekday.")
            if pattern == "weekday" and not cleaned.get("ordinal"):
                self.add_error("ordinal", "Choose which weekday of the month.")
            end = cleaned.get("end")
            if end == "until" and not cleaned.get("until"):
                self.add_error("until", "Choose the last possible date, or end after a number of sessions.")
            if end == "count" and not cleaned.get("count"):
                self.add_error("count", "Say how many sessions.")
            if cleaned.get("until") and cleaned.get("start_date") and cleaned["until"] < cleaned["start_date"]:
                self.add_error("until", "The last date must be after the first.")
            if not self.errors:
                cleaned["rule"] = recurrence.build_rrule(
                    pattern=pattern,
                    interval=cleaned.get("interval") or 1,
                    ordinal=cleaned.get("ordinal"),
                    weekday=cleaned.get("weekday"),
                    month_day=cleaned.get("month_day"),
                    months=cleaned.get("months"),
                    until=cleaned.get("until") if end == "until" else None,
                    count=cleaned.get("count") if end == "count" else None,
                )
        return cleaned

    @classmethod
    def initial_for(cls, series) -> dict:
        """The form's initial values for a saved series, the picker filled from its rule."""
        initial = {
            "title": series.title,
            "description": series.description,
            "topics": ", ".join(t.name for t in series.topics.all()),
            "sectors": list(series.sectors.all()),
            "cohosts": "\n".join(series.cohosts),
            "facilitators": "\n".join(series.facilitators),
            "default_venue": series.default_venue_id,
            "default_capacity": series.default_capacity,
            "start_time": series.start_time,
            "duration_minutes": series.duration_minutes,
            "start_date": series.start_date,
            "exdates": "\n".join(series.exdates),
            "publish": series.is_published,
            "pattern": "custom",
            "rrule": series.rrule,
        }
        initial.update(recurrence.picker_from_rule(series.rrule, series.start_date))
        return initial


class EventForm(SessionContentForm):
    """A one-off event, or one occurrence of a series."""

    venue = forms.ModelChoiceField(queryset=Venue.objects.none(), required=False, empty_label="No venue yet")
    start = forms.DateTimeField(widget=DATETIME_INPUT, label="Starts (local time)")
    end = forms.DateTimeField(widget=DATETIME_INPUT, label="Ends (local time)")
    capacity = forms.IntegerField(min_value=1, max_value=100000, initial=50)
    registration_opens_at = forms.DateTimeField(
        widget=DATETIME_INPUT, required=False, label="Registration opens", help_text="Empty: when published."
    )
    registration_closes_at = forms.DateTimeField(
        widget=DATETIME_INPUT, required=False, label="Registration closes", help_text="Empty: at the start."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(partnership=self.partnership)
        zone = self.partnership.zone
        for name in ("start", "end", "registration_opens_at", "registration_closes_at"):
            self.fields[name].widget.attrs["data-zone"] = str(zone)
        self.zone = zone

    def _local(self, value):
        if value is None:
            return None
        # The form's times are the partnership's local times, whatever the server's zone is.
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return timezone.make_aware(naive, self.zone)

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end", "registration_opens_at", "registration_closes_at"):
            if cleaned.get(name) is not None:
                cleaned[name] = self._local(cleaned[name])
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", "The end must be after the start.")
        return cleaned

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        zone = event.partnership.zone

        def local(value):
            return timezone.localtime(value, zone).replace(tzinfo=None) if value else None

        return {
            "title": event.title,
            "description": event.description,
            "topics": ", ".join(t.name for t in event.topics.all()),
            "sectors": list(event.sectors.all()),
            "cohosts": "\n".join(event.cohosts),
            "facilitators": "\n".join(event.facilitators),
            "venue": event.venue_id,
            "start": local(event.start),
            "end": local(event.end),
            "capacity": event.capacity,
            "registration_opens_at": local(event.registration_opens_at),
            "registration_closes_at": local(event.registration_closes_at),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Registrants and the public see this reason.",
    )


class VenueForm(forms.ModelForm):
    online_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Meeting link",
        help_text="Shown only to confirmed registrants and coordinators.",
    )

    class Meta:
        model = Venue
        fields = ["name", "kind", "address", "accessibility_notes", "parking_notes", "online_url"]
        widgets = {
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
            "parking_notes": forms.Textarea(attrs={"rows": 2}),
        }


class EventFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"type": "search"}))
    sector = forms.ChoiceField(required=False)
    topic = forms.ChoiceField(required=False)

    def __init__(self, *args, sectors, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "All sectors")] + [(s.slug, s.name) for s in sectors]
        self.fields["topic"].choices = [("", "All topics")] + [(t.slug, t.name) for t in topics]
