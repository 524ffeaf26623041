"""ELBv2 API handlers: wire dict -> typed operation -> wire dict."""
