"""Reachability Analyzer: network insights paths and analyses (EC2 API)."""
