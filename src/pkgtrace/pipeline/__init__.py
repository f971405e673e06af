"""The pipeline: feeds → scheduler → queue → workers → results store + index → notifications."""
