"""AI trade ideas: advisors that suggest, and the review that decides.

Advisors only ever write TradeIdea rows. An idea reaches the market only
after a reviewer approves it, as a signal through the normal intake,
aggregation and risk gate. import-linter forbids this package any path to
execution_app.
"""
