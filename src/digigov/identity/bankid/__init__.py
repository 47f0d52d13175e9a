"""BankID: its relying-party API v6 (auth, sign, collect, cancel) and what serves it."""
