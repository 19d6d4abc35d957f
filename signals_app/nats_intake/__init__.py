"""NATS intake: strategies publish signals on JetStream, ``manage.py consume_signals`` takes them in.

- ``messages``: one NATS message in, one outcome out. Synchronous, runs without NATS.
- ``consumer``: the durable JetStream pull consumer around it, which acks only after commit.
"""
