"""Clients of the National Population Database (REST, SOAP) and its stand-in sandbox."""
