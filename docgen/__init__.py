"""Records in -> unsigned PDFs out. Imports nothing else of ours."""
