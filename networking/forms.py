from django import forms

from .models import MAX_SEED, MAX_TABLE_SIZE, MIN_TABLE_SIZE, TableGroup

SIZES_OUT_OF_ORDER = "The smallest table cannot be larger than the largest."


class PlanForm(forms.Form):
    min_size = forms.IntegerField(label="Smallest table", min_value=MIN_TABLE_SIZE, max_value=MAX_TABLE_SIZE, initial=6)
    max_size = forms.IntegerField(label="Largest table", min_value=MIN_TABLE_SIZE, max_value=MAX_TABLE_SIZE, initial=8)
    seed = forms.IntegerField(
        label="Seed (optional)",
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text="Leave empty for a new arrangement; the same seed and people give the same plan.",
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_size"), data.get("max_size")
        if low is not None and high is not None and low > high:
            self.add_error("max_size", SIZES_OUT_OF_ORDER)
        return data


class MoveForm(forms.Form):
    registration = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    group = forms.IntegerField(min_value=1, max_value=2**63 - 1, label="Table")


class PinForm(forms.Form):
    registration = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    pinned = forms.TypedChoiceField(choices=[("yes", "Pin"), ("no", "Unpin")], coerce=lambda v: v == "yes")


class LockForm(forms.Form):
    locked = forms.TypedChoiceField(choices=[("yes", "Lock"), ("no", "Unlock")], coerce=lambda v: v == "yes")


class GroupForm(forms.ModelForm):
    class Meta:
        model = TableGroup
        fields = ["label", "prompt"]
        labels = {"label": "Name (optional)", "prompt": "Facilitator prompt (optional)"}
        help_texts = {"prompt": "A question or task for the table, printed on its table list."}
        widgets = {"prompt": forms.Textarea(attrs={"rows": 2, "maxlength": 1000})}
