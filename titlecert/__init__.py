"""The application: settings, the issuing pipeline, the CLI and the web app factory."""
