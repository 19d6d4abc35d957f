"""Accounts and spot balances: creation on first use, the per-account lock, funds held.

Every change to an account happens inside ``transaction.atomic()`` after
``account_lock`` has locked its row, so the web process, workers and the
HTTP server serialise per account and never double-spend a balance.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.models_paper import PaperAccount, PaperBalance

USDT = "USDT"
ZERO = Decimal("0")
INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."


def now_ms() -> int:
    return int(time.time() * 1000)


def _account_create(name: str, market: str) -> None:
    """Open the account with the starting equity in USDT; a racing creator wins harmlessly."""
    try:
        with transaction.atomic():
            account = PaperAccount.objects.create(name=name, market=market)
            PaperBalance.objects.create(account=account, asset=USDT, free=Decimal(settings.PAPER_STARTING_EQUITY))
    except IntegrityError:
        pass


def account_get(name: str, market: str) -> PaperAccount:
    """The account, created (and funded) on first use. No lock: for reads."""
    account = PaperAccount.objects.filter(name=name, market=market).first()
    if account is None:
        _account_create(name, market)
        account = PaperAccount.objects.get(name=name, market=market)
    return account


def account_read(account: str | PaperAccount, market: str) -> PaperAccount:
    """For reads: the row a caller already holds (one adapter call looks it up
    once), or the account by name as ``account_get`` finds it."""
    if isinstance(account, PaperAccount):
        if account.market != market:
            raise ValueError(f"paper account {account.name!r} is a {account.market} account, not {market}")
        return account
    return account_get(account, market)


def account_name(account: str | PaperAccount) -> str:
    return account.name if isinstance(account, PaperAccount) else account


def account_lock(account: str | PaperAccount, market: str) -> PaperAccount:
    """The account row, locked until the surrounding transaction ends (always
    read afresh: a row the caller holds only names the account)."""
    name = account_name(account)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("account_lock needs an open transaction")
    account = PaperAccount.objects.select_for_update().filter(name=name, market=market).first()
    if account is None:
        _account_create(name, market)
        account = PaperAccount.objects.select_for_update().get(name=name, market=market)
    return account


def balance_row(account: PaperAccount, asset: str) -> PaperBalance:
    row, _ = PaperBalance.objects.get_or_create(account=account, asset=asset)
    return row


def _balance_update(account: PaperAccount, asset: str, **changes: object) -> bool:
    """One UPDATE of an existing balance row (False when there is none yet).

    Callers hold the account lock, so ``F() +/- amount`` writes what reading
    the row and saving it back would, in one query instead of two; PostgreSQL
    rounds the sum to the column's scale exactly as it rounds a saved value.
    """
    return PaperBalance.objects.filter(account=account, asset=asset).update(**changes) > 0


def balance_lock_funds(account: PaperAccount, asset: str, amount: Decimal) -> None:
    """Move ``amount`` from free to locked, or refuse with -2010."""
    if amount <= 0:
        return
    if PaperBalance.objects.filter(account=account, asset=asset, free__gte=amount).update(
        free=F("free") - amount, locked=F("locked") + amount
    ):
        return
    # No row, or not enough: the original path (creates the empty row, refuses).
    row = balance_row(account, asset)
    if row.free < amount:
        raise PaperBinanceError(-2010, INSUFFICIENT_BALANCE)
    row.free -= amount
    row.locked += amount
    row.save(update_fields=["free", "locked"])


def balance_release(account: PaperAccount, asset: str, amount: Decimal) -> None:
    """Move ``amount`` back from locked to free."""
    if amount <= 0:
        return
    if _balance_update(account, asset, locked=F("locked") - amount, free=F("free") + amount):
        return
    row = balance_row(account, asset)
    row.locked -= amount
    row.free += amount
    row.save(update_fields=["free", "locked"])


def balance_spend_locked(account: PaperAccount, asset: str, amount: Decimal) -> None:
    """Funds an order held leave the account (they paid for a fill)."""
    if amount <= 0:
        return
    if _balance_update(account, asset, locked=F("locked") - amount):
        return
    row = balance_row(account, asset)
    row.locked -= amount
    row.save(update_fields=["locked"])


def balance_credit(account: PaperAccount, asset: str, amount: Decimal) -> None:
    """Add (or, negative, remove) free funds."""
    if amount == 0:
        return
    if _balance_update(account, asset, free=F("free") + amount):
        return
    row = balance_row(account, asset)
    row.free += amount
    row.save(update_fields=["free"])


def balance_free(account: PaperAccount, asset: str) -> Decimal:
    row = PaperBalance.objects.filter(account=account, asset=asset).first()
    return row.free if row else ZERO
