"""Routes for orders, positions, the account and prices (included by petrosa/urls.py)."""

from __future__ import annotations

from django.urls import path

from execution_app.api.orders import order_detail, orders_collection, seed_order
from execution_app.api.positions import account, position_detail, positions_collection, price

api_v1_patterns = [
    path("orders", orders_collection, name="orders"),
    path("orders/<int:order_id>", order_detail, name="order-detail"),
    path("positions", positions_collection, name="positions"),
    path("positions/<str:symbol>", position_detail, name="position-detail"),
    path("account", account, name="account"),
    path("price/<str:symbol>", price, name="price"),
]

# Seed 001's paths, as its scripts call them.
seed_patterns = [
    path("order/<str:symbol>/<str:order_id>", seed_order, name="seed-order"),
    path("account", account, name="seed-account"),
    path("price/<str:symbol>", price, name="seed-price"),
]
