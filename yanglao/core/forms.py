"""The one form rendering (issue 14 part 4): every form rendered with `{{ form }}`,
`form.as_div` or `form.as_p` shows, at once, a summary of what to fix at the top and each
error next to its field (with the field's Chinese label, never its Python name); the fields
keep what the user typed (bound forms re-render their data). `form.as_div` and `form.as_p`
use Django's own template names, overridden in templates/django/forms/ to the same one."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class Renderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
