"""Supervision (监察): deadline watch, warnings, audit verification, compliance."""
