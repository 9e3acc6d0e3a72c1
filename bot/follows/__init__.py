"""Personal follows: a person follows authors, keywords or papers like one, and gets the day's
matching papers in one direct message at the time they chose.

``model`` holds the values, ``match`` the pure matching of a day's papers, ``commands`` the pure
parser of the personal commands, ``store`` the tables of follows, DM times and papers already
sent, ``handler`` the commands run against the store, ``digest`` the daily DM job. It may import
the core (``bot.*``) and SQLAlchemy; never a chat SDK or ``adapters``.
"""
