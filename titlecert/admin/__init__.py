"""Administration: the admin API (token-authenticated, role-checked) and the `titlecert admin`
commands for its tokens and the audit log."""
