"""Data quality: Great Expectations suites over staged Chargebee documents, and the quarantine."""
