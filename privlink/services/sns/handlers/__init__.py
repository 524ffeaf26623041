"""SNS API handlers: wire dict -> typed operation -> wire dict."""
