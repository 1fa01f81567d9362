from __future__ import annotations

from django import forms

from frukost.catering.models import CateringPlan


class CateringPlanForm(forms.ModelForm):
    """The venue contact, the language of their e-mail and the margin of books to order."""

    class Meta:
        model = CateringPlan
        fields = ["venue_contact_name", "venue_email", "language", "book_margin"]
        widgets = {"book_margin": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})}
