"""NetSuite reference data: pulled through SuiteQL into staging, read back for mapping checks."""
