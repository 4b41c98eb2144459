"""`yanglao keys_rotate`: every encrypted column to the new key (AES-256-GCM ↔ SM4-GCM), every
lookup hash to the new algorithm (HMAC-SHA256 ↔ HMAC-SM3), in resumable batches, with the
records readable and findable throughout (密评)."""

from __future__ import annotations

import base64
import json
import os
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from tests import test_scope_walk as walk
from yanglao.accounts.roles import Role
from yanglao.core import crypto
from yanglao.core.models import AuditEvent, KeyRotation
from yanglao.people import services
from yanglao.people.models import Person
from yanglao.people.testing import person_input
from yanglao.site.management.commands.keys_rotate import ENCRYPTED

pytestmark = pytest.mark.django_db
county_a_world = walk.county_a_world


def _key(alg: str) -> dict[str, str]:
    return {"alg": alg, "key": base64.b64encode(os.urandom(crypto.CIPHERS[alg])).decode()}


PATHS = {
    "aes-sha256→sm4-sm3": (crypto.AES_256_GCM, crypto.HMAC_SHA256, crypto.SM4_GCM, crypto.HMAC_SM3),
    "sm4-sm3→aes-sha256": (crypto.SM4_GCM, crypto.HMAC_SM3, crypto.AES_256_GCM, crypto.HMAC_SHA256),
}


@pytest.fixture(params=list(PATHS))
def path(request, settings):
    old_alg, old_hash, new_alg, new_hash = PATHS[request.param]
    old = {"old": _key(old_alg)}
    settings.DATA_KEYS, settings.LOOKUP_HASH, settings.LOOKUP_HASH_PREVIOUS = (
        json.dumps(old),
        old_hash,
        None,
    )
    crypto.clear_caches()

    def switch(*, drop_old: bool = False) -> None:
        keys = {"new": new_key} if drop_old else {**old, "new": new_key}
        settings.DATA_KEYS = json.dumps(keys)
        settings.LOOKUP_HASH = new_hash
        settings.LOOKUP_HASH_PREVIOUS = None if drop_old else old_hash
        crypto.clear_caches()

    new_key = _key(new_alg)
    yield switch, new_hash
    crypto.clear_caches()


def _tokens() -> list[tuple[str, str, str]]:
    out = []
    for spec in ENCRYPTED:
        for row in apps.get_model(spec.model).objects.values("pk", *spec.ciphers):
            out += [(spec.model, name, row[name]) for name in spec.ciphers if row[name]]
    return out


def _rejected_import_row(make_user) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanglao.imports import services as imports
    from yanglao.imports.tests.conftest import REF, csv_bytes, line

    township = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    bad = line(seq=7, name="王秀英", cells={"联系电话": "12345"})
    upload = SimpleUploadedFile("台账.csv", csv_bytes([line(seq=8, name="李秀英"), bad]))
    batch = imports.batch_upload(actor=township, upload=upload, reference_date=REF)
    imports.batch_map(
        actor=township, batch=batch, mapping={int(i): k for i, k in batch.mapping.items()}
    )


def test_rotation_is_resumable_readable_throughout_and_complete(
    path, county_a_world, make_user, on_commit_now
) -> None:
    switch, new_hash = path
    _rejected_import_row(make_user)
    from yanglao.assessments.models import Assessment
    from yanglao.people.rules import ContactInput

    officer = make_user(Role.COUNTY_OFFICER, "220102")
    contacts = [ContactInput("李明", "child", "13912345678")]
    later, _ = services.person_register(
        actor=officer, data=person_input("220102001001", name="赵淑兰", seq=90, contacts=contacts)
    )
    Assessment.objects.update(contact_phone_cipher=crypto.encrypt("13700001111"))
    person = Person.objects.get(public_id=county_a_world["public_id"])
    number, phone = person.id_number, person.phone
    before = _tokens()
    models = {m for m, _, _ in before}
    assert models == {s.model for s in ENCRYPTED}, models  # every table has data to rotate
    plain = {(m, f, crypto.decrypt(t)) for m, f, t in before}

    switch()  # the new key encrypts from now on; the old still decrypts
    c = Client()
    c.force_login(officer)
    out = StringIO()
    call_command("keys_rotate", "--batch-size", "1", "--max-batches", "1", stdout=out)
    assert "已达到 --max-batches" in out.getvalue() and "行/秒" in out.getvalue()
    kids = {t.partition(":")[0] for _, _, t in _tokens()}
    assert kids == {"old", "new"}  # half-way: both kinds of rows
    # Readable and findable half-way: decrypting, exact search under either hash, and the
    # duplicate check that keeps one person per ID number.
    assert {(m, f, crypto.decrypt(t)) for m, f, t in _tokens()} == plain
    later.refresh_from_db()
    assert person.pk < later.pk and later.id_number_cipher.startswith("old:")  # not yet rotated
    for name, idn in (("欧阳秀英", number), ("赵淑兰", later.id_number)):
        assert name in c.get("/people/", {"q": idn}).content.decode()
        data = person_input("220102001001", name=name, seq=91)
        data.id_number = idn
        with pytest.raises(services.PersonInvalid, match="一人只能登记一次"):
            services.person_register(actor=officer, data=data)
    assert KeyRotation.objects.filter(done=False).exists()

    out = StringIO()
    call_command("keys_rotate", stdout=out)  # resumes
    assert "全部完成" in out.getvalue() and "LOOKUP_HASH_PREVIOUS" in out.getvalue()
    assert all(t.startswith("new:") for _, _, t in _tokens())
    assert KeyRotation.objects.filter(done=True).count() == len(ENCRYPTED)
    assert AuditEvent.objects.filter(action="keys.rotate").count() == len(ENCRYPTED)

    switch(drop_old=True)  # the old key and the old hash are gone
    assert {(m, f, crypto.decrypt(t)) for m, f, t in _tokens()} == plain
    person.refresh_from_db()
    assert person.id_number == number and person.phone == phone
    assert person.id_number_hash == crypto.keyed_hash(number, new_hash)
    assert person.phone_hash == crypto.keyed_hash(phone, new_hash)
    assert "欧阳秀英" in c.get("/people/", {"q": number}).content.decode()
    # The blind tail index (HMAC of the last four under the new lookup hash) was recomputed:
    # last digits of the ID number and of the phone still find the person in their township.
    from yanglao.people import selectors
    from yanglao.people.selectors import PersonFilter

    for tail in (number[-4:], phone[-4:]):
        rows, _ = selectors.person_list(user=officer, f=PersonFilter(q=tail, region="220102001"))
        assert person.pk in {p.pk for p in rows}, tail
    out = StringIO()
    call_command("keys_rotate", stdout=out)  # nothing left to do
    assert "已完成" in out.getvalue()


def test_imports_wait_while_hashes_are_recomputed(path, regions, make_user) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanglao.imports import services as imports
    from yanglao.imports.tests.conftest import csv_bytes, line

    switch, _ = path
    switch()
    township = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    with pytest.raises(imports.ImportInvalid) as exc:
        imports.batch_upload(
            actor=township, upload=SimpleUploadedFile("a.csv", csv_bytes([line()]))
        )
    assert "暂停导入" in str(exc.value.errors)


def test_every_cipher_column_is_rotated() -> None:
    """A new `*_cipher` column must be listed in ENCRYPTED, or rotation would skip it."""
    found = {
        (m._meta.label, f.name)
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if f.name.endswith("_cipher")
    }
    listed = {(s.model, c) for s in ENCRYPTED for c in s.ciphers}
    assert found == listed
