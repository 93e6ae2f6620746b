from django import forms

from referrals import selectors as referral_selectors
from referrals import vocabulary
from referrals.forms import AgeFields, term_choices

from . import graph as map_graph


class MapFilterForm(AgeFields):
    """The map's filters (GET). With a need and a role it also highlights "where can I refer?"'s routes,
    read from the same query parameters that page uses (place, urgency, free, acco, interpreter)."""

    need = forms.ChoiceField(label="Need", required=False)
    sector = forms.ChoiceField(label="Sector", required=False)
    role = forms.ChoiceField(label="Referrer role", required=False)
    highlight = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)

    field_order = ["need", "sector", "age_years", "age_extra_months", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = term_choices(vocabulary.NEEDS, "Any need")
        self.fields["sector"].choices = term_choices(vocabulary.SECTORS, "Any sector")
        self.fields["role"].choices = term_choices(vocabulary.REFERRER_ROLES, "Any role")
        self.order_fields(self.field_order)

    def filters(self, highlight: set) -> map_graph.GraphFilters:
        data = self.cleaned_data
        return map_graph.GraphFilters(
            need=referral_selectors.term_by_code(vocabulary.NEEDS, data["need"]) if data["need"] else None,
            sector=referral_selectors.term_by_code(vocabulary.SECTORS, data["sector"]) if data["sector"] else None,
            role=referral_selectors.term_by_code(vocabulary.REFERRER_ROLES, data["role"]) if data["role"] else None,
            age_months=self.age_months(),
            highlight=highlight,
        )


class FeaturedForm(forms.Form):
    services = forms.MultipleChoiceField(
        label="Services presenting", required=False, widget=forms.CheckboxSelectMultiple
    )
    pathways = forms.MultipleChoiceField(
        label="Pathways discussed", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, directory, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_objects = {
            str(s.pk): s
            for s in directory.services.filter(status__in=referral_selectors.LISTED)
            .select_related("directory")
            .order_by("name")
        }
        self.pathway_objects = {
            str(p.pk): p
            for p in directory.pathways.filter(is_active=True)
            .select_related("source_service", "source_role", "target_service", "directory")
            .order_by("target_service__name", "source_role__ordering", "source_service__name")
        }
        self.fields["services"].choices = [(k, s.name) for k, s in self.service_objects.items()]
        self.fields["pathways"].choices = [(k, str(p)) for k, p in self.pathway_objects.items()]
