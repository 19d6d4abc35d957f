from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from petrosa.core.user_tokens import user_token_create


class Command(BaseCommand):
    help = "Create an API token for a user (scripts, LLM agents) and print it once: `Authorization: Token <token>`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. llm-config-agent")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        token, plaintext = user_token_create(user=user, name=options["name"], actor="cli")
        self.stdout.write(
            f"API token {token.prefix} for {user.get_username()} created; store it now, it is not shown again:"
        )
        self.stdout.write(plaintext)
