"""A simulator of BankID's relying-party API v6, for the demo and the tests.

It answers `auth`, `sign`, `collect` and `cancel` over mutual TLS (`server`), checks
requests as BankID does (`rules`), and runs each order from outstandingTransaction to
complete or failed on the platform's clock (`actions`). A "virtual BankID app"
(`views`) scans an order's animated QR, or is started with its autostart token, and
approves or cancels it as a person would; some test people play the failures
(`rules.SCENARIOS`). Off in production unless an operator enables it explicitly.
"""
