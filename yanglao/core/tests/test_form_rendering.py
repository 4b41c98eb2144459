"""The one form rendering (issue 14 part 4): every error next to its field at once, with a
summary naming the fields in Chinese, and what was typed kept."""

from __future__ import annotations

from django import forms

from yanglao.core.visible import visible_text


class Sample(forms.Form):
    name = forms.CharField(label="姓名", max_length=5)
    age = forms.IntegerField(label="年龄", help_text="填写周岁")
    agree = forms.BooleanField(label="同意", required=False)


def test_errors_beside_fields_and_in_a_summary() -> None:
    form = Sample({"name": "王丽英王丽英", "age": "八十"})
    assert not form.is_valid()
    html = form.as_div()
    text = visible_text(html)
    assert "有 2 处需要修改" in text and "已填写的内容都保留着" in text
    assert "姓名：" in text and "年龄：" in text and "填写周岁" in text
    assert 'value="王丽英王丽英"' in html and 'value="八十"' in html  # kept
    assert 'aria-invalid="true"' in html and 'class="field has-error"' in html
    assert "name：" not in text and "age：" not in text  # never the Python names
    # Each error sits inside its field's block.
    block = html.split('class="field has-error"')[1]
    assert "姓名" in block.split("</div>")[0] and 'class="error"' in block.split("</div>")[0]
    assert str(form) == html and "has-error" in form.as_p()


def test_valid_form_has_no_summary() -> None:
    html = Sample({"name": "王", "age": "80"}).as_div()
    assert "需要修改" not in html and '<span class="req"' in html
