"""The bulk import API: a partner system uploads a file, polls the dry run, commits."""
