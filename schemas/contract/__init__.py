"""The SOAP contract: WSDL and XSD files shipped in the package (read via importlib.resources)."""
