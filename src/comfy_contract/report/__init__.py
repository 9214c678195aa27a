"""Report writers: they only render engine results (text, JSON, JUnit, SARIF, Markdown, GitHub)."""
