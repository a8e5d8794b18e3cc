# Models arrive with the issue that introduces this domain (see ARCHITECTURE.md).
