"""Tokens issued before expiry existed expire API_TOKEN_TTL_DAYS after they were issued."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F


def tokens_expire(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    api_token = apps.get_model("accounts", "ApiToken")
    ttl = timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 30))
    api_token.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + ttl)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_token_expiry_and_password_stamp")]

    operations = [migrations.RunPython(tokens_expire, migrations.RunPython.noop)]
