"""Archive clerks: printed review-form copies, their wet stamps and where each copy was filed.

`register` records at issue what the clerk pages need; `codes` reads page codes; `accounts` holds
the clerks' sign-in; `records` adds their records (a lost copy: void, its replacement requested);
`replacements` is the committee office's issue of those replacements (it seals, so it runs from the
command line, never in the web site); `listing` builds the list view and its Excel export; `views`
is the blueprint; `cli` is `titlecert clerk`.
"""
