"""Form widgets of the back office: a label/value list (account details) edited as rows of two inputs."""

from django import forms
from django.utils.html import format_html, format_html_join

BLANK_ROWS = 2


class LabelValueWidget(forms.Widget):
    """Rows of "label" and "value" inputs, the stored rows first and two blank ones to add more; a row whose
    label and value are both empty is dropped."""

    def format_value(self, value):
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if isinstance(value, dict):
            value = [{"label": k, "value": v} for k, v in value.items()]
        return [r for r in (value or []) if isinstance(r, dict)]

    def render(self, name, value, attrs=None, renderer=None):
        rows = self.format_value(value) + [{"label": "", "value": ""}] * BLANK_ROWS
        body = format_html_join(
            "",
            '<tr><td><input type="text" name="{0}-label-{1}" value="{2}" maxlength="191" aria-label="label {3}"></td>'
            '<td><input type="text" name="{0}-value-{1}" value="{4}" maxlength="191" aria-label="value {3}"></td></tr>',
            ((name, i, r.get("label") or "", i + 1, r.get("value") or "") for i, r in enumerate(rows)),
        )
        return format_html(
            '<table class="label-value-editor" id="{}"><thead><tr><th>Label</th><th>Value</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            (attrs or {}).get("id", name),
            body,
        )

    def value_from_datadict(self, data, files, name):
        rows, i = [], 0
        while f"{name}-label-{i}" in data or f"{name}-value-{i}" in data:
            label = (data.get(f"{name}-label-{i}") or "").strip()
            value = (data.get(f"{name}-value-{i}") or "").strip()
            if label or value:
                rows.append({"label": label, "value": value})
            i += 1
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-label-0" not in data


class LabelValueField(forms.Field):
    widget = LabelValueWidget

    def to_python(self, value):
        return value or None

    def validate(self, value):
        super().validate(value)
        for row in value or []:
            if not row["label"]:
                raise forms.ValidationError("Every value needs a label.")

    def has_changed(self, initial, data):
        return (initial or None) != (data or None)
