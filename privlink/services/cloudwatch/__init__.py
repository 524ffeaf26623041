"""CloudWatch metrics: PutMetricData, GetMetricData, GetMetricStatistics, ListMetrics, and the
AWS/PrivateLinkEndpoints and AWS/PrivateLinkServices metrics the data plane's counters feed."""
