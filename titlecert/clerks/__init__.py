"""Archive clerks: printed review-form copies, their wet stamps and where each copy was filed.

`register` records at issue what the clerk pages need; `codes` reads page codes; `accounts` holds
the clerks' sign-in; `records` adds their records (and re-issues a lost copy); `listing` builds the
list view and its Excel export; `views` is the blueprint; `cli` is `titlecert clerk`.
"""
