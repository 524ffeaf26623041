"""The runtime of Amazon MWAA environments: real Apache Airflow with its PostgreSQL.

Below the MWAA API (privlink/services/mwaa): per environment a PostgreSQL cluster,
the Airflow components, a warm CLI and the HTTPS web front, all run from a frozen
spec (spec.py) by runner.Environment; tokens.py mints and checks CLI and web tokens;
rest.py calls Airflow's REST API; tasklogs.py reads task logs for CloudWatch Logs.
"""
