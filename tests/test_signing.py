"""engage/signing.py: serializers made once per secret key and salt, signing as a new one would."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from engage.signing import serializer


def test_one_serializer_per_secret_and_salt_that_signs_as_a_new_one_would(app, app_factory):
    with app.app_context():
        first = serializer(URLSafeSerializer, "engage-respondent")
        assert serializer(URLSafeSerializer, "engage-respondent") is first
        assert serializer(URLSafeSerializer, "another") is not first
        assert serializer(URLSafeTimedSerializer, "engage-respondent") is not first
        fresh = URLSafeSerializer(app.config["SECRET_KEY"], salt="engage-respondent")
        assert fresh.loads(first.dumps("token")) == "token"
        assert first.loads(fresh.dumps("token")) == "token"
    other = app_factory(SECRET_KEY="another-secret-key-of-enough-length-0123456789")
    with other.app_context():
        theirs = serializer(URLSafeSerializer, "engage-respondent")
        assert theirs is not first  # a new secret key is a new serializer: old signatures stop working
        with pytest.raises(BadSignature):
            theirs.loads(first.dumps("token"))
